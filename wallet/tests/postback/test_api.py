"""The affiliate postback endpoint: a network's call records the sale and credits the shopper;
a call without the right secret, for an unknown network or with bad fields writes nothing."""

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.models import AccountKind, CashbackEvent, CashbackSource, CashbackStatus, Transaction
from wallet.postback.api import PostbackThrottle

pytestmark = pytest.mark.django_db

SECRETS = {
    "admitad": "admitad-postback-secret",
    "vcommission": "vcommission-postback-secret",
    "cuelinks": "cuelinks-postback-secret",
}


@pytest.fixture(autouse=True)
def postback_secrets(settings):
    settings.AFFILIATE_NETWORKS = {
        name: {**config, "postback_secret": SECRETS[name]}
        for name, config in settings.AFFILIATE_NETWORKS.items()
    }


@pytest.fixture
def api():
    # A network's server has no CSRF cookie: the endpoint must not ask for one.
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def click():
    return ClickFactory(user=UserFactory())  # the merchant pays 5% cashback


def url(network: str) -> str:
    return f"/api/v1/affiliate/postback/{network}/"


def admitad_params(click, **overrides) -> dict:
    return {
        "secret": SECRETS["admitad"],
        "action_id": "900001",
        "subid": str(click.id),
        "order_sum": "2000.00",
        "payment_sum": "160.00",
        "status": "pending",
        "time": str(int(click.created_at.timestamp()) + 300),
        "currency": "INR",
        **overrides,
    }


def nothing_written():
    return not CashbackEvent.objects.exists() and not Transaction.objects.exists()


# --- accepted postbacks -----------------------------------------------------------------------


def test_a_postback_records_the_sale_and_credits_pending_cashback(api, click):
    response = api.get(url("admitad"), admitad_params(click))

    assert response.status_code == 200
    event = CashbackEvent.objects.get()
    assert response.json() == {"status": "ok", "event": str(event.public_id)}
    assert (event.network, event.network_txn_id) == ("admitad", "900001")
    assert (event.sale_amount, event.commission) == (D("2000.00"), D("160.00"))
    assert event.source == CashbackSource.POSTBACK
    assert event.user == click.user
    assert ledger.balances(click.user)[AccountKind.PENDING] == D("100.00")


def test_the_same_postback_twice_records_one_sale(api, click):
    first = api.get(url("admitad"), admitad_params(click))
    second = api.get(url("admitad"), admitad_params(click))

    assert second.status_code == 200
    assert second.json()["event"] == first.json()["event"]
    assert CashbackEvent.objects.count() == 1
    assert ledger.balances(click.user)[AccountKind.PENDING] == D("100.00")


def test_a_later_postback_confirming_the_sale_makes_the_cashback_available(api, click):
    api.get(url("admitad"), admitad_params(click))

    response = api.get(url("admitad"), admitad_params(click, status="approved"))

    assert response.status_code == 200
    assert CashbackEvent.objects.get().status == CashbackStatus.CONFIRMED
    assert ledger.balances(click.user)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger.balances(click.user)[AccountKind.PENDING] == D("0.00")


def test_a_form_post_is_accepted(api, click):
    response = api.post(
        url("vcommission"),
        {
            "secret": SECRETS["vcommission"],
            "transaction_id": "102abc",
            "aff_sub": str(click.id),
            "sale_amount": "1999.99",
            "payout": "99.995",
        },
        format="multipart",
    )

    assert response.status_code == 200
    event = CashbackEvent.objects.get()
    assert (event.sale_amount, event.commission) == (D("1999.99"), D("100.00"))
    assert event.status == CashbackStatus.PENDING


def test_a_json_post_with_the_secret_in_a_header_is_accepted_and_amounts_stay_exact(api, click):
    response = api.post(
        url("cuelinks"),
        {
            "transaction_id": 7712,
            "sub_id": str(click.id),
            "sale_amount": 1234.56,
            "commission": 61.73,
            "status": "validated",
        },
        format="json",
        HTTP_X_POSTBACK_SECRET=SECRETS["cuelinks"],
    )

    assert response.status_code == 200
    event = CashbackEvent.objects.get()
    assert (event.network_txn_id, event.sale_amount, event.commission) == (
        "7712",
        D("1234.56"),
        D("61.73"),
    )
    assert event.status == CashbackStatus.CONFIRMED


def test_the_secret_is_not_kept_with_the_sale(api, click):
    api.get(url("admitad"), admitad_params(click))

    raw = CashbackEvent.objects.get().raw_payload
    assert "secret" not in raw
    assert SECRETS["admitad"] not in str(raw)
    assert raw["action_id"] == "900001"


def test_a_postback_for_a_sub_id_we_do_not_know_is_kept_unmatched(api):
    response = api.get(url("admitad"), {**admitad_params(ClickFactory()), "subid": "not-ours"})

    assert response.status_code == 200
    event = CashbackEvent.objects.get()
    assert event.user is None
    assert not Transaction.objects.exists()


# --- refused postbacks ------------------------------------------------------------------------


