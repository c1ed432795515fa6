"""Voice questions' API routes under /api/v1/assistant/voice/."""

from django.urls import path

from . import api

urlpatterns = [
    path("voice/", api.VoiceClipSubmitView.as_view(), name="assistant-voice-api"),
    path(
        "voice/<uuid:public_id>/",
        api.VoiceClipDetailView.as_view(),
        name="assistant-voice-api-detail",
    ),
]
