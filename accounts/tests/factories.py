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


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show now (or `steps_ahead` 30-second steps on)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user):
    """Sign `user` in as if they had passed their second factor (what the admin requires)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
