"""Offers' writes for other apps, which import offers.services alone (ARCHITECTURE.md, "Who may
call whom"): the click-out's (offers/clickout/) and the unique-code books' (offers/books/)
actions, re-exported from where they live."""

from .books import (
    code_assign,
    code_claim,
    code_lock,
    code_redeem,
    code_unlock,
    code_void,
    codes_generate,
    codes_import_csv,
)
from .clickout import click_record, clicks_write

__all__ = [
    "click_record",
    "clicks_write",
    "code_assign",
    "code_claim",
    "code_lock",
    "code_redeem",
    "code_unlock",
    "code_void",
    "codes_generate",
    "codes_import_csv",
]
