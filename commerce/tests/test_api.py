"""The shop API under /api/v1/: gift cards, the cart, checkout with the dev gateway, the
Razorpay webhook and the shopper's orders. Orders and codes are the signed-in shopper's own:
another shopper's answer 404 and nothing is written."""

import json
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts import tokens
from accounts.tests.factories import UserFactory
from catalog.models import ProductImage, VoucherCode, VoucherStatus
from catalog.tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    stock,
)
from commerce.api import WebhookThrottle
from commerce.gateways import gateway, sign
from commerce.models import (
    Cart,
    CartLine,
    DevGatewayOrder,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    WebhookEvent,
)
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind, Posting

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
CART = "/api/v1/cart/"
VALIDATE = "/api/v1/cart/validate/"
CHECKOUT = "/api/v1/checkout/orders/"
VERIFY = "/api/v1/checkout/verify/"
WEBHOOK = "/api/v1/payments/razorpay/webhook/"
ORDERS = "/api/v1/orders/"


@pytest.fixture
def user():
    return UserFactory(email="asha@example.in")


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def stranger():
    return UserFactory()


@pytest.fixture
def stranger_api(stranger):
    client = APIClient()
    client.force_authenticate(stranger)
    return client


@pytest.fixture
def card():
    """A ₹500 card sold for ₹490, 1 to 5 per order, 3 codes in stock."""
    variant = VariantFactory(sku="amazon-pay-500", product__name="Amazon Pay")
    stock(variant, 3)
    return variant


def error(response) -> dict:
    return response.json()["error"]


def place(api, key="order-1", **body):
    return api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def pay_and_verify(api, order_body):
    dev = gateway().pay(gateway_order_id=order_body["payment"]["gateway_order_id"], succeed=True)
    return api.post(VERIFY, dev.callback, format="json"), dev


def post_webhook(client, body: bytes, signature: str, event_id: str):
    return client.generic(
        "POST",
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=signature,
        HTTP_X_RAZORPAY_EVENT_ID=event_id,
    )


def money_trail() -> tuple[int, int, int]:
    return Posting.objects.count(), WebhookEvent.objects.count(), Payment.objects.count()


# --- Gift cards --------------------------------------------------------------------------------


def test_products_lists_gift_cards_with_brand_category_image_and_denominations():
    # given a card in two denominations, one of them in stock, with an image
    product = ProductFactory(name="Flipkart", merchant__name="Flipkart", category__name="Shopping")
    low = VariantFactory(product=product, sku="flipkart-100", face_value="100.00", price="98.00")
    VariantFactory(product=product, sku="flipkart-500", face_value="500.00", price="490.00")
    stock(low, 2)
    ProductImage.objects.create(product=product, image="gift-cards/flipkart.png", position=0)

    # when anyone, signed out, lists gift cards
    response = APIClient().get(PRODUCTS)

    # then the card shows its parts, money as strings, lowest face value first
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["slug"] == product.slug
    assert item["name"] == "Flipkart"
    assert (item["brand"]["slug"], item["brand"]["name"]) == ("flipkart", "Flipkart")
    assert item["category"] == {"slug": "shopping", "name": "Shopping"}
    assert item["image_url"] == "http://testserver/media/gift-cards/flipkart.png"
    assert item["best_saving_pct"] == "2.00"
    assert item["denominations"] == [
        {
            "sku": "flipkart-100",
            "face_value": "100.00",
            "price": "98.00",
            "stock": 2,
            "min_quantity": 1,
            "max_quantity": 5,
        },
        {
            "sku": "flipkart-500",
            "face_value": "500.00",
            "price": "490.00",
            "stock": 0,
            "min_quantity": 1,
            "max_quantity": 5,
        },
    ]


def test_products_filter_by_category_brand_and_words():
    food = CategoryFactory(name="Food")
    swiggy = VariantFactory(product__name="Swiggy Money", product__category=food).product
    zomato = VariantFactory(
        product__name="Zomato", product__merchant=MerchantFactory(name="Zomato Ltd")
    ).product
    VariantFactory(product__name="Myntra")

    def slugs(**params):
        return [item["slug"] for item in APIClient().get(PRODUCTS, params).json()["results"]]

    assert slugs(category="food") == [swiggy.slug]
    assert slugs(brand=zomato.merchant.slug) == [zomato.slug]
    assert slugs(q="swig") == [swiggy.slug]
    assert slugs(q="zomato ltd") == [zomato.slug]
    assert slugs(category="no-such-category") == []