def test_a_wrong_secret_is_refused_and_nothing_is_written(api, click):
    response = api.get(url("admitad"), admitad_params(click, secret="guess"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "postback_forbidden"
    assert nothing_written()


def test_a_missing_secret_is_refused(api, click):
    params = admitad_params(click)
    del params["secret"]

    response = api.get(url("admitad"), params)

    assert response.status_code == 403
    assert nothing_written()


def test_another_networks_secret_is_refused(api, click):
    response = api.get(url("admitad"), admitad_params(click, secret=SECRETS["cuelinks"]))

    assert response.status_code == 403
    assert nothing_written()


def test_a_network_without_a_configured_secret_takes_no_postbacks(api, click, settings):
    settings.AFFILIATE_NETWORKS["admitad"]["postback_secret"] = ""

    response = api.get(url("admitad"), admitad_params(click, secret=""))

    assert response.status_code == 403
    assert nothing_written()


def test_an_unknown_network_is_not_found(api, click):
    response = api.get(url("shadynet"), admitad_params(click))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_network"
    assert nothing_written()


def test_missing_fields_are_named_in_the_answer(api):
    response = api.get(url("admitad"), {"secret": SECRETS["admitad"], "action_id": "1"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_postback"
    assert set(error["fields"]) == {"subid", "order_sum", "payment_sum", "status"}
    assert error["fields"]["subid"] == ["This field is required."]
    assert nothing_written()


def test_an_amount_that_is_not_an_amount_is_refused_with_its_field(api, click):
    response = api.get(url("admitad"), admitad_params(click, payment_sum="12,50"))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"payment_sum": ["Not an amount."]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "value"),
    [("order_sum", "1e20"), ("order_sum", "99999999999.99"), ("payment_sum", "1e20")],
)
def test_an_amount_too_large_for_its_column_is_refused_and_the_wallet_still_reads(
    api, click, field, value
):
    # given a postback whose amount no amount column (12 digits, 2 of them paise) can hold
    response = api.get(url("admitad"), admitad_params(click, **{field: value}))

    # then it is refused, naming the field, and nothing is stored that would break the
    # shopper's cashback list and the admin's
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_postback"
    assert error["fields"] == {field: ["At most ₹9,99,99,99,999.99."]}
    assert nothing_written()
    shopper = APIClient()
    shopper.force_login(click.user)
    assert shopper.get("/api/v1/wallet/cashback/").status_code == 200
    assert shopper.get("/wallet/").status_code == 200


def test_the_largest_amount_a_column_holds_is_accepted(api, click):
    response = api.get(url("admitad"), admitad_params(click, order_sum="9999999999.99"))

    assert response.status_code == 200
    assert CashbackEvent.objects.get().sale_amount == D("9999999999.99")


@pytest.mark.parametrize("field", ["action_id", "subid", "status", "order_sum", "extra"])
def test_a_nul_in_any_query_field_is_refused_naming_it(api, click, field):
    params = admitad_params(click)
    params[field] = params.get(field, "x") + "\x00"

    response = api.get(url("admitad"), params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_postback"
    assert "Must not contain NUL (\\u0000)." in error["fields"][field]
    assert nothing_written()


def test_a_nul_in_a_form_body_is_refused(api, click):
    body = admitad_params(click, subid=f"{click.id}\x00")

    response = api.post(url("admitad"), body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_postback"
    assert nothing_written()


def test_a_nul_or_a_thousand_levels_in_a_json_body_are_refused(api, click):
    nul = api.post(
        url("admitad"),
        admitad_params(click, subid="a\x00"),
        format="json",
        HTTP_X_POSTBACK_SECRET=SECRETS["admitad"],
    )
    deep = api.post(
        url("admitad"),
        "[" * 1000 + "]" * 1000,
        content_type="application/json",
        HTTP_X_POSTBACK_SECRET=SECRETS["admitad"],
    )

    assert (nul.status_code, deep.status_code) == (400, 400)
    assert {nul.json()["error"]["code"], deep.json()["error"]["code"]} == {"invalid_postback"}
    assert "NUL" in nul.json()["error"]["fields"]["non_field_errors"][0]
    assert "levels deep" in deep.json()["error"]["fields"]["non_field_errors"][0]
    assert nothing_written()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "overrides",
    [{"order_sum": "1e20"}, {"payment_sum": "99999999999.99"}, {"subid": "a\x00b"}],
)
def test_on_postgresql_a_bad_postback_is_a_400_not_a_data_error(api, click, overrides):
    # PostgreSQL refused these rows with a DataError (a 500 the network retries for ever).
    response = api.get(url("admitad"), admitad_params(click, **overrides))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_postback"
    assert nothing_written()


def test_a_body_that_is_not_an_object_is_refused_once_the_caller_is_known(api):
    def post(body, secret, **kwargs):
        return api.post(url("cuelinks"), body, HTTP_X_POSTBACK_SECRET=secret, **kwargs)

    assert post([1, 2], SECRETS["cuelinks"], format="json").status_code == 400
    assert post("{oops", SECRETS["cuelinks"], content_type="application/json").status_code == 400
    assert post("{oops", "guess", content_type="application/json").status_code == 403
    assert nothing_written()


def test_postbacks_are_throttled_per_client(api, click, monkeypatch):
    monkeypatch.setattr(PostbackThrottle, "THROTTLE_RATES", {"postback": "2/minute"})

    codes = [api.get(url("admitad"), admitad_params(click)).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_the_endpoint_is_in_the_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})

    operations = response.json()["paths"]["/api/v1/affiliate/postback/{network}/"]
    assert set(operations) >= {"get", "post"}
    assert set(operations["post"]["responses"]) >= {"200", "400", "403", "404", "429"}
    assert any(param["name"] == "X-Postback-Secret" for param in operations["get"]["parameters"])
