"""The assistant's API routes under /api/v1/assistant/: chat and conversations (api.py), the
cart optimiser (cart/api.py) and voice questions (voice/api.py)."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("chat/", api.ChatView.as_view(), name="assistant-api-chat"),
    path("conversations/", api.ConversationListView.as_view(), name="assistant-api-conversations"),
    path(
        "conversations/<uuid:public_id>/",
        api.ConversationView.as_view(),
        name="assistant-api-conversation",
    ),
    path("", include("assistant.cart.api_urls")),
    path("", include("assistant.voice.api_urls")),
]
