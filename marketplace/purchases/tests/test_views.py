"""The purchase pages as buyer and seller use them: buying from the wallet, paying through the
dev gateway's page and its signed callback (the generic pay page commerce serves for any
payable), Razorpay Checkout's options with keys set, and nobody else seeing a purchase."""

import html
import json
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from commerce.models import Payment
from marketplace import kinds
from marketplace.models import LockerCoupon, Purchase, PurchaseStatus
from marketplace.purchases.services import purchase_create
from marketplace.tests.factories import ListingFactory
from wallet import services as ledger
from wallet.ledger import ledger_problems

pytestmark = pytest.mark.django_db
S = PurchaseStatus


@pytest.fixture
def signed_in(client, buyer):
    client.force_login(buyer)
    return client


def page(response) -> str:
    return response.content.decode()


def hidden_fields(text: str, form_testid: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*data-testid="{form_testid}"[^>]*>(.*?)</form>', text, re.S)
    assert form, f"no form {form_testid!r}"
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    return {name: html.unescape(value) for name, value in fields}


def form_action(text: str, form_testid: str) -> str:
    form = re.search(rf'<form[^>]*action="([^"]+)"[^>]*data-testid="{form_testid}"', text)
    return html.unescape(form.group(1))


def test_buying_from_the_wallet_shows_the_code_on_the_purchase_page(signed_in, buyer, listing):
    response = signed_in.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "wallet", "idempotency_key": "k"},
    )

    purchase = Purchase.objects.get()
    assert response["Location"] == f"/marketplace/purchases/{purchase.number}/"
    detail = signed_in.get(response["Location"])
    assert "no-store" in detail["Cache-Control"]
    assert f'data-testid="purchase-code">{listing.coupon.code}<' in page(detail)
    assert 'data-testid="window-ends"' in page(detail)


def test_paying_through_the_dev_gateway_delivers_the_code(
    signed_in, buyer, listing, django_capture_on_commit_callbacks
):
    # when the buyer chooses card and is sent to the pay page...
    bought = signed_in.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "razorpay", "idempotency_key": "k"},
    )
    purchase = Purchase.objects.get()
    assert purchase.status == S.PENDING_PAYMENT
    assert bought["Location"] == f"/marketplace/purchases/{purchase.number}/pay/"
    to_gateway = signed_in.get(bought["Location"])
    gateway_order_id = Payment.objects.get().gateway_order_id
    assert to_gateway["Location"] == f"/checkout/payments/{gateway_order_id}/"
    pay_page = signed_in.get(to_gateway["Location"])
    assert "Dev gateway (no real money)" in page(pay_page)
    assert "Pay ₹120.00" in page(pay_page)
    assert purchase.number in page(pay_page)

    # ...pays on the dev gateway...
    with django_capture_on_commit_callbacks(execute=True):
        returned = signed_in.post(f"/checkout/dev-gateway/{gateway_order_id}/", {"outcome": "pay"})
    fields = hidden_fields(page(returned), "dev-callback")
    action = form_action(page(returned), "dev-callback")
    assert action == f"/checkout/payments/{gateway_order_id}/callback/"

    # ...and the browser posts the signed answer on, cross-site, without a CSRF token
    with django_capture_on_commit_callbacks(execute=True):
        back = Client(enforce_csrf_checks=True).post(action, fields)

    # then the purchase is paid and its page shows the code
    assert back.status_code == 303
    assert back["Location"] == f"/marketplace/purchases/{purchase.number}/?payment=paid"
    purchase.refresh_from_db()
    assert purchase.status == S.PAID
    assert f'data-testid="purchase-code">{listing.coupon.code}<' in page(
        signed_in.get(back["Location"])
    )
    assert ledger.platform_balance(kinds.ESCROW) == D("120.00")
    assert ledger_problems() == []


def test_a_failed_dev_gateway_payment_fails_the_purchase(signed_in, buyer, listing):
    signed_in.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "razorpay", "idempotency_key": "k"},
    )
    gateway_order_id = Payment.objects.get().gateway_order_id

    returned = signed_in.post(f"/checkout/dev-gateway/{gateway_order_id}/", {"outcome": "fail"})
    back = Client().post(
        form_action(page(returned), "dev-callback"), hidden_fields(page(returned), "dev-callback")
    )

    assert back["Location"].endswith("?payment=failed")
    assert Purchase.objects.get().status == S.FAILED
    assert "Your payment didn't go through" in page(signed_in.get(back["Location"]))


def test_a_tampered_signature_leaves_the_purchase_waiting(signed_in, buyer, listing):
    signed_in.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "razorpay", "idempotency_key": "k"},
    )
    gateway_order_id = Payment.objects.get().gateway_order_id
    returned = signed_in.post(f"/checkout/dev-gateway/{gateway_order_id}/", {"outcome": "pay"})
    fields = hidden_fields(page(returned), "dev-callback")
    fields["razorpay_signature"] = "0" * 64

    back = Client().post(form_action(page(returned), "dev-callback"), fields)

    assert back["Location"].endswith("?payment=unverified")
    assert Purchase.objects.get().status == S.PENDING_PAYMENT
    assert not LockerCoupon.objects.filter(owner=buyer).exists()


