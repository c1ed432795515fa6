"""The monthly referral leaderboard: a Redis sorted set per month, scored in paise earned.

Redis holds it because it is read on every referrals page. It can be rebuilt from nothing:
`rebuild` sums the month's referral bonuses from the ledger, nightly (wallet.tasks).
"""

from decimal import Decimal

from django.db.models import Sum
from django_redis import get_redis_connection

from coupzii.core.money import from_paise, to_paise

# A month's board is kept a little over a year, for "last month" and year-end looks back.
KEEP_SECONDS = 400 * 24 * 3600


def month_key(month: str) -> str:
    return f"wallet:referrals:leaderboard:{month}"


def add(*, month: str, user_id: int, amount: Decimal) -> None:
    client = get_redis_connection("default")
    pipe = client.pipeline(transaction=False)
    pipe.zincrby(month_key(month), to_paise(amount), str(user_id))
    pipe.expire(month_key(month), KEEP_SECONDS)
    pipe.execute()


def top(*, month: str, limit: int = 10) -> list[tuple[int, Decimal]]:
    """(user id, rupees earned) for the month's best referrers, best first."""
    rows = get_redis_connection("default").zrevrange(
        month_key(month), 0, limit - 1, withscores=True
    )
    return [(int(member), from_paise(int(score))) for member, score in rows]


def rank_of(*, month: str, user_id: int) -> int | None:
    """1-based place of the user on the month's board, or None if they are not on it."""
    rank = get_redis_connection("default").zrevrank(month_key(month), str(user_id))
    return None if rank is None else rank + 1


def rebuild(*, month: str) -> int:
    """Refill the month's board from the ledger (after Redis lost it); returns entries."""
    from .models import Posting, TransactionKind

    year, number = (int(part) for part in month.split("-"))
    rows = (
        Posting.objects.filter(
            transaction__kind=TransactionKind.REFERRAL_BONUS,
            transaction__created_at__year=year,
            transaction__created_at__month=number,
            account__user__isnull=False,
        )
        .values("account__user_id")
        .annotate(total=Sum("amount"))
    )
    client = get_redis_connection("default")
    client.delete(month_key(month))
    for row in rows:
        client.zadd(month_key(month), {str(row["account__user_id"]): to_paise(row["total"])})
    client.expire(month_key(month), KEEP_SECONDS)
    return len(rows)
