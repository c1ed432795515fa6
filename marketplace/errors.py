"""The marketplace's domain errors: each has a stable `code` and a message for the shopper."""

from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError


class CouponNotFound(DomainError):
    status_code = 404
    code = "coupon_not_found"
    default_message = _("No such coupon in your locker.")


class CodeAlreadyInLocker(DomainError):
    status_code = 409
    code = "code_already_in_locker"
    default_message = _("This code is already in your locker.")


class CouponNotAvailable(DomainError):
    status_code = 409
    code = "coupon_not_available"
    default_message = _("This coupon can't be used for that now (used, expired, listed or sold).")


class CodeAlreadyListed(DomainError):
    status_code = 409
    code = "code_already_listed"
    default_message = _(
        "This code is already for sale or sold on Coupzii, or held by someone else."
    )


class PriceTooHigh(DomainError):
    status_code = 400
    code = "price_too_high"
    default_message = _("The price can't be more than the coupon saves.")


class SellerSuspended(DomainError):
    status_code = 403
    code = "seller_suspended"
    default_message = _("You can't list coupons right now: your selling is suspended.")


class ListingNotFound(DomainError):
    status_code = 404
    code = "listing_not_found"
    default_message = _("No such listing.")


class ListingNotForSale(DomainError):
    status_code = 409
    code = "listing_not_for_sale"
    default_message = _("This coupon has just been sold or is no longer for sale.")


class OwnListing(DomainError):
    status_code = 409
    code = "own_listing"
    default_message = _("You can't buy or swap for your own coupon.")


class PurchaseNotFound(DomainError):
    status_code = 404
    code = "purchase_not_found"
    default_message = _("No such purchase of yours.")


class DisputeNotAllowed(DomainError):
    status_code = 409
    code = "dispute_not_allowed"
    default_message = _("This purchase can't be disputed now.")


class DisputeNotFound(DomainError):
    status_code = 404
    code = "dispute_not_found"
    default_message = _("No such dispute.")


class ExchangeNotFound(DomainError):
    status_code = 404
    code = "exchange_not_found"
    default_message = _("No such swap.")


class ExchangeNotPending(DomainError):
    status_code = 409
    code = "exchange_not_pending"
    default_message = _("This swap has already been answered, cancelled or has expired.")


class RatingNotAllowed(DomainError):
    status_code = 409
    code = "rating_not_allowed"
    default_message = _("You can rate this purchase once, after it completes, within 30 days.")


class ScanNotFound(DomainError):
    status_code = 404
    code = "scan_not_found"
    default_message = _("No such screenshot of yours.")


class PriceTooLow(DomainError):
    status_code = 400
    code = "price_too_low"
    default_message = _("The price must be at least ₹1.")


# --- Swaps and ratings -------------------------------------------------------------------------


class ExchangeInvalid(DomainError):
    status_code = 400
    code = "invalid"
    default_message = _("Check the swap's details.")


class ExchangeAlreadyPending(DomainError):
    status_code = 409
    code = "exchange_already_pending"
    default_message = _("You already offered this coupon for that one; wait for the answer.")


class CouponNotSwappable(DomainError):
    status_code = 409
    code = "coupon_not_swappable"
    default_message = _("The store that issued this code does not allow it to be swapped.")


class ExchangeWithdrawn(DomainError):
    status_code = 409
    code = "exchange_withdrawn"
    default_message = _(
        "One of the two coupons is no longer available (sold, used, expired or swapped), so "
        "the swap has been withdrawn."
    )


class CouponBeingBought(DomainError):
    status_code = 409
    code = "coupon_being_bought"
    default_message = _(
        "Someone is paying for one of these coupons right now. Try again in a few minutes."
    )


class LockerCouponInvalid(DomainError):
    status_code = 400
    code = "invalid"
    default_message = _("Some fields are not valid.")


class CouponListed(DomainError):
    status_code = 409
    code = "coupon_listed"
    default_message = _("This coupon is listed for sale: withdraw the listing first.")


# --- Disputes ----------------------------------------------------------------------------------


class DisputeInvalid(DomainError):
    status_code = 400
    code = "invalid"
    default_message = _("Check the dispute's details.")


class DisputeAlreadyAnswered(DomainError):
    status_code = 409
    code = "dispute_already_answered"
    default_message = _("This dispute has already been answered or decided.")


class DisputeAlreadyDecided(DomainError):
    status_code = 409
    code = "dispute_already_decided"
    default_message = _("This dispute has already been decided.")


class RefundNotAllowed(DomainError):
    status_code = 409
    code = "refund_not_allowed"
    default_message = _("Only a purchase whose seller has been paid can be refunded this way.")


class PurchaseNotRefundable(DomainError):
    status_code = 409
    code = "purchase_not_refundable"
    default_message = _("Only a paid or disputed purchase can be refunded.")


class ResaleNotPossible(DomainError):
    status_code = 409
    code = "resale_not_possible"
    default_message = _(
        "This verified coupon can't be re-issued right now (the store has no fresh code, or "
        "the seller's code is in use). Nothing was charged."
    )


class RatingInvalid(DomainError):
    status_code = 400
    code = "invalid"
    default_message = _("Check the rating's details.")


class ScanImageInvalid(DomainError):
    status_code = 400
    code = "invalid"
    default_message = _("This file can't be read as a screenshot.")


class ScanNotReady(DomainError):
    status_code = 409
    code = "scan_not_ready"
    default_message = _("This screenshot is still being read, or could not be read.")


class CouponInDisputeWindow(DomainError):
    status_code = 409
    code = "coupon_in_dispute_window"
    default_message = _(
        "You can sell or swap a coupon you bought once its dispute window has ended."
    )
