"""Demo wallet for `manage.py seed_demo`: Asha's clicks and cashback in every state, Ravi's
first cashback (which pays Asha's referral bonus), verified KYC, and a paid and a pending
withdrawal, all made through the real services so the ledger is what it would be live.

Deterministic: click ids are UUID5s and network transaction ids fixed, so re-running adds
nothing (the services' idempotency does the rest).

Then a year of history for the operators' dashboard (`seed_history`): sales reported on the
offers demo's history clicks, confirmed after each store's own typical delay, and paid
withdrawals; history rows that move no money. Last, the cashback arrival estimates are learned
from it, as the nightly task would have.
"""

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.services import in_app_only
from catalog.demo import MERCHANTS as DEMO_MERCHANTS
from catalog.models import Merchant
from offers.models import Click, Offer
from offers.services import clicks_write

from .arrival import arrival_estimates_refresh
from .models import (
    CashbackClaim,
    CashbackEvent,
    CashbackSource,
    CashbackStatus,
    KycStatus,
    PayoutMethod,
    Withdrawal,
    WithdrawalStatus,
)
from .networks.base import NetworkSale, SaleStatus
from .services.cashback import cashback_amount, cashback_report
from .services.claims import cashback_claim_file
from .services.kyc import kyc_submit, kyc_verify
from .services.withdrawals import withdrawal_approve, withdrawal_mark_paid, withdrawal_request

CENT = Decimal("0.01")
NAMESPACE = uuid.UUID("0f6c1d8e-2b7a-4f3e-9a51-6d2c8e4b7a90")
P, C, D = SaleStatus.PENDING, SaleStatus.CONFIRMED, SaleStatus.DECLINED

# (shopper, store slug, days ago, sale amount, commission, the statuses the network reports)
PURCHASES = [
    ("asha", "myntra", 70, "3499.00", "280.00", [P, C]),
    ("asha", "amazon", 62, "12999.00", "520.00", [P, C]),
    ("asha", "ajio", 55, "2199.00", "176.00", [P, C]),
    ("asha", "nykaa", 48, "1850.00", "148.00", [P, D]),
    ("asha", "flipkart", 40, "5499.00", "220.00", [P, C, D]),  # returned after confirmation
    ("asha", "swiggy", 9, "640.00", "38.00", [P]),
    ("asha", "makemytrip", 6, "8450.00", "420.00", [P]),
    ("asha", "croma", 2, "24990.00", "500.00", [P]),
    ("ravi", "myntra", 30, "2599.00", "208.00", [P, C]),
]


def seed(log) -> None:
    # The demo's history is not news: its notices stay in the app, no email or text.
    with in_app_only():
        _seed(log)


def _seed(log) -> None:
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@coupzii.test")}
    asha, operator = users.get("asha"), users.get("admin")
    if asha is None or operator is None:
        return
    merchants = {m.slug: m for m in Merchant.objects.filter(slug__in=[p[1] for p in PURCHASES])}
    reported = 0
    for position, purchase in enumerate(PURCHASES):
        user = users.get(purchase[0])
        merchant = merchants.get(purchase[1])
        if user and merchant:
            reported += _purchase(position, user, merchant, *purchase[2:])
    if reported:
        _purchases_backdate()
        log(f"{reported} cashback reports for the demo shoppers")
    _kyc(asha, operator)
    _withdrawals(asha, operator, log)
    _claim(asha, merchants.get("zomato") or Merchant.objects.filter(slug="zomato").first(), log)
    seed_history(log)
    # What the nightly task would have learned from that year by now (the tracker's ranges,
    # the store pages' "usually confirms in about N days"); the same figures on a re-run.
    log(f"{arrival_estimates_refresh()} cashback arrival estimates learned")


def _purchase(position, user, merchant, days_ago, sale_amount, commission, statuses) -> int:
    offer = Offer.objects.filter(merchant=merchant).order_by("pk").first()
    seeded = CashbackEvent.objects.filter(network_txn_id=f"DEMO-{position:03d}").exists()
    if offer is None or seeded:
        return 0
    click_id = uuid.uuid5(NAMESPACE, f"{user.email}:{position}")
    clicked_at = timezone.now() - timedelta(days=days_ago, hours=3)
    clicks_write([_click_row(click_id, offer, user, clicked_at)])
    for status in statuses:
        cashback_report(
            sale=NetworkSale(
                network=merchant.affiliate_network,
                transaction_id=f"DEMO-{position:03d}",
                sub_id=str(click_id),
                sale_amount=Decimal(sale_amount),
                commission=Decimal(commission),
                status=status,
                occurred_at=clicked_at + timedelta(minutes=20),
                raw={"demo": True},
            ),
            source="pull",
        )
    return len(statuses)


