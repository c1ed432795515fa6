"""Production settings: secrets and service URLs are required, security headers are on.

Run `manage.py check --deploy --fail-level WARNING` with these settings before a release.
"""

from .base import *  # noqa: F403
from .base import env, logging_config, refuse_dev_secrets, static_storage

DEBUG = False
# No defaults here: a missing variable stops the process with ImproperlyConfigured.
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
refuse_dev_secrets(secret_key=SECRET_KEY, field_encryption_keys=FIELD_ENCRYPTION_KEYS)
# Production runs several web processes and workers: the in-process fallbacks would split state.
for required in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
    env.str(required)
# Without Razorpay keys checkout would fall back to the dev gateway, whose pay button is free.
for required in ("RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET"):
    env.str(required)
# Uploads live in object storage that every web server and worker shares; a local folder
# would hold each upload on one server only.
env.str("AWS_STORAGE_BUCKET_NAME")

# Log collectors read one JSON object per line; LOG_FORMAT=plain reads better by hand.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)  # noqa: F405

STORAGES["staticfiles"] = {"BACKEND": static_storage(debug=False)}  # noqa: F405
# A brand's webhook never reaches our own network, and the dev stand-in receiver is off.
WEBHOOKS_ALLOW_PRIVATE_URLS = False
WEBHOOKS_DEV_RECEIVER = False
# Click-outs go to the merchants' real tracking links, never to the demo store page.
OFFERS_DEMO_STORE_HOSTS = env.list("OFFERS_DEMO_STORE_HOSTS", default=[])

# nginx terminates TLS and tells us the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Prometheus scrapes /metrics/ over the internal network in plain HTTP (nginx refuses the path
# from outside): a redirect to HTTPS would send it where no TLS listens.
SECURE_REDIRECT_EXEMPT = [r"^metrics/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
