"""The till with a basket: validate, lock and redeem with the order amount and products, the
redemption guards, and rolling a redemption back. Every attempt, refused ones too, is on the
audit with the till key that made it."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coupzii.core.errors import Conflict
from offers import errors, selectors, services
from offers.models import AuditAction, CodeStatus, DiscountType, OfferStatus, RedemptionAudit
from offers.tests.books.factories import CouponBookFactory, CouponCodeFactory

pytestmark = pytest.mark.django_db

KEY = "till-7-order-1001"
CREDENTIAL = "tk_3f9a1c"


@pytest.fixture
def cashier():
    return UserFactory(email="till@brand.example.in")


@pytest.fixture
def book():
    """20% off up to ₹300 on orders from ₹500."""
    book = CouponBookFactory()
    offer = book.offer
    offer.discount_type = DiscountType.PERCENTAGE
    offer.discount_value = D("20")
    offer.max_discount = D("300")
    offer.min_order = D("500")
    offer.save()
    return book


def audit_rows(book, action):
    return list(RedemptionAudit.objects.filter(book=book, action=action).order_by("id"))


def redeem(book, code, cashier, key=KEY, amount="1000", products=("SKU-1", "SKU-2")):
    return services.code_redeem(
        book=book,
        code=code,
        actor=cashier,
        idempotency_key=key,
        order_reference="ORD-1001",
        order_amount=D(amount) if amount is not None else None,
        products=products,
        credential=CREDENTIAL,
    )


# --- validate ------------------------------------------------------------------------------


def test_validate_quotes_the_basket_changes_nothing_and_audits_the_attempt(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")

    row, quote = services.code_validate(
        book=book,
        code="save-2345",
        actor=cashier,
        order_amount=D("1200"),
        products=["SKU-1", " SKU-9 "],
        credential=CREDENTIAL,
        ip="10.0.0.7",
    )

    assert row.pk == code.pk
    assert (quote.applies, quote.discount, quote.payable) == (True, D("240.00"), D("960.00"))
    code.refresh_from_db()
    assert (code.status, code.redemption_count, code.locked_until) == (
        CodeStatus.AVAILABLE,
        0,
        None,
    )
    [audit] = audit_rows(book, AuditAction.VALIDATE)
    assert audit.ok and audit.code_id == code.pk
    assert (audit.order_amount, audit.discount_amount) == (D("1200.00"), D("240.00"))
    assert audit.products == ["SKU-1", "SKU-9"]
    assert audit.credential == CREDENTIAL
    assert audit.client_ip == "10.0.0.7"


def test_validate_below_the_minimum_order_says_why_and_audits_a_refusal(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345")

    _row, quote = services.code_validate(
        book=book, code="SAVE-2345", actor=cashier, order_amount=D("499"), credential=CREDENTIAL
    )

    assert not quote.applies and quote.reason_code == "min_order_not_met"
    [audit] = audit_rows(book, AuditAction.VALIDATE)
    assert not audit.ok and audit.reason == "min_order_not_met"
    assert audit.order_amount == D("499.00")


def test_validate_of_a_void_code_is_refused_and_audited_with_the_key(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345", status=CodeStatus.VOID)

    with pytest.raises(errors.CodeVoid):
        services.code_validate(
            book=book,
            code="SAVE-2345",
            actor=cashier,
            order_amount=D("900"),
            products=["SKU-1"],
            credential=CREDENTIAL,
        )

    [audit] = audit_rows(book, AuditAction.VALIDATE)
    assert not audit.ok and audit.reason == "code_void"
    assert (audit.credential, audit.order_amount, audit.products) == (
        CREDENTIAL,
        D("900.00"),
        ["SKU-1"],
    )


@pytest.mark.parametrize(
    ("amount", "products", "error"),
    [
        (D("-1"), [], errors.InvalidOrderAmount),
        (None, [], errors.InvalidOrderAmount),
        (1.5, [], errors.InvalidOrderAmount),
        (D("100"), "SKU-1", errors.InvalidProducts),
        (D("100"), [""], errors.InvalidProducts),
        (D("100"), ["x" * 65], errors.InvalidProducts),
        (D("100"), [f"S{n}" for n in range(201)], errors.InvalidProducts),
    ],
)
def test_validate_refuses_a_bad_basket_and_audits_it(book, cashier, amount, products, error):
    CouponCodeFactory(book=book, code="SAVE-2345")

    with pytest.raises(error) as refused:
        services.code_validate(
            book=book,
            code="SAVE-2345",
            actor=cashier,
            order_amount=amount,
            products=products,
            credential=CREDENTIAL,
        )

    assert refused.value.status_code == 400
    [audit] = audit_rows(book, AuditAction.VALIDATE)
    assert not audit.ok and audit.credential == CREDENTIAL


def test_validate_refuses_a_code_another_checkout_holds(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345")
    other_till = UserFactory()
    services.code_lock(book=book, code="SAVE-2345", actor=other_till)

    with pytest.raises(errors.CodeLocked):
        services.code_validate(book=book, code="SAVE-2345", actor=cashier, order_amount=D("900"))

    # the till holding the lock may check its own basket
    _row, quote = services.code_validate(
        book=book, code="SAVE-2345", actor=other_till, order_amount=D("900")
    )
    assert quote.discount == D("180.00")


# --- lock and redeem with a basket ---------------------------------------------------------


def test_lock_records_the_basket_and_the_key(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345")

    services.code_lock(
        book=book,
        code="SAVE-2345",
        actor=cashier,
        order_amount=D("800"),
        products=["SKU-3"],
        credential=CREDENTIAL,
    )

    [audit] = audit_rows(book, AuditAction.LOCK)
    assert (audit.ok, audit.order_amount, audit.products, audit.credential) == (
        True,
        D("800.00"),
        ["SKU-3"],
        CREDENTIAL,
    )


def test_redeem_records_amount_discount_products_and_key(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")

    redeem(book, "SAVE-2345", cashier, amount="2000")

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 1)
    [audit] = audit_rows(book, AuditAction.REDEEM)
    assert audit.ok
    # 20% of 2000 is 400, capped at 300
    assert (audit.order_amount, audit.discount_amount) == (D("2000.00"), D("300.00"))
    assert (audit.products, audit.credential) == (["SKU-1", "SKU-2"], CREDENTIAL)


def test_redeem_below_the_minimum_order_is_refused_and_the_code_stays_usable(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")

    with pytest.raises(errors.MinOrderNotMet) as refused:
        redeem(book, "SAVE-2345", cashier, amount="450")

    assert "₹500.00" in refused.value.message
    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.AVAILABLE, 0)
    [audit] = audit_rows(book, AuditAction.REDEEM)
    assert not audit.ok and audit.reason.startswith("min_order_not_met")
    assert (audit.order_amount, audit.credential, audit.idempotency_key) == (
        D("450.00"),
        CREDENTIAL,
        KEY,
    )


def test_a_refused_redeem_records_the_key_that_tried(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345", status=CodeStatus.VOID)

    with pytest.raises(errors.CodeVoid):
        redeem(book, "SAVE-2345", cashier)

    [audit] = audit_rows(book, AuditAction.REDEEM)
    assert (audit.ok, audit.credential, audit.products) == (False, CREDENTIAL, ["SKU-1", "SKU-2"])


def test_redeem_without_an_amount_works_as_before(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")

    services.code_redeem(book=book, code=code, actor=cashier, idempotency_key=KEY)

    [audit] = audit_rows(book, AuditAction.REDEEM)
    assert audit.ok and audit.order_amount is None and audit.discount_amount is None
    assert audit.products == [] and audit.credential == ""


# --- redemption guards -----------------------------------------------------------------------


class OverBudget(Conflict):
    code = "budget_exhausted"
    default_message = "The brand's budget for this offer is spent."


class Budget:
    """A guard like the brands app's: counts what it let through, refuses past `cap`."""

    def __init__(self, cap: int):
        self.cap = cap
        self.redeemed: list[RedemptionAudit] = []
        self.rolled_back: list[tuple[RedemptionAudit, RedemptionAudit]] = []

    def on_redeem(self, *, book, code, audit):
        assert audit.pk is not None and audit.ok  # the row is written before guards run
        if len(self.redeemed) >= self.cap:
            raise OverBudget()
        self.redeemed.append(audit)

    def on_rollback(self, *, book, code, audit, redeemed):
        if self.cap < 0:
            raise OverBudget("No rollbacks today.")
        self.rolled_back.append((audit, redeemed))


