"""Cashback history for the arrival tests: sales reported, then confirmed or declined, at the
times a test chooses. History is written as rows (a year of it through the services would
take minutes), shaped as the services leave them: a status and the time it was reached."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from catalog.models import Merchant
from wallet.models import CashbackEvent, CashbackSource, CashbackStatus

_numbers = itertools.count(1)


def past_sales(
    merchant: Merchant | None,
    *,
    network: str = "admitad",
    reported: list[datetime],
    confirmed_after: list[timedelta | None] | None = None,
    declined_after: list[timedelta | None] | None = None,
) -> list[CashbackEvent]:
    """One sale per `reported` time; each confirmed after its `confirmed_after` delay, or
    declined after its `declined_after` one, or still pending (None or no list)."""
    confirmed_after = confirmed_after or [None] * len(reported)
    declined_after = declined_after or [None] * len(reported)
    events = []
    for at, to_confirm, to_decline in zip(reported, confirmed_after, declined_after, strict=True):
        number = next(_numbers)
        status = CashbackStatus.PENDING
        if to_confirm is not None:
            status = CashbackStatus.CONFIRMED
        elif to_decline is not None:
            status = CashbackStatus.DECLINED
        events.append(
            CashbackEvent(
                sub_id=f"history-{number}",
                merchant=merchant,
                network=network,
                network_txn_id=f"H{number:08d}",
                sale_amount=Decimal("1000.00"),
                commission=Decimal("80.00"),
                cashback=Decimal("50.00"),
                status=status,
                source=CashbackSource.PULL,
                occurred_at=at - timedelta(hours=1),
                confirmed_at=at + to_confirm if to_confirm is not None else None,
                declined_at=at + to_decline if to_decline is not None else None,
            )
        )
    created = CashbackEvent.objects.bulk_create(events, batch_size=500)
    # created_at is set to "now" on insert: put each sale back at the time it was reported.
    for event, at in zip(created, reported, strict=True):
        event.created_at = at
    CashbackEvent.objects.bulk_update(created, ["created_at"], batch_size=500)
    return created
