"""Unique-code book services: generate, import, claim, assign, lock, unlock, redeem, void, and
the audit row every one of them writes, refusals included."""

import io
import re
import secrets
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coupzii.core import counters
from offers import books, errors
from offers.models import (
    AuditAction,
    BookStatus,
    CodeStatus,
    CouponCode,
    OfferKind,
    OfferStatus,
    RedemptionAudit,
)
from offers.tests.books.factories import (
    CouponBookFactory,
    CouponCodeFactory,
    UniqueCodeOfferFactory,
    book_with_codes,
)

pytestmark = pytest.mark.django_db


def audits(book, action=None):
    rows = RedemptionAudit.objects.filter(book=book).order_by("id")
    return rows.filter(action=action) if action else rows


def last_audit(book) -> RedemptionAudit:
    return audits(book).last()


@pytest.fixture
def shopper():
    return UserFactory()


@pytest.fixture
def cashier():
    return UserFactory(email="till@brand.example.in")


def held_code(book, user, **fields):
    """A code of `book` already claimed by `user`."""
    fields = {"claim_slot": 1, "status": CodeStatus.ASSIGNED, **fields}
    return CouponCodeFactory(book=book, holder=user, claimed_at=timezone.now(), **fields)


# --- Generate --------------------------------------------------------------------------------


def test_codes_generate_makes_exactly_the_count_asked_from_the_pattern(cashier):
    book = CouponBookFactory(code_pattern="ZOMA-####-????")

    created = books.codes_generate(book=book, count=500, actor=cashier)

    codes = list(CouponCode.objects.filter(book=book).values_list("code", flat=True))
    assert created == 500
    assert len(codes) == len(set(codes)) == 500
    pattern = re.compile(r"ZOMA-[2-9]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ]{4}")
    assert all(pattern.fullmatch(code) for code in codes)
    assert CouponCode.objects.filter(book=book, status=CodeStatus.AVAILABLE).count() == 500
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor, audit.code) == (
        AuditAction.GENERATE,
        True,
        cashier,
        None,
    )
    assert "500 codes" in audit.reason


def test_codes_generate_never_uses_ambiguous_characters():
    book = CouponBookFactory(code_pattern="**********")

    books.codes_generate(book=book, count=2000)

    text = "".join(CouponCode.objects.filter(book=book).values_list("code", flat=True))
    assert not set(text) & set("01OIL")
    # every allowed character turns up in 20,000 draws from 31
    assert set(text) == set(books.DIGITS + books.LETTERS)


def test_codes_generate_tops_up_until_count_new_codes_exist_despite_collisions(monkeypatch):
    # given a book that already holds the code the first draw spells, and draws that repeat
    book = CouponBookFactory(code_pattern="X###")
    CouponCodeFactory(book=book, code="X222")
    draws = iter([0, 0, 1, 0, 2, 3, 3, 4])
    monkeypatch.setattr(secrets, "randbelow", lambda _space: next(draws))

    # when
    created = books.codes_generate(book=book, count=3)

    # then X222 collided with the book and was replaced by the next fresh draw
    assert created == 3
    assert set(CouponCode.objects.filter(book=book).values_list("code", flat=True)) == {
        "X222",
        "X223",
        "X224",
        "X225",
    }


def test_codes_generate_adds_to_a_book_that_has_codes():
    book = CouponBookFactory(code_pattern="******")
    books.codes_generate(book=book, count=300)

    books.codes_generate(book=book, count=200)

    assert CouponCode.objects.filter(book=book).count() == 500
    assert audits(book, AuditAction.GENERATE).filter(ok=True).count() == 2


def test_codes_generate_refuses_a_pattern_too_weak_for_the_count_and_audits_it(cashier):
    book = CouponBookFactory(code_pattern="PIZZA-##")  # 64 codes possible

    with pytest.raises(errors.PatternTooWeak):
        books.codes_generate(book=book, count=10, actor=cashier)

    assert not CouponCode.objects.filter(book=book).exists()
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor) == (AuditAction.GENERATE, False, cashier)
    assert audit.reason.startswith("pattern_too_weak")


