"""The assistant's API routes under /api/v1/assistant/."""

urlpatterns: list = []
