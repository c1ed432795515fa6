"""Why the wallet refused an action: stable codes for the API, messages for people."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import Conflict, DomainError, Forbidden


class UnbalancedTransaction(ValueError):
    """A programming error: postings that do not sum to zero, or fewer than two of them."""


class LedgerWatermarkAhead(RuntimeError):
    """An operations error: the ledger's transaction-id watermarks are ahead of the database
    cluster's (a dump restored into a new cluster): `manage.py ledger_rebase` fixes it."""


class InsufficientFunds(DomainError):
    code = "insufficient_funds"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Your available balance is not enough for this.")


class BelowMinimum(DomainError):
    code = "below_minimum"
    default_message = _("This is below the minimum withdrawal.")


class KycRequired(DomainError):
    code = "kyc_required"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Verify your PAN and payout details before you withdraw.")


class PayoutDestinationMissing(DomainError):
    code = "payout_destination_missing"
    default_message = _("Add the payout details for this method first.")


class DailyLimitReached(DomainError):
    code = "daily_limit_reached"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _("You have made as many withdrawal requests as allowed today.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was already used for a different request.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This can no longer be done: its status has changed.")


class PayoutDetailsChanged(Conflict):
    code = "payout_details_changed"
    default_message = _(
        "The shopper changed their payout details after asking, and the new ones are not "
        "verified yet: reject this withdrawal so they can ask again."
    )


class SelfApproval(Forbidden):
    code = "self_approval"
    default_message = _("Operators cannot act on their own withdrawals.")


class SelfReview(Forbidden):
    code = "self_review"
    default_message = _("Operators cannot review their own KYC details or claims.")


class NotAnOperator(Forbidden):
    code = "not_an_operator"
    default_message = _("Only operators can do this.")


class ClaimRefused(DomainError):
    code = "claim_refused"
    default_message = _("This purchase cannot be claimed.")
