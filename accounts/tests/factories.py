"""factory_boy factories for accounts."""

import factory

from accounts.models import User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"shopper{n}@example.in")
    full_name = factory.Faker("name", locale="en_IN")

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        # Through the manager, so users are made the way the site makes them.
        return model_class.objects.create_user(*args, password=password, **kwargs)
