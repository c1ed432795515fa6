"""Voice questions' API routes."""

urlpatterns: list = []
