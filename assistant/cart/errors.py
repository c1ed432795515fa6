"""Why a cart can't be analysed: each error has a stable `code` and a message for the shopper."""

from django.utils.translation import gettext_lazy as _

from coupzii.core.errors import DomainError


class UnknownStore(DomainError):
    status_code = 404
    code = "cart_unknown_store"
    default_message = _("There is no such store on Coupzii.")


class InvalidCart(DomainError):
    status_code = 400
    code = "cart_invalid"
    default_message = _("The cart needs 1 to 100 items, each with a name, a price and a quantity.")
