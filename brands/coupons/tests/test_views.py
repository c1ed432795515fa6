"""The coupon pages: list with filters and scoping, create, edit, detail with history, the
status buttons, products."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands.coupons import services
from brands.coupons.tests.conftest import coupon_fields
from brands.models import BrandOffer, BrandStatus, DepartmentAccess, OfferChange, Role
from brands.tests.factories import (
    DepartmentFactory,
    brand_offer,
    brand_with_store,
    member,
    sign_in_member,
)
from offers.models import OfferStatus

pytestmark = pytest.mark.django_db


def url(brand, name, *args):
    return reverse(f"brands:{name}", args=[brand.slug, *args])


def form_data(merchant, **overrides):
    data = {
        "kind": "code",
        "title": "Flat 200 off",
        "code": "flat200",
        "discount_type": "fixed",
        "discount_value": "200",
        "min_order": "999",
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-31T23:59",
        "uses_per_shopper": "1",
        "store": merchant.brand_store.pk,
    }
    data.update(overrides)
    return data


def test_the_list_shows_an_empty_state_with_a_create_link(client, brand, editor):
    sign_in_member(client, editor)

    response = client.get(url(brand, "coupon_list"))

    assert response.status_code == 200
    assert "No coupons yet" in response.content.decode()
    assert url(brand, "coupon_create") in response.content.decode()


def test_the_list_filters_by_status_and_search(client, brand, editor):
    live = brand_offer(brand, title="Live one")
    draft = brand_offer(brand, title="Draft one", status=OfferStatus.DRAFT)
    sign_in_member(client, editor)

    drafts = client.get(url(brand, "coupon_list"), {"status": "draft"}).content.decode()
    searched = client.get(url(brand, "coupon_list"), {"q": "live"}).content.decode()

    assert draft.title in drafts and live.title not in drafts
    assert live.title in searched and draft.title not in searched


def test_a_department_limited_to_its_own_sees_only_its_offers(client, brand):
    own = DepartmentFactory(brand=brand, access=DepartmentAccess.OWN)
    mine = brand_offer(brand, department=own, title="Ours")
    theirs = brand_offer(brand, title="Someone else's")
    person = member(brand, Role.EDITOR, department=own)
    sign_in_member(client, person)

    page = client.get(url(brand, "coupon_list")).content.decode()

    assert mine.title in page and theirs.title not in page
    assert client.get(url(brand, "coupon_detail", theirs.public_id)).status_code == 404


def test_another_brand_s_coupon_is_404(client, brand, editor):
    other = brand_offer(brand_with_store())
    sign_in_member(client, editor)

    assert client.get(url(brand, "coupon_detail", other.public_id)).status_code == 404
    assert client.post(url(brand, "coupon_publish", other.public_id)).status_code == 404


def test_an_analyst_sees_the_list_but_may_not_create(client, brand, analyst):
    sign_in_member(client, analyst)

    assert client.get(url(brand, "coupon_list")).status_code == 200
    assert client.get(url(brand, "coupon_create")).status_code == 403


def test_create_saves_a_draft_and_shows_its_page(client, brand, store, editor):
    sign_in_member(client, editor)

    response = client.post(url(brand, "coupon_create"), form_data(store))

    created = BrandOffer.objects.select_related("offer").get()
    assert response.status_code == 302
    assert response.url == url(brand, "coupon_detail", created.offer.public_id)
    assert created.offer.status == OfferStatus.DRAFT
    assert created.offer.code == "FLAT200"
    page = client.get(response.url).content.decode()
    assert "Flat 200 off" in page and "Created" in page


def test_create_shows_the_rules_refusals_beside_the_fields(client, brand, store, editor):
    sign_in_member(client, editor)

    response = client.post(
        url(brand, "coupon_create"),
        form_data(store, discount_type="percentage", discount_value="150", max_discount=""),
    )

    assert response.status_code == 200
    assert "A percentage discount is at most 100." in response.content.decode()
    assert not BrandOffer.objects.exists()


def test_edit_changes_the_offer_and_the_history_shows_old_and_new(client, brand, store, editor):
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))
    sign_in_member(client, editor)
    public_id = created.offer.public_id
    form = client.get(url(brand, "coupon_edit", public_id))
    assert form.status_code == 200

    data = form_data(
        store,
        title="30% off shoes",
        code="SHOES30",
        discount_type="percentage",
        discount_value="30",
        min_order="",
    )
    response = client.post(url(brand, "coupon_edit", public_id), data)

    assert response.status_code == 302
    page = client.get(url(brand, "coupon_detail", public_id)).content.decode()
    assert "20% off shoes" in page and "30% off shoes" in page
    assert OfferChange.objects.filter(action="updated").count() == 1


def test_publish_pause_resume_end_buttons(client, brand, store, editor):
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))
    public_id = created.offer.public_id
    sign_in_member(client, editor)

    for action, status in [
        ("coupon_publish", OfferStatus.ACTIVE),
        ("coupon_pause", OfferStatus.PAUSED),
        ("coupon_resume", OfferStatus.ACTIVE),
        ("coupon_end", OfferStatus.EXPIRED),
    ]:
        response = client.post(url(brand, action, public_id))
        assert response.status_code == 302
        created.offer.refresh_from_db()
        assert created.offer.status == status


def test_an_unverified_brand_is_told_it_cannot_publish(client):
    brand = brand_with_store(status=BrandStatus.PENDING)
    editor = member(brand)
    store = brand.stores.get().merchant
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))
    sign_in_member(client, editor)

    response = client.post(url(brand, "coupon_publish", created.offer.public_id), follow=True)

    assert "Only a verified brand can publish" in response.content.decode()
    created.offer.refresh_from_db()
    assert created.offer.status == OfferStatus.DRAFT


def test_products_page_adds_lists_and_edits(client, brand, editor):
    sign_in_member(client, editor)

    assert "No products yet" in client.get(url(brand, "product_list")).content.decode()
    client.post(url(brand, "product_list"), {"sku": "SH-1", "name": "Runner", "price": "2999"})
    duplicate = client.post(url(brand, "product_list"), {"sku": "SH-1", "name": "Walker"})
    product = brand.products.get()
    client.post(url(brand, "product_edit", product.public_id), {"sku": "SH-1", "name": "Runner 2"})

    assert "already" in duplicate.content.decode()
    product.refresh_from_db()
    assert product.name == "Runner 2"
    assert product.price is None


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_page_holds(client, brand, editor):
    product = services.product_create(brand=brand, sku="SH-1", name="Runner")
    sign_in_member(client, editor)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(brand, "coupon_list")).status_code == 200
        return len(queries)

    brand_offer(brand).brand_link.products.add(product)
    client.get(url(brand, "coupon_list"))  # the session's first read
    one = queries_for_list()
    for _number in range(24):
        brand_offer(brand).brand_link.products.add(product)

    assert queries_for_list() == one
