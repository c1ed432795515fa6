"""Cashback: a network's sale report becomes a CashbackEvent, and each step of its life is a
ledger transaction.

    reported   cashback_payable -> user pending
    confirmed  user pending     -> user available   (then recover any debt, pay referral)
    declined   user pending     -> cashback_payable
    reversed   user available   -> cashback_payable (a confirmed sale declined later; what
                                                     `available` cannot cover becomes a debt)

Status only moves forward (pending -> confirmed), or to declined from either. Each step's
ledger transaction has a key derived from the event and the step, and `_ledger_catch_up`
posts every step the event's state implies, so replays and late click matches are safe.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications import notification_send
from coupzii.core.money import format_inr
from offers.models import Click

from .. import ledger
from ..errors import InvalidTransition, NotAnOperator
from ..models import (
    AccountKind,
    CashbackDebt,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    TransactionKind,
)
from ..networks.base import NetworkSale, SaleStatus

PAISE = Decimal("0.01")
WALLET_LINK = "/wallet/?tab=cashback"
MATCH_WINDOW = timedelta(days=2)


@dataclass
class PendingNotices:
    """New pending cashback per shopper, collected over every page of a sync, so a shopper
    hears once per sync ("₹850 pending from 6 purchases"), not once per page."""

    by_user: dict[int, tuple[User, int, Decimal, str]] = field(default_factory=dict)

    def add(self, events: list[CashbackEvent]) -> None:
        for event in events:
            self._count(event.user_id, event.user, 1, event.cashback, _store(event))

    def merge(self, other: "PendingNotices") -> None:
        for user_id, entry in other.by_user.items():
            self._count(user_id, *entry)

    def _count(self, user_id, user, count, total, store) -> None:
        _, known_count, known_total, known_store = self.by_user.get(
            user_id, (user, 0, Decimal(0), "")
        )
        self.by_user[user_id] = (
            user,
            known_count + count,
            known_total + total,
            known_store or store,
        )

    def send(self) -> int:
        """Tell each shopper; returns how many were told. Call after the pages committed."""
        for user, count, total, store in self.by_user.values():
            _notify_pending(user, count=count, total=total, store=store)
        told, self.by_user = len(self.by_user), {}
        return told


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0


# --- Rate rules -------------------------------------------------------------------------------


def cashback_amount(*, click: Click | None, sale_amount: Decimal, commission: Decimal | None):
    """The shopper's cashback on a sale: the offer's rate if it has one, else the merchant's;
    a percent of the sale or a flat amount, never more than the share of the commission the
    platform passes on. Rounded down to the paisa, so the cap always holds."""
    if click is None:
        return Decimal("0.00")
    kind, value = _rate(click)
    if kind == "percent":
        amount = sale_amount * value / 100
    elif kind == "flat":
        amount = value
    else:
        amount = Decimal("0")
    if commission is not None:
        amount = min(amount, commission * Decimal(settings.WALLET_CASHBACK_SHARE))
    return max(amount, Decimal("0")).quantize(PAISE, rounding=ROUND_DOWN)


def _rate(click: Click) -> tuple[str, Decimal]:
    offer = click.offer
    if offer.cashback_kind and offer.cashback_value is not None:
        return offer.cashback_kind, offer.cashback_value
    return click.merchant.cashback_kind, click.merchant.cashback_value


# --- Reports ----------------------------------------------------------------------------------


def cashback_report(*, sale: NetworkSale, source: str = CashbackSource.POSTBACK) -> CashbackEvent:
    """Record a sale a network reported (postback, pull or approved claim) and move the money
    its status calls for. Reporting the same sale again with the same status changes nothing;
    a newer status moves the event forward. Safe to run many times at once."""
    with transaction.atomic():
        cashback_queue_lock()
        event = _event_locked(sale)
        if event is None and source != CashbackSource.CLAIM:
            event = _claimed_events([sale]).get(sale.transaction_id)
        if event is None:
            event = _event_create(sale, source)
        _event_move(event, sale.status)
        return event


def cashback_ingest(
    *, sales: list[NetworkSale], notices: PendingNotices | None = None
) -> IngestResult:
    """A page of a network's report at once: new sales are written in bulk with their pending
    credits in one ledger batch; sales we already know move one by one (status changes are
    rare next to new sales). With `notices`, the "cashback pending" notices are collected
    there for the caller to send once; without, each shopper on the page is told now."""
    result = IngestResult()
    page_notices = PendingNotices()
    with transaction.atomic():
        cashback_queue_lock()
        known = _events_locked(sales)
        adopted = _claimed_events(_unique_new(sales, known))
        known.update({(e.network, e.network_txn_id): e for e in adopted.values()})
        fresh = _unique_new(sales, known)
        # No concurrent report can insert these meanwhile: it would wait for the queue lock.
        created = _events_bulk_create(fresh)
        _credit_pending(created, notices=page_notices)
        statuses = {(sale.network, sale.transaction_id): sale.status for sale in fresh}
        for event in created:
            _event_move(event, statuses[(event.network, event.network_txn_id)])
        result.created += len(created)
        result.unmatched += sum(1 for e in created if e.user_id is None)
        for sale in sales:
            event = known.get((sale.network, sale.transaction_id))
            if event is None:
                continue
            moved = _event_move(event, sale.status)
            result.updated += moved
            result.unchanged += not moved
    # Only now, with the page committed: a page that rolled back must tell nobody anything.
    if notices is None:
        page_notices.send()
    else:
        notices.merge(page_notices)
    return result


def cashback_queue_lock() -> None:
    """Every cashback write starts by locking `cashback_payable`. Each of them posts to it
    anyway, so this costs no concurrency; taking it first means no two cashback writes ever
    hold event or account rows the other is waiting for (a postback and a sync page reporting
    the same sales in different orders would otherwise deadlock)."""
    payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
    ledger.accounts_lock({payable.pk})


def _event_locked(sale: NetworkSale) -> CashbackEvent | None:
    return (
        CashbackEvent.objects.select_for_update()
        .filter(network=sale.network, network_txn_id=sale.transaction_id)
        .first()
    )


def _events_locked(sales: list[NetworkSale]) -> dict[tuple[str, str], CashbackEvent]:
    by_network = defaultdict(list)
    for sale in sales:
        by_network[sale.network].append(sale.transaction_id)
    known = {}
    for network, txn_ids in by_network.items():
        rows = CashbackEvent.objects.select_for_update().filter(
            network=network, network_txn_id__in=txn_ids
        )
        known.update({(e.network, e.network_txn_id): e for e in rows.order_by("pk")})
    return known


def _claimed_events(sales: list[NetworkSale]) -> dict[str, CashbackEvent]:
    """Events made from approved missing-cashback claims for these sales' clicks, which the
    network has now tracked after all: each takes over the network's id for the sale, so the
    purchase is paid once and the network's later statuses apply to it. Keyed by the sale's
    transaction id."""
    by_click = {str(as_uuid(s.sub_id)): s for s in sales if as_uuid(s.sub_id)}
    claimed = CashbackEvent.objects.select_for_update().filter(
        source=CashbackSource.CLAIM,
        network_txn_id__startswith="claim-",
        click_id__in=list(by_click),
    )
    adopted = {}
    for event in claimed.order_by("pk"):
        sale = by_click.pop(str(event.click_id), None)
        if sale is None:
            continue
        event.network, event.network_txn_id = sale.network, sale.transaction_id
        event.commission = sale.commission
        event.raw_payload = {**event.raw_payload, "network": dict(sale.raw)}
        event.save(update_fields=["network", "network_txn_id", "commission", "raw_payload"])
        adopted[sale.transaction_id] = event
    return adopted


def _unique_new(sales, known) -> list[NetworkSale]:
    fresh: dict[tuple[str, str], NetworkSale] = {}
    for sale in sales:
        key = (sale.network, sale.transaction_id)
        if key not in known:
            fresh[key] = sale  # a page may list a sale twice: the later row wins
    return list(fresh.values())


def _clicks_for(sub_ids) -> dict[str, Click]:
    ids = {as_uuid(s) for s in sub_ids} - {None}
    clicks = Click.objects.filter(id__in=ids).select_related("offer", "merchant", "user")
    return {str(c.id): c for c in clicks}


def _click_of(clicks: dict[str, Click], sub_id: str) -> Click | None:
    # Keyed by the canonical form: networks may echo the id upper-cased or without dashes.
    click_id = as_uuid(sub_id)
    return clicks.get(str(click_id)) if click_id else None


def as_uuid(sub_id) -> uuid.UUID | None:
    """A click id as a UUID, or None when it cannot be one (networks echo what they got)."""
    if isinstance(sub_id, uuid.UUID):
        return sub_id
    try:
        return uuid.UUID(str(sub_id))
    except (ValueError, AttributeError, TypeError):
        return None


def _event_new(sale: NetworkSale, source: str, click: Click | None) -> CashbackEvent:
    event = CashbackEvent(
        network=sale.network,
        network_txn_id=sale.transaction_id,
        sub_id=sale.sub_id[:64],
        sale_amount=sale.sale_amount,
        commission=sale.commission,
        source=source,
        occurred_at=sale.occurred_at,
        raw_payload=dict(sale.raw),
    )
    _event_attach(event, click)
    return event


def _event_attach(event: CashbackEvent, click: Click | None) -> None:
    """Tie the event to its click: the shopper, the store, the cashback, the expected date."""
    if click is None or click.user_id is None:
        return
    event.click = click
    event.user = click.user
    event.merchant = click.merchant
    event.cashback = cashback_amount(
        click=click, sale_amount=event.sale_amount, commission=event.commission
    )
    days = click.merchant.confirmation_days
    event.expected_confirmation = (event.occurred_at + timedelta(days=days)).date()


def _event_create(sale: NetworkSale, source: str) -> CashbackEvent:
    # No concurrent report of this sale can insert it meanwhile: it waits for the queue lock.
    click = _click_of(_clicks_for([sale.sub_id]), sale.sub_id)
    event = _event_new(sale, source, click)
    event.save()
    _credit_pending([event])
    return event


def _events_bulk_create(sales: list[NetworkSale]) -> list[CashbackEvent]:
    clicks = _clicks_for(s.sub_id for s in sales)
    events = [_event_new(s, CashbackSource.PULL, _click_of(clicks, s.sub_id)) for s in sales]
    return CashbackEvent.objects.bulk_create(events)


# --- Moving the money -------------------------------------------------------------------------


def _credit_pending(events: list[CashbackEvent], *, notices: PendingNotices | None = None):
    """The reported step for new events, as one ledger batch, and one notice per shopper
    (now, or collected in `notices`)."""
    paying = [e for e in events if e.user_id and e.cashback > 0]
    if not paying:
        return
    accounts = ledger.accounts_for_users(e.user_id for e in paying)
    payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
    ledger.transactions_post(
        [_pending_entry(e, accounts[e.user_id][AccountKind.PENDING], payable) for e in paying]
    )
    collected = notices if notices is not None else PendingNotices()
    collected.add(paying)
    if notices is None:
        collected.send()


def _pending_entry(event, pending, payable) -> ledger.Entry:
    return ledger.Entry(
        kind=TransactionKind.CASHBACK_PENDING,
        idempotency_key=f"cashback:{event.pk}:pending",
        legs=[(payable, -event.cashback), (pending, event.cashback)],
        reference_type="cashback_event",
        reference_id=str(event.public_id),
        memo=f"{event.network} {event.network_txn_id}",
    )


def _event_move(event: CashbackEvent, status: str, *, actor: User | None = None) -> bool:
    """Move a locked event to `status` if that is forward; True if anything changed."""
    now = timezone.now()
    if status == SaleStatus.CONFIRMED and event.status == CashbackStatus.PENDING:
        event.status, event.confirmed_at = CashbackStatus.CONFIRMED, now
    elif status == SaleStatus.DECLINED and event.status == CashbackStatus.PENDING:
        event.status, event.declined_at = CashbackStatus.DECLINED, now
    elif status == SaleStatus.DECLINED and event.status == CashbackStatus.CONFIRMED:
        event.status, event.declined_at, event.reversed_at = CashbackStatus.DECLINED, now, now
    else:
        return False
    event.save(update_fields=["status", "confirmed_at", "declined_at", "reversed_at", "updated_at"])
    if event.user_id and event.cashback > 0:
        _ledger_catch_up(event, actor=actor, confirming=event.status == CashbackStatus.CONFIRMED)
        _notify_moved(event)
    return True


def _ledger_catch_up(event: CashbackEvent, *, actor: User | None = None, confirming: bool) -> None:
    """Post every step the event's state implies; steps already posted are skipped by key.

    `confirming`: the event is being confirmed now (not reversed), the one moment its
    cashback may pay off the shopper's debt and decide their referral bonus."""
    accounts = ledger.user_accounts(event.user)
    payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
    ledger.transactions_post([_pending_entry(event, accounts[AccountKind.PENDING], payable)])
    pending, available = accounts[AccountKind.PENDING], accounts[AccountKind.AVAILABLE]
    if event.confirmed_at:
        _post_step(event, TransactionKind.CASHBACK_CONFIRMED, pending, available, actor=actor)
    if confirming:
        _debt_recover(event)
        from .referrals import referral_reward  # referrals build on cashback

        referral_reward(referred=event.user)
    if event.declined_at and not event.confirmed_at:
        _post_step(event, TransactionKind.CASHBACK_DECLINED, pending, payable, actor=actor)
    if event.reversed_at:
        _claw_back(event, available, payable, actor=actor)


