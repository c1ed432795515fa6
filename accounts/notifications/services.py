"""Notifications: the one service that tells a user something, and its delivery.

Every notification is a row the user sees in the app. After the commit it is also emailed
and texted where its kind (registered in kinds.py by the app that sends it) and the user's
choices allow. Push notifications are
not sent: there is no push provider, so the channels are in-app, email and SMS.

Rules for the channels beyond in-app:

- email: the kind allows it and `user.notify_by_email` is on. Security notices (new sign-in,
  two-factor changed) are emailed even when it is off: someone who took over the account
  could turn it off first, and the owner must still hear about it.
- SMS: the kind allows it, `user.notify_by_sms` is on and the user has a phone. No kind
  overrides the SMS opt-out.
- marketing: only with `user.marketing_consent`, by email and in-app only (promotional SMS
  in India needs separately registered DLT templates and sending hours; not built).
- inactive users get the in-app row only.

The preferences are checked when the notification is sent and again when each channel is
delivered, so turning a channel off in between is honoured.
"""

import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from coupzii.core import bulk
from coupzii.core.errors import NotFound
from coupzii.core.i18n import Text, in_every_language_many

from .. import sms
from ..models import Notification, User
from .kinds import notification_kind

logger = logging.getLogger(__name__)

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)
# A text message stays within two GSM segments; the full body is in the app and the email.
SMS_MAX_LENGTH = 300
# notifications_send queues its deliveries in messages of this many (notification, channel)
# pairs (a few kilobytes of JSON each).
DELIVERIES_PER_TASK = 500


_in_app_only: ContextVar[bool] = ContextVar("notifications_in_app_only", default=False)


# --- Rules ----------------------------------------------------------------------------------


def delivery_channels(*, user: User, kind: str, channels: tuple[str, ...] | list[str]) -> list[str]:
    """Which of `channels` this notification goes out on for this user now (see the module
    docstring for the rules)."""
    spec = notification_kind(kind)
    if not user.is_active:
        return []
    if spec.needs_marketing_consent and not user.marketing_consent:
        return []
    allowed = []
    if (
        EMAIL in channels
        and spec.email
        and user.email
        and (user.notify_by_email or spec.email_despite_opt_out)
    ):
        allowed.append(EMAIL)
    if SMS in channels and spec.sms and user.notify_by_sms and user.phone:
        allowed.append(SMS)
    return allowed


# --- Writes ----------------------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    kind: str,
    title: Text,
    body: Text = "",
    link: str = "",
    channels: tuple[str, ...] | list[str] = CHANNELS,
) -> Notification:
    """Tell `user` something: the in-app row now, email and SMS after the commit.

    `title` and `body` are rendered and stored in every site language (title_en, title_hi),
    so the bell shows them in whatever language the user reads in; email and SMS go in the
    user's own language. Pass a callable such as `lambda: _("%(amount)s ...") % values` or a
    lazy translation; a plain str is stored as it is in every language.
    `link` is a path on this site ("/wallet/") or an http(s) URL. Pass
    `channels=()` for in-app only. Safe inside a caller's transaction: if it rolls back,
    the row goes and nothing is sent.

    Raises ValueError for an unknown kind or channel, or a link that is not a path or URL,
    and ValidationError for a title longer than 140 characters (programming errors, not
    user errors).
    """
    notification_kind(kind)
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"Unknown notification channel(s) {sorted(unknown)}; use {CHANNELS}.")
    _check_link(link)
    titles, bodies = in_every_language_many([title, body])

    from ..tasks import deliver_notification  # tasks import this module

    values = _row_values(
        Notice(user=user, kind=kind, title=title, link=link),
        titles=titles,
        bodies=bodies,
        now=timezone.now(),
    )
    notification = _row(values, user)
    if not _values_valid(values):
        notification.full_clean(exclude=["user"], validate_unique=False)  # raises its error
    # No uniqueness query (public_id is a fresh uuid4) and no savepoint: one INSERT, inside
    # the caller's transaction when there is one (a checkout sends this in its capture).
    notification.save()
    if _in_app_only.get():
        channels = ()
    for channel in delivery_channels(user=user, kind=kind, channels=channels):
        transaction.on_commit(
            partial(deliver_notification.delay, notification_id=notification.pk, channel=channel)
        )
    return notification


@dataclass(frozen=True)
class Notice:
    """One notification for `notifications_send`: the arguments of `notification_send`."""

    user: User
    kind: str
    title: Text
    body: Text = ""
    link: str = ""
    channels: tuple[str, ...] = CHANNELS


