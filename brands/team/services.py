"""The team's writes: applying as a brand, operators' verification, members and their roles,
departments and invitations.

The last owner. A brand always keeps one owner. Every action that could take away an owner
(demote, remove, leave) first locks the brand's owner memberships (`select_for_update`, in
primary-key order), then re-reads the rows it changes and counts the owners under that lock.
Two owners demoting each other at once: the second waits on the first's locks, then reads
the owners as they are after the first committed (PostgreSQL re-checks a locked row against
the query's filter), finds only itself, and is refused. One owner is left.
"""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import notification_send, operators_notify
from catalog.models import Category, Merchant

from .. import access
from ..models import (
    Brand,
    BrandStatus,
    BrandStore,
    Department,
    DepartmentAccess,
    Invitation,
    Membership,
    Role,
    Tier,
)
from . import errors

# Words under /brand/ that are pages, not brands.
RESERVED_SLUGS = frozenset({"home", "apply", "invitations", "switch", "me", "dev"})
INVITATION_DAYS = 7
# The notification kind brands send owners about their brand's status (apps.py registers it).
BRAND_STATUS_KIND = "brand_status"
# Roles only an owner may give or take away.
OWNER_ROLES = frozenset({Role.OWNER, Role.ADMIN})
_UNCHANGED = object()


# --- Applying ------------------------------------------------------------------------------------


@transaction.atomic
def brand_apply(
    *,
    applicant,
    name: str,
    work_email: str,
    website: str,
    category: Category | None = None,
    store_name: str = "",
) -> Brand:
    """Open a brand `pending` verification, with `applicant` as its owner, and tell the
    operators. `store_name` is matched (case-insensitively) to a store on Coupzii: a store
    no brand owns yet becomes the brand's; otherwise the name is kept for the operators.

    Raises BrandNameTaken (a pending or verified brand of that name), StoreTaken.
    """
    name = " ".join(name.split())
    store_name = " ".join(store_name.split())
    if Brand.objects.filter(
        name__iexact=name, status__in=[BrandStatus.PENDING, BrandStatus.VERIFIED]
    ).exists():
        raise errors.BrandNameTaken(fields={"name": [str(errors.BrandNameTaken.default_message)]})
    merchant = Merchant.objects.filter(name__iexact=store_name).first() if store_name else None
    if merchant is not None and BrandStore.objects.filter(merchant=merchant).exists():
        raise errors.StoreTaken(fields={"store": [str(errors.StoreTaken.default_message)]})
    brand = _brand_insert(
        name=name,
        work_email=work_email.strip().lower(),
        website=website,
        category=category,
        store_name="" if merchant else store_name,
        applicant=applicant,
    )
    if merchant is not None:
        _store_attach(brand, merchant)
    Membership.objects.create(brand=brand, user=applicant, role=Role.OWNER)
    operators_notify(
        title=lambda: _("Brand to verify: %(name)s") % {"name": brand.name},
        body=lambda: (
            _("%(name)s (%(website)s) applied for the brand portal.")
            % {"name": brand.name, "website": brand.website}
        ),
        link=reverse("admin:brands_brand_change", args=[brand.pk]),
    )
    return brand


