"""Settings for `make fuzz`: the test settings without the test-only app, so the schema and
the data fuzzed are the real site's."""

from coupzii.settings.test import *  # noqa: F403
from coupzii.settings.test import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "coupzii.testapp"]