def notifications_send(notices: Sequence[Notice]) -> list[Notification]:
    """`notification_send` for many notifications at once (a cashback sync tells thousands of
    shoppers): the same checks, texts and channels, the rows written by one INSERT, and each
    channel of each row delivered by its own task after the commit (queued, a few hundred at
    a time, by tasks.deliver_notifications). Raises as notification_send does, before
    anything is written."""
    from ..tasks import deliver_notifications  # tasks import this module

    for notice in notices:
        notification_kind(notice.kind)
        unknown = set(notice.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"Unknown notification channel(s) {sorted(unknown)}; use {CHANNELS}.")
        _check_link(notice.link)
    rendered = iter(_rendered([t for n in notices for t in (n.title, n.body)]))
    now = timezone.now()
    rows, values = [], []
    for notice in notices:
        row_values = _row_values(notice, titles=next(rendered), bodies=next(rendered), now=now)
        row = _row(row_values, notice.user)
        if not _values_valid(row_values):
            row.full_clean(exclude=["user"], validate_unique=False)  # raises its usual error
        rows.append(row)
        values.append(row_values)
    if not rows:
        return []
    _rows_insert(rows, values)
    deliveries = [
        (row.pk, channel)
        for notice, row in zip(notices, rows, strict=True)
        for channel in delivery_channels(
            user=notice.user,
            kind=notice.kind,
            channels=() if _in_app_only.get() else notice.channels,
        )
    ]
    # One message per DELIVERIES_PER_TASK deliveries rather than one per delivery: publishing
    # costs about 2 ms a message, and a sync tells tens of thousands. The worker that runs it
    # queues each delivery as its own deliver_notification, so each keeps its own retries.
    for start in range(0, len(deliveries), DELIVERIES_PER_TASK):
        transaction.on_commit(
            partial(
                deliver_notifications.delay,
                deliveries=deliveries[start : start + DELIVERIES_PER_TASK],
            )
        )
    return rows


# --- Rows --------------------------------------------------------------------------------------


def _rendered(texts: list[Text]) -> list[dict[str, str]]:
    """Every text in every language, in one pass per language (switching language per text
    cost more than the rendering). A lazy translation or plain str that many notices share
    (one body for a whole sync's notices) is rendered once; callables each time."""
    unique: dict[int, Text] = {}
    for text in texts:
        if not callable(text) or isinstance(text, Promise):
            unique.setdefault(id(text), text)
        else:
            unique[id(text)] = text
    by_id = dict(zip(unique, in_every_language_many(list(unique.values())), strict=True))
    return [by_id[id(text)] for text in texts]


# Every column of a notification, in the model's order: a row is built from a tuple of them
# (Django's positional path, no keyword rewriting or per-field defaults to look up), and the
# bulk insert sends the same tuples' columns (not read back through modeltranslation's
# descriptors, which answer in the active language).
_FIELDS = Notification._meta.concrete_fields
_USER = Notification._meta.get_field("user")
# The text columns and the limits full_clean holds them to: (position, max length, blank).
_TEXT_LIMITS = [
    (n, f.max_length, f.blank)
    for n, f in enumerate(_FIELDS)
    if isinstance(f, models.CharField | models.TextField) and f.name != "user"
]


def _row_values(notice: Notice, *, titles: dict[str, str], bodies: dict[str, str], now) -> tuple:
    values = {
        "created_at": now,
        "updated_at": now,
        "public_id": uuid.uuid4(),
        "user_id": notice.user.pk,
        "kind": notice.kind,
        # title/body (the original columns) keep English, for the admin and old readers.
        "title": titles["en"],
        "body": bodies["en"],
        "link": notice.link,
        **{f"title_{code}": value for code, value in titles.items()},
        **{f"body_{code}": value for code, value in bodies.items()},
    }
    return tuple(values.get(f.attname) for f in _FIELDS)


def _row(values: tuple, user: User) -> Notification:
    row = Notification(*values)
    _USER.set_cached_value(row, user)
    return row


def _values_valid(values: tuple) -> bool:
    """What `full_clean` checks of a notification we built ourselves: its texts' lengths and
    the required ones present (the rest are ours: a fresh uuid, the time, the user)."""
    for n, max_length, blank in _TEXT_LIMITS:
        value = values[n]
        if value is None or (max_length and len(value) > max_length) or (not blank and not value):
            return False
    return True


