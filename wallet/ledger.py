"""The double-entry ledger: find accounts, post balanced transactions, check the invariants.

Every money movement in Coupzii goes through `transaction_post` (or `transactions_post` for
a batch). Other apps call these; nobody writes Account, Transaction or Posting rows directly.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Sum, Value, When

from accounts.models import User
from coupzii.core.money import quantize

from .errors import InsufficientFunds, UnbalancedTransaction
from .models import USER_ACCOUNT_KINDS, Account, Posting, Transaction

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    """A transaction not yet written: what `transactions_post` takes."""

    kind: str
    idempotency_key: str
    legs: Sequence[tuple[Account, Decimal]]
    reference_type: str
    reference_id: str
    actor: User | None = None
    memo: str = ""


# --- Accounts ---------------------------------------------------------------------------------


def platform_account(kind: str) -> Account:
    """The platform's account of `kind` (cashback_payable, payouts, promotions ...)."""
    account, _ = Account.objects.get_or_create(user=None, kind=kind)
    return account


def user_accounts(user: User) -> dict[str, Account]:
    """The user's available, pending and held accounts, created on first use."""
    return accounts_for_users([user.pk])[user.pk]


def accounts_for_users(user_ids: Iterable[int]) -> dict[int, dict[str, Account]]:
    """Every listed user's three accounts, creating missing ones, in two queries."""
    user_ids = set(user_ids)
    found = _accounts_of(user_ids)
    missing = [
        Account(user_id=uid, kind=kind)
        for uid in user_ids
        for kind in USER_ACCOUNT_KINDS
        if kind not in found.get(uid, {})
    ]
    if missing:
        # Another request may create the same accounts at the same moment: the unique
        # constraint keeps one, and the re-read below picks up whichever won.
        Account.objects.bulk_create(missing, ignore_conflicts=True)
        found = _accounts_of(user_ids)
    return found


def _accounts_of(user_ids: set[int]) -> dict[int, dict[str, Account]]:
    found: dict[int, dict[str, Account]] = defaultdict(dict)
    for account in Account.objects.filter(user_id__in=user_ids):
        found[account.user_id][account.kind] = account
    return found


def balances(user: User) -> dict[str, Decimal]:
    """The user's cached balances by account kind; zero for accounts not yet created."""
    rows = Account.objects.filter(user=user).values_list("kind", "balance")
    result = dict.fromkeys(USER_ACCOUNT_KINDS, ZERO)
    result.update(rows)
    return result


# --- Posting ----------------------------------------------------------------------------------


def transaction_post(
    *,
    kind: str,
    idempotency_key: str,
    legs: Sequence[tuple[Account, Decimal]],
    reference_type: str,
    reference_id: str,
    actor: User | None = None,
    memo: str = "",
) -> Transaction:
    """Write one balanced transaction and move the cached balances with it.

    Posting an idempotency key that was posted before returns that first transaction and
    changes nothing. Raises UnbalancedTransaction (a bug in the caller) and InsufficientFunds
    when a user's account would go below zero; nothing is written then.
    """
    entry = Entry(kind, idempotency_key, legs, reference_type, reference_id, actor, memo)
    return transactions_post([entry])[0]


def transactions_post(entries: Sequence[Entry]) -> list[Transaction]:
    """Write several transactions at once: one lock round, one insert per table, one balance
    update. Returns a transaction per entry, in order (the earlier one for a repeated key)."""
    for entry in entries:
        _check_balanced(entry)
    with transaction.atomic():
        done = _posted(e.idempotency_key for e in entries)
        todo = _dedupe([e for e in entries if e.idempotency_key not in done])
        if todo:
            locked = accounts_lock({a.pk for e in todo for a, _ in e.legs})
            # A request with the same key may have committed while we waited for the locks.
            done |= _posted(e.idempotency_key for e in todo)
            todo = [e for e in todo if e.idempotency_key not in done]
            _check_funds(locked, _deltas(todo))
            done |= _write(todo, locked)
        return [done[e.idempotency_key] for e in entries]


def _check_balanced(entry: Entry) -> None:
    amounts = [quantize(amount) for _, amount in entry.legs]
    if len(amounts) < 2 or any(
        a != amount for a, (_, amount) in zip(amounts, entry.legs, strict=True)
    ):
        raise UnbalancedTransaction(f"{entry.idempotency_key}: needs 2+ legs in whole paise")
    if sum(amounts) != 0 or any(a == 0 for a in amounts):
        raise UnbalancedTransaction(f"{entry.idempotency_key}: legs must be non-zero, sum to 0")


def _posted(keys: Iterable[str]) -> dict[str, Transaction]:
    keys = list(keys)
    return {t.idempotency_key: t for t in Transaction.objects.filter(idempotency_key__in=keys)}


def _dedupe(entries: list[Entry]) -> list[Entry]:
    unique: dict[str, Entry] = {}
    for entry in entries:
        unique.setdefault(entry.idempotency_key, entry)
    return list(unique.values())


def accounts_lock(pks: set[int]) -> dict[int, Account]:
    """Lock the accounts for the rest of the transaction and read their current balances."""
    # Always in primary-key order, so two transactions locking overlapping accounts queue
    # instead of deadlocking.
    rows = Account.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {account.pk: account for account in rows}


