"""The wallet as a state machine: hypothesis drives random sequences of network reports
(new sales, confirmations, declines, reversals, replays, late click matches), operator
decisions, referrals and withdrawals through the real services, and after every step checks
that the money adds up.

Each example runs inside a savepoint that its `teardown` rolls back, the way Django's own
TestCase isolates a test, so the examples do not see each other's rows (postings cannot be
deleted on PostgreSQL, so cleaning up by DELETE is not an option).
"""

import dataclasses
import os
import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_FLOOR
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Notification, PhoneCodeDevice
from accounts.tests.factories import UserFactory
from coupzii.core.errors import DomainError
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.errors import (
    BelowMinimum,
    DailyLimitReached,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidTransition,
    NotAnOperator,
    PayoutDestinationMissing,
)
from wallet.models import (
    OPEN_WITHDRAWAL_STATUSES,
    Account,
    AccountKind,
    CashbackDebt,
    CashbackEvent,
    CashbackStatus,
    Posting,
    ReferralReward,
    ReferralStatus,
    TransactionKind,
    Withdrawal,
    WithdrawalStatus,
)
from wallet.networks.base import NetworkSale, SaleStatus
from wallet.services.cashback import (
    cashback_confirm,
    cashback_decline,
    cashback_ingest,
    cashback_match_unmatched,
    cashback_report,
)
from wallet.services.withdrawals import (
    minimum_withdrawal,
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from wallet.tests.factories import confirmed_cashback, operator, sale_for, verified_kyc, with_status
from wallet.tests.held import HeldTransaction

pytestmark = pytest.mark.django_db

AVAILABLE, PENDING, HELD = AccountKind.AVAILABLE, AccountKind.PENDING, AccountKind.HELD
PENDING_S, CONFIRMED_S, DECLINED_S = SaleStatus.PENDING, SaleStatus.CONFIRMED, SaleStatus.DECLINED
ZERO = D("0.00")
NOT_OUR_CLICK = "00000000-0000-4000-8000-000000000000"  # a UUID no click has

# WALLET_MACHINE_EXAMPLES=500 explores deeper (minutes); the default keeps the suite quick.
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("WALLET_MACHINE_EXAMPLES", "12")),
    stateful_step_count=int(os.environ.get("WALLET_MACHINE_STEPS", "70")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# Hypothesis favours small numbers; shoppers mostly buy for hundreds or thousands, so most
# sales come from the upper range and some are tiny (their cashback rounds to paise or 0).
def _paise(low: str, high: str):
    return st.decimals(min_value=D(low), max_value=D(high), places=2)


sale_amounts = _paise("200", "20000") | _paise("0.10", "200")
commissions = _paise("100", "2000") | _paise("0", "100")
any_withdrawal_amount = _paise("50", "900").map(str)
# Mostly everything available (as shoppers do), sometimes half, the minimum, just below it, or
# any amount (often more than they have).
withdrawal_amounts = st.sampled_from(["all", "all", "all", "half", "100.00", "99.99", "any"])


@dataclasses.dataclass
class SaleModel:
    """What the machine expects of one network transaction."""

    last_report: NetworkSale
    user_pk: int | None  # whose click it is (None: a sub-id that is not ours)
    click_saved: bool
    status: str
    # None while the event is unmatched; then whether matching moved money for it.
    credited: bool | None


@dataclasses.dataclass
class WithdrawalModel:
    user_pk: int
    amount: D
    method: str
    status: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WITHDRAWAL_STATUSES


class WalletMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # A savepoint rolled back in teardown, marked as Django's TestCase marks its own, so
        # the durable withdrawal_request may run inside it.
        self._atomic = transaction.atomic()
        self._atomic._from_testcase = True
        self._atomic.__enter__()
        self.staff = operator()
        self.users = {}  # pk -> User
        self.referrer_of = {}  # pk -> referrer pk or None
        self.upi_of = {}  # pk -> UPI id on their KYC
        self.phones_of = defaultdict(set)  # pk -> verified phone numbers
        self.clicks = defaultdict(list)  # user pk -> their clicks (saved or not yet)
        self.sales = {}  # network transaction id -> SaleModel
        self.reports = []  # every report delivered, for replays
        self.withdrawals = {}  # pk -> WithdrawalModel
        self.keys = {}  # (user pk, idempotency key) -> withdrawal pk
        self.utr_count = 0
        self.txn_count = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- People -------------------------------------------------------------------------------

    def _add_user(self, *, referrer_pk=None, share=""):
        referrer = self.users.get(referrer_pk)
        user = UserFactory(referred_by=referrer)
        upi = self.upi_of[referrer_pk] if share == "upi" else f"shopper{user.pk}@okaxis"
        verified_kyc(user, upi_id=upi)
        if share == "phone":
            phone = f"+9198{referrer_pk:08d}"
            for pk in (referrer_pk, user.pk):
                PhoneCodeDevice.objects.get_or_create(
                    user_id=pk, phone=phone, defaults={"name": "Phone", "confirmed": True}
                )
                self.phones_of[pk].add(phone)
        self.users[user.pk] = user
        self.referrer_of[user.pk] = referrer_pk
        self.upi_of[user.pk] = upi
        return user.pk

    @initialize()
    def first_users(self):
        first = self._add_user()
        second = self._add_user(referrer_pk=first)
        # both start with 500 confirmed (the second's pays the referral), so withdrawals,
        # and reversals of withdrawn cashback, happen early
        for user_pk in (first, second):
            click = ClickFactory(user=self.users[user_pk])
            self.clicks[user_pk].append(click)
            sale = sale_for(
                click,
                sale_amount="10000.00",
                commission="1000.00",
                status=CONFIRMED_S,
                transaction_id=self._txn_id(),
            )
            self.sales[sale.transaction_id] = SaleModel(sale, user_pk, True, PENDING_S, True)
            self._deliver([sale], via="postback")

    @precondition(lambda self: len(self.users) < 6)
    @rule(data=st.data())
    def add_user(self, data):
        referrer = data.draw(st.sampled_from([None, *sorted(self.users)]), label="referrer")
        share = ""
        if referrer is not None:
            share = data.draw(st.sampled_from(["", "", "phone", "upi"]), label="share")
        self._add_user(referrer_pk=referrer, share=share)

    # --- Network reports ----------------------------------------------------------------------

    def _new_sale(self, data) -> tuple[NetworkSale, SaleModel]:
        user_pk = data.draw(st.sampled_from(sorted(self.users)), label="shopper")
        kind = data.draw(st.sampled_from(["new", "new", "late", "reuse", "foreign"]), label="click")
        amount = data.draw(sale_amounts, label="sale")
        commission = data.draw(commissions, label="commission")
        status = data.draw(st.sampled_from([PENDING_S] * 4 + [CONFIRMED_S, DECLINED_S]))
        if kind == "reuse" and not self.clicks[user_pk]:
            kind = "new"
        if kind == "foreign":
            sale = NetworkSale(
                network="admitad",
                transaction_id=self._txn_id(),
                sub_id=data.draw(st.sampled_from([NOT_OUR_CLICK, "not-our-click", ""])),
                sale_amount=amount,
                commission=commission,
                status=status,
                occurred_at=timezone.now(),
            )
            return sale, SaleModel(sale, None, False, status, None)
        if kind == "new":
            click = ClickFactory(user=self.users[user_pk])
            self.clicks[user_pk].append(click)
        elif kind == "late":
            # written a few seconds after the click-out: the sale may arrive first
            click = ClickFactory.build(user=self.users[user_pk])
            self.clicks[user_pk].append(click)
        else:
            click = data.draw(st.sampled_from(self.clicks[user_pk]), label="reused click")
        saved = click._state.adding is False
        sale = sale_for(
            click,
            sale_amount=str(amount),
            commission=str(commission),
            status=status,
            transaction_id=self._txn_id(),
        )
        return sale, SaleModel(sale, user_pk, saved, status, True if saved else None)

    def _txn_id(self) -> str:
        self.txn_count += 1
        return f"T{self.txn_count:05d}"

    def _deliver(self, sales: list[NetworkSale], *, via: str) -> None:
        """Send reports (a page at once, or one postback each) and move the model along."""
        if via == "ingest":
            cashback_ingest(sales=sales)
        else:
            for sale in sales:
                cashback_report(sale=sale)
        for sale in sales:
            self._delivered(sale)

    def _delivered(self, sale: NetworkSale) -> None:
        self.reports.append(sale)
        model = self.sales.get(sale.transaction_id)
        if model is not None:
            model.status = _moved(model.status, sale.status)

    @rule(data=st.data(), via=st.sampled_from(["postback", "ingest"]))
    def report_new_sale(self, data, via):
        sale, model = self._new_sale(data)
        # the model sees the event as it is created (pending), then moved by the report
        model.status = PENDING_S
        self.sales[sale.transaction_id] = model
        self._deliver([sale], via=via)

    @rule(data=st.data())
    def ingest_a_page(self, data):
        """A page of a network's report: a few new sales and updates of known ones."""
        fresh = [self._new_sale(data) for _ in range(data.draw(st.integers(0, 3), label="new"))]
        updates = []
        if self.sales:
            known = data.draw(
                st.lists(st.sampled_from(sorted(self.sales)), max_size=3), label="updates"
            )
            for txn_id in known:
                status = data.draw(st.sampled_from([PENDING_S, CONFIRMED_S, DECLINED_S]))
                updates.append(with_status(self.sales[txn_id].last_report, status))
        for sale, model in fresh:
            model.status = PENDING_S
            self.sales[sale.transaction_id] = model
        self._deliver([s for s, _ in fresh] + updates, via="ingest")

    @precondition(lambda self: self.sales)
    @rule(
        data=st.data(),
        status=st.sampled_from([CONFIRMED_S, DECLINED_S, PENDING_S]),
        via=st.sampled_from(["postback", "ingest"]),
    )
    def network_update(self, data, status, via):
        txn_id = data.draw(st.sampled_from(sorted(self.sales)), label="sale")
        sale = with_status(self.sales[txn_id].last_report, status)
        self._deliver([sale], via=via)

    @precondition(lambda self: any(m.status == CONFIRMED_S for m in self.sales.values()))
    @rule(data=st.data())
    def network_reverses_a_confirmed_sale(self, data):
        confirmed = sorted(t for t, m in self.sales.items() if m.status == CONFIRMED_S)
        # mostly a sale whose shopper has already moved money out of available (a withdrawal):
        # the clawback then falls short and leaves a debt
        spent = [t for t in confirmed if self._spent_some(self.sales[t])]
        pool = spent if spent and data.draw(st.integers(0, 3), label="spent") else confirmed
        txn_id = data.draw(st.sampled_from(pool), label="sale")
        self._deliver([with_status(self.sales[txn_id].last_report, DECLINED_S)], via="postback")

    def _spent_some(self, model: SaleModel) -> bool:
        return model.credited and any(
            w.user_pk == model.user_pk and w.status != WithdrawalStatus.REJECTED
            for w in self.withdrawals.values()
        )

    @precondition(lambda self: self.reports)
    @rule(data=st.data(), via=st.sampled_from(["postback", "ingest"]))
    def replay_an_earlier_report(self, data, via):
        report = data.draw(st.sampled_from(self.reports), label="report")
        self._deliver([report], via=via)

    @precondition(lambda self: self.sales)
    @rule(data=st.data(), action=st.sampled_from(["confirm", "decline"]))
    def operator_decides(self, data, action):
        txn_id = data.draw(st.sampled_from(sorted(self.sales)), label="sale")
        model = self.sales[txn_id]
        event = CashbackEvent.objects.get(network="admitad", network_txn_id=txn_id)
        target = CONFIRMED_S if action == "confirm" else DECLINED_S
        allowed = _moved(model.status, target) != model.status
        service = cashback_confirm if action == "confirm" else cashback_decline
        try:
            service(event=event, actor=self.staff)
        except InvalidTransition:
            assert not allowed
            return
        assert allowed
        model.status = target

    @precondition(lambda self: any(c._state.adding for cs in self.clicks.values() for c in cs))
    @rule(data=st.data())
    def late_clicks_are_written_and_matched(self, data):
        waiting = [c for cs in self.clicks.values() for c in cs if c._state.adding]
        chosen = data.draw(
            st.lists(st.sampled_from(waiting), min_size=1, unique_by=lambda c: c.id),
            label="clicks written",
        )
        for click in chosen:
            click.offer.merchant.save()
            click.offer.save()
            click.save()
        written = {str(c.id) for c in chosen}
        expected = [
            m for m in self.sales.values() if m.credited is None and m.last_report.sub_id in written
        ]
        assert cashback_match_unmatched() == len(expected)
        for model in expected:
            model.click_saved = True
            # a sale declined before anyone knew whose it was moves no money
            model.credited = model.status != DECLINED_S

    # --- Withdrawals --------------------------------------------------------------------------

    @rule(
        data=st.data(),
        amount=withdrawal_amounts,
        key=st.sampled_from(["k1", "k2", "k3", "k4", "k5"]),
        method=st.sampled_from(["upi"] * 7 + ["bank"]),
    )
    def request_withdrawal(self, data, amount, key, method):
        # mostly shoppers with something to withdraw, sometimes anyone
        funded = sorted(
            Account.objects.filter(
                user__in=self.users, kind=AVAILABLE, balance__gte=minimum_withdrawal()
            ).values_list("user_id", flat=True)
        )
        pool = funded if funded and data.draw(st.integers(0, 3), label="funded") else None
        user_pk = data.draw(st.sampled_from(pool or sorted(self.users)), label="shopper")
        user = self.users[user_pk]
        available = ledger.balances(user)[AVAILABLE]
        # What the shopper still owes from reversed cashback is not theirs to withdraw.
        withdrawable = available - _owed(user_pk)
        if amount == "all":
            amount = available
        elif amount == "half":
            amount = (available / 2).quantize(D("0.01"), rounding=ROUND_FLOOR)
        elif amount == "any":
            amount = D(data.draw(any_withdrawal_amount, label="amount"))
        else:
            amount = D(amount)
        made_today = sum(1 for w in self.withdrawals.values() if w.user_pk == user_pk)
        earlier = self.keys.get((user_pk, key))
        if amount < minimum_withdrawal():
            expected = BelowMinimum
        elif earlier is not None:
            same = self.withdrawals[earlier]
            expected = earlier if (same.amount, same.method) == (amount, method) else None
            expected = expected or IdempotencyKeyReused
        elif method == "bank":
            expected = PayoutDestinationMissing
        elif made_today >= django_settings.WALLET_WITHDRAWALS_PER_DAY:
            expected = DailyLimitReached
        elif withdrawable < amount:
            expected = InsufficientFunds
        else:
            expected = "new"
        try:
            withdrawal = withdrawal_request(
                user=user, amount=amount, method=method, idempotency_key=key
            )
        except DomainError as refused:
            assert type(refused) is expected, (refused, expected)
            return
        if expected == "new":
            assert withdrawal.pk not in self.withdrawals
            self.withdrawals[withdrawal.pk] = WithdrawalModel(
                user_pk, amount, method, WithdrawalStatus.REQUESTED
            )
            self.keys[(user_pk, key)] = withdrawal.pk
        else:
            assert withdrawal.pk == expected, "a retry must return the first withdrawal"

    @precondition(lambda self: self.withdrawals)
    @rule(
        data=st.data(),
        action=st.sampled_from(["approve", "approve", "paid", "paid", "reject", "failed"]),
    )
    def operator_acts_on_a_withdrawal(self, data, action):
        open_ones = sorted(pk for pk, w in self.withdrawals.items() if w.is_open)
        pool = open_ones if open_ones and data.draw(st.integers(0, 4), label="open") else None
        pk = data.draw(st.sampled_from(pool or sorted(self.withdrawals)), label="withdrawal")
        model = self.withdrawals[pk]
        withdrawal = Withdrawal.objects.get(pk=pk)
        self.utr_count += 1
        step, allowed_from, target = {
            "approve": (
                lambda: withdrawal_approve(withdrawal=withdrawal, operator=self.staff),
                (WithdrawalStatus.REQUESTED,),
                WithdrawalStatus.APPROVED,
            ),
            "paid": (
                lambda: withdrawal_mark_paid(
                    withdrawal=withdrawal, operator=self.staff, utr=f"UTR{self.utr_count:06d}"
                ),
                (WithdrawalStatus.APPROVED,),
                WithdrawalStatus.PAID,
            ),
            "reject": (
                lambda: withdrawal_reject(
                    withdrawal=withdrawal, operator=self.staff, reason="checks failed"
                ),
                OPEN_WITHDRAWAL_STATUSES,
                WithdrawalStatus.REJECTED,
            ),
            "failed": (
                lambda: withdrawal_mark_failed(
                    withdrawal=withdrawal, operator=self.staff, reason="bounced"
                ),
                (WithdrawalStatus.APPROVED,),
                WithdrawalStatus.FAILED,
            ),
        }[action]
        try:
            step()
        except InvalidTransition:
            assert model.status not in allowed_from
            return
        assert model.status in allowed_from
        model.status = target

    @rule()
    def beat_rolls_up_platform_balances(self):
        """The rollup may run between any two steps: platform balances read the same."""
        before = ledger.platform_balances()
        ledger.platform_rollup()
        assert ledger.platform_balances() == before

    # --- Invariants ---------------------------------------------------------------------------
    # Checked after every step. The state is read in a handful of queries (a snapshot), so
    # the checks stay cheap enough to run hundreds of times per example.

    @invariant()
    def the_money_adds_up(self):
        assert ledger.ledger_problems() == []
        snapshot = Snapshot.read()
        self._check_events(snapshot)
        self._check_shoppers(snapshot)
        self._check_withdrawals(snapshot)
        self._check_referrals(snapshot)
        self._check_debts(snapshot)

    def _check_events(self, snapshot):
        """Each event is in the status the reports imply, and its ledger transactions are
        exactly those its status calls for."""
        events = {e.network_txn_id: e for e in snapshot.events}
        assert set(events) == set(self.sales)
        steps_by_event = defaultdict(dict)
        for key in snapshot.moved:
            if key.startswith("cashback:"):
                _, pk, step = key.split(":")
                steps_by_event[int(pk)][step] = snapshot.moved[key]
        for txn_id, model in self.sales.items():
            event = events[txn_id]
            assert event.status == model.status, (txn_id, event.status, model.status)
            assert (event.user_id is not None) == (model.credited is not None)
            if event.user_id is not None:
                assert event.user_id == model.user_pk
            steps = steps_by_event.pop(event.pk, {})
            debt = snapshot.debts_by_event.get(event.pk)
            if not model.credited or event.cashback == 0:
                assert steps == {}, (txn_id, sorted(steps))
                assert debt is None
                continue
            expected = {"pending"}
            if event.confirmed_at:
                expected.add("confirmed")
            elif event.declined_at:
                expected.add("declined")
            assert set(steps) - {"clawback", "recovery"} == expected, (txn_id, sorted(steps))
            assert all(steps[step] == event.cashback for step in expected)
            assert "recovery" not in steps or event.confirmed_at
            if event.reversed_at:
                # what available could cover was clawed back, the rest is owed
                taken = steps.get("clawback", ZERO)
                assert taken + (debt.amount if debt else ZERO) == event.cashback
            else:
                assert "clawback" not in steps and debt is None
        assert steps_by_event == {}, "ledger transactions for events the machine never made"

    def _check_shoppers(self, snapshot):
        confirmed = defaultdict(lambda: ZERO)
        pending = defaultdict(lambda: ZERO)
        for event in snapshot.events:
            if self.sales[event.network_txn_id].credited:
                if event.status == CONFIRMED_S:
                    confirmed[event.user_id] += event.cashback
                elif event.status == PENDING_S:
                    pending[event.user_id] += event.cashback
        bonuses = defaultdict(lambda: ZERO)
        for reward in snapshot.rewards.values():
            bonuses[reward.referrer_id] += reward.referrer_bonus
            bonuses[reward.referred_id] += reward.welcome_bonus
        owed = defaultdict(lambda: ZERO)
        for debt in snapshot.debts_by_event.values():
            owed[debt.user_id] += debt.amount - debt.recovered
        for pk in self.users:
            balances = snapshot.balances[pk]
            assert all(amount >= 0 for amount in balances.values()), balances
            mine = [w for w in self.withdrawals.values() if w.user_pk == pk]
            held = sum((w.amount for w in mine if w.status in OPEN_WITHDRAWAL_STATUSES), ZERO)
            paid = sum((w.amount for w in mine if w.status == WithdrawalStatus.PAID), ZERO)
            assert balances[HELD] == held
            assert balances[PENDING] == pending[pk]
            # Everything the shopper has, had paid out or still owes back came from confirmed
            # cashback and bonuses: nothing is created or lost along the way.
            assert balances[AVAILABLE] + held + paid == confirmed[pk] + bonuses[pk] + owed[pk]
        paid_out = sum(
            (w.amount for w in self.withdrawals.values() if w.status == WithdrawalStatus.PAID),
            ZERO,
        )
        assert snapshot.platform.get(AccountKind.PAYOUTS, ZERO) == paid_out

    def _check_withdrawals(self, snapshot):
        """Statuses as the model says, one hold each, and every hold ended at most once."""
        assert snapshot.withdrawals == {pk: w.status for pk, w in self.withdrawals.items()}
        for pk, model in self.withdrawals.items():
            assert f"withdrawal:{pk}:hold" in snapshot.moved
            ended = f"withdrawal:{pk}:end" in snapshot.moved
            assert ended == (model.status not in OPEN_WITHDRAWAL_STATUSES)
            assert snapshot.moved[f"withdrawal:{pk}:hold"] == model.amount

    def _check_referrals(self, snapshot):
        """A referred shopper's bonuses are decided at their first confirmed cashback, once,
        and paid (both, once) unless the two accounts look like one person."""
        bonuses = defaultdict(list)
        for key in snapshot.moved:
            if key.startswith("referral:"):
                bonuses[int(key.split(":")[1])].append(key)
        rewards = dict(snapshot.rewards)
        for pk, referrer_pk in self.referrer_of.items():
            reward = rewards.pop(pk, None)
            decided = referrer_pk is not None and pk in snapshot.confirmed_users
            assert (reward is not None) == decided, (pk, referrer_pk, reward)
            keys = sorted(bonuses.pop(pk, []))
            if reward is None:
                assert keys == []
                continue
            assert reward.referrer_id == referrer_pk
            reason = self._same_person_reason(pk, referrer_pk)
            if reason:
                assert (reward.status, reward.reason) == (ReferralStatus.BLOCKED, reason)
                assert keys == []
            else:
                assert reward.status == ReferralStatus.REWARDED
                assert keys == [f"referral:{pk}:referrer", f"referral:{pk}:welcome"]
        assert rewards == {}
        assert bonuses == {}

    def _same_person_reason(self, pk, referrer_pk) -> str:
        if self.phones_of[pk] & self.phones_of[referrer_pk]:
            return "shared verified phone"
        if self.upi_of[pk] == self.upi_of[referrer_pk]:
            return "shared UPI id"
        return ""

    def _check_debts(self, snapshot):
        """Debts are recovered within their amount, by recovery transactions of that size."""
        recovered = defaultdict(lambda: ZERO)
        for debt in snapshot.debts_by_event.values():
            assert ZERO <= debt.recovered <= debt.amount
            assert debt.amount > 0
            recovered[debt.user_id] += debt.recovered
        taken = defaultdict(lambda: ZERO)
        events = {e.pk: e for e in snapshot.events}
        for key, amount in snapshot.moved.items():
            if key.startswith("cashback:") and key.endswith(":recovery"):
                taken[events[int(key.split(":")[1])].user_id] += amount
        assert dict(taken) == {user: amount for user, amount in recovered.items() if amount}


@dataclasses.dataclass
class Snapshot:
    """The wallet's state read in a few queries."""

    events: list
    moved: dict  # transaction idempotency key -> amount it moved (its positive legs)
    confirmed_users: set  # users with a confirmed-cashback transaction
    balances: dict  # user pk -> {kind: balance}
    platform: dict  # platform account kind -> balance
    debts_by_event: dict
    rewards: dict  # referred pk -> ReferralReward
    withdrawals: dict  # pk -> status

    @classmethod
    def read(cls) -> "Snapshot":
        moved = defaultdict(lambda: ZERO)
        confirmed_users = set()
        postings = Posting.objects.values_list(
            "transaction__idempotency_key", "transaction__kind", "account__user_id", "amount"
        )
        for key, kind, user_id, amount in postings:
            if amount > 0:
                moved[key] += amount
            if kind == TransactionKind.CASHBACK_CONFIRMED and user_id:
                confirmed_users.add(user_id)
        balances = defaultdict(lambda: dict.fromkeys((AVAILABLE, PENDING, HELD), ZERO))
        for user_id, kind, balance in Account.objects.filter(user__isnull=False).values_list(
            "user_id", "kind", "balance"
        ):
            balances[user_id][kind] = balance
        platform = ledger.platform_balances()
        posted = Posting.objects.filter(account__user__isnull=True).values_list(
            "account__kind", "amount"
        )
        sums = defaultdict(lambda: ZERO)
        for kind, amount in posted:
            sums[kind] += amount
        # A platform balance (rollup + postings after its watermark) is all of its postings.
        assert platform == {kind: sums[kind] for kind in platform}
        return cls(
            events=list(CashbackEvent.objects.all()),
            moved=dict(moved),
            confirmed_users=confirmed_users,
            balances=balances,
            platform=platform,
            debts_by_event={d.event_id: d for d in CashbackDebt.objects.all()},
            rewards={r.referred_id: r for r in ReferralReward.objects.all()},
            withdrawals=dict(Withdrawal.objects.values_list("pk", "status")),
        )


def _moved(current: str, reported: str) -> str:
    """The status an event has after a report: forward only, or to declined from anywhere."""
    if reported == CONFIRMED_S and current == PENDING_S:
        return CONFIRMED_S
    if reported == DECLINED_S and current in (PENDING_S, CONFIRMED_S):
        return DECLINED_S
    return current


def _outstanding(user_pk) -> D:
    debts = CashbackDebt.objects.filter(user_id=user_pk).aggregate(
        amount=Sum("amount"), recovered=Sum("recovered")
    )
    return (debts["amount"] or ZERO) - (debts["recovered"] or ZERO)


def test_the_wallet_keeps_its_invariants_through_random_histories():
    run_state_machine_as_test(WalletMachine, settings=MACHINE_SETTINGS)


# --- Regressions the machine found or guards ---------------------------------------------------


def test_a_reversal_while_another_debt_is_outstanding_is_not_refused():
    # given: two confirmed sales, all of it withdrawn, and the second sale reversed (a debt)
    shopper = UserFactory()
    verified_kyc(shopper)
    first = confirmed_cashback(shopper, "50.00")
    second = confirmed_cashback(shopper, "100.00")
    withdrawal_request(user=shopper, amount=D("150.00"), method="upi", idempotency_key="all")
    cashback_report(sale=_reported(second, DECLINED_S))
    assert _outstanding(shopper.pk) == D("100.00")
    # when: the network reverses the first sale too
    reversed_event = cashback_report(sale=_reported(first, DECLINED_S))
    # then: the whole 50 is owed as well, and nothing was taken from the held withdrawal
    assert reversed_event.reversed_at is not None
    assert _outstanding(shopper.pk) == D("150.00")
    assert ledger.balances(shopper)[HELD] == D("150.00")
    assert ledger.ledger_problems() == []


def test_a_debt_is_taken_from_future_cashback_not_from_a_released_withdrawal():
    # given: a shopper withdrew everything, then the sale was reversed (a debt of 100)
    shopper = UserFactory()
    verified_kyc(shopper)
    event = confirmed_cashback(shopper, "100.00")
    withdrawal = withdrawal_request(
        user=shopper, amount=D("100.00"), method="upi", idempotency_key="w"
    )
    cashback_report(sale=_reported(event, DECLINED_S))
    assert _outstanding(shopper.pk) == D("100.00")
    # when: the withdrawal is rejected and the money returns to available
    withdrawal_reject(withdrawal=withdrawal, operator=operator(), reason="sale reversed")
    # then: the debt stays owed until new cashback is confirmed, and the ledger is sound
    assert ledger.balances(shopper)[AVAILABLE] == D("100.00")
    confirmed_cashback(shopper, "30.00")
    assert _outstanding(shopper.pk) == D("70.00")
    assert ledger.balances(shopper)[AVAILABLE] == D("100.00")
    assert ledger.ledger_problems() == []


def test_a_late_matched_sale_that_was_confirmed_while_unmatched_pays_and_notifies():
    shopper = UserFactory()
    click = ClickFactory.build(user=shopper)
    sale = sale_for(click)
    cashback_report(sale=sale)
    cashback_report(sale=with_status(sale, CONFIRMED_S))
    click.offer.merchant.save()
    click.offer.save()
    click.save()
    assert cashback_match_unmatched() == 1
    assert ledger.balances(shopper) == {AVAILABLE: D("50.00"), PENDING: ZERO, HELD: ZERO}
    notice = Notification.objects.get(user=shopper)
    assert (notice.kind, "confirmed" in notice.title) == ("cashback_confirmed", True)
    # events older than the matching window are left alone
    late = ClickFactory.build(user=shopper)
    old = cashback_report(sale=sale_for(late))
    CashbackEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    late.offer.merchant.save()
    late.offer.save()
    late.save()
    assert cashback_match_unmatched() == 0
    assert ledger.ledger_problems() == []


def test_small_cashbacks_credited_and_declined_do_not_trip_the_balance_check():
    # given: two small pending cashbacks, 0.01 and 0.02
    shopper = UserFactory()
    sales = [
        sale_for(ClickFactory(user=shopper), sale_amount=amount, commission="10.00")
        for amount in ("0.20", "0.40")
    ]
    for sale in sales:
        cashback_report(sale=sale)
    # when: the network declines both
    for sale in sales:
        cashback_report(sale=with_status(sale, DECLINED_S))
    # then
    assert ledger.balances(shopper)[PENDING] == ZERO
    assert ledger.ledger_problems() == []


def test_a_sale_at_a_store_with_a_long_name_is_recorded():
    click = ClickFactory(user=UserFactory(), offer__merchant__name="Store " + "S" * 114)
    event = cashback_report(sale=sale_for(click))
    assert event.cashback == D("50.00")
    assert len(Notification.objects.get(user=click.user).title) <= 140


def test_only_operators_confirm_or_decline_cashback():
    shopper = UserFactory()
    event = cashback_report(sale=sale_for(ClickFactory(user=shopper)))
    with pytest.raises(NotAnOperator):
        cashback_confirm(event=event, actor=shopper)
    with pytest.raises(NotAnOperator):
        cashback_decline(event=event, actor=UserFactory())
    assert CashbackEvent.objects.get(pk=event.pk).status == CashbackStatus.PENDING
    assert ledger.balances(shopper)[AVAILABLE] == ZERO


def _reported(event: CashbackEvent, status: str) -> NetworkSale:
    return with_status(sale_for(event.click, transaction_id=event.network_txn_id), status)


def _owed(user_pk) -> D:
    debts = CashbackDebt.objects.filter(user_id=user_pk).aggregate(
        amount=Sum("amount"), recovered=Sum("recovered")
    )
    return (debts["amount"] or D(0)) - (debts["recovered"] or D(0))


# --- Platform balances: rollups and late commits -----------------------------------------------

PLATFORM_KINDS = [
    AccountKind.PROMOTIONS,
    AccountKind.PAYOUTS,
    AccountKind.CASHBACK_PAYABLE,
    AccountKind.FEES,
]


class PlatformBalanceMachine(RuleBasedStateMachine):
    """Transfers between platform accounts, each committed on its own; on PostgreSQL some are
    held open in another thread across steps and then committed or rolled back; the rollup
    runs at any moment. After every step a platform balance (rollup + postings after its
    watermark) is exactly what was committed to it: a posting that commits after a rollup
    started is counted once, an aborted one never."""

    def __init__(self):
        super().__init__()
        self.expected = ledger.platform_balances(PLATFORM_KINDS)
        self.held = []  # (HeldTransaction, {kind: change})

    def teardown(self):
        for held, _ in self.held:
            held.finish(commit=False)

    def _entry(self, data, amount):
        source, target = data.draw(
            st.lists(st.sampled_from(PLATFORM_KINDS), min_size=2, max_size=2, unique=True),
            label="from, to",
        )
        entry = ledger.Entry(
            TransactionKind.WELCOME_BONUS,
            f"rollup-machine:{uuid.uuid4()}",
            [(ledger.platform_account(source), -amount), (ledger.platform_account(target), amount)],
            "test",
            "rollup-machine",
        )
        return entry, {source: -amount, target: amount}

    def _count(self, change):
        for kind, amount in change.items():
            self.expected[kind] += amount

    @rule(data=st.data(), amount=_paise("0.01", "5000"))
    def post(self, data, amount):
        entry, change = self._entry(data, amount)
        ledger.transactions_post([entry])
        self._count(change)

    @precondition(lambda self: connection.vendor == "postgresql" and len(self.held) < 3)
    @rule(data=st.data(), amount=_paise("0.01", "5000"))
    def post_and_hold_open(self, data, amount):
        entry, change = self._entry(data, amount)
        held = HeldTransaction(lambda: ledger.transactions_post([entry]))
        assert held.error is None, held.error
        self.held.append((held, change))

    @precondition(lambda self: self.held)
    @rule(data=st.data(), commit=st.booleans())
    def end_a_held_one(self, data, commit):
        held, change = self.held.pop(data.draw(st.integers(0, len(self.held) - 1), label="held"))
        held.finish(commit=commit)
        assert held.error is None, held.error
        if commit:
            self._count(change)

    @rule()
    def rollup(self):
        ledger.platform_rollup()

    @invariant()
    def platform_balances_are_what_was_committed(self):
        assert ledger.platform_balances(PLATFORM_KINDS) == self.expected
        assert ledger.ledger_problems() == []


@pytest.mark.django_db(transaction=True)
def test_platform_balances_stay_exact_through_rollups_and_late_commits():
    run_state_machine_as_test(
        PlatformBalanceMachine,
        settings=settings(
            max_examples=int(os.environ.get("WALLET_MACHINE_EXAMPLES", "12")),
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
