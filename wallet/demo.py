"""Demo wallet for `manage.py seed_demo`: Asha's clicks and cashback in every state, Ravi's
first cashback (which pays Asha's referral bonus), verified KYC, and a paid and a pending
withdrawal, all made through the real services so the ledger is what it would be live.

Deterministic: click ids are UUID5s and network transaction ids fixed, so re-running adds
nothing (the services' idempotency does the rest).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.services import in_app_only
from catalog.models import Merchant
from offers.models import Offer
from offers.services import clicks_write

from .models import CashbackClaim, CashbackEvent, KycStatus, Withdrawal
from .networks.base import NetworkSale, SaleStatus
from .services.cashback import cashback_report
from .services.claims import cashback_claim_file
from .services.kyc import kyc_submit, kyc_verify
from .services.withdrawals import withdrawal_approve, withdrawal_mark_paid, withdrawal_request

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
        log(f"{reported} cashback reports for the demo shoppers")
    _kyc(asha, operator)
    _withdrawals(asha, operator, log)
    _claim(asha, merchants.get("zomato") or Merchant.objects.filter(slug="zomato").first(), log)


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
