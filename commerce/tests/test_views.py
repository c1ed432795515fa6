"""The shop pages as a shopper uses them: gift cards, the cart (signed out too, merged at
sign-in), checkout through the dev gateway's pay page and the signed callback, and orders
with their codes, which nobody but the owner ever sees."""

import json
import re
from decimal import Decimal as D

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from catalog.models import ProductImage, VoucherCode, VoucherStatus
from catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    stock,
)
from commerce.gateways import gateway
from commerce.models import Cart, Order, OrderStatus, PaymentStatus
from commerce.services.cart import cart_of_user
from commerce.services.checkout import order_place
from commerce.services.fulfilment import order_cancel
from commerce.services.refunds import order_refund_lines
from commerce.session import COUNT_KEY
from commerce.tests.factories import PromoCodeFactory, cart_with, wallet_credit
from wallet.ledger import ledger_problems

pytestmark = pytest.mark.django_db

GIFT_CARDS = "/gift-cards/"
CART = "/cart/"
CART_LINE = "/cart/lines/"
CART_REMOVE = "/cart/lines/remove/"
PROMO = "/cart/promo/"
PROMO_REMOVE = "/cart/promo/remove/"
WALLET = "/cart/wallet/"
CHECKOUT = "/checkout/"
ORDERS = "/orders/"
MINUS, TIMES = "\u2212", "\u00d7"  # as the pages print them


@pytest.fixture
def user():
    return UserFactory(full_name="Asha Verma", phone="+919812345678")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def html_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def card(*, codes=5, face="500.00", price="490.00", **product_kwargs):
    """A gift card of one denomination with `codes` codes on sale."""
    product = ProductFactory(**product_kwargs)
    variant = VariantFactory(product=product, face_value=D(face), price=D(price))
    if codes:
        stock(variant, codes)
    return variant