def test_codes_generate_counts_the_codes_a_book_already_has_against_the_pattern():
    book = CouponBookFactory(code_pattern="##?")  # 1,472 codes possible
    books.codes_generate(book=book, count=140)

    with pytest.raises(errors.PatternTooWeak):
        books.codes_generate(book=book, count=10)

    assert CouponCode.objects.filter(book=book).count() == 140


@pytest.mark.parametrize("pattern", ["ZOMA-####", "####", "AB CD##", "ÄB##", "AB.##"])
def test_codes_generate_accepts_or_refuses_patterns(pattern):
    book = CouponBookFactory(code_pattern=pattern)
    valid = pattern in {"ZOMA-####", "####"}

    if valid:
        assert books.codes_generate(book=book, count=10) == 10
    else:
        with pytest.raises(errors.InvalidPattern):
            books.codes_generate(book=book, count=10)
        assert last_audit(book).reason.startswith("invalid_pattern")


def test_codes_generate_refuses_a_pattern_with_nothing_random():
    book = CouponBookFactory(code_pattern="WELCOME")

    with pytest.raises(errors.InvalidPattern):
        books.codes_generate(book=book, count=1)


@pytest.mark.parametrize("count", [0, -5, books.MAX_GENERATE + 1])
def test_codes_generate_refuses_a_count_out_of_range(count):
    book = CouponBookFactory()

    with pytest.raises(errors.InvalidCount):
        books.codes_generate(book=book, count=count)

    assert last_audit(book).ok is False


def test_codes_generate_refuses_a_closed_book():
    book = CouponBookFactory(status=BookStatus.CLOSED)

    with pytest.raises(errors.BookClosed):
        books.codes_generate(book=book, count=5)

    assert not CouponCode.objects.filter(book=book).exists()


# --- Import ----------------------------------------------------------------------------------


def test_codes_import_csv_reports_created_duplicates_and_invalid(cashier):
    # given a book that has one of the codes, and a file with a header, blanks, repeats
    book = CouponBookFactory()
    CouponCodeFactory(book=book, code="ALREADY-1")
    csv_text = (
        "Code,Note\n"
        "  SAVE-001  ,first\n"
        "SAVE-002\n"
        "\n"
        "SAVE-001\n"
        "ALREADY-1\n"
        "has space\n"
        f"{'X' * 65}\n"
        "ok_under_score\n"
        ",,\n"
        "bad!char\n"
    )

    # when
    report = books.codes_import_csv(book=book, file=io.StringIO(csv_text), actor=cashier)

    # then
    assert report == {
        "created": 3,
        "duplicates": 2,
        "invalid": 3,
        "invalid_rows": [7, 8, 11],
    }
    assert set(CouponCode.objects.filter(book=book).values_list("code", flat=True)) == {
        "ALREADY-1",
        "SAVE-001",
        "SAVE-002",
        "ok_under_score",
    }
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor) == (AuditAction.IMPORT, True, cashier)
    assert audit.reason == "created 3, duplicates 2, invalid 3"


def test_codes_import_csv_reads_bytes_with_a_bom_and_no_header():
    book = CouponBookFactory()

    report = books.codes_import_csv(
        book=book, file=io.BytesIO("\ufeffAAA111\r\nBBB222\r\n".encode())
    )

    assert report["created"] == 2
    assert set(CouponCode.objects.filter(book=book).values_list("code", flat=True)) == {
        "AAA111",
        "BBB222",
    }


def test_codes_import_csv_treats_a_code_named_like_a_header_later_in_the_file_as_a_code():
    book = CouponBookFactory()

    report = books.codes_import_csv(book=book, file=io.StringIO("AAA111\ncode\n"))

    assert report["created"] == 2


