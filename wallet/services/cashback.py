"""Cashback: a network's sale report becomes a CashbackEvent, and each step of its life is a
ledger transaction.

    reported   cashback_payable -> user pending
    confirmed  user pending     -> user available   (then recover any debt, pay referral)
    declined   user pending     -> cashback_payable
    reversed   user available   -> cashback_payable (a confirmed sale declined later; what
                                                     `available` cannot cover becomes a debt)

Status only moves forward (pending -> confirmed), or to declined from either. Each step's
ledger transaction has a key derived from the event and the step, and `_ledger_steps` posts
every step the event's state implies, so replays and late click matches are safe.

Concurrency, without a queue lock: a new sale's event is written by `INSERT ... ON CONFLICT
(network, network_txn_id) DO NOTHING`, so two reports of one sale make one event and the loser
carries on with the winner's. Every cashback write then takes its row locks in one order: the
events whose status moves (primary-key order), then the shoppers' accounts (primary-key order,
through the ledger), all of them before the first posting. A report of a sale that changes
nothing locks nothing. `cashback_payable` is a platform account the ledger never locks, so a
sync page and a postback for another shopper do not wait for each other.
"""

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import Notice, notifications_send
from catalog.models import Merchant
from coupzii.core.money import format_inr
from offers.models import Click, Offer

