"""Shop pages: gift cards, cart, checkout (and the dev gateway's pay page), orders."""

from django.urls import path

from . import views

app_name = "commerce"

urlpatterns = [
    path("gift-cards/", views.gift_card_list, name="gift-cards"),
    path("gift-cards/<slug:slug>/", views.gift_card_detail, name="gift-card"),
    path("cart/", views.cart, name="cart"),
    path("cart/lines/", views.cart_line, name="cart-line"),
    path("cart/lines/remove/", views.cart_line_remove, name="cart-line-remove"),
    path("cart/promo/", views.cart_promo, name="cart-promo"),
    path("cart/promo/remove/", views.cart_promo_remove, name="cart-promo-remove"),
    path("cart/wallet/", views.cart_wallet, name="cart-wallet"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/pay/<str:number>/", views.pay, name="pay"),
    path(
        "checkout/dev-gateway/<str:gateway_order_id>/",
        views.dev_gateway_pay,
        name="dev-gateway",
    ),
    path("checkout/callback/<str:number>/", views.payment_callback, name="payment-callback"),
    # Any other app's payable (a marketplace purchase), by its gateway order.
    path("checkout/payments/<str:gateway_order_id>/", views.payable_pay, name="payable-pay"),
    path(
        "checkout/payments/<str:gateway_order_id>/callback/",
        views.payable_callback,
        name="payable-callback",
    ),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order"),
    path("orders/<str:number>/retry/", views.order_retry, name="order-retry"),
]
