"""The coupons area's writes: create, change, publish/pause/resume/end, products, history."""

import json
from decimal import Decimal

import pytest

from brands.coupons import services
from brands.coupons.tests.conftest import coupon_fields
from brands.models import (
    BrandOffer,
    BrandProduct,
    BrandStatus,
    OfferChange,
    OfferChangeAction,
    Webhook,
    WebhookDelivery,
)
from brands.tests.factories import DepartmentFactory, brand_with_store, member
from offers.models import OfferStatus
from offers.services import OfferStatusRefused

pytestmark = pytest.mark.django_db


def create(brand, editor, merchant, **overrides):
    return services.coupon_create(
        brand=brand, actor=editor.user, **coupon_fields(merchant, **overrides)
    )


def test_coupon_create_makes_a_draft_of_the_brand_with_a_history_row(brand, store, editor):
    product = services.product_create(brand=brand, sku="SH-1", name="Runner")

    brand_offer = create(brand, editor, store, products=[product], total_stock=100)

    assert brand_offer.brand == brand
    assert brand_offer.offer.status == OfferStatus.DRAFT
    assert list(brand_offer.products.all()) == [product]
    [change] = OfferChange.objects.filter(offer=brand_offer.offer)
    assert change.action == OfferChangeAction.CREATED
    assert change.actor == editor.user
    assert change.changes["title"] == ["", "20% off shoes"]
    assert change.changes["products"] == ["", "Runner (SH-1)"]


def test_coupon_create_refuses_another_brand_s_store_department_and_products(brand, editor):
    other = brand_with_store()
    other_store = other.stores.get().merchant
    other_product = BrandProduct.objects.create(brand=other, sku="X", name="X")

    with pytest.raises(services.CouponInvalid) as caught:
        create(
            brand,
            editor,
            other_store,
            department=DepartmentFactory(brand=other),
            products=[other_product],
            discount_value=Decimal("120"),
        )

    assert set(caught.value.fields) >= {"merchant", "department", "products", "discount_value"}
    assert not BrandOffer.objects.exists()


def test_coupon_update_logs_old_and_new_values(brand, store, editor):
    brand_offer = create(brand, editor, store)

    changed = services.coupon_update(
        brand_offer=brand_offer,
        actor=editor.user,
        changes={"title": "25% off shoes", "discount_value": Decimal("25"), "uses_per_shopper": 2},
    )

    assert set(changed) == {"title", "discount_value", "uses_per_shopper"}
    change = OfferChange.objects.filter(action=OfferChangeAction.UPDATED).get()
    assert change.changes == {
        "title": ["20% off shoes", "25% off shoes"],
        "discount_value": ["20.00", "25"],
        "uses_per_shopper": ["1", "2"],
    }


def test_coupon_update_with_nothing_new_logs_nothing(brand, store, editor):
    brand_offer = create(brand, editor, store)

    assert (
        services.coupon_update(
            brand_offer=brand_offer, actor=editor.user, changes={"title": "20% off shoes"}
        )
        == {}
    )
    assert not OfferChange.objects.filter(action=OfferChangeAction.UPDATED).exists()


def test_the_kind_is_fixed_once_published(brand, store, editor):
    brand_offer = create(brand, editor, store)
    services.coupon_publish(brand_offer=brand_offer, actor=editor.user)

    with pytest.raises(services.CouponInvalid) as caught:
        services.coupon_update(
            brand_offer=brand_offer, actor=editor.user, changes={"kind": "deal", "code": ""}
        )

    assert "kind" in caught.value.fields


def test_an_ended_coupon_cannot_be_changed(brand, store, editor):
    brand_offer = create(brand, editor, store)
    services.coupon_end(brand_offer=brand_offer, actor=editor.user)

    with pytest.raises(services.CouponEnded):
        services.coupon_update(brand_offer=brand_offer, actor=editor.user, changes={"title": "x"})


def test_publish_pause_resume_end_each_append_history(brand, store, editor):
    brand_offer = create(brand, editor, store)

    services.coupon_publish(brand_offer=brand_offer, actor=editor.user)
    services.coupon_pause(brand_offer=brand_offer, actor=editor.user)
    services.coupon_resume(brand_offer=brand_offer, actor=editor.user)
    services.coupon_end(brand_offer=brand_offer, actor=editor.user)

    actions = list(
        OfferChange.objects.filter(offer=brand_offer.offer)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "published", "paused", "resumed", "ended"]
    brand_offer.offer.refresh_from_db()
    brand_offer.refresh_from_db()
    assert brand_offer.offer.status == OfferStatus.EXPIRED
    assert brand_offer.published_at is not None


@pytest.mark.parametrize("status", [BrandStatus.PENDING, BrandStatus.SUSPENDED])
def test_only_a_verified_brand_publishes(status):
    brand = brand_with_store(status=status)
    editor_user = member(brand).user
    brand_offer = services.coupon_create(
        brand=brand, actor=editor_user, **coupon_fields(brand.stores.get().merchant)
    )

    with pytest.raises(services.BrandNotVerified):
        services.coupon_publish(brand_offer=brand_offer, actor=editor_user)

    brand_offer.offer.refresh_from_db()
    assert brand_offer.offer.status == OfferStatus.DRAFT


def test_publishing_twice_announces_once(brand, store, editor):
    Webhook.objects.create(brand=brand, url="https://hooks.example/coupzii", secret="s")
    brand_offer = create(brand, editor, store)

    services.coupon_publish(brand_offer=brand_offer, actor=editor.user)
    services.coupon_publish(brand_offer=brand_offer, actor=editor.user)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "coupon.approved"
    assert str(brand_offer.offer.public_id) in json.dumps(delivery.payload)
    assert OfferChange.objects.filter(action=OfferChangeAction.PUBLISHED).count() == 1


def test_a_draft_cannot_be_paused(brand, store, editor):
    brand_offer = create(brand, editor, store)

    with pytest.raises(OfferStatusRefused):
        services.coupon_pause(brand_offer=brand_offer, actor=editor.user)


def test_product_sku_is_unique_in_the_brand(brand):
    services.product_create(brand=brand, sku="SH-1", name="Runner")

    with pytest.raises(services.CouponInvalid) as caught:
        services.product_create(brand=brand, sku="SH-1", name="Walker")

    assert "sku" in caught.value.fields
    # Another brand may use the same SKU.
    services.product_create(brand=brand_with_store(), sku="SH-1", name="Runner")
