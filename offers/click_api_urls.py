"""Routes for the click-out API."""

urlpatterns: list = []