def _rows_insert(rows: list[Notification], values: list[tuple]) -> None:
    """Write `rows` (made of `values`) in one statement and give each its id. On PostgreSQL
    with one array per column (coupzii.core.bulk), as the ledger and the cashback sync write
    theirs: Django's bulk_create prepares every value of every row and binds each into the
    statement's text, which cost a sync's thousands of notices more than PostgreSQL took to
    store them."""
    connection = transaction.get_connection()
    if not bulk.is_postgresql(connection):
        Notification.objects.bulk_create(rows)
        return
    columns = [(n, f) for n, f in enumerate(_FIELDS) if not f.primary_key]
    fields = [f for _n, f in columns]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) {bulk.unnest_select(fields, connection)} "
        f"RETURNING {quote('id')}, {quote('public_id')}"
    )
    params = [bulk.column_values(f, [row[n] for row in values], connection) for n, f in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {public_id: pk for pk, public_id in cursor.fetchall()}
    for row, row_values in zip(rows, values, strict=True):
        row.pk = ids[row_values[_PUBLIC_ID]]
        row._state.adding, row._state.db = False, connection.alias


_PUBLIC_ID = next(n for n, f in enumerate(_FIELDS) if f.name == "public_id")


def operators_notify(*, title: Text, body: Text = "", link: str = "") -> list[Notification]:
    """Tell every active operator (staff) something that needs a person: in-app and by email,
    whatever their email setting (the "operations" kind). `title` and `body` as for
    notification_send."""
    return [
        notification_send(
            user=operator,
            kind="operations",
            title=title,
            body=body,
            link=link,
            channels=(EMAIL,),
        )
        for operator in User.objects.filter(is_staff=True, is_active=True)
    ]


@contextmanager
def in_app_only() -> Iterator[None]:
    """Within the block, notifications are stored in-app and sent nowhere else: for demo data
    and back-fills, where the events are not news to anybody."""
    token = _in_app_only.set(True)
    try:
        yield
    finally:
        _in_app_only.reset(token)


def in_app_only_active() -> bool:
    """True inside `in_app_only()`: for senders of their own messages (an order's codes) to
    stay quiet in the same places notifications do."""
    return _in_app_only.get()


def notification_mark_read(*, user: User, public_id: uuid.UUID | str) -> Notification:
    """Mark one of the user's notifications read (again is harmless: the first time stays).

    Raises NotFound when no notification with that id is the user's: someone else's looks
    exactly like one that does not exist.
    """
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound(_("This notification does not exist.")) from exc
    notification = Notification.objects.filter(user=user, public_id=public_id).first()
    if notification is None:
        raise NotFound(_("This notification does not exist."))
    if notification.read_at is None:
        now = timezone.now()
        # Conditional update: two tabs marking it at once keep the first read time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.refresh_from_db(fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    now = timezone.now()
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )


def notification_deliver(*, notification_id: int, channel: str) -> bool:
    """Send one notification on one channel now (run by tasks.deliver_notification).

    Returns False when there is nothing to send: the notification is gone, or the user or
    the kind no longer allows the channel. A message the SMS provider refuses is logged and
    dropped (a retry would be refused too); outages raise OSError for the task to retry.
    """
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return False
    user = notification.user
    if channel not in delivery_channels(user=user, kind=notification.kind, channels=(channel,)):
        return False
    with translation.override(user.language):
        if channel == EMAIL:
            send_mail(
                subject=_email_subject(notification),
                message=_email_text(notification),
                from_email=None,
                recipient_list=[user.email],
            )
            return True
        try:
            sms.send_sms(to=user.phone, body=_sms_text(notification))
        except sms.SmsRejected as exc:
            logger.warning(
                "SMS for notification %s refused: %s", notification.public_id, exc.message
            )
            return False
        return True


# --- Helpers ---------------------------------------------------------------------------------


def _check_link(link: str) -> None:
    # Links end up in href attributes: allow our own paths and web URLs, never javascript:.
    if not link:
        return
    if link.startswith("/") and not link.startswith("//"):
        return
    if link.startswith(("https://", "http://")):
        return
    raise ValueError(f"A notification link must be a path on this site or an http(s) URL: {link!r}")


def _absolute_url(link: str) -> str:
    """The link as an address that works outside the site, or "" if we cannot make one.

    SITE_URL (e.g. "https://coupzii.in") makes site paths absolute in emails and texts.
    """
    if link.startswith(("https://", "http://")):
        return link
    site_url = settings.SITE_URL.rstrip("/")
    return f"{site_url}{link}" if link and site_url else ""


def _email_subject(notification: Notification) -> str:
    # A subject must be one line; Django refuses headers with newlines.
    return " ".join(f"Coupzii: {notification.title}".split())


def _email_text(notification: Notification) -> str:
    user = notification.user
    lines = [_("Hi %(name)s,") % {"name": user.get_short_name()}, "", notification.title]
    if notification.body:
        lines += ["", notification.body]
    link = _absolute_url(notification.link)
    if link:
        lines += ["", _("Open it on Coupzii: %(link)s") % {"link": link}]
    lines += ["", _("The Coupzii team"), "", "--"]
    if notification_kind(notification.kind).email_despite_opt_out:
        lines.append(
            _(
                "We always email security notices about your account, even when other "
                "account emails are turned off."
            )
        )
    else:
        lines.append(_("You can choose which emails and texts we send you in your profile."))
    return "\n".join(lines) + "\n"


def _sms_text(notification: Notification) -> str:
    text = f"Coupzii: {notification.title}"
    if notification.body:
        text = f"{text} - {notification.body}"
    text = " ".join(text.split())
    link = _absolute_url(notification.link)
    room = SMS_MAX_LENGTH - (len(link) + 1 if link else 0)
    if len(text) > room:
        # Three dots, not "…": one non-GSM character turns the whole text into UCS-2,
        # which more than halves how much fits in a segment.
        text = text[: room - 3].rstrip() + "..."
    return f"{text} {link}" if link else text
