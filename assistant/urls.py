"""The assistant's pages under /assistant/ (names in the "assistant" namespace)."""

from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("send/", views.send, name="send"),
    path("stream/", views.stream, name="stream"),
    path("c/<uuid:public_id>/", views.conversation_detail, name="conversation"),
    path("c/<uuid:public_id>/rename/", views.conversation_rename, name="conversation-rename"),
    path("c/<uuid:public_id>/delete/", views.conversation_delete, name="conversation-delete"),
]