def test_codes_import_csv_refuses_a_file_that_is_not_utf8_and_audits_it(cashier):
    book = CouponBookFactory()

    with pytest.raises(errors.ImportInvalid):
        books.codes_import_csv(book=book, file=io.BytesIO(b"\xff\xfe\x00A\x00B"), actor=cashier)

    assert not CouponCode.objects.filter(book=book).exists()
    audit = last_audit(book)
    assert (audit.action, audit.ok) == (AuditAction.IMPORT, False)
    assert audit.reason == "import_invalid: not UTF-8"


# --- Claim -----------------------------------------------------------------------------------


def test_code_claim_hands_out_the_first_available_code_and_counts_it(
    shopper, django_capture_on_commit_callbacks
):
    book = book_with_codes(3)
    first = CouponCode.objects.filter(book=book).order_by("id").first()

    with django_capture_on_commit_callbacks(execute=True):
        code = books.code_claim(offer_or_book=book.offer, user=shopper, ip="203.0.113.7")

    code.refresh_from_db()
    assert code.pk == first.pk
    assert (code.holder, code.status, code.claim_slot) == (shopper, CodeStatus.ASSIGNED, 1)
    assert code.claimed_at is not None
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor, audit.code, audit.client_ip) == (
        AuditAction.CLAIM,
        True,
        shopper,
        code,
        "203.0.113.7",
    )
    assert counters.get(f"offer:claims:{book.offer.pk}") == 1


def test_claims_reach_the_offers_total_when_counters_are_flushed(
    shopper, django_capture_on_commit_callbacks
):
    from offers import clickout

    book = book_with_codes(3, per_user_limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        books.code_claim(offer_or_book=book.offer, user=shopper)
        books.code_claim(offer_or_book=book.offer, user=shopper)

    clickout.counters_flush()

    book.offer.refresh_from_db()
    assert book.offer.claims_count == 2
    assert counters.get(f"offer:claims:{book.offer.pk}") == 0


def test_code_claim_counts_nothing_when_it_is_refused(shopper, django_capture_on_commit_callbacks):
    book = book_with_codes(0)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.BookExhausted):
        books.code_claim(offer_or_book=book.offer, user=shopper)

    assert counters.get(f"offer:claims:{book.offer.pk}") == 0


def test_code_claim_numbers_a_shoppers_codes_up_to_the_books_limit(shopper):
    book = book_with_codes(5, per_user_limit=2)

    first = books.code_claim(offer_or_book=book.offer, user=shopper)
    second = books.code_claim(offer_or_book=book.offer, user=shopper)
    with pytest.raises(errors.ClaimLimitReached):
        books.code_claim(offer_or_book=book.offer, user=shopper)

    assert (first.claim_slot, second.claim_slot) == (1, 2)
    assert CouponCode.objects.filter(book=book, holder=shopper).count() == 2
    refused = last_audit(book)
    assert (refused.action, refused.ok, refused.actor) == (AuditAction.CLAIM, False, shopper)
    assert refused.reason == "claim_limit_reached"


def test_code_claim_counts_used_and_cancelled_codes_towards_the_limit(shopper, cashier):
    book = book_with_codes(3)
    code = books.code_claim(offer_or_book=book.offer, user=shopper)
    books.code_void(book=book, code=code, actor=cashier)

    with pytest.raises(errors.ClaimLimitReached):
        books.code_claim(offer_or_book=book.offer, user=shopper)


def test_code_claim_says_the_book_is_exhausted_when_no_code_is_left(shopper):
    book = book_with_codes(1)
    books.code_claim(offer_or_book=book.offer, user=UserFactory())

    with pytest.raises(errors.BookExhausted):
        books.code_claim(offer_or_book=book.offer, user=shopper)

    refused = last_audit(book)
    assert (refused.ok, refused.reason, refused.code) == (False, "book_exhausted", None)


