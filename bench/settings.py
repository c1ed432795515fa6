"""Settings for the benchmark server: the real site (coupzii.settings.base) plus bench/urls.py.

bench/run.py sets every variable this reads (DEBUG=false, fresh secrets, PostgreSQL, Redis).
"""

from django.core.exceptions import ImproperlyConfigured

from coupzii.settings.base import *  # noqa: F403
from coupzii.settings.base import BASE_DIR, DEBUG

# Numbers measured with DEBUG on (query logging, plain static storage) would mean nothing.
if DEBUG:
    raise ImproperlyConfigured("bench.settings needs DEBUG=false: start it through bench/run.py.")

ROOT_URLCONF = "bench.urls"
# Throttles stay in the request path (their Redis INCR is part of the cost) but with limits
# no benchmark reaches: one load generator from one IP is not the traffic they guard against.
# Every scope the site names keeps a rate (a throttle whose scope has none refuses to run).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "10000000/minute",
    ),
}
# collectstatic writes here rather than to /staticfiles/, so a benchmark run leaves the
# project's own static build alone (bench/results/ is git-ignored).
STATIC_ROOT = BASE_DIR / "bench" / "results" / "staticfiles"
