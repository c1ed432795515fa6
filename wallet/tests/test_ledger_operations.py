"""The ledger under operations on PostgreSQL: a restore into a new cluster (transaction ids
start again lower), the platform accounts' post_migrate receiver on a partly migrated
database, reconciliation while others post, and batches posting the same keys in different
orders."""

import threading
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race_behind
from wallet import ledger
from wallet.errors import LedgerWatermarkAhead
from wallet.models import Account, AccountKind, PlatformRollup, Posting, Transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROMOTIONS, FEES, PAYOUTS = AccountKind.PROMOTIONS, AccountKind.FEES, AccountKind.PAYOUTS


def _entry(key, amount="1.00", source=PROMOTIONS, target=FEES):
    return ledger.Entry(
        kind="welcome_bonus",
        idempotency_key=key,
        legs=[
            (ledger.platform_account(source), -D(amount)),
            (ledger.platform_account(target), D(amount)),
        ],
        reference_type="test",
        reference_id=key,
    )


def _xmax() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def _as_if_restored_into_a_new_cluster(ahead: int) -> None:
    """What a pg_restore into a fresh cluster leaves: the postings and the rollups carry the
    old cluster's transaction ids, here `ahead` above anything this cluster has handed out."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE wallet_posting DISABLE TRIGGER wallet_posting_append_only")
        cursor.execute("UPDATE wallet_posting SET xid = xid + %s", [ahead])
        cursor.execute("ALTER TABLE wallet_posting ENABLE TRIGGER wallet_posting_append_only")
        cursor.execute("UPDATE wallet_platformrollup SET watermark = watermark + %s", [ahead])


# --- A restore into a new cluster -------------------------------------------------------------


def test_a_restored_watermark_ahead_of_the_cluster_is_refused_named_and_rebased(capsys):
    # given a ledger with a rollup, restored into a cluster whose transaction ids are lower
    ledger.transactions_post([_entry("before", "10.00")])
    ledger.platform_rollup()
    ledger.transactions_post([_entry("after-rollup", "2.00")])
    _as_if_restored_into_a_new_cluster(_xmax() + 1_000_000)

    # then the balance readers and the rollup refuse instead of skipping new postings
    with pytest.raises(LedgerWatermarkAhead, match="ledger_rebase"):
        ledger.platform_balance(FEES)
    with pytest.raises(LedgerWatermarkAhead, match="ledger_rebase"):
        ledger.platform_rollup()
    # and reconcile names it to the operators
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_ledger")
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "watermark" in err and "ahead of this database cluster" in err
    assert "manage.py ledger_rebase" in err

    # when the operator rebases the restored ledger
    call_command("ledger_rebase")

    # then every posting is counted, a new one too, and the rollup moves again
    assert set(Posting.objects.extra(select={"x": "xid"}).values_list("x", flat=True)) == {0}
    assert not PlatformRollup.objects.exists()
    ledger.transactions_post([_entry("new", "5.00")])
    assert ledger.platform_balance(FEES) == D("17.00")
    assert ledger.platform_rollup() > 0
    ledger.transactions_post([_entry("newer", "1.00")])
    assert ledger.platform_balance(FEES) == D("18.00")
    assert ledger.platform_balance(PROMOTIONS) == D("-18.00")
    assert ledger.ledger_problems() == []


def test_postings_from_another_cluster_with_no_rollup_are_named_by_reconcile():
    ledger.transactions_post([_entry("restored", "3.00")])
    _as_if_restored_into_a_new_cluster(_xmax() + 1_000_000)

    problems = ledger.ledger_problems()

    assert len(problems) == 1
    assert "2 postings carry transaction ids ahead of this database cluster" in problems[0]
    assert "manage.py ledger_rebase" in problems[0]


# --- post_migrate on a partly migrated database -----------------------------------------------


def _state_apps(*nodes):
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(list(nodes)).apps


@pytest.mark.parametrize(
    "node",
    [
        ("accounts", "0001_initial"),  # `migrate accounts` on an empty database
        ("wallet", "0005_private_receipts"),  # `migrate wallet 0005`, a rollback
    ],
)
def test_platform_accounts_are_not_created_before_the_wallet_tables_are_at_0006(
    node, django_assert_num_queries
):
    Account.objects.filter(user=None).delete()
    state = _state_apps(node)

    with django_assert_num_queries(0):
        ledger.platform_accounts_create(apps=state)

    assert not Account.objects.filter(user=None).exists()


def test_platform_accounts_are_created_once_the_wallet_tables_are_at_0006_or_later():
    Account.objects.filter(user=None).delete()

    ledger.platform_accounts_create(apps=global_apps)
    ledger.platform_accounts_create(
        apps=_state_apps(("wallet", "0007_posting_xid_balanced_trigger"))
    )

    assert Account.objects.filter(user=None, kind="escrow:shop").count() == 1
    assert Account.objects.filter(user=None, kind=FEES).count() == 1


# --- Reconciliation while others post ---------------------------------------------------------


def test_reconcile_while_a_busy_poster_commits_reports_no_false_problems():
    user = UserFactory()
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    stop = threading.Event()
    posted = []
    errors = []

    def poster():
        try:
            i = 0
            while not stop.is_set():
                i += 1
                ledger.transaction_post(
                    kind="welcome_bonus",
                    idempotency_key=f"busy-{i}",
                    legs=[
                        (ledger.platform_account(PROMOTIONS), -D("1.00")),
                        (available, D("1.00")),
                    ],
                    reference_type="test",
                    reference_id=str(i),
                )
                posted.append(i)
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=poster)
    thread.start()
    try:
        problems = [ledger.ledger_problems() for _ in range(50)]
    finally:
        stop.set()
        thread.join(30)

    assert errors == []
    assert len(posted) > 50
    assert [p for p in problems if p] == []


def test_reconcile_inside_a_callers_transaction_still_reads_it():
    ledger.transactions_post([_entry("one", "4.00")])
    with transaction.atomic():
        assert ledger.ledger_problems() == []


# --- Batches with the same keys in different orders -------------------------------------------


def test_two_platform_batches_of_the_same_keys_in_opposite_orders_do_not_deadlock():
    for round_ in range(3):
        keys = [f"r{round_}-{i:02d}" for i in range(21)]
        forwards = [_entry(key) for key in keys]
        backwards = list(reversed(forwards))

        @contextmanager
        def middle_key_held(key=keys[10]):
            # both batches get as far as the middle key (one from each end) before either
            # passes it: without a common order each then waits for a key the other holds
            with transaction.atomic():
                ledger.transactions_post([_entry(key)])
                yield

        results = race_behind(
            middle_key_held,
            [
                lambda f=forwards: ledger.transactions_post(f),
                lambda b=backwards: ledger.transactions_post(b),
            ],
        )

        assert failures(results) == []
        # each returns its transactions in its caller's order, and both got the same ones
        assert [t.idempotency_key for t in results[0]] == keys
        assert [t.idempotency_key for t in results[1]] == keys[::-1]
        assert [t.pk for t in results[0]] == [t.pk for t in reversed(results[1])]
        assert Transaction.objects.filter(idempotency_key__in=keys).count() == len(keys)
    assert Posting.objects.count() == 2 * 3 * 21
    assert ledger.ledger_problems() == []
