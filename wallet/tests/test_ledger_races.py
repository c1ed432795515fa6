"""The ledger on PostgreSQL, with real concurrent transactions: platform accounts are never
locked, a key is posted once however many post it at once, the rollup's watermark never
skips a posting that commits late, and the database itself refuses an unbalanced
transaction."""

import threading
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from coupzii.tests.races import failures, race
from wallet import ledger
from wallet.models import AccountKind, PlatformRollup, Posting, Transaction, TransactionKind
from wallet.tests.held import HeldTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROMOTIONS, FEES, PAYOUTS = AccountKind.PROMOTIONS, AccountKind.FEES, AccountKind.PAYOUTS


def _transfer(key, amount, source=PROMOTIONS, target=FEES):
    return ledger.transaction_post(
        kind=TransactionKind.WELCOME_BONUS,
        idempotency_key=key,
        legs=[
            (ledger.platform_account(source), -D(amount)),
            (ledger.platform_account(target), D(amount)),
        ],
        reference_type="test",
        reference_id=key,
    )


def _posted_sum(kind) -> D:
    total = D("0.00")
    for amount in Posting.objects.filter(account__kind=kind).values_list("amount", flat=True):
        total += amount
    return total


def test_a_post_to_platform_accounts_held_open_does_not_delay_another():
    # given one transfer between platform accounts posted and held open, uncommitted
    held = HeldTransaction(lambda: _transfer("held", "10.00"))
    assert held.error is None

    # when another request posts to the same platform accounts, refusing to wait for any
    # lock longer than a moment
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '500ms'")
        _transfer("other", "5.00")
        # (and a user's account is still locked by the ledger, as before)
        available = ledger.user_accounts(UserFactory())[AccountKind.AVAILABLE]
        ledger.transaction_post(
            kind=TransactionKind.WELCOME_BONUS,
            idempotency_key="user",
            legs=[(ledger.platform_account(PROMOTIONS), -D("1.00")), (available, D("1.00"))],
            reference_type="test",
            reference_id="user",
        )

    # then it went through without waiting; the held one commits after it
    held.finish(commit=True)
    assert held.error is None
    assert ledger.platform_balance(FEES) == D("15.00")
    assert ledger.platform_balance(PROMOTIONS) == D("-16.00")
    assert ledger.ledger_problems() == []


def test_eight_posts_of_one_key_at_once_on_platform_accounts_leave_one_transaction():
    results = race([lambda i=i: _transfer("same-key", f"{i + 1}.00") for i in range(8)])

    assert failures(results) == []
    assert len({txn.pk for txn in results}) == 1
    assert Transaction.objects.filter(idempotency_key="same-key").count() == 1
    assert Posting.objects.count() == 2
    amount = Posting.objects.get(account__kind=FEES).amount
    assert ledger.platform_balance(FEES) == amount
    assert ledger.platform_balance(PROMOTIONS) == -amount
    assert ledger.ledger_problems() == []


def test_a_posting_committed_after_the_rollup_started_is_counted_exactly_once():
    # given a posting committed before, and one whose transaction is still open (its id is
    # lower than a later committed one's: ids are handed out at insert, not at commit)
    _transfer("before", "100.00")
    late = HeldTransaction(lambda: _transfer("late", "7.00"))
    assert late.error is None
    _transfer("after", "20.00")
    assert not Transaction.objects.filter(idempotency_key="late").exists()  # not committed

    # when the rollup runs while it is open, then it commits, then the rollup runs again
    ledger.platform_rollup()
    rollup = PlatformRollup.objects.get(account__kind=FEES)
    assert rollup.balance <= D("120.00")  # the open posting cannot be in it
    assert ledger.platform_balance(FEES) == D("120.00")
    late.finish(commit=True)
    assert late.error is None

    # then the late posting counts once, before and after the next rollup
    assert ledger.platform_balance(FEES) == D("127.00") == _posted_sum(FEES)
    assert ledger.ledger_problems() == []
    ledger.platform_rollup()
    assert ledger.platform_balance(FEES) == D("127.00")
    assert ledger.platform_balance(PROMOTIONS) == D("-127.00") == _posted_sum(PROMOTIONS)
    assert ledger.ledger_problems() == []


