"""Coupon API routes under /api/v1/brand/coupons/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.CouponListView.as_view(), name="brand-coupons"),
    path("create/", api.CouponCreateView.as_view(), name="brand-coupon-create"),
    path("bulk-upload/", api.BulkUploadView.as_view(), name="brand-coupons-upload"),
    path(
        "bulk-upload/<uuid:job_id>/",
        api.BulkUploadJobView.as_view(),
        name="brand-coupons-upload-job",
    ),
    path(
        "bulk-upload/<uuid:job_id>/confirm/",
        api.BulkUploadConfirmView.as_view(),
        name="brand-coupons-upload-confirm",
    ),
    path("<uuid:public_id>/", api.CouponDetailView.as_view(), name="brand-coupon"),
    path("<uuid:public_id>/publish/", api.CouponPublishView.as_view(), name="brand-coupon-publish"),
    path("<uuid:public_id>/pause/", api.CouponPauseView.as_view(), name="brand-coupon-pause"),
    path("<uuid:public_id>/resume/", api.CouponResumeView.as_view(), name="brand-coupon-resume"),
    path("<uuid:public_id>/end/", api.CouponEndView.as_view(), name="brand-coupon-end"),
]
