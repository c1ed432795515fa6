from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from brands.models import BookDay, BrandProduct, DepartmentAccess, OfferDay, ProductDay, Role
from brands.tests.factories import (
    DepartmentFactory,
    brand_offer,
    brand_with_store,
    member,
    sign_in_member,
)
from offers.models import CouponBook

pytestmark = pytest.mark.django_db

D = Decimal


def _day(brand, offer, date, **figures):
    return OfferDay.objects.create(brand=brand, offer=offer, date=date, **figures)


@pytest.fixture
def portal(client):
    brand = brand_with_store()
    own = DepartmentFactory(brand=brand, name="Menswear", access=DepartmentAccess.OWN)
    offers = [
        brand_offer(brand, department=own, title="Shirts 20% off"),
        brand_offer(brand, title="Shoes flat 500"),
    ]
    today = timezone.localdate()
    _day(
        brand,
        offers[0],
        today,
        views=100,
        clicks=20,
        claims=10,
        redemptions=5,
        revenue=D("5000.00"),
        discount=D("500.00"),
    )
    _day(
        brand,
        offers[1],
        today - timedelta(days=3),
        views=50,
        clicks=10,
        claims=4,
        redemptions=1,
        revenue=D("1200.50"),
        discount=D("120.05"),
    )
    _day(
        brand,
        offers[1],
        today - timedelta(days=60),
        views=7,
        clicks=1,
        redemptions=1,
        revenue=D("99.00"),
        discount=D("9.90"),
    )
    analyst = member(brand, Role.ANALYST)
    sign_in_member(client, analyst)
    return brand, own, offers, analyst


def test_dashboard_shows_today_and_the_period_from_rollups(client, portal):
    brand, _, _offers, _ = portal
    response = client.get(reverse("brands:dashboard", args=[brand.slug]))
    assert response.status_code == 200
    assert response.context["today"].redemptions == 5
    totals = response.context["totals"]
    assert (totals["views"], totals["clicks"], totals["redemptions"]) == (150, 30, 6)
    assert totals["revenue"] == D("6200.50")
    assert totals["redemption_rate"] == D("20.0")
    assert [row["title"] for row in response.context["best"]] == [
        "Shirts 20% off",
        "Shoes flat 500",
    ]
    body = response.content.decode()
    assert "₹6,200.50" in body
    assert 'id="cz-chart-activity" type="application/json"' in body
    assert "brand_charts.js" in body and "chart.umd.min.js" in body
    # Without JavaScript the canvas stays hidden and each chart's table shows the figures.
    assert body.count("<canvas data-cz-chart=") == body.count("data-cz-chart-table=") == 2
    assert '<script src="https://' not in body


def test_dashboard_period_of_ninety_days_reaches_further_back(client, portal):
    brand, *_ = portal
    response = client.get(reverse("brands:dashboard", args=[brand.slug]), {"period": "90"})
    assert response.context["totals"]["redemptions"] == 7
    assert len(response.context["days"]) == 90
    response = client.get(reverse("brands:dashboard", args=[brand.slug]), {"period": "x"})
    assert response.context["period"] == 30


def test_dashboard_of_a_department_limited_member_shows_only_its_offers(client, portal):
    brand, own, _, _ = portal
    client.logout()
    sign_in_member(client, member(brand, Role.ANALYST, department=own))
    response = client.get(reverse("brands:dashboard", args=[brand.slug]))
    assert response.context["totals"]["redemptions"] == 5
    assert [row["title"] for row in response.context["best"]] == ["Shirts 20% off"]


def test_dashboard_is_404_for_another_brand_and_403_for_a_till(client, portal):
    brand, *_ = portal
    other = brand_with_store()
    assert client.get(reverse("brands:dashboard", args=[other.slug])).status_code == 404
    client.logout()
    sign_in_member(client, member(brand, Role.TILL))
    assert client.get(reverse("brands:dashboard", args=[brand.slug])).status_code == 403
    assert client.get(reverse("brands:analytics", args=[brand.slug])).status_code == 403


def test_dashboard_empty_brand_shows_empty_states(client):
    brand = brand_with_store()
    sign_in_member(client, member(brand, Role.ANALYST))
    response = client.get(reverse("brands:dashboard", args=[brand.slug]))
    assert response.status_code == 200
    assert "No offer had any activity in this period." in response.content.decode()


