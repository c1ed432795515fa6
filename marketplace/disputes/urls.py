"""Dispute pages under /marketplace/disputes/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dispute_list, name="disputes"),
    path("new/<str:number>/", views.dispute_new, name="dispute-new"),
    path("<uuid:public_id>/", views.dispute_detail, name="dispute"),
    path("<uuid:public_id>/answer/", views.dispute_answer_post, name="dispute-answer"),
    path("<uuid:public_id>/screenshot/", views.dispute_screenshot, name="dispute-screenshot"),
]
