"""The team's reads: a person's brands, a brand's members, departments and invitations."""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import Merchant

from ..models import Brand, BrandStore, Department, Invitation, Membership
from .services import token_hash


def my_memberships(*, user) -> QuerySet[Membership]:
    """The brands a person works for, by brand name, with the brand and department."""
    return (
        Membership.objects.filter(user=user)
        .select_related("brand", "department")
        .order_by("brand__name", "pk")
    )


def team_members(*, brand: Brand) -> QuerySet[Membership]:
    """The brand's members, owners first, each with `has_two_factor` (a confirmed authenticator)."""
    two_factor = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    return (
        Membership.objects.filter(brand=brand)
        .select_related("user", "department")
        .annotate(has_two_factor=Exists(two_factor))
        .order_by("created_at", "pk")
    )


def team_member(*, brand: Brand, public_id) -> Membership | None:
    return team_members(brand=brand).filter(public_id=public_id).first()


def team_departments(*, brand: Brand) -> QuerySet[Department]:
    return Department.objects.filter(brand=brand).order_by("name")


def team_department(*, brand: Brand, public_id) -> Department | None:
    return Department.objects.filter(brand=brand, public_id=public_id).first()


def team_invitations_pending(*, brand: Brand) -> QuerySet[Invitation]:
    """Invitations not accepted or withdrawn (expired ones too: they can be sent again)."""
    return (
        Invitation.objects.filter(brand=brand, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("department", "invited_by")
        .order_by("-created_at", "-pk")
    )


def team_invitation(*, brand: Brand, public_id) -> Invitation | None:
    return Invitation.objects.filter(brand=brand, public_id=public_id).first()


def invitation_by_token(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("brand", "department", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_address_confirmed(*, invitation: Invitation, user) -> bool:
    """Whether `user` has the invited address on their account, confirmed."""
    return EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()


def invitation_state(invitation: Invitation) -> str:
    """pending, used, revoked or expired."""
    if invitation.accepted_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def store_names_unowned() -> QuerySet:
    """Names of active stores no brand owns yet: the suggestions on the application form."""
    return (
        Merchant.objects.filter(is_active=True)
        .exclude(pk__in=BrandStore.objects.values("merchant_id"))
        .order_by("name")
        .values_list("name", flat=True)
    )
