"""Coupon pages under /brand/<brand_slug>/coupons/ (names in the "brands" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.coupon_list, name="coupon_list"),
    path("new/", views.coupon_create, name="coupon_create"),
    path("products/", views.product_list, name="product_list"),
    path("products/<uuid:public_id>/", views.product_edit, name="product_edit"),
    path("upload/", views.upload, name="upload"),
    path("upload/template/", views.upload_template, name="upload_template"),
    path("upload/<uuid:public_id>/", views.upload_job, name="upload_job"),
    path(
        "upload/<uuid:public_id>/progress/", views.upload_job_progress, name="upload_job_progress"
    ),
    path("upload/<uuid:public_id>/confirm/", views.upload_job_confirm, name="upload_job_confirm"),
    path("<uuid:public_id>/", views.coupon_detail, name="coupon_detail"),
    path("<uuid:public_id>/edit/", views.coupon_edit, name="coupon_edit"),
    path("<uuid:public_id>/publish/", views.coupon_publish, name="coupon_publish"),
    path("<uuid:public_id>/pause/", views.coupon_pause, name="coupon_pause"),
    path("<uuid:public_id>/resume/", views.coupon_resume, name="coupon_resume"),
    path("<uuid:public_id>/end/", views.coupon_end, name="coupon_end"),
]
