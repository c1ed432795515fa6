"""Django's own strings that shoppers see and Django's Hindi catalogue leaves untranslated.

Relative times ("6 minutes ago", from the humanize app's naturaltime and from timesince) and
the password rules are written by Django, whose Hindi translation lacks them. Listing their
exact msgids (and contexts) here makes `make messages` copy them into our catalogue, where
they are translated; our catalogue (LOCALE_PATHS) takes precedence over Django's. Nothing
imports this module: it exists for the message extractor. After a Django upgrade, compare
these with django/contrib/humanize/templatetags/humanize.py, django/utils/timesince.py and
django/contrib/auth/password_validation.py.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy, npgettext_lazy

RELATIVE_TIMES = (
    # humanize.naturaltime
    gettext_lazy("now"),
    gettext_lazy("%(delta)s ago"),
    gettext_lazy("%(delta)s from now"),
    ngettext_lazy("a second ago", "%(count)s seconds ago", "count"),
    ngettext_lazy("a minute ago", "%(count)s minutes ago", "count"),
    ngettext_lazy("an hour ago", "%(count)s hours ago", "count"),
    ngettext_lazy("a second from now", "%(count)s seconds from now", "count"),
    ngettext_lazy("a minute from now", "%(count)s minutes from now", "count"),
    ngettext_lazy("an hour from now", "%(count)s hours from now", "count"),
    npgettext_lazy("naturaltime-past", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d minute", "%(num)d minutes", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d minute", "%(num)d minutes", "num"),
    # timesince / timeuntil ("3 days, 4 hours")
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
)

# Django writes "can't" with a typographic apostrophe (U+2019): the msgids must match exactly.
PASSWORD_RULES = (
    gettext_lazy("Your password can’t be too similar to your other personal information."),  # noqa: RUF001
    gettext_lazy("The password is too similar to the %(verbose_name)s."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_lazy("Your password can’t be a commonly used password."),  # noqa: RUF001
    gettext_lazy("This password is too common."),
    gettext_lazy("Your password can’t be entirely numeric."),  # noqa: RUF001
    gettext_lazy("This password is entirely numeric."),
)

# Month names as dates show them ("j F Y", "j M Y"): Django's Hindi catalogue misspells most
# full names ("दिसमबर", "नवमबर") and cuts the short ones oddly ("दिस्"). Ours take precedence.
MONTHS = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
)
MONTHS_3 = (
    gettext_lazy("jan"),
    gettext_lazy("feb"),
    gettext_lazy("mar"),
    gettext_lazy("apr"),
    gettext_lazy("may"),
    gettext_lazy("jun"),
    gettext_lazy("jul"),
    gettext_lazy("aug"),
    gettext_lazy("sep"),
    gettext_lazy("oct"),
    gettext_lazy("nov"),
    gettext_lazy("dec"),
)

# The admin's frame (operators use it in Hindi too) and the app and model names of Django's
# auth and allauth's social accounts, which their Hindi catalogues leave in English.
ADMIN = (
    gettext_lazy("View site"),
    gettext_lazy("Recent actions"),
    gettext_lazy("My actions"),
    gettext_lazy("View"),
    gettext_lazy("Clear all filters"),
    gettext_lazy("Filter navigation items"),
    gettext_lazy("Start typing to filter…"),
    gettext_lazy("Toggle navigation"),
    gettext_lazy("You don’t have permission to view or edit anything."),  # noqa: RUF001 - Django's msgid, exactly
    gettext_lazy("Authentication and Authorization"),
    gettext_lazy("Social Accounts"),
    gettext_lazy("social accounts"),
    gettext_lazy("social applications"),
    gettext_lazy("social application tokens"),
)
