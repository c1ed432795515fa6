"""Daily rollup rows for the dashboard's page tests: the page reads these tables (the rollups
themselves are tested against raw rows in each app and in test_figures.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from catalog.tests.factories import CategoryFactory, MerchantFactory
from commerce.models import OrderDay, OrderStatus, SalesDay
from offers.models import StoreDay
from wallet.models import CashbackDay, CashbackStage, PayoutDay

D = Decimal


def rollup_history(today: date) -> dict:
    """A few days of figures: today, 3 days ago, 20 days ago and 100 days ago (outside 30 days),
    two stores, two categories. Returns what was written, for the tests' expectations."""
    myntra = MerchantFactory(name="Myntra", slug="myntra")
    ajio = MerchantFactory(name="=AJIO", slug="ajio")  # a name a spreadsheet would run
    fashion = CategoryFactory(name="Fashion", slug="fashion")
    food = CategoryFactory(name="Food", slug="food")
    days = {"today": today, "3d": today - timedelta(days=3), "20d": today - timedelta(days=20)}
    days["100d"] = today - timedelta(days=100)
    for n, day in enumerate(days.values(), start=1):
        OrderDay.objects.create(date=day, status=OrderStatus.PAID, orders=n, total=D("500") * n)
        OrderDay.objects.create(date=day, status=OrderStatus.FULFILLED, orders=2, total=D("980"))
        OrderDay.objects.create(
            date=day, status=OrderStatus.REFUNDED, orders=1, total=D("490"), refunded=D("490")
        )
        OrderDay.objects.create(date=day, status=OrderStatus.FAILED, orders=5, total=D("2450"))
        SalesDay.objects.create(date=day, category=fashion, orders=n, cards=n, revenue=D("490") * n)
        SalesDay.objects.create(date=day, category=food, orders=1, cards=3, revenue=D("250.50"))
        StoreDay.objects.create(merchant=myntra, date=day, views=1000 * n, clicks=40 * n)
        StoreDay.objects.create(merchant=ajio, date=day, views=300, clicks=7, member_clicks=2)
        for stage, cashback in (
            (CashbackStage.REPORTED, D("75.25")),
            (CashbackStage.CONFIRMED, D("40.00")),
            (CashbackStage.DECLINED, D("5.00")),
        ):
            CashbackDay.objects.create(
                date=day,
                stage=stage,
                merchant=myntra,
                network="cuelinks",
                events=3,
                sale_amount=D("3000.00"),
                commission=D("150.50"),
                cashback=cashback,
            )
        PayoutDay.objects.create(date=day, withdrawals=1, amount=D("300.00"))
    return {"days": days, "myntra": myntra, "ajio": ajio, "fashion": fashion, "food": food}
