"""Secrets at rest: stored encrypted, read back as plaintext, and re-keyable."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

from coupzii.core import crypto

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_encrypt_then_decrypt_gives_the_text_back_and_hides_it():
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        token = crypto.encrypt("HDFC0001234 / 50100012345678")

        assert "50100012345678" not in token
        assert crypto.decrypt(token) == "HDFC0001234 / 50100012345678"


def test_a_new_primary_key_still_reads_data_written_under_the_old_one():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        token = crypto.encrypt("ABCDE1234F")

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert crypto.decrypt(token) == "ABCDE1234F"
        rotated = crypto.rotate(token)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert crypto.decrypt(rotated) == "ABCDE1234F"
        with pytest.raises(InvalidToken):
            crypto.decrypt(token)  # the old key is gone: only rotated data survives


@pytest.fixture
def vault_model(django_db_blocker):
    """A throwaway table with an encrypted column, created for this test only."""
    with isolate_apps("coupzii.core"):

        class Vault(models.Model):  # noqa: DJ008
            secret = crypto.EncryptedTextField(null=True)

            class Meta:
                app_label = "core"

        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            editor.create_model(Vault)
        yield Vault
        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            editor.delete_model(Vault)


def raw_column(model, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_encrypted_field_stores_ciphertext_and_reencrypt_moves_rows_to_the_new_key(vault_model):
    # given a row written under the old key
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        row = vault_model.objects.create(secret="asha@okaxis")
        empty = vault_model.objects.create(secret=None)
    assert "asha@okaxis" not in raw_column(vault_model, row.pk)

    # when a new key is put first and the rows are re-encrypted
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        changed = crypto.reencrypt_field(vault_model, "secret")

    # then the old key can be dropped and the data still reads
    assert changed == 1
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert vault_model.objects.get(pk=row.pk).secret == "asha@okaxis"
        assert vault_model.objects.get(pk=empty.pk).secret is None


def test_bad_keys_are_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"]),
        pytest.raises(ImproperlyConfigured),
    ):
        crypto.encrypt("x")
