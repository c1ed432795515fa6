"""Users: email is the login, phone is optional and unique, the public id is what URLs show."""

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, Device, ThrottlingMixin

from coupzii.core.models import PublicIdModel, TimeStampedModel

from .phone import validate_e164
from .referral import new_referral_code


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Logins match the email whatever its case: people type "Asha@Example.com" too.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if not (fields["is_staff"] and fields["is_superuser"]):
            raise ValueError("A superuser needs is_staff and is_superuser.")
        return self.create_user(email, password, **fields)


class PublicName(models.TextChoices):
    """How a shopper's name appears where other shoppers can see it (the referral
    leaderboard)."""

    FIRST_AND_INITIAL = "first_initial", _("First name and initial")
    FULL = "full", _("Full name")
    HIDDEN = "hidden", _("Don't show my name")


class User(PublicIdModel, TimeStampedModel, AbstractBaseUser, PermissionsMixin):
    """A person with a Coupzii login: shopper, brand staff member or operator."""

    email = models.EmailField(_("email address"), unique=True)
    phone = models.CharField(
        _("phone number"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_e164],
        help_text=_("In international format, like +919876543210."),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log in to the operators' admin.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    referral_code = models.CharField(
        _("referral code"), max_length=12, unique=True, default=new_referral_code, editable=False
    )
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    marketing_consent = models.BooleanField(_("send me offers and news"), default=False)
    notify_by_email = models.BooleanField(_("email me about my account"), default=True)
    notify_by_sms = models.BooleanField(_("text me about my account"), default=True)
    public_name = models.CharField(
        _("name shown to other shoppers"),
        max_length=16,
        choices=PublicName.choices,
        default=PublicName.FIRST_AND_INITIAL,
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Emails are stored lower-case; this keeps "A@x.in" and "a@x.in" from both existing
            # even if a row is written around the manager.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        # New shoppers today / 7 / 30 days on the operators' dashboard.
        indexes = [models.Index(fields=["date_joined"], name="accounts_user_joined")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.phone == "":
            # Blank forms submit "": store NULL so many users can have no phone.
            self.phone = None

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email.split("@")[0]


class PhoneCodeDevice(ThrottlingMixin, CooldownMixin, Device):
    """A django-otp device that sends 6-digit codes by SMS to `phone`.

    One device per (user, phone). Only a hash of the current code is stored; the code is
    bound to `challenge`, a random id handed to whoever asked for it (kept in their session,
    or returned to the API client), so a code read off another phone cannot be used from a
    different session. `attempts_left` kills the code after too many wrong tries.
    """

    phone = models.CharField(_("phone number"), max_length=16, validators=[validate_e164])
    code_hash = models.CharField(max_length=128, blank=True)
    challenge = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    attempts_left = models.PositiveSmallIntegerField(default=0)

    class Meta(Device.Meta):
        verbose_name = _("phone code device")
        constraints = [
            models.UniqueConstraint(fields=["user", "phone"], name="accounts_phonecode_user_phone"),
        ]

    def get_cooldown_duration(self) -> int:
        return 60

    def get_throttle_factor(self) -> int:
        return 1


class LoginFamily(TimeStampedModel):
    """One API login: every refresh token issued since that login shares this family.

    Only `current_jti` may be refreshed; presenting any older token of the family means it
    leaked, and the whole family is revoked.
    """

    family = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_logins")
    current_jti = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("API login")
        verbose_name_plural = _("API logins")


class Notification(TimeStampedModel):
    """A message to one user: always shown in the app, also sent by email or SMS where the
    user and its kind allow (accounts.notifications)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="accounts_notif_user_read")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def icon(self) -> str:
        """The icon its kind draws in the list ("bell" for a kind no app registers any more)."""
        from .notifications.kinds import notification_kinds

        kind = notification_kinds().get(self.kind)
        return kind.icon if kind else "bell"


class PasswordFailure(models.Model):
    """One wrong password typed for an existing account, from whichever address.

    The account-wide ceiling counts these over a sliding window (accounts.services,
    "password guard"). They live in the database, not in Redis: a Redis restart or eviction
    must not hand a guesser a fresh allowance, and Redis only holds what the database can
    rebuild. Old rows are pruned by a beat task.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The rate-limit unit the address fell in: an IPv4 address or an IPv6 /64.
    ip = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="accounts_pwfail_user_time"),
        ]
        verbose_name = _("wrong password")
        verbose_name_plural = _("wrong passwords")

    def __str__(self) -> str:
        return f"{self.user_id} from {self.ip} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class PasswordGuard(TimeStampedModel):
    """An account whose password was guessed at past the ceiling.

    While the row exists a password alone no longer signs the account in: the sign-in also
    needs the code last emailed to its verified address (only a hash of it is kept, bound to
    `challenge`). A sign-in with the right password and code deletes the row. Phone codes,
    email links and authenticator users are not held up by it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="password_guard")
    challenge = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=128, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    attempts_left = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("password guard")
        verbose_name_plural = _("password guards")

    def __str__(self) -> str:
        return f"password guard for user {self.user_id}"
