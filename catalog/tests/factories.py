"""factory_boy factories for catalog: categories and merchants."""

from decimal import Decimal

import factory
from django.utils.text import slugify

from catalog.models import CashbackKind, Category, Merchant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))
    icon = "🛍"


class MerchantFactory(factory.django.DjangoModelFactory):
    """An active merchant with 5% cashback, tracked through a network URL with {click_id}.

    `MerchantFactory(categories=[fashion, shoes])` files it under those categories.
    """

    class Meta:
        model = Merchant
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.LazyAttribute(lambda merchant: slugify(merchant.name))
    website = factory.LazyAttribute(lambda merchant: f"https://{merchant.slug}.example")
    description = ""
    tracking_url_template = "https://track.example/c?sub={click_id}&url=https%3A%2F%2Fshop.example"
    cashback_kind = CashbackKind.PERCENT
    cashback_value = Decimal("5.00")
    cashback_terms = "Cashback is not paid on orders paid with gift cards."
    confirmation_days = 45

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
