"""The assistant's page forms: a question (typed, an example, or a voice transcript), and a
conversation's new title."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import TITLE_MAX


class ChatForm(forms.Form):
    """One question. `conversation` continues a conversation (empty: a new one); `store` is
    the store the shopper came from, passed to the tools as the cart's store."""

    message = forms.CharField(
        label=_("Your question"),
        max_length=settings.ASSISTANT_MESSAGE_MAX_CHARS,
        strip=True,
        error_messages={"required": _("Type a question first.")},
    )
    conversation = forms.UUIDField(required=False, widget=forms.HiddenInput)
    store = forms.SlugField(required=False, max_length=120, widget=forms.HiddenInput)

    def turn_context(self) -> dict:
        """chat_reply's `context`: the store the shopper is looking at, when there is one."""
        store = self.cleaned_data.get("store")
        return {"cart": {"store": store, "items": []}} if store else {}


class RenameForm(forms.Form):
    title = forms.CharField(
        label=_("Name"),
        max_length=TITLE_MAX,
        strip=True,
        error_messages={"required": _("Give the conversation a name.")},
    )
