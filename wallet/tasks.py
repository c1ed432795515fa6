"""Celery tasks of the wallet: network sync, late click matching, the nightly ledger check and
the nightly learning of when cashback arrives."""

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import operators_notify

from . import arrival, leaderboard
from .ledger import ledger_problems, platform_rollup
from .services.cashback import cashback_match_unmatched

logger = logging.getLogger(__name__)


@shared_task(name="wallet.sync_networks", ignore_result=True)
def sync_networks() -> dict:
    """Pull every configured network's report over the look-back window (every 6 hours)."""
    from .networks.sync import sync_all

    totals = sync_all()
    return {name: vars(result) for name, result in totals.items()}


@shared_task(name="wallet.match_unmatched_cashback", ignore_result=True)
def match_unmatched_cashback() -> int:
    return cashback_match_unmatched()


@shared_task(name="wallet.rebuild_leaderboard", ignore_result=True)
def rebuild_leaderboard() -> int:
    """Refill this month's and last month's referral boards (both on the leaderboard page) from
    the ledger: Redis keeps nothing on disk, so a restart empties them; the nightly rebuild
    bounds how long one stays wrong."""
    return leaderboard.rebuild_recent(today=timezone.localdate())


@shared_task(name="wallet.rollup_platform_balances", ignore_result=True)
def rollup_platform_balances() -> int:
    """Move the platform accounts' balance rollups up to the current watermark (every
    minute), so reading a platform balance sums at most a minute or so of postings."""
    return platform_rollup()


@shared_task(name="wallet.reconcile_ledger", ignore_result=True)
def reconcile_ledger() -> list[str]:
    """Check the ledger (transactions, users' cached balances, platform rollups against their
    postings, escrow); on any mismatch, log it and tell every active operator."""
    problems = ledger_problems()
    if problems:
        logger.error("ledger reconciliation failed: %s", "; ".join(problems))
        operators_notify(
            title=lambda: (
                _("Ledger check failed: %(count)s mismatch(es)") % {"count": len(problems)}
            ),
            body="\n".join(problems[:20]),
            link="/admin/wallet/account/",
        )
    return problems


@shared_task(name="wallet.learn_cashback_arrival", ignore_result=True)
def learn_cashback_arrival() -> int:
    """Relearn how long each store's (and network's) cashback takes to confirm, from the last
    year of confirmations and declines (nightly): the tracker's ranges and the store pages'
    "usually confirms in about N days"."""
    return arrival.arrival_estimates_refresh()
