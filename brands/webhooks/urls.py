"""The Webhooks pages, under /brand/<slug>/webhooks/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.webhook_list, name="webhook_list"),
    path("<uuid:public_id>/", views.webhook_detail, name="webhook_detail"),
    path("<uuid:public_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("<uuid:public_id>/rotate-secret/", views.webhook_rotate, name="webhook_rotate"),
    path("<uuid:public_id>/disable/", views.webhook_disable, name="webhook_disable"),
    path("<uuid:public_id>/enable/", views.webhook_enable, name="webhook_enable"),
    path("<uuid:public_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path("<uuid:public_id>/ping/", views.webhook_ping, name="webhook_ping"),
    path(
        "deliveries/<uuid:public_id>/redeliver/",
        views.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
