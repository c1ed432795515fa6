"""The cart optimiser's API route."""

urlpatterns: list = []