def _purchases_backdate() -> None:
    """The services stamp a report, a confirmation and a decline with the seed's time: put
    them back where they would be (reported soon after the sale, settled part-way from then to
    now), so the tracker's dates and its likely ranges read as they would for a real shopper."""
    now = timezone.now()
    for event in CashbackEvent.objects.filter(network_txn_id__startswith="DEMO-"):
        reported = event.occurred_at + timedelta(minutes=100)
        settled = reported + (now - reported) * 0.7
        CashbackEvent.objects.filter(pk=event.pk).update(
            created_at=reported,
            confirmed_at=settled if event.confirmed_at else None,
            declined_at=settled + timedelta(hours=6) if event.declined_at else None,
            reversed_at=settled + timedelta(hours=6) if event.reversed_at else None,
        )


def _click_row(click_id, offer, user, clicked_at) -> dict:
    return {
        "id": str(click_id),
        "offer_id": offer.pk,
        "merchant_id": offer.merchant_id,
        "user_id": user.pk,
        "created_at": clicked_at.timestamp(),
        "ip_hash": "",
        "user_agent": "Demo browser",
        "referrer": "",
    }


def _kyc(user: User, operator: User) -> None:
    profile = kyc_submit(
        user=user,
        legal_name="Asha Verma",
        pan="ABCPV1234K",
        upi_id="asha.verma@okhdfcbank",
        bank_account="50100123456789",
        ifsc="HDFC0000123",
    )
    if profile.status == KycStatus.SUBMITTED:
        kyc_verify(profile=profile, operator=operator)


def _withdrawals(user: User, operator: User, log) -> None:
    if Withdrawal.objects.filter(user=user).exists():
        return
    paid = withdrawal_request(
        user=user, amount=Decimal("250.00"), method="upi", idempotency_key="demo-paid"
    )
    withdrawal_approve(withdrawal=paid, operator=operator)
    withdrawal_mark_paid(withdrawal=paid, operator=operator, utr="DEMOUTR0001")
    withdrawal_request(
        user=user, amount=Decimal("150.00"), method="bank", idempotency_key="demo-pending"
    )
    log("2 withdrawals for asha@coupzii.test (one paid, one waiting for approval)")


def _claim(user: User, merchant: Merchant | None, log) -> None:
    """A purchase the network never reported, and Asha's open claim for it."""
    offer = Offer.objects.filter(merchant=merchant).order_by("pk").first() if merchant else None
    if offer is None or CashbackClaim.objects.filter(user=user).exists():
        return
    click_id = uuid.uuid5(NAMESPACE, f"{user.email}:claim")
    clicked_at = timezone.now() - timedelta(days=4)
    clicks_write([_click_row(click_id, offer, user, clicked_at)])
    cashback_claim_file(
        user=user,
        click_id=click_id,
        order_id="ZMT-58213377",
        amount=Decimal("812.00"),
        order_date=timezone.localdate(clicked_at),
    )
    log("1 missing-cashback claim for asha@coupzii.test, waiting for review")


# --- A year of history for the operators' dashboard ---------------------------------------------
#
# Sales reported on the offers demo's year of clicks (see offers.demo.seed_history), each store
# confirming after its own typical delay, so the arrival estimates differ by store, and the
# withdrawals those shoppers were paid. These are history rows that move no money: the history's
# shoppers never sign in, and the ledger holds only what the services above posted (a pending
# or confirmed history event has no postings, as an event from before the ledger would not).

