"""The periodic pull: every configured network's sales over the look-back window, fed in
batches to the cashback ingest service."""

import logging
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock
from wallet.services.cashback import IngestResult, PendingNotices, cashback_ingest

from . import configured_networks, get_adapter
from .base import NetworkError
from .common import batched

logger = logging.getLogger(__name__)

# Longest a sync may hold its network's lock. A 30-day pull of a busy account is thousands of
# pages; if a worker dies mid-sync the next beat can start again after this.
SYNC_LOCK_TTL_SECONDS = 30 * 60


@dataclass
class IngestTotals:
    """What one network's sync did, summed over its batches."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: int = 0

    def add(self, result: IngestResult) -> None:
        for counter in fields(self):
            setattr(
                self,
                counter.name,
                getattr(self, counter.name) + getattr(result, counter.name),
            )

    @property
    def sales(self) -> int:
        return self.created + self.updated + self.unchanged


def sync_network(
    *, name: str, since: datetime, until: datetime, batch_size: int = 500
) -> IngestTotals:
    """Pull `name`'s sales between `since` and `until` and ingest them, `batch_size` at a time.

    Holds the Redis lock wallet:sync:<name> throughout, so two syncs of one network never
    overlap (they would fight over the same events). Raises Busy when another sync holds it,
    NetworkError when the network fails; batches ingested before a failure stay ingested,
    which is safe because ingesting a sale again changes nothing.
    """
    adapter = get_adapter(name)
    totals = IngestTotals()
    # Each shopper hears once per sync about their new pending cashback, after the last page.
    notices = PendingNotices()
    try:
        with redis_lock(f"wallet:sync:{name}", ttl=SYNC_LOCK_TTL_SECONDS):
            for batch in batched(adapter.fetch_sales(since=since, until=until), batch_size):
                totals.add(cashback_ingest(sales=batch, notices=notices))
    finally:
        # Pages ingested before a failure are committed: their shoppers are told too.
        notices.send()
    logger.info("synced %s: %s", name, totals)
    return totals


def sync_all(*, now: datetime | None = None) -> dict[str, IngestTotals]:
    """Sync every configured network over the last WALLET_SYNC_LOOKBACK_DAYS.

    A network that fails, or is being synced by someone else, is logged and left out of the
    answer; it never stops the others.
    """
    until = now or timezone.now()
    since = until - timedelta(days=settings.WALLET_SYNC_LOOKBACK_DAYS)
    results = {}
    for name in configured_networks():
        try:
            results[name] = sync_network(name=name, since=since, until=until)
        except NetworkError:
            logger.exception("cashback sync of %s failed", name)
        except Busy:
            logger.info("cashback sync of %s skipped: another sync is running", name)
    return results
