"""The beat's sweeps: release expired locks, expire ended offers and remind holders."""

import logging
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.services import notification_send

from ..models import (
    AuditAction,
    CodeStatus,
    CouponCode,
    Offer,
    OfferStatus,
    RedemptionAudit,
)
from .common import REMINDER_DAYS, REMINDER_KEY_TTL, REMINDER_KIND, SWEEP_BATCH, UNUSED_STATUSES

logger = logging.getLogger(__name__)

# --- Sweeps (run by the beat: books/tasks.py) ---------------------------------------------


def locks_release_expired(*, now: datetime | None = None) -> int:
    """Give back codes whose checkout lock ran out: to their holder, else to the pool.

    Returns how many were released. Codes another transaction holds right now are skipped
    (SKIP LOCKED); the next run picks them up.
    """
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic(durable=True):
            rows = list(
                CouponCode.objects.select_for_update(skip_locked=True)
                .filter(Q(locked_until__lte=now) | Q(locked_until__isnull=True))
                .filter(status=CodeStatus.LOCKED)
                .order_by("id")
                .only("id", "book_id", "holder_id", "locked_until")[:SWEEP_BATCH]
            )
            if not rows:
                return released
            held = [row.pk for row in rows if row.holder_id]
            pooled = [row.pk for row in rows if not row.holder_id]
            CouponCode.objects.filter(pk__in=held).update(
                status=CodeStatus.ASSIGNED, locked_until=None, updated_at=now
            )
            CouponCode.objects.filter(pk__in=pooled).update(
                status=CodeStatus.AVAILABLE, locked_until=None, updated_at=now
            )
            RedemptionAudit.objects.bulk_create(
                RedemptionAudit(
                    book_id=row.book_id,
                    code_id=row.pk,
                    action=AuditAction.RELEASE,
                    ok=True,
                    reason=(
                        f"lock ended {row.locked_until.isoformat()}"
                        if row.locked_until
                        else "lock without an end"
                    ),
                )
                for row in rows
            )
            released += len(rows)


def offers_expire(*, now: datetime | None = None) -> int:
    """The daily sweep. Returns how many offers it expired.

    1. Active offers whose end has passed become `expired`.
    2. The unused codes (available, assigned, locked) of every ended offer's books become
       `expired`, each with an 'expire' audit row.
    3. Holders of assigned codes hear that their code ends soon: once when the offer ends
       within three days, once on its last day. Each (code, reminder) is sent once: a Redis
       key per pair is set before sending, so a rerun or a second sweep skips it.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        ended = list(
            Offer.objects.select_for_update()
            .filter(status=OfferStatus.ACTIVE, ends_at__lte=now)
            .order_by("pk")
        )
        for offer in ended:
            offer.status = OfferStatus.EXPIRED
            # save(), not update(): the click-out's cached snapshot is dropped on save.
            offer.save(update_fields=["status", "updated_at"])
    codes = _codes_expire(now=now)
    reminders = _expiry_reminders_send(now=now)
    logger.info(
        "expiry sweep: %s offers expired, %s codes expired, %s reminders sent",
        len(ended),
        codes,
        reminders,
    )
    return len(ended)


def _codes_expire(*, now: datetime) -> int:
    expired = 0
    while True:
        with transaction.atomic(durable=True):
            # Plain FOR UPDATE (no SKIP LOCKED): a code being redeemed right now is waited
            # for, not left unexpired until tomorrow. Only this sweep locks many codes, in
            # id order, so this cannot deadlock with the one-row actions.
            rows = list(
                CouponCode.objects.select_for_update(of=("self",))
                .filter(status__in=UNUSED_STATUSES, book__offer__ends_at__lte=now)
                .order_by("id")
                .only("id", "book_id")[:SWEEP_BATCH]
            )
            if not rows:
                return expired
            CouponCode.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=CodeStatus.EXPIRED, locked_until=None, updated_at=now
            )
            RedemptionAudit.objects.bulk_create(
                RedemptionAudit(
                    book_id=row.book_id,
                    code_id=row.pk,
                    action=AuditAction.EXPIRE,
                    ok=True,
                    reason="offer ended",
                )
                for row in rows
            )
            expired += len(rows)


def _start_of_local_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _expiry_reminders_send(*, now: datetime) -> int:
    today = timezone.localdate(now)
    horizon = _start_of_local_day(today + timedelta(days=REMINDER_DAYS + 1))
    codes = (
        CouponCode.objects.filter(
            status=CodeStatus.ASSIGNED,
            holder__isnull=False,
            book__offer__status=OfferStatus.ACTIVE,
            book__offer__ends_at__gt=now,
            book__offer__ends_at__lt=horizon,
        )
        .select_related("holder", "book__offer__merchant")
        .order_by("id")
    )
    sent = 0
    for code in codes.iterator(chunk_size=500):
        days_left = (timezone.localdate(code.book.offer.ends_at) - today).days
        reminder = "today" if days_left == 0 else "soon"
        key = f"offers:expiry-reminder:{code.pk}:{reminder}"
        # add() is atomic: of two sweeps (or a rerun), only one sends.
        if not cache.add(key, 1, timeout=REMINDER_KEY_TTL):
            continue
        try:
            _expiry_reminder_send(code=code, days_left=days_left)
        except Exception:
            cache.delete(key)
            raise
        sent += 1
    return sent


def _expiry_reminder_send(*, code: CouponCode, days_left: int) -> None:
    offer = code.book.offer
    holder = code.holder
    kind = REMINDER_KIND
    merchant = Truncator(offer.merchant.name).chars(40)
    end = timezone.localtime(offer.ends_at)

    def title() -> str:
        if days_left == 0:
            return _("Your %(merchant)s code expires today") % {"merchant": merchant}
        if days_left == 1:
            return _("Your %(merchant)s code expires tomorrow") % {"merchant": merchant}
        return ngettext(
            "Your %(merchant)s code expires in %(days)d day",
            "Your %(merchant)s code expires in %(days)d days",
            days_left,
        ) % {"merchant": merchant, "days": days_left}

    def body() -> str:
        # Called once per language: the offer's title and the date in that language.
        return _("%(offer)s. Your code: %(code)s. Use it before %(end)s.") % {
            "offer": Truncator(offer.title).chars(120),
            "code": code.code,
            "end": formats.date_format(end, "j M Y, H:i"),
        }

    # Email and in-app only: a reminder is not worth a text message.
    notification_send(
        user=holder, kind=kind, title=title, body=body, link="/my-codes/", channels=("email",)
    )
