"""The wallet API under /api/v1/: wallet, transactions, cashback, withdrawals, KYC, claims and
referrals. Every endpoint is the signed-in shopper's own: another shopper's things answer 404
and nothing is written."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts import tokens
from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet.models import (
    CashbackClaim,
    KycProfile,
    Posting,
    Transaction,
    Withdrawal,
    WithdrawalAudit,
)
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.services.claims import cashback_claim_file
from wallet.services.kyc import kyc_submit
from wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_request,
)
from wallet.tests.factories import (
    confirmed_cashback,
    operator,
    recent_click,
    sale_for,
    verified_kyc,
    with_status,
)

pytestmark = pytest.mark.django_db

WALLET = "/api/v1/wallet/"
TRANSACTIONS = "/api/v1/wallet/transactions/"
CASHBACK = "/api/v1/wallet/cashback/"
WITHDRAWALS = "/api/v1/wallet/withdrawals/"
KYC = "/api/v1/wallet/kyc/"
CLAIMS = "/api/v1/cashback/claims/"
CLAIMABLE = "/api/v1/cashback/claimable-clicks/"
REFERRALS = "/api/v1/referrals/"
LEADERBOARD = "/api/v1/referrals/leaderboard/"


@pytest.fixture
def user():
    return UserFactory(full_name="Asha Verma")


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def stranger():
    return UserFactory(full_name="Ravi Kumar")


@pytest.fixture
def stranger_api(stranger):
    client = APIClient()
    client.force_authenticate(stranger)
    return client


def withdraw(api, amount="150.00", method="upi", key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(WITHDRAWALS, {"method": method, "amount": amount}, format="json", **headers)


def funded(user, amount="500.00"):
    """`amount` available and KYC verified: ready to withdraw."""
    event = confirmed_cashback(user, amount)
    verified_kyc(user)
    return event


def pending_cashback(user, *, sale_amount="1000.00", **kwargs):
    """10% of `sale_amount` pending (the commission is large enough for the cap not to bite)."""
    click = ClickFactory(user=user, offer__merchant__cashback_value=Decimal("10.00"), **kwargs)
    commission = str(Decimal(sale_amount) / 5)
    return cashback_report(sale=sale_for(click, sale_amount=sale_amount, commission=commission))


def error(response) -> dict:
    return response.json()["error"]


def receipt_png(name="receipt.png", size=(20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def claim_body(click, **overrides):
    body = {
        "click_id": str(click.id),
        "order_id": "OD-4471",
        "amount": "2499.00",
        "order_date": timezone.localdate(click.created_at).isoformat(),
    }
    return {**body, **overrides}


# --- Authentication and throttling ------------------------------------------------------------


def test_every_endpoint_needs_authentication():
    anonymous = APIClient()
    some_id = uuid.uuid4()

    responses = [
        anonymous.get(WALLET),
        anonymous.get(TRANSACTIONS),
        anonymous.get(CASHBACK),
        anonymous.get(f"{CASHBACK}{some_id}/"),
        anonymous.get(WITHDRAWALS),
        anonymous.post(WITHDRAWALS, {"method": "upi", "amount": "100"}, HTTP_IDEMPOTENCY_KEY="k"),
        anonymous.get(f"{WITHDRAWALS}{some_id}/"),
        anonymous.get(KYC),
        anonymous.post(KYC, {"legal_name": "Asha Verma", "pan": "ABCDE1234F"}),
        anonymous.get(CLAIMS),
        anonymous.post(CLAIMS, {"click_id": str(some_id)}),
        anonymous.get(CLAIMABLE),
        anonymous.get(REFERRALS),
        anonymous.get(LEADERBOARD),
    ]

    assert [response.status_code for response in responses] == [401] * len(responses)
    assert {error(response)["code"] for response in responses} == {"not_authenticated"}
    assert not Withdrawal.objects.exists()
    assert not KycProfile.objects.exists()
    assert not CashbackClaim.objects.exists()


def test_a_jwt_access_token_opens_the_wallet(user):
    confirmed_cashback(user, "120.00")
    access = tokens.tokens_issue(user=user)["access"]

    response = APIClient().get(WALLET, HTTP_AUTHORIZATION=f"Bearer {access}")

    assert response.status_code == 200
    assert response.json()["available"] == "120.00"


def test_wallet_endpoints_share_the_signed_in_users_request_budget(api):
    # The default throttles apply: 300 requests a minute per user, across the API.
    for _ in range(300):
        api.get("/api/v1/config/")

    refused = api.get(WALLET)

    assert refused.status_code == 429
    assert error(refused)["code"] == "throttled"


# --- Summary ----------------------------------------------------------------------------------


def test_wallet_summary_shows_balances_as_two_decimal_strings_and_the_rules(api, user):
    # given 500 confirmed, 100 pending and 150 requested for withdrawal
    funded(user, "500.00")
    pending_cashback(user, sale_amount="1000.00")
    withdrawal_request(user=user, amount=Decimal("150"), method="upi", idempotency_key="w1")

    response = api.get(WALLET)

    assert response.status_code == 200
    assert response.json() == {
        "available": "350.00",
        "pending": "100.00",
        "held": "150.00",
        "lifetime_earned": "500.00",
        "withdrawn": "0.00",
        "owed": "0.00",
        "minimum_withdrawal": "100.00",
        "withdrawals_per_day": 3,
    }


def test_a_new_shoppers_wallet_is_all_zero(api):
    body = api.get(WALLET).json()

    assert body["available"] == body["pending"] == body["held"] == "0.00"


def test_wallet_summary_shows_only_the_callers_money(api, stranger):
    confirmed_cashback(stranger, "900.00")

    assert api.get(WALLET).json()["available"] == "0.00"


# --- Transactions -----------------------------------------------------------------------------


def test_transactions_list_one_line_per_event_with_its_effect_on_available_and_pending(
    api, user, stranger
):
    # given a confirmed cashback (reported, then confirmed) and a stranger's
    event = confirmed_cashback(user, "200.00")
    confirmed_cashback(stranger, "300.00")

    response = api.get(TRANSACTIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    lines = body["results"]
    assert [(line["kind"], line["available_change"], line["pending_change"]) for line in lines] == [
        ("cashback_confirmed", "200.00", "-200.00"),
        ("cashback_pending", "0.00", "200.00"),
    ]
    confirmed = Transaction.objects.get(kind="cashback_confirmed", reference_id=event.public_id)
    assert lines[0] == {
        "transaction_id": str(confirmed.public_id),
        "kind": "cashback_confirmed",
        "kind_label": "Cashback confirmed",
        "detail": event.merchant.name,
        "available_change": "200.00",
        "pending_change": "-200.00",
        "amount": "200.00",
        "cashback_id": str(event.public_id),
        "withdrawal_id": None,
        "order_number": None,
        "created_at": lines[0]["created_at"],
    }
    assert lines[0]["created_at"]
    assert event.network not in str(body)  # the network's name is the ledger's business


def test_a_withdrawal_is_one_line_per_step_linked_to_its_withdrawal(api, user):
    funded(user, "300.00")
    withdrawal = withdrawal_request(
        user=user, amount=Decimal("120"), method="upi", idempotency_key="a"
    )
    staff = operator()
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR12345678")

    lines = api.get(TRANSACTIONS).json()["results"]

    steps = [
        (line["kind"], line["available_change"], line["pending_change"], line["amount"])
        for line in lines
        if line["withdrawal_id"] == str(withdrawal.public_id)
    ]
    assert steps == [
        ("withdrawal_paid", "0.00", "0.00", "120.00"),
        ("withdrawal_hold", "-120.00", "0.00", "120.00"),
    ]
    assert {line["cashback_id"] for line in lines if line["withdrawal_id"]} == {None}


def test_transactions_filter_by_kind_and_by_a_balance_they_changed(api, user):
    confirmed_cashback(user, "200.00")

    by_kind = api.get(TRANSACTIONS, {"kind": "cashback_pending"}).json()
    available = api.get(TRANSACTIONS, {"account": "available"}).json()
    pending = api.get(TRANSACTIONS, {"account": "pending"}).json()

    assert [line["kind"] for line in by_kind["results"]] == ["cashback_pending"]
    assert [line["kind"] for line in available["results"]] == ["cashback_confirmed"]
    assert [line["kind"] for line in pending["results"]] == [
        "cashback_confirmed",
        "cashback_pending",
    ]


def test_transactions_filter_by_dates_with_both_ends_included(api, user):
    confirmed_cashback(user, "200.00")
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)

    on_the_day = api.get(TRANSACTIONS, {"since": today.isoformat(), "until": today.isoformat()})
    before = api.get(TRANSACTIONS, {"until": yesterday.isoformat()})
    after = api.get(TRANSACTIONS, {"since": (today + timedelta(days=1)).isoformat()})

    assert on_the_day.json()["count"] == 2
    assert before.json()["count"] == 0
    assert after.json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"since": "yesterday"}, {"since"}),
        ({"since": "2025-02-30", "until": "31/12/2025"}, {"since", "until"}),
        ({"since": "2025-03-10", "until": "2025-03-01"}, {"until"}),
        ({"kind": "lottery_win"}, {"kind"}),
        ({"kind": "order_fulfilled"}, {"kind"}),  # the shop's settlement: not a shopper's event
        ({"account": "cashback_payable"}, {"account"}),
    ],
)
def test_transactions_refuse_bad_filters_with_a_message_per_field(api, params, fields):
    response = api.get(TRANSACTIONS, params)

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == fields


# --- Cashback ---------------------------------------------------------------------------------


def test_cashback_lists_the_callers_events_with_their_state(api, user, stranger):
    confirmed = confirmed_cashback(user, "50.00")
    pending = pending_cashback(user, sale_amount="2000.00")
    confirmed_cashback(stranger, "70.00")
    merchant = pending.merchant

    response = api.get(CASHBACK)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {
        str(confirmed.public_id),
        str(pending.public_id),
    }
    row = next(row for row in body["results"] if row["id"] == str(pending.public_id))
    assert row == {
        "id": str(pending.public_id),
        "merchant": merchant.name,
        "merchant_slug": merchant.slug,
        "network": "admitad",
        "sale_amount": "2000.00",
        "cashback": "200.00",
        "status": "pending",
        "status_label": "Pending",
        "occurred_at": row["occurred_at"],
        "expected_confirmation": pending.expected_confirmation.isoformat(),
        "expected_arrival": None,  # nothing learned about the store yet: test_arrival.py
        "confirmed_at": None,
        "declined_at": None,
        "reversed": False,
        "reversed_at": None,
    }
    assert "commission" not in row and "raw_payload" not in row


def test_cashback_filters_by_status(api, user):
    confirmed = confirmed_cashback(user, "50.00")
    pending_cashback(user)

    response = api.get(CASHBACK, {"status": "confirmed"})

    assert [row["id"] for row in response.json()["results"]] == [str(confirmed.public_id)]
    assert response.json()["results"][0]["confirmed_at"]


def test_cashback_refuses_an_unknown_status(api):
    response = api.get(CASHBACK, {"status": "paid"})

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"status"}


def test_a_reversed_cashback_says_so(api, user):
    click = ClickFactory(user=user, offer__merchant__cashback_value=Decimal("10.00"))
    sale = sale_for(click)
    cashback_report(sale=with_status(sale, SaleStatus.CONFIRMED))
    event = cashback_report(sale=with_status(sale, SaleStatus.DECLINED))

    row = api.get(f"{CASHBACK}{event.public_id}/").json()

    assert row["status"] == "declined"
    assert row["reversed"] is True
    assert row["reversed_at"]


def test_one_cashback_of_mine(api, user):
    event = confirmed_cashback(user, "80.00")

    response = api.get(f"{CASHBACK}{event.public_id}/")

    assert response.status_code == 200
    assert response.json()["cashback"] == "80.00"
    assert response.json()["status"] == "confirmed"


@pytest.mark.parametrize("public_id", ["someone-elses", "unknown", "not-a-uuid"])
def test_cashback_of_someone_else_unknown_or_malformed_answers_404(api, stranger, public_id):
    ids = {
        "someone-elses": confirmed_cashback(stranger, "80.00").public_id,
        "unknown": uuid.uuid4(),
        "not-a-uuid": "12345",
    }

    response = api.get(f"{CASHBACK}{ids[public_id]}/")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


# --- Withdrawals ------------------------------------------------------------------------------


def test_withdrawal_request_answers_201_and_moves_the_amount_to_held(api, user):
    funded(user, "500.00")

    response = withdraw(api, amount="150.00")

    assert response.status_code == 201
    withdrawal = Withdrawal.objects.get(user=user)
    assert response.json() == {
        "id": str(withdrawal.public_id),
        "method": "upi",
        "method_label": "UPI",
        "amount": "150.00",
        "destination": f"shopper{user.pk}@okaxis",
        "status": "requested",
        "status_label": "Requested",
        "utr": "",
        "reason": "",
        "created_at": response.json()["created_at"],
        "approved_at": None,
        "completed_at": None,
    }
    summary = api.get(WALLET).json()
    assert (summary["available"], summary["held"]) == ("350.00", "150.00")


def test_withdrawal_to_a_bank_account_shows_the_number_masked(api, user):
    confirmed_cashback(user, "500.00")
    verified_kyc(user, bank_account="001234567890")

    response = withdraw(api, method="bank")

    assert response.status_code == 201
    assert response.json()["destination"] == "HDFC0001234 · XXXXXX7890"
    assert "001234567890" not in response.content.decode()


def test_withdrawal_request_without_an_idempotency_key_is_refused(api, user):
    funded(user)

    response = withdraw(api, key=None)

    assert response.status_code == 400
    assert error(response)["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in error(response)["message"]
    assert set(error(response)["fields"]) == {"Idempotency-Key"}
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize(
    ("key", "code"),
    [("   ", "idempotency_key_required"), ("k" * 101, "invalid_idempotency_key")],
)
def test_withdrawal_request_refuses_a_blank_or_overlong_idempotency_key(api, user, key, code):
    funded(user)

    response = withdraw(api, key=key)

    assert response.status_code == 400
    assert error(response)["code"] == code
    assert set(error(response)["fields"]) == {"Idempotency-Key"}
    assert not Withdrawal.objects.exists()


def test_a_retry_with_the_same_key_answers_200_with_the_same_withdrawal_and_writes_nothing(
    api, user
):
    # given a withdrawal made with a key
    funded(user, "500.00")
    first = withdraw(api, key="retry-me")
    written = (
        Withdrawal.objects.count(),
        Transaction.objects.count(),
        Posting.objects.count(),
        WithdrawalAudit.objects.count(),
    )

    # when the app retries it
    again = withdraw(api, key="retry-me")

    # then the same withdrawal comes back and nothing more is written
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert written == (
        Withdrawal.objects.count(),
        Transaction.objects.count(),
        Posting.objects.count(),
        WithdrawalAudit.objects.count(),
    )
    assert api.get(WALLET).json()["held"] == "150.00"


def test_a_new_key_makes_a_new_withdrawal(api, user):
    funded(user, "500.00")

    first = withdraw(api, key="first")
    second = withdraw(api, key="second")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert api.get(WALLET).json()["held"] == "300.00"


def test_the_same_key_for_a_different_amount_is_refused(api, user):
    funded(user, "500.00")
    withdraw(api, amount="150.00", key="same")

    response = withdraw(api, amount="200.00", key="same")

    assert response.status_code == 409
    assert error(response)["code"] == "idempotency_key_reused"
    assert Withdrawal.objects.count() == 1


def test_another_shoppers_key_does_not_return_my_withdrawal(api, user, stranger, stranger_api):
    funded(user, "500.00")
    funded(stranger, "500.00")

    mine = withdraw(api, key="shared-key")
    theirs = withdraw(stranger_api, key="shared-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


def test_withdrawal_beyond_the_available_balance_answers_409(api, user):
    funded(user, "120.00")

    response = withdraw(api, amount="150.00")

    assert response.status_code == 409
    assert error(response)["code"] == "insufficient_funds"
    assert not Withdrawal.objects.exists()


def test_withdrawal_without_verified_kyc_answers_403(api, user):
    confirmed_cashback(user, "500.00")
    kyc_submit(user=user, legal_name="Asha Verma", pan="ABCDE1234F", upi_id="asha@okaxis")

    response = withdraw(api)

    assert response.status_code == 403
    assert error(response)["code"] == "kyc_required"
    assert not Withdrawal.objects.exists()


def test_withdrawal_below_the_minimum_answers_400_on_the_amount(api, user):
    funded(user, "500.00")

    response = withdraw(api, amount="99.99")

    assert response.status_code == 400
    assert error(response)["code"] == "below_minimum"
    assert "₹100" in error(response)["fields"]["amount"][0]
    assert not Withdrawal.objects.exists()


def test_withdrawals_past_the_daily_limit_answer_429(api, user):
    funded(user, "1000.00")
    for n in range(3):
        assert withdraw(api, amount="100.00", key=f"day-{n}").status_code == 201

    response = withdraw(api, amount="100.00", key="day-4")

    assert response.status_code == 429
    assert error(response)["code"] == "daily_limit_reached"
    assert Withdrawal.objects.count() == 3


def test_withdrawal_by_a_method_without_details_answers_400_on_the_method(api, user):
    funded(user, "500.00")  # UPI only

    response = withdraw(api, method="bank")

    assert response.status_code == 400
    assert error(response)["code"] == "payout_destination_missing"
    assert set(error(response)["fields"]) == {"method"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"method": "cheque", "amount": "150.00"}, {"method"}),
        ({"method": "upi", "amount": "150.005"}, {"amount"}),
        ({"method": "upi", "amount": "lots"}, {"amount"}),
        ({}, {"method", "amount"}),
    ],
)
def test_withdrawal_request_refuses_bad_fields(api, user, body, fields):
    funded(user)

    response = api.post(WITHDRAWALS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == fields
    assert not Withdrawal.objects.exists()


def test_withdrawals_list_only_the_callers_newest_first(api, user, stranger):
    funded(user, "500.00")
    funded(stranger, "500.00")
    older = withdrawal_request(user=user, amount=Decimal("100"), method="upi", idempotency_key="1")
    newer = withdrawal_request(user=user, amount=Decimal("120"), method="upi", idempotency_key="2")
    withdrawal_request(user=stranger, amount=Decimal("100"), method="upi", idempotency_key="1")

    body = api.get(WITHDRAWALS).json()

    assert [row["id"] for row in body["results"]] == [str(newer.public_id), str(older.public_id)]


def test_a_withdrawal_shows_its_audit_trail_without_naming_operators(api, user):
    # given a withdrawal approved and paid by an operator
    funded(user, "500.00")
    withdrawal = withdrawal_request(
        user=user, amount=Decimal("200"), method="upi", idempotency_key="w"
    )
    staff = operator(email="payouts.lead@coupzii.example")
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR0012345")

    # when the shopper opens it
    response = api.get(f"{WITHDRAWALS}{withdrawal.public_id}/")

    # then every step shows, by "you" or the team
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["utr"]) == ("paid", "UTR0012345")
    assert [(step["action"], step["actor"]) for step in body["audit"]] == [
        ("requested", "you"),
        ("approved", "Coupzii team"),
        ("paid", "Coupzii team"),
    ]
    assert body["audit"][2]["note"] == "UTR0012345"
    assert "payouts.lead" not in response.content.decode()
    assert api.get(WALLET).json()["withdrawn"] == "200.00"


@pytest.mark.parametrize("which", ["someone-elses", "unknown", "not-a-uuid"])
def test_withdrawal_of_someone_else_unknown_or_malformed_answers_404(api, stranger, which):
    funded(stranger, "500.00")
    theirs = withdrawal_request(
        user=stranger, amount=Decimal("100"), method="upi", idempotency_key="t"
    )
    ids = {"someone-elses": theirs.public_id, "unknown": uuid.uuid4(), "not-a-uuid": "42"}

    response = api.get(f"{WITHDRAWALS}{ids[which]}/")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert str(theirs.amount) not in response.content.decode()


# --- KYC --------------------------------------------------------------------------------------


def test_kyc_before_anything_is_submitted_is_unverified_and_empty(api):
    response = api.get(KYC)

    assert response.status_code == 200
    assert response.json() == {
        "status": "unverified",
        "status_label": "Not submitted",
        "can_withdraw": False,
        "legal_name": "",
        "pan_masked": "",
        "upi_id": "",
        "bank_account_masked": "",
        "ifsc": "",
        "submitted_at": None,
        "reviewed_at": None,
        "rejection_reason": "",
    }
    assert not KycProfile.objects.exists()


def test_kyc_submission_sends_details_for_review_and_shows_them_masked(api, user):
    body = {
        "legal_name": "Asha  Verma",
        "pan": "abcde1234f",
        "upi_id": "Asha@OKAXIS",
        "bank_account": "0012 3456 7890",
        "ifsc": "hdfc0001234",
    }

    response = api.post(KYC, body, format="json")

    assert response.status_code == 200
    shown = response.json()
    assert shown["status"] == "submitted"
    assert shown["can_withdraw"] is False
    assert shown["legal_name"] == "Asha Verma"
    assert shown["pan_masked"] == "XXXXXX234F"
    assert shown["bank_account_masked"] == "XXXXXX7890"
    assert (shown["upi_id"], shown["ifsc"]) == ("asha@okaxis", "HDFC0001234")
    for answer in (response, api.get(KYC)):
        text = answer.content.decode()
        assert "ABCDE1234F" not in text
        assert "001234567890" not in text
    assert KycProfile.objects.get(user=user).pan == "ABCDE1234F"


def test_verified_kyc_can_withdraw(api, user):
    verified_kyc(user)

    shown = api.get(KYC).json()

    assert (shown["status"], shown["can_withdraw"]) == ("verified", True)
    assert shown["reviewed_at"]


def test_kyc_submission_with_bad_formats_answers_400_per_field(api):
    body = {"legal_name": "Asha Verma", "pan": "ABC123", "bank_account": "12", "ifsc": "HDFC1"}

    response = api.post(KYC, body, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "kyc_invalid"
    assert set(error(response)["fields"]) == {"pan", "bank_account", "ifsc"}
    assert not KycProfile.objects.exists()


def test_kyc_submission_without_required_fields_answers_400(api):
    response = api.post(KYC, {"upi_id": "asha@okaxis"}, format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert set(error(response)["fields"]) == {"legal_name", "pan"}


def test_kyc_is_the_callers_own(api, stranger):
    verified_kyc(stranger)

    assert api.get(KYC).json()["status"] == "unverified"


# --- Missing-cashback claims ------------------------------------------------------------------


def test_claimable_clicks_are_my_recent_untracked_unclaimed_clicks(api, user, stranger):
    # given one untracked click, one tracked, one old, and a stranger's
    untracked = recent_click(user)
    pending_cashback(user)
    ClickFactory(user=user, created_at=timezone.now() - timedelta(days=120))
    recent_click(stranger)

    response = api.get(CLAIMABLE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    clicked_on = timezone.localdate(untracked.created_at)
    assert body["results"][0] == {
        "click_id": str(untracked.id),
        "clicked_at": body["results"][0]["clicked_at"],
        "merchant": untracked.merchant.name,
        "merchant_slug": untracked.merchant.slug,
        "offer_id": str(untracked.offer.public_id),
        "offer_title": untracked.offer.title,
        "order_date_from": clicked_on.isoformat(),
        "order_date_to": (clicked_on + timedelta(days=3)).isoformat(),
        "claim_by": timezone.localdate(untracked.created_at + timedelta(days=90)).isoformat(),
    }


def test_a_claim_is_filed_for_my_click(api, user):
    click = recent_click(user)

    response = api.post(CLAIMS, claim_body(click), format="json")

    assert response.status_code == 201
    claim = CashbackClaim.objects.get(user=user)
    assert response.json() == {
        "id": str(claim.public_id),
        "click_id": str(click.id),
        "merchant": click.merchant.name,
        "merchant_slug": click.merchant.slug,
        "order_id": "OD-4471",
        "amount": "2499.00",
        "order_date": timezone.localdate(click.created_at).isoformat(),
        "status": "open",
        "status_label": "Under review",
        "rejection_reason": "",
        "has_receipt": False,
        "receipt_url": None,
        "cashback_id": None,
        "created_at": response.json()["created_at"],
        "reviewed_at": None,
    }
    assert api.get(CLAIMABLE).json()["count"] == 0


def test_a_claim_can_carry_a_receipt_image_as_multipart(api, user):
    click = recent_click(user)

    response = api.post(CLAIMS, {**claim_body(click), "receipt": receipt_png()}, format="multipart")

    assert response.status_code == 201
    assert response.json()["has_receipt"] is True
    assert CashbackClaim.objects.get(user=user).receipt.name.startswith("cashback-receipts/")


def test_only_the_claims_owner_fetches_its_receipt_from_the_api(api, stranger_api, user):
    # given a claim with a receipt
    receipt = receipt_png(name="asha-flipkart-invoice.png")
    image = receipt.read()
    receipt.seek(0)
    body = {**claim_body(recent_click(user)), "receipt": receipt}
    receipt_url = api.post(CLAIMS, body, format="multipart").json()["receipt_url"]

    # when its owner and someone else ask for it
    mine = api.get(receipt_url)
    theirs = stranger_api.get(receipt_url)

    # then the owner gets the image, privately, and the other shopper a 404
    assert receipt_url.startswith("http://testserver/api/v1/cashback/claims/")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert mine["Cache-Control"] == "private, no-store"
    assert b"".join(mine.streaming_content) == image
    assert theirs.status_code == 404
    assert error(theirs)["code"] == "not_found"
    assert APIClient().get(receipt_url).status_code == 401


def test_a_claim_without_a_receipt_has_no_receipt_to_fetch(api, user):
    response = api.post(CLAIMS, claim_body(recent_click(user)), format="json")
    claim = CashbackClaim.objects.get(user=user)

    assert response.json()["receipt_url"] is None
    assert api.get(f"{CLAIMS}{claim.public_id}/receipt/").status_code == 404
    assert api.get(f"{CLAIMS}not-a-uuid/receipt/").status_code == 404


def test_a_receipt_that_is_not_an_image_is_refused(api, user):
    click = recent_click(user)
    fake = SimpleUploadedFile("receipt.png", b"%PDF-1.4 not an image", content_type="image/png")

    response = api.post(CLAIMS, {**claim_body(click), "receipt": fake}, format="multipart")

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"receipt"}
    assert not CashbackClaim.objects.exists()


def test_a_claim_on_another_shoppers_click_answers_404_and_writes_nothing(api, stranger):
    theirs = recent_click(stranger)

    response = api.post(CLAIMS, claim_body(theirs), format="json")

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert not CashbackClaim.objects.exists()


def test_a_claim_on_an_unknown_click_answers_404(api):
    body = {
        "click_id": str(uuid.uuid4()),
        "order_id": "OD-1",
        "amount": "100.00",
        "order_date": timezone.localdate().isoformat(),
    }

    assert api.post(CLAIMS, body, format="json").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"click_id": "12"}, {"click_id"}),
        ({"amount": "0"}, {"amount"}),
        ({"order_date": "05/03/2025"}, {"order_date"}),
        ({"order_id": ""}, {"order_id"}),
    ],
)
def test_a_claim_with_bad_fields_answers_400_per_field(api, user, overrides, fields):
    click = recent_click(user)

    response = api.post(CLAIMS, claim_body(click, **overrides), format="json")

    assert response.status_code == 400
    assert set(error(response)["fields"]) == fields
    assert not CashbackClaim.objects.exists()


def test_a_claim_for_an_order_long_after_the_click_is_refused_on_the_order_date(api, user):
    click = recent_click(user)
    late = timezone.localdate(click.created_at) + timedelta(days=10)

    response = api.post(CLAIMS, claim_body(click, order_date=late.isoformat()), format="json")

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"order_date"}
    assert not CashbackClaim.objects.exists()


def test_a_second_claim_on_the_same_click_is_refused(api, user):
    click = recent_click(user)
    api.post(CLAIMS, claim_body(click), format="json")

    response = api.post(CLAIMS, claim_body(click, order_id="OD-2"), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "claim_refused"
    assert CashbackClaim.objects.count() == 1


def test_a_claim_on_a_tracked_purchase_is_refused(api, user):
    event = pending_cashback(user)

    response = api.post(CLAIMS, claim_body(event.click), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "claim_refused"


def test_claims_list_only_the_callers(api, user, stranger, stranger_api):
    mine = api.post(CLAIMS, claim_body(recent_click(user)), format="json").json()
    stranger_api.post(CLAIMS, claim_body(recent_click(stranger)), format="json")

    body = api.get(CLAIMS).json()

    assert [claim["id"] for claim in body["results"]] == [mine["id"]]


# --- Referrals --------------------------------------------------------------------------------


def test_referrals_show_code_link_bonuses_earnings_and_friends_without_emails(api, user):
    # given a friend whose first cashback was confirmed, and one who only joined
    rewarded = UserFactory(full_name="Ravi Kumar", referred_by=user, email="ravi.k@mail.example")
    joined = UserFactory(full_name="", referred_by=user, email="meena@mail.example")
    confirmed_cashback(rewarded, "200.00")

    response = api.get(REFERRALS)

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == user.referral_code
    assert body["share_link"] == f"http://testserver/accounts/signup/?ref={user.referral_code}"
    assert (body["referrer_bonus"], body["welcome_bonus"]) == ("100.00", "50.00")
    assert body["earnings"] == "100.00"
    assert body["friends_count"] == 2
    assert [(f["name"], f["state"]) for f in body["friends"]] == [
        ("m•••", "joined"),
        ("Ravi K.", "rewarded"),
    ]
    assert body["friends"][1]["state_label"] == "Bonus paid"
    text = response.content.decode()
    assert rewarded.email not in text and joined.email not in text
    assert "Kumar" not in text


def test_a_friend_with_cashback_not_yet_confirmed_is_earning(api, user):
    friend = UserFactory(referred_by=user)
    pending_cashback(friend)

    friends = api.get(REFERRALS).json()["friends"]

    assert [f["state"] for f in friends] == ["earning"]


def test_the_leaderboard_ranks_this_months_referrers_with_short_names(
    api, user, stranger, django_capture_on_commit_callbacks
):
    # given the caller earned one referral bonus this month and a stranger two
    with django_capture_on_commit_callbacks(execute=True):  # the board is updated on commit
        for referrer, friends in ((user, 1), (stranger, 2)):
            for _ in range(friends):
                confirmed_cashback(UserFactory(referred_by=referrer), "200.00")

    response = api.get(LEADERBOARD)

    assert response.status_code == 200
    body = response.json()
    assert body["month"] == timezone.localdate().strftime("%Y-%m")
    assert body["rows"] == [
        {"rank": 1, "name": "Ravi K.", "earned": "200.00", "is_you": False},
        {"rank": 2, "name": "Asha V.", "earned": "100.00", "is_you": True},
    ]
    assert body["your_rank"] == 2
    assert stranger.email not in response.content.decode()


def test_the_leaderboard_of_another_month_can_be_empty(api):
    body = api.get(LEADERBOARD, {"month": "2020-01"}).json()

    assert body == {"month": "2020-01", "rows": [], "your_rank": None, "your_earned": None}


# Year 0 and year 1 (before UTC offsets) have no dates the database can bound: a 500 once.
@pytest.mark.parametrize(
    "month", ["2025-13", "2025-1", "march", "2025-03-01", "0000-01", "0001-01", "9999-12"]
)
def test_the_leaderboard_refuses_a_malformed_month(api, month):
    response = api.get(LEADERBOARD, {"month": month})

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"month"}
    assert "YYYY-MM" in error(response)["fields"]["month"][0]


# --- Query counts -----------------------------------------------------------------------------


@pytest.fixture
def busy_wallet(user):
    """Enough of everything for two pages of 1 and 25: cashback, claims, clicks, withdrawals."""
    verified_kyc(user)
    for _ in range(26):
        pending_cashback(user)
    confirmed_cashback(user, "5000.00")
    for n in range(26):
        click = recent_click(user)
        cashback_claim_file(
            user=user,
            click_id=click.id,
            order_id=f"OD-{n}",
            amount=Decimal("500.00"),
            order_date=timezone.localdate(click.created_at),
        )
    for _ in range(26):
        recent_click(user)
    with override_settings(WALLET_WITHDRAWALS_PER_DAY=100):
        for n in range(26):
            withdrawal_request(
                user=user, amount=Decimal("100"), method="upi", idempotency_key=f"q{n}"
            )
    return user


# Each list: count, page (with its related rows joined); pending cashback also reads the
# page's arrival estimates, all in one query (wallet.arrival).
LIST_QUERIES = [
    (CASHBACK, {"status": "pending"}, 3),
    (WITHDRAWALS, {}, 2),
    (CLAIMS, {}, 2),
    (CLAIMABLE, {}, 2),
]


@pytest.mark.parametrize("page_size", [1, 25])
def test_lists_run_a_fixed_number_of_queries_whatever_the_page_size(
    api, busy_wallet, page_size, django_assert_num_queries
):
    for url, params, queries in LIST_QUERIES:
        with django_assert_num_queries(queries):
            response = api.get(url, {**params, "page_size": page_size})

        assert response.status_code == 200, url
        assert len(response.json()["results"]) == page_size, url


@pytest.mark.parametrize("page_size", [2, 25])
def test_transactions_run_four_queries_whatever_the_page_size(
    api, user, page_size, django_assert_num_queries
):
    # given cashback and withdrawals in turn, so every page holds both
    funded(user, "5000.00")
    with override_settings(WALLET_WITHDRAWALS_PER_DAY=100):
        for n in range(13):
            pending_cashback(user)
            withdrawal_request(
                user=user, amount=Decimal("100"), method="upi", idempotency_key=f"t{n}"
            )

    # count, page (with the balance changes summed in SQL), the page's cashback, withdrawals
    with django_assert_num_queries(4):
        response = api.get(TRANSACTIONS, {"page_size": page_size})

    lines = response.json()["results"]
    assert len(lines) == page_size
    assert all(line["detail"] for line in lines)


def test_the_wallet_summary_takes_four_queries(api, user, django_assert_num_queries):
    funded(user, "500.00")
    withdrawal_request(user=user, amount=Decimal("100"), method="upi", idempotency_key="s")

    with django_assert_num_queries(4):  # balances, earned, withdrawn, owed
        api.get(WALLET)


def test_a_withdrawal_and_its_audit_trail_take_two_queries(api, user, django_assert_num_queries):
    funded(user, "500.00")
    withdrawal = withdrawal_request(
        user=user, amount=Decimal("100"), method="upi", idempotency_key="x"
    )
    staff = operator()
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR99887766")

    with django_assert_num_queries(2):  # the withdrawal, its audit trail
        response = api.get(f"{WITHDRAWALS}{withdrawal.public_id}/")

    assert len(response.json()["audit"]) == 3


@pytest.mark.parametrize("friends", [1, 12])
def test_referrals_run_a_fixed_number_of_queries_whatever_the_friends(
    api, user, friends, django_assert_num_queries
):
    for _ in range(friends):
        pending_cashback(UserFactory(referred_by=user))

    with django_assert_num_queries(2):  # friends with their state, earnings
        response = api.get(REFERRALS)

    assert len(response.json()["friends"]) == friends


# --- Schema -----------------------------------------------------------------------------------


def test_the_wallet_endpoints_are_in_the_schema_with_their_shapes(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    for path, methods in {
        WALLET: {"get"},
        TRANSACTIONS: {"get"},
        CASHBACK: {"get"},
        "/api/v1/wallet/cashback/{public_id}/": {"get"},
        WITHDRAWALS: {"get", "post"},
        "/api/v1/wallet/withdrawals/{public_id}/": {"get"},
        KYC: {"get", "post"},
        CLAIMS: {"get", "post"},
        CLAIMABLE: {"get"},
        REFERRALS: {"get"},
        LEADERBOARD: {"get"},
    }.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            assert "200" in paths[path][method]["responses"] or method == "post", path
    post = paths[WITHDRAWALS]["post"]
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert (header["in"], header["required"]) == ("header", True)
    assert {"201", "200", "400", "403", "409", "429"} <= set(post["responses"])
    assert "multipart/form-data" in paths[CLAIMS]["post"]["requestBody"]["content"]
