"""Notifications are written in every site language when sent (accounts.notifications), so
each reader sees them in the language they are reading in; older rows show English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Notification


@register(Notification)
class NotificationTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("en",)
