"""The monthly referral leaderboard: a Redis sorted set per month, scored in paise earned.

Redis holds it because it is read on every referrals page, but it is only derived: the ledger's
referral bonuses are the truth. A month's board is rebuilt from them whenever Redis doesn't have
it (a restarted Redis, a fresh process on the embedded in-process Redis, a board another process
such as `seed_demo` filled in its own memory), so every process shows the same board. A bonus
paid later sets its referrer's month total from the ledger too, so a repeat or a race with a
rebuild can't count it twice; the nightly rebuild (wallet.tasks) settles anything else.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django_redis import get_redis_connection

from coupzii.core.money import from_paise, to_paise

# A month's board is kept a little over a year, for "last month" and year-end looks back.
KEEP_SECONDS = 400 * 24 * 3600


def month_key(month: str) -> str:
    return f"wallet:referrals:leaderboard:{month}"


def _built_key(month: str) -> str:
    # Set with the board: an empty month (nobody earned yet) is built too, and not rebuilt on
    # every read.
    return f"{month_key(month)}:built"


def add(*, month: str, user_id: int) -> None:
    """A referral bonus was paid to `user_id` (call after commit): put their month total, read
    from the ledger, on the board. A board not built yet is left alone: the next read builds it
    from the ledger, bonus included."""
    client = get_redis_connection("default")
    if not client.exists(_built_key(month)):
        return
    totals = _month_totals(month, user_id=user_id)
    if totals:
        client.zadd(month_key(month), totals)


def top(*, month: str, limit: int = 10) -> list[tuple[int, Decimal]]:
    """(user id, rupees earned) for the month's best referrers, best first."""
    _ensure(month)
    rows = get_redis_connection("default").zrevrange(
        month_key(month), 0, limit - 1, withscores=True
    )
    return [(int(member), from_paise(int(score))) for member, score in rows]


def standing(*, month: str, user_id: int) -> tuple[int, Decimal] | None:
    """(1-based place, rupees earned) of the user on the month's board, or None if they are
    not on it: their line under the top 10 ("You're number 14 this month, ₹300 earned")."""
    _ensure(month)
    pipe = get_redis_connection("default").pipeline(transaction=False)
    pipe.zrevrank(month_key(month), str(user_id))
    pipe.zscore(month_key(month), str(user_id))
    rank, score = pipe.execute()
    if rank is None or score is None:
        return None
    return rank + 1, from_paise(int(score))


def _ensure(month: str) -> None:
    if not get_redis_connection("default").exists(_built_key(month)):
        rebuild(month=month)


def rebuild(*, month: str) -> int:
    """Refill the month's board from the ledger; returns its entries. Readers see the old
    board or the new one, never a half-written one (one MULTI)."""
    totals = _month_totals(month)
    pipe = get_redis_connection("default").pipeline(transaction=True)
    pipe.delete(month_key(month))
    if totals:
        pipe.zadd(month_key(month), totals)
        pipe.expire(month_key(month), KEEP_SECONDS)
    pipe.set(_built_key(month), 1, ex=KEEP_SECONDS)
    pipe.execute()
    return len(totals)


def rebuild_recent(*, today: date) -> int:
    """Rebuild this month's and last month's boards (the two the leaderboard page shows);
    returns their entries."""
    last_month = today.replace(day=1) - timedelta(days=1)
    return rebuild(month=today.strftime("%Y-%m")) + rebuild(month=last_month.strftime("%Y-%m"))


def _month_totals(month: str, *, user_id: int | None = None) -> dict[str, int]:
    """{user id: paise} of referral bonuses paid in `month` ("2026-12"), from the ledger."""
    from .models import Posting, TransactionKind

    year, number = (int(part) for part in month.split("-"))
    rows = Posting.objects.filter(
        transaction__kind=TransactionKind.REFERRAL_BONUS,
        transaction__created_at__year=year,
        transaction__created_at__month=number,
        account__user__isnull=False,
    )
    if user_id is not None:
        rows = rows.filter(account__user_id=user_id)
    totals = rows.values("account__user_id").annotate(total=Sum("amount"))
    return {str(row["account__user_id"]): to_paise(row["total"]) for row in totals}