def test_products_refuse_a_bad_filter_with_its_field():
    response = APIClient().get(PRODUCTS, {"q": "x" * 101, "brand": "not a slug!"})

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == {"q", "brand"}


def test_inactive_gift_cards_are_not_listed():
    VariantFactory(product__is_active=False)
    VariantFactory(product__merchant__is_active=False)

    assert APIClient().get(PRODUCTS).json()["count"] == 0


@pytest.mark.parametrize("page_size", [1, 6])
def test_products_run_four_queries_whatever_the_page_size(page_size, django_assert_num_queries):
    for n in range(6):
        variant = VariantFactory()
        VariantFactory(product=variant.product, face_value="1000.00", price="950.00")
        stock(variant, 1, prefix=f"P{n}X")
        ProductImage.objects.create(product=variant.product, image=f"gift-cards/{n}.png")
    client = APIClient()

    with django_assert_num_queries(4):  # count, page, denominations with stock, images
        response = client.get(PRODUCTS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_product_detail_adds_description_terms_redeeming_and_images(card):
    product = card.product
    product.how_to_redeem = "Add it to your Amazon Pay balance."
    product.save()
    ProductImage.objects.create(product=product, image="gift-cards/b.png", alt="Back", position=2)
    ProductImage.objects.create(product=product, image="gift-cards/a.png", alt="Front", position=1)

    response = APIClient().get(f"{PRODUCTS}{product.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["description"] == product.description
    assert body["terms"] == product.terms
    assert body["how_to_redeem"] == "Add it to your Amazon Pay balance."
    assert [image["alt"] for image in body["images"]] == ["Front", "Back"]
    assert [image["url"] for image in body["images"]] == [
        "http://testserver/media/gift-cards/a.png",
        "http://testserver/media/gift-cards/b.png",
    ]
    assert body["image_url"] == "http://testserver/media/gift-cards/a.png"
    assert [(d["sku"], d["stock"]) for d in body["denominations"]] == [("amazon-pay-500", 3)]


@pytest.mark.parametrize("active", [True, False])
def test_product_detail_of_an_unknown_or_inactive_card_is_404(active):
    hidden = VariantFactory(product__is_active=False).product
    slug = "no-such-card" if active else hidden.slug

    response = APIClient().get(f"{PRODUCTS}{slug}/")

    assert response.status_code == 404
    assert error(response)["code"] == "product_not_found"


# --- Cart --------------------------------------------------------------------------------------


def test_the_cart_needs_a_signed_in_user():
    response = APIClient().get(CART)

    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"


def test_an_empty_cart_is_answered_without_making_one(api):
    response = api.get(CART)

    assert response.status_code == 200
    body = response.json()
    assert body["lines"] == []
    assert (body["subtotal"], body["payable"], body["can_check_out"]) == ("0.00", "0.00", False)
    assert not Cart.objects.exists()


def test_adding_a_card_answers_the_priced_cart_with_money_as_strings(api, card):
    api.post(CART, {"sku": "amazon-pay-500"}, format="json")
    response = api.post(CART, {"sku": "amazon-pay-500", "quantity": 2}, format="json")

    assert response.status_code == 200
    body = response.json()
    [line] = body["lines"]
    assert line == {
        "sku": "amazon-pay-500",
        "product": {
            "slug": card.product.slug,
            "name": "Amazon Pay",
            "brand": {
                "slug": card.product.merchant.slug,
                "name": card.product.merchant.name,
                "logo_url": None,
                "brand_color": card.product.merchant.brand_color,
            },
            "image_url": None,
        },
        "face_value": "500.00",
        "unit_price": "490.00",
        "quantity": 3,
        "line_total": "1470.00",
        "discount": "0.00",
        "stock": 3,
        "problem": "",
    }
    assert (body["subtotal"], body["discount"], body["wallet"], body["payable"]) == (
        "1470.00",
        "0.00",
        "0.00",
        "1470.00",
    )
    assert (body["item_count"], body["problems"], body["can_check_out"]) == (3, {}, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 1}, "sku"),
        ({"sku": "amazon-pay-500", "quantity": 0}, "quantity"),
        ({"sku": "amazon-pay-500", "quantity": -1}, "quantity"),
        ({"sku": "amazon-pay-500", "quantity": "abc"}, "quantity"),
        ({"sku": "not a sku!", "quantity": 1}, "sku"),
    ],
)
def test_adding_refuses_bad_input_with_the_fields_message(api, card, body, field):
    response = api.post(CART, body, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert list(error(response)["fields"]) == [field]
    assert not CartLine.objects.exists()


def test_adding_more_than_the_per_order_limit_is_refused_on_quantity(api, card):
    response = api.post(CART, {"sku": "amazon-pay-500", "quantity": 999}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "cart_invalid"
    assert "between 1 and 5" in error(response)["fields"]["quantity"][0]
    assert not CartLine.objects.exists()


def test_adding_an_unknown_or_unsold_sku_is_refused_on_sku(api):
    unsold = VariantFactory(is_active=False)

    for sku in ("no-such-card-100", unsold.sku):
        response = api.post(CART, {"sku": sku, "quantity": 1}, format="json")

        assert response.status_code == 400
        assert error(response)["code"] == "product_not_found"
        assert list(error(response)["fields"]) == ["sku"]
    assert not CartLine.objects.exists()


def test_patch_sets_a_quantity_and_zero_removes_the_line(api, user, card):
    cart_with(user, (card, 1))

    set_to_4 = api.patch(CART, {"sku": "amazon-pay-500", "quantity": 4}, format="json")
    removed = api.patch(CART, {"sku": "amazon-pay-500", "quantity": 0}, format="json")

    assert set_to_4.status_code == 200
    assert [line["quantity"] for line in set_to_4.json()["lines"]] == [4]
    assert removed.status_code == 200
    assert removed.json()["lines"] == []


def test_patch_applies_and_removes_a_promo_code(api, user, card):
    cart_with(user, (card, 2))
    PromoCodeFactory(code="SAVE10", max_discount=Decimal("50.00"))

    applied = api.patch(CART, {"promo_code": " save10 "}, format="json").json()
    removed = api.patch(CART, {"promo_code": ""}, format="json").json()

    assert (applied["promo_code"], applied["discount"], applied["payable"]) == (
        "SAVE10",
        "50.00",
        "930.00",
    )
    assert applied["promo_text"].startswith("10% off")
    assert [line["discount"] for line in applied["lines"]] == ["50.00"]
    assert (removed["promo_code"], removed["discount"]) == (None, "0.00")


def test_patch_refuses_an_unknown_promo_code_on_its_field(api, user, card):
    cart_with(user, (card, 1))

    response = api.patch(CART, {"promo_code": "NOPE"}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "promo_invalid"
    assert "NOPE" in error(response)["fields"]["promo_code"][0]


def test_a_refused_patch_changes_nothing_else_of_the_same_request(api, user, card):
    cart_with(user, (card, 1))

    response = api.patch(
        CART, {"sku": "amazon-pay-500", "quantity": 3, "promo_code": "NOPE"}, format="json"
    )

    assert response.status_code == 400
    assert CartLine.objects.get().quantity == 1


def test_patch_turns_the_wallet_on_and_it_pays_its_share(api, user, card):
    wallet_credit(user, "100.00")
    cart_with(user, (card, 1))

    body = api.patch(CART, {"use_wallet": True}, format="json").json()

    assert (body["use_wallet"], body["wallet_available"]) == (True, "100.00")
    assert (body["wallet"], body["payable"]) == ("100.00", "390.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"sku": "amazon-pay-500"}, "quantity"),
        ({"quantity": 2}, "sku"),
        ({"use_wallet": "maybe"}, "use_wallet"),
    ],
)
def test_patch_refuses_incomplete_changes(api, card, body, field):
    response = api.patch(CART, body, format="json")

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]


def test_delete_with_a_sku_removes_that_line_only(api, user, card):
    other = VariantFactory(sku="swiggy-250")
    cart_with(user, (card, 1), (other, 2))

    response = api.delete(f"{CART}?sku=amazon-pay-500")

    assert response.status_code == 200
    assert [line["sku"] for line in response.json()["lines"]] == ["swiggy-250"]


def test_delete_without_a_sku_empties_the_cart_promo_and_wallet(api, user, card):
    cart_with(user, (card, 1), promo=PromoCodeFactory(), use_wallet=True)

    body = api.delete(CART).json()

    assert (body["lines"], body["promo_code"], body["use_wallet"]) == ([], None, False)
    cart = Cart.objects.get(user=user)
    assert (cart.lines.count(), cart.promo_code_id, cart.use_wallet) == (0, None, False)


def test_the_priced_cart_lists_each_problem_by_field(api, user, card):
    sold_out = VariantFactory(sku="sold-out-100")
    cart_with(user, (card, 4), (sold_out, 1))

    body = api.get(CART).json()

    assert body["can_check_out"] is False
    assert body["problems"] == {
        "lines.amazon-pay-500": ["Only 3 left."],
        "lines.sold-out-100": ["Out of stock. Remove it to continue."],
    }
    assert [line["problem"] for line in body["lines"]] == [
        "Only 3 left.",
        "Out of stock. Remove it to continue.",
    ]


def test_a_jwt_access_token_opens_the_cart(user, card):
    access = tokens.tokens_issue(user=user)["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = client.post(CART, {"sku": "amazon-pay-500"}, format="json")

    assert response.status_code == 200
    assert CartLine.objects.get(cart__user=user).quantity == 1


def test_a_session_cart_write_keeps_the_pages_badge_count(user, card):
    client = APIClient()
    client.force_login(user)

    client.post(CART, {"sku": "amazon-pay-500", "quantity": 2}, format="json")

    assert client.session["commerce_cart_count"] == 2


# --- Validate ----------------------------------------------------------------------------------


def test_validate_answers_the_breakdown_after_applying_promo_and_wallet(api, user, card):
    wallet_credit(user, "100.00")
    cart_with(user, (card, 2))
    PromoCodeFactory(code="SAVE10", max_discount=Decimal("50.00"))

    response = api.post(VALIDATE, {"promo_code": "SAVE10", "use_wallet": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["subtotal"], body["discount"], body["wallet"], body["payable"]) == (
        "980.00",
        "50.00",
        "100.00",
        "830.00",
    )
    assert body["can_check_out"] is True


def test_validate_lists_every_problem_at_once(api, user, card):
    sold_out = VariantFactory(sku="sold-out-100")
    cart_with(user, (card, 4), (sold_out, 1))

    response = api.post(VALIDATE, {"promo_code": "NOPE"}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "cart_invalid"
    assert set(error(response)["fields"]) == {
        "lines.amazon-pay-500",
        "lines.sold-out-100",
        "promo_code",
    }


def test_validate_reports_a_promo_that_no_longer_applies(api, user, card):
    promo = PromoCodeFactory(min_order=Decimal("2000.00"))
    cart_with(user, (card, 1), promo=promo)

    response = api.post(VALIDATE, format="json")

    assert response.status_code == 400
    assert "more of eligible gift cards" in error(response)["fields"]["promo_code"][0]


def test_validate_an_empty_cart_is_refused(api):
    response = api.post(VALIDATE, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "cart_empty"


# --- Checkout ----------------------------------------------------------------------------------


def test_checkout_places_the_order_and_answers_what_razorpay_checkout_needs(api, user, card):
    # given 2 cards in the cart
    cart_with(user, (card, 2))

    # when the app places the order
    response = place(api, phone="98123 45678")

    # then the order awaits payment, with the options for the Razorpay SDK
    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get()
    assert body["number"] == order.number
    assert (body["status"], body["total"], body["gateway_amount"]) == (
        "pending_payment",
        "980.00",
        "980.00",
    )
    assert (body["email"], body["phone"]) == ("asha@example.in", "+919812345678")
    assert body["payment"] == {
        "gateway": "dev",
        "key_id": gateway().key_id,
        "gateway_order_id": order.payments.get().gateway_order_id,
        "amount": 98000,
        "currency": "INR",
        "name": "Coupzii",
        "description": f"Order {order.number}",
        "prefill": {"email": "asha@example.in", "contact": "+919812345678"},
        "pay_url": f"http://testserver/checkout/pay/{order.number}/",
    }
    assert [line["codes"] for line in body["lines"]] == [[]]
    assert [event["status"] for event in body["events"]] == ["pending_payment"]
    # and the cart is empty, the codes reserved
    assert not CartLine.objects.exists()
    assert VoucherCode.objects.filter(status=VoucherStatus.RESERVED).count() == 2


def test_checkout_retried_with_the_same_key_answers_200_with_the_same_order(api, user, card):
    cart_with(user, (card, 1))
    first = place(api, key="tap-1")
    written = (Order.objects.count(), *money_trail())

    again = place(api, key="tap-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["payment"] == first.json()["payment"]
    assert (Order.objects.count(), *money_trail()) == written


def test_checkout_with_a_used_key_and_a_new_cart_is_refused(api, user, card):
    cart_with(user, (card, 1))
    place(api, key="tap-1")
    cart_with(user, (card, 1))

    response = place(api, key="tap-1")

    assert response.status_code == 409
    assert error(response)["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency_key_required"),
        ("  ", "idempotency_key_required"),
        ("k" * 101, "invalid_idempotency_key"),
    ],
)
def test_checkout_needs_an_idempotency_key_of_at_most_100_characters(api, user, card, key, code):
    cart_with(user, (card, 1))
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}

    response = api.post(CHECKOUT, {}, format="json", **headers)

    assert response.status_code == 400
    assert error(response)["code"] == code
    assert list(error(response)["fields"]) == ["Idempotency-Key"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"email": "not-an-email"}, "email"), ({"phone": "12"}, "phone")],
)
def test_checkout_refuses_a_bad_contact(api, user, card, body, field):
    cart_with(user, (card, 1))

    response = place(api, **body)

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]
    assert not Order.objects.exists()


