"""The assistant's pages."""

app_name = "assistant"

urlpatterns: list = []
