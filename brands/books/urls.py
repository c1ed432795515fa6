"""Code-book pages under /brand/<slug>/books/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.book_list, name="book_list"),
    path("new/", views.book_create, name="book_create"),
    path("jobs/<uuid:job_id>/", views.book_job, name="book_job"),
    path("jobs/<uuid:job_id>/resume/", views.book_job_resume, name="book_job_resume"),
    path("<uuid:book_id>/", views.book_detail, name="book_detail"),
    path("<uuid:book_id>/edit/", views.book_edit, name="book_edit"),
    path("<uuid:book_id>/status/", views.book_status, name="book_status"),
    path("<uuid:book_id>/generate/", views.book_generate, name="book_generate"),
    path("<uuid:book_id>/import/", views.book_import, name="book_import"),
    path("<uuid:book_id>/codes/", views.book_codes, name="book_codes"),
    path("<uuid:book_id>/export/", views.book_export, name="book_export"),
]
