"""The purchases API: buying (wallet, Razorpay over a loopback Razorpay server), the
Idempotency-Key, refusals with their statuses, lists and details that show a code only to its
buyer, and the OpenAPI schema."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from commerce.services.payments import webhook_receive
from commerce.tests.factories import wallet_credit
from marketplace.models import Purchase, PurchaseStatus
from marketplace.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/marketplace/purchases/"
S = PurchaseStatus


@pytest.fixture
def api(buyer):
    client = APIClient()
    client.force_authenticate(buyer)
    return client


def buy(api, listing, *, method="wallet", key="k1"):
    return api.post(
        URL,
        {"listing_id": str(listing.public_id), "payment_method": method},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_buying_from_the_wallet_answers_201_with_the_code_and_a_retry_200(api, listing):
    first = buy(api, listing)
    again = buy(api, listing)

    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "paid"
    assert body["code"] == listing.coupon.code
    assert (body["price"], body["role"], body["payment"]) == ("120.00", "buyer", None)
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    assert first["Cache-Control"].startswith("no-store") or "no-store" in first["Cache-Control"]


def test_buying_by_card_through_razorpay_answers_checkout_options_then_verify_delivers(
    api, buyer, listing, razorpay_loopback
):
    created = buy(api, listing, method="razorpay")

    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "pending_payment" and body["code"] is None
    checkout = body["payment"]
    assert (
        checkout["amount"] == 12000
        and checkout["key_id"] == razorpay_loopback.settings()["RAZORPAY_KEY_ID"]
    )
    assert checkout["pay_url"].endswith(f"/marketplace/purchases/{body['number']}/pay/")

    # the shopper pays in Razorpay Checkout; the app sends its answer
    callback = razorpay_loopback.pay(checkout["gateway_order_id"])
    verified = api.post(f"{URL}{body['number']}/verify/", callback, format="json")

    assert verified.status_code == 200
    assert verified.json()["status"] == "paid"
    assert verified.json()["code"] == listing.coupon.code
    # the webhook that follows changes nothing
    payment_id = razorpay_loopback.payment_id_of(callback)
    body_, signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)
    webhook_receive(body=body_, signature=signature, event_id=event_id)
    assert Purchase.objects.get().status == S.PAID


def test_a_razorpay_capture_by_webhook_alone_pays_the_purchase(api, listing, razorpay_loopback):
    body = buy(api, listing, method="razorpay").json()
    callback = razorpay_loopback.pay(body["payment"]["gateway_order_id"])

    payment_id = razorpay_loopback.payment_id_of(callback)
    body_, signature, event_id = razorpay_loopback.webhook("payment.captured", payment_id)
    event = webhook_receive(body=body_, signature=signature, event_id=event_id)

    assert event.result == "captured"
    assert Purchase.objects.get().status == S.PAID


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"payment_method": "wallet"}, "listing_id"),
        ({"listing_id": "not-a-uuid", "payment_method": "wallet"}, "listing_id"),
        (
            {"listing_id": "00000000-0000-0000-0000-000000000000", "payment_method": "cash"},
            "payment_method",
        ),
    ],
)
def test_bad_input_is_a_400_with_field_messages(api, body, field):
    response = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_missing_idempotency_key_is_a_400(api, listing):
    response = api.post(
        URL, {"listing_id": str(listing.public_id), "payment_method": "wallet"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_refusals_answer_their_status(api, buyer, listing):
    own = ListingFactory(seller=buyer, coupon__owner=buyer)
    buy(api, listing, key="first")
    poor = UserFactory()
    wallet_credit(poor, "10.00")
    poor_api = APIClient()
    poor_api.force_authenticate(poor)

    sold = buy(api, listing, key="second")
    mine = buy(api, own, key="third")
    unknown = api.post(
        URL,
        {"listing_id": "00000000-0000-0000-0000-000000000000", "payment_method": "wallet"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fourth",
    )
    broke = buy(poor_api, ListingFactory())

    assert (sold.status_code, sold.json()["error"]["code"]) == (409, "listing_not_for_sale")
    assert (mine.status_code, mine.json()["error"]["code"]) == (409, "own_listing")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "listing_not_found")
    assert (broke.status_code, broke.json()["error"]["code"]) == (409, "insufficient_funds")


def test_signed_out_is_a_401():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {}, format="json").status_code == 401


def test_another_users_purchase_is_a_404_and_the_seller_sees_no_code(api, buyer, listing):
    number = buy(api, listing).json()["number"]
    seller = APIClient()
    seller.force_authenticate(listing.seller)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())

    as_seller = seller.get(f"{URL}{number}/")
    assert as_seller.status_code == 200
    assert as_seller.json()["role"] == "seller" and as_seller.json()["code"] is None
    assert stranger.get(f"{URL}{number}/").status_code == 404
    assert seller.get(f"{URL}?side=sold").json()["results"][0]["number"] == number
    assert seller.get(URL).json()["results"] == []


def test_the_list_runs_the_same_queries_whatever_the_page_holds(api, buyer):
    wallet_credit(buyer, "5000.00")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL).status_code == 200
        return len(captured)

    buy(api, ListingFactory(), key="k0")
    one = queries()
    for n in range(1, 20):
        buy(api, ListingFactory(), key=f"k{n}")
    assert len(api.get(URL).json()["results"]) == 20
    assert queries() == one
    assert D(api.get(URL).json()["results"][0]["price"]) == D("120.00")


def test_the_schema_documents_every_status_of_each_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    create = paths["/api/v1/marketplace/purchases/"]["post"]["responses"]
    assert {"200", "201", "400", "401", "404", "409", "503"} <= set(create)
    detail = paths["/api/v1/marketplace/purchases/{number}/"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(detail)
    verify = paths["/api/v1/marketplace/purchases/{number}/verify/"]["post"]["responses"]
    assert {"200", "400", "401", "404"} <= set(verify)