def _post_step(event, kind, source, target, *, amount=None, actor=None, step=None):
    amount = event.cashback if amount is None else amount
    return ledger.transaction_post(
        kind=kind,
        idempotency_key=f"cashback:{event.pk}:{step or kind.removeprefix('cashback_')}",
        legs=[(source, -amount), (target, amount)],
        reference_type="cashback_event",
        reference_id=str(event.public_id),
        actor=actor,
        memo=f"{event.network} {event.network_txn_id}",
    )


def _claw_back(event, available, payable, *, actor=None) -> None:
    """Take the cashback back from `available`; what it cannot cover is owed."""
    if CashbackDebt.objects.filter(event=event).exists() or _posted(event, "clawback"):
        return
    locked = ledger.accounts_lock({available.pk})[available.pk]
    taken = min(locked.balance, event.cashback)
    if taken > 0:
        _post_step(
            event,
            TransactionKind.CASHBACK_CLAWBACK,
            available,
            payable,
            amount=taken,
            actor=actor,
            step="clawback",
        )
    if taken < event.cashback:
        CashbackDebt.objects.create(user=event.user, event=event, amount=event.cashback - taken)


def _posted(event, step: str) -> bool:
    return ledger.Transaction.objects.filter(idempotency_key=f"cashback:{event.pk}:{step}").exists()


