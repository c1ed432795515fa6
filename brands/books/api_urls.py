"""Code-book routes under /api/v1/brand/books/."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.BookListView.as_view(), name="brand-books"),
    path("jobs/<uuid:public_id>/", api.BookJobView.as_view(), name="brand-book-job"),
    path("<uuid:public_id>/", api.BookDetailView.as_view(), name="brand-book"),
    path("<uuid:public_id>/generate/", api.BookGenerateView.as_view(), name="brand-book-generate"),
    path("<uuid:public_id>/import/", api.BookImportView.as_view(), name="brand-book-import"),
    path("<uuid:public_id>/codes/", api.BookCodesView.as_view(), name="brand-book-codes"),
    path("<uuid:public_id>/export/", api.BookExportView.as_view(), name="brand-book-export"),
]
