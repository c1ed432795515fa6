from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from brands.models import BrandProduct, DepartmentAccess, OfferDay, ProductDay, Role
from brands.tests.factories import DepartmentFactory, brand_offer, brand_with_store, member

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def api():
    brand = brand_with_store()
    own = DepartmentFactory(brand=brand, access=DepartmentAccess.OWN)
    shirts = brand_offer(brand, department=own, title="Shirts")
    shoes = brand_offer(brand, title="Shoes")
    today = timezone.localdate()
    OfferDay.objects.create(
        brand=brand,
        offer=shirts,
        date=today,
        views=40,
        clicks=8,
        claims=4,
        redemptions=2,
        revenue=D("2000.00"),
        discount=D("200.00"),
    )
    OfferDay.objects.create(
        brand=brand,
        offer=shoes,
        date=today - timedelta(days=1),
        views=10,
        clicks=0,
        claims=1,
        redemptions=-1,
        revenue=D("-300.00"),
        discount=D("-30.00"),
    )
    product = BrandProduct.objects.create(brand=brand, sku="SH-1", name="Oxford")
    ProductDay.objects.create(
        brand=brand,
        product=product,
        offer=shirts,
        date=today,
        redemptions=2,
        revenue=D("2000.00"),
        discount=D("200.00"),
    )
    client = APIClient()
    analyst = member(brand, Role.ANALYST)
    client.force_authenticate(analyst.user)
    return client, brand, own, product, today


def test_analytics_answers_totals_days_and_offers(api, django_assert_max_num_queries):
    client, _brand, _, _, today = api
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("brand-analytics"),
            {"start_date": str(today - timedelta(days=6)), "end_date": str(today)},
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["redemptions"] == 1
    assert body["totals"]["revenue"] == "1700.00"
    assert body["totals"]["redemption_rate"] == "12.5"
    assert len(body["days"]) == 7
    assert body["days"][-1]["date"] == str(today)
    assert body["days"][-1]["claim_rate"] == "10.0"
    assert [offer["title"] for offer in body["offers"]] == ["Shirts", "Shoes"]
    assert body["offers"][1]["redemption_rate"] is None


def test_analytics_defaults_to_the_last_thirty_days(api):
    client, *_, today = api
    body = client.get(reverse("brand-analytics")).json()
    assert (body["start_date"], body["end_date"]) == (str(today - timedelta(days=29)), str(today))
    body = client.get(reverse("brand-analytics"), {"end_date": "2026-01-31"}).json()
    assert (body["start_date"], body["end_date"]) == ("2026-01-02", "2026-01-31")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2026-02-10", "end_date": "2026-02-01"}, "end_date"),
        ({"start_date": "2024-01-01", "end_date": "2026-02-01"}, "end_date"),
        ({"start_date": "10/02/2026"}, "start_date"),
    ],
)
def test_bad_dates_are_400_with_field_messages(api, params, field):
    client = api[0]
    for name in ("brand-analytics", "brand-analytics-export"):
        response = client.get(reverse(name), params)
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]


def test_department_member_sees_only_its_offers(api):
    client, brand, own, _, _ = api
    limited = member(brand, Role.ANALYST, department=own)
    client.force_authenticate(limited.user)
    body = client.get(reverse("brand-analytics")).json()
    assert [offer["title"] for offer in body["offers"]] == ["Shirts"]
    assert body["totals"]["redemptions"] == 2


def test_product_figures_by_day_and_offer(api):
    client, _, _, product, today = api
    url = reverse("brand-analytics-product", args=[product.public_id])
    body = client.get(url, {"start_date": str(today), "end_date": str(today)}).json()
    assert body["sku"] == "SH-1"
    assert body["days"] == [
        {"date": str(today), "redemptions": 2, "revenue": "2000.00", "discount": "200.00"}
    ]
    assert body["offers"][0]["title"] == "Shirts"


def test_another_brands_product_is_404(api):
    client = api[0]
    other = BrandProduct.objects.create(brand=brand_with_store(), sku="X", name="Other")
    response = client.get(reverse("brand-analytics-product", args=[other.public_id]))
    assert response.status_code == 404


def test_another_brand_named_in_the_header_is_404(api):
    client = api[0]
    other = brand_with_store()
    response = client.get(reverse("brand-analytics"), HTTP_X_BRAND=other.slug)
    assert response.status_code == 404


def test_export_is_an_xlsx_and_needs_the_export_permission(api):
    client, brand, *_ = api
    response = client.get(reverse("brand-analytics-export"))
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert "By product" in book.sheetnames
    till = member(brand, Role.TILL)
    client.force_authenticate(till.user)
    assert client.get(reverse("brand-analytics-export")).status_code == 403
    assert client.get(reverse("brand-analytics")).status_code == 403


def test_analytics_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/brand/analytics/products/{public_id}/" in schema
    assert "/api/v1/brand/analytics/export/" in schema
