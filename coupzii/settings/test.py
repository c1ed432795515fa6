"""Settings for the test suite: base settings with a fast hasher and eager tasks.

The suite runs on SQLite and fakeredis by default, and on PostgreSQL and Redis when
DATABASE_URL and REDIS_URL are set.
"""

from .base import *  # noqa: F403

# Registers a payable, ledger kinds and notification kinds as any app would, so the registries
# are tested with a registrant that is not the shop. Not installed by the e2e, fuzz or bench
# settings.
INSTALLED_APPS = [*INSTALLED_APPS, "coupzii.testapp"]  # noqa: F405

# Argon2 is the real hasher; tests hash thousands of passwords and need speed, not strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# As in production; a test that needs a loopback receiver switches the guard off itself.
WEBHOOKS_ALLOW_PRIVATE_URLS = False
WEBHOOKS_DEV_RECEIVER = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = EAGER_BROKER_URL  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "locmem"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Serve static files from the finders: the suite never runs collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
