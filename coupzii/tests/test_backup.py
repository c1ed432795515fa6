"""deploy/backup.sh and deploy/restore.sh on PostgreSQL: a backup of a database with a live
ledger restores into a scratch database with every row, and the ledger there reconciles."""

import os
import subprocess
import sys
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from accounts.tests.factories import UserFactory
from wallet.services.withdrawals import withdrawal_request
from wallet.tests.factories import confirmed_cashback, verified_kyc

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEPLOY = settings.BASE_DIR / "deploy"


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def run(command: list[str], *, database: str, env: dict | None = None):
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url(database)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def scratch_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        drop = sql.SQL("drop database if exists {} with (force)")
        admin.execute(drop.format(sql.Identifier(name)))


def row_counts(url: str) -> dict[str, int]:
    count = sql.SQL("select count(*) from {}")
    with psycopg.connect(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "select tablename from pg_tables where schemaname = 'public' order by 1"
            )
        ]
        return {
            table: db.execute(count.format(sql.Identifier(table))).fetchone()[0] for table in tables
        }


def shoppers_with_money():
    """Cashback confirmed for three shoppers, one of whom has asked to withdraw part of it."""
    shoppers = [UserFactory() for _ in range(3)]
    for shopper in shoppers:
        confirmed_cashback(shopper, "250.00")
    verified_kyc(shoppers[0])
    withdrawal_request(
        user=shoppers[0], amount=Decimal("120.00"), method="upi", idempotency_key="backup-test"
    )


def test_a_backup_restores_into_a_scratch_database_with_every_row_and_a_sound_ledger(
    tmp_path, scratch_database
):
    # given
    shoppers_with_money()
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "coupzii.dump"

    # when
    backup = run([str(DEPLOY / "backup.sh"), str(dump)], database=source)
    restore = run([str(DEPLOY / "restore.sh"), str(dump)], database=scratch_database)

    # then every table has the same rows, the ledger included
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump)
    assert restore.returncode == 0, restore.stderr
    counts = row_counts(database_url(source))
    assert row_counts(database_url(scratch_database)) == counts
    assert counts["wallet_posting"] > 0 and counts["wallet_withdrawal"] == 1

    # and the ledger checks out on the restored copy
    reconcile = run(
        [sys.executable, "manage.py", "reconcile_ledger"],
        database=scratch_database,
        env={"DJANGO_SETTINGS_MODULE": "coupzii.settings.base"},
    )
    assert reconcile.returncode == 0, reconcile.stderr
    assert "The ledger is sound" in reconcile.stdout

    # and restoring over data is refused, leaving the restored copy as it was
    again = run([str(DEPLOY / "restore.sh"), str(dump)], database=scratch_database)
    assert again.returncode == 2
    assert "restore into a new, empty database" in again.stderr
    assert row_counts(database_url(scratch_database)) == counts


def test_a_backup_with_a_pg_dump_older_than_the_server_is_refused(tmp_path):
    # A pg_dump from an older major release cannot read a newer server's catalogue.
    old_pg_dump = tmp_path / "bin" / "pg_dump"
    old_pg_dump.parent.mkdir()
    old_pg_dump.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old_pg_dump.chmod(0o755)
    path = f"{old_pg_dump.parent}{os.pathsep}{os.environ['PATH']}"

    result = run(
        [str(DEPLOY / "backup.sh"), str(tmp_path / "x.dump")],
        database=connection.settings_dict["NAME"],
        env={"PATH": path},
    )

    assert result.returncode == 2
    assert "pg_dump 9 cannot dump a PostgreSQL" in result.stderr
    assert not (tmp_path / "x.dump").exists()


def test_a_dump_from_another_cluster_restores_with_its_ledger_watermarks_rebased(
    tmp_path, scratch_database
):
    # given a ledger with a platform rollup whose transaction ids are ahead of this cluster's,
    # as every id of a dump is when it is restored into a new cluster
    from wallet import ledger

    shoppers_with_money()
    ledger.platform_rollup()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        ahead = cursor.fetchone()[0] + 1_000_000
        cursor.execute("ALTER TABLE wallet_posting DISABLE TRIGGER wallet_posting_append_only")
        cursor.execute("UPDATE wallet_posting SET xid = xid + %s", [ahead])
        cursor.execute("ALTER TABLE wallet_posting ENABLE TRIGGER wallet_posting_append_only")
        cursor.execute("UPDATE wallet_platformrollup SET watermark = watermark + %s", [ahead])
    dump = tmp_path / "coupzii.dump"
    assert run([str(DEPLOY / "backup.sh"), str(dump)], database=source_name()).returncode == 0

    # when it is restored
    restore = run([str(DEPLOY / "restore.sh"), str(dump)], database=scratch_database)

    # then every posting counts from 0 again and the rollups are gone (beat rebuilds them)
    assert restore.returncode == 0, restore.stderr
    with psycopg.connect(database_url(scratch_database)) as db:
        assert db.execute("select distinct xid from wallet_posting").fetchall() == [(0,)]
        assert db.execute("select count(*) from wallet_platformrollup").fetchone() == (0,)
    # and on the copy a new posting is counted, the rollup moves, and the ledger is sound
    post_and_roll_up = (
        "from decimal import Decimal as D; from wallet import ledger; "
        "before = ledger.platform_balance('fees'); "
        "ledger.transaction_post(kind='welcome_bonus', idempotency_key='after-restore', "
        "legs=[(ledger.platform_account('promotions'), D('-7.00')), "
        "(ledger.platform_account('fees'), D('7.00'))], reference_type='test', "
        "reference_id='1'); "
        "print(ledger.platform_balance('fees') - before, ledger.platform_rollup() > 0)"
    )
    settings_env = {"DJANGO_SETTINGS_MODULE": "coupzii.settings.base"}
    shell = run(
        [sys.executable, "manage.py", "shell", "-c", post_and_roll_up],
        database=scratch_database,
        env=settings_env,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-1].split() == ["7.00", "True"]
    reconcile = run(
        [sys.executable, "manage.py", "reconcile_ledger"],
        database=scratch_database,
        env=settings_env,
    )
    assert reconcile.returncode == 0, reconcile.stderr


def source_name() -> str:
    return connection.settings_dict["NAME"]
