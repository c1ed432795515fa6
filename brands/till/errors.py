"""Why a till action, a key or a budget was refused: stable codes for the API and the pages."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import DomainError


class BudgetExhausted(DomainError):
    code = "budget_exhausted"
    status_code = status.HTTP_409_CONFLICT
    default_message = _(
        "This offer's budget is used up: the brand's cap on redemptions or discount is reached."
    )


class KeyLimitReached(DomainError):
    code = "key_limit_reached"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Your plan allows no more live API keys. Revoke one first.")


class KeyNotFound(DomainError):
    code = "key_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No such API key.")


class KeyScopeInvalid(DomainError):
    code = "key_scope_invalid"
    default_message = _("Choose one of the brand's code books or stores, or the whole brand.")


class BookRequired(DomainError):
    """The code exists in more than one of the brand's books: the till must say which."""

    code = "book_required"
    default_message = _("This code is in several of your code books. Choose the book.")


class BookNotFound(DomainError):
    code = "book_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No such code book.")


class BudgetNotFound(DomainError):
    code = "budget_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No such budget.")


class BudgetInvalid(DomainError):
    code = "budget_invalid"
    default_message = _("Check the budget's target and caps.")


class BrandSuspended(DomainError):
    """A suspended brand's till is closed to its members too (its keys get 401)."""

    code = "brand_suspended"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This brand is suspended: its codes cannot be used at the till.")
