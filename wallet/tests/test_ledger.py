"""The ledger core: balanced postings, cached balances, idempotency, reconciliation."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from wallet import ledger, selectors
from wallet.errors import InsufficientFunds, UnbalancedTransaction
from wallet.kinds import UnknownLedgerKind
from wallet.models import (
    Account,
    AccountKind,
    PlatformRollup,
    Posting,
    Transaction,
    TransactionKind,
)

pytestmark = pytest.mark.django_db


def _credit(user, amount, key="k1"):
    accounts = ledger.user_accounts(user)
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    return ledger.transaction_post(
        kind="welcome_bonus",
        idempotency_key=key,
        legs=[(promotions, -D(amount)), (accounts[AccountKind.AVAILABLE], D(amount))],
        reference_type="test",
        reference_id="1",
    )


def test_posting_moves_cached_balances_and_sums_to_zero():
    user = UserFactory()
    txn = _credit(user, "150.50")
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("150.50")
    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-150.50")
    assert sum(p.amount for p in txn.postings.all()) == 0
    assert ledger.ledger_problems() == []


def test_same_idempotency_key_twice_returns_the_first_and_changes_nothing():
    user = UserFactory()
    first = _credit(user, "10.00", key="same")
    second = _credit(user, "99.00", key="same")
    assert second.pk == first.pk
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("10.00")
    assert Transaction.objects.count() == 1


def test_unbalanced_or_single_leg_transactions_are_refused():
    user = UserFactory()
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    with pytest.raises(UnbalancedTransaction):
        ledger.transaction_post(
            kind="x",
            idempotency_key="a",
            reference_type="t",
            reference_id="1",
            legs=[(promotions, D("-5")), (available, D("4.99"))],
        )
    with pytest.raises(UnbalancedTransaction):
        ledger.transaction_post(
            kind="x",
            idempotency_key="b",
            reference_type="t",
            reference_id="1",
            legs=[(available, D("0"))],
        )
    with pytest.raises(UnbalancedTransaction):
        ledger.transaction_post(
            kind="x",
            idempotency_key="c",
            reference_type="t",
            reference_id="1",
            legs=[(promotions, D("-0.005")), (available, D("0.005"))],
        )
    assert Posting.objects.count() == 0


def test_a_user_account_never_goes_below_zero():
    user = UserFactory()
    _credit(user, "5.00")
    accounts = ledger.user_accounts(user)
    with pytest.raises(InsufficientFunds):
        ledger.transaction_post(
            kind="withdrawal_hold",
            idempotency_key="over",
            reference_type="t",
            reference_id="1",
            legs=[
                (accounts[AccountKind.AVAILABLE], D("-5.01")),
                (accounts[AccountKind.HELD], D("5.01")),
            ],
        )
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("5.00")


def test_the_database_refuses_a_negative_user_balance_even_without_the_service():
    user = UserFactory()
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=available.pk).update(balance=D("-1.00"))


@pytest.mark.postgres
def test_postings_cannot_be_updated_or_deleted_on_postgresql():
    _credit(UserFactory(), "20.00")
    posting = Posting.objects.first()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount=D("1.00"))
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).delete()


def test_reconcile_ledger_names_a_drifted_balance_and_exits_non_zero(capsys):
    user = UserFactory()
    _credit(user, "40.00")
    call_command("reconcile_ledger")
    assert "ledger is sound" in capsys.readouterr().out
    # given: someone changed a cached balance behind the ledger's back
    Account.objects.filter(user=user, kind=AccountKind.AVAILABLE).update(balance=D("41.00"))
    # when / then
    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_ledger")
    assert exit_info.value.code == 1
    out = capsys.readouterr()
    assert "caches 41.00 but its postings sum to 40.00" in out.out + out.err
    assert "whole ledger sum to 1.00" in out.out + out.err


def test_batch_posting_writes_each_key_once():
    users = [UserFactory() for _ in range(3)]
    accounts = ledger.accounts_for_users(u.pk for u in users)
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    entries = [
        ledger.Entry(
            "welcome_bonus",
            f"batch:{u.pk}",
            [(promotions, D("-7.00")), (accounts[u.pk][AccountKind.AVAILABLE], D("7.00"))],
            "test",
            str(u.pk),
        )
        for u in users
    ]
    ledger.transactions_post(entries + entries[:1])
    ledger.transactions_post(entries)
    assert [ledger.balances(u)[AccountKind.AVAILABLE] for u in users] == [D("7.00")] * 3
    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-21.00")
    assert connection.vendor in ("sqlite", "postgresql")


# --- Registered kinds and platform balances ----------------------------------------------------


def test_a_kind_and_platform_account_registered_by_another_app_post_with_no_wallet_migration():
    # given the test app's registrations (coupzii/testapp/apps.py): a kind and an account
    # the wallet has never heard of
    user = UserFactory()
    sponsor = ledger.platform_account("testapp:sponsor")
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]

    # when it posts with them
    txn = ledger.transaction_post(
        kind="testapp_grant",
        idempotency_key="grant:1",
        legs=[(sponsor, D("-25.00")), (available, D("25.00"))],
        reference_type="grant",
        reference_id="1",
    )

    # then the money moved, the registry names it, and the wallet needs no migration for it
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("25.00")
    assert ledger.platform_balance("testapp:sponsor") == D("-25.00")
    assert str(txn) == "Grant paid · grant:1"
    assert str(sponsor) == "platform · Sponsor pool"
    assert [
        line.label for line in selectors.statement_lines(user, selectors.statement_for(user))
    ] == ["Grant"]
    call_command("makemigrations", "wallet", check=True, dry_run=True, verbosity=0)
    assert ledger.ledger_problems() == []


def test_posting_an_unregistered_kind_or_to_an_unregistered_platform_account_is_refused():
    user = UserFactory()
    available = ledger.user_accounts(user)[AccountKind.AVAILABLE]
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    with pytest.raises(UnknownLedgerKind, match="'nobody_registered_me' is not registered"):
        ledger.transaction_post(
            kind="nobody_registered_me",
            idempotency_key="a",
            legs=[(promotions, D("-1.00")), (available, D("1.00"))],
            reference_type="t",
            reference_id="1",
        )
    with pytest.raises(UnknownLedgerKind, match="platform account 'nowhere' is not registered"):
        ledger.platform_account("nowhere")
    stray = Account.objects.create(user=None, kind="nowhere")  # made around the ledger
    with pytest.raises(UnknownLedgerKind, match="platform account 'nowhere'"):
        ledger.transaction_post(
            kind=TransactionKind.WELCOME_BONUS,
            idempotency_key="b",
            legs=[(stray, D("-1.00")), (available, D("1.00"))],
            reference_type="t",
            reference_id="1",
        )
    assert Transaction.objects.count() == 0


def test_platform_accounts_are_posted_to_without_moving_their_row():
    user = UserFactory()
    _credit(user, "30.00")
    promotions = Account.objects.get(user=None, kind=AccountKind.PROMOTIONS)
    # the row caches nothing: the balance is read from the postings
    assert promotions.balance == D("0.00")
    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-30.00")
    assert ledger.platform_balances()[AccountKind.PROMOTIONS] == D("-30.00")
    # and the database refuses a cached platform balance
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=promotions.pk).update(balance=D("-30.00"))


def test_the_rollup_and_the_postings_after_it_make_the_balance(django_assert_num_queries):
    user = UserFactory()
    _credit(user, "10.00", key="a")
    ledger.platform_rollup()
    _credit(user, "2.50", key="b")
    ledger.platform_rollup()
    _credit(user, "1.25", key="c")

    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-13.75")
    assert ledger.ledger_problems() == []
    with django_assert_num_queries(2):
        ledger.platform_balances()


def test_a_post_to_platform_accounts_only_locks_and_updates_nothing(django_assert_num_queries):
    promotions = ledger.platform_account(AccountKind.PROMOTIONS)
    fees = ledger.platform_account(AccountKind.FEES)
    # PostgreSQL writes the transaction and its postings in one statement, SQLite in two.
    statements = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(statements) as queries:
        ledger.transaction_post(
            kind=TransactionKind.WELCOME_BONUS,
            idempotency_key="platform-only",
            legs=[(promotions, D("-3.00")), (fees, D("3.00"))],
            reference_type="t",
            reference_id="1",
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "UPDATE" not in sql  # no row lock (FOR UPDATE), no balance UPDATE
    assert "ON CONFLICT" in sql


def test_beat_rolls_up_platform_balances_every_minute():
    from django.conf import settings

    from wallet import tasks

    schedule = settings.CELERY_BEAT_SCHEDULE["wallet-rollup-platform-balances"]
    assert (schedule["task"], schedule["schedule"]) == ("wallet.rollup_platform_balances", 60.0)
    _credit(UserFactory(), "8.00")

    tasks.rollup_platform_balances.delay()

    rollups = PlatformRollup.objects.select_related("account")
    assert {r.account.kind for r in rollups} >= {AccountKind.PROMOTIONS}
    assert ledger.platform_balance(AccountKind.PROMOTIONS) == D("-8.00")
    assert ledger.ledger_problems() == []
