from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commerce"
    verbose_name = _("Gift-card shop")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .services.cart import cart_merge_at_login

        # Django's login() is the only place that knows both the signed-out session and the
        # user: the receiver hands them to the cart service, which does the work.
        user_logged_in.connect(cart_merge_at_login, dispatch_uid="commerce-cart-merge")
        _register_wallet_references()


def _register_wallet_references() -> None:
    """The shopper's wallet statement names and links the orders the wallet paid or refunded:
    the wallet stores only their number and doesn't know the shop."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from wallet.selectors import reference_kind_register

    reference_kind_register(
        "order",
        label=lambda number: _("Order %(number)s") % {"number": number},
        link=lambda number: reverse("commerce:order", args=[number]),
    )