def _brand_insert(*, name: str, **fields) -> Brand:
    """Insert the brand under a free slug. The name and slug checks are reads: an application
    saved meanwhile under the same name is caught by the slug's unique index (BrandNameTaken);
    one whose different name made the same slug gets the next free one."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Brand.objects.create(name=name, slug=_free_slug(name), **fields)
        except IntegrityError:
            taken = Brand.objects.filter(
                name__iexact=name, status__in=[BrandStatus.PENDING, BrandStatus.VERIFIED]
            )
            if taken.exists():
                raise errors.BrandNameTaken(
                    fields={"name": [str(errors.BrandNameTaken.default_message)]}
                ) from None
    raise errors.BrandNameTaken(fields={"name": [str(errors.BrandNameTaken.default_message)]})


def _store_attach(brand: Brand, merchant: Merchant) -> BrandStore:
    # The one-to-one on the merchant settles two brands claiming one store at once.
    try:
        with transaction.atomic():
            return BrandStore.objects.create(brand=brand, merchant=merchant)
    except IntegrityError as exc:
        raise errors.StoreTaken(fields={"store": [str(errors.StoreTaken.default_message)]}) from exc


def _free_slug(name: str) -> str:
    """A slug made from the name, not reserved and not taken (-2, -3, ... when it is)."""
    base = (slugify(name) or "brand")[:50].strip("-") or "brand"
    if base in RESERVED_SLUGS:
        base = f"{base}-brand"
    taken = set(Brand.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


# --- Operators -----------------------------------------------------------------------------------


@transaction.atomic
def brand_verify(*, brand: Brand, operator) -> Brand:
    """Verify a pending (or suspended, or rejected) brand: it may publish from now on. The
    owners are told by email. Raises BrandStatusChanged when it is verified already."""
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.status == BrandStatus.VERIFIED:
        raise errors.BrandStatusChanged(_("This brand is verified already."))
    brand.status = BrandStatus.VERIFIED
    brand.status_reason = ""
    brand.verified_at = timezone.now()
    brand.verified_by = operator
    brand.save(
        update_fields=["status", "status_reason", "verified_at", "verified_by", "updated_at"]
    )
    _owners_tell(
        brand,
        title=lambda: _("%(name)s is verified on Coupzii") % {"name": brand.name},
        body=gettext_lazy("Your brand can publish coupons and code books now."),
    )
    return brand


@transaction.atomic
def brand_reject(*, brand: Brand, operator, reason: str) -> Brand:
    """Refuse a pending application, saying why. Raises BrandStatusChanged unless pending."""
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.status != BrandStatus.PENDING:
        raise errors.BrandStatusChanged(_("Only a brand waiting for verification can be rejected."))
    return _status_set(brand, BrandStatus.REJECTED, reason)


@transaction.atomic
def brand_suspend(*, brand: Brand, operator, reason: str) -> Brand:
    """Stop a verified brand publishing, saying why. Raises BrandStatusChanged unless verified."""
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.status != BrandStatus.VERIFIED:
        raise errors.BrandStatusChanged(_("Only a verified brand can be suspended."))
    return _status_set(brand, BrandStatus.SUSPENDED, reason)


def _status_set(brand: Brand, status: str, reason: str) -> Brand:
    brand.status = status
    brand.status_reason = reason.strip()
    brand.save(update_fields=["status", "status_reason", "updated_at"])
    _owners_tell(
        brand,
        title=lambda: (
            _("%(name)s: %(status)s") % {"name": brand.name, "status": brand.get_status_display()}
        ),
        body=brand.status_reason,
    )
    return brand


@transaction.atomic
def brand_tier_set(*, brand: Brand, tier: str) -> Brand:
    if tier not in Tier.values:
        raise errors.DomainError(fields={"tier": [_("Choose basic or pro.")]})
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    brand.tier = tier
    brand.save(update_fields=["tier", "updated_at"])
    return brand


@transaction.atomic
def brand_store_add(*, brand: Brand, merchant: Merchant) -> BrandStore:
    """Give the brand a store (an operator, after checking it). Raises StoreTaken."""
    return _store_attach(brand, merchant)


def _owners_tell(brand: Brand, *, title, body) -> None:
    owners = Membership.objects.filter(brand=brand, role=Role.OWNER).select_related("user")
    for owner in owners:
        notification_send(
            user=owner.user,
            kind=BRAND_STATUS_KIND,
            title=title,
            body=body,
            link=reverse("brands:home") + f"?switch={brand.slug}",
            channels=("email",),
        )


# --- Members -------------------------------------------------------------------------------------


def _lock_owners(brand_id: int) -> list[Membership]:
    """Lock the brand's owner memberships in primary-key order; the rows as committed now."""
    return list(
        Membership.objects.select_for_update()
        .filter(brand_id=brand_id, role=Role.OWNER)
        .order_by("pk")
    )


def _locked(membership: Membership) -> Membership:
    # of=("self",): lock the membership only (not its brand or user), and allow the outer
    # join to the department, which PostgreSQL refuses to lock.
    row = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("brand", "user", "department")
        .filter(pk=membership.pk)
        .order_by()
        .first()
    )
    if row is None:
        raise errors.MemberNotFound()
    return row