@pytest.fixture
def budget():
    guard = Budget(cap=1)
    services.redemption_guard_register(guard)
    services.redemption_guard_register(guard)  # registering twice runs it once
    yield guard
    services.redemption_guard_unregister(guard)


def test_a_guard_sees_each_redeem_inside_its_transaction(book, cashier, budget):
    CouponCodeFactory(book=book, code="SAVE-2345")

    redeem(book, "SAVE-2345", cashier)
    redeem(book, "SAVE-2345", cashier)  # a replay: the guard is not asked again

    [seen] = budget.redeemed
    assert seen.discount_amount == D("200.00") and seen.idempotency_key == KEY


def test_a_guard_refusal_rolls_the_redeem_back_and_is_audited(book, cashier, budget):
    first = CouponCodeFactory(book=book, code="SAVE-2345")
    second = CouponCodeFactory(book=book, code="SAVE-6789")
    redeem(book, first, cashier, key="k1")

    with pytest.raises(OverBudget):
        redeem(book, second, cashier, key="k2")

    second.refresh_from_db()
    assert (second.status, second.redemption_count) == (CodeStatus.AVAILABLE, 0)
    refused = audit_rows(book, AuditAction.REDEEM)[-1]
    assert not refused.ok and refused.code_id == second.pk
    assert refused.reason.startswith("budget_exhausted")
    assert refused.credential == CREDENTIAL and refused.idempotency_key == "k2"
    # the key was not used up by the refused attempt
    assert not RedemptionAudit.objects.filter(idempotency_key="k2", ok=True).exists()


