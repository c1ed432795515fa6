"""Hindi columns for the catalogue text operators write (django-modeltranslation).

Merchant names stay as the brand writes them; a Hindi field left empty shows the English one.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Category, Merchant, Product


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Merchant)
class MerchantTranslationOptions(TranslationOptions):
    fields = ("description", "cashback_terms")


@register(Product)
class ProductTranslationOptions(TranslationOptions):
    fields = ("name", "description", "terms", "how_to_redeem")
    required_languages = ("en",)
