"""Hindi columns for offers (django-modeltranslation): a Hindi field left empty shows the
English one."""

from modeltranslation.translator import TranslationOptions, register

from .models import Offer


@register(Offer)
class OfferTranslationOptions(TranslationOptions):
    fields = ("title", "description", "terms")
    required_languages = ("en",)
