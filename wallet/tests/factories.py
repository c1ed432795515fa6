"""Helpers for wallet tests: sales as networks report them, funded wallets, verified KYC.

They go through the real services (reports, ledger, KYC review), never around them, so a
test's starting balances are reached the way a shopper's would be.
"""

import dataclasses
import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from offers.models import Click
from offers.tests.factories import ClickFactory
from wallet.models import CashbackEvent, KycProfile
from wallet.networks.base import NetworkSale, SaleStatus
from wallet.services.cashback import cashback_report
from wallet.services.kyc import kyc_submit, kyc_verify


def sale_for(
    click: Click,
    *,
    sale_amount: str = "1000.00",
    commission: str = "80.00",
    status: str = SaleStatus.PENDING,
    transaction_id: str | None = None,
    network: str = "admitad",
) -> NetworkSale:
    """A sale of `sale_amount` on `click` as a network reports it (5% cashback by default)."""
    return NetworkSale(
        network=network,
        transaction_id=transaction_id or f"T{uuid.uuid4().hex[:12]}",
        sub_id=str(click.id),
        sale_amount=Decimal(sale_amount),
        commission=Decimal(commission),
        status=status,
        occurred_at=click.created_at + timedelta(minutes=5),
        raw={"source": "test"},
    )


def operator(**kwargs) -> User:
    return UserFactory(is_staff=True, **kwargs)


def confirmed_cashback(user: User, amount: str) -> CashbackEvent:
    """Give `user` `amount` of available cashback: a 10%-cashback click, its sale reported and
    then confirmed by the network."""
    click = ClickFactory(user=user, offer__merchant__cashback_value=Decimal("10.00"))
    # The commission is large enough that the 80% cap never bites.
    sale = sale_for(
        click, sale_amount=str(Decimal(amount) * 10), commission=str(Decimal(amount) * 2)
    )
    cashback_report(sale=sale)
    return cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))


def with_status(sale: NetworkSale, status: str) -> NetworkSale:
    """The same sale reported again later with another status."""
    return dataclasses.replace(sale, status=status)


def verified_kyc(user: User, *, upi_id: str = "", bank_account: str = "") -> KycProfile:
    upi_id = upi_id or ("" if bank_account else f"shopper{user.pk}@okaxis")
    profile = kyc_submit(
        user=user,
        legal_name="Asha Verma",
        pan="ABCDE1234F",
        upi_id=upi_id,
        bank_account=bank_account,
        ifsc="HDFC0001234" if bank_account else "",
    )
    return kyc_verify(profile=profile, operator=operator())


def recent_click(user: User, **kwargs) -> Click:
    return ClickFactory(user=user, created_at=timezone.now() - timedelta(hours=1), **kwargs)