def _debt_recover(event: CashbackEvent) -> None:
    """Take what the shopper owes from reversed cashback out of this confirmed cashback."""
    if _posted(event, "recovery"):
        return
    debts = list(
        CashbackDebt.objects.select_for_update()
        .filter(user_id=event.user_id, recovered__lt=F("amount"))
        .order_by("pk")
    )
    accounts = ledger.user_accounts(event.user)
    available = ledger.accounts_lock({accounts[AccountKind.AVAILABLE].pk})
    left = min(event.cashback, available[accounts[AccountKind.AVAILABLE].pk].balance)
    recovered = Decimal("0.00")
    for debt in debts:
        share = min(debt.outstanding, left - recovered)
        if share <= 0:
            break
        debt.recovered += share
        debt.save(update_fields=["recovered", "updated_at"])
        recovered += share
    if recovered:
        payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
        _post_step(
            event,
            TransactionKind.DEBT_RECOVERY,
            accounts[AccountKind.AVAILABLE],
            payable,
            amount=recovered,
            step="recovery",
        )


# --- Operator actions and matching ------------------------------------------------------------


def cashback_confirm(*, event: CashbackEvent, actor: User) -> CashbackEvent:
    """An operator confirms a pending event (a claim, or a network that stopped reporting)."""
    return _operator_move(event, SaleStatus.CONFIRMED, actor)


