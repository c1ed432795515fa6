"""The notification-kind registry: every kind of notification, registered by the app that sends it.

`accounts` sends and delivers notifications but does not know who sends which: each app
registers its own kinds in its AppConfig.ready() (wallet: cashback and withdrawals, commerce:
orders, offers: expiring codes ...), and `notification_send` refuses a kind nobody registered.
A new kind therefore needs no change and no migration here (`Notification.kind` is a plain
column without choices).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: The icons the notification list draws (templates/notifications/_icon.html); a kind
#: chooses one, so the template names no kind.
ICONS = ("bell", "shield", "coin", "card", "clock", "parcel", "person_plus", "gift")


@dataclass(frozen=True)
class NotificationKind:
    """What a kind of notification is and which channels beyond in-app it may use.

    `label` is what a person reads for the kind (the API schema, the admin's filter): a lazy
    translation. `icon` is one of ICONS.
    """

    label: Any  # a lazy translation (django.utils.functional.Promise) or a str
    email: bool = True
    sms: bool = False
    email_despite_opt_out: bool = False
    needs_marketing_consent: bool = False
    icon: str = "bell"


_KINDS: dict[str, NotificationKind] = {}


def notification_kind_register(code: str, kind: NotificationKind) -> None:
    """Make `code` a kind of notification that can be sent (call from AppConfig.ready()).

    Registering the same code again with the same description is harmless (ready() may run
    twice in tests); a different description for a code already taken raises ValueError, as
    two apps must not share a kind.
    """
    if not code or len(code) > 40:
        raise ValueError(f"A notification kind is 1 to 40 characters: {code!r}.")
    if kind.icon not in ICONS:
        raise ValueError(f"Unknown notification icon {kind.icon!r}; use one of {ICONS}.")
    existing = _KINDS.get(code)
    if existing is not None and existing != kind:
        raise ValueError(f"The notification kind {code!r} is already registered differently.")
    _KINDS[code] = kind


def notification_kind(code: str) -> NotificationKind:
    """The registered kind `code`; ValueError if no app registered it (a programming error)."""
    try:
        return _KINDS[code]
    except KeyError:
        raise ValueError(
            f"Unknown notification kind {code!r}; register it with "
            "notification_kind_register() in the sending app's AppConfig.ready()."
        ) from None


def notification_kinds() -> dict[str, NotificationKind]:
    """Every registered kind by code (a copy)."""
    return dict(_KINDS)


def notification_kind_choices() -> list[tuple[str, Any]]:
    """(code, label) for every registered kind, by code: for choice fields and filters."""
    return [(code, _KINDS[code].label) for code in sorted(_KINDS)]


def notification_kind_unregister(code: str) -> None:
    """Forget a kind: for tests that register one of their own."""
    _KINDS.pop(code, None)


def register_accounts_kinds() -> None:
    """The kinds accounts itself sends (called from AccountsConfig.ready())."""
    notification_kind_register("welcome", NotificationKind(label=_("Welcome"), icon="gift"))
    notification_kind_register(
        "security",
        NotificationKind(
            label=_("Account security"), sms=True, email_despite_opt_out=True, icon="shield"
        ),
    )
    notification_kind_register(
        "marketing",
        NotificationKind(label=_("Offers and news"), needs_marketing_consent=True, icon="gift"),
    )
    # For operators (operators_notify): the ledger check failed, a refund is stuck, an order is
    # short of codes. Emailed whatever their settings say.
    notification_kind_register(
        "operations",
        NotificationKind(label=_("Operations alert"), email_despite_opt_out=True),
    )
