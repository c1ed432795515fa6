"""The beat's book tasks: releasing expired checkout locks, and the daily expiry sweep with its
reminders."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.core.locks import redis_lock
from offers import books
from offers.books.tasks import expiry_sweep, release_expired_locks
from offers.models import AuditAction, CodeStatus, CouponCode, OfferStatus, RedemptionAudit
from offers.tests.books.factories import (
    CouponCodeFactory,
    UniqueCodeOfferFactory,
    book_with_codes,
)

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def at(day: int, hour: int = 0, minute: int = 5) -> datetime:
    """A moment in January 2031, India time (the sweep runs at 00:05 IST)."""
    return datetime(2031, 1, day, hour, minute, tzinfo=IST)


def held_code(book, user, status=CodeStatus.ASSIGNED):
    return CouponCodeFactory(
        book=book, holder=user, claim_slot=1, status=status, claimed_at=timezone.now()
    )


def expire_lock(code) -> None:
    CouponCode.objects.filter(pk=code.pk).update(locked_until=timezone.now() - timedelta(seconds=1))


# --- Expired locks ---------------------------------------------------------------------------


def test_expired_locks_go_back_to_their_holder_or_the_pool():
    # given a pooled code and a held code locked at a till, both past their lock time,
    # and one lock still running
    book = book_with_codes(3)
    pooled, running, _free = CouponCode.objects.filter(book=book).order_by("id")
    held = held_code(book, UserFactory())
    till = UserFactory()
    for code in (pooled, held, running):
        books.code_lock(book=book, code=code, actor=till)
    expire_lock(pooled)
    expire_lock(held)

    # when
    released = release_expired_locks.delay().get()

    # then
    assert released == 2
    statuses = dict(CouponCode.objects.filter(book=book).values_list("pk", "status"))
    assert statuses[pooled.pk] == CodeStatus.AVAILABLE
    assert statuses[held.pk] == CodeStatus.ASSIGNED
    assert statuses[running.pk] == CodeStatus.LOCKED
    assert not CouponCode.objects.filter(pk__in=[pooled.pk, held.pk], locked_until__isnull=False)
    release_rows = RedemptionAudit.objects.filter(action=AuditAction.RELEASE, ok=True)
    assert sorted(release_rows.values_list("code_id", flat=True)) == sorted([pooled.pk, held.pk])


def test_a_released_pool_code_can_be_claimed_again():
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=UserFactory())
    shopper = UserFactory()
    with pytest.raises(books.errors.BookExhausted):
        books.code_claim(offer_or_book=book.offer, user=shopper)
    expire_lock(code)

    release_expired_locks.delay()
    claimed = books.code_claim(offer_or_book=book.offer, user=shopper)

    assert claimed.pk == code.pk


def test_releasing_twice_releases_once():
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=UserFactory())
    expire_lock(code)

    assert books.locks_release_expired() == 1
    assert books.locks_release_expired() == 0
    assert RedemptionAudit.objects.filter(action=AuditAction.RELEASE).count() == 1


def test_release_task_skips_while_another_run_holds_its_lock():
    book = book_with_codes(1)
    code = CouponCode.objects.get(book=book)
    books.code_lock(book=book, code=code, actor=UserFactory())
    expire_lock(code)

    with redis_lock("offers.release_expired_locks"):
        released = release_expired_locks.delay().get()

    code.refresh_from_db()
    assert released == 0
    assert code.status == CodeStatus.LOCKED


# --- Expiry sweep ----------------------------------------------------------------------------


def offer_ending(ends_at: datetime, **fields):
    return UniqueCodeOfferFactory(starts_at=ends_at - timedelta(days=60), ends_at=ends_at, **fields)


def test_the_sweep_expires_ended_offers_and_their_unused_codes():
    # given an offer that ended yesterday, with codes in every state, and a live offer
    ended = offer_ending(at(9, 23))
    book = book_with_codes(1, offer=ended)
    available = CouponCode.objects.get(book=book)
    assigned = held_code(book, UserFactory())
    locked = held_code(book, UserFactory(), status=CodeStatus.LOCKED)
    redeemed = held_code(book, UserFactory(), status=CodeStatus.REDEEMED)
    void = held_code(book, UserFactory(), status=CodeStatus.VOID)
    live = offer_ending(at(20, 23))
    live_code = CouponCode.objects.get(book=book_with_codes(1, offer=live))

    # when
    expired_offers = books.offers_expire(now=at(10))

    # then
    assert expired_offers == 1
    ended.refresh_from_db()
    live.refresh_from_db()
    assert (ended.status, live.status) == (OfferStatus.EXPIRED, OfferStatus.ACTIVE)
    statuses = dict(CouponCode.objects.values_list("pk", "status"))
    assert {statuses[code.pk] for code in (available, assigned, locked)} == {CodeStatus.EXPIRED}
    assert statuses[redeemed.pk] == CodeStatus.REDEEMED
    assert statuses[void.pk] == CodeStatus.VOID
    assert statuses[live_code.pk] == CodeStatus.AVAILABLE
    expire_rows = RedemptionAudit.objects.filter(action=AuditAction.EXPIRE, ok=True)
    assert sorted(expire_rows.values_list("code_id", flat=True)) == sorted(
        [available.pk, assigned.pk, locked.pk]
    )


def test_the_sweep_twice_changes_nothing_the_second_time():
    ended = offer_ending(at(9, 23))
    book_with_codes(3, offer=ended)
    books.offers_expire(now=at(10))
    rows = RedemptionAudit.objects.count()

    assert books.offers_expire(now=at(10, 0, 6)) == 0
    assert RedemptionAudit.objects.count() == rows


def test_the_sweep_expires_codes_of_an_offer_an_operator_paused_before_it_ended():
    paused = offer_ending(at(9, 23), status=OfferStatus.PAUSED)
    book = book_with_codes(2, offer=paused)

    books.offers_expire(now=at(10))

    assert set(CouponCode.objects.filter(book=book).values_list("status", flat=True)) == {
        CodeStatus.EXPIRED
    }


def test_codes_of_an_ended_offer_cannot_be_claimed_or_redeemed_after_the_sweep():
    ended = offer_ending(timezone.now() - timedelta(minutes=1))
    book = book_with_codes(0, offer=ended)
    code = held_code(book, UserFactory())

    books.offers_expire()

    with pytest.raises(books.errors.CodeExpired):
        books.code_redeem(book=book, code=code, actor=UserFactory(), idempotency_key="k")


def reminders_for(user):
    return list(Notification.objects.filter(user=user).order_by("id"))


def test_holders_hear_three_days_before_the_end_and_on_the_day_once_each(
    django_capture_on_commit_callbacks,
):
    # given an offer ending on 13 January at 20:00, a holder, and a code nobody holds
    offer = offer_ending(at(13, 20, 0))
    book = book_with_codes(1, offer=offer)
    holder = UserFactory()
    code = held_code(book, holder)

    # when the sweep runs each night from the 9th to the 13th, twice on the 10th
    with django_capture_on_commit_callbacks(execute=True):
        for now in (at(9), at(10), at(10, 1), at(11), at(12), at(13), at(13, 1)):
            books.offers_expire(now=now)

    # then nothing on the 9th (four days out), one reminder on the 10th, one on the day
    notes = reminders_for(holder)
    assert [note.title for note in notes] == [
        f"Your {offer.merchant.name} code expires in 3 days",
        f"Your {offer.merchant.name} code expires today",
    ]
    assert all(note.link == "/my-codes/" for note in notes)
    assert code.code in notes[0].body
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [holder.email]
    assert Notification.objects.count() == 2


def test_a_reminder_goes_out_even_when_the_offer_ends_sooner_than_three_days_after_claiming():
    offer = offer_ending(at(11, 20, 0))
    holder = UserFactory()
    held_code(book_with_codes(0, offer=offer), holder)

    books.offers_expire(now=at(10))

    assert [note.title for note in reminders_for(holder)] == [
        f"Your {offer.merchant.name} code expires tomorrow"
    ]


def test_no_reminder_for_used_or_cancelled_codes_or_far_away_ends():
    soon = offer_ending(at(12, 20, 0))
    book = book_with_codes(0, offer=soon)
    used = UserFactory()
    cancelled = UserFactory()
    held_code(book, used, status=CodeStatus.REDEEMED)
    held_code(book, cancelled, status=CodeStatus.VOID)
    later = UserFactory()
    held_code(book_with_codes(0, offer=offer_ending(at(25, 20, 0))), later)

    books.offers_expire(now=at(10))

    assert not Notification.objects.filter(user__in=[used, cancelled, later]).exists()


def test_the_expiry_sweep_task_runs_the_sweep():
    ended = offer_ending(timezone.now() - timedelta(minutes=5))

    assert expiry_sweep.delay().get() == 1

    ended.refresh_from_db()
    assert ended.status == OfferStatus.EXPIRED


def test_the_expiry_sweep_task_skips_while_another_run_holds_its_lock():
    ended = offer_ending(timezone.now() - timedelta(minutes=5))

    with redis_lock("offers.expiry_sweep"):
        assert expiry_sweep.delay().get() == 0

    ended.refresh_from_db()
    assert ended.status == OfferStatus.ACTIVE