def cashback_decline(*, event: CashbackEvent, actor: User) -> CashbackEvent:
    return _operator_move(event, SaleStatus.DECLINED, actor)


def _operator_move(event: CashbackEvent, status: str, actor: User) -> CashbackEvent:
    if not actor.is_staff:
        raise NotAnOperator()
    with transaction.atomic():
        cashback_queue_lock()
        locked = CashbackEvent.objects.select_for_update().get(pk=event.pk)
        if not _event_move(locked, status, actor=actor):
            raise InvalidTransition()
        return locked


def cashback_match_unmatched(*, batch_size: int = 1000) -> int:
    """Attach events that arrived before their click was written; returns how many matched.

    Only events from the last MATCH_WINDOW are tried: clicks are written seconds after they
    happen, so a sale whose click is still missing after that has a sub-id that is not ours.
    """
    matched, after = 0, 0
    recent = CashbackEvent.objects.filter(
        user__isnull=True, created_at__gte=timezone.now() - MATCH_WINDOW
    )
    while True:
        batch = list(
            recent.filter(pk__gt=after).order_by("pk").values_list("pk", "sub_id")[:batch_size]
        )
        if not batch:
            return matched
        after = batch[-1][0]
        clicks = _clicks_for(sub_id for _, sub_id in batch)
        if clicks:
            matched += _match(clicks, [pk for pk, _ in batch])


