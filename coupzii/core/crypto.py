"""Encryption of secrets at rest (bank accounts, PAN, provider tokens) with MultiFernet.

FIELD_ENCRYPTION_KEYS lists Fernet keys newest first: the first encrypts, all of them decrypt.
To rotate, put a new key first and keep the old ones until `reencrypt_field` (or a save of
each row) has rewritten the data under the new key; then drop the old keys.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, transaction


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys (Fernet.generate_key())."
        ) from exc


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens the token (a key was dropped too soon)."""
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key, whichever configured key made it."""
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees plaintext.

    It cannot be searched or indexed by value: look rows up by another column.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)


def reencrypt_field(model: type[models.Model], field_name: str, *, batch_size: int = 500) -> int:
    """Rewrite every value of an EncryptedTextField under the newest key; returns rows changed."""
    changed = 0
    manager = model._default_manager
    rows = manager.exclude(**{field_name: None}).values_list("pk", flat=True)
    for pk in rows.iterator(chunk_size=batch_size):
        # Lock the row between reading and rewriting it, so a save that lands in between
        # (a user changing their UPI id) is not overwritten with the old value.
        with transaction.atomic():
            plaintext = manager.select_for_update().values_list(field_name, flat=True).get(pk=pk)
            manager.filter(pk=pk).update(**{field_name: plaintext})
        changed += 1
    return changed


__all__ = ["EncryptedTextField", "InvalidToken", "decrypt", "encrypt", "reencrypt_field", "rotate"]
