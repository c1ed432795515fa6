"""The wallet pages as a shopper uses them: balances, the four tabs, withdrawing with the KYC
step inline, missing-cashback claims, and the referrals page."""

import io
import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import UserFactory
from offers.tests.factories import ClickFactory
from wallet.models import CashbackClaim, KycProfile, KycStatus, Withdrawal
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.services.claims import cashback_claim_file, cashback_claim_reject
from wallet.services.kyc import kyc_reject, kyc_submit
from wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_reject,
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

WALLET = "/wallet/"
WITHDRAW = "/wallet/withdraw/"
KYC = "/wallet/kyc/"
CLAIM = "/wallet/claims/"
REFERRALS = "/referrals/"


@pytest.fixture
def user():
    return UserFactory(full_name="Asha Verma")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def html_of(response) -> str:
    return response.content.decode()


def shown(html: str, name: str) -> str:
    """The text inside the element marked data-testid=`name`."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', html, re.S)
    assert match, f"no element {name!r} on the page"
    return match.group(1).strip()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pending_cashback(user, *, sale_amount="1000.00", **click_kwargs):
    """A sale the network reported and has not confirmed yet (5% cashback: ₹50 on ₹1,000)."""
    click = ClickFactory(user=user, **click_kwargs)
    # A commission as large as the sale: the cap on the share passed on never bites.
    return cashback_report(sale=sale_for(click, sale_amount=sale_amount, commission=sale_amount))


def funded_and_verified(user, amount="500.00"):
    confirmed_cashback(user, amount)
    return verified_kyc(user)


def withdraw_post(client, *, amount="200", method="upi", key="form-key-1"):
    return client.post(WITHDRAW, {"amount": amount, "method": method, "idempotency_key": key})


def png(name="receipt.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Signed out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [WALLET, f"{WALLET}?tab=withdraw", REFERRALS])
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("path", "tab"), [(WITHDRAW, "withdraw"), (KYC, "withdraw"), (CLAIM, "cashback")]
)
def test_a_signed_out_post_signs_in_and_comes_back_to_the_tab_writing_nothing(client, path, tab):
    response = client.post(path, {"amount": "200", "method": "upi", "idempotency_key": "k"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"tab%3D{tab}" in response["Location"]
    assert not Withdrawal.objects.exists()
    assert not KycProfile.objects.exists()
    assert not CashbackClaim.objects.exists()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (WITHDRAW, "/wallet/?tab=withdraw"),
        (KYC, "/wallet/?tab=withdraw"),
        (CLAIM, "/wallet/?tab=cashback#missing"),
    ],
)
def test_a_get_of_a_form_url_goes_to_the_page_the_form_lives_on_not_a_blank_405(
    signed_in, path, target
):
    response = signed_in.get(path)

    assert response.status_code == 302 and response["Location"] == target
    assert signed_in.get(target).status_code == 200
    assert signed_in.delete(path).status_code == 405


def test_switching_language_after_a_refused_withdrawal_lands_on_the_withdraw_tab(signed_in):
    # given the withdraw form refused (no KYC, no money) and shown again at its POST URL
    refused = withdraw_post(signed_in, amount="abc")
    next_url = re.search(r'name="next" value="([^"]+)"', html_of(refused)).group(1)

    # when the shopper switches to Hindi there
    switched = signed_in.post("/i18n/setlang/", {"language": "hi", "next": next_url}, follow=True)

    # then they land on a page that can be fetched: the withdraw tab, in Hindi
    assert switched.status_code == 200
    assert switched.redirect_chain[-1][0] == "/wallet/?tab=withdraw"
    assert '<html lang="hi">' in html_of(switched)


# --- Balances -----------------------------------------------------------------------------------


def test_balance_cards_show_available_pending_lifetime_earned_and_withdrawn(signed_in, user):
    # given ₹500 confirmed, ₹50 pending, ₹200 withdrawn and paid, ₹100 still being withdrawn
    funded_and_verified(user, "500.00")
    pending_cashback(user)
    paid = withdrawal_request(user=user, amount=D("200"), method="upi", idempotency_key="a")
    staff = operator()
    withdrawal_approve(withdrawal=paid, operator=staff)
    withdrawal_mark_paid(withdrawal=paid, operator=staff, utr="UTR123456")
    withdrawal_request(user=user, amount=D("100"), method="upi", idempotency_key="b")

    # when
    html = html_of(signed_in.get(WALLET))

    # then
    assert shown(html, "balance-available") == "₹200.00"
    assert shown(html, "balance-pending") == "₹50.00"
    assert shown(html, "balance-earned") == "₹500.00"
    assert shown(html, "balance-withdrawn") == "₹200.00"
    assert "₹100.00" in shown(html, "balance-held")
    assert 'data-testid="balance-owed"' not in html


def test_a_new_shopper_sees_zero_balances_and_no_extra_notes(signed_in):
    html = html_of(signed_in.get(WALLET))

    assert shown(html, "balance-available") == "₹0.00"
    assert 'data-testid="balance-held"' not in html
    assert 'data-testid="balance-owed"' not in html


# --- Transactions tab -----------------------------------------------------------------------------


def test_transactions_show_one_line_per_event_with_its_store_and_effect_on_each_balance(
    signed_in, user
):
    event = confirmed_cashback(user, "120.00")

    html = html_of(signed_in.get(WALLET))

    assert "2 lines" in html  # reported, confirmed: not one line per ledger posting
    assert html.count('data-testid="statement-line"') == 2
    assert 'cz-row-title">Cashback reported' in html
    assert 'cz-row-title">Cashback confirmed' in html
    assert event.merchant.name in html
    assert f"#cashback-{event.public_id}" in html  # linked to the cashback it is about
    assert f'id="cashback-{event.public_id}"' in html_of(signed_in.get(WALLET, {"tab": "cashback"}))
    confirmed_effects = re.search(r"Cashback confirmed.*?</li>", html, re.S).group(0)
    assert re.search(
        r"\+₹120.00</span> <span class=\"cz-account-tag\">Available", confirmed_effects
    )
    assert re.search(r"-₹120.00</span> <span class=\"cz-account-tag\">Pending", confirmed_effects)
    assert event.network not in html and event.network_txn_id not in html


def test_a_withdrawal_shows_as_requested_then_paid_never_as_in_withdrawals(signed_in, user):
    funded_and_verified(user, "300.00")
    withdrawal = withdrawal_request(user=user, amount=D("100"), method="upi", idempotency_key="w")
    staff = operator()
    withdrawal_approve(withdrawal=withdrawal, operator=staff)
    withdrawal_mark_paid(withdrawal=withdrawal, operator=staff, utr="UTR55554444")

    html = html_of(signed_in.get(WALLET))

    assert "In withdrawals" not in html
    assert 'cz-row-title">Withdrawal requested' in html
    assert 'cz-row-title">Withdrawal paid' in html
    assert f"#withdrawal-{withdrawal.public_id}" in html
    assert f"To {withdrawal.destination}" in html
    paid = re.search(r"Withdrawal paid.*?</li>", html, re.S).group(0)
    assert "₹100.00" in paid and "Paid out" in paid


def test_transactions_are_the_default_tab_and_an_unknown_tab_falls_back_to_it(signed_in):
    for path in (WALLET, f"{WALLET}?tab=nonsense"):
        html = html_of(signed_in.get(path))
        assert "No transactions yet" in html
        assert reverse("merchant_list") in html


def test_transactions_filter_by_kind_balance_and_dates(signed_in, user):
    # given a confirmed cashback (2 lines) and a withdrawal request (1 line)
    funded_and_verified(user, "300.00")
    withdrawal_request(user=user, amount=D("100"), method="upi", idempotency_key="w")
    today = timezone.localdate()

    by_kind = html_of(signed_in.get(WALLET, {"tab": "transactions", "kind": "withdrawal_hold"}))
    by_account = html_of(signed_in.get(WALLET, {"tab": "transactions", "account": "pending"}))
    by_dates = html_of(
        signed_in.get(WALLET, {"since": today.isoformat(), "until": today.isoformat()})
    )
    before = html_of(signed_in.get(WALLET, {"until": (today - timedelta(days=1)).isoformat()}))

    assert "1 line" in by_kind and 'cz-row-title">Withdrawal requested' in by_kind
    assert 'cz-row-title">Cashback confirmed' not in by_kind
    assert "2 lines" in by_account  # reported (pending up), confirmed (pending down)
    assert "3 lines" in by_dates
    assert "No transactions match these filters" in before


def test_a_date_range_ending_before_it_starts_is_a_field_error_and_the_rest_still_applies(
    signed_in, user
):
    confirmed_cashback(user, "100.00")
    today = timezone.localdate()

    html = html_of(
        signed_in.get(
            WALLET,
            {"since": today.isoformat(), "until": (today - timedelta(days=3)).isoformat()},
        )
    )

    assert "The end date is before the start date." in html
    assert "2 lines" in html


def test_transactions_pages_keep_the_filters(signed_in, user):
    for _ in range(21):
        pending_cashback(user)

    html = html_of(signed_in.get(WALLET, {"tab": "transactions", "account": "pending"}))

    assert "Page 1 of 2" in html
    assert "page=2" in html and "account=pending" in html


@pytest.mark.parametrize("sales", [3, 20])
def test_transactions_tab_runs_the_same_queries_however_many_lines_the_page_holds(
    signed_in, user, sales, django_assert_num_queries
):
    for _ in range(sales):
        pending_cashback(user)

    # the user, 4 for the balance cards, count, page, the page's stores, unread notifications
    with django_assert_num_queries(9):
        response = signed_in.get(WALLET)

    assert response.status_code == 200


# --- Cashback tab ---------------------------------------------------------------------------------


def test_cashback_tracker_shows_each_event_with_store_amounts_status_and_expected_date(
    signed_in, user
):
    pending = pending_cashback(user, sale_amount="2000.00")
    confirmed = confirmed_cashback(user, "80.00")
    declined_sale = sale_for(ClickFactory(user=user))
    cashback_report(sale=declined_sale)
    cashback_report(sale=with_status(declined_sale, SaleStatus.DECLINED))

    html = html_of(signed_in.get(WALLET, {"tab": "cashback"}))

    assert pending.merchant.name in html and confirmed.merchant.name in html
    assert "₹2,000.00 order on" in html
    assert "₹100.00" in html  # 5% of 2,000
    assert "Expected to confirm by" in html
    assert pending.expected_confirmation.strftime("%-d %b %Y") in html
    assert "Pending" in html and "Confirmed" in html and "Declined" in html


def test_cashback_tracker_filters_by_status(signed_in, user):
    pending = pending_cashback(user)
    confirmed = confirmed_cashback(user, "80.00")

    html = html_of(signed_in.get(WALLET, {"tab": "cashback", "status": "confirmed"}))

    assert confirmed.merchant.name in html
    assert pending.merchant.name not in html


def test_cashback_tab_empty_states_point_to_the_stores(signed_in):
    html = html_of(signed_in.get(WALLET, {"tab": "cashback"}))

    assert "No cashback yet" in html
    assert "Shop through Coupzii to earn" in html
    assert reverse("merchant_list") in html
    assert "There is no store visit to claim for" in html
    assert "No claims yet" in html


def test_missing_cashback_lists_the_shoppers_untracked_click_outs(signed_in, user):
    untracked = recent_click(user)
    tracked = recent_click(user)
    cashback_report(sale=sale_for(tracked))
    someone_elses = recent_click(UserFactory())

    html = html_of(signed_in.get(WALLET, {"tab": "cashback"}))

    assert f'value="{untracked.id}"' in html
    assert f'value="{tracked.id}"' not in html
    assert f'value="{someone_elses.id}"' not in html


def claim_data(click, **overrides):
    data = {
        "click": str(click.id),
        "order_id": "AMZ-1234",
        "amount": "1,499",
        "order_date": timezone.localdate(click.created_at).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_claim_for_the_shoppers_own_click_is_filed_with_its_receipt(signed_in, user):
    click = recent_click(user)

    response = signed_in.post(CLAIM, {**claim_data(click), "receipt": png()})

    assert response.status_code == 302
    assert response["Location"] == "/wallet/?tab=cashback#claims"
    claim = CashbackClaim.objects.get()
    assert (claim.user, claim.click_id, claim.order_id) == (user, click.id, "AMZ-1234")
    assert claim.amount == D("1499.00")
    assert claim.receipt.name.startswith("cashback-receipts/")
    assert "Claim for order AMZ-1234 sent" in " ".join(messages_of(response))
    html = html_of(signed_in.get(WALLET, {"tab": "cashback"}))
    assert "Order AMZ-1234" in html and "Under review" in html


def test_a_claim_for_another_shoppers_click_is_refused_and_nothing_is_written(signed_in):
    someone_elses = recent_click(UserFactory())

    response = signed_in.post(CLAIM, claim_data(someone_elses))

    assert response.status_code == 200
    html = html_of(response)
    assert "We could not find this click-out in your history." in html
    assert 'value="AMZ-1234"' in html  # what was typed is still there
    assert not CashbackClaim.objects.exists()


def test_a_claim_with_an_order_date_outside_the_visit_window_is_a_field_error(signed_in, user):
    click = recent_click(user)
    too_early = timezone.localdate(click.created_at) - timedelta(days=5)

    response = signed_in.post(CLAIM, claim_data(click, order_date=too_early.isoformat()))

    html = html_of(response)
    assert "The order must be placed within 3 days after the click-out" in html
    assert f'value="{click.id}" checked' in html
    assert 'value="1,499"' in html
    assert not CashbackClaim.objects.exists()


def test_claims_show_their_status_and_the_reason_when_rejected(signed_in, user):
    # given a claim filed through the page, then rejected by an operator
    click = recent_click(user)
    signed_in.post(CLAIM, claim_data(click, order_id="FLP-77"))
    cashback_claim_reject(
        claim=CashbackClaim.objects.get(), operator=operator(), reason="The store has no record"
    )

    html = html_of(signed_in.get(WALLET, {"tab": "cashback"}))

    assert "Order FLP-77" in html
    assert "Rejected" in html
    assert "Reason: The store has no record" in html


# --- Withdrawals tab ----------------------------------------------------------------------------


def test_withdrawals_show_status_destination_utr_when_paid_and_reason_when_rejected(
    signed_in, user
):
    funded_and_verified(user, "1000.00")
    staff = operator()
    paid = withdrawal_request(user=user, amount=D("300"), method="upi", idempotency_key="p")
    withdrawal_approve(withdrawal=paid, operator=staff)
    withdrawal_mark_paid(withdrawal=paid, operator=staff, utr="HDFC00012345")
    rejected = withdrawal_request(user=user, amount=D("150"), method="upi", idempotency_key="r")
    withdrawal_reject(withdrawal=rejected, operator=staff, reason="Name does not match PAN")
    withdrawal_request(user=user, amount=D("120"), method="upi", idempotency_key="o")

    html = html_of(signed_in.get(WALLET, {"tab": "withdrawals"}))

    assert f"To {paid.destination}" in html
    assert "₹300.00" in html and "Paid" in html and "HDFC00012345" in html
    assert "₹150.00" in html and "Rejected" in html
    assert "Reason: Name does not match PAN" in html
    assert "₹120.00" in html and "Requested" in html


def test_withdrawals_empty_state(signed_in):
    html = html_of(signed_in.get(WALLET, {"tab": "withdrawals"}))

    assert "No withdrawals yet" in html
    assert "?tab=withdraw" in html


# --- Withdraw tab ---------------------------------------------------------------------------------


def test_withdraw_form_states_the_minimum_and_daily_limit_with_a_fresh_key_each_time(
    signed_in, user
):
    funded_and_verified(user, "500.00")

    first = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))
    second = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))

    assert "The minimum is ₹100.00." in first
    assert "Up to 3 requests a day." in first
    assert f"UPI · shopper{user.pk}@okaxis" in first
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', first).group(1)
    assert key not in second


def test_the_same_withdraw_form_posted_twice_creates_one_withdrawal(signed_in, user):
    funded_and_verified(user, "500.00")

    first = withdraw_post(signed_in, amount="200", key="same-form")
    second = withdraw_post(signed_in, amount="200", key="same-form")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == "/wallet/?tab=withdrawals"
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.amount == D("200.00")
    assert "Withdrawal of ₹200.00 requested" in " ".join(messages_of(first))
    html = html_of(signed_in.get(WALLET))
    assert shown(html, "balance-available") == "₹300.00"


def test_a_reused_form_key_with_another_amount_is_refused_and_offers_a_fresh_key(signed_in, user):
    funded_and_verified(user, "500.00")
    withdraw_post(signed_in, amount="200", key="same-form")

    response = withdraw_post(signed_in, amount="250", key="same-form")

    html = html_of(response)
    assert "This form was already sent with other details." in html
    assert 'value="250"' in html
    assert 'name="idempotency_key" value="same-form"' not in html
    assert Withdrawal.objects.count() == 1


def test_a_withdrawal_below_the_minimum_is_an_amount_error_keeping_what_was_typed(signed_in, user):
    funded_and_verified(user, "500.00")

    response = withdraw_post(signed_in, amount="50", method="upi")

    html = html_of(response)
    assert response.status_code == 200
    assert "The minimum withdrawal is ₹100.00." in html
    assert re.search(r'name="amount"[^>]*value="50"', html)
    assert re.search(r'value="upi"[^>]*checked', html)
    assert not Withdrawal.objects.exists()


def test_a_withdrawal_above_the_available_balance_is_an_amount_error(signed_in, user):
    funded_and_verified(user, "150.00")

    response = withdraw_post(signed_in, amount="₹1,000")

    html = html_of(response)
    assert "Your available balance is not enough for this." in html
    assert 'id="id_amount_error"' in html
    assert 'value="₹1,000"' in html
    assert not Withdrawal.objects.exists()


def test_withdrawing_without_verified_kyc_is_refused_keeping_the_form(signed_in, user):
    confirmed_cashback(user, "500.00")

    page = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))
    response = withdraw_post(signed_in, amount="200")

    assert "Withdrawals open once your PAN and payout details are verified." in page
    assert "<fieldset disabled>" in page
    html = html_of(response)
    assert "Verify your PAN and payout details before you withdraw." in html
    assert 'value="200"' in html
    assert "<fieldset disabled>" not in html
    assert not Withdrawal.objects.exists()


def test_bank_withdrawal_without_a_bank_account_is_a_method_error(signed_in, user):
    funded_and_verified(user, "500.00")  # UPI only

    html = html_of(withdraw_post(signed_in, amount="200", method="bank"))

    assert "Add the payout details for this method first." in html
    assert 'id="id_method_error"' in html
    assert not Withdrawal.objects.exists()


def test_an_unreadable_amount_is_a_field_error(signed_in, user):
    funded_and_verified(user, "500.00")

    html = html_of(withdraw_post(signed_in, amount="two hundred"))

    assert "Enter an amount in rupees" in html
    assert 'value="two hundred"' in html


# --- KYC -----------------------------------------------------------------------------------------

KYC_DATA = {
    "legal_name": "Asha Verma",
    "pan": "bqxpv7781k",
    "upi_id": "asha@okaxis",
    "bank_account": "123456789012",
    "ifsc": "HDFC0001234",
}


def test_a_shopper_without_kyc_sees_the_kyc_form_on_the_withdraw_tab(signed_in):
    html = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))

    assert 'action="/wallet/kyc/#kyc"' in html
    assert 'name="pan"' in html and 'name="upi_id"' in html and 'name="ifsc"' in html
    assert "Needed" in html


def test_kyc_submitted_shows_under_review_with_the_pan_and_account_masked_never_in_full(
    signed_in, user
):
    response = signed_in.post(KYC, KYC_DATA)

    assert response.status_code == 302
    assert response["Location"] == "/wallet/?tab=withdraw"
    assert KycProfile.objects.get(user=user).status == KycStatus.SUBMITTED
    html = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))
    assert "Under review" in html
    assert shown(html, "pan-masked") == "XXXXXX781K"
    assert "BQXPV7781K" not in html.upper()
    assert "123456789012" not in html
    assert "XXXXXX9012" in html
    assert 'value="asha@okaxis"' in html  # the UPI id may be shown and is prefilled


def test_kyc_with_mistakes_shows_field_errors_and_keeps_what_was_typed(signed_in, user):
    response = signed_in.post(KYC, {**KYC_DATA, "pan": "ABC123", "ifsc": "HDFC1"})

    html = html_of(response)
    assert response.status_code == 200
    assert "A PAN is 10 characters" in html
    assert "An IFSC is 11 characters" in html
    assert 'value="Asha Verma"' in html
    assert 'value="asha@okaxis"' in html
    assert not KycProfile.objects.exists()


def test_rejected_kyc_shows_the_reason_and_a_form_to_send_it_again(signed_in, user):
    profile = kyc_submit(user=user, legal_name="Asha V", pan="BQXPV7781K", upi_id="asha@okaxis")
    kyc_reject(profile=profile, operator=operator(), reason="Name does not match the PAN")

    page = html_of(signed_in.get(WALLET, {"tab": "withdraw"}))
    response = signed_in.post(KYC, KYC_DATA)

    assert "Reason: Name does not match the PAN" in page
    assert "Send for review again" in page
    assert "BQXPV7781K" not in page.upper()
    assert response.status_code == 302
    assert KycProfile.objects.get(user=user).status == KycStatus.SUBMITTED


# --- Privacy between shoppers ---------------------------------------------------------------------


def test_a_shopper_never_sees_another_shoppers_wallet(signed_in, user):
    # given another shopper with cashback, a withdrawal, a claim and KYC
    other = UserFactory()
    other_event = confirmed_cashback(other, "700.00")
    verified_kyc(other, upi_id="other.person@okicici")
    withdrawal_request(user=other, amount=D("321"), method="upi", idempotency_key="x")
    other_click = recent_click(other)
    cashback_claim_file(
        user=other,
        click_id=other_click.id,
        order_id="OTHER-999",
        amount=D("999"),
        order_date=timezone.localdate(),
    )

    # when the signed-in shopper opens every tab
    pages = " ".join(
        html_of(signed_in.get(WALLET, {"tab": tab}))
        for tab in ("transactions", "cashback", "withdrawals", "withdraw")
    )

    # then none of it shows
    assert other_event.merchant.name not in pages
    assert "₹700.00" not in pages and "₹321.00" not in pages
    assert "other.person@okicici" not in pages
    assert "OTHER-999" not in pages
    assert str(other_click.id) not in pages
    assert shown(pages, "balance-available") == "₹0.00"


# --- Referrals ------------------------------------------------------------------------------------


def test_referrals_page_shows_the_code_share_link_and_whatsapp_link(signed_in, user, settings):
    settings.SITE_URL = "http://localhost:8000/"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]

    html = html_of(signed_in.get(REFERRALS, HTTP_HOST="127.0.0.1:8170"))

    # the site's address as the shopper reached it, not a configured default port
    link = f"http://127.0.0.1:8170{reverse('account_signup')}?ref={user.referral_code}"
    assert user.referral_code in html
    assert f'value="{link}"' in html
    assert "https://wa.me/?text=" in html
    assert "Invite friends, earn ₹100.00 each" in html
    assert "₹50.00 welcome bonus" in html
    assert "No friends have joined yet" in html


def test_referrals_page_lists_friends_with_their_state_earnings_and_the_leaderboard(
    signed_in, user, django_capture_on_commit_callbacks
):
    # given one friend rewarded (first cashback confirmed), one earning, one only joined
    rewarded = UserFactory(full_name="Rahul Sharma", referred_by=user)
    earning = UserFactory(full_name="Meera Iyer", referred_by=user)
    UserFactory(full_name="Kabir", referred_by=user)
    UserFactory(full_name="Stranger Danger")  # nobody's friend
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(rewarded, "100.00")
    pending_cashback(earning)

    # when
    html = html_of(signed_in.get(REFERRALS))

    # then
    assert "Rahul S." in html and "Meera I." in html and "Kabir" in html
    assert "Stranger" not in html
    assert "Rewarded" in html and "You earned ₹100.00" in html
    assert "Earning" in html and "Cashback pending" in html
    assert "No cashback yet" in html
    assert shown(html, "referral-earnings") == "₹100.00"
    assert "cz-you" in html  # the viewer is first on this month's board
    assert "Asha V." in html


def test_top_referrers_agree_with_the_page_after_redis_lost_the_board(
    signed_in, user, django_capture_on_commit_callbacks
):
    # given a bonus earned this month, written by another process (or before a Redis restart)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_cashback(UserFactory(full_name="Rahul Sharma", referred_by=user), "100.00")
    cache.clear()

    html = html_of(signed_in.get(REFERRALS))

    assert shown(html, "referral-earnings") == "₹100.00"
    assert "cz-you" in html and "Asha V." in html  # first on this month's board
    assert "not on the board yet" not in html


def test_referrals_page_says_when_the_viewer_is_not_on_the_board(signed_in):
    html = html_of(signed_in.get(REFERRALS))

    assert "not on the board yet" in shown(html, "your-rank")


def test_the_account_menu_links_to_the_wallet_and_referrals(signed_in):
    html = html_of(signed_in.get(REFERRALS))

    assert f'href="{reverse("wallet")}"' in html
    assert f'href="{reverse("referrals")}"' in html