def test_code_claim_moves_on_to_the_next_active_book_of_the_offer(shopper):
    first_book = book_with_codes(1)
    CouponBookFactory(offer=first_book.offer, status=BookStatus.PAUSED)
    second_book = book_with_codes(2, offer=first_book.offer)
    books.code_claim(offer_or_book=first_book.offer, user=UserFactory())

    code = books.code_claim(offer_or_book=first_book.offer, user=shopper)

    assert code.book == second_book


def test_code_claim_from_one_book_takes_only_its_codes(shopper):
    first_book = book_with_codes(2)
    second_book = book_with_codes(2, offer=first_book.offer)

    code = books.code_claim(offer_or_book=second_book, user=shopper)

    assert code.book_id == second_book.pk


def test_code_claim_skips_codes_already_used_without_a_holder(shopper):
    book = book_with_codes(2, max_redemptions_per_code=3)
    first, second = CouponCode.objects.filter(book=book).order_by("id")
    CouponCode.objects.filter(pk=first.pk).update(redemption_count=1)

    code = books.code_claim(offer_or_book=book.offer, user=shopper)

    assert code.pk == second.pk


@pytest.mark.parametrize(
    "change",
    [
        {"status": OfferStatus.PAUSED},
        {"status": OfferStatus.EXPIRED},
        {"kind": OfferKind.DEAL},
        {"starts_at_in": timedelta(hours=2)},
        {"ends_at_in": timedelta(minutes=-1)},
    ],
)
def test_code_claim_refuses_an_offer_that_is_not_live(shopper, change):
    now = timezone.now()
    fields = {}
    if "starts_at_in" in change:
        fields["starts_at"] = now + change.pop("starts_at_in")
    if "ends_at_in" in change:
        fields.update(starts_at=now - timedelta(days=2), ends_at=now + change.pop("ends_at_in"))
    offer = UniqueCodeOfferFactory(**fields, **change)
    book = book_with_codes(2, offer=offer)

    with pytest.raises(errors.ClaimNotAllowed):
        books.code_claim(offer_or_book=offer, user=shopper)

    assert not CouponCode.objects.filter(holder=shopper).exists()
    assert last_audit(book).reason == "claim_not_allowed: offer not live"


@pytest.mark.parametrize("status", [BookStatus.PAUSED, BookStatus.CLOSED])
def test_code_claim_refuses_when_no_book_is_active(shopper, status):
    book = book_with_codes(2, status=status)

    with pytest.raises(errors.ClaimNotAllowed):
        books.code_claim(offer_or_book=book.offer, user=shopper)

    assert last_audit(book).reason == "claim_not_allowed: no active book"


def test_code_claim_refuses_an_offer_without_books(shopper):
    offer = UniqueCodeOfferFactory()

    with pytest.raises(errors.ClaimNotAllowed):
        books.code_claim(offer_or_book=offer, user=shopper)


def test_code_claim_with_the_same_idempotency_key_returns_the_same_code(shopper):
    book = book_with_codes(5, per_user_limit=3)

    first = books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key="tap-1")
    again = books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key="tap-1")
    other = books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key="tap-2")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert CouponCode.objects.filter(holder=shopper).count() == 2
    assert audits(book, AuditAction.CLAIM).filter(ok=True).count() == 2


def test_code_claim_keys_belong_to_one_shopper(shopper):
    book = book_with_codes(5)

    mine = books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key="same")
    theirs = books.code_claim(offer_or_book=book.offer, user=UserFactory(), idempotency_key="same")

    assert mine.pk != theirs.pk


def test_code_claim_refuses_an_idempotency_key_that_is_too_long(shopper):
    book = book_with_codes(1)

    with pytest.raises(errors.InvalidIdempotencyKey):
        books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key="k" * 81)


@pytest.mark.parametrize("key", ["form\x00token", "form\ntoken"])
def test_code_claim_refuses_an_idempotency_key_with_a_control_character(shopper, key):
    book = book_with_codes(1)

    with pytest.raises(errors.InvalidIdempotencyKey):
        books.code_claim(offer_or_book=book.offer, user=shopper, idempotency_key=key)
    assert not CouponCode.objects.filter(book=book, status=CodeStatus.ASSIGNED).exists()


