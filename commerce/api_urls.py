"""Shop API under /api/v1/: products, cart, checkout, payments webhook, orders.

Slugs and order numbers in paths are plain strings: an unknown one answers the API's 404
error shape instead of Django's HTML 404 page.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("products/", api.ProductListView.as_view(), name="api-products"),
    path("products/<str:slug>/", api.ProductDetailView.as_view(), name="api-product-detail"),
    path("cart/", api.CartView.as_view(), name="api-cart"),
    path("cart/validate/", api.CartValidateView.as_view(), name="api-cart-validate"),
    path("checkout/orders/", api.OrderPlaceView.as_view(), name="api-checkout-orders"),
    path("checkout/verify/", api.PaymentVerifyView.as_view(), name="api-checkout-verify"),
    path(
        "payments/razorpay/webhook/",
        api.RazorpayWebhookView.as_view(),
        name="api-razorpay-webhook",
    ),
    path("orders/", api.OrderListView.as_view(), name="api-orders"),
    path("orders/<str:number>/", api.OrderDetailView.as_view(), name="api-order-detail"),
]