def test_checkout_of_an_empty_cart_is_refused(api):
    response = place(api)

    assert response.status_code == 400
    assert error(response)["code"] == "cart_empty"


def test_checkout_refuses_a_cart_with_problems_and_keeps_it(api, user, card):
    cart_with(user, (card, 4))

    response = place(api)

    assert response.status_code == 400
    assert error(response)["code"] == "cart_invalid"
    assert error(response)["fields"] == {"lines.amazon-pay-500": ["Only 3 left."]}
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 4


def test_checkout_paid_by_the_wallet_delivers_at_once_with_the_codes(
    api, user, card, django_capture_on_commit_callbacks
):
    wallet_credit(user, "490.00")
    cart_with(user, (card, 1), use_wallet=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = place(api)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["wallet_amount"], body["payment"]) == (
        "fulfilled",
        "490.00",
        None,
    )
    [code] = body["lines"][0]["codes"]
    delivered = VoucherCode.objects.get(status=VoucherStatus.DELIVERED)
    assert (code["code"], code["pin"]) == (delivered.code, delivered.pin)
    assert "no-store" in response["Cache-Control"]
    assert ledger_problems() == []


# --- Paying: verify and webhook ----------------------------------------------------------------


def test_place_pay_and_verify_through_the_api_delivers_the_codes(
    api, user, card, django_capture_on_commit_callbacks
):
    # given an order placed through the API, partly paid from the wallet
    wallet_credit(user, "100.00")
    cart_with(user, (card, 2), use_wallet=True)
    placed = place(api).json()
    assert placed["payment"]["amount"] == 88000

    # when the shopper pays on the dev gateway and the app sends Checkout's answer
    with django_capture_on_commit_callbacks(execute=True):
        verified, _dev = pay_and_verify(api, placed)

    # then the order is delivered, and its page shows the codes, never cached
    assert verified.status_code == 200
    assert verified.json()["status"] == "fulfilled"
    assert verified.json()["payment"] is None
    detail = api.get(f"{ORDERS}{placed['number']}/")
    assert detail.status_code == 200
    assert "no-store" in detail["Cache-Control"]
    body = detail.json()
    assert [event["status"] for event in body["events"]] == [
        "pending_payment",
        "paid",
        "fulfilled",
    ]
    codes = body["lines"][0]["codes"]
    delivered = VoucherCode.objects.filter(status=VoucherStatus.DELIVERED)
    assert sorted((c["code"], c["pin"]) for c in codes) == sorted(
        (code.code, code.pin) for code in delivered
    )
    assert len(codes) == 2
    assert ledger.balances(user)[AccountKind.HELD] == 0
    assert ledger_problems() == []


