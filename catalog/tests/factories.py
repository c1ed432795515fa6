"""factory_boy factories for catalog: categories, merchants, gift cards and their codes."""

from decimal import Decimal

import factory
from django.utils.text import slugify

from catalog import inventory
from catalog.inventory import NewCode
from catalog.models import CashbackKind, Category, Merchant, Product, Variant, VoucherCode


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


class ProductFactory(factory.django.DjangoModelFactory):
    """An active gift card of a new brand, in a new category."""

    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Gift Card {n}")
    slug = factory.LazyAttribute(lambda product: slugify(product.name))
    description = "A gift card for everything in the store."
    terms = "Valid for 12 months. Not redeemable for cash."


class VariantFactory(factory.django.DjangoModelFactory):
    """₹500 of face value sold for ₹490, 1 to 5 per order."""

    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"card-{n}-500")
    face_value = Decimal("500.00")
    price = Decimal("490.00")
    min_quantity = 1
    max_quantity = 5


def stock(variant: Variant, count: int, *, prefix: str = "", expires_on=None) -> list[VoucherCode]:
    """`count` fresh codes on sale for the variant, with PINs."""
    prefix = prefix or f"V{variant.pk}X"
    return inventory.voucher_codes_add(
        variant=variant,
        codes=[
            NewCode(code=f"{prefix}{n:06d}", pin=f"{n:04d}", expires_on=expires_on)
            for n in range(count)
        ],
    )
