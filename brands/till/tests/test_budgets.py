"""Budgets: a cap on redemptions or rupees of discount, spent in the redemption's
transaction, given back by a rollback, alerts at 80% and 100% once each; the budgets page."""

from decimal import Decimal as D

import pytest

from accounts.models import Notification
from brands.models import Budget, Role, Webhook, WebhookDelivery
from brands.tests.factories import member, sign_in_member
from brands.till import budgets, errors
from offers.models import AuditAction, CodeStatus, CouponCode, RedemptionAudit

from .helpers import TILL, brand_book, brand_of, key_client, redeem, till_key

pytestmark = pytest.mark.django_db

CODES = tuple(f"B-{n:03d}" for n in range(10))


@pytest.fixture
def book():
    return brand_book(codes=CODES, percent="10")


@pytest.fixture
def till(book):
    return key_client(till_key(brand_of(book))[1])


def cap(book, **caps):
    return budgets.budget_create(brand=brand_of(book), offer=book.offer, **caps)


def test_redemptions_past_the_cap_are_refused_and_audited(book, till):
    budget = cap(book, max_redemptions=2)
    assert redeem(till, "B-000", "k0").status_code == 200
    assert redeem(till, "B-001", "k1").status_code == 200
    refused = redeem(till, "B-002", "k2")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "budget_exhausted"
    budget.refresh_from_db()
    assert budget.redemptions_used == 2
    assert CouponCode.objects.get(code="B-002").status == CodeStatus.AVAILABLE
    audit = RedemptionAudit.objects.get(action=AuditAction.REDEEM, ok=False)
    assert audit.reason.startswith("budget_exhausted")


def test_a_discount_cap_refuses_the_redemption_that_would_cross_it(book, till):
    budget = cap(book, max_discount=D("250.00"))
    assert redeem(till, "B-000", "k0", amount="2000.00").status_code == 200  # 200 off
    assert redeem(till, "B-001", "k1", amount="1000.00").status_code == 409  # 100 more: no
    assert redeem(till, "B-002", "k2", amount="500.00").status_code == 200  # 50: exactly
    budget.refresh_from_db()
    assert budget.discount_used == D("250.00") and budget.redemptions_used == 2


def test_a_book_budget_and_an_offer_budget_both_count(book, till):
    offer_budget = cap(book, max_redemptions=5)
    book_budget = budgets.budget_create(brand=brand_of(book), book=book, max_redemptions=1)
    assert redeem(till, "B-000", "k0").status_code == 200
    assert redeem(till, "B-001", "k1").status_code == 409
    offer_budget.refresh_from_db()
    book_budget.refresh_from_db()
    assert (offer_budget.redemptions_used, book_budget.redemptions_used) == (1, 1)


def test_a_rollback_gives_the_budget_back(book, till):
    budget = cap(book, max_redemptions=1, max_discount=D("1000"))
    redeem(till, "B-000", "k0", amount="1500.00")
    rolled_back = till.post(TILL + "rollback/", {"idempotency_key": "k0"}, format="json")
    assert rolled_back.status_code == 200
    budget.refresh_from_db()
    assert (budget.redemptions_used, budget.discount_used) == (0, D("0.00"))
    assert redeem(till, "B-001", "k1").status_code == 200


def test_owners_and_admins_are_told_once_at_80_and_at_100_percent(
    book, till, django_capture_on_commit_callbacks
):
    brand = brand_of(book)
    owner, admin, editor = (member(brand, role) for role in (Role.OWNER, Role.ADMIN, Role.EDITOR))
    Webhook.objects.create(brand=brand, url="https://hooks.brand.example/till", secret="s" * 32)
    budget = cap(book, max_redemptions=5)
    with django_capture_on_commit_callbacks():
        for n in range(5):
            assert redeem(till, f"B-00{n}", f"k{n}").status_code == 200
        redeem(till, "B-005", "k5")  # refused: no third alert
    budget.refresh_from_db()
    assert budget.alerted_80_at and budget.alerted_100_at
    told = Notification.objects.filter(kind=budgets.BUDGET_NOTIFICATION_KIND)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [owner.user_id, admin.user_id] * 2
    )
    assert editor.user_id not in told.values_list("user_id", flat=True)
    events = list(WebhookDelivery.objects.values_list("event", flat=True))
    assert events.count("budget.80") == 1 and events.count("budget.100") == 1
    assert events.count("code.redeemed") == 5


