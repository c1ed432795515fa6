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
