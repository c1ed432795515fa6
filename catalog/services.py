"""Catalog's actions for other apps, which import catalog.services alone (ARCHITECTURE.md, "Who
may call whom"): the voucher-code inventory (catalog/inventory.py) that the shop reserves,
delivers, releases and voids codes through, with the reads its steps go with; and the stores'
learned days to confirm cashback, which the wallet learns from their history."""

from collections import defaultdict

from django.db.models import Q

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
from .models import Merchant

__all__ = [
    "InvalidVoucherCode",
    "NewCode",
    "code_digest",
    "codes_for_lines",
    "delivered_counts",
    "merchants_learned_confirm_days_set",
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


def merchants_learned_confirm_days_set(*, figures: dict[int, tuple[int, bool]]) -> int:
    """Set each store's learned days to confirm cashback: `figures` maps a merchant id to
    (median days, whether the figure is its network's rather than its own); every store not
    in it has nothing learned. Writes only the stores whose figure changes, one UPDATE per
    distinct figure; returns how many changed.

    A bulk update sends no save signals, so the cached store pages (two minutes) show the new
    figure as they expire, without retiring every cached catalog page each night."""
    current = Merchant.objects.filter(
        Q(learned_confirm_days__isnull=False) | Q(pk__in=list(figures))
    ).values_list("pk", "learned_confirm_days", "learned_from_network")
    changes: dict[tuple[int | None, bool], list[int]] = defaultdict(list)
    for pk, days, from_network in current:
        wanted = figures.get(pk, (None, False))
        if (days, from_network) != wanted:
            changes[wanted].append(pk)
    for (days, from_network), pks in changes.items():
        Merchant.objects.filter(pk__in=pks).update(
            learned_confirm_days=days, learned_from_network=from_network
        )
    return sum(len(pks) for pks in changes.values())
