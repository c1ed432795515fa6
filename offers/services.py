"""Offers' writes for other apps, which import offers.services alone (ARCHITECTURE.md, "Who may
call whom"): the click-out's (offers/clickout/) and the unique-code books' (offers/books/)
actions, re-exported from where they live."""

from .authoring import (
    OfferStatusRefused,
    offer_create,
    offer_rule_errors,
    offer_set_status,
    offer_update,
    offer_validate,
)
from .books import (
    DIGITS,
    LETTERS,
    code_assign,
    code_claim,
    code_lock,
    code_redeem,
    code_unlock,
    code_void,
    codes_generate,
    codes_import_csv,
)
from .books.codes import (
    CodePattern,
    ImportReport,
    code_pattern_parse,
    code_rows_from_csv,
    code_rows_from_xlsx,
    codes_import,
)
from .books.common import (
    MIN_SPACE_FACTOR,
    REDEEM_ROLLBACK_WINDOW,
    RedemptionGuard,
    redemption_guard_register,
    redemption_guard_unregister,
)
from .books.resale import code_resale_ready, code_resale_revoke, code_resell
from .books.till import code_redeem_rollback, code_validate
from .clickout import click_record, clicks_write
from .foryou import foryou_refresh, foryou_refresh_active
from .foryou_sources import foryou_refresh_soon
from .views_counter import offer_views_count, offer_views_flush

__all__ = [
    "DIGITS",
    "LETTERS",
    "MIN_SPACE_FACTOR",
    "REDEEM_ROLLBACK_WINDOW",
    "CodePattern",
    "ImportReport",
    "OfferStatusRefused",
    "RedemptionGuard",
    "click_record",
    "clicks_write",
    "code_assign",
    "code_claim",
    "code_lock",
    "code_pattern_parse",
    "code_redeem",
    "code_redeem_rollback",
    "code_resale_ready",
    "code_resale_revoke",
    "code_resell",
    "code_rows_from_csv",
    "code_rows_from_xlsx",
    "code_unlock",
    "code_validate",
    "code_void",
    "codes_generate",
    "codes_import",
    "codes_import_csv",
    "foryou_refresh",
    "foryou_refresh_active",
    "foryou_refresh_soon",
    "offer_create",
    "offer_rule_errors",
    "offer_set_status",
    "offer_update",
    "offer_validate",
    "offer_views_count",
    "offer_views_flush",
    "redemption_guard_register",
    "redemption_guard_unregister",
]
