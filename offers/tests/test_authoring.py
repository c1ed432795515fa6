"""Writing offers: create, change and move between statuses, with the model's and the
business rules' refusals by field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from catalog.tests.factories import MerchantFactory
from offers.authoring import OfferStatusRefused, offer_create, offer_set_status, offer_update
from offers.models import DiscountType, Offer, OfferKind, OfferStatus

pytestmark = pytest.mark.django_db


def fields(**overrides):
    now = timezone.now()
    values = {
        "kind": OfferKind.CODE,
        "title": "20% off shoes",
        "code": "SHOES20",
        "discount_type": DiscountType.PERCENTAGE,
        "discount_value": Decimal("20"),
        "starts_at": now,
        "ends_at": now + timedelta(days=30),
    }
    values.update(overrides)
    return values


def refusal(**overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        offer_create(merchant=MerchantFactory(), **fields(**overrides))
    return caught.value.message_dict


def test_offer_create_makes_a_draft_of_the_merchant():
    merchant = MerchantFactory()

    offer = offer_create(merchant=merchant, **fields())

    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert offer.merchant == merchant
    assert offer.title_en == "20% off shoes"
    assert offer.discount_value == Decimal("20.00")


def test_offer_create_writes_the_english_text_whatever_the_language_of_the_page():
    with override("hi"):
        offer = offer_create(merchant=MerchantFactory(), **fields(title="Diwali sale"))

    offer.refresh_from_db()
    assert offer.title_en == "Diwali sale"


def test_a_code_offer_needs_a_code():
    assert "code" in refusal(code="  ")


def test_a_unique_code_offer_takes_no_shared_code():
    assert "code" in refusal(kind=OfferKind.UNIQUE_CODE, code="SHARED")


def test_a_percentage_is_at_most_100():
    assert "discount_value" in refusal(discount_value=Decimal("100.01"))


def test_a_percentage_or_amount_needs_a_positive_value():
    assert "discount_value" in refusal(discount_value=None)
    assert "discount_value" in refusal(discount_type=DiscountType.FIXED, discount_value=Decimal(0))


def test_a_maximum_discount_only_for_a_percentage():
    errors = refusal(discount_type=DiscountType.FIXED, max_discount=Decimal("50"))

    assert list(errors) == ["max_discount"]


def test_the_offer_ends_after_it_starts():
    now = timezone.now()

    errors = refusal(starts_at=now, ends_at=now - timedelta(hours=1))

    assert "ends_at" in errors


@pytest.mark.parametrize("discount_type", [DiscountType.BOGO, DiscountType.FREE_SHIPPING])
def test_bogo_and_free_shipping_need_no_value(discount_type):
    offer = offer_create(
        merchant=MerchantFactory(),
        **fields(kind=OfferKind.DEAL, code="", discount_type=discount_type, discount_value=None),
    )

    assert offer.discount_value is None


def test_the_model_s_own_checks_are_field_messages_too():
    errors = refusal(title="", min_order=Decimal("-1"))

    assert "title" in errors
    assert "min_order" in errors


def test_offer_create_refuses_a_field_that_is_not_an_author_s():
    with pytest.raises(TypeError):
        offer_create(merchant=MerchantFactory(), views_count=5, **fields())


def test_offer_update_answers_old_and_new_of_changed_fields_only():
    offer = offer_create(merchant=MerchantFactory(), **fields())

    changed = offer_update(
        offer=offer,
        changes={"title": "25% off shoes", "discount_value": Decimal("25"), "code": "SHOES20"},
    )

    assert changed == {
        "title": ("20% off shoes", "25% off shoes"),
        "discount_value": (Decimal("20.00"), Decimal("25")),
    }
    offer.refresh_from_db()
    assert offer.title_en == "25% off shoes"
    assert offer.discount_value == Decimal("25.00")


def test_offer_update_with_nothing_new_writes_nothing():
    offer = offer_create(merchant=MerchantFactory(), **fields())
    before = Offer.objects.get(pk=offer.pk).updated_at

    assert offer_update(offer=offer, changes={"discount_value": 20, "description": None}) == {}
    assert Offer.objects.get(pk=offer.pk).updated_at == before


def test_a_refused_update_leaves_the_offer_as_it_was():
    offer = offer_create(merchant=MerchantFactory(), **fields())

    with pytest.raises(ValidationError) as caught:
        offer_update(offer=offer, changes={"discount_value": Decimal("150"), "title": "New"})

    assert "discount_value" in caught.value.message_dict
    assert offer.title_en == "20% off shoes"
    assert Offer.objects.get(pk=offer.pk).discount_value == Decimal("20.00")


def test_offer_set_status_walks_draft_active_paused_active_expired():
    offer = offer_create(merchant=MerchantFactory(), **fields())

    for status in (OfferStatus.ACTIVE, OfferStatus.PAUSED, OfferStatus.ACTIVE):
        offer_set_status(offer=offer, status=status)
        assert Offer.objects.get(pk=offer.pk).status == status
    offer_set_status(offer=offer, status=OfferStatus.EXPIRED)

    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OfferStatus.DRAFT, OfferStatus.PAUSED),
        (OfferStatus.EXPIRED, OfferStatus.ACTIVE),
        (OfferStatus.ACTIVE, OfferStatus.DRAFT),
    ],
)
def test_offer_set_status_refuses_a_move_the_states_do_not_allow(start, target):
    offer = offer_create(merchant=MerchantFactory(), status=start, **fields())

    with pytest.raises(OfferStatusRefused):
        offer_set_status(offer=offer, status=target)

    assert Offer.objects.get(pk=offer.pk).status == start


def test_publishing_rechecks_the_rules():
    offer = offer_create(merchant=MerchantFactory(), **fields())
    # A draft saved before a rule it now breaks (written behind the rules' back).
    Offer.objects.filter(pk=offer.pk).update(discount_value=Decimal("120"))

    with pytest.raises(ValidationError):
        offer_set_status(offer=offer, status=OfferStatus.ACTIVE)

    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DRAFT