HISTORY_SEED = 16
HISTORY_TXN_PREFIX = "DEMOH-"
# The offers demo's history shoppers (offers.demo.HISTORY_EMAIL_DOMAIN; a demo may not import
# another app's demo).
HISTORY_EMAIL_DOMAIN = "@shoppers.coupzii.test"
HISTORY_CLICK_AGENT = "Coupzii demo history"  # offers.demo.HISTORY_AGENT
# Median days from the report to the network's confirmation, by store, else by the store's
# main category: what shoppers of each store learn to expect.
CONFIRM_DAYS = {
    "amazon": 60,
    "myntra": 35,
    "zomato": 10,
    "swiggy": 12,
    "flipkart": 45,
    "ajio": 40,
    "nykaa": 28,
    "makemytrip": 75,
    "meesho": 30,
    "croma": 50,
}
CONFIRM_DAYS_BY_CATEGORY = {
    "food-dining": 12,
    "groceries": 15,
    "cabs-rides": 14,
    "recharge-bills": 7,
    "travel": 70,
    "hotels": 65,
    "electronics": 50,
    "fashion": 38,
    "footwear": 38,
    "beauty": 30,
}
DEFAULT_CONFIRM_DAYS = 42
# Share of a store's sales that end declined (returns, cancellations), by main category.
DECLINE_RATE = {"fashion": 0.15, "footwear": 0.12, "electronics": 0.08, "travel": 0.1}
DEFAULT_DECLINE_RATE = 0.06
# Share of a click that becomes a reported sale, and the sale's typical size, by category.
CONVERSION = {"food-dining": 0.16, "groceries": 0.13, "electronics": 0.06, "travel": 0.05}
DEFAULT_CONVERSION = 0.09
SALE_MEDIAN = {
    "fashion": 1600,
    "footwear": 2500,
    "jewellery-watches": 9000,
    "electronics": 14000,
    "food-dining": 450,
    "groceries": 1100,
    "travel": 9000,
    "hotels": 6000,
    "cabs-rides": 350,
    "beauty": 1200,
    "health-pharmacy": 900,
    "home-furniture": 5000,
    "kids-baby": 1300,
    "entertainment": 700,
    "recharge-bills": 400,
}
DEFAULT_SALE_MEDIAN = 1500
# How much the delays spread around a store's median (lognormal sigma): an 80th percentile
# about a fifth above the median.
DELAY_SPREAD = 0.22


def seed_history(log) -> None:
    """Cashback events for a share of the history shoppers' clicks, and their paid withdrawals
    (see the section's comment). Idempotent: nothing is written when the history's events
    exist."""
    if CashbackEvent.objects.filter(network_txn_id__startswith=HISTORY_TXN_PREFIX).exists():
        return
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - demo content, not security
    events = _history_events(rng)
    if not events:
        return
    unmatched = _history_unmatched(rng)
    CashbackEvent.objects.bulk_create(unmatched)
    CashbackEvent.objects.bulk_create(events, batch_size=1000)
    _history_backdate(CashbackEvent.objects.filter(network_txn_id__startswith=HISTORY_TXN_PREFIX))
    withdrawals = _history_withdrawals(rng, events)
    Withdrawal.objects.bulk_create(withdrawals, batch_size=1000)
    # created_at and updated_at are set on insert: the request came a day before approval.
    Withdrawal.objects.filter(idempotency_key__startswith="demo-history-").update(
        created_at=F("approved_at") - timedelta(hours=20), updated_at=F("completed_at")
    )
    log(f"a year of history: {len(events)} cashback reports, {len(withdrawals)} paid withdrawals")


def _main_category_slugs(merchant_ids: set[int]) -> dict[int, str]:
    """Each store's main category (the first the catalog demo lists) by merchant id."""
    first = {row[1]: row[4][0] for row in DEMO_MERCHANTS}
    slugs = Merchant.objects.filter(pk__in=merchant_ids).values_list("pk", "slug")
    return {pk: first.get(slug, "") for pk, slug in slugs}


def confirm_days(merchant: Merchant, category: str) -> int:
    """The median days to confirmation the history gives `merchant`."""
    return CONFIRM_DAYS.get(
        merchant.slug, CONFIRM_DAYS_BY_CATEGORY.get(category, DEFAULT_CONFIRM_DAYS)
    )


def _history_events(rng) -> list[CashbackEvent]:
    """Sales on a share of the history shoppers' clicks (more for food, fewer for flights):
    the clicks are scanned as plain values, and only those that sold are loaded whole."""
    now = timezone.now()
    scanned = Click.objects.filter(user__email__endswith=HISTORY_EMAIL_DOMAIN).order_by(
        "created_at", "id"
    )
    rows = list(scanned.values_list("id", "merchant_id"))
    categories = _main_category_slugs({merchant_id for _id, merchant_id in rows})
    sold = [
        (click_id, categories.get(merchant_id, ""))
        for click_id, merchant_id in rows
        if rng.random() < CONVERSION.get(categories.get(merchant_id, ""), DEFAULT_CONVERSION)
    ]
    clicks = Click.objects.select_related("offer", "merchant", "user").in_bulk(
        [click_id for click_id, _category in sold]
    )
    events = []
    for click_id, category in sold:
        click = clicks[click_id]
        # The network reports the sale an hour or two after the shopper's purchase.
        occurred_at = click.created_at + timedelta(minutes=rng.randrange(5, 90))
        reported_at = occurred_at + timedelta(minutes=100)  # as _history_backdate sets it
        if reported_at > now:
            continue
        events.append(_history_event(rng, click, category, occurred_at, reported_at, now))
    return events