def test_the_last_code_redeemed_tells_the_webhooks_the_book_is_exhausted(
    django_capture_on_commit_callbacks,
):
    book = brand_book(codes=("ONLY-1",))
    brand = brand_of(book)
    Webhook.objects.create(brand=brand, url="https://hooks.brand.example/till", secret="s" * 32)
    till = key_client(till_key(brand)[1])
    with django_capture_on_commit_callbacks():
        redeem(till, "ONLY-1", "k0")
        till.post(TILL + "rollback/", {"idempotency_key": "k0"}, format="json")
    events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == ["code.redeemed", "book.exhausted", "code.rolled_back"]


def test_a_cap_below_what_is_used_is_refused(book, till):
    budget = cap(book, max_redemptions=5)
    redeem(till, "B-000", "k0")
    redeem(till, "B-001", "k1")
    with pytest.raises(errors.BudgetInvalid):
        budgets.budget_update(budget=budget, max_redemptions=1, max_discount=None)
    assert budgets.budget_update(budget=budget, max_redemptions=2, max_discount=None)


def test_raising_a_cap_arms_the_alerts_again(book, till):
    budget = cap(book, max_redemptions=1)
    redeem(till, "B-000", "k0")
    budget.refresh_from_db()
    assert budget.alerted_100_at
    budget = budgets.budget_update(budget=budget, max_redemptions=10, max_discount=None)
    assert budget.alerted_100_at is None and budget.alerted_80_at is None


# --- The page ------------------------------------------------------------------------------


def test_the_budgets_page_sets_lists_and_changes_a_budget(client, book, till):
    brand = brand_of(book)
    sign_in_member(client, member(brand, Role.ADMIN))
    url = f"/brand/{brand.slug}/till/budgets/"
    assert "No budgets yet" in client.get(url).content.decode()
    response = client.post(url, {"target": f"offer:{book.offer.public_id}", "max_redemptions": "4"})
    assert response.status_code == 302
    budget = Budget.objects.get(offer=book.offer)
    redeem(till, "B-000", "k0")
    page = client.get(url).content.decode()
    assert "1 of 4 redemptions used, 3 left" in page and 'data-percent="25"' in page
    edit = f"{url}{budget.public_id}/"
    refused = client.post(edit, {"max_redemptions": "0"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert client.post(edit, {"max_redemptions": "", "max_discount": ""}).status_code == 200
    assert client.post(edit, {"max_redemptions": "8"}).status_code == 302
    budget.refresh_from_db()
    assert budget.max_redemptions == 8
    assert client.post(edit, {"delete": "1"}).status_code == 302
    assert not Budget.objects.filter(pk=budget.pk).exists()


def test_the_budgets_page_refuses_other_roles_and_brands(client, book):
    brand = brand_of(book)
    sign_in_member(client, member(brand, Role.EDITOR))
    assert client.get(f"/brand/{brand.slug}/till/budgets/").status_code == 403
    other = brand_book()
    budget = budgets.budget_create(brand=brand_of(other), offer=other.offer, max_redemptions=3)
    admin = member(brand, Role.ADMIN)
    sign_in_member(client, admin)
    assert client.get(f"/brand/{brand.slug}/till/budgets/{budget.public_id}/").status_code == 404


def test_a_budget_cannot_cap_another_brands_offer(book):
    other = brand_book()
    with pytest.raises(errors.BudgetInvalid):
        budgets.budget_create(brand=brand_of(book), offer=other.offer, max_redemptions=3)