def hidden_fields(html: str, form_testid: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*data-testid="{form_testid}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form {form_testid!r}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def unescape(value: str) -> str:
    import html

    return html.unescape(value)


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- /gift-cards/ ------------------------------------------------------------------------------


def test_gift_card_list_shows_each_card_with_its_lowest_price_and_best_saving():
    product = ProductFactory(name="Amazon Pay Gift Card", merchant__name="Amazon")
    for face, price in (("500.00", "490.00"), ("1000.00", "960.00")):
        stock(VariantFactory(product=product, face_value=D(face), price=D(price)), 2)

    html = html_of(Client().get(GIFT_CARDS))

    assert "Amazon Pay Gift Card" in html
    assert "Save up to 4%" in html  # ₹40 off ₹1,000, rounded down
    assert "From <strong>₹490.00</strong>" in html
    assert "₹500.00 · ₹1,000.00" in html
    assert 'href="/gift-cards/amazon-pay-gift-card/"' in html
    assert "1 gift card" in html


def test_a_card_with_no_codes_left_says_out_of_stock_in_the_grid():
    card(codes=0, name="Myntra Gift Card")

    html = html_of(Client().get(GIFT_CARDS))

    assert "Myntra Gift Card" in html
    assert "Out of stock" in html


def test_gift_card_list_filters_by_category_brand_and_search():
    food = CategoryFactory(name="Food")
    swiggy = card(name="Swiggy Money", category=food, merchant__name="Swiggy")
    card(name="Nykaa Card", merchant__name="Nykaa")
    client = Client()

    by_category = html_of(client.get(GIFT_CARDS, {"category": food.slug}))
    by_brand = html_of(client.get(GIFT_CARDS, {"brand": swiggy.product.merchant.slug}))
    by_search = html_of(client.get(GIFT_CARDS, {"q": "nykaa"}))

    assert "Swiggy Money" in by_category and "Nykaa Card" not in by_category
    assert "Swiggy Money" in by_brand and "Nykaa Card" not in by_brand
    assert "Nykaa Card" in by_search and "Swiggy Money" not in by_search
    assert "Clear all" in by_search


def test_an_unknown_category_in_the_link_is_ignored():
    card(name="Swiggy Money")

    html = html_of(Client().get(GIFT_CARDS, {"category": "no-such-thing"}))

    assert "Swiggy Money" in html


def test_gift_card_list_empty_states():
    empty = html_of(Client().get(GIFT_CARDS))
    card(name="Swiggy Money")
    no_match = html_of(Client().get(GIFT_CARDS, {"q": "zzz"}))

    assert "No gift cards yet" in empty
    assert "No gift cards match" in no_match
    assert "Show every gift card" in no_match


@pytest.mark.parametrize("cards", [2, 24])
def test_gift_card_list_runs_the_same_queries_whatever_the_page_holds(
    cards, django_assert_num_queries
):
    for n in range(cards):
        variant = card(name=f"Card {n}")
        VariantFactory(product=variant.product, face_value=D("1000.00"), price=D("950.00"))
        ProductImage.objects.create(product=variant.product, image="gift-cards/x.png")

    # categories, brands, count, page, denominations with their stock, images
    with django_assert_num_queries(6):
        assert Client().get(GIFT_CARDS).status_code == 200


# --- /gift-cards/<slug>/ -----------------------------------------------------------------------


def test_product_page_shows_each_amount_with_price_saving_and_stock():
    product = ProductFactory(
        name="Flipkart Gift Card",
        how_to_redeem="Add it under Gift Cards at checkout.",
        terms="Valid for a year.",
    )
    stock(VariantFactory(product=product, face_value=D("500"), price=D("480")), 3)
    stock(VariantFactory(product=product, face_value=D("1000"), price=D("950")), 40)
    VariantFactory(product=product, face_value=D("2000"), price=D("1900"))  # no codes

    html = html_of(Client().get(f"/gift-cards/{product.slug}/"))

    assert "Pay ₹480.00" in html and "Save ₹20.00 (4%)" in html
    assert "Only 3 left" in html
    assert "In stock" in html
    assert "Out of stock" in html
    out_of_stock = re.search(r'<input[^>]*value="[^"]*"[^>]*\bdisabled\b[^>]*>', html)
    assert out_of_stock and 'data-max="0"' in out_of_stock.group(0)
    assert "Add it under Gift Cards at checkout." in html
    assert "Valid for a year." in html
    assert 'name="quantity"' in html


def test_product_page_without_images_draws_a_card_in_the_brand_colour():
    variant = card(merchant__name="Tanishq", merchant__brand_color="#7a1f2b")

    html = html_of(Client().get(f"/gift-cards/{variant.product.slug}/"))

    assert "cz-gc-art-drawn" in html
    assert ".cz-brand-7a1f2b{--cz-logo-bg:#7a1f2b;--cz-logo-fg:#ffffff;--cz-gc-bg:#7a1f2b;" in html
    assert '<span class="cz-gc-art-brand">Tanishq</span>' in html


def test_product_page_shows_the_first_image_large():
    variant = card()
    ProductImage.objects.create(product=variant.product, image="gift-cards/b.png", position=2)
    ProductImage.objects.create(product=variant.product, image="gift-cards/a.png", position=1)

    html = html_of(Client().get(f"/gift-cards/{variant.product.slug}/"))

    first_art = re.search(r'cz-gc-art-lg.*?<img src="([^"]+)"', html, re.S)
    assert first_art and first_art.group(1).endswith("gift-cards/a.png")


def test_an_inactive_or_unknown_gift_card_is_not_found():
    variant = card(is_active=False)

    assert Client().get(f"/gift-cards/{variant.product.slug}/").status_code == 404
    assert Client().get("/gift-cards/nothing-here/").status_code == 404


def test_add_to_cart_signed_out_keeps_the_cart_in_the_session_and_counts_it():
    variant = card(name="Zomato Card")
    client = Client()

    response = client.post(
        f"/gift-cards/{variant.product.slug}/", {"sku": variant.sku, "quantity": 2}
    )

    assert response.status_code == 302 and response["Location"] == CART
    assert client.session[COUNT_KEY] == 2
    cart = Cart.objects.get()
    assert cart.user is None and cart.lines.get().quantity == 2
    page = client.get(CART)
    html = html_of(page)
    assert messages_of(response) == ["Added to your cart: Zomato Card ₹500.00, quantity 2."]
    assert 'data-testid="cart-count">2<' in html
    assert "Sign in to use your wallet balance" in html
    assert f"/accounts/login/?next={reverse('commerce:checkout').replace('/', '%2F')}" in html


def test_adding_the_same_amount_again_adds_up_within_the_limit():
    variant = card()
    client = Client()
    url = f"/gift-cards/{variant.product.slug}/"

    client.post(url, {"sku": variant.sku, "quantity": 3})
    refused = client.post(url, {"sku": variant.sku, "quantity": 3})

    assert refused.status_code == 400
    assert "Choose between 1 and 5 of this card per order." in html_of(refused)
    assert Cart.objects.get().lines.get().quantity == 3


def test_add_to_cart_refuses_quantities_outside_the_limits():
    variant = card(codes=50)
    url = f"/gift-cards/{variant.product.slug}/"

    too_many = Client().post(url, {"sku": variant.sku, "quantity": 6})
    none = Client().post(url, {"sku": variant.sku, "quantity": 0})

    assert too_many.status_code == 400
    assert "Choose between 1 and 5 of this card per order." in html_of(too_many)
    assert none.status_code == 400
    assert 'aria-invalid="true"' in html_of(none)
    assert not Cart.objects.filter(lines__isnull=False).exists()


def test_add_to_cart_refuses_an_amount_out_of_stock_or_more_than_is_left():
    variant = card(codes=2)
    gone = VariantFactory(product=variant.product, face_value=D("1000"), price=D("990"))
    url = f"/gift-cards/{variant.product.slug}/"

    sold_out = Client().post(url, {"sku": gone.sku, "quantity": 1})
    too_many = Client().post(url, {"sku": variant.sku, "quantity": 3})

    assert "This amount is out of stock. Choose another." in html_of(sold_out)
    assert "Only 2 of this amount left." in html_of(too_many)


def test_a_signed_out_cart_joins_the_users_cart_at_sign_in(user):
    # given a visitor's cart and the user's own cart, both holding cards
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    mine, theirs = card(), card()
    cart_with(user, (mine, 1))
    client = Client()
    client.post(f"/gift-cards/{theirs.product.slug}/", {"sku": theirs.sku, "quantity": 2})
    client.post(f"/gift-cards/{mine.product.slug}/", {"sku": mine.sku, "quantity": 2})

    # when the visitor signs in through the sign-in page
    response = client.post(
        reverse("account_login") + "?next=/checkout/",
        {"login": user.email, "password": PASSWORD},
    )

    # then one cart holds everything, and the badge counts it
    assert response.status_code == 302 and response["Location"] == "/checkout/"
    quantities = {line.variant_id: line.quantity for line in cart_of_user(user).lines.all()}
    assert quantities == {mine.pk: 3, theirs.pk: 2}
    assert Cart.objects.count() == 1
    assert client.session[COUNT_KEY] == 5


# --- /cart/ ------------------------------------------------------------------------------------


def test_an_empty_cart_links_to_the_gift_cards():
    html = html_of(Client().get(CART))

    assert "Your cart is empty" in html
    assert 'href="/gift-cards/"' in html


def test_cart_shows_lines_with_prices_and_the_summary(signed_in, user):
    variant = card(name="Myntra Card", face="1000.00", price="950.00")
    cart_with(user, (variant, 2))

    html = html_of(signed_in.get(CART))

    assert "Myntra Card" in html
    assert "₹950.00 each" in html
    assert 'data-testid="line-total">₹1,900.00<' in html
    assert 'data-testid="summary-payable">₹1,900.00<' in html
    assert "You save ₹100.00 on face value" in html
    assert 'href="/checkout/" data-testid="checkout"' in html


def test_plus_minus_and_remove_change_the_cart_and_the_badge(signed_in, user):
    variant = card(codes=10)
    cart_with(user, (variant, 2))

    signed_in.post(CART_LINE, {"sku": variant.sku, "quantity": 3})
    assert cart_of_user(user).lines.get().quantity == 3
    assert signed_in.session[COUNT_KEY] == 3

    signed_in.post(CART_LINE, {"sku": variant.sku, "quantity": 2})
    assert cart_of_user(user).lines.get().quantity == 2

    response = signed_in.post(CART_REMOVE, {"sku": variant.sku})
    assert response.status_code == 302
    assert not cart_of_user(user).lines.exists()
    assert signed_in.session[COUNT_KEY] == 0


def test_quantity_zero_removes_the_line(signed_in, user):
    variant = card()
    cart_with(user, (variant, 1))

    signed_in.post(CART_LINE, {"sku": variant.sku, "quantity": 0})

    assert not cart_of_user(user).lines.exists()


def test_a_quantity_beyond_the_limit_is_refused_with_a_message(signed_in, user):
    variant = card(codes=10)
    cart_with(user, (variant, 5))

    response = signed_in.post(CART_LINE, {"sku": variant.sku, "quantity": 6}, follow=True)

    assert "Choose between 1 and 5 of this card per order." in html_of(response)
    assert cart_of_user(user).lines.get().quantity == 5


def test_plus_is_disabled_at_the_most_per_order(signed_in, user):
    variant = card(codes=10)
    cart_with(user, (variant, 5))

    html = html_of(signed_in.get(CART))

    assert re.search(r'aria-label="One more"\s+disabled', html)


def test_a_line_with_too_few_codes_left_blocks_checkout_with_its_reason(signed_in, user):
    variant = card(codes=1)
    cart_with(user, (variant, 2))

    html = html_of(signed_in.get(CART))

    assert 'data-testid="line-problem">Only 1 left.<' in html
    assert re.search(r'<button[^>]*disabled[^>]*data-testid="checkout"', html)
    assert "Fix what is marked in your cart to check out." in html


def test_removing_a_card_no_longer_sold_works(signed_in, user):
    variant = card()
    cart_with(user, (variant, 1))
    variant.product.is_active = False
    variant.product.save()

    assert "This gift card is no longer sold" in html_of(signed_in.get(CART))
    signed_in.post(CART_REMOVE, {"sku": variant.sku})

    assert not cart_of_user(user).lines.exists()


def test_promo_code_applies_and_shows_its_discount(signed_in, user):
    cart_with(user, (card(), 2))
    PromoCodeFactory(code="FEST10", max_discount=D("50.00"))

    response = signed_in.post(PROMO, {"code": "fest10"}, follow=True)
    html = html_of(response)

    assert "Promo code FEST10 applied." in html
    assert 'data-testid="promo-applied">FEST10<' in html
    assert "10% off, up to ₹50.00" in html
    assert f'data-testid="summary-discount">{MINUS}₹50.00<' in html
    assert 'data-testid="summary-payable">₹930.00<' in html


def test_promo_code_errors_show_under_the_field(signed_in, user):
    cart_with(user, (card(), 1))
    PromoCodeFactory(code="OLD", is_active=False)

    unknown = signed_in.post(PROMO, {"code": "NOPE"})
    inactive = signed_in.post(PROMO, {"code": "OLD"})
    blank = signed_in.post(PROMO, {"code": ""})

    assert unknown.status_code == 400
    assert "NOPE is not a valid promo code." in html_of(unknown)
    assert "OLD is not a valid promo code." in html_of(inactive)
    assert "Enter a promo code." in html_of(blank)
    assert cart_of_user(user).promo_code is None


def test_a_promo_that_does_not_apply_blocks_checkout_until_removed(signed_in, user):
    cart_with(user, (card(), 1), promo=PromoCodeFactory(code="BIG", min_order=D("5000")))

    html = html_of(signed_in.get(CART))
    assert "Add ₹4,510.00 more of eligible gift cards to use BIG." in html
    assert re.search(r'<button[^>]*disabled[^>]*data-testid="checkout"', html)

    signed_in.post(PROMO_REMOVE)
    assert cart_of_user(user).promo_code is None
    assert 'href="/checkout/" data-testid="checkout"' in html_of(signed_in.get(CART))


def test_wallet_toggle_spends_the_balance(signed_in, user):
    wallet_credit(user, "100.00")
    cart_with(user, (card(), 1))

    assert "Use wallet balance (₹100.00 available)" in html_of(signed_in.get(CART))
    signed_in.post(WALLET, {"use": "on"})
    on = html_of(signed_in.get(CART))
    signed_in.post(WALLET, {})
    off = html_of(signed_in.get(CART))

    assert f'data-testid="summary-wallet">{MINUS}₹100.00<' in on
    assert 'data-testid="summary-payable">₹390.00<' in on
    assert "summary-wallet" not in off


def test_the_wallet_toggle_asks_a_visitor_to_sign_in():
    response = Client().post(WALLET, {"use": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_header_badge_reads_the_count_from_the_session(signed_in, user):
    cart_with(user, (card(), 3))
    signed_in.get(CART)  # heals the count kept in the session

    html = html_of(signed_in.get(GIFT_CARDS))

    assert 'data-testid="cart-count">3<' in html
    assert "Cart, 3 items" in html


# --- /checkout/ --------------------------------------------------------------------------------


def test_checkout_needs_sign_in():
    response = Client().get(CHECKOUT)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/checkout/"


def test_checkout_prefills_the_delivery_contact_and_a_fresh_key(signed_in, user):
    cart_with(user, (card(), 2))

    first = html_of(signed_in.get(CHECKOUT))
    second = html_of(signed_in.get(CHECKOUT))

    assert f'value="{user.email}"' in first
    assert 'value="+919812345678"' in first
    key = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')
    assert key.search(first).group(1) != key.search(second).group(1)
    assert "Pay ₹980.00" in first


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(signed_in):
    response = signed_in.get(CHECKOUT)

    assert response.status_code == 302 and response["Location"] == CART


def test_checkout_refuses_a_bad_email_or_phone(signed_in, user):
    cart_with(user, (card(), 1))

    response = signed_in.post(
        CHECKOUT, {"email": "not-an-email", "phone": "12", "idempotency_key": "k" * 32}
    )

    html = html_of(response)
    assert response.status_code == 400
    assert "Enter a valid email address." in html
    assert "Enter a valid phone number." in html
    assert not Order.objects.exists()


def _checkout(client, user, **data):
    fields = {"email": user.email, "phone": "", "idempotency_key": "key-1", **data}
    return client.post(CHECKOUT, fields)


def test_a_card_that_sold_out_meanwhile_sends_the_shopper_back_to_the_cart(signed_in, user):
    variant = card(codes=2)
    cart_with(user, (variant, 2))
    VoucherCode.objects.filter(pk=VoucherCode.objects.first().pk).update(status=VoucherStatus.VOID)

    response = _checkout(signed_in, user)

    assert response.status_code == 302 and response["Location"] == CART
    assert "Only 1 left." in messages_of(response)
    assert not Order.objects.exists()


def test_dev_gateway_pay_then_callback_fulfils_the_order_and_shows_the_codes(
    signed_in, user, django_capture_on_commit_callbacks
):
    # given 2 cards in the cart, ₹100 of it from the wallet
    wallet_credit(user, "100.00")
    variant = card(codes=3, name="Croma Card")
    variant.product.how_to_redeem = "Show the code at the till."
    variant.product.save()
    cart_with(user, (variant, 2), use_wallet=True)

    # when the shopper checks out...
    placed = _checkout(signed_in, user)
    order = Order.objects.get()
    assert placed["Location"] == f"/checkout/pay/{order.number}/"
    assert signed_in.session[COUNT_KEY] == 0
    assert (order.wallet_amount, order.gateway_amount) == (D("100.00"), D("880.00"))

    # ...sees the dev gateway page and pays...
    pay_response = signed_in.get(placed["Location"])
    pay_page = html_of(pay_response)
    assert "Dev gateway (no real money)" in pay_page
    assert "razorpay" not in pay_response["Content-Security-Policy"]
    assert "Pay ₹880.00" in pay_page
    gateway_order_id = order.payments.get().gateway_order_id
    with django_capture_on_commit_callbacks(execute=True):
        returned = signed_in.post(
            f"/checkout/dev-gateway/{gateway_order_id}/",
            {"order": order.number, "outcome": "pay"},
        )
    callback = {k: unescape(v) for k, v in hidden_fields(html_of(returned), "dev-callback").items()}
    assert set(callback) == {"razorpay_order_id", "razorpay_payment_id", "razorpay_signature"}

    # ...and the browser posts the signed answer on, cross-site, without CSRF token
    browser = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        back = browser.post(f"/checkout/callback/{order.number}/", callback)

    # then the order is delivered, and its page shows the codes to their owner only
    assert back.status_code == 303
    assert back["Location"] == f"/orders/{order.number}/?payment=paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.FULFILLED
    page = signed_in.get(back["Location"])
    html = html_of(page)
    assert "no-store" in page["Cache-Control"]
    codes = VoucherCode.objects.filter(status=VoucherStatus.DELIVERED)
    assert codes.count() == 2
    for code in codes:
        assert f'data-testid="voucher-code">{code.code}<' in html
        assert f'data-testid="voucher-pin">{code.pin}<' in html
    assert html.count('<details class="cz-voucher"') == 2  # hidden until opened
    assert "Show the code at the till." in html
    assert "Delivered" in html
    assert ledger_problems() == []


def test_a_retried_checkout_post_finds_the_same_order(signed_in, user):
    cart_with(user, (card(), 1))

    first = _checkout(signed_in, user, idempotency_key="same")
    again = _checkout(signed_in, user, idempotency_key="same")

    assert first["Location"] == again["Location"]
    assert Order.objects.count() == 1


def test_a_failed_payment_fails_the_order_and_says_so(signed_in, user):
    variant = card(codes=1)
    cart_with(user, (variant, 1))
    _checkout(signed_in, user)
    order = Order.objects.get()
    payment = order.payments.get()

    returned = signed_in.post(
        f"/checkout/dev-gateway/{payment.gateway_order_id}/",
        {"order": order.number, "outcome": "fail"},
    )
    fields = {k: unescape(v) for k, v in hidden_fields(html_of(returned), "dev-callback").items()}
    assert json.loads(fields["error[metadata]"])["order_id"] == payment.gateway_order_id
    back = Client(enforce_csrf_checks=True).post(f"/checkout/callback/{order.number}/", fields)

    assert back.status_code == 303
    assert back["Location"] == f"/orders/{order.number}/?payment=failed"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert VoucherCode.objects.get().status == VoucherStatus.AVAILABLE
    html = html_of(signed_in.get(back["Location"]))
    assert "Your payment didn't go through" in html
    assert 'data-testid="voucher-code"' not in html


def test_a_tampered_signature_leaves_the_order_waiting_for_payment(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    order = Order.objects.get()
    gateway_order_id = order.payments.get().gateway_order_id
    returned = signed_in.post(
        f"/checkout/dev-gateway/{gateway_order_id}/", {"order": order.number, "outcome": "pay"}
    )  # the webhook is not delivered: only the callback speaks
    fields = {k: unescape(v) for k, v in hidden_fields(html_of(returned), "dev-callback").items()}
    fields["razorpay_signature"] = "0" * 64

    back = Client(enforce_csrf_checks=True).post(f"/checkout/callback/{order.number}/", fields)

    assert back.status_code == 303
    assert back["Location"] == f"/orders/{order.number}/?payment=unverified"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.payments.get().status == PaymentStatus.CREATED
    html = html_of(signed_in.get(back["Location"]))
    assert "We couldn't confirm a payment for this order." in html
    assert 'data-testid="pay-now"' in html


def test_a_callback_naming_another_orders_payment_changes_nothing(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user, idempotency_key="a")
    mine = Order.objects.get()
    other_user = UserFactory()
    other_order = order_place(
        user=other_user,
        cart=cart_with(other_user, (card(), 1)),
        email=other_user.email,
        phone="",
        idempotency_key="b",
    )
    returned = signed_in.post(
        f"/checkout/dev-gateway/{mine.payments.get().gateway_order_id}/",
        {"order": mine.number, "outcome": "pay"},
    )
    fields = {k: unescape(v) for k, v in hidden_fields(html_of(returned), "dev-callback").items()}

    back = Client().post(f"/checkout/callback/{other_order.number}/", fields)

    assert back["Location"].endswith("?payment=unverified")
    other_order.refresh_from_db()
    assert other_order.status == OrderStatus.PENDING_PAYMENT


def test_a_callback_for_an_unknown_order_is_not_found():
    assert Client().post("/checkout/callback/CZNOPE/", {}).status_code == 404


def test_an_order_the_wallet_pays_in_full_skips_the_gateway(
    signed_in, user, django_capture_on_commit_callbacks
):
    wallet_credit(user, "1000.00")
    cart_with(user, (card(), 1), use_wallet=True)
    assert "Place order" in html_of(signed_in.get(CHECKOUT))

    with django_capture_on_commit_callbacks(execute=True):
        response = _checkout(signed_in, user)

    order = Order.objects.get()
    assert order.status == OrderStatus.FULFILLED
    assert response["Location"] == f"/orders/{order.number}/"
    follow = signed_in.get(response["Location"])
    assert "Paid from your wallet. Your gift cards are ready below." in messages_of(follow)
    assert 'data-testid="voucher-code"' in html_of(follow)


def test_the_pay_page_of_a_paid_order_leads_to_the_order(signed_in, user):
    wallet_credit(user, "1000.00")
    cart_with(user, (card(), 1), use_wallet=True)
    _checkout(signed_in, user)
    order = Order.objects.get()

    response = signed_in.get(f"/checkout/pay/{order.number}/")

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"


@override_settings(
    RAZORPAY_KEY_ID="rzp_test_Coupzii123",
    RAZORPAY_KEY_SECRET="secret",
    RAZORPAY_WEBHOOK_SECRET="hook",
)
def test_with_razorpay_keys_the_pay_page_opens_razorpay_checkout(signed_in, user):
    # the order was opened on the dev gateway; only the page's choice of gateway is checked
    with override_settings(RAZORPAY_KEY_ID=""):
        cart_with(user, (card(), 1))
        _checkout(signed_in, user)
    order = Order.objects.get()
    payment = order.payments.get()

    response = signed_in.get(f"/checkout/pay/{order.number}/")
    html = html_of(response)

    assert '<script src="https://checkout.razorpay.com/v1/checkout.js" defer></script>' in html
    options = json.loads(
        re.search(
            r'<script id="cz-razorpay-options" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert options["key"] == "rzp_test_Coupzii123"
    # Razorpay's script and payment frame are allowed on this page's policy
    policy = response["Content-Security-Policy"]
    assert re.search(r"script-src 'self' 'nonce-[^']+' https://\*\.razorpay\.com;", policy)
    assert "frame-src https://*.razorpay.com" in policy
    assert options["amount"] == payment.amount_paise == 49000
    assert options["currency"] == "INR"
    assert options["order_id"] == payment.gateway_order_id
    assert options["redirect"] is True
    assert options["callback_url"] == f"http://testserver/checkout/callback/{order.number}/"
    assert options["prefill"] == {"email": user.email, "contact": ""}
    assert "Dev gateway" not in html
    # and the dev gateway's buttons are gone with it
    assert (
        signed_in.post(
            f"/checkout/dev-gateway/{payment.gateway_order_id}/",
            {"order": order.number, "outcome": "pay"},
        ).status_code
        == 404
    )


# --- Another shopper's order -------------------------------------------------------------------


def test_another_users_order_its_pay_page_and_its_codes_are_not_found(
    client, user, django_capture_on_commit_callbacks
):
    # given a fulfilled order of someone else
    owner = UserFactory()
    wallet_credit(owner, "1000.00")
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            user=owner,
            cart=cart_with(owner, (card(), 1), use_wallet=True),
            email=owner.email,
            phone="",
            idempotency_key="x",
        )
    code = VoucherCode.objects.get(status=VoucherStatus.DELIVERED).code
    client.force_login(user)

    # when the signed-in user tries its pages
    responses = [
        client.get(f"/orders/{order.number}/"),
        client.get(f"/orders/{order.number.lower()}/"),
        client.get(f"/checkout/pay/{order.number}/"),
        client.get(ORDERS),
    ]

    # then nothing of it is shown
    assert [r.status_code for r in responses] == [404, 404, 404, 200]
    assert all(code not in html_of(r) for r in responses)
    assert order.number not in html_of(responses[-1])


def test_the_dev_gateway_refuses_another_users_gateway_order(signed_in, user):
    other = UserFactory()
    order = order_place(
        user=other,
        cart=cart_with(other, (card(), 1)),
        email=other.email,
        phone="",
        idempotency_key="x",
    )
    gateway_order_id = order.payments.get().gateway_order_id

    by_number = signed_in.post(
        f"/checkout/dev-gateway/{gateway_order_id}/", {"order": order.number, "outcome": "pay"}
    )
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    mine = Order.objects.get(user=user)
    by_my_number = signed_in.post(
        f"/checkout/dev-gateway/{gateway_order_id}/", {"order": mine.number, "outcome": "pay"}
    )

    assert (by_number.status_code, by_my_number.status_code) == (404, 404)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_the_dev_gateway_answers_404_to_an_order_number_holding_a_nul(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    mine = Order.objects.get(user=user)

    response = signed_in.post(
        f"/checkout/dev-gateway/{mine.payments.get().gateway_order_id}/",
        {"order": mine.number + "\x00", "outcome": "pay"},
    )

    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.status == OrderStatus.PENDING_PAYMENT


# --- /orders/ ----------------------------------------------------------------------------------


def test_orders_list_shows_each_order_and_an_empty_state(signed_in, user):
    assert "No orders yet" in html_of(signed_in.get(ORDERS))
    cart_with(user, (card(name="Uber Card"), 2))
    _checkout(signed_in, user)
    order = Order.objects.get()

    html = html_of(signed_in.get(ORDERS))

    assert order.number in html
    assert f"Uber Card ₹500.00 {TIMES} 2" in html
    assert "Awaiting payment" in html
    assert "₹980.00" in html


def test_orders_list_needs_sign_in():
    response = Client().get(ORDERS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("orders", [1, 20])
def test_orders_list_runs_the_same_queries_whatever_the_page_holds(
    signed_in, user, orders, django_assert_num_queries
):
    variant = card(codes=0)
    other = VariantFactory(product=variant.product, face_value=D("1000"), price=D("990"))
    for n in range(orders):
        stock(variant, 1, prefix=f"A{n}X")
        stock(other, 1, prefix=f"B{n}X")
        order_place(
            user=user,
            cart=cart_with(user, (variant, 1), (other, 1)),
            email=user.email,
            phone="",
            idempotency_key=f"k{n}",
        )
    signed_in.get(ORDERS)

    # user, unread notifications, count, page, lines (the session is in the cache)
    with django_assert_num_queries(5):
        assert signed_in.get(ORDERS).status_code == 200


def test_a_pending_order_page_offers_to_pay_before_the_deadline(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    order = Order.objects.get()

    html = html_of(signed_in.get(f"/orders/{order.number}/"))

    assert f'href="/checkout/pay/{order.number}/" data-testid="pay-now"' in html
    assert "Waiting for your payment of ₹490.00" in html
    assert "Held for you until the order is paid." in html
    assert 'data-testid="voucher-code"' not in html


def test_a_paid_order_short_of_codes_says_they_are_coming(
    signed_in, user, django_capture_on_commit_callbacks
):
    # given an order whose reserved code is voided before it is paid, and none left to take
    variant = card(codes=1)
    order = order_place(
        user=user,
        cart=cart_with(user, (variant, 1)),
        email=user.email,
        phone="",
        idempotency_key="z",
    )
    VoucherCode.objects.filter(variant=variant).update(status=VoucherStatus.VOID)
    paid = gateway().pay(gateway_order_id=order.payments.get().gateway_order_id, succeed=True)

    # when the payment comes back
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/checkout/callback/{order.number}/", paid.callback)

    # then the order is paid, waiting for codes, and says so
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    html = html_of(signed_in.get(f"/orders/{order.number}/"))
    assert "We're getting your codes from the brand" in html
    assert "Codes on their way from the brand." in html


def test_a_pay_page_past_its_deadline_offers_no_pay_button(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(pay_by=order.created_at)

    pay_page = html_of(signed_in.get(f"/checkout/pay/{order.number}/"))
    order_page = html_of(signed_in.get(f"/orders/{order.number}/"))

    assert "The time to pay for this order has run out." in pay_page
    assert 'data-testid="dev-pay"' not in pay_page
    assert 'data-testid="pay-now"' not in order_page


def test_the_dev_gateway_and_the_callback_take_posts_only(signed_in, user):
    cart_with(user, (card(), 1))
    _checkout(signed_in, user)
    order = Order.objects.get()
    gateway_order_id = order.payments.get().gateway_order_id

    assert signed_in.get(f"/checkout/dev-gateway/{gateway_order_id}/").status_code == 405
    assert signed_in.get(f"/checkout/callback/{order.number}/").status_code == 405


def test_a_signed_out_post_to_the_dev_gateway_is_sent_to_sign_in(user):
    order = order_place(
        user=user,
        cart=cart_with(user, (card(), 1)),
        email=user.email,
        phone="",
        idempotency_key="x",
    )
    gateway_order_id = order.payments.get().gateway_order_id

    response = Client().post(
        f"/checkout/dev-gateway/{gateway_order_id}/", {"order": order.number, "outcome": "pay"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


# --- What a new shopper tripped over (issue 11) ---------------------------------------------------


def _failed_order(client, user, *lines, **cart_kwargs) -> Order:
    """An order placed through checkout whose payment failed."""
    cart_with(user, *lines, **cart_kwargs)
    _checkout(client, user)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(user=user)
        order_cancel(order=order, status=OrderStatus.FAILED, note="Payment failed.")
    return order


def _partly_refunded_order(user) -> Order:
    wallet_credit(user, "2000.00")
    small, large = card(name="Uber Card"), card(name="Myntra Card", face="1000.00", price="950.00")
    order = order_place(
        user=user,
        cart=cart_with(user, (small, 1), (large, 1), use_wallet=True),
        email=user.email,
        phone="",
        idempotency_key="k",
    )
    large_line = order.lines.get(variant=large)
    order_refund_lines(
        order=order,
        line_ids=[large_line.pk],
        operator=UserFactory(is_staff=True),
        reason="The brand's site rejected the code.",
    )
    order.refresh_from_db()
    return order


def test_a_failed_order_offers_try_again_which_puts_the_same_cards_back_in_the_cart(
    signed_in, user
):
    # given a failed order of two cards, paid partly from the wallet, with a promo code
    wallet_credit(user, "100.00")
    variant = card(codes=3)
    promo = PromoCodeFactory()
    order = _failed_order(signed_in, user, (variant, 2), promo=promo, use_wallet=True)
    assert not cart_of_user(user).lines.exists()
    page = html_of(signed_in.get(f"{ORDERS}{order.number}/"))
    assert 'data-testid="order-retry"' in page

    # when the shopper presses "Try again" (twice, as people do)
    response = signed_in.post(f"{ORDERS}{order.number}/retry/")
    signed_in.post(f"{ORDERS}{order.number}/retry/")

    # then the same cards, promo and wallet choice are in the cart, ready to check out
    assert response.status_code == 302 and response["Location"] == CART
    cart = cart_of_user(user)
    assert list(cart.lines.values_list("variant_id", "quantity")) == [(variant.pk, 2)]
    assert (cart.promo_code, cart.use_wallet) == (promo, True)
    assert f"The gift cards from order {order.number} are back in your cart." in messages_of(
        response
    )
    assert signed_in.session[COUNT_KEY] == 2
    checkout = signed_in.get(CHECKOUT)
    assert checkout.status_code == 200 and variant.product.name in html_of(checkout)


def test_try_again_leaves_out_a_card_no_longer_sold_and_says_so(signed_in, user):
    gone, kept = card(name="Old Card"), card(name="New Card")
    order = _failed_order(signed_in, user, (gone, 1), (kept, 1))
    gone.is_active = False
    gone.save()

    response = signed_in.post(f"{ORDERS}{order.number}/retry/")

    assert list(cart_of_user(user).lines.values_list("variant_id", flat=True)) == [kept.pk]
    assert "No longer on sale, so left out: Old Card." in messages_of(response)


def test_only_an_order_that_was_not_completed_can_be_tried_again(signed_in, user):
    wallet_credit(user, "1000.00")
    cart_with(user, (card(), 1), use_wallet=True)
    _checkout(signed_in, user)
    delivered = Order.objects.get()
    stranger, stranger_client = UserFactory(), Client()
    stranger_client.force_login(stranger)
    stranger_order = _failed_order(stranger_client, stranger, (card(), 1))

    page = html_of(signed_in.get(f"{ORDERS}{delivered.number}/"))
    refused = signed_in.post(f"{ORDERS}{delivered.number}/retry/")
    strangers = signed_in.post(f"{ORDERS}{stranger_order.number}/retry/")

    assert 'data-testid="order-retry"' not in page
    assert refused["Location"] == f"{ORDERS}{delivered.number}/"
    assert "Only an order that wasn't completed can be tried again." in messages_of(refused)
    assert strangers.status_code == 404
    assert not cart_of_user(user).lines.exists()


def test_a_get_of_try_again_shows_the_order(signed_in, user):
    order = _failed_order(signed_in, user, (card(), 1))

    response = signed_in.get(f"{ORDERS}{order.number}/retry/")

    assert response.status_code == 302 and response["Location"] == f"{ORDERS}{order.number}/"
    assert not cart_of_user(user).lines.exists()


def test_a_partly_refunded_order_says_so_in_the_list_on_its_page_and_in_its_timeline(
    signed_in, user
):
    order = _partly_refunded_order(user)
    assert order.status == OrderStatus.FULFILLED  # the Uber card is still the shopper's

    listed = html_of(signed_in.get(ORDERS))
    page = html_of(signed_in.get(f"{ORDERS}{order.number}/"))

    badge = re.compile(r'data-testid="order-status">([^<]+)<')
    assert badge.findall(listed) == ["Partly refunded"]
    assert badge.findall(page) == ["Partly refunded"]
    timeline = re.search(r'<ol class="cz-timeline.*?</ol>', page, re.S).group(0)
    steps = re.findall(r'<div class="fw-semibold">([^<]+)</div>', timeline)
    assert steps[-1] == "Refunded"  # the refund, not "Delivered" again
    assert steps.count("Delivered") == 1


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (PROMO, f"{CART}#promo"),
        (PROMO_REMOVE, f"{CART}#promo"),
        (CART_LINE, CART),
        (CART_REMOVE, CART),
        (WALLET, f"{CART}#summary"),
    ],
)
def test_a_get_of_a_cart_form_url_goes_to_the_cart_not_a_blank_405(signed_in, path, target):
    response = signed_in.get(path)

    assert response.status_code == 302 and response["Location"] == target
    assert signed_in.put(path).status_code == 405


def test_switching_language_after_a_promo_error_lands_on_the_cart(signed_in, user):
    cart_with(user, (card(), 1))
    refused = signed_in.post(PROMO, {"code": "NOSUCHCODE"})
    assert refused.status_code == 400
    next_url = re.search(r'name="next" value="([^"]+)"', html_of(refused)).group(1)

    switched = signed_in.post("/i18n/setlang/", {"language": "hi", "next": next_url}, follow=True)

    assert switched.status_code == 200
    assert switched.redirect_chain[-1][0] == f"{CART}#promo"


def test_the_wallet_statement_shows_an_order_paid_from_the_wallet_and_its_refund(signed_in, user):
    order = _partly_refunded_order(user)

    html = html_of(signed_in.get("/wallet/"))
    lines = re.findall(r'data-testid="statement-line">(.*?)</li>', html, re.S)

    spent, refund = lines[1], lines[0]  # newest first, after the ₹2,000 credit
    assert "Wallet spent on an order" in spent and "-₹1,440.00" in spent
    assert f'href="/orders/{order.number}/"' in spent
    assert "Order refund" in refund and "+₹950.00" in refund
    assert f'href="/orders/{order.number}/"' in refund
    assert "In withdrawals" not in html
    assert len(lines) == 3  # the credit, the spend, the refund: delivery moves nothing of theirs