def test_verify_sent_twice_changes_nothing_the_second_time(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    first, dev = pay_and_verify(api, placed)
    trail = money_trail()

    again = api.post(VERIFY, dev.callback, format="json")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["status"] == "fulfilled"
    assert money_trail() == trail


def test_verify_with_a_bad_signature_is_refused_and_writes_nothing(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    trail = money_trail()

    response = api.post(VERIFY, {**dev.callback, "razorpay_signature": "0" * 64}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "payment_invalid"
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get().status == PaymentStatus.CREATED
    assert money_trail() == trail


def test_verify_of_an_amount_off_by_one_paisa_is_refused(api, user, card):
    # given the gateway's order asks one paisa less than ours
    cart_with(user, (card, 1))
    placed = place(api).json()
    DevGatewayOrder.objects.update(amount_paise=48999)
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    trail = money_trail()

    response = api.post(VERIFY, dev.callback, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "payment_invalid"
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert money_trail() == trail


def test_verify_against_another_users_gateway_order_is_404_and_writes_nothing(
    api, user, card, stranger_api
):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    trail = money_trail()

    response = stranger_api.post(VERIFY, dev.callback, format="json")

    assert response.status_code == 404
    assert error(response)["code"] == "order_not_found"
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert money_trail() == trail


def test_verify_refuses_a_missing_field(api):
    response = api.post(VERIFY, {"razorpay_order_id": "order_x"}, format="json")

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"razorpay_payment_id", "razorpay_signature"}


def test_a_signed_webhook_delivers_the_order_and_a_replay_changes_nothing(
    api, user, card, django_capture_on_commit_callbacks
):
    # given an order paid on the dev gateway, whose browser never came back
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    # Razorpay's servers: no session, no JWT, no CSRF token
    razorpay = APIClient(enforce_csrf_checks=True)

    # when the webhook arrives, and again
    with django_capture_on_commit_callbacks(execute=True):
        first = post_webhook(
            razorpay, dev.webhook_body, dev.webhook_signature, dev.webhook_event_id
        )
    trail = money_trail()
    replay = post_webhook(razorpay, dev.webhook_body, dev.webhook_signature, dev.webhook_event_id)

    # then the order is delivered once
    assert (first.status_code, first.json()) == (200, {"status": "captured"})
    assert (replay.status_code, replay.json()) == (200, {"status": "captured"})
    assert money_trail() == trail
    assert WebhookEvent.objects.count() == 1
    assert Order.objects.get().status == OrderStatus.FULFILLED
    assert VoucherCode.objects.filter(status=VoucherStatus.DELIVERED).count() == 1
    assert ledger_problems() == []


def test_verify_after_the_webhook_changes_nothing(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    post_webhook(APIClient(), dev.webhook_body, dev.webhook_signature, dev.webhook_event_id)
    trail = money_trail()

    response = api.post(VERIFY, dev.callback, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "fulfilled"
    assert money_trail() == trail


def test_a_webhook_with_a_tampered_signature_or_body_is_refused_and_writes_nothing(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    tampered_body = dev.webhook_body.replace(b'"amount":49000', b'"amount":100')
    assert tampered_body != dev.webhook_body
    trail = money_trail()

    bad_signature = post_webhook(APIClient(), dev.webhook_body, "f" * 64, dev.webhook_event_id)
    bad_body = post_webhook(APIClient(), tampered_body, dev.webhook_signature, "evt_other")
    unsigned = post_webhook(APIClient(), dev.webhook_body, "", dev.webhook_event_id)

    for response in (bad_signature, bad_body, unsigned):
        assert response.status_code == 400
        assert error(response)["code"] == "webhook_invalid"
    assert not WebhookEvent.objects.exists()
    assert money_trail() == trail
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT


def test_the_webhook_checks_the_bytes_as_sent_not_a_re_encoding(api, user, card):
    # Razorpay signs its own serialisation; re-encoding the JSON would break the signature.
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    spaced = json.dumps(json.loads(dev.webhook_body), indent=2).encode()
    signature = sign(spaced.decode(), gateway().webhook_secret)

    response = post_webhook(APIClient(), spaced, signature, "evt_spaced")

    assert (response.status_code, response.json()) == (200, {"status": "captured"})


def test_the_webhook_ignores_a_browser_session_and_needs_no_csrf_token(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=True)
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)

    response = post_webhook(browser, dev.webhook_body, dev.webhook_signature, "evt_browser")

    assert (response.status_code, response.json()) == (200, {"status": "captured"})


def test_the_webhook_is_throttled_per_client_ip(monkeypatch):
    # The `payment_webhook` rate (1200 a minute) in production; three here.
    monkeypatch.setattr(WebhookThrottle, "rate", "3/minute", raising=False)
    client = APIClient()

    statuses = [post_webhook(client, b"{}", "f" * 64, "evt_x").status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 429]
    assert error(post_webhook(client, b"{}", "f" * 64, "evt_x"))["code"] == "throttled"


def test_a_failed_payment_webhook_fails_the_order(api, user, card):
    cart_with(user, (card, 1))
    placed = place(api).json()
    dev = gateway().pay(gateway_order_id=placed["payment"]["gateway_order_id"], succeed=False)

    response = post_webhook(
        APIClient(), dev.webhook_body, dev.webhook_signature, dev.webhook_event_id
    )

    assert response.json() == {"status": "payment failed"}
    body = api.get(f"{ORDERS}{placed['number']}/").json()
    assert (body["status"], body["payment"]) == ("failed", None)
    assert VoucherCode.objects.filter(status=VoucherStatus.AVAILABLE).count() == 3


# --- Orders ------------------------------------------------------------------------------------


def test_orders_lists_only_mine_newest_first(api, user, card, stranger, stranger_api):
    cart_with(user, (card, 1))
    older = place(api, key="a").json()["number"]
    cart_with(user, (card, 2))
    newer = place(api, key="b").json()["number"]
    other = VariantFactory()
    stock(other, 1)
    cart_with(stranger, (other, 1))
    place(stranger_api, key="a")

    body = api.get(ORDERS).json()

    assert body["count"] == 2
    assert [order["number"] for order in body["results"]] == [newer, older]
    first = body["results"][0]
    assert (first["status"], first["total"], first["item_count"]) == (
        "pending_payment",
        "980.00",
        2,
    )
    assert first["items"] == [
        {
            "sku": "amazon-pay-500",
            "product_slug": card.product.slug,
            "product_name": "Amazon Pay",
            "face_value": "500.00",
            "quantity": 2,
        }
    ]


@pytest.mark.parametrize("page_size", [1, 5])
def test_orders_run_three_queries_whatever_the_page_size(
    api, user, page_size, django_assert_num_queries
):
    for n in range(5):
        first, second = VariantFactory(), VariantFactory()
        stock(first, 1, prefix=f"A{n}X")
        stock(second, 1, prefix=f"B{n}X")
        cart_with(user, (first, 1), (second, 1))
        assert place(api, key=f"k{n}").status_code == 201

    with django_assert_num_queries(3):  # count, page, lines with their cards
        response = api.get(ORDERS, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_another_users_order_and_its_codes_answer_404(api, user, card, stranger_api):
    wallet_credit(user, "490.00")
    cart_with(user, (card, 1), use_wallet=True)
    number = place(api).json()["number"]

    theirs = stranger_api.get(f"{ORDERS}{number}/")
    unknown = api.get(f"{ORDERS}CZNOSUCH1/")

    assert (theirs.status_code, unknown.status_code) == (404, 404)
    assert error(theirs) == error(unknown)
    assert error(theirs)["code"] == "order_not_found"
    assert stranger_api.get(ORDERS).json()["count"] == 0


def test_order_detail_shows_refunds_and_codes_with_their_expiry(api, user):
    variant = VariantFactory()
    stock(variant, 1, expires_on=date(2099, 12, 31))
    wallet_credit(user, "490.00")
    cart_with(user, (variant, 1), use_wallet=True)
    number = place(api).json()["number"]

    body = api.get(f"{ORDERS}{number.lower()}/").json()

    [code] = body["lines"][0]["codes"]
    assert code["expires_on"] == "2099-12-31"
    assert (body["refunds"], body["refunded_amount"], body["lines"][0]["refunded"]) == (
        [],
        "0.00",
        False,
    )
