"""English as written in India: day before month (26 Jan 2027, 26/01/2027), lakh grouping.

Replaces Django's "en" formats, which are American (Jan. 26, 2027, 01/26/2027).
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j M"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday, as on Indian calendars

# ISO first: HTML date inputs send and need it, and the admin's "Today" writes it. Then the
# ways an Indian reader types a date, day first; never the American month-first ones.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2027-01-26
    "%d/%m/%Y",  # 26/01/2027
    "%d-%m-%Y",  # 26-01-2027
    "%d/%m/%y",  # 26/01/27
    "%d %b %Y",  # 26 Jan 2027
    "%d %B %Y",  # 26 January 2027
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
# 12,34,56,789: the last three digits, then pairs (lakh, crore), as coupzii.core.money does.
NUMBER_GROUPING = (3, 2, 0)
