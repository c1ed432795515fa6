"""Settings for every environment, read from the environment with embedded defaults.

With nothing set, the site runs on SQLite, an in-process Redis emulation (fakeredis behind
django-redis, so the same Redis code paths run) and eager Celery tasks. Setting
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL moves it onto real services.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Development values: usable only while DEBUG is on (see the check at the bottom).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-never-use-it-in-production"  # noqa: S105
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="
# The broker of the embedded default and the tests: in-process, tasks run eagerly.
EAGER_BROKER_URL = "memory://localhost/"


def refuse_dev_secrets(*, secret_key: str, field_encryption_keys: list[str]) -> None:
    """Development secrets exist so `make run` needs no keys; they must never reach a real site."""
    if secret_key == DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "Set SECRET_KEY: the development key is refused when DEBUG is off."
        )
    if DEV_FIELD_ENCRYPTION_KEY in field_encryption_keys:
        raise ImproperlyConfigured(
            "Set FIELD_ENCRYPTION_KEYS: the development key is refused when DEBUG is off."
        )


def static_storage(*, debug: bool) -> str:
    # Hashed, compressed names need collectstatic; the dev server serves the sources as they are.
    if debug:
        return "django.contrib.staticfiles.storage.StaticFilesStorage"
    return "whitenoise.storage.CompressedManifestStaticFilesStorage"


def logging_config(*, log_format: str, level: str) -> dict:
    """One console handler on the root logger, and every logger sent to it exactly once.

    Django's own defaults give `django` and `django.server` handlers of their own; they are
    emptied here so their records reach the root handler only, in the chosen format.
    """
    if log_format not in ("plain", "json"):
        raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "coupzii.core.logging.RequestIdFilter"}},
        "formatters": {
            "plain": {
                "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
                "datefmt": "%H:%M:%S",
            },
            "json": {
                "()": "coupzii.core.logging.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.db.backends": {"level": "INFO"},
        },
    }


def object_storages(
    *,
    bucket: str,
    endpoint_url: str | None = None,
    region: str | None = None,
    public_location: str = "public",
    private_location: str = "private",
    custom_domain: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> dict:
    """The "default" (public) and "private" storages on one S3-compatible bucket.

    Public files get plain, unsigned, absolute URLs: the bucket's policy makes only
    `public_location` readable by anyone. Private objects are never linked; the app streams
    them. Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3's own lookup, which
    also finds an instance role) unless given. Names are never overwritten, as on disk.
    """
    common = {"bucket_name": bucket, "file_overwrite": False}
    for option, value in (
        ("endpoint_url", endpoint_url),
        ("region_name", region),
        ("access_key", access_key),
        ("secret_key", secret_key),
    ):
        if value:
            common[option] = value
    backend = "storages.backends.s3.S3Storage"
    public = {"location": public_location, "querystring_auth": False}
    if custom_domain:
        public["custom_domain"] = custom_domain
    private = {"location": private_location, "querystring_auth": True, "querystring_expire": 300}
    return {
        "default": {"BACKEND": backend, "OPTIONS": {**common, **public}},
        "private": {"BACKEND": backend, "OPTIONS": {**common, **private}},
    }


DEBUG = env.bool("DEBUG", default=True)
# With DEBUG on, unknown pages still show the site's 404 page; true shows Django's technical
# 404 (the URL patterns tried) instead, for a developer chasing a route.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
# The public address, for links in emails and texts sent outside a request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Fernet keys, newest first: the first encrypts, every one decrypts (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_FIELD_ENCRYPTION_KEY])
# Addresses of reverse proxies whose X-Forwarded-For we believe (nginx in deploy/).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

INSTALLED_APPS = [
    # Before the admin: its TranslationAdmin tabs and the _en/_hi fields must load first.
    "modeltranslation",
    "accounts.apps.CoupziiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Content-Security-Policy with per-request nonces (coupzii.core.security).
    "csp",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "accounts.apps.SignInEmailsConfig",  # allauth.account, named for the admin
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "django_otp",
    "accounts.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "accounts.apps.BackupCodesConfig",  # django_otp.plugins.otp_static
    "import_export",
    "coupzii.core",
    "accounts",
    "catalog",
    "offers",
    "wallet",
    "commerce",
    "brands",
    "marketplace",
    "assistant",
    "pages",
    # The operators' dashboard: last, as it reads every app (and `seed_demo` runs its demo
    # step, the rollups and rails of the year's history, after every app has seeded).
    "coupzii.dashboard",
]

MIDDLEWARE = [
    "coupzii.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "coupzii.core.security.ContentSecurityPolicyMiddleware",
    "coupzii.core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files are not timed as views.
    "coupzii.core.metrics.MetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coupzii.core.middleware.SiteNotFoundMiddleware",
    # Last: a NUL in a URL (which PostgreSQL would refuse in a query) never reaches a view.
    "coupzii.core.url_guard.RefuseNulMiddleware",
]

ROOT_URLCONF = "coupzii.urls"
WSGI_APPLICATION = "coupzii.wsgi.application"
ASGI_APPLICATION = "coupzii.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.account_menu",
                "brands.portal.portal_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves each request in its own thread and connection. A deferred
    # transaction that reads and then writes is refused at once ("database is locked") when
    # another has written meanwhile: SQLite cannot wait there without risking a deadlock.
    # BEGIN IMMEDIATE takes the write lock first, so writers queue for up to `timeout`
    # seconds instead; WAL lets pages keep reading while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# --- Redis: cache, sessions, throttles, counters, locks -----------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    _redis_options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # Fail fast so /health/ and callers notice an outage instead of hanging.
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
    }
    _redis_location = REDIS_URL
else:
    import fakeredis

    # One in-process server object shared by every connection of this process.
    _redis_options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "CONNECTION_POOL_KWARGS": {
            "connection_class": fakeredis.FakeRedisConnection,
            "server": fakeredis.FakeServer(),
        },
    }
    _redis_location = "redis://embedded/0"

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": _redis_location,
        "KEY_PREFIX": "coupzii",
        "OPTIONS": _redis_options,
    }
}
# Sessions live in Redis and survive a cache flush through the database copy.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery --------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    # Eager tasks still borrow a producer from the pool (to round-trip their arguments through
    # the serializer); a memory URL without a host makes kombu warn "No hostname was supplied"
    # on every first use, so it names one.
    CELERY_BROKER_URL = EAGER_BROKER_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Kolkata"
# Workers log through Django's LOGGING (LOG_FORMAT), like the web processes.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Each app adds its periodic tasks here (cashback sync, expiry sweeps, lock cleanup ...).
CELERY_BEAT_SCHEDULE: dict = {
    # The assistant: conversations untouched for ASSISTANT_KEEP_DAYS are removed.
    "assistant-purge-conversations": {"task": "assistant.conversations_purge", "schedule": 86400.0},
    # Voice recordings whose transcription never ran, and old clip rows.
    "assistant-purge-voice-clips": {"task": "assistant.voice_clips_purge", "schedule": 3600.0},
    "offers-release-expired-locks": {"task": "offers.release_expired_locks", "schedule": 60.0},
    "offers-expiry-sweep": {
        "task": "offers.expiry_sweep",
        "schedule": crontab(hour=0, minute=5),
    },
    "offers-write-buffered-clicks": {"task": "offers.write_buffered_clicks", "schedule": 5.0},
    "offers-flush-counters": {"task": "offers.flush_offer_counters", "schedule": 30.0},
    "offers-flush-views": {"task": "offers.flush_offer_views", "schedule": 60.0},
    "wallet-sync-networks": {
        "task": "wallet.sync_networks",
        "schedule": crontab(minute=15, hour="*/6"),
    },
    "wallet-match-unmatched": {"task": "wallet.match_unmatched_cashback", "schedule": 300.0},
    "wallet-rebuild-leaderboard": {
        "task": "wallet.rebuild_leaderboard",
        "schedule": crontab(hour=2, minute=45),
    },
    "wallet-rollup-platform-balances": {
        "task": "wallet.rollup_platform_balances",
        "schedule": 60.0,
    },
    "wallet-reconcile-ledger": {
        "task": "wallet.reconcile_ledger",
        "schedule": crontab(hour=2, minute=30),
    },
    "commerce-expire-unpaid-orders": {"task": "commerce.expire_unpaid_orders", "schedule": 60.0},
    "commerce-send-pending-refunds": {"task": "commerce.send_pending_refunds", "schedule": 300.0},
    "accounts-prune-password-failures": {
        "task": "accounts.prune_password_failures",
        "schedule": crontab(minute=40),
    },
    "commerce-delete-stale-carts": {
        "task": "commerce.delete_stale_carts",
        "schedule": crontab(hour=3, minute=15),
    },
    # Webhook deliveries whose retry is due, or whose first task was lost (brands.webhooks).
    "brands-deliver-due-webhooks": {"task": "brands.deliver_due_webhooks", "schedule": 60.0},
    # Today and yesterday (Asia/Kolkata) into OfferDay/BookDay/ProductDay for the brand portal.
    "brands-analytics-rollup": {"task": "brands.analytics_rollup_recent", "schedule": 600.0},
    # The operators' dashboard: today, yesterday and any day whose orders, cashback or
    # payouts changed, into the daily rollups its charts read (coupzii.core.rollups).
    "core-rollups-recent": {"task": "core.rollups_recent", "schedule": 300.0},
    # "For you": recompute the rail of shoppers who clicked, claimed, ordered or filed a
    # coupon lately (each read also rebuilds a missing one from the database).
    "offers-foryou-refresh-active": {"task": "offers.foryou_refresh_active", "schedule": 900.0},
    # When cashback really arrives: each store's days to confirmation, learned nightly.
    "wallet-learn-cashback-arrival": {
        "task": "wallet.learn_cashback_arrival",
        "schedule": crontab(hour=3, minute=40),
    },
    # The marketplace: pay sellers whose dispute window ended, withdraw listings 24 hours
    # before their coupon expires, expire unanswered swaps, disputes the seller didn't answer,
    # expiry nudges and the 7-day deletion of screenshots.
    "marketplace-release-due": {"task": "marketplace.release_due", "schedule": 300.0},
    "marketplace-withdraw-expiring": {
        "task": "marketplace.listings_withdraw_expiring",
        "schedule": 600.0,
    },
    "marketplace-expire-swaps": {"task": "marketplace.exchanges_expire", "schedule": 600.0},
    "marketplace-disputes-overdue": {"task": "marketplace.disputes_overdue", "schedule": 600.0},
    "marketplace-expiry-nudges": {
        "task": "marketplace.expiry_nudges",
        "schedule": crontab(hour=9, minute=30),
    },
    "marketplace-purge-screenshots": {
        "task": "marketplace.scans_purge",
        "schedule": crontab(hour=4, minute=10),
    },
}

# The marketplace's fee on each sale (percent of the price, shown before listing), and its
# dispute windows: short for verified resales (a fresh code from the brand's book), longer
# for the rest.
MARKETPLACE_FEE_PERCENT = Decimal(env.str("MARKETPLACE_FEE_PERCENT", default="5"))
MARKETPLACE_DISPUTE_HOURS_VERIFIED = 24
MARKETPLACE_DISPUTE_HOURS = 72
# How long a buyer has to pay through the gateway before the listing is free again.
MARKETPLACE_PAY_MINUTES = 15

# The assistant: any OpenAI-compatible endpoint when a key is set, else the offline engine.
# A remote model that does not answer within ASSISTANT_LLM_TIMEOUT seconds is dropped for the
# offline engine. Limits per shopper and day: messages sent, and seconds of voice transcribed.
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
ASSISTANT_LLM_TIMEOUT = 10.0
ASSISTANT_TOOL_ROUNDS = 4
ASSISTANT_MESSAGES_PER_DAY = env.int("ASSISTANT_MESSAGES_PER_DAY", default=200)
ASSISTANT_VOICE_SECONDS_PER_DAY = env.int("ASSISTANT_VOICE_SECONDS_PER_DAY", default=300)
ASSISTANT_VOICE_MAX_SECONDS = 10
ASSISTANT_MESSAGE_MAX_CHARS = 1000
ASSISTANT_KEEP_DAYS = 90

# The operators' dashboard: a gift-card denomination with fewer sellable codes than this is
# "running low".
DASHBOARD_LOW_STOCK_CODES = env.int("DASHBOARD_LOW_STOCK_CODES", default=10)

# Brands' webhook URLs may point at private and loopback addresses only when this is on
# (tests and local receivers); in production a webhook can never reach our own network.
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=DEBUG)
# The built-in stand-in for a brand's server (/brand/dev/webhook-receiver/<id>/), which the
# demo's webhooks point at: development only, like the dev payment gateway.
WEBHOOKS_DEV_RECEIVER = env.bool("WEBHOOKS_DEV_RECEIVER", default=DEBUG)

# --- Wallet -------------------------------------------------------------------------------

WALLET_MIN_WITHDRAWAL = env.str("WALLET_MIN_WITHDRAWAL", default="100.00")
WALLET_WITHDRAWALS_PER_DAY = env.int("WALLET_WITHDRAWALS_PER_DAY", default=3)
# The share of a network's commission the platform passes on: it caps a shopper's cashback.
WALLET_CASHBACK_SHARE = env.str("WALLET_CASHBACK_SHARE", default="0.80")
WALLET_REFERRAL_BONUS = env.str("WALLET_REFERRAL_BONUS", default="100.00")
WALLET_WELCOME_BONUS = env.str("WALLET_WELCOME_BONUS", default="50.00")
# How far back the periodic pull asks each network for its sales.
WALLET_SYNC_LOOKBACK_DAYS = env.int("WALLET_SYNC_LOOKBACK_DAYS", default=30)
# One entry per affiliate network. `postback_secret` authenticates server-to-server
# postbacks; the rest is what the network's report API needs. A network without
# credentials is skipped by the pull and refuses postbacks.
AFFILIATE_NETWORKS = {
    "admitad": {
        "postback_secret": env.str("ADMITAD_POSTBACK_SECRET", default=""),
        "base_url": env.str("ADMITAD_BASE_URL", default="https://api.admitad.com"),
        "client_id": env.str("ADMITAD_CLIENT_ID", default=""),
        "client_secret": env.str("ADMITAD_CLIENT_SECRET", default=""),
    },
    "vcommission": {
        "postback_secret": env.str("VCOMMISSION_POSTBACK_SECRET", default=""),
        # vCommission runs on TUNE (HasOffers): networks answer at <network>.api.hasoffers.com.
        "base_url": env.str(
            "VCOMMISSION_BASE_URL", default="https://vcommission.api.hasoffers.com"
        ),
        "api_key": env.str("VCOMMISSION_API_KEY", default=""),
    },
    "cuelinks": {
        "postback_secret": env.str("CUELINKS_POSTBACK_SECRET", default=""),
        "base_url": env.str("CUELINKS_BASE_URL", default="https://www.cuelinks.com"),
        "api_key": env.str("CUELINKS_API_KEY", default=""),
    },
}

# Tracking links on these hosts land on the site's own demo store page (/demo-store/<store>/)
# instead: the demo merchants' links point at the reserved .test domain, which resolves
# nowhere. Production sets none (see production.py).
OFFERS_DEMO_STORE_HOSTS = env.list("OFFERS_DEMO_STORE_HOSTS", default=["track.coupzii.test"])

# --- Commerce -----------------------------------------------------------------------------

# Without a key id and secret, checkout uses the built-in dev gateway: a local pay page that
# signs its answers with the dev secrets below exactly as Razorpay signs with real ones.
RAZORPAY_KEY_ID = env.str("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env.str("RAZORPAY_KEY_SECRET", default="")
RAZORPAY_WEBHOOK_SECRET = env.str("RAZORPAY_WEBHOOK_SECRET", default="")
# Tests point the SDK at a loopback server; production leaves it at Razorpay's API.
RAZORPAY_BASE_URL = env.str("RAZORPAY_BASE_URL", default="https://api.razorpay.com")
DEV_GATEWAY_KEY_ID = "rzp_dev_coupzii"
# Published on purpose: they only sign the dev gateway's fake payments, never used in production.
DEV_GATEWAY_KEY_SECRET = "dev-gateway-key-secret-not-for-production"  # noqa: S105
DEV_GATEWAY_WEBHOOK_SECRET = "dev-gateway-webhook-secret-not-for-production"  # noqa: S105
# An order not paid within this many minutes is cancelled and its codes go back on sale.
COMMERCE_PAYMENT_WINDOW_MINUTES = env.int("COMMERCE_PAYMENT_WINDOW_MINUTES", default=15)
COMMERCE_MAX_CART_LINES = 20
# Codes closer than this to their expiry are not sold (catalog.inventory's rule, so catalog's
# setting; the environment variable's older name COMMERCE_MIN_CODE_VALIDITY_DAYS still works).
CATALOG_MIN_CODE_VALIDITY_DAYS = env.int(
    "CATALOG_MIN_CODE_VALIDITY_DAYS",
    default=env.int("COMMERCE_MIN_CODE_VALIDITY_DAYS", default=30),
)
# Razorpay refuses orders under Re 1 (100 paise).
COMMERCE_GATEWAY_MINIMUM = "1.00"

# --- Auth ----------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# allauth: email is the login; an address must be verified before the first sign-in.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Sign-up tells people plainly that an email is taken: the same answer the API gives.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Coupzii: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Our own lockout (accounts.services) counts failures per account and client IP.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "APPS": (
            [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}]
            if GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET
            else []
        ),
    }
}

# django-otp: the issuer shown in authenticator apps; wrong codes back off exponentially.
OTP_TOTP_ISSUER = "Coupzii"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Phone codes and the login lockout (accounts.services).
PHONE_CODE_TTL_SECONDS = 5 * 60
PHONE_CODE_MAX_ATTEMPTS = 5
PHONE_CODE_LIMITS = {"per_phone_minute": 1, "per_phone_hour": 5, "per_ip_hour": 20}
LOGIN_LOCKOUT_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60
# The account-wide ceiling: this many wrong passwords within the window, from any addresses,
# and a password alone no longer signs the account in without a code emailed to it.
PASSWORD_GUARD_FAILURES = 20
PASSWORD_GUARD_WINDOW_SECONDS = 15 * 60
PASSWORD_GUARD_CODE_TTL_SECONDS = 10 * 60
PASSWORD_GUARD_CODE_MAX_ATTEMPTS = 5

# API tokens: short access tokens; refresh tokens rotate and are tracked per login.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=30),
    "ALGORITHM": "HS256",
    "USER_ID_FIELD": "public_id",
    "USER_ID_CLAIM": "sub",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": True,
}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Text operators write (categories, offers, gift cards, site pages) has English and Hindi
# columns (name_en, name_hi); a Hindi field left empty shows the English one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Whatever a service or import writes to `title` while Hindi is active also fills title_en,
# so English readers never see an empty title.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True
# Dates and numbers as written in India (26 Jan 2027, 26/01/2027, lakh grouping), in English
# and Hindi alike; Django's own "en" formats are American. Rupees: coupzii.core.money.
FORMAT_MODULE_PATH = ["coupzii.formats"]

# --- Static and media files ----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Personal files (receipts, locker screenshots): outside MEDIA_ROOT, so neither the dev server
# nor nginx ever serves them; the app streams each to its owner (coupzii.core.files).
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
# Set, uploads go to S3-compatible object storage that every web server and worker shares.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = object_storages(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=None),
        region=env.str("AWS_S3_REGION_NAME", default=None),
        public_location=env.str("AWS_PUBLIC_LOCATION", default="public"),
        private_location=env.str("AWS_PRIVATE_LOCATION", default="private"),
        custom_domain=env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
    )
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "coupzii.core.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
        },
    }
# Hashed, compressed names need collectstatic; the dev server serves the sources.
STORAGES["staticfiles"] = {"BACKEND": static_storage(debug=DEBUG)}

# --- Email and SMS -------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coupzii <no-reply@coupzii.in>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
# Twilio's Messages API, for SMS_BACKEND=twilio.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_BASE_URL = env.str("TWILIO_BASE_URL", default="https://api.twilio.com")

# --- API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.LoginFamilyJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "coupzii.core.throttling.AnonClientIpThrottle",
        "coupzii.core.throttling.SignedInUserThrottle",
    ],
    # `auth`: endpoints that take credentials or send SMS, on top of `anon`.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100/minute",
        "user": "300/minute",
        "auth": "20/minute",
        # A network's server sends bursts of status updates from one address.
        "postback": "1200/minute",
        # Razorpay's webhooks: its own counter, so a burst of affiliate postbacks can't
        # starve payment events arriving from the same kind of server farm.
        "payment_webhook": "1200/minute",
        # One till API key (brands.till): a busy counter, well above a person's pace.
        "till_key": "120/minute",
    },
    "DEFAULT_PAGINATION_CLASS": "coupzii.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coupzii.core.errors.api_exception_handler",
    # JSON with a nesting limit, finite numbers only and no NUL in text (coupzii.core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "coupzii.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coupzii API",
    "DESCRIPTION": "Coupons, cashback, gift cards and the coupon marketplace for mobile clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: the docs page needs no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator (an image from another origin the CSP refuses).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coupzii.core.schema.document_shared_answers",
    ],
}

# --- Operations: metrics and error reports --------------------------------------------------

# Prometheus scrapes /metrics/ with `Authorization: Bearer <METRICS_TOKEN>`; staff signed in with
# their second factor may read it too. Unset, only staff can.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Unhandled errors of requests and tasks go to Sentry when set; nothing is sent otherwise.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from coupzii.core.error_reports import error_reports_init

    error_reports_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
    )

# --- Logging: one line per record, readable or JSON, tagged with the request id -------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# `plain` for a developer's console (SMS codes and emails stay readable); `json` for log
# collectors (production defaults to it).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# --- Security ------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"


def public_media_origins(
    *, bucket: str, endpoint_url: str | None, region: str | None, custom_domain: str | None
) -> list[str]:
    """Where public uploads (logos, card images) are served from when they live on S3."""
    if not bucket:
        return []
    if custom_domain:
        return [f"https://{custom_domain}"]
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
    regional = [f"https://{bucket}.s3.{region}.amazonaws.com"] if region else []
    return [f"https://{bucket}.s3.amazonaws.com", *regional]


# Content-Security-Policy (django-csp): scripts and styles from this origin, or inline with the
# request's nonce; nothing may frame the site. Pages add sources on their own response only
# (the pay page for Razorpay Checkout); the admin gets CSP_ADMIN_OVERRIDES.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for Bootstrap's and Swagger UI's inline SVG icons.
        "img-src": [
            SELF,
            "data:",
            *public_media_origins(
                bucket=env.str("AWS_STORAGE_BUCKET_NAME", default=""),
                endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=None),
                region=env.str("AWS_S3_REGION_NAME", default=None),
                custom_domain=env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
            ),
        ],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The admin's templates (Django's change list, django-import-export's export page) use a <style>
# element, style attributes and one inline handler; staff only, behind 2FA.
CSP_ADMIN_OVERRIDES = {
    "style-src": [SELF, UNSAFE_INLINE],
    "script-src": [
        SELF,
        NONCE,
        UNSAFE_HASHES,
        # import-export's "Select all" checkbox: onchange="onSelectToggleChange(event)".
        "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",
    ],
}
# Browser features the site does not use are off, for it and anything it embeds. Razorpay's
# checkout frame may use the Payment Request API. The assistant's voice questions use the
# microphone on the site's own pages, never in anything it embeds.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": ["self"],
    "midi": [],
    "payment": ["self", "https://api.razorpay.com", "https://checkout.razorpay.com"],
    "usb": [],
}

if not DEBUG:
    refuse_dev_secrets(secret_key=SECRET_KEY, field_encryption_keys=FIELD_ENCRYPTION_KEYS)
