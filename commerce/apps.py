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