# --- Assign ----------------------------------------------------------------------------------


def test_code_assign_gives_a_chosen_code_to_a_shopper(shopper, cashier):
    book = book_with_codes(3)
    chosen = CouponCode.objects.filter(book=book).order_by("id").last()

    code = books.code_assign(book=book, code=chosen.code, user=shopper, actor=cashier)

    assert (code.pk, code.holder, code.status, code.claim_slot) == (
        chosen.pk,
        shopper,
        CodeStatus.ASSIGNED,
        1,
    )
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor, audit.code) == (
        AuditAction.ASSIGN,
        True,
        cashier,
        code,
    )
    assert str(shopper.public_id) in audit.reason


def test_code_assign_refuses_a_code_someone_holds(shopper, cashier):
    book = book_with_codes(0)
    taken = held_code(book, UserFactory())

    with pytest.raises(errors.CodeUnavailable):
        books.code_assign(book=book, code=taken.code, user=shopper, actor=cashier)

    refused = last_audit(book)
    assert (refused.action, refused.ok, refused.code) == (AuditAction.ASSIGN, False, taken)


def test_code_assign_keeps_the_shopper_within_the_limit(shopper, cashier):
    book = book_with_codes(2)
    books.code_claim(offer_or_book=book.offer, user=shopper)
    free = CouponCode.objects.get(book=book, holder__isnull=True)

    with pytest.raises(errors.ClaimLimitReached):
        books.code_assign(book=book, code=free, user=shopper, actor=cashier)

    free.refresh_from_db()
    assert free.holder is None
    assert last_audit(book).code == free


# --- Lock and unlock -------------------------------------------------------------------------


def test_code_lock_holds_a_code_for_the_books_lock_time(shopper, cashier):
    book = book_with_codes(0, lock_ttl_seconds=600)
    code = held_code(book, shopper)
    before = timezone.now()

    locked = books.code_lock(
        book=book, code=code.code, actor=cashier, ip="198.51.100.4", order_reference="ORD-1"
    )

    assert locked.status == CodeStatus.LOCKED
    assert before + timedelta(seconds=600) <= locked.locked_until
    assert locked.locked_until <= timezone.now() + timedelta(seconds=600)
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.actor, audit.order_reference, audit.client_ip) == (
        AuditAction.LOCK,
        True,
        cashier,
        "ORD-1",
        "198.51.100.4",
    )


def test_code_lock_finds_a_code_typed_in_lower_case_with_spaces(cashier):
    book = book_with_codes(0)
    code = CouponCodeFactory(book=book, code="ZOMA-2345-ABCD")

    locked = books.code_lock(book=book, code="  zoma-2345-abcd ", actor=cashier)

    assert locked.pk == code.pk


def test_code_lock_refuses_a_code_another_checkout_holds(cashier):
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")
    other_till = UserFactory()

    with pytest.raises(errors.CodeLocked):
        books.code_lock(book=book, code=code, actor=other_till, order_reference="ORD-2")

    refused = last_audit(book)
    assert (refused.action, refused.ok, refused.actor, refused.code) == (
        AuditAction.LOCK,
        False,
        other_till,
        code,
    )


def test_code_lock_again_by_the_same_checkout_extends_it(cashier):
    book = book_with_codes(1, lock_ttl_seconds=60)
    code = CouponCode.objects.get(book=book)
    first = books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")
    CouponCode.objects.filter(pk=code.pk).update(locked_until=timezone.now() + timedelta(seconds=5))

    again = books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")

    assert again.locked_until >= first.locked_until