def test_a_guard_refusing_a_rollback_leaves_the_redeem_standing(book, cashier, budget):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    budget.cap = -1

    with pytest.raises(OverBudget):
        services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 1)
    [refused] = audit_rows(book, AuditAction.ROLLBACK)
    assert not refused.ok and refused.reason.startswith("budget_exhausted")


# --- rollback --------------------------------------------------------------------------------


def test_rollback_undoes_a_redeem_and_reverses_its_amounts(book, cashier, budget):
    shopper = UserFactory()
    code = CouponCodeFactory(
        book=book,
        code="SAVE-2345",
        holder=shopper,
        claim_slot=1,
        status=CodeStatus.ASSIGNED,
        claimed_at=timezone.now(),
    )
    redeem(book, code, cashier, amount="1000")

    rollback = services.code_redeem_rollback(
        book=book,
        idempotency_key=KEY,
        actor=cashier,
        credential="tk_other",
        reason="customer returned the order",
    )

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.ASSIGNED, 0)
    [redeemed] = audit_rows(book, AuditAction.REDEEM)
    assert rollback.ok and rollback.action == AuditAction.ROLLBACK
    assert rollback.reverses_id == redeemed.pk and rollback.code == code
    assert (rollback.order_amount, rollback.discount_amount) == (D("-1000.00"), D("-200.00"))
    assert rollback.products == ["SKU-1", "SKU-2"]
    assert (rollback.credential, rollback.reason) == ("tk_other", "customer returned the order")
    assert rollback.order_reference == "ORD-1001"
    assert budget.rolled_back == [(rollback, redeemed)]


def test_a_rolled_back_pool_code_goes_back_to_the_pool(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)

    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count, code.holder) == (CodeStatus.AVAILABLE, 0, None)


def test_rollback_of_a_multi_use_code_gives_one_use_back(cashier):
    book = CouponBookFactory(max_redemptions_per_code=3)
    code = CouponCodeFactory(book=book, code="TEAM-2345")
    for key in ("k1", "k2", "k3"):
        redeem(book, code, cashier, key=key, amount=None)
    code.refresh_from_db()
    assert code.status == CodeStatus.REDEEMED

    services.code_redeem_rollback(book=book, idempotency_key="k2", actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.AVAILABLE, 2)
    redeem(book, code, cashier, key="k4", amount=None)
    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 3)


def test_rollback_never_reopens_a_void_code(book, cashier):
    book.max_redemptions_per_code = 2
    book.save()
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    services.code_void(book=book, code=code, actor=cashier, reason="leaked")

    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.VOID, 0)