@override_settings(
    RAZORPAY_KEY_ID="rzp_test_Coupzii123",
    RAZORPAY_KEY_SECRET="secret",
    RAZORPAY_WEBHOOK_SECRET="hook",
)
def test_with_razorpay_keys_the_pay_page_opens_razorpay_checkout(signed_in, buyer, listing):
    with override_settings(RAZORPAY_KEY_ID=""):  # opened on the dev gateway; the page is checked
        purchase = purchase_create(
            buyer=buyer, listing_public_id=listing.public_id, method="razorpay", idempotency_key="k"
        )
    payment = Payment.objects.get()

    response = signed_in.get(f"/checkout/payments/{payment.gateway_order_id}/")

    text = page(response)
    assert '<script src="https://checkout.razorpay.com/v1/checkout.js" defer></script>' in text
    options = json.loads(
        re.search(
            r'<script id="cz-razorpay-options" type="application/json">(.*?)</script>', text
        ).group(1)
    )
    assert options["key"] == "rzp_test_Coupzii123"
    assert (options["amount"], options["order_id"]) == (12000, payment.gateway_order_id)
    assert options["callback_url"] == (
        f"http://testserver/checkout/payments/{payment.gateway_order_id}/callback/"
    )
    assert purchase.number in options["description"]
    assert "frame-src https://*.razorpay.com" in response["Content-Security-Policy"]
    dev = signed_in.post(f"/checkout/dev-gateway/{payment.gateway_order_id}/", {"outcome": "pay"})
    assert dev.status_code == 404


def test_nobody_but_buyer_and_seller_sees_a_purchase(client, buyer, listing):
    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="razorpay", idempotency_key="k"
    )
    gateway_order_id = Payment.objects.get().gateway_order_id
    client.force_login(UserFactory())

    responses = [
        client.get(f"/marketplace/purchases/{purchase.number}/"),
        client.get(f"/marketplace/purchases/{purchase.number}/pay/"),
        client.get(f"/checkout/payments/{gateway_order_id}/"),
        client.post(f"/checkout/dev-gateway/{gateway_order_id}/", {"outcome": "pay"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Purchase.objects.get().status == S.PENDING_PAYMENT


def test_the_seller_sees_the_sale_and_payout_but_not_the_code(client, buyer, listing):
    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
    )
    client.force_login(listing.seller)

    text = page(client.get(f"/marketplace/purchases/{purchase.number}/"))
    sales = page(client.get("/marketplace/purchases/?side=sold"))

    assert listing.coupon.code not in text
    assert 'data-testid="payout">₹114.00<' in text
    assert purchase.number in sales


def test_a_second_buyer_is_told_the_listing_is_sold(client, buyer, listing):
    purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
    )
    client.force_login(UserFactory())

    response = client.post(
        f"/marketplace/purchases/buy/{listing.public_id}/", {"method": "wallet"}, follow=True
    )

    assert "has just been sold" in page(response)
    assert Purchase.objects.count() == 1


def test_the_list_is_empty_then_runs_the_same_queries_whatever_the_page_holds(signed_in, buyer):
    assert "No purchases yet" in page(signed_in.get("/marketplace/purchases/"))
    ledger_credit = D("0")
    del ledger_credit

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get("/marketplace/purchases/").status_code == 200
        return len(captured)

    purchase_create(
        buyer=buyer,
        listing_public_id=ListingFactory().public_id,
        method="razorpay",
        idempotency_key="k0",
    )
    one = queries()
    for n in range(1, 20):
        purchase_create(
            buyer=buyer,
            listing_public_id=ListingFactory().public_id,
            method="razorpay",
            idempotency_key=f"k{n}",
        )
    assert queries() == one


def test_razorpay_checkout_posts_to_the_callback_and_the_purchase_is_paid(
    signed_in, buyer, listing, razorpay_loopback
):
    # given a card purchase opened on Razorpay (a loopback server speaking its API)
    signed_in.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "razorpay", "idempotency_key": "k"},
    )
    gateway_order_id = Payment.objects.get().gateway_order_id
    options_page = page(signed_in.get(f"/checkout/payments/{gateway_order_id}/"))
    assert 'id="cz-razorpay-options"' in options_page

    # when the shopper pays in Checkout, which posts its signed answer to the callback URL
    callback = razorpay_loopback.pay(gateway_order_id)
    back = Client(enforce_csrf_checks=True).post(
        f"/checkout/payments/{gateway_order_id}/callback/", callback
    )

    # then the purchase is paid, and a callback naming another gateway order changes nothing
    purchase = Purchase.objects.get()
    assert back["Location"] == f"/marketplace/purchases/{purchase.number}/?payment=paid"
    assert purchase.status == S.PAID
    wrong = Client().post(
        f"/checkout/payments/{gateway_order_id}/callback/",
        {**callback, "razorpay_order_id": "order_Other"},
    )
    assert wrong["Location"].endswith("?payment=unverified")
    assert Client().post("/checkout/payments/order_Nope/callback/", callback).status_code == 404