def _deltas(entries: list[Entry]) -> dict[int, Decimal]:
    deltas: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        for account, amount in entry.legs:
            deltas[account.pk] += amount
    return deltas


def _check_funds(locked: dict[int, Account], deltas: dict[int, Decimal]) -> None:
    """Refuse before writing anything; the database's check constraint is the backstop."""
    for pk, delta in deltas.items():
        account = locked[pk]
        if account.user_id and account.balance + delta < 0:
            raise InsufficientFunds()


def _write(entries: list[Entry], locked: dict[int, Account]) -> dict[str, Transaction]:
    rows = [
        Transaction(
            kind=e.kind,
            idempotency_key=e.idempotency_key,
            reference_type=e.reference_type,
            reference_id=str(e.reference_id),
            actor=e.actor,
            memo=e.memo[:255],
        )
        for e in entries
    ]
    try:
        with transaction.atomic():
            Transaction.objects.bulk_create(rows)
    except IntegrityError:
        # A same-key racer slipped in between our re-check and insert (possible only when
        # the two lock different accounts): its transaction stands, and the rest of the
        # batch is written one by one.
        done = _posted(e.idempotency_key for e in entries)
        if len(entries) == 1 and not done:
            raise
        for entry in entries:
            if entry.idempotency_key not in done:
                done |= _write([entry], locked)
        return done
    Posting.objects.bulk_create(
        Posting(transaction=row, account_id=account.pk, amount=amount)
        for row, entry in zip(rows, entries, strict=True)
        for account, amount in entry.legs
    )
    _move_balances(locked, _deltas(entries))
    return {row.idempotency_key: row for row in rows}


def _move_balances(locked: dict[int, Account], deltas: dict[int, Decimal]) -> None:
    """One UPDATE for every account the batch touched. The new balances are worked out here
    in Decimal from the locked rows (nobody else can change them until we commit), not as
    `balance + delta` in SQL: SQLite would add them as floats."""
    changed = {pk: delta for pk, delta in deltas.items() if delta}
    if not changed:
        return
    for pk, delta in changed.items():
        locked[pk].balance = quantize(locked[pk].balance + delta)
    if connection.vendor == "postgresql":
        # UPDATE ... FROM (VALUES ...): a sync page touches hundreds of accounts, and a CASE
        # with a branch per account costs PostgreSQL 15 times as much to plan and run.
        rows = ", ".join(["(%s, %s::numeric)"] * len(changed))
        params = [value for pk in changed for value in (pk, locked[pk].balance)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Account._meta.db_table} AS a SET balance = v.balance "  # noqa: S608
                f"FROM (VALUES {rows}) AS v(id, balance) WHERE a.id = v.id",
                params,
            )
        return
    new = Case(*(When(pk=pk, then=Value(locked[pk].balance)) for pk in changed))
    Account.objects.filter(pk__in=changed).update(balance=new)


# --- Reconciliation ---------------------------------------------------------------------------


def ledger_problems() -> list[str]:
    """Every broken invariant, described; an empty list means the ledger is sound.

    Sums are grouped in SQL and compared in Python after rounding to paise: SQLite adds
    decimals as floats, and a sum like 0.1 + 0.2 must not read as a mismatch there.
    """
    return [
        *_unbalanced_transactions(),
        *_drifted_accounts(),
        *_negative_user_accounts(),
        *_ledger_totals(),
    ]


def _unbalanced_transactions():
    sums = Posting.objects.values("transaction_id").annotate(total=Sum("amount"), legs=Count("id"))
    bad = {
        row["transaction_id"]: (quantize(row["total"]), row["legs"])
        for row in sums.iterator()
        if quantize(row["total"]) != 0 or row["legs"] < 2
    }
    for pk in Transaction.objects.filter(postings__isnull=True).values_list("pk", flat=True):
        bad[pk] = (ZERO, 0)
    keys = dict(Transaction.objects.filter(pk__in=bad).values_list("pk", "idempotency_key"))
    for pk, (total, legs) in sorted(bad.items()):
        yield f"transaction {keys[pk]} does not balance: {legs} legs summing to {total}"


def _drifted_accounts():
    sums = dict(
        Posting.objects.values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    for account in Account.objects.order_by("pk").iterator():
        total = quantize(sums.get(account.pk) or ZERO)
        if account.balance != total:
            owner = f"user {account.user_id}" if account.user_id else "platform"
            yield (
                f"account {account.pk} ({owner} {account.kind}) caches {account.balance} "
                f"but its postings sum to {total}"
            )


def _negative_user_accounts():
    negative = Account.objects.filter(user__isnull=False, balance__lt=0)
    for pk, kind, balance in negative.values_list("pk", "kind", "balance"):
        yield f"account {pk} ({kind}) belongs to a user and is {balance}, below zero"


def _ledger_totals():
    posted = quantize(Posting.objects.aggregate(total=Sum("amount"))["total"] or ZERO)
    if posted != 0:
        yield f"the postings of the whole ledger sum to {posted}, not 0"
    cached = quantize(Account.objects.aggregate(total=Sum("balance"))["total"] or ZERO)
    if cached != 0:
        yield f"the cached balances of the whole ledger sum to {cached}, not 0"
