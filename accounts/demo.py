"""Demo users for `manage.py seed_demo`: one operator and one shopper with known passwords,
and a few notifications for the shopper."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Notification, User
from .notifications import notification_mark_read, notification_send

DEMO_USERS = [
    {
        "email": "admin@coupzii.test",
        "password": "coupzii-admin-demo",
        "full_name": "Coupzii Operator",
        "is_staff": True,
        "is_superuser": True,
    },
    {
        "email": "asha@coupzii.test",
        "password": "coupzii-shopper-demo",
        "full_name": "Asha Verma",
        "phone": "+919876543210",
    },
    {
        "email": "ravi@coupzii.test",
        "password": "coupzii-shopper-demo",
        "full_name": "Ravi Kumar",
        "referred_by": "asha@coupzii.test",
    },
]


# The operator's authenticator secret, published for local use only (README): RFC 6238's
# test key, base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ. Add it to any authenticator app.
DEMO_OPERATOR_TOTP_HEX = "3132333435363738393031323334353637383930"


def seed(log) -> None:
    for spec in DEMO_USERS:
        fields = {key: value for key, value in spec.items() if key not in ("email", "password")}
        if "referred_by" in fields:
            fields["referred_by"] = User.objects.get(email=fields["referred_by"])
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = User.objects.create_user(spec["email"], spec["password"], **fields)
            log(f"user {spec['email']} / {spec['password']}")
        # Demo addresses count as confirmed, so the demo logins work straight away.
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        if user.is_staff:
            _, created = TOTPDevice.objects.get_or_create(
                user=user,
                name="Demo authenticator",
                defaults={"key": DEMO_OPERATOR_TOTP_HEX, "confirmed": True},
            )
            if created:
                log(f"two-factor for {user.email}: secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    seed_notifications(log)


def demo_notifications() -> list[dict]:
    """Asha's notifications, oldest first, with how long ago each arrived and whether read.
    Titles and bodies are callables, rendered in each language as real notifications are."""
    return [
        {
            "kind": "welcome",
            "title": lambda: _("Welcome to Coupzii, %(name)s!") % {"name": "Asha"},
            "body": gettext_lazy(
                "Shop through Coupzii to earn cashback on top of your coupon savings. "
                "Invite friends with your referral code and you both earn a bonus."
            ),
            "link": reverse("profile"),
            "age": timedelta(days=6),
            "read": True,
        },
        {
            "kind": "referral_joined",
            "title": lambda: (
                _("%(name)s joined Coupzii with your referral code") % {"name": "Ravi"}
            ),
            "body": lambda: (
                _("You both get %(amount)s once %(name)s's first cashback is confirmed.")
                % {"amount": "₹50", "name": "Ravi"}
            ),
            "link": reverse("profile"),
            "age": timedelta(hours=5),
            "read": False,
        },
        {
            "kind": "security",
            "title": gettext_lazy("New sign-in from Chrome on Android"),
            "body": gettext_lazy(
                "If this wasn't you, change your password and turn on two-factor sign-in."
            ),
            "link": reverse("two_factor"),
            "age": timedelta(minutes=12),
            "read": False,
        },
    ]


def seed_notifications(log) -> None:
    user = User.objects.filter(email="asha@coupzii.test").first()
    if user is None:
        return
    existing = set(user.notifications.values_list("title_en", flat=True))
    for spec in demo_notifications():
        with translation.override("en"):
            english_title = str(spec["title"]()) if callable(spec["title"]) else str(spec["title"])
        if english_title in existing:
            continue
        # channels=(): seeding must not email or text anyone.
        notification = notification_send(
            user=user,
            kind=spec["kind"],
            title=spec["title"],
            body=spec["body"],
            link=spec["link"],
            channels=(),
        )
        # Demo only: spread the arrival times so the list shows real relative times.
        arrived = timezone.now() - spec["age"]
        backdated = {"created_at": arrived}
        if spec["read"]:
            notification_mark_read(user=user, public_id=notification.public_id)
            backdated["read_at"] = arrived + timedelta(hours=1)
        Notification.objects.filter(pk=notification.pk).update(**backdated)
        log(f"notification for {user.email}: {english_title}")