def _card_purchase(client, listing, key="k") -> Payment:
    client.post(
        f"/marketplace/purchases/buy/{listing.public_id}/",
        {"method": "razorpay", "idempotency_key": key},
    )
    return Payment.objects.filter(payable_ref=str(Purchase.objects.latest("pk").pk)).get()


def test_another_shopper_cannot_open_or_pay_a_buyers_gateway_order(signed_in, listing):
    gateway_order_id = _card_purchase(signed_in, listing).gateway_order_id
    stranger = Client()
    stranger.force_login(UserFactory())

    assert stranger.get(f"/checkout/payments/{gateway_order_id}/").status_code == 404
    paid = stranger.post(f"/checkout/dev-gateway/{gateway_order_id}/", {"outcome": "pay"})
    assert paid.status_code == 404
    assert stranger.get("/checkout/payments/order_nope/").status_code == 404
    assert Purchase.objects.get().status == S.PENDING_PAYMENT


def test_one_payers_signed_answer_posted_to_another_payables_callback_does_nothing(
    signed_in, buyer, listing
):
    mine = _card_purchase(signed_in, listing).gateway_order_id
    other_buyer = Client()
    other_buyer.force_login(UserFactory())
    theirs = _card_purchase(other_buyer, ListingFactory(), key="k2").gateway_order_id
    returned = signed_in.post(f"/checkout/dev-gateway/{mine}/", {"outcome": "pay"})
    fields = hidden_fields(page(returned), "dev-callback")

    back = Client().post(f"/checkout/payments/{theirs}/callback/", fields)

    assert back.status_code == 303 and back["Location"].endswith("?payment=unverified")
    assert set(Purchase.objects.values_list("status", flat=True)) == {S.PENDING_PAYMENT}
    assert not LockerCoupon.objects.filter(source="bought").exists()


def _unpaid(buyer, listing, status) -> Purchase:
    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="razorpay", idempotency_key="u"
    )
    Purchase.objects.filter(pk=purchase.pk).update(status=status)
    return purchase


def test_a_failed_purchase_says_why_and_leads_back_to_the_live_listing(signed_in, buyer, listing):
    purchase = _unpaid(buyer, listing, S.FAILED)

    text = page(signed_in.get(f"/marketplace/purchases/{purchase.number}/"))

    assert "The payment didn&#x27;t go through" in text or "The payment didn't go through" in text
    assert f'href="{reverse("marketplace:listing", args=[listing.public_id])}"' in text
    assert "Back to the listing" in text
    assert 'data-testid="buy-again"' in text
    assert "Payment method" in text and "Paid with" not in text


def test_an_expired_purchase_of_a_listing_sold_since_points_at_the_marketplace(
    signed_in, buyer, listing
):
    purchase = _unpaid(buyer, listing, S.EXPIRED)
    listing.status = "sold"
    listing.save(update_fields=["status"])

    text = page(signed_in.get(f"/marketplace/purchases/{purchase.number}/"))

    assert "wasn&#x27;t made in time" in text or "wasn't made in time" in text
    assert 'data-testid="buy-again"' not in text
    assert "Browse the marketplace" in text


def test_once_rated_the_purchase_page_shows_the_rating_instead_of_the_rate_link(
    signed_in, buyer, listing
):
    from marketplace.purchases.services import purchase_release
    from marketplace.ratings.services import rating_give

    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="r"
    )
    purchase_release(purchase_id=purchase.pk, force=True)
    url = f"/marketplace/purchases/{purchase.number}/"
    before = page(signed_in.get(url))

    rating_give(rater=buyer, number=purchase.number, stars=4, comment="Worked")
    after = page(signed_in.get(url))

    assert 'data-testid="rate"' in before
    assert 'data-testid="rate"' not in after
    assert "You rated them 4 stars." in after and "Worked" in after
    assert "Paid with" in after


def test_purchases_read_in_hindi_name_the_coupon_in_hindi_and_link_to_disputes(
    signed_in, buyer, listing, django_capture_on_commit_callbacks
):
    # given: a wallet purchase, with its notices sent
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(
            buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
        )
    with translation.override("hi"):
        hindi_title = listing.display_title
    assert hindi_title != listing.title

    # when: the buyer reads their purchases in Hindi
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    text = html.unescape(page(signed_in.get("/marketplace/purchases/")))

    # then: the coupon is named in Hindi, and their disputes are one tap away
    assert hindi_title in text
    assert reverse("marketplace:disputes") in text
    seller_notice = Notification.objects.get(user=listing.seller)
    assert hindi_title in seller_notice.title_hi
    assert listing.title in seller_notice.title_en