def test_code_lock_takes_over_a_lock_whose_time_ran_out(cashier):
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=cashier)
    CouponCode.objects.filter(pk=code.pk).update(locked_until=timezone.now() - timedelta(seconds=1))

    locked = books.code_lock(book=book, code=code, actor=UserFactory())

    assert locked.locked_until > timezone.now()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (CodeStatus.REDEEMED, errors.CodeAlreadyRedeemed),
        (CodeStatus.VOID, errors.CodeVoid),
        (CodeStatus.EXPIRED, errors.CodeExpired),
    ],
)
def test_code_lock_refuses_a_code_that_cannot_be_used(cashier, status, error):
    book = book_with_codes(0)
    code = CouponCodeFactory(book=book, status=status)

    with pytest.raises(error):
        books.code_lock(book=book, code=code.code, actor=cashier)

    refused = last_audit(book)
    assert (refused.action, refused.ok, refused.code, refused.reason) == (
        AuditAction.LOCK,
        False,
        code,
        error.code,
    )


def test_code_lock_refuses_codes_of_an_offer_that_has_ended(cashier):
    book = book_with_codes(1)
    offer = book.offer
    offer.starts_at = timezone.now() - timedelta(days=3)
    offer.ends_at = timezone.now() - timedelta(minutes=1)
    offer.save()

    with pytest.raises(errors.CodeExpired):
        books.code_lock(book=book, code=CouponCode.objects.get(book=book), actor=cashier)


def test_code_lock_refuses_codes_of_a_closed_book(cashier):
    book = book_with_codes(1, status=BookStatus.CLOSED)

    with pytest.raises(errors.BookClosed):
        books.code_lock(book=book, code=CouponCode.objects.get(book=book), actor=cashier)


def test_an_unknown_code_is_refused_and_audited_without_a_code(cashier):
    book = book_with_codes(1)

    with pytest.raises(errors.CodeNotFound):
        books.code_lock(book=book, code="NOPE-0000", actor=cashier, ip="198.51.100.4")

    refused = last_audit(book)
    assert (refused.ok, refused.code, refused.client_ip) == (False, None, "198.51.100.4")
    assert refused.reason == "code_not_found: typed 'NOPE-0000'"


def test_a_code_of_another_book_is_not_found(cashier):
    book = book_with_codes(1)
    elsewhere = book_with_codes(1)

    with pytest.raises(errors.CodeNotFound):
        books.code_lock(book=book, code=CouponCode.objects.get(book=elsewhere), actor=cashier)


def test_code_unlock_gives_the_code_back_to_its_holder_or_the_pool(shopper, cashier):
    book = book_with_codes(1)
    pooled = CouponCode.objects.get(book=book)
    held = held_code(book, shopper)
    for code in (pooled, held):
        books.code_lock(book=book, code=code, actor=cashier)

    books.code_unlock(book=book, code=pooled, actor=cashier)
    books.code_unlock(book=book, code=held, actor=cashier)

    pooled.refresh_from_db()
    held.refresh_from_db()
    assert (pooled.status, pooled.locked_until) == (CodeStatus.AVAILABLE, None)
    assert (held.status, held.locked_until) == (CodeStatus.ASSIGNED, None)
    assert audits(book, AuditAction.UNLOCK).filter(ok=True).count() == 2


def test_code_unlock_refuses_a_code_that_is_not_locked(cashier):
    book = book_with_codes(1)

    with pytest.raises(errors.CodeNotLocked):
        books.code_unlock(book=book, code=CouponCode.objects.get(book=book), actor=cashier)

    assert last_audit(book).reason == "code_not_locked: status available"


def test_code_unlock_of_another_checkouts_lock_needs_force(cashier):
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=cashier)
    operator = UserFactory()

    with pytest.raises(errors.CodeLocked):
        books.code_unlock(book=book, code=code, actor=operator)
    released = books.code_unlock(book=book, code=code, actor=operator, force=True)

    assert released.status == CodeStatus.AVAILABLE
    assert last_audit(book).reason == "forced"


# --- Redeem ----------------------------------------------------------------------------------


