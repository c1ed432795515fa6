"""The till's pages, under /brand/<slug>/till/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.till, name="till"),
    path("rollback/", views.till_rollback, name="till_rollback"),
    path("keys/", views.key_list, name="key_list"),
    path("keys/<uuid:public_id>/revoke/", views.key_revoke, name="key_revoke"),
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/<uuid:public_id>/", views.budget_edit, name="budget_edit"),
]