@pytest.mark.parametrize("tab", ["day", "offer", "book", "product", "department"])
def test_analytics_tabs_render_their_breakdown(client, portal, tab):
    brand, _, offers, _ = portal
    book = CouponBook.objects.create(offer=offers[0], name="Store codes")
    product = BrandProduct.objects.create(brand=brand, sku="SHIRT-1", name="Oxford shirt")
    today = timezone.localdate()
    BookDay.objects.create(
        brand=brand,
        book=book,
        date=today,
        claims=10,
        redemptions=5,
        revenue=D("5000.00"),
        discount=D("500.00"),
    )
    ProductDay.objects.create(
        brand=brand,
        product=product,
        offer=offers[0],
        date=today,
        redemptions=3,
        revenue=D("3000.00"),
        discount=D("300.00"),
    )
    response = client.get(reverse("brands:analytics", args=[brand.slug]), {"tab": tab})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="breakdown-{tab}"' in body
    expected = {
        "day": "₹5,000.00",
        "offer": "Shirts 20% off",
        "book": "Store codes",
        "product": "Oxford shirt",
        "department": "Menswear",
    }[tab]
    assert expected in body


def test_analytics_queries_do_not_grow_with_the_offers(
    client, portal, django_assert_max_num_queries
):
    brand, _, _, _ = portal
    url = reverse("brands:analytics", args=[brand.slug])
    for tab in ("offer", "day"):
        with django_assert_max_num_queries(12):
            client.get(url, {"tab": tab})
    today = timezone.localdate()
    for index in range(30):
        _day(brand, brand_offer(brand), today - timedelta(days=index % 5), clicks=index)
    for tab in ("offer", "day"):
        with django_assert_max_num_queries(12):
            client.get(url, {"tab": tab})


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"start_date": "2026-03-10", "end_date": "2026-03-01"},
            "end_date",
            "The end date must be on or after the start date.",
        ),
        (
            {"start_date": "2025-01-01", "end_date": "2026-03-01"},
            "end_date",
            "Choose at most 366 days.",
        ),
        (
            {"start_date": "yesterday", "end_date": "2026-03-01"},
            "start_date",
            "Enter a valid date.",
        ),
        ({"start_date": "2026-03-01"}, "end_date", "This field is required."),
    ],
)
def test_analytics_refuses_a_bad_range_with_a_field_error(client, portal, params, field, message):
    brand, *_ = portal
    response = client.get(reverse("brands:analytics", args=[brand.slug]), params)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    export = client.get(reverse("brands:analytics_export", args=[brand.slug]), params)
    assert export.status_code == 400


def test_analytics_accepts_a_full_year(client, portal):
    brand, *_ = portal
    today = timezone.localdate()
    response = client.get(
        reverse("brands:analytics", args=[brand.slug]),
        {"start_date": str(today - timedelta(days=365)), "end_date": str(today)},
    )
    assert response.context["form"].is_valid()
    assert response.context["totals"]["redemptions"] == 7


def test_export_is_a_workbook_with_a_sheet_per_breakdown_and_money_as_numbers(client, portal):
    brand, *_ = portal
    today = timezone.localdate()
    response = client.get(
        reverse("brands:analytics_export", args=[brand.slug]),
        {"start_date": str(today - timedelta(days=6)), "end_date": str(today)},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f"{brand.slug}-analytics-" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "By day",
        "By offer",
        "By department",
        "By book",
        "By product",
    ]
    offers = book["By offer"]
    header = [cell.value for cell in offers[1]]
    revenue = header.index("Revenue") + 1
    first = offers.cell(row=2, column=revenue)
    assert first.value == 5000.0
    assert "₹" in first.number_format
    assert offers.cell(row=2, column=1).value == "Shirts 20% off"
    assert book["By day"].max_row == 1 + 7


def test_export_needs_the_export_permission(client, portal):
    brand, *_ = portal
    client.logout()
    sign_in_member(client, member(brand, Role.TILL))
    response = client.get(reverse("brands:analytics_export", args=[brand.slug]))
    assert response.status_code == 403


def test_analytics_charts_point_to_the_day_table(client, portal):
    brand, *_ = portal
    response = client.get(reverse("brands:analytics", args=[brand.slug]), {"tab": "offer"})
    body = response.content.decode()
    assert "tab=day#cz-table" in body
    response = client.get(reverse("brands:analytics", args=[brand.slug]), {"tab": "day"})
    assert 'id="cz-table"' in response.content.decode()
    assert response.context["day_rows"][-1]["revenue"] == "₹5,000.00"