def test_code_redeem_uses_a_single_use_code_once(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)

    redeemed = books.code_redeem(
        book=book, code=code.code, actor=cashier, idempotency_key="pos-1", order_reference="ORD-9"
    )

    assert (redeemed.status, redeemed.redemption_count) == (CodeStatus.REDEEMED, 1)
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.idempotency_key, audit.order_reference) == (
        AuditAction.REDEEM,
        True,
        "pos-1",
        "ORD-9",
    )


def test_code_redeem_again_with_the_same_key_changes_nothing(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)
    books.code_redeem(book=book, code=code.code, actor=cashier, idempotency_key="pos-1")

    again = books.code_redeem(book=book, code=code.code, actor=cashier, idempotency_key="pos-1")

    assert (again.pk, again.redemption_count, again.status) == (code.pk, 1, CodeStatus.REDEEMED)
    assert audits(book, AuditAction.REDEEM).count() == 1


def test_code_redeem_with_a_new_key_after_the_code_is_used_is_refused(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)
    books.code_redeem(book=book, code=code.code, actor=cashier, idempotency_key="pos-1")

    with pytest.raises(errors.CodeAlreadyRedeemed):
        books.code_redeem(book=book, code=code.code, actor=cashier, idempotency_key="pos-2")

    code.refresh_from_db()
    assert code.redemption_count == 1
    refused = last_audit(book)
    assert (refused.ok, refused.idempotency_key, refused.reason) == (
        False,
        "pos-2",
        "code_redeemed",
    )


def test_a_multi_use_code_is_used_up_to_the_books_limit(shopper, cashier):
    book = book_with_codes(0, max_redemptions_per_code=3)
    code = held_code(book, shopper)

    statuses = [
        books.code_redeem(book=book, code=code, actor=cashier, idempotency_key=f"k{n}").status
        for n in range(3)
    ]
    with pytest.raises(errors.CodeAlreadyRedeemed):
        books.code_redeem(book=book, code=code, actor=cashier, idempotency_key="k3")

    assert statuses == [CodeStatus.ASSIGNED, CodeStatus.ASSIGNED, CodeStatus.REDEEMED]
    code.refresh_from_db()
    assert code.redemption_count == 3
    assert last_audit(book).reason == "code_redeemed"
    assert audits(book, AuditAction.REDEEM).filter(ok=True).count() == 3


def test_code_redeem_refuses_a_key_already_used_for_another_code(shopper, cashier):
    book = book_with_codes(2)
    first, second = CouponCode.objects.filter(book=book).order_by("id")
    books.code_redeem(book=book, code=first, actor=cashier, idempotency_key="pos-1")

    with pytest.raises(errors.IdempotencyKeyReused):
        books.code_redeem(book=book, code=second, actor=cashier, idempotency_key="pos-1")

    second.refresh_from_db()
    assert second.redemption_count == 0
    assert (last_audit(book).ok, last_audit(book).code) == (False, second)


@pytest.mark.parametrize("key", ["", "   ", "k" * 81])
def test_code_redeem_needs_an_idempotency_key(cashier, key):
    book = book_with_codes(1)

    with pytest.raises(errors.InvalidIdempotencyKey):
        books.code_redeem(
            book=book, code=CouponCode.objects.get(book=book), actor=cashier, idempotency_key=key
        )

    assert last_audit(book).reason == "invalid_idempotency_key"


def test_code_redeem_ends_the_redeeming_checkouts_lock(shopper, cashier):
    book = book_with_codes(0, max_redemptions_per_code=2)
    code = held_code(book, shopper)
    books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")

    redeemed = books.code_redeem(
        book=book, code=code, actor=cashier, idempotency_key="k1", order_reference="ORD-1"
    )

    assert (redeemed.status, redeemed.locked_until) == (CodeStatus.ASSIGNED, None)


def test_code_redeem_refuses_a_code_locked_by_another_checkout(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)
    books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")

    with pytest.raises(errors.CodeLocked):
        books.code_redeem(book=book, code=code, actor=UserFactory(), idempotency_key="k1")
    with pytest.raises(errors.CodeLocked):
        books.code_redeem(
            book=book, code=code, actor=cashier, idempotency_key="k2", order_reference="ORD-2"
        )

    code.refresh_from_db()
    assert (code.status, code.redemption_count) == (CodeStatus.LOCKED, 0)


