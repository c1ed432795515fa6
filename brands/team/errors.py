"""Why the team's actions are refused: each with a stable code for the API and a message a
brand's staff can act on."""

from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import Conflict, DomainError, Forbidden, NotFound


class BrandNameTaken(Conflict):
    code = "brand_name_taken"
    default_message = _("A brand with this name has already applied or is on Coupzii.")


class StoreTaken(Conflict):
    code = "store_taken"
    default_message = _(
        "This store already belongs to a brand on Coupzii. Ask its owner to invite you."
    )


class BrandStatusChanged(Conflict):
    code = "brand_status_changed"
    default_message = _("The brand's status does not allow this any more.")


class LastOwner(DomainError):
    code = "last_owner"
    default_message = _("A brand needs at least one owner: make someone else an owner first.")


class OwnersOnly(Forbidden):
    code = "owners_only"
    default_message = _("Only an owner can make, change or remove owners and admins.")


class TeamForbidden(Forbidden):
    code = "team_forbidden"
    default_message = _("Your role in this brand does not allow managing the team.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    default_message = _("This person is not a member of the brand.")


class DepartmentNotFound(NotFound):
    code = "department_not_found"
    default_message = _("This department does not exist in the brand.")


class DepartmentNameTaken(Conflict):
    code = "department_name_taken"
    default_message = _("The brand already has a department with this name.")


class DepartmentHasMembers(Conflict):
    code = "department_has_members"
    default_message = _(
        "Move this department's members to another department first: without a department "
        "they would see every offer of the brand."
    )


class InvitationNotFound(NotFound):
    code = "invitation_not_found"
    default_message = _("This invitation does not exist.")


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = _("This person is already a member of the brand.")


class AlreadyInvited(Conflict):
    code = "already_invited"
    default_message = _(
        "This address already has an invitation waiting: send it again from the list."
    )


class InvitationExpired(DomainError):
    code = "invitation_expired"
    status_code = 410
    default_message = _("This invitation has expired. Ask the brand to send a new one.")


class InvitationRevoked(DomainError):
    code = "invitation_revoked"
    status_code = 410
    default_message = _("This invitation was withdrawn by the brand.")


class InvitationUsed(DomainError):
    code = "invitation_used"
    status_code = 410
    default_message = _("This invitation has already been accepted.")


class InvitationEmailMismatch(Forbidden):
    code = "invitation_email_mismatch"
    default_message = _(
        "This invitation was sent to another address. Sign in with that address, and "
        "confirm it, to accept."
    )