def _match(clicks: dict[str, Click], pks: list[int]) -> int:
    matched = 0
    with transaction.atomic():
        cashback_queue_lock()
        rows = CashbackEvent.objects.select_for_update().filter(pk__in=pks, user__isnull=True)
        for event in rows.order_by("pk"):
            _event_attach(event, _click_of(clicks, event.sub_id))
            if event.user_id is None:
                continue
            event.save()
            matched += 1
            # A sale declined before we knew whose it was never owed anyone anything.
            if event.cashback > 0 and event.status != CashbackStatus.DECLINED:
                _ledger_catch_up(event, confirming=event.status == CashbackStatus.CONFIRMED)
                _notify_matched(event)
    return matched


# --- Notices ----------------------------------------------------------------------------------


def _notify_pending(user: User, *, count: int, total: Decimal, store: str) -> None:
    def title() -> str:
        if count == 1:
            return _("%(amount)s cashback is pending from %(store)s") % {
                "amount": format_inr(total),
                "store": store,
            }
        return _("%(amount)s cashback is pending from %(count)s purchases") % {
            "amount": format_inr(total),
            "count": count,
        }

    notification_send(
        user=user,
        kind="cashback_pending",
        title=title,
        body=gettext_lazy("It becomes available once the store confirms the purchase."),
        link=WALLET_LINK,
    )


def _notify_moved(event: CashbackEvent) -> None:
    store = _store(event)
    if event.reversed_at:
        kind = "cashback_confirmed"
        title = gettext_lazy("%(amount)s cashback from %(store)s was reversed")
        body = gettext_lazy("The store cancelled or returned the purchase after confirming it.")
    elif event.status == CashbackStatus.CONFIRMED:
        kind = "cashback_confirmed"
        title = gettext_lazy("%(amount)s cashback from %(store)s is confirmed")
        body = gettext_lazy("It is in your available balance and can be withdrawn.")
    else:
        kind = "cashback_pending"
        title = gettext_lazy("%(amount)s cashback from %(store)s was declined")
        body = gettext_lazy("The store did not confirm the purchase (cancelled or returned).")
    notification_send(
        user=event.user,
        kind=kind,
        title=lambda: str(title) % {"amount": format_inr(event.cashback), "store": store},
        body=body,
        link=WALLET_LINK,
    )


def _notify_matched(event: CashbackEvent) -> None:
    if event.status == CashbackStatus.CONFIRMED:
        _notify_moved(event)
    else:
        _notify_pending(event.user, count=1, total=event.cashback, store=_store(event))


def _store(event: CashbackEvent) -> str:
    # Notice titles are at most 140 characters; a store's name may be up to 120.
    return Truncator(event.merchant.name if event.merchant_id else event.network).chars(40)
