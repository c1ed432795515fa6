"""The assistant's API routes under /api/v1/assistant/: chat and conversations (api.py), the
cart optimiser (cart/api.py) and voice questions (voice/api.py)."""

from django.urls import include, path

urlpatterns = [
    path("", include("assistant.cart.api_urls")),
    path("", include("assistant.voice.api_urls")),
]