from .. import bulk, ledger
from ..errors import InvalidTransition, NotAnOperator
from ..models import (
    AccountKind,
    CashbackClaim,
    CashbackDebt,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    ClaimStatus,
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
        notifications_send(
            [
                _pending_notice(user, count=count, total=total, store=store)
                for user, count, total, store in self.by_user.values()
            ]
        )
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

Key = tuple[str, str]  # (network, network_txn_id): a sale, and the event made of it


def cashback_report(*, sale: NetworkSale, source: str = CashbackSource.POSTBACK) -> CashbackEvent:
    """Record a sale a network reported (postback, pull or approved claim) and move the money
    its status calls for. Reporting the same sale again with the same status changes nothing;
    a newer status moves the event forward. Safe to run many times at once."""
    with transaction.atomic():
        events, _result = _record([sale], source=source, notices=None)
        event = events.get(_key(sale))
        if event is None:  # known, and this report changes nothing: nothing was locked
            event = CashbackEvent.objects.get(
                network=sale.network, network_txn_id=sale.transaction_id
            )
        return event


def cashback_ingest(
    *, sales: list[NetworkSale], notices: PendingNotices | None = None
) -> IngestResult:
    """A page of a network's report at once: new sales are written in bulk with their pending
    credits in one ledger batch, and the status changes of sales we already know move in one
    batch too. With `notices`, the "cashback pending" notices are collected there for the
    caller to send once; without, each shopper on the page is told now."""
    page_notices = PendingNotices()
    with transaction.atomic():
        _events, result = _record(sales, source=CashbackSource.PULL, notices=page_notices)
    # Only now, with the page committed: a page that rolled back must tell nobody anything.
    if notices is None:
        page_notices.send()
    else:
        notices.merge(page_notices)
    return result


def _key(sale: NetworkSale) -> Key:
    return (sale.network, sale.transaction_id)


def _record(
    sales: list[NetworkSale], *, source: str, notices: PendingNotices | None
) -> tuple[dict[Key, CashbackEvent], IngestResult]:
    """Write what `sales` say, inside the caller's transaction. Returns the events that were
    created or locked (a sale that changes nothing is not among them) and the counts.

    The order of the locks is the whole point (see the module docstring): new events are
    inserted first, in key order, so two pages inserting the same sales queue on the first
    one they share instead of deadlocking; then the known events that move are locked in
    primary-key order; then the shoppers' accounts, in `_money_move`.
    """
    latest: dict[Key, NetworkSale] = {}
    reported: dict[Key, list[str]] = defaultdict(list)
    for sale in sales:
        latest[_key(sale)] = sale  # a page may list a new sale twice: the later row wins
        reported[_key(sale)].append(sale.status)  # a known one moves through each in turn
    known = _statuses(list(latest))
    created: list[CashbackEvent] = []
    adopted: dict[Key, CashbackEvent] = {}
    new = [sale for key, sale in latest.items() if key not in known]
    if new:
        if source != CashbackSource.CLAIM:
            adopted = _claimed_events(new)
        created = _events_insert([s for s in new if _key(s) not in adopted], source)
    created_keys = {(e.network, e.network_txn_id) for e in created}
    # Known events whose status this report moves forward, and sales another report inserted
    # while we looked (our insert did nothing for them). A report that would not move a known
    # event never will: statuses only move forward, so it needs no lock.
    to_lock = [
        key
        for key in latest
        if key not in created_keys
        and key not in adopted
        and (key not in known or _moves(known[key], reported[key]))
    ]
    events = {**adopted, **_events_locked(to_lock)}
    moving = [(event, reported[key]) for key, event in events.items()]
    moving += [(event, [latest[_key_of(event)].status]) for event in created]
    result = IngestResult(
        created=len(created), unmatched=sum(1 for e in created if e.user_id is None)
    )
    for key, statuses in reported.items():
        if key not in created_keys:
            moves = _moves_each(events[key].status if key in events else known[key], statuses)
            result.updated += moves
            result.unchanged += len(statuses) - moves
    events.update({_key_of(event): event for event in created})
    _money_move(created=created, moving=moving, notices=notices)
    return events, result


def _key_of(event: CashbackEvent) -> Key:
    return (event.network, event.network_txn_id)


def _moves_each(current: str, reported: list[str]) -> int:
    """How many of the `reported` statuses, taken in turn, move an event that is `current`
    (statuses only move forward: pending to confirmed, either of them to declined)."""
    moves = 0
    for status in reported:
        after = _moved(current, status)
        moves += after != current
        current = after
    return moves


def _moves(current: str, reported: list[str]) -> bool:
    return _moves_each(current, reported) > 0


def _moved(current: str, reported: str) -> str:
    if reported == SaleStatus.CONFIRMED and current == CashbackStatus.PENDING:
        return CashbackStatus.CONFIRMED
    if reported == SaleStatus.DECLINED and current != CashbackStatus.DECLINED:
        return CashbackStatus.DECLINED
    return current


def _by_network(keys) -> dict[str, list[str]]:
    by_network = defaultdict(list)
    for network, txn_id in keys:
        by_network[network].append(txn_id)
    return by_network


def _keys_filter(keys) -> Q:
    query = Q(pk__in=[])
    for network, txn_ids in _by_network(keys).items():
        query |= Q(bulk.AnyOf(F("network_txn_id"), txn_ids), network=network)
    return query


def _statuses(keys: list[Key]) -> dict[Key, str]:
    """The status of each sale we know, read without a lock."""
    if not keys:
        return {}
    rows = (
        CashbackEvent.objects.filter(_keys_filter(keys))
        .order_by()  # no sort: a dict is made of them
        .values_list("network", "network_txn_id", "status")
    )
    return {(network, txn_id): status for network, txn_id, status in rows}


def _events_locked(keys: list[Key]) -> dict[Key, CashbackEvent]:
    """Lock these sales' events in primary-key order, with their shoppers and stores."""
    if not keys:
        return {}
    # The raw payload is not read by a move (only the network's id and amounts are): it is
    # loaded if something asks for it.
    rows = list(
        CashbackEvent.objects.select_for_update(of=("self",))
        .filter(_keys_filter(keys))
        .defer("raw_payload")
        .order_by("pk")
    )
    _related_shared(
        rows,
        (("user", User.objects.all()), ("merchant", Merchant.objects.only(*_STORE_READ))),
    )
    return {(e.network, e.network_txn_id): e for e in rows}


def _related_shared(objects: list, related) -> None:
    """Attach each object's related rows (`related`: (foreign key name, queryset) pairs), each
    read once for all the objects that point at it: a page's hundreds of events or clicks go
    to a handful of stores and a few hundred shoppers, and a join would build a store and a
    shopper per row."""
    if not objects:
        return
    meta = type(objects[0])._meta
    for name, rows in related:
        relation = meta.get_field(name)
        wanted = {getattr(o, relation.attname) for o in objects} - {None}
        found = {row.pk: row for row in rows.filter(bulk.AnyOf(F("pk"), wanted))} if wanted else {}
        for obj in objects:
            relation.set_cached_value(obj, found.get(getattr(obj, relation.attname)))


def _claimed_events(sales: list[NetworkSale]) -> dict[Key, CashbackEvent]:
    """Events made from approved missing-cashback claims for these sales' clicks, which the
    network has now tracked after all: each takes over the network's id for the sale, so the
    purchase is paid once and the network's later statuses apply to it. Keyed by the sale.

    First the open claims on these clicks are locked: an operator approving one holds its
    row (`cashback_claim_approve`), so we wait for the approval to commit and adopt its
    event, and an approval that comes after us waits, then finds our event and is refused."""
    by_click = {str(as_uuid(s.sub_id)): s for s in sales if as_uuid(s.sub_id)}
    if not by_click:
        return {}
    click_ids = [as_uuid(click_id) for click_id in by_click]
    open_claims = CashbackClaim.objects.select_for_update(of=("self",)).filter(
        bulk.AnyOf(F("click_id"), click_ids), status=ClaimStatus.OPEN
    )
    list(open_claims.order_by("pk").values_list("pk", flat=True))
    claimed = (
        CashbackEvent.objects.select_for_update(of=("self",))
        .select_related("user", "merchant")
        .filter(
            bulk.AnyOf(F("click_id"), click_ids),
            source=CashbackSource.CLAIM,
            network_txn_id__startswith="claim-",
        )
    )
    adopted = {}
    for event in claimed.order_by("pk"):
        sale = by_click.pop(str(event.click_id), None)
        if sale is None:
            continue
        event.network, event.network_txn_id = sale.network, sale.transaction_id
        event.commission = sale.commission
        event.raw_payload = {**event.raw_payload, "network": dict(sale.raw)}
        event.save(
            update_fields=["network", "network_txn_id", "commission", "raw_payload", "updated_at"]
        )
        adopted[_key(sale)] = event
    return adopted


# Of a click's offer and store, a sync reads the cashback rate, the store's name (notices) and
# its confirmation days; their texts (descriptions, terms, titles) are left in the database.
# The click and the shopper are read whole (a notice checks the shopper's channels).
_CLICK_OFFER_READ = ("id", "cashback_kind", "cashback_value")
_CLICK_MERCHANT_READ = ("id", "name", "cashback_kind", "cashback_value", "confirmation_days")
_STORE_READ = ("id", "name")  # a moved event's store: its name, for the notice


def _clicks_for(sub_ids) -> dict[str, Click]:
    """The clicks of these sub-ids, with their offer, store and shopper (each read once and
    shared by its clicks: `_related_shared`)."""
    ids = {as_uuid(s) for s in sub_ids} - {None}
    if not ids:
        return {}
    clicks = list(Click.objects.filter(bulk.AnyOf(F("id"), ids)))
    _related_shared(
        clicks,
        (
            ("offer", Offer.objects.only(*_CLICK_OFFER_READ)),
            ("merchant", Merchant.objects.only(*_CLICK_MERCHANT_READ)),
            ("user", User.objects.all()),
        ),
    )
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


# A new event is built from every column's value at once (Django's positional path, no
# keyword handling or default look-up per field): a sync page makes hundreds.
_EVENT_FIELDS = CashbackEvent._meta.concrete_fields
_EVENT_RELATED = [CashbackEvent._meta.get_field(name) for name in ("click", "user", "merchant")]


def _event_new(sale: NetworkSale, source: str, click: Click | None, now) -> CashbackEvent:
    values = {
        "created_at": now,
        "updated_at": now,
        "public_id": uuid.uuid4(),
        "sub_id": sale.sub_id[:64],
        "network": sale.network,
        "network_txn_id": sale.transaction_id,
        "sale_amount": sale.sale_amount,
        "commission": sale.commission,
        "cashback": Decimal("0.00"),
        "status": CashbackStatus.PENDING,
        "source": source,
        "occurred_at": sale.occurred_at,
        "raw_payload": dict(sale.raw),
    }
    matched = click is not None and click.user_id is not None
    if matched:  # as _event_attach ties it
        values["click_id"], values["user_id"] = click.pk, click.user_id
        values["merchant_id"] = click.merchant_id
        values["cashback"] = cashback_amount(
            click=click, sale_amount=sale.sale_amount, commission=sale.commission
        )
        days = click.merchant.confirmation_days
        values["expected_confirmation"] = (sale.occurred_at + timedelta(days=days)).date()
    event = CashbackEvent(*(values.get(f.attname) for f in _EVENT_FIELDS))
    if matched:
        for relation, related in zip(
            _EVENT_RELATED, (click, click.user, click.merchant), strict=True
        ):
            relation.set_cached_value(event, related)
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


def _events_insert(sales: list[NetworkSale], source: str) -> list[CashbackEvent]:
    """Insert these sales' events (pending) unless the sale is known by now; returns the
    events this call inserted. In key order: see `_record`."""
    if not sales:
        return []
    clicks = _clicks_for(s.sub_id for s in sales)
    now = timezone.now()
    events = [
        _event_new(s, source, _click_of(clicks, s.sub_id), now) for s in sorted(sales, key=_key)
    ]
    inserted = []
    for first in range(0, len(events), INSERT_BATCH):
        inserted += _insert_unless_known(events[first : first + INSERT_BATCH])
    return inserted


# Columns written by the insert (all but the id) and rows per statement, so the parameters
# stay under every backend's limit.
INSERT_FIELDS = [f for f in CashbackEvent._meta.concrete_fields if not f.primary_key]
INSERT_BATCH = 500


def _insert_unless_known(events: list[CashbackEvent]) -> list[CashbackEvent]:
    """INSERT ... ON CONFLICT (network, network_txn_id) DO NOTHING RETURNING: the rows another
    report inserted first are left to it (PostgreSQL waits for that report to commit before
    deciding), and only ours come back. Django's bulk_create cannot say which rows it
    inserted when it ignores conflicts, hence the SQL."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in INSERT_FIELDS)
    # Every column's value is set when the event is made (its times too: `_event_new`).
    by_column = [[getattr(event, f.attname) for event in events] for f in INSERT_FIELDS]
    if bulk.is_postgresql(connection):
        # One array per column (see wallet.bulk): the statement is the same short text for
        # every page, whatever its rows.
        rows = bulk.unnest_select(INSERT_FIELDS, connection)
        params = [
            bulk.column_values(f, values, connection)
            for f, values in zip(INSERT_FIELDS, by_column, strict=True)
        ]
    else:
        row = "(" + ", ".join(["%s"] * len(INSERT_FIELDS)) + ")"
        rows = f"VALUES {', '.join([row] * len(events))}"
        params = [
            f.get_db_prep_save(value, connection)
            for values in zip(*by_column, strict=True)
            for f, value in zip(INSERT_FIELDS, values, strict=True)
        ]
    sql = (
        f"INSERT INTO {quote(CashbackEvent._meta.db_table)} ({columns}) {rows} "
        f"ON CONFLICT ({quote('network')}, {quote('network_txn_id')}) DO NOTHING "
        f"RETURNING {quote('id')}, {quote('network')}, {quote('network_txn_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {(network, txn_id): pk for pk, network, txn_id in cursor.fetchall()}
    inserted = []
    for event in events:
        pk = ids.get((event.network, event.network_txn_id))
        if pk is not None:
            event.pk = pk
            event._state.adding, event._state.db = False, connection.alias
            inserted.append(event)
    return inserted


# --- Moving the money -------------------------------------------------------------------------


def _money_move(
    *,
    created: list[CashbackEvent],
    moving: list[tuple[CashbackEvent, list[str]]],
    notices: PendingNotices | None = None,
    actor: User | None = None,
) -> list[CashbackEvent]:
    """The money for events just `created` (their pending credit) and for locked events
    `moving` through reported statuses (each in turn, forward only). The shoppers' accounts
    are locked first, all at once; then the pending credits as one ledger batch, the status
    changes as one update and their steps as another batch. Returns the events that moved."""
    moved, confirming = [], set()
    for event, statuses in moving:
        was_confirmed = event.confirmed_at is not None
        if sum(_status_set(event, status) for status in statuses):
            moved.append(event)
            if event.confirmed_at and not was_confirmed:
                confirming.add(event.pk)
    paying_new = [e for e in created if e.user_id and e.cashback > 0]
    paying_moved = [e for e in moved if e.user_id and e.cashback > 0]
    accounts = _accounts_locked(paying_new + paying_moved)
    _credit_pending(paying_new, accounts, notices=notices)
    _events_save(moved)
    _ledger_steps(paying_moved, accounts, confirming=confirming, actor=actor)
    notifications_send([_moved_notice(event) for event in paying_moved])
    return moved


def _status_set(event: CashbackEvent, status: str) -> bool:
    """Move a locked event to `status` in memory if that is forward; True if it moved."""
    now = timezone.now()
    after = _moved(event.status, status)
    if after == event.status:
        return False
    if after == CashbackStatus.CONFIRMED:
        event.confirmed_at = now
    elif event.status == CashbackStatus.CONFIRMED:
        event.declined_at = event.reversed_at = now
    else:
        event.declined_at = now
    event.status, event.updated_at = after, now
    return True


MOVED_FIELDS = ["status", "confirmed_at", "declined_at", "reversed_at", "updated_at"]


def _events_save(events: list[CashbackEvent]) -> None:
    connection = transaction.get_connection()
    if len(events) == 1:
        events[0].save(update_fields=MOVED_FIELDS)
    elif events and bulk.is_postgresql(connection):
        # UPDATE ... FROM unnest(...), an array per column: bulk_update's CASE per column and
        # row costs a page of moves more than everything else it does.
        quote = connection.ops.quote_name
        fields = [CashbackEvent._meta.pk, *(CashbackEvent._meta.get_field(n) for n in MOVED_FIELDS)]
        arrays = ", ".join(f"%s::{bulk.array_type(f, connection)}" for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(CashbackEvent._meta.db_table)} AS e SET "  # noqa: S608
                + ", ".join(f"{quote(name)} = v.{quote(name)}" for name in MOVED_FIELDS)
                + f" FROM unnest({arrays}) AS v(id, "
                + ", ".join(quote(name) for name in MOVED_FIELDS)
                + ") WHERE e.id = v.id",
                [
                    bulk.column_values(f, [getattr(e, f.attname) for e in events], connection)
                    for f in fields
                ],
            )
    elif events:
        CashbackEvent.objects.bulk_update(events, MOVED_FIELDS)


def _accounts_locked(events: list[CashbackEvent]) -> dict[int, dict[str, ledger.Account]]:
    """Lock the pending and available accounts of these events' shoppers, in primary-key
    order, after the events and before any posting; a first confirmation may pay the
    shopper's referrer a bonus, so theirs too. Creates accounts a shopper does not have yet."""
    users = {e.user_id for e in events}
    users |= {e.user.referred_by_id for e in events if e.confirmed_at and e.user.referred_by_id}
    return ledger.user_accounts_locked(users, (AccountKind.PENDING, AccountKind.AVAILABLE))


def _held(accounts: dict[int, dict[str, ledger.Account]]) -> dict[int, ledger.Account]:
    """The locked accounts by id, as `transactions_post(locked=...)` takes them."""
    return {account.pk: account for by_kind in accounts.values() for account in by_kind.values()}


def _credit_pending(events, accounts, *, notices: PendingNotices | None = None) -> None:
    """The reported step for new events, as one ledger batch, and one notice per shopper
    (now, or collected in `notices`)."""
    if not events:
        return
    payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
    ledger.transactions_post(
        [_pending_entry(e, accounts[e.user_id][AccountKind.PENDING], payable) for e in events],
        locked=_held(accounts),
    )
    collected = notices if notices is not None else PendingNotices()
    collected.add(events)
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


def _ledger_steps(
    events: list[CashbackEvent], accounts, *, confirming: set[int], actor: User | None = None
) -> None:
    """Post every step the events' states imply, as one batch; steps already posted are
    skipped by key. Then, for the events in `confirming` (the one moment a cashback may pay
    off the shopper's debt and decide their referral bonus), debt recovery and the referral
    bonus; then the clawbacks of reversals."""
    if not events:
        return
    payable = ledger.platform_account(AccountKind.CASHBACK_PAYABLE)
    entries = []
    for event in events:
        pending = accounts[event.user_id][AccountKind.PENDING]
        available = accounts[event.user_id][AccountKind.AVAILABLE]
        entries.append(_pending_entry(event, pending, payable))
        if event.confirmed_at:
            kind = TransactionKind.CASHBACK_CONFIRMED
            entries.append(_step(event, kind, pending, available, actor=actor))
        if event.declined_at and not event.confirmed_at:
            kind = TransactionKind.CASHBACK_DECLINED
            entries.append(_step(event, kind, pending, payable, actor=actor))
    ledger.transactions_post(entries, locked=_held(accounts))
    confirmed_now = [e for e in events if e.pk in confirming]
    in_debt = set(
        CashbackDebt.objects.filter(
            user_id__in={e.user_id for e in confirmed_now}, recovered__lt=F("amount")
        ).values_list("user_id", flat=True)
    )
    for event in confirmed_now:
        if event.user_id in in_debt:
            _debt_recover(event, accounts[event.user_id])
        if event.user.referred_by_id:
            from .referrals import referral_reward  # referrals build on cashback

            referral_reward(referred=event.user)
    for event in events:
        if event.reversed_at:
            available = accounts[event.user_id][AccountKind.AVAILABLE]
            _claw_back(event, available, payable, actor=actor)


def _step(event, kind, source, target, *, amount=None, actor=None, step=None) -> ledger.Entry:
    amount = event.cashback if amount is None else amount
    return ledger.Entry(
        kind=kind,
        idempotency_key=f"cashback:{event.pk}:{step or kind.removeprefix('cashback_')}",
        legs=[(source, -amount), (target, amount)],
        reference_type="cashback_event",
        reference_id=str(event.public_id),
        actor=actor,
        memo=f"{event.network} {event.network_txn_id}",
    )


def _post_step(event, kind, source, target, *, amount=None, actor=None, step=None):
    entry = _step(event, kind, source, target, amount=amount, actor=actor, step=step)
    return ledger.transactions_post([entry])[0]


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


def _debt_recover(event: CashbackEvent, accounts: dict[str, ledger.Account]) -> None:
    """Take what the shopper owes from reversed cashback out of this confirmed cashback."""
    if _posted(event, "recovery"):
        return
    debts = list(
        CashbackDebt.objects.select_for_update()
        .filter(user_id=event.user_id, recovered__lt=F("amount"))
        .order_by("pk")
    )
    available = accounts[AccountKind.AVAILABLE]
    balance = ledger.accounts_lock({available.pk})[available.pk].balance
    left = min(event.cashback, balance)
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
            available,
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
        locked = (
            CashbackEvent.objects.select_for_update(of=("self",))
            .select_related("user", "merchant")
            .get(pk=event.pk)
        )
        if not _money_move(created=[], moving=[(locked, [status])], actor=actor):
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
    with transaction.atomic():
        rows = CashbackEvent.objects.select_for_update(of=("self",)).filter(
            pk__in=pks, user__isnull=True
        )
        matched = []
        for event in rows.order_by("pk"):
            _event_attach(event, _click_of(clicks, event.sub_id))
            if event.user_id is not None:
                event.save()
                matched.append(event)
        # A sale declined before we knew whose it was never owed anyone anything.
        paying = [e for e in matched if e.cashback > 0 and e.status != CashbackStatus.DECLINED]
        confirmed = {e.pk for e in paying if e.status == CashbackStatus.CONFIRMED}
        _ledger_steps(paying, _accounts_locked(paying), confirming=confirmed)
        notifications_send([_matched_notice(event) for event in paying])
    return len(matched)


# --- Notices ----------------------------------------------------------------------------------


def _pending_notice(user: User, *, count: int, total: Decimal, store: str) -> Notice:
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

    return Notice(
        user=user,
        kind="cashback_pending",
        title=title,
        body=_PENDING_BODY,
        link=WALLET_LINK,
    )


# One lazy text per message, shared by every notice that says it: notifications_send renders
# a text that many notices share once.
_REVERSED = (
    gettext_lazy("%(amount)s cashback from %(store)s was reversed"),
    gettext_lazy("The store cancelled or returned the purchase after confirming it."),
)
_CONFIRMED = (
    gettext_lazy("%(amount)s cashback from %(store)s is confirmed"),
    gettext_lazy("It is in your available balance and can be withdrawn."),
)
_DECLINED = (
    gettext_lazy("%(amount)s cashback from %(store)s was declined"),
    gettext_lazy("The store did not confirm the purchase (cancelled or returned)."),
)
_PENDING_BODY = gettext_lazy("It becomes available once the store confirms the purchase.")


def _moved_notice(event: CashbackEvent) -> Notice:
    store = _store(event)
    if event.reversed_at:
        kind, (title, body) = "cashback_reversed", _REVERSED
    elif event.status == CashbackStatus.CONFIRMED:
        kind, (title, body) = "cashback_confirmed", _CONFIRMED
    else:
        kind, (title, body) = "cashback_declined", _DECLINED
    return Notice(
        user=event.user,
        kind=kind,
        title=lambda: str(title) % {"amount": format_inr(event.cashback), "store": store},
        body=body,
        link=WALLET_LINK,
    )


def _matched_notice(event: CashbackEvent) -> Notice:
    if event.status == CashbackStatus.CONFIRMED:
        return _moved_notice(event)
    return _pending_notice(event.user, count=1, total=event.cashback, store=_store(event))


def _store(event: CashbackEvent) -> str:
    return _short_name(event.merchant.name if event.merchant_id else event.network)


@functools.lru_cache(maxsize=1024)
def _short_name(name: str) -> str:
    # Notice titles are at most 140 characters; a store's name may be up to 120. Kept per
    # name: a sync page names a handful of stores hundreds of times.
    return Truncator(name).chars(40)
