"""KYC: the shopper's PAN and payout details, checked for format, stored encrypted, and
verified by an operator before the first withdrawal."""

import hashlib
import hmac
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import notification_send
from coupzii.core.errors import DomainError

from ..errors import InvalidTransition, NotAnOperator, SelfReview
from ..models import KycProfile, KycStatus

PAN_RE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
# NPCI handles: a name of letters, digits, dot, dash or underscore, then @ and the bank's handle.
UPI_RE = re.compile(r"^[a-zA-Z0-9._-]{2,64}@[a-zA-Z][a-zA-Z0-9]{1,34}$")
IFSC_RE = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
ACCOUNT_RE = re.compile(r"^[0-9]{9,18}$")
LEGAL_NAME_MAX = 120
REASON_MAX = 255


class KycInvalid(DomainError):
    code = "kyc_invalid"
    default_message = gettext_lazy("Some details are not valid.")


def payout_digest(value: str) -> str:
    """A keyed hash of a payout destination: equal for equal destinations, useless to a
    thief without the secret key. Lets us spot two accounts paying out to one place."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def kyc_submit(
    *,
    user: User,
    legal_name: str,
    pan: str,
    upi_id: str = "",
    bank_account: str = "",
    ifsc: str = "",
) -> KycProfile:
    """Save the shopper's details and send them for review. Changing verified details sends
    them for review again: a new payout destination must be checked like the first.

    Raises KycInvalid with a message per bad field.
    """
    clean = _cleaned(
        legal_name=legal_name, pan=pan, upi_id=upi_id, bank_account=bank_account, ifsc=ifsc
    )
    with transaction.atomic():
        profile = KycProfile.objects.select_for_update().filter(user=user).first()
        profile = profile or KycProfile(user=user)
        if profile.pk and _same_details(profile, clean) and profile.status != KycStatus.REJECTED:
            return profile
        _apply(profile, clean)
        profile.status = KycStatus.SUBMITTED
        profile.submitted_at = timezone.now()
        profile.reviewed_by, profile.reviewed_at, profile.rejection_reason = None, None, ""
        profile.save()
        return profile


def _cleaned(**raw: str) -> dict[str, str]:
    clean = {
        "legal_name": " ".join(raw["legal_name"].split()),
        "pan": raw["pan"].strip().upper(),
        "upi_id": raw["upi_id"].strip().lower(),
        "bank_account": re.sub(r"[\s-]", "", raw["bank_account"]),
        "ifsc": raw["ifsc"].strip().upper(),
    }
    errors: dict[str, list[str]] = {}
    if not 2 <= len(clean["legal_name"]) <= LEGAL_NAME_MAX:
        errors["legal_name"] = [_("Enter your name as it appears on your PAN card.")]
    if not PAN_RE.match(clean["pan"]):
        errors["pan"] = [_("A PAN is 10 characters: 5 letters, 4 digits, 1 letter (ABCDE1234F).")]
    if clean["upi_id"] and not UPI_RE.match(clean["upi_id"]):
        errors["upi_id"] = [_("A UPI id looks like name@bank.")]
    if clean["bank_account"] or clean["ifsc"]:
        if not ACCOUNT_RE.match(clean["bank_account"]):
            errors["bank_account"] = [_("A bank account number has 9 to 18 digits.")]
        if not IFSC_RE.match(clean["ifsc"]):
            errors["ifsc"] = [
                _("An IFSC is 11 characters: 4 letters, 0, then 6 letters or digits.")
            ]
    if not clean["upi_id"] and not clean["bank_account"] and "bank_account" not in errors:
        errors["upi_id"] = [_("Add a UPI id or a bank account to be paid to.")]
    if errors:
        raise KycInvalid(fields=errors)
    return clean


def _same_details(profile: KycProfile, clean: dict[str, str]) -> bool:
    return all(getattr(profile, name) == value for name, value in clean.items())


def _apply(profile: KycProfile, clean: dict[str, str]) -> None:
    for name, value in clean.items():
        setattr(profile, name, value)
    profile.pan_last4 = clean["pan"][-4:]
    profile.upi_digest = payout_digest(clean["upi_id"]) if clean["upi_id"] else ""
    account = clean["bank_account"]
    profile.bank_last4 = account[-4:] if account else ""
    profile.bank_digest = payout_digest(account) if account else ""


def kyc_verify(*, profile: KycProfile, operator: User) -> KycProfile:
    return _review(profile, operator, KycStatus.VERIFIED, "")


def kyc_reject(*, profile: KycProfile, operator: User, reason: str) -> KycProfile:
    if not 0 < len(reason.strip()) <= REASON_MAX:
        raise KycInvalid(fields={"reason": [_("Say why, so the shopper can fix it.")]})
    return _review(profile, operator, KycStatus.REJECTED, reason.strip())


def _review(profile: KycProfile, operator: User, status: str, reason: str) -> KycProfile:
    if not operator.is_staff:
        raise NotAnOperator()
    if operator.pk == profile.user_id:
        raise SelfReview()
    with transaction.atomic():
        locked = KycProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.status != KycStatus.SUBMITTED:
            raise InvalidTransition()
        locked.status, locked.rejection_reason = status, reason
        locked.reviewed_by, locked.reviewed_at = operator, timezone.now()
        locked.save()
        _notify(locked)
        return locked


def _notify(profile: KycProfile) -> None:
    if profile.status == KycStatus.VERIFIED:
        title = gettext_lazy("Your KYC details are verified")
        body = gettext_lazy("You can now withdraw your available cashback.")
    else:
        title = gettext_lazy("Your KYC details were not accepted")
        body = profile.rejection_reason  # the operator's words, as written
    notification_send(
        user=profile.user,
        kind="withdrawal_update",
        title=title,
        body=body,
        link="/wallet/?tab=withdraw",
    )
