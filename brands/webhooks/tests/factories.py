"""Webhook endpoints for the webhooks tests."""

import factory

from brands.models import Webhook
from brands.tests.factories import BrandFactory


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    brand = factory.SubFactory(BrandFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.brand.example/coupzii")
    secret = "whsec_test_secret"
    events = factory.LazyFunction(list)