def _history_event(rng, click, category, occurred_at, reported_at, now) -> CashbackEvent:
    median = SALE_MEDIAN.get(category, DEFAULT_SALE_MEDIAN)
    sale_amount = Decimal(round(median * rng.lognormvariate(0, 0.5))).quantize(CENT)
    # Networks pay the platform a little more than the shopper's rate, which is capped by it.
    commission = (sale_amount * Decimal(rng.choice(("0.06", "0.08", "0.10")))).quantize(CENT)
    days = confirm_days(click.merchant, category)
    expected = click.merchant.confirmation_days  # what the store page promised at the time
    event = CashbackEvent(
        click=click,
        sub_id=str(click.pk),
        user=click.user,
        merchant=click.merchant,
        network=click.merchant.affiliate_network,
        network_txn_id=f"{HISTORY_TXN_PREFIX}{click.pk.hex[:16].upper()}",
        sale_amount=sale_amount,
        commission=commission,
        cashback=cashback_amount(click=click, sale_amount=sale_amount, commission=commission),
        source=rng.choice((CashbackSource.POSTBACK, CashbackSource.PULL)),
        occurred_at=occurred_at,
        expected_confirmation=(occurred_at + timedelta(days=expected)).date(),
        raw_payload={"demo": "history"},
    )
    declined = rng.random() < DECLINE_RATE.get(category, DEFAULT_DECLINE_RATE)
    spread = rng.lognormvariate(0, DELAY_SPREAD)
    settled_at = reported_at + timedelta(days=days * spread * (0.6 if declined else 1.0))
    if settled_at <= now:  # else the network has not settled it yet: still pending
        if declined:
            event.status, event.declined_at = CashbackStatus.DECLINED, settled_at
        else:
            event.status, event.confirmed_at = CashbackStatus.CONFIRMED, settled_at
    return event


def _history_unmatched(rng) -> list[CashbackEvent]:
    """Sales reported in the last month for visitors' clicks (not signed in): no shopper and
    no store to tie them to, so no cashback; they stay pending in the network's report."""
    now = timezone.now()
    visits = Click.objects.filter(
        user__isnull=True,
        user_agent=HISTORY_CLICK_AGENT,
        created_at__range=(now - timedelta(days=30), now - timedelta(hours=4)),
    ).order_by("created_at", "id")
    events = []
    for click in visits.iterator():
        if rng.random() >= 0.01:
            continue
        events.append(
            CashbackEvent(
                sub_id=f"{click.pk.hex[:12]}-unknown",
                network=rng.choice(("cuelinks", "admitad", "vcommission")),
                network_txn_id=f"{HISTORY_TXN_PREFIX}{click.pk.hex[:16].upper()}",
                sale_amount=Decimal(rng.randrange(300, 5000)).quantize(CENT),
                commission=None,
                source=CashbackSource.PULL,
                occurred_at=click.created_at + timedelta(minutes=rng.randrange(5, 90)),
                raw_payload={"demo": "history"},
            )
        )
    return events


def _history_backdate(events) -> None:
    """created_at (the report) is set on insert: put it back to an hour or two after the sale
    (the same gap for each event is enough), and updated_at to its last change."""
    reported = F("occurred_at") + timedelta(minutes=100)
    events.update(
        created_at=reported,
        updated_at=Coalesce(F("confirmed_at"), F("declined_at"), reported),
    )


def _history_withdrawals(rng, events) -> list[Withdrawal]:
    """A shopper withdraws most times their confirmed cashback passes the minimum, a few days
    after; the operator approves the next day and pays the day after."""
    minimum = Decimal(settings.WALLET_MIN_WITHDRAWAL)
    operator = User.objects.filter(is_staff=True, email="admin@coupzii.test").first()
    now = timezone.now()
    saved: dict[int, Decimal] = {}
    withdrawals = []
    confirmed = sorted(
        (e for e in events if e.confirmed_at is not None), key=lambda e: e.confirmed_at
    )
    for event in confirmed:
        saved[event.user_id] = saved.get(event.user_id, Decimal("0")) + event.cashback
        if saved[event.user_id] < minimum or rng.random() < 0.4:
            continue
        approved_at = event.confirmed_at + timedelta(days=rng.randint(1, 6), hours=20)
        paid_at = approved_at + timedelta(hours=rng.randint(2, 30))
        if paid_at > now:
            continue
        number = len(withdrawals) + 1
        withdrawals.append(
            Withdrawal(
                user_id=event.user_id,
                method=PayoutMethod.UPI,
                amount=saved.pop(event.user_id).quantize(CENT),
                destination=f"{event.user.email.split('@')[0][:12]}@okaxis",
                status=WithdrawalStatus.PAID,
                idempotency_key=f"demo-history-{number}",
                utr=f"DEMOH{number:07d}",
                approved_by=operator,
                approved_at=approved_at,
                completed_at=paid_at,
            )
        )
    return withdrawals
