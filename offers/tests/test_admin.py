"""The back office for categories, merchants, offers and clicks: lists, search, filters, and
import/export keyed by slug and public id."""

import re
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
import tablib
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from catalog.admin import MerchantResource
from catalog.tests.factories import CategoryFactory, MerchantFactory
from offers.admin import OfferResource
from offers.models import DiscountType, Offer, OfferKind
from offers.tests.factories import ClickFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/category/",
        "/admin/catalog/merchant/",
        "/admin/catalog/merchant/add/",
        "/admin/offers/offer/",
        "/admin/offers/offer/add/",
        "/admin/offers/click/",
        "/admin/catalog/merchant/export/",
        "/admin/offers/offer/import/",
    ],
)
def test_back_office_pages_open(operator_client, url):
    OfferFactory(merchant=MerchantFactory(categories=[CategoryFactory()]))
    ClickFactory()

    assert operator_client.get(url).status_code == 200


def test_operators_find_offers_by_code_and_filter_by_status_and_kind(operator_client):
    OfferFactory(title="Myntra sale", kind=OfferKind.CODE, code="MYN300")
    OfferFactory(title="Swiggy deal")

    found = operator_client.get("/admin/offers/offer/", {"q": "MYN300"}).content.decode()
    filtered = operator_client.get(
        "/admin/offers/offer/", {"status__exact": "active", "kind__exact": "deal"}
    ).content.decode()

    assert "Myntra sale" in found and "Swiggy deal" not in found
    assert "Swiggy deal" in filtered and "Myntra sale" not in filtered


def test_the_offers_list_shows_narrow_columns_with_an_indian_end_date(operator_client):
    ends = timezone.make_aware(datetime(2027, 1, 26, 23, 59))
    OfferFactory(
        title="Republic Day sale",
        kind=OfferKind.CODE,
        code="RDAY500",
        discount_type=DiscountType.FIXED,
        discount_value=Decimal("500"),
        ends_at=ends,
    )

    html = operator_client.get("/admin/offers/offer/").content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert headers == ["title", "merchant", "kind", "discount", "code", "status", "ends", "clicks"]
    assert '<td class="field-ends">26 Jan 2027</td>' in html
    assert '<td class="field-discount">₹500.00 off</td>' in html


def test_clicks_are_read_only_in_the_back_office(operator_client):
    click = ClickFactory()

    assert operator_client.get("/admin/offers/click/add/").status_code == 403
    page = operator_client.get(f"/admin/offers/click/{click.pk}/change/").content.decode()
    assert 'type="submit"' not in page.split('id="content-main"', 1)[1].split("</form>")[0]


def test_offer_export_names_the_merchant_by_slug_and_keys_rows_by_public_id():
    offer = OfferFactory(merchant=MerchantFactory(name="Myntra"))

    dataset = OfferResource().export()

    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["public_id"] == str(offer.public_id)
    assert row["merchant"] == "myntra"


def test_offer_import_updates_by_public_id_and_creates_rows_without_one():
    merchant = MerchantFactory(name="Myntra")
    existing = OfferFactory(merchant=merchant, title="Old title")
    exported = OfferResource().export()
    row = dict(zip(exported.headers, exported[0], strict=True))
    dataset = tablib.Dataset(headers=exported.headers)
    dataset.append([{**row, "title": "New title"}[header] for header in exported.headers])
    new_row = {**row, "public_id": "", "title": "Brand new"}
    dataset.append([new_row[header] for header in exported.headers])

    result = OfferResource().import_data(dataset, raise_errors=True)

    assert not result.has_validation_errors()
    existing.refresh_from_db()
    assert existing.title == "New title"
    created = Offer.objects.get(title="Brand new")
    assert created.merchant == merchant
    assert created.public_id != existing.public_id and isinstance(created.public_id, uuid.UUID)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("code", "SAVE\u202e10"),
        ("code", "SAVE\x0010"),
        ("code", "SAVE 10"),
        ("discount_value", "1e20"),
        ("max_discount", "99999999999.99"),
    ],
)
def test_offer_import_refuses_a_bad_code_or_an_amount_too_large_for_its_column(column, value):
    offer = OfferFactory(merchant=MerchantFactory(name="Myntra"), code="SAVE10")
    exported = OfferResource().export()
    row = {**dict(zip(exported.headers, exported[0], strict=True)), column: value}
    dataset = tablib.Dataset(headers=exported.headers)
    dataset.append([row[header] for header in exported.headers])

    result = OfferResource().import_data(dataset)

    assert result.has_validation_errors()
    assert column in result.invalid_rows[0].field_specific_errors
    offer.refresh_from_db()
    assert offer.code == "SAVE10"


def test_merchant_import_refuses_a_tracking_url_without_the_click_id():
    dataset = tablib.Dataset(headers=["slug", "name", "website", "tracking_url_template"])
    dataset.append(["shop", "Shop", "https://shop.example/", "https://track.example/no-sub"])

    result = MerchantResource().import_data(dataset)

    assert result.has_validation_errors()
