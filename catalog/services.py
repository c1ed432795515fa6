"""Catalog's actions for other apps, which import catalog.services alone (ARCHITECTURE.md, "Who
may call whom"): the voucher-code inventory (catalog/inventory.py) that the shop reserves,
delivers, releases and voids codes through, with the reads its steps go with."""

from .inventory import (
    InvalidVoucherCode,
    NewCode,
    code_digest,
    codes_for_lines,
    delivered_counts,
    normalise_code,
    stock_of,
    voucher_code_problem,
    voucher_codes_add,
    voucher_codes_add_delivered,
    voucher_codes_deliver,
    voucher_codes_release,
    voucher_codes_reserve,
    voucher_codes_reserve_lines,
    voucher_codes_void,
    voucher_codes_void_by_pks,
    voucher_pin_problem,
)

__all__ = [
    "InvalidVoucherCode",
    "NewCode",
    "code_digest",
    "codes_for_lines",
    "delivered_counts",
    "normalise_code",
    "stock_of",
    "voucher_code_problem",
    "voucher_codes_add",
    "voucher_codes_add_delivered",
    "voucher_codes_deliver",
    "voucher_codes_release",
    "voucher_codes_reserve",
    "voucher_codes_reserve_lines",
    "voucher_codes_void",
    "voucher_codes_void_by_pks",
    "voucher_pin_problem",
]
