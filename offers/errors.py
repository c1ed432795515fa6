"""Why an action on a unique-code book or one of its codes was refused: stable codes for the
API and the brand portal, messages for people."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import DomainError


class BookError(DomainError):
    """Base of the refusals below: services audit every BookError before raising it."""

    code = "book_error"
    status_code = status.HTTP_409_CONFLICT


class OfferNotFound(BookError):
    code = "offer_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("This offer does not exist.")


class ClaimNotAllowed(BookError):
    code = "claim_not_allowed"
    default_message = _("Codes for this offer are not being handed out right now.")


class ClaimLimitReached(BookError):
    code = "claim_limit_reached"
    default_message = _(
        "You already have as many codes for this offer as one shopper may hold. "
        "Find them under My codes."
    )


class BookExhausted(BookError):
    code = "book_exhausted"
    default_message = _("All codes for this offer have been claimed. Check back later.")


class CodeNotFound(BookError):
    code = "code_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("This code does not belong to this coupon book. Check it and try again.")


class CodeUnavailable(BookError):
    """Assigning a code that is already someone's, or used."""

    code = "code_unavailable"
    default_message = _("This code is already handed out or used.")


class CodeLocked(BookError):
    code = "code_locked"
    default_message = _("This code is held at another checkout. Try again when that ends.")


class CodeNotLocked(BookError):
    code = "code_not_locked"
    default_message = _("This code is not locked.")


class CodeAlreadyRedeemed(BookError):
    code = "code_redeemed"
    default_message = _("This code has already been used.")


class CodeExpired(BookError):
    code = "code_expired"
    default_message = _("This code has expired.")


class CodeVoid(BookError):
    code = "code_void"
    default_message = _("This code was cancelled and cannot be used.")


class BookClosed(BookError):
    code = "book_closed"
    default_message = _("This coupon book is closed: its codes can no longer be used.")


class IdempotencyKeyReused(BookError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _(
        "This idempotency key was already used for a different code. Use a new key for "
        "each redemption."
    )


class InvalidIdempotencyKey(BookError):
    code = "invalid_idempotency_key"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Send an idempotency key of 1 to 80 characters.")


class InvalidPattern(BookError):
    code = "invalid_pattern"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _(
        "A code pattern uses '#' for a digit, '?' for a letter, '*' for either, and letters, "
        "digits, '-' or '_' as they are; codes are at most 64 characters."
    )


class PatternTooWeak(BookError):
    code = "pattern_too_weak"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _(
        "This code pattern cannot make that many distinct, hard-to-guess codes. Add more "
        "'#', '?' or '*' positions."
    )


class InvalidCount(BookError):
    code = "invalid_count"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Ask for between 1 and 1,000,000 codes.")


class ImportInvalid(BookError):
    code = "import_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _(
        "This file could not be read. Upload a UTF-8 CSV file with one code per row."
    )


class InvalidOrderAmount(BookError):
    code = "invalid_order_amount"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Send the order amount in rupees, from 0 up to 9,999,999,999.99.")


class InvalidProducts(BookError):
    code = "invalid_products"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _(
        "Send the products as a list of at most 200 SKUs, each 1 to 64 characters of text."
    )


class MinOrderNotMet(BookError):
    code = "min_order_not_met"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _("The order is below this offer's minimum order amount.")


class RedeemNotFound(BookError):
    code = "redeem_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No successful redemption with this idempotency key in this coupon book.")


class RollbackWindowPassed(BookError):
    code = "rollback_window_passed"
    default_message = _("This redemption is more than 24 hours old and can no longer be undone.")


class RedeemAlreadyRolledBack(BookError):
    code = "redeem_already_rolled_back"
    default_message = _("This redemption has already been rolled back.")


class OfferNotPublished(BookError):
    code = "offer_not_published"
    default_message = _(
        "This offer is still a draft: its codes cannot be used until it is published."
    )