def test_a_posting_rolled_back_after_the_rollup_started_is_never_counted():
    _transfer("kept", "3.00")
    aborted = HeldTransaction(lambda: _transfer("aborted", "9.00"))
    ledger.platform_rollup()
    aborted.finish(commit=False)
    ledger.platform_rollup()

    assert ledger.platform_balance(FEES) == D("3.00")
    assert ledger.ledger_problems() == []


INSERT_TXN = (
    "INSERT INTO wallet_transaction (public_id, kind, idempotency_key, reference_type, "
    "reference_id, memo, created_at) VALUES (gen_random_uuid(), 'welcome_bonus', %s, 'test', "
    "'1', '', now()) RETURNING id"
)
INSERT_LEG = "INSERT INTO wallet_posting (transaction_id, account_id, amount) VALUES (%s, %s, %s)"


def _raw_write(legs, *, key="raw", txn=None):
    """Write a transaction and its legs by hand, around the ledger, and commit."""
    with transaction.atomic(), connection.cursor() as cursor:
        if txn is None:
            cursor.execute(INSERT_TXN, [key])
            txn = cursor.fetchone()[0]
        for account, amount in legs:
            cursor.execute(INSERT_LEG, [txn, account.pk, D(amount)])


def test_the_database_refuses_an_unbalanced_transaction_written_around_the_ledger():
    _transfer("good", "5.00")
    promotions = ledger.platform_account(PROMOTIONS)
    fees = ledger.platform_account(FEES)

    with pytest.raises(IntegrityError, match=r"does not balance: 2 legs summing to 1\.00"):
        _raw_write([(promotions, "-4.00"), (fees, "5.00")])
    with pytest.raises(IntegrityError, match="does not balance: 1 legs"):
        _raw_write([(fees, "5.00")])
    with pytest.raises(IntegrityError, match="does not balance: 0 legs"):
        _raw_write([])
    # a leg added later to a balanced transaction
    good = Transaction.objects.get(idempotency_key="good")
    with pytest.raises(IntegrityError, match="does not balance: 3 legs"):
        _raw_write([(fees, "1.00")], txn=good.pk)
    # while a balanced one written by hand is accepted
    _raw_write([(promotions, "-2.00"), (fees, "1.50"), (fees, "0.50")], key="raw-balanced")

    assert sorted(Transaction.objects.values_list("idempotency_key", flat=True)) == [
        "good",
        "raw-balanced",
    ]
    assert ledger.platform_balance(FEES) == D("7.00")
    assert ledger.ledger_problems() == []


def test_reconcile_names_a_rollup_that_disagrees_with_its_postings(capsys):
    from django.core.management import call_command

    _transfer("one", "40.00")
    ledger.platform_rollup()
    call_command("reconcile_ledger")
    assert "ledger is sound" in capsys.readouterr().out
    # given someone changed a rollup behind the ledger's back
    PlatformRollup.objects.filter(account__kind=FEES).update(balance=D("41.00"))

    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_ledger")

    assert exit_info.value.code == 1
    out = capsys.readouterr()
    assert "fees: its rollup holds 41.00" in out.out + out.err
    assert "postings there sum to " in out.out + out.err


def _own_xid_watermark() -> int:
    """A watermark that covers every transaction but the rollup's own: right only when no
    other transaction is writing postings (as in the test below), which makes the rollups
    there move deterministically whatever else runs on the database server (the real
    watermark is the oldest transaction running anywhere on it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def test_a_rollup_committed_between_the_two_reads_of_a_balance_changes_nothing(monkeypatch):
    monkeypatch.setattr(ledger, "_current_watermark", _own_xid_watermark)
    # given postings before and after a first rollup
    _transfer("first", "10.00")
    ledger.platform_rollup()
    _transfer("second", "5.00")
    sums = ledger._sums_by_account

    def rollup_in_between(rows, **kwargs):
        # another process's rollup commits after the rollups were read, before the postings
        def rollup():
            try:
                ledger.platform_rollup()
            finally:
                connection.close()

        thread = threading.Thread(target=rollup)
        thread.start()
        thread.join()
        return sums(rows, **kwargs)

    monkeypatch.setattr(ledger, "_sums_by_account", rollup_in_between)

    # then balances and the rollup check read as before
    assert ledger.platform_balance(FEES) == D("15.00")
    assert PlatformRollup.objects.get(account__kind=FEES).balance == D("15.00")
    assert ledger.platform_balance(PROMOTIONS) == D("-15.00")
    assert ledger.ledger_problems() == []