def test_a_second_rollback_of_the_same_redeem_is_refused_and_audited(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    with pytest.raises(errors.RedeemAlreadyRolledBack) as refused:
        services.code_redeem_rollback(
            book=book, idempotency_key=KEY, actor=cashier, credential=CREDENTIAL
        )

    assert refused.value.status_code == 409
    code.refresh_from_db()
    assert code.redemption_count == 0
    rollbacks = audit_rows(book, AuditAction.ROLLBACK)
    assert [row.ok for row in rollbacks] == [True, False]
    assert rollbacks[1].reason == "redeem_already_rolled_back"
    assert rollbacks[1].credential == CREDENTIAL


def test_redeeming_again_with_a_rolled_back_key_is_refused(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    with pytest.raises(errors.RedeemAlreadyRolledBack):
        redeem(book, code, cashier)

    code.refresh_from_db()
    assert code.redemption_count == 0
    redeem(book, code, cashier, key="till-7-order-1001-again")
    code.refresh_from_db()
    assert code.redemption_count == 1


def test_rollback_of_an_unknown_key_is_refused_and_audited(book, cashier):
    with pytest.raises(errors.RedeemNotFound) as refused:
        services.code_redeem_rollback(
            book=book, idempotency_key="never-used", actor=cashier, credential=CREDENTIAL
        )

    assert refused.value.status_code == 404
    [audit] = audit_rows(book, AuditAction.ROLLBACK)
    assert not audit.ok and audit.reason.startswith("redeem_not_found")
    assert audit.credential == CREDENTIAL and audit.idempotency_key == "never-used"


def test_rollback_of_a_refused_redeem_is_refused(book, cashier):
    CouponCodeFactory(book=book, code="SAVE-2345")
    with pytest.raises(errors.MinOrderNotMet):
        redeem(book, "SAVE-2345", cashier, amount="10")

    with pytest.raises(errors.RedeemNotFound):
        services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)


def test_rollback_after_the_window_is_refused(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    RedemptionAudit.objects.filter(action=AuditAction.REDEEM).update(
        created_at=timezone.now() - services.REDEEM_ROLLBACK_WINDOW - timedelta(seconds=1)
    )

    with pytest.raises(errors.RollbackWindowPassed):
        services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 1)
    [audit] = audit_rows(book, AuditAction.ROLLBACK)
    assert not audit.ok and audit.reason == "rollback_window_passed"


def test_rollback_just_inside_the_window_succeeds(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    RedemptionAudit.objects.filter(action=AuditAction.REDEEM).update(
        created_at=timezone.now() - services.REDEEM_ROLLBACK_WINDOW + timedelta(minutes=1)
    )

    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert code.redemption_count == 0


def test_rollback_is_scoped_to_its_book(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    other_book = CouponBookFactory()

    with pytest.raises(errors.RedeemNotFound):
        services.code_redeem_rollback(book=other_book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert code.redemption_count == 1


def test_rollback_needs_a_key(book, cashier):
    with pytest.raises(errors.InvalidIdempotencyKey):
        services.code_redeem_rollback(book=book, idempotency_key="  ", actor=cashier)


# --- tills signed in with a key (no user) ----------------------------------------------------


def test_a_key_cannot_redeem_validate_or_unlock_a_code_another_key_locked(book):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    services.code_lock(book=book, code=code, actor=None, credential="tk_a")

    with pytest.raises(errors.CodeLocked):
        services.code_validate(
            book=book, code=code, actor=None, order_amount=D("900"), credential="tk_b"
        )
    with pytest.raises(errors.CodeLocked):
        services.code_redeem(
            book=book, code=code, actor=None, idempotency_key="b1", credential="tk_b"
        )
    with pytest.raises(errors.CodeLocked):
        services.code_unlock(book=book, code=code, actor=None, credential="tk_b")

    # the key that locked it redeems it
    services.code_redeem(
        book=book,
        code=code,
        actor=None,
        idempotency_key="a1",
        credential="tk_a",
        order_amount=D("900"),
    )
    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.REDEEMED, 1)
    refused = RedemptionAudit.objects.filter(book=book, ok=False).order_by("id")
    assert [(row.action, row.credential) for row in refused] == [
        (AuditAction.VALIDATE, "tk_b"),
        (AuditAction.REDEEM, "tk_b"),
        (AuditAction.UNLOCK, "tk_b"),
    ]


def test_rollback_after_the_offer_ended_gives_the_use_back_but_expires_the_code(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    redeem(book, code, cashier)
    book.offer.ends_at = timezone.now() - timedelta(minutes=1)
    book.offer.save()

    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.EXPIRED, 0)


def test_the_redemption_for_a_key_says_whether_it_was_rolled_back(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    assert selectors.redemption_for_key(book=book, idempotency_key=KEY) is None
    redeem(book, code, cashier, amount="1000")

    found = selectors.redemption_for_key(book=book, idempotency_key=f" {KEY} ")
    assert (found.code, found.discount_amount, found.rolled_back) == (code, D("200.00"), False)

    services.code_redeem_rollback(book=book, idempotency_key=KEY, actor=cashier)
    assert selectors.redemption_for_key(book=book, idempotency_key=KEY).rolled_back


def test_a_drafts_codes_cannot_be_validated_locked_or_redeemed(book, cashier):
    code = CouponCodeFactory(book=book, code="SAVE-2345")
    book.offer.status = OfferStatus.DRAFT
    book.offer.save()

    with pytest.raises(errors.OfferNotPublished):
        services.code_validate(book=book, code=code, actor=cashier, order_amount=D("900"))
    with pytest.raises(errors.OfferNotPublished):
        services.code_lock(book=book, code=code, actor=cashier)
    with pytest.raises(errors.OfferNotPublished):
        redeem(book, code, cashier)

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.AVAILABLE, 0)
    refusals = RedemptionAudit.objects.filter(book=book, ok=False)
    assert set(refusals.values_list("reason", flat=True)) == {"offer_not_published"}
