"""The locker's services: adding by hand (checks, matching, worth), duplicates, changes, used,
delete, transfer, importing held codes, expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.services import code_digest
from catalog.tests.factories import CategoryFactory, MerchantFactory, VariantFactory, stock
from commerce.tests.factories import cart_with, pay, place
from marketplace.errors import (
    CodeAlreadyInLocker,
    CouponListed,
    CouponNotAvailable,
    LockerCouponInvalid,
)
from marketplace.locker import services
from marketplace.models import Benefit, CouponStatus, LockerCoupon, Source
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import CodeStatus
from offers.tests.books.factories import CouponBookFactory, CouponCodeFactory

pytestmark = pytest.mark.django_db


def add(owner, **fields):
    values = {"code": "SAVE20", "source": Source.MANUAL, "benefit": Benefit.FIXED}
    values["benefit_value"] = Decimal("200")
    values.update(fields)
    return services.locker_coupon_add(owner=owner, **values)


def field_errors(excinfo) -> dict:
    return excinfo.value.fields


# --- Adding ----------------------------------------------------------------------------------


def test_a_coupon_added_by_hand_is_active_normalised_and_encrypted():
    owner = UserFactory()
    coupon = add(owner, code="  save 20 ", store_name="Some corner shop")
    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.ACTIVE
    assert coupon.code == "SAVE20"
    assert coupon.code_digest == code_digest("SAVE20")
    assert coupon.store_label == "Some corner shop"
    assert coupon.worth == Decimal("200.00")


def test_save_20_and_SAVE20_have_one_digest_so_the_second_is_refused():
    owner = UserFactory()
    first = add(owner, code="save 20")
    assert first.code_digest == code_digest("SAVE20")
    with pytest.raises(CodeAlreadyInLocker):
        add(owner, code="SAVE20")
    assert LockerCoupon.objects.filter(owner=owner).count() == 1


def test_another_shopper_may_hold_the_same_code():
    add(UserFactory(), code="SAVE20")
    assert add(UserFactory(), code="SAVE20").pk


def test_bad_fields_are_refused_with_a_message_for_each_field():
    with pytest.raises(LockerCouponInvalid) as excinfo:
        add(
            UserFactory(),
            code="ab",
            benefit=Benefit.PERCENT,
            benefit_value=Decimal("120"),
            min_order=Decimal("-5"),
            expires_on=timezone.localdate() - timedelta(days=1),
            notes="x" * 2001,
        )
    errors = field_errors(excinfo)
    assert set(errors) == {"code", "benefit_value", "min_order", "expires_on", "notes"}
    assert excinfo.value.status_code == 400


def test_a_code_with_a_direction_character_or_too_long_is_refused():
    with pytest.raises(LockerCouponInvalid) as excinfo:
        add(UserFactory(), code="ABC\u202e123")
    assert "code" in field_errors(excinfo)
    with pytest.raises(LockerCouponInvalid):
        add(UserFactory(), code="A" * 65)


def test_a_percentage_or_fixed_coupon_needs_its_value():
    with pytest.raises(LockerCouponInvalid) as excinfo:
        add(UserFactory(), benefit=Benefit.PERCENT, benefit_value=None)
    assert "benefit_value" in field_errors(excinfo)


def test_an_amount_too_large_for_the_column_is_a_field_error():
    with pytest.raises(LockerCouponInvalid) as excinfo:
        add(UserFactory(), benefit_value=Decimal("10000000000"))
    assert "benefit_value" in field_errors(excinfo)


def test_worth_is_worked_out_from_what_the_coupon_gives():
    owner = UserFactory()
    percent = add(
        owner,
        code="PCT10",
        benefit=Benefit.PERCENT,
        benefit_value=Decimal("10"),
        max_discount=Decimal("150"),
    )
    uncapped = add(owner, code="PCT5", benefit=Benefit.PERCENT, benefit_value=Decimal("5"))
    bogo = add(owner, code="BOGO1", benefit=Benefit.BOGO, benefit_value=None)
    shipping = add(
        owner, code="SHIP1", benefit=Benefit.FREE_SHIPPING, benefit_value=None, worth="49"
    )
    assert percent.worth == Decimal("150.00")
    assert uncapped.worth is None
    assert bogo.worth is None
    assert shipping.worth == Decimal("49.00")


def test_worth_above_the_rupees_off_is_refused():
    with pytest.raises(LockerCouponInvalid) as excinfo:
        add(UserFactory(), benefit_value=Decimal("100"), worth=Decimal("150"))
    assert "worth" in field_errors(excinfo)


def test_the_store_name_is_matched_to_a_merchant_with_its_category():
    category = CategoryFactory()
    merchant = MerchantFactory(
        name="Myntra", slug="myntra", website="https://www.myntra.com/", categories=[category]
    )
    owner = UserFactory()
    by_name = add(owner, code="AAA111", store_name="  MYNTRA ")
    by_host = add(owner, code="AAA222", store_name="https://myntra.com/sale")
    unknown = add(owner, code="AAA333", store_name="Nowhere Mart")
    assert (by_name.merchant, by_name.category, by_name.store_name) == (merchant, category, "")
    assert by_host.merchant == merchant
    assert unknown.merchant is None and unknown.store_name == "Nowhere Mart"


def test_store_match_reads_names_slugs_and_hosts():
    merchant = MerchantFactory(name="Big Basket", slug="bigbasket", website="https://bigbasket.com")
    assert services.store_match("big basket") == merchant
    assert services.store_match("BigBasket") == merchant
    assert services.store_match("www.bigbasket.com") == merchant
    assert services.store_match("basket") is None
    assert services.store_match("") is None


def test_a_given_merchant_is_kept_and_the_typed_store_name_dropped():
    merchant = MerchantFactory()
    coupon = add(UserFactory(), merchant=merchant, store_name="whatever")
    assert coupon.merchant == merchant and coupon.store_name == ""


# --- Changing, using, deleting ---------------------------------------------------------------


def test_changing_the_code_digests_it_again():
    owner = UserFactory()
    coupon = add(owner, code="OLD111")
    coupon = services.locker_coupon_update(coupon=coupon, changes={"code": "new 222"})
    coupon.refresh_from_db()
    assert coupon.code == "NEW222"
    assert coupon.code_digest == code_digest("NEW222")


def test_changing_to_a_code_already_held_is_refused():
    owner = UserFactory()
    add(owner, code="ONE111")
    other = add(owner, code="TWO222")
    with pytest.raises(CodeAlreadyInLocker):
        services.locker_coupon_update(coupon=other, changes={"code": "one111"})


def test_changing_the_terms_works_out_worth_again():
    coupon = add(UserFactory(), benefit_value=Decimal("200"))
    coupon = services.locker_coupon_update(coupon=coupon, changes={"benefit_value": Decimal("50")})
    assert coupon.worth == Decimal("50.00")


def test_a_listed_coupon_cannot_be_changed_used_or_deleted():
    coupon = ListingFactory().coupon
    with pytest.raises(CouponListed):
        services.locker_coupon_update(coupon=coupon, changes={"notes": "x"})
    with pytest.raises(CouponListed):
        services.locker_coupon_mark_used(coupon=coupon)
    with pytest.raises(CouponListed):
        services.locker_coupon_delete(coupon=coupon)


def test_marking_used_sets_the_status_and_time_once():
    coupon = LockerCouponFactory()
    used = services.locker_coupon_mark_used(coupon=coupon)
    assert used.status == CouponStatus.USED and used.used_at
    again = services.locker_coupon_mark_used(coupon=coupon)
    assert again.used_at == used.used_at


def test_deleting_removes_a_coupon_never_listed():
    coupon = LockerCouponFactory()
    services.locker_coupon_delete(coupon=coupon)
    assert not LockerCoupon.objects.filter(pk=coupon.pk).exists()


def test_deleting_a_coupon_once_listed_keeps_it_hidden_for_the_listing_records():
    listing = ListingFactory(status="withdrawn")
    coupon = listing.coupon
    LockerCoupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.ACTIVE)
    services.locker_coupon_delete(coupon=coupon)
    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.GONE
    # and the shopper may add the code again
    assert add(coupon.owner, code=coupon.code).pk != coupon.pk


def test_sold_coupons_are_history_and_cannot_be_deleted():
    coupon = LockerCouponFactory(status=CouponStatus.SOLD)
    with pytest.raises(CouponNotAvailable):
        services.locker_coupon_delete(coupon=coupon)


# --- Transfer --------------------------------------------------------------------------------


def test_a_transfer_marks_the_old_row_and_gives_the_buyer_the_same_code():
    coupon = LockerCouponFactory(code="SELLME1", notes="my own note")
    buyer = UserFactory()
    received = services.locker_coupon_transfer(
        coupon=coupon, to_user=buyer, source=Source.BOUGHT, new_status_for_old=CouponStatus.SOLD
    )
    coupon.refresh_from_db()
    received.refresh_from_db()
    assert coupon.status == CouponStatus.SOLD
    assert (received.owner, received.source, received.status) == (
        buyer,
        Source.BOUGHT,
        CouponStatus.ACTIVE,
    )
    assert received.code == "SELLME1" and received.code_digest == coupon.code_digest
    assert (received.merchant_id, received.worth) == (coupon.merchant_id, coupon.worth)
    assert received.notes == ""  # the seller's notes are theirs


def test_a_swapped_coupon_comes_back_to_its_first_owner():
    first, second = UserFactory(), UserFactory()
    coupon = LockerCouponFactory(owner=first, code="ROUND1")
    there = services.locker_coupon_transfer(
        coupon=coupon, to_user=second, source=Source.SWAPPED, new_status_for_old=CouponStatus.GONE
    )
    back = services.locker_coupon_transfer(
        coupon=there, to_user=first, source=Source.SWAPPED, new_status_for_old=CouponStatus.GONE
    )
    assert back.owner == first and back.status == CouponStatus.ACTIVE


def test_a_transfer_to_someone_holding_the_code_is_refused():
    coupon = LockerCouponFactory(code="TWICE1")
    buyer = UserFactory()
    LockerCouponFactory(owner=buyer, code="twice1")
    with pytest.raises(CodeAlreadyInLocker):
        services.locker_coupon_transfer(
            coupon=coupon, to_user=buyer, source=Source.BOUGHT, new_status_for_old="sold"
        )


# --- Importing held codes --------------------------------------------------------------------


def claimed_code(user, **fields):
    category = CategoryFactory()
    book = CouponBookFactory(offer__category=category)
    values = {"status": CodeStatus.ASSIGNED, "claim_slot": 1, "claimed_at": timezone.now()}
    return CouponCodeFactory(book=book, holder=user, **{**values, **fields})


def delivered_gift_card(user):
    variant = VariantFactory()
    stock(variant, 1)
    cart_with(user, (variant, 1))
    order = place(user)
    pay(order)
    return variant


def test_import_adds_a_claimed_book_code_and_a_delivered_gift_card_once(
    django_capture_on_commit_callbacks,
):
    # given a shopper who claimed a book code and bought a ₹500 gift card
    user = UserFactory()
    book_code = claimed_code(user, code="BOOK-0001")
    with django_capture_on_commit_callbacks(execute=True):
        variant = delivered_gift_card(user)

    # when the locker imports what they hold, twice
    assert services.locker_import_held(user=user) == 2
    assert services.locker_import_held(user=user) == 0

    # then each is in the locker once, with where it came from
    claimed = LockerCoupon.objects.get(owner=user, source=Source.CLAIMED)
    gift = LockerCoupon.objects.get(owner=user, source=Source.GIFT_CARD)
    assert claimed.book_code == book_code and claimed.code == "BOOK-0001"
    assert claimed.merchant == book_code.book.offer.merchant
    assert claimed.category == book_code.book.offer.category
    assert claimed.worth == Decimal("100.00")
    assert gift.voucher_id is not None
    assert (gift.benefit, gift.worth) == (Benefit.FIXED, variant.face_value)
    assert gift.merchant == variant.product.merchant


def test_import_keeps_a_sold_book_code_sold():
    user = UserFactory()
    book_code = claimed_code(user)
    services.locker_import_held(user=user)
    LockerCoupon.objects.filter(owner=user).update(status=CouponStatus.SOLD)
    assert services.locker_import_held(user=user) == 0
    assert LockerCoupon.objects.get(owner=user).book_code == book_code


def test_import_links_a_code_the_shopper_typed_in_first():
    user = UserFactory()
    book_code = claimed_code(user, code="TYPED-0001")
    typed = add(user, code="typed-0001")
    assert services.locker_import_held(user=user) == 0
    typed.refresh_from_db()
    assert typed.book_code == book_code and typed.source == Source.MANUAL


def test_import_leaves_out_redeemed_and_expired_codes():
    user = UserFactory()
    claimed_code(user, status=CodeStatus.REDEEMED)
    expired = claimed_code(user)
    offer = expired.book.offer
    offer.ends_at = offer.starts_at + timedelta(hours=1)
    offer.save()
    assert services.locker_import_held(user=user) == 0


# --- Expiry ----------------------------------------------------------------------------------


def test_active_coupons_past_their_expiry_day_expire():
    today = timezone.localdate()
    past = LockerCouponFactory(expires_on=today - timedelta(days=1))
    today_ = LockerCouponFactory(expires_on=today)
    listed = LockerCouponFactory(expires_on=today - timedelta(days=1), status="listed")
    assert services.locker_expire_due() == 1
    past.refresh_from_db()
    today_.refresh_from_db()
    listed.refresh_from_db()
    assert past.status == CouponStatus.EXPIRED
    assert today_.status == CouponStatus.ACTIVE
    assert listed.status == CouponStatus.LISTED


def test_an_expired_coupon_given_a_later_expiry_is_active_again():
    coupon = LockerCouponFactory(
        status=CouponStatus.EXPIRED, expires_on=timezone.localdate() - timedelta(days=2)
    )
    later = timezone.localdate() + timedelta(days=5)
    coupon = services.locker_coupon_update(coupon=coupon, changes={"expires_on": later})
    assert coupon.status == CouponStatus.ACTIVE


def test_a_new_store_name_is_matched_again_with_its_category():
    category = CategoryFactory()
    merchant = MerchantFactory(name="Ajio", categories=[category])
    coupon = add(UserFactory(), store_name="Somewhere")
    coupon = services.locker_coupon_update(coupon=coupon, changes={"store_name": "AJIO"})
    assert (coupon.merchant, coupon.category, coupon.store_name) == (merchant, category, "")
