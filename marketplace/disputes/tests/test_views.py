"""The dispute pages: the buyer's report form, the dispute page for buyer and seller (the
seller's answer form, the decision), the private screenshot, and the operators' queue with its
decisions in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from marketplace.disputes.services import dispute_open
from marketplace.models import Dispute, DisputeStatus, Purchase, PurchaseStatus

from .conftest import paid_purchase, screenshot

pytestmark = pytest.mark.django_db


def new_url(purchase: Purchase) -> str:
    return reverse("marketplace:dispute-new", args=[purchase.number])


def page_url(dispute: Dispute) -> str:
    return reverse("marketplace:dispute", args=[dispute.public_id])


def test_the_buyer_reports_a_problem_with_a_screenshot(client, buyer):
    purchase = paid_purchase(buyer)
    client.force_login(buyer)
    assert 'data-testid="dispute-form"' in client.get(new_url(purchase)).content.decode()

    response = client.post(
        new_url(purchase), {"note": "Invalid code at checkout", "screenshot": screenshot()}
    )

    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(dispute)
    page = client.get(page_url(dispute)).content.decode()
    assert "Invalid code at checkout" in page
    assert 'data-testid="dispute-screenshot"' in page
    assert 'data-testid="answer-form"' not in page  # the buyer does not answer
    shown = client.get(reverse("marketplace:dispute-screenshot", args=[dispute.public_id]))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"


def test_a_report_without_a_note_shows_the_field_error(client, buyer):
    purchase = paid_purchase(buyer)
    client.force_login(buyer)

    response = client.post(new_url(purchase), {"note": ""})

    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not Dispute.objects.exists()


def test_after_the_window_the_form_says_it_is_too_late(client, buyer):
    purchase = paid_purchase(buyer)
    Purchase.objects.filter(pk=purchase.pk).update(window_ends_at=timezone.now())
    client.force_login(buyer)

    page = client.get(new_url(purchase)).content.decode()
    refused = client.post(new_url(purchase), {"note": "did not work"})

    assert 'data-testid="dispute-closed"' in page
    assert refused.status_code == 400
    assert 'data-testid="dispute-closed"' in refused.content.decode()
    assert not Dispute.objects.exists()


def test_a_second_visit_to_the_form_goes_to_the_dispute(client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x")
    client.force_login(buyer)

    assert client.get(new_url(purchase))["Location"] == page_url(dispute)


def test_the_seller_answers_on_the_dispute_page(client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x")
    client.force_login(purchase.seller)
    assert 'data-testid="answer-form"' in client.get(page_url(dispute)).content.decode()

    empty = client.post(reverse("marketplace:dispute-answer", args=[dispute.public_id]), {})
    response = client.post(
        reverse("marketplace:dispute-answer", args=[dispute.public_id]),
        {"answer": "It worked for me yesterday"},
    )

    assert empty.status_code == 400
    assert response.status_code == 302
    page = client.get(page_url(dispute)).content.decode()
    assert "It worked for me yesterday" in page
    assert 'data-testid="answer-form"' not in page
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ANSWERED


def test_others_get_404_for_the_pages_and_the_screenshot(client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x", screenshot=screenshot())
    client.force_login(UserFactory())

    assert client.get(new_url(purchase)).status_code == 404
    assert client.get(page_url(dispute)).status_code == 404
    answer = reverse("marketplace:dispute-answer", args=[dispute.public_id])
    assert client.post(answer, {"answer": "mine"}).status_code == 404
    screenshot_url = reverse("marketplace:dispute-screenshot", args=[dispute.public_id])
    assert client.get(screenshot_url).status_code == 404
    client.logout()
    assert client.get(screenshot_url).status_code == 404
    assert client.get(page_url(dispute)).status_code == 302  # to sign in
    client.force_login(purchase.seller)
    assert client.get(screenshot_url).status_code == 200


# --- The admin queue ----------------------------------------------------------------------------


def test_the_queue_shows_waiting_disputes_first_oldest_first(
    operator_client, buyer, django_assert_max_num_queries
):
    first = dispute_open(buyer=buyer, number=paid_purchase(buyer).number, note="first")
    second = dispute_open(buyer=buyer, number=paid_purchase(buyer).number, note="second")
    Dispute.objects.filter(pk=first.pk).update(status=DisputeStatus.RELEASED)
    url = reverse("admin:marketplace_dispute_changelist")

    with django_assert_max_num_queries(20) as few:
        page = operator_client.get(url).content.decode()
    for _n in range(5):
        dispute_open(buyer=buyer, number=paid_purchase(buyer).number, note="more")
    with django_assert_max_num_queries(len(few.captured_queries)):
        operator_client.get(url)

    assert page.index(second.purchase.number) < page.index(first.purchase.number)


def test_an_operator_refunds_to_the_wallet_from_the_admin(operator_client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x", screenshot=screenshot())
    change = reverse("admin:marketplace_dispute_change", args=[dispute.pk])
    page = operator_client.get(change).content.decode()
    assert "Refund to wallet" in page
    assert reverse("marketplace:dispute-screenshot", args=[dispute.public_id]) in page
    action = reverse("admin:marketplace_dispute_refund_wallet", args=[dispute.pk])

    confirm = operator_client.get(action)
    done = operator_client.post(action, {"note": "Store confirms"})

    assert confirm.status_code == 200
    for shown in (purchase.number, buyer.email, purchase.seller.email, "screenshot"):
        assert shown in confirm.content.decode()
    assert done.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.decision_note) == (DisputeStatus.REFUNDED, "Store confirms")
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.REFUNDED
    screenshot_url = reverse("marketplace:dispute-screenshot", args=[dispute.public_id])
    assert operator_client.get(screenshot_url).status_code == 200


def test_an_operator_releases_then_refunds_after_release_from_the_admin(operator_client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x")
    release = reverse("admin:marketplace_dispute_release", args=[dispute.pk])
    operator_client.post(release, {"note": ""})
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.RELEASED
    # A wallet purchase offers no refund to the card.
    page = operator_client.get(reverse("admin:marketplace_dispute_change", args=[dispute.pk]))
    assert "Refund to card or UPI" not in page.content.decode()

    after = reverse("admin:marketplace_dispute_refund_after_release", args=[dispute.pk])
    operator_client.post(after, {"note": "Used before the sale"})

    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.REFUNDED


def test_an_operator_lifts_a_suspension(operator_client):
    from marketplace.listings.services import seller_is_suspended
    from marketplace.models import Suspension

    seller = UserFactory()
    suspension = Suspension.objects.create(
        user=seller, until=timezone.now() + timedelta(days=30), reason="3 lost"
    )
    assert seller_is_suspended(seller)
    lift = reverse("admin:marketplace_suspension_lift", args=[suspension.pk])
    assert (
        "Lift the suspension"
        in operator_client.get(
            reverse("admin:marketplace_suspension_change", args=[suspension.pk])
        ).content.decode()
    )

    operator_client.post(lift)

    assert not seller_is_suspended(seller)


def test_a_released_purchase_is_refunded_after_release_from_the_purchase_admin(
    operator_client, buyer
):
    from marketplace.purchases.services import purchase_release

    purchase = paid_purchase(buyer)
    purchase_release(purchase_id=purchase.pk, force=True)
    change = reverse("admin:marketplace_purchase_change", args=[purchase.pk])
    assert "Refund after release" in operator_client.get(change).content.decode()
    action = reverse("admin:marketplace_purchase_refund_after_release", args=[purchase.pk])

    assert operator_client.get(action).status_code == 200  # the confirmation page
    operator_client.post(action, {"note": "Code was already used"})

    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.REFUNDED
    assert "Refund after release" not in operator_client.get(change).content.decode()


def test_the_purchase_page_links_both_sides_to_the_dispute(client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x")
    url = reverse("marketplace:purchase", args=[purchase.number])

    for user in (buyer, purchase.seller):
        client.force_login(user)
        assert f'href="{page_url(dispute)}"' in client.get(url).content.decode()


def _list_queries(client, user) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("marketplace:disputes")).content.decode()
    return len(queries), page


def test_my_disputes_page_lists_both_roles_in_fixed_queries(client, buyer):
    seller = UserFactory()
    first = paid_purchase(buyer, seller=seller, price="10.00")
    dispute_open(buyer=buyer, number=first.number, note="Invalid")
    one, _page = _list_queries(client, buyer)
    for _ in range(19):
        purchase = paid_purchase(buyer, seller=seller, price="10.00")
        dispute_open(buyer=buyer, number=purchase.number, note="Invalid")

    twenty, page = _list_queries(client, buyer)
    _count, sellers_page = _list_queries(client, seller)

    assert twenty == one
    assert page.count('data-testid="dispute-row"') == 20
    assert "Your report" in page
    assert sellers_page.count("On your sale") == 20


def test_my_disputes_page_is_empty_for_a_stranger_and_asks_signed_out_to_sign_in(client):
    _count, page = _list_queries(client, UserFactory())
    assert 'data-testid="dispute-row"' not in page
    assert "No disputes" in page
    client.logout()
    assert client.get(reverse("marketplace:disputes")).status_code == 302


def test_the_dispute_admin_page_names_the_dispute_and_links_its_purchase(operator_client, buyer):
    purchase = paid_purchase(buyer)
    dispute = dispute_open(buyer=buyer, number=purchase.number, note="x")

    page = operator_client.get(
        reverse("admin:marketplace_dispute_change", args=[dispute.pk])
    ).content.decode()

    assert str(dispute) == f"Dispute on {purchase.number}"
    assert "Dispute object" not in page and f"Dispute on {purchase.number}" in page
    assert reverse("admin:marketplace_purchase_change", args=[purchase.pk]) in page