def _check_manager(actor: Membership, member: Membership, new_role: str | None = None) -> None:
    if actor.brand_id != member.brand_id:
        raise errors.MemberNotFound()
    if not access.can(actor, access.MANAGE_TEAM):
        raise errors.TeamForbidden()
    touches_owners = member.role in OWNER_ROLES or (new_role in OWNER_ROLES)
    if touches_owners and actor.role != Role.OWNER:
        raise errors.OwnersOnly()


def _check_not_last_owner(member: Membership, owners: list[Membership]) -> None:
    if member.role == Role.OWNER and [o.pk for o in owners] == [member.pk]:
        raise errors.LastOwner()


def _department_of(brand_id: int, department: Department | None) -> Department | None:
    if department is not None and department.brand_id != brand_id:
        raise errors.DepartmentNotFound()
    return department


@transaction.atomic
def member_update(
    *, actor: Membership, member: Membership, role: str | None = None, department=_UNCHANGED
) -> Membership:
    """Change a member's role and/or department (`department=None` takes them out of theirs).

    Raises TeamForbidden, OwnersOnly (an admin touching owners or admins), LastOwner (the last
    owner demoted), DepartmentNotFound, MemberNotFound.
    """
    if role is not None and role not in Role.values:
        raise errors.DomainError(fields={"role": [_("Choose a role.")]})
    owners = _lock_owners(member.brand_id)
    actor, member = _locked(actor), _locked(member)
    _check_manager(actor, member, role)
    changed = []
    if role is not None and role != member.role:
        if role != Role.OWNER:
            _check_not_last_owner(member, owners)
        member.role = role
        changed.append("role")
    if department is not _UNCHANGED:
        member.department = _department_of(member.brand_id, department)
        changed.append("department")
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
    return member


@transaction.atomic
def member_remove(*, actor: Membership, member: Membership) -> None:
    """Take a person out of the brand (themselves too: that is leaving).

    Raises TeamForbidden, OwnersOnly, LastOwner, MemberNotFound.
    """
    owners = _lock_owners(member.brand_id)
    actor, member = _locked(actor), _locked(member)
    if actor.pk != member.pk:
        _check_manager(actor, member)
    _check_not_last_owner(member, owners)
    member.delete()


@transaction.atomic
def member_leave(*, membership: Membership) -> None:
    """Leave a brand. Raises LastOwner for its last owner."""
    owners = _lock_owners(membership.brand_id)
    membership = _locked(membership)
    _check_not_last_owner(membership, owners)
    membership.delete()


# --- Departments ---------------------------------------------------------------------------------


def _department_save(department: Department) -> Department:
    duplicate = (
        Department.objects.filter(brand_id=department.brand_id, name__iexact=department.name)
        .exclude(pk=department.pk)
        .exists()
    )
    if duplicate:
        raise errors.DepartmentNameTaken(
            fields={"name": [str(errors.DepartmentNameTaken.default_message)]}
        )
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:  # the same name saved at the same moment
        raise errors.DepartmentNameTaken(
            fields={"name": [str(errors.DepartmentNameTaken.default_message)]}
        ) from exc
    return department


def _check_access(access_level: str) -> None:
    if access_level not in DepartmentAccess.values:
        raise errors.DomainError(fields={"access": [_("Choose an access level.")]})


@transaction.atomic
def department_create(*, brand: Brand, name: str, access_level: str) -> Department:
    """Raises DepartmentNameTaken."""
    _check_access(access_level)
    return _department_save(
        Department(brand=brand, name=" ".join(name.split()), access=access_level)
    )


@transaction.atomic
def department_update(*, department: Department, name: str, access_level: str) -> Department:
    """Rename a department or change its access level. Raises DepartmentNameTaken."""
    _check_access(access_level)
    department.name = " ".join(name.split())
    department.access = access_level
    return _department_save(department)


@transaction.atomic
@transaction.atomic
def department_delete(*, department: Department) -> None:
    """Its offers stay in the brand, in no department. Refused while it has members
    (DepartmentHasMembers): a member in no department sees every offer of the brand, so
    deleting a department limited to its own offers would widen its members' access."""
    # The row lock queues a member being moved into it (member_update) behind this check.
    Department.objects.select_for_update().filter(pk=department.pk).first()
    if department.members.exists():
        raise errors.DepartmentHasMembers()
    department.delete()


# --- Invitations ---------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    return token