def test_code_redeem_of_a_void_code_is_refused(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper, status=CodeStatus.VOID)

    with pytest.raises(errors.CodeVoid):
        books.code_redeem(book=book, code=code, actor=cashier, idempotency_key="k1")


def test_the_database_allows_one_successful_redeem_per_key_and_book(shopper):
    book = book_with_codes(2)
    first, second = CouponCode.objects.filter(book=book)
    RedemptionAudit.objects.create(
        book=book, code=first, action=AuditAction.REDEEM, ok=True, idempotency_key="pos-1"
    )
    # refused attempts with the key are fine
    RedemptionAudit.objects.create(
        book=book, code=second, action=AuditAction.REDEEM, ok=False, idempotency_key="pos-1"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        RedemptionAudit.objects.create(
            book=book, code=second, action=AuditAction.REDEEM, ok=True, idempotency_key="pos-1"
        )


# --- Void ------------------------------------------------------------------------------------


def test_code_void_cancels_a_code_for_good(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)

    voided = books.code_void(book=book, code=code, actor=cashier, reason="leaked on a forum")

    assert voided.status == CodeStatus.VOID
    assert voided.holder == shopper
    audit = last_audit(book)
    assert (audit.action, audit.ok, audit.reason) == (AuditAction.VOID, True, "leaked on a forum")
    with pytest.raises(errors.CodeVoid):
        books.code_lock(book=book, code=code, actor=cashier)
    with pytest.raises(errors.CodeVoid):
        books.code_void(book=book, code=code, actor=cashier)


def test_code_void_refuses_a_used_code(shopper, cashier):
    book = book_with_codes(0)
    code = held_code(book, shopper)
    books.code_redeem(book=book, code=code, actor=cashier, idempotency_key="k1")

    with pytest.raises(errors.CodeAlreadyRedeemed):
        books.code_void(book=book, code=code, actor=cashier)

    code.refresh_from_db()
    assert code.status == CodeStatus.REDEEMED


def test_a_voided_pool_code_is_never_claimed(shopper, cashier):
    book = book_with_codes(1)
    books.code_void(book=book, code=CouponCode.objects.get(book=book), actor=cashier)

    with pytest.raises(errors.BookExhausted):
        books.code_claim(offer_or_book=book.offer, user=shopper)


# --- Refusals are audited even though their transaction rolled back --------------------------


def test_a_refused_action_changes_nothing_but_leaves_its_audit_row(shopper, cashier):
    # given a code another checkout holds
    book = book_with_codes(0)
    code = held_code(book, shopper)
    books.code_lock(book=book, code=code, actor=cashier, order_reference="ORD-1")
    code.refresh_from_db()
    before = (code.status, code.locked_until, code.redemption_count, code.updated_at)

    # when another till tries to redeem it
    with pytest.raises(errors.CodeLocked):
        books.code_redeem(book=book, code=code, actor=UserFactory(), idempotency_key="k")

    # then the code is untouched and the refusal is on record
    code.refresh_from_db()
    assert (code.status, code.locked_until, code.redemption_count, code.updated_at) == before
    assert [(row.action, row.ok) for row in audits(book)] == [
        (AuditAction.LOCK, True),
        (AuditAction.REDEEM, False),
    ]


@pytest.mark.postgres
def test_codes_generate_makes_a_hundred_thousand_codes_well_within_a_minute(capsys):
    book = CouponBookFactory(code_pattern="ZOMA-####-????")  # 9.0e9 codes possible

    started = time.perf_counter()
    created = books.codes_generate(book=book, count=100_000)
    seconds = time.perf_counter() - started

    with capsys.disabled():
        print(f"\n100,000 codes generated in {seconds:.2f}s")
    assert created == CouponCode.objects.filter(book=book).count() == 100_000
    assert seconds < 30
