"""The click-out redirect."""

urlpatterns: list = []
