"""Production settings refuse to start without real secrets, and pass `check --deploy`."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from coupzii.settings.base import DEV_FIELD_ENCRYPTION_KEY, DEV_SECRET_KEY

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "coupzii.settings.production",
    "SECRET_KEY": "k" * 20 + "-real-secret-with-enough-entropy-9f8e7d6c5b4a",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "coupzii.in",
    "DATABASE_URL": "postgres://coupzii@db/coupzii",
    "REDIS_URL": "redis://redis:6379/0",
    "CELERY_BROKER_URL": "redis://redis:6379/1",
    "RAZORPAY_KEY_ID": "rzp_live_check",
    "RAZORPAY_KEY_SECRET": "razorpay-key-secret",
    "RAZORPAY_WEBHOOK_SECRET": "razorpay-webhook-secret",
    "AWS_STORAGE_BUCKET_NAME": "coupzii-files",
}


def manage(*args: str, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"):
        env.pop(name, None)
    env.update(PRODUCTION_ENV)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "FIELD_ENCRYPTION_KEYS",
        "REDIS_URL",
        # Without Razorpay keys checkout would take the dev gateway's free payments.
        "RAZORPAY_KEY_ID",
        "RAZORPAY_WEBHOOK_SECRET",
        # Several web servers must share uploads.
        "AWS_STORAGE_BUCKET_NAME",
    ],
)
def test_production_refuses_to_start_without(missing):
    result = manage("check", **{missing: None})

    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "dev_value"),
    [("SECRET_KEY", DEV_SECRET_KEY), ("FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY)],
)
def test_development_secrets_are_refused_when_debug_is_off(name, dev_value):
    result = manage(
        "check", DJANGO_SETTINGS_MODULE="coupzii.settings.base", DEBUG="false", **{name: dev_value}
    )

    assert result.returncode != 0
    assert "development key is refused" in result.stderr


def test_argon2_is_the_first_password_hasher():
    from coupzii.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