def _invitation_email(invitation: Invitation, token: str) -> None:
    from .tasks import send_email  # tasks import nothing of the services; imported late anyway

    url = settings.SITE_URL.rstrip("/") + reverse("brands:invitation", args=[token])
    context = {
        "invitation": invitation,
        "brand": invitation.brand,
        "url": url,
        "days": INVITATION_DAYS,
    }
    subject = _("You are invited to %(brand)s on Coupzii") % {"brand": invitation.brand.name}
    body = render_to_string("brands/team/email/invitation.txt", context)
    to = invitation.email
    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body))


def _check_inviter(actor: Membership, role: str) -> None:
    if not access.can(actor, access.MANAGE_TEAM):
        raise errors.TeamForbidden()
    if role in OWNER_ROLES and actor.role != Role.OWNER:
        raise errors.OwnersOnly()


@transaction.atomic
def invitation_send(
    *, actor: Membership, email: str, role: str, department: Department | None = None
) -> Invitation:
    """Invite `email` to the actor's brand with `role` (in `department`): an email with a link
    that works for 7 days. Only a SHA-256 of the link's token is kept.

    Raises TeamForbidden, OwnersOnly, AlreadyMember, AlreadyInvited, DepartmentNotFound.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise errors.DomainError(fields={"role": [_("Choose a role.")]})
    _check_inviter(actor, role)
    brand = actor.brand
    _department_of(brand.pk, department)
    # The brand row lock queues two people inviting one address at once, so both cannot
    # find no pending invitation before either writes one.
    Brand.objects.select_for_update().filter(pk=brand.pk).first()
    if Membership.objects.filter(brand=brand, user__email__iexact=email).exists():
        raise errors.AlreadyMember(fields={"email": [str(errors.AlreadyMember.default_message)]})
    if _pending(Invitation.objects.filter(brand=brand, email__iexact=email)).exists():
        raise errors.AlreadyInvited(fields={"email": [str(errors.AlreadyInvited.default_message)]})
    invitation = Invitation(
        brand=brand, email=email, role=role, department=department, invited_by=actor.user
    )
    token = _new_token(invitation)
    invitation.save()
    _invitation_email(invitation, token)
    return invitation


def _pending(invitations):
    return invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def _locked_invitation(actor: Membership, invitation: Invitation) -> Invitation:
    row = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("brand")
        .filter(pk=invitation.pk, brand_id=actor.brand_id)
        .order_by()
        .first()
    )
    if row is None:
        raise errors.InvitationNotFound()
    return row


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Send a new link (the old one stops working) valid for 7 more days.

    Raises InvitationUsed, InvitationRevoked, TeamForbidden, OwnersOnly, InvitationNotFound.
    """
    invitation = _locked_invitation(actor, invitation)
    _check_inviter(actor, invitation.role)
    _check_open(invitation, allow_expired=True)
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    _invitation_email(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Withdraw an invitation: its link shows that it was withdrawn.

    Raises InvitationUsed, TeamForbidden, OwnersOnly, InvitationNotFound.
    """
    invitation = _locked_invitation(actor, invitation)
    _check_inviter(actor, invitation.role)
    if invitation.accepted_at is not None:
        raise errors.InvitationUsed()
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def _check_open(invitation: Invitation, *, allow_expired: bool = False) -> None:
    if invitation.accepted_at is not None:
        raise errors.InvitationUsed()
    if invitation.revoked_at is not None:
        raise errors.InvitationRevoked()
    if not allow_expired and invitation.expires_at <= timezone.now():
        raise errors.InvitationExpired()


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Join the brand the invitation is for. The person must be signed in with the invited
    address, confirmed.

    Raises InvitationNotFound, InvitationUsed, InvitationRevoked, InvitationExpired,
    InvitationEmailMismatch, AlreadyMember.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("brand", "department")
        .filter(token_hash=token_hash(token))
        .order_by()
        .first()
    )
    if invitation is None:
        raise errors.InvitationNotFound()
    _check_open(invitation)
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise errors.InvitationEmailMismatch()
    if Membership.objects.filter(brand=invitation.brand, user=user).exists():
        raise errors.AlreadyMember()
    department = invitation.department
    if department is not None and department.brand_id != invitation.brand_id:
        department = None
    membership = Membership.objects.create(
        brand=invitation.brand, user=user, role=invitation.role, department=department
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership
