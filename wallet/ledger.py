"""The double-entry ledger: find accounts, post balanced transactions, check the invariants.

Every money movement in Coupzii goes through `transaction_post` (or `transactions_post` for
a batch). Other apps call these (through `wallet.services`); nobody writes Account, Transaction
or Posting rows directly.

Two kinds of account, two ways of keeping a balance:

- A user's accounts (available, pending, held) cache their balance in `Account.balance`. A
  posting locks them (`select_for_update`, in primary-key order), checks they stay
  non-negative and moves the cached balance in the same transaction: a shopper can never spend
  what they do not have.
- Platform accounts (gateway, escrow:<purpose>, sales, cashback_payable ...) are posted to by
  every shopper at once. They are never locked and their row is never written after it is
  created: posting to one is an insert. Their balance is read (`platform_balance`) as a
  rollup (the balance up to a watermark, refreshed by beat: `platform_rollup`) plus the
  postings after the watermark.

The watermark must never skip a posting that commits late. Posting ids are handed out at
insert, not at commit, so an id watermark could pass a posting whose transaction is still
open; on PostgreSQL each posting instead stores the id of the database transaction that
inserted it (`xid`, a column default: migration 0007), and a rollup's watermark is the oldest
transaction still running when it starts (`pg_snapshot_xmin`): every posting below it has
committed or never will, so the rollup's sum up to it is final. On SQLite, which runs one writer
at a time, an id is a safe watermark. We chose a rollup over slot rows (N balance rows per
account, each locked by one poster) because slot rows still queue posters on the same slot and
still update a row per posting; a rollup costs a posting nothing but its insert, and a read one
indexed range scan over the postings since the last rollup (at most a beat period's worth).

A transaction is written without savepoints: `INSERT ... ON CONFLICT (idempotency_key) DO
NOTHING RETURNING`, then its postings, then the users' balances. On PostgreSQL a deferred
constraint trigger refuses, at commit, a transaction whose postings do not balance.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import uuid4

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from coupzii.core import rowsql
from coupzii.core.money import quantize

from .bulk import AnyOf, array_literal, array_type, column_values, is_postgresql, unnest_select
from .errors import InsufficientFunds, LedgerWatermarkAhead, UnbalancedTransaction
from .kinds import USER_ACCOUNT_KINDS, ledger_kind, platform_account_kind, platform_account_kinds
from .models import Account, PlatformRollup, Posting, Transaction

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

# Platform accounts by kind, found once per process. Filled only with rows known to be
# committed: a row this transaction created is cached when (if) it commits, so a rolled-back
# creation never leaves a dangling id here. `platform_accounts_create` (run after every
# migrate and every test flush) creates the registered ones up front and empties this.
_platform_accounts: dict[str, Account] = {}
_created_uncommitted: set[str] = set()


def platform_account(kind: str) -> Account:
    """The platform's account of `kind` (a registered platform account kind)."""
    account = _platform_accounts.get(kind)
    if account is not None:
        return account
    platform_account_kind(kind)  # refuses an unregistered kind
    account, created = Account.objects.get_or_create(user=None, kind=kind)
    if created or kind in _created_uncommitted:
        _created_uncommitted.add(kind)

        def remember(account=account):
            _created_uncommitted.discard(kind)
            _platform_accounts[kind] = account

        transaction.on_commit(remember)
    else:
        _platform_accounts[kind] = account
    return account


def platform_accounts_create(apps=None, **_kwargs) -> None:
    """Create every registered platform account and forget the cached ones: connected to
    `post_migrate`, which also follows every flush of a test database.

    Only once the wallet's tables are at migration 0006 or later (`apps`, the state migrate
    left, has the rollups): `migrate accounts` on an empty database has no wallet tables yet,
    and after `migrate wallet 0005` (a rollback) the old check refuses "escrow:shop"."""
    _platform_accounts.clear()
    _created_uncommitted.clear()
    if apps is not None:
        try:
            apps.get_model("wallet", "PlatformRollup")
        except LookupError:
            return
    kinds = list(platform_account_kinds())
    if not kinds:
        return
    Account.objects.bulk_create(
        [Account(user=None, kind=kind) for kind in kinds], ignore_conflicts=True
    )


def user_accounts(user: User) -> dict[str, Account]:
    """The user's available, pending and held accounts, created on first use."""
    return accounts_for_users([user.pk])[user.pk]


def user_account_lock(user: User, kind: str = "available") -> Account:
    """Lock one of the user's accounts for the rest of the transaction and return it fresh:
    one statement once the user has accounts (they are created on first use). The per-user
    lock of checkout and of a payment's capture (the `available` account)."""
    # Hand-written (`coupzii.core.rowsql`): every checkout takes this lock twice, and the ORM's
    # Python for it cost several times the statement. (user, kind) is unique.
    shape = rowsql.shape(Account, "a")
    account = rowsql.fetch_one(
        f"SELECT {shape.columns} FROM {shape.table} a "  # noqa: S608 (columns from _meta)
        f"WHERE a.user_id = %s AND a.kind = %s{rowsql.for_update()}",
        [user.pk, kind],
        shape,
    )
    if account is None:
        pk = user_accounts(user)[kind].pk
        account = accounts_lock({pk})[pk]
    return account


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


def user_accounts_locked(
    user_ids: Iterable[int], kinds: Sequence[str]
) -> dict[int, dict[str, Account]]:
    """Lock these users' accounts of `kinds` for the rest of the transaction, in primary-key
    order, and read their balances; a user without accounts gets them first. Returns {user id:
    {kind: Account}}. Hand the accounts to `transactions_post(locked=...)` to post to them
    without reading them again.

    In the usual case, two statements: which users have all their accounts (ids only), and the
    lock. Creating the missing ones before taking any lock keeps the locks in primary-key order."""
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    complete = set(
        Account.objects.filter(AnyOf(F("user_id"), user_ids))
        .values("user_id")
        .annotate(accounts=Count("id"))
        .filter(accounts=len(USER_ACCOUNT_KINDS))
        .values_list("user_id", flat=True)
    )
    if complete != user_ids:
        accounts_for_users(user_ids - complete)
    rows = (
        Account.objects.select_for_update()
        .filter(AnyOf(F("user_id"), user_ids), kind__in=kinds)
        .order_by("pk")
    )
    found: dict[int, dict[str, Account]] = defaultdict(dict)
    for account in rows:
        found[account.user_id][account.kind] = account
    return found


def _accounts_of(user_ids: set[int]) -> dict[int, dict[str, Account]]:
    found: dict[int, dict[str, Account]] = defaultdict(dict)
    for account in Account.objects.filter(AnyOf(F("user_id"), user_ids)):
        found[account.user_id][account.kind] = account
    return found


def balances(user: User) -> dict[str, Decimal]:
    """The user's cached balances by account kind; zero for accounts not yet created."""
    rows = Account.objects.filter(user=user).values_list("kind", "balance")
    result = dict.fromkeys(USER_ACCOUNT_KINDS, ZERO)
    result.update(rows)
    return result


# --- Platform balances ------------------------------------------------------------------------


def _marker():
    """What a watermark is compared with: the inserting transaction's id on PostgreSQL, the
    posting's id on SQLite (see the module's docstring)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Posting._meta.db_table)
        return RawSQL(f"{table}.xid", (), output_field=BigIntegerField())  # noqa: S611
    return F("id")


# Above every transaction id the statement can see: its snapshot's xmax (one past the newest
# finished transaction) or one past its own transaction's id, still running. No watermark and
# no visible posting's xid can be at or above it, unless they came from another cluster (a
# dump restored into a new one, whose ids start again lower).
_XMAX = (
    "GREATEST(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
    "COALESCE(pg_current_xact_id_if_assigned()::text::bigint + 1, 0))"
)


def _ahead_message(what: str, xmax: int) -> str:
    return (
        f"{what} ahead of this database cluster's transaction ids (the next is {xmax}): the "
        "ledger was restored from another cluster, and new postings would be skipped. Stop "
        "web, worker and beat, run `manage.py ledger_rebase`, then start them again."
    )


def _refuse_watermark_ahead(watermark: int | None, xmax: int) -> None:
    if watermark is not None and watermark > xmax:
        what = f"a platform balance rollup's watermark ({watermark}) is"
        raise LedgerWatermarkAhead(_ahead_message(what, xmax))


def ledger_rebase() -> tuple[int, int]:
    """After a restore into a new cluster, while nothing else runs: every posting's xid
    becomes 0 (before any watermark of this cluster) and the rollups are emptied (beat
    rebuilds them from there). Returns (postings changed, rollups removed). `deploy/restore.sh`
    runs the same SQL; an xid is written nowhere else after insert, so the append-only
    trigger is lifted for this one transaction only."""
    if connection.vendor != "postgresql":
        return (0, 0)  # SQLite's watermarks are posting ids, which a restore keeps
    posting = connection.ops.quote_name(Posting._meta.db_table)
    rollup = connection.ops.quote_name(PlatformRollup._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {posting} DISABLE TRIGGER wallet_posting_append_only")
        cursor.execute(f"UPDATE {posting} SET xid = 0 WHERE xid <> 0")  # noqa: S608
        postings = cursor.rowcount
        cursor.execute(f"ALTER TABLE {posting} ENABLE TRIGGER wallet_posting_append_only")
        cursor.execute(f"DELETE FROM {rollup}")  # noqa: S608
        return (postings, cursor.rowcount)


def _current_watermark() -> int:
    """Every posting whose marker is below this has committed or never will."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        else:
            table = connection.ops.quote_name(Posting._meta.db_table)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def platform_balances(kinds: Iterable[str] | None = None) -> dict[str, Decimal]:
    """Platform accounts' exact balances by kind: each rollup plus the postings after its
    watermark, in two queries. All platform accounts that exist, or just `kinds` (a kind with
    no account yet reads 0).

    Each rollup's balance and watermark are read together, and the postings after that
    watermark then: a rollup that moves in between changes neither (its old balance is
    exact up to its old watermark, and every posting after it is summed)."""
    accounts = Account.objects.filter(user=None)
    if kinds is not None:
        kinds = list(kinds)
        accounts = accounts.filter(kind__in=kinds)
    columns = ["pk", "kind", "rollup__balance", "rollup__watermark"]
    if connection.vendor == "postgresql":
        # Read in the same statement: a watermark from another cluster is refused, not used.
        accounts = accounts.annotate(xmax=RawSQL(_XMAX, (), output_field=BigIntegerField()))  # noqa: S611
        rows = []
        for *row, xmax in accounts.values_list(*columns, "xmax"):
            _refuse_watermark_ahead(row[-1], xmax)
            rows.append(tuple(row))
    else:
        rows = list(accounts.values_list(*columns))
    result = dict.fromkeys(kinds or (), ZERO)
    after = _sums_by_account(rows, after_watermark=True)
    for pk, kind, rolled, _ in rows:
        result[kind] = quantize((rolled or ZERO) + (after.get(pk) or ZERO))
    return result


def _sums_by_account(rows, *, after_watermark: bool) -> dict[int, Decimal]:
    """{account id: sum of its postings} at or after (or before) each row's watermark; rows
    are (account id, ..., watermark or None) with the watermark last."""
    if not rows:
        return {}
    marker = "marker__gte" if after_watermark else "marker__lt"
    each = Q()
    for row in rows:
        each |= Q(account_id=row[0], **{marker: row[-1] or 0})
    return dict(
        Posting.objects.alias(marker=_marker())
        .filter(each)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )


def platform_balance(kind: str) -> Decimal:
    """A platform account's exact balance (0 before anything was posted to it)."""
    return platform_balances([kind])[kind]


def platform_rollup() -> int:
    """Move every platform account's rollup up to the current watermark; returns how many
    moved. Run by beat (`wallet.rollup_platform_balances`). Locks only the rollup rows, which
    nothing but this writes, so no posting waits for it; two runs at once take turns."""
    with transaction.atomic():
        accounts = list(Account.objects.filter(user=None).values_list("pk", flat=True))
        PlatformRollup.objects.bulk_create(
            [PlatformRollup(account_id=pk) for pk in accounts], ignore_conflicts=True
        )
        rollups = {
            r.account_id: r for r in PlatformRollup.objects.select_for_update().order_by("pk")
        }
        # Read after the lock: a run that waited for another starts from where that one ended.
        watermark = _current_watermark()
        if connection.vendor == "postgresql" and rollups:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {_XMAX}")
                xmax = cursor.fetchone()[0]
            _refuse_watermark_ahead(max(r.watermark for r in rollups.values()), xmax)
        moving = {pk: r for pk, r in rollups.items() if r.watermark < watermark}
        sums = dict(
            Posting.objects.filter(account__in=list(moving))
            .alias(marker=_marker())
            .filter(marker__gte=F("account__rollup__watermark"), marker__lt=watermark)
            .values("account_id")
            .annotate(total=Sum("amount"))
            .values_list("account_id", "total")
        )
        for pk, rollup in moving.items():
            rollup.balance = quantize(rollup.balance + (sums.get(pk) or ZERO))
            rollup.watermark = watermark
            rollup.updated_at = timezone.now()
        PlatformRollup.objects.bulk_update(
            list(moving.values()), ["balance", "watermark", "updated_at"]
        )
        return len(moving)


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
    """Write one balanced transaction and move the users' cached balances with it.

    Posting an idempotency key that was posted before returns that first transaction and
    changes nothing. Raises UnbalancedTransaction (a bug in the caller), UnknownLedgerKind
    (an unregistered kind or platform account) and InsufficientFunds when a user's account
    would go below zero; nothing is written then.
    """
    entry = Entry(kind, idempotency_key, legs, reference_type, reference_id, actor, memo)
    return transactions_post([entry])[0]


def transactions_post(
    entries: Sequence[Entry], *, locked: Mapping[int, Account] | None = None
) -> list[Transaction]:
    """Write several transactions at once: one lock round (users' accounts only), one insert
    per table, one balance update. Returns a transaction per entry, in order (the earlier one
    for a repeated key).

    `locked`: {account id: Account} the caller locked in this transaction with
    `user_accounts_locked` and has posted to only through this function since. When it holds
    every user account of the entries, they are not locked and read again; their `balance` is
    kept current here as the batch moves it, so the same dict serves the caller's next batch.

    No savepoint: inside the caller's transaction this adds to it, and everything that can
    refuse (balance, kinds, funds) refuses before the first write, so a caller may catch the
    error and carry on."""
    for entry in entries:
        _check_balanced(entry)
        _check_kinds(entry)
    if connection.in_atomic_block:
        return _post(entries, locked)
    with transaction.atomic():
        return _post(entries, locked)


def _post(entries: Sequence[Entry], held: Mapping[int, Account] | None) -> list[Transaction]:
    todo = _dedupe(list(entries))
    done: dict[str, Transaction] = {}
    users = {a.pk for e in todo for a, _ in e.legs if a.user_id is not None}
    if held is not None and users <= held.keys():
        locked = {pk: held[pk] for pk in users}
    else:
        locked = accounts_lock(users)
    if any(amount < 0 and account.user_id is not None for e in todo for account, amount in e.legs):
        # Funds are checked before writing, against the entries not posted before.
        done = _posted(e.idempotency_key for e in todo)
        todo = [e for e in todo if e.idempotency_key not in done]
        _check_funds(locked, _deltas(todo))
    written = _write(todo)
    _move_balances(locked, _deltas([e for e in todo if e.idempotency_key in written]))
    done |= written
    # Keys another request posted (before us, or while our insert waited for it to commit).
    missing = {e.idempotency_key for e in entries} - done.keys()
    if missing:
        done |= _posted(missing)
    return [done[e.idempotency_key] for e in entries]


def _check_balanced(entry: Entry) -> None:
    amounts = [quantize(amount) for _, amount in entry.legs]
    if len(amounts) < 2 or any(
        a != amount for a, (_, amount) in zip(amounts, entry.legs, strict=True)
    ):
        raise UnbalancedTransaction(f"{entry.idempotency_key}: needs 2+ legs in whole paise")
    if sum(amounts) != 0 or any(a == 0 for a in amounts):
        raise UnbalancedTransaction(f"{entry.idempotency_key}: legs must be non-zero, sum to 0")


def _check_kinds(entry: Entry) -> None:
    ledger_kind(entry.kind)
    for account, _ in entry.legs:
        if account.user_id is None:
            platform_account_kind(account.kind)


def _posted(keys: Iterable[str]) -> dict[str, Transaction]:
    keys = list(keys)
    rows = Transaction.objects.filter(AnyOf(F("idempotency_key"), keys))
    return {t.idempotency_key: t for t in rows}


def _dedupe(entries: list[Entry]) -> list[Entry]:
    unique: dict[str, Entry] = {}
    for entry in entries:
        unique.setdefault(entry.idempotency_key, entry)
    return list(unique.values())


def accounts_lock(pks: set[int]) -> dict[int, Account]:
    """Lock the accounts for the rest of the transaction and read their current balances.
    Meant for users' accounts; the ledger itself never locks a platform account."""
    if not pks:
        return {}
    # Always in primary-key order, so two transactions locking overlapping accounts queue
    # instead of deadlocking.
    rows = Account.objects.select_for_update().filter(AnyOf(F("pk"), pks)).order_by("pk")
    return {account.pk: account for account in rows}


def _deltas(entries: list[Entry]) -> dict[int, Decimal]:
    """Each user account's change; platform accounts have no cached balance to move."""
    deltas: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        for account, amount in entry.legs:
            if account.user_id is not None:
                deltas[account.pk] += amount
    return deltas


def _check_funds(locked: dict[int, Account], deltas: dict[int, Decimal]) -> None:
    """Refuse before writing anything; the database's check constraint is the backstop."""
    for pk, delta in deltas.items():
        if locked[pk].balance + delta < 0:
            raise InsufficientFunds()


_TRANSACTION_COLUMNS = (
    "public_id",
    "kind",
    "idempotency_key",
    "reference_type",
    "reference_id",
    "actor",
    "memo",
    "created_at",
)


def _write(entries: list[Entry]) -> dict[str, Transaction]:
    """Insert the transactions whose key is new, and their postings; returns those written.
    A key another request holds or committed is skipped by ON CONFLICT (PostgreSQL waits for
    that request to end first, so its transaction is there to be read afterwards)."""
    if not entries:
        return {}
    # In key order: two batches with keys in common, each waiting at a key the other inserted
    # first, would deadlock if they took them in different orders (the caller still gets its
    # transactions in its own order: `_post` looks them up by key).
    entries = sorted(entries, key=lambda e: e.idempotency_key)
    now = timezone.now()
    rows = [
        Transaction(
            public_id=uuid4(),
            kind=e.kind,
            idempotency_key=e.idempotency_key,
            reference_type=e.reference_type,
            reference_id=str(e.reference_id),
            actor=e.actor,
            memo=e.memo[:255],
            created_at=now,
        )
        for e in entries
    ]
    if is_postgresql(connection):
        ids = _insert_postgresql(rows, entries)
    else:
        ids = _insert_plain(rows, entries)
    written = {}
    for row in rows:
        if row.idempotency_key in ids:
            row.pk = ids[row.idempotency_key]
            row._state.adding = False
            row._state.db = connection.alias
            written[row.idempotency_key] = row
    return written


def _insert_postgresql(rows: list[Transaction], entries: list[Entry]) -> dict[str, int]:
    """The transactions and their postings in one statement, an array per column (see
    wallet.bulk): the postings are inserted for the transactions the first insert wrote, joined
    by key. Returns {key: transaction id} of those written."""
    fields = [Transaction._meta.get_field(name) for name in _TRANSACTION_COLUMNS]
    qn = connection.ops.quote_name
    posting = {name: Posting._meta.get_field(name) for name in ("account", "amount")}
    legs = [(e.idempotency_key, account.pk, amount) for e in entries for account, amount in e.legs]
    sql = (
        f"WITH t AS (INSERT INTO {qn(Transaction._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(field.column) for field in fields)}) {unnest_select(fields, connection)} "
        f"ON CONFLICT ({qn('idempotency_key')}) DO NOTHING RETURNING id, idempotency_key), "
        f"p AS (INSERT INTO {qn(Posting._meta.db_table)} (transaction_id, account_id, amount) "
        "SELECT t.id, l.account_id, l.amount FROM unnest(%s::varchar[], "
        f"%s::{array_type(posting['account'], connection)}, "
        f"%s::{array_type(posting['amount'], connection)}) WITH ORDINALITY "
        "AS l(idempotency_key, account_id, amount, n) JOIN t USING (idempotency_key) ORDER BY l.n) "
        "SELECT id, idempotency_key FROM t"
    )
    params = [
        column_values(field, [getattr(row, field.attname) for row in rows], connection)
        for field in fields
    ]
    params += [array_literal(column) for column in zip(*legs, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def _insert_plain(rows: list[Transaction], entries: list[Entry]) -> dict[str, int]:
    """SQLite: the transactions by one INSERT ... ON CONFLICT DO NOTHING RETURNING, then the
    postings of those it wrote by bulk_create."""
    fields = [Transaction._meta.get_field(name) for name in _TRANSACTION_COLUMNS]
    qn = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for row in rows
        for field in fields
    ]
    sql = (
        f"INSERT INTO {qn(Transaction._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(field.column) for field in fields)}) "
        f"VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({qn('idempotency_key')}) DO NOTHING RETURNING id, idempotency_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {key: pk for pk, key in cursor.fetchall()}
    Posting.objects.bulk_create(
        Posting(transaction_id=ids[row.idempotency_key], account_id=account.pk, amount=amount)
        for row, entry in zip(rows, entries, strict=True)
        if row.idempotency_key in ids
        for account, amount in entry.legs
    )
    return ids


def _move_balances(locked: dict[int, Account], deltas: dict[int, Decimal]) -> None:
    """One UPDATE for every user account the batch touched. The new balances are worked out
    here in Decimal from the locked rows (nobody else can change them until we commit), not as
    `balance + delta` in SQL: SQLite would add them as floats."""
    changed = {pk: delta for pk, delta in deltas.items() if delta}
    if not changed:
        return
    for pk, delta in changed.items():
        locked[pk].balance = quantize(locked[pk].balance + delta)
    if is_postgresql(connection):
        # UPDATE ... FROM unnest(ids, balances): a sync page touches hundreds of accounts, and
        # a CASE with a branch per account costs PostgreSQL 15 times as much to plan and run.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Account._meta.db_table} AS a SET balance = v.balance "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, balance) WHERE a.id = v.id",
                [array_literal(changed), array_literal(locked[pk].balance for pk in changed)],
            )
        return
    from django.db.models import Case, Value, When

    new = Case(*(When(pk=pk, then=Value(locked[pk].balance)) for pk in changed))
    Account.objects.filter(pk__in=changed).update(balance=new)


# --- Reconciliation ---------------------------------------------------------------------------


def ledger_problems() -> list[str]:
    """Every broken invariant, described; an empty list means the ledger is sound.

    Sums are grouped in SQL and compared in Python after rounding to paise: SQLite adds
    decimals as floats, and a sum like 0.1 + 0.2 must not read as a mismatch there.

    On PostgreSQL the checks read one snapshot (a REPEATABLE READ READ ONLY transaction): a
    posting committing between two of their queries (the users' balances, then the platform
    balances) would otherwise read as a mismatch. Called inside a transaction already, they
    read in that transaction's isolation instead (its default, READ COMMITTED, can report such
    a mismatch while others post): call it outside one, as `reconcile_ledger` does.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return _problems()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _problems()


def _problems() -> list[str]:
    ahead = list(_ahead_of_the_cluster())
    checks = [_unbalanced_transactions, _drifted_accounts, _stale_rollups, _negative_user_accounts]
    if not ahead:  # the platform balances cannot be read: `_ahead_of_the_cluster` says why
        checks += [_negative_escrow, _ledger_totals, *_registered_checks]
    return [*ahead, *(problem for check in checks for problem in check())]


# Other apps' checks of their platform accounts against their own rows (the marketplace's
# escrow against its open purchases), run by `ledger_problems` in the same snapshot.
_registered_checks: list[Callable[[], Iterable[str]]] = []


def reconciliation_check_register(check: Callable[[], Iterable[str]]) -> None:
    """Add `check` (no arguments; yields a sentence per problem found) to `ledger_problems`,
    and so to `reconcile_ledger`. Call it in the app's ready(); registering the same function
    again keeps one."""
    if check not in _registered_checks:
        _registered_checks.append(check)


def _ahead_of_the_cluster():
    """Rollup watermarks and postings' xids from another cluster (see `ledger_rebase`)."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Posting._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_XMAX}")
        xmax = cursor.fetchone()[0]
        # Each compared in its own statement, with that statement's snapshot.
        cursor.execute(f"SELECT count(*) FROM {table} WHERE xid >= {_XMAX}")  # noqa: S608
        postings = cursor.fetchone()[0]
    ahead = PlatformRollup.objects.filter(
        watermark__gt=RawSQL(_XMAX, (), output_field=BigIntegerField())  # noqa: S611
    )
    for kind, watermark in ahead.order_by("pk").values_list("account__kind", "watermark"):
        yield _ahead_message(
            f"platform account {kind}: its rollup's watermark {watermark} is", xmax
        )
    if postings:
        yield _ahead_message(f"{postings} postings carry transaction ids", xmax)


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
    """A user's cached balance against its postings; a platform account caches nothing."""
    sums = dict(
        Posting.objects.filter(account__user__isnull=False)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    for account in Account.objects.order_by("pk").iterator():
        if account.user_id is None:
            if account.balance != 0:
                yield (
                    f"account {account.pk} (platform {account.kind}) caches {account.balance}: "
                    "a platform account's balance is read from its postings, never cached"
                )
            continue
        total = quantize(sums.get(account.pk) or ZERO)
        if account.balance != total:
            yield (
                f"account {account.pk} (user {account.user_id} {account.kind}) caches "
                f"{account.balance} but its postings sum to {total}"
            )


def _stale_rollups():
    """Each platform account's rollup against its postings up to the rollup's watermark."""
    rollups = list(
        PlatformRollup.objects.order_by("pk").values_list(
            "account_id", "account__kind", "balance", "watermark"
        )
    )
    sums = _sums_by_account(rollups, after_watermark=False)
    for account_id, kind, balance, watermark in rollups:
        total = quantize(sums.get(account_id) or ZERO)
        if balance != total:
            yield (
                f"platform account {kind}: its rollup holds {balance} up to watermark "
                f"{watermark} but its postings there sum to {total}"
            )


def _negative_user_accounts():
    negative = Account.objects.filter(user__isnull=False, balance__lt=0)
    for pk, kind, balance in negative.values_list("pk", "kind", "balance"):
        yield f"account {pk} ({kind}) belongs to a user and is {balance}, below zero"


def _negative_escrow():
    """Each escrow account ("escrow:<purpose>") holds money received and not yet passed on:
    each reconciles on its own and none may be below zero."""
    for kind, balance in platform_balances().items():
        if kind.startswith("escrow:") and balance < 0:
            yield f"escrow account {kind} is {balance}, below zero: it paid out more than it got"


def _ledger_totals():
    posted = quantize(Posting.objects.aggregate(total=Sum("amount"))["total"] or ZERO)
    if posted != 0:
        yield f"the postings of the whole ledger sum to {posted}, not 0"
    users = quantize(
        Account.objects.filter(user__isnull=False).aggregate(total=Sum("balance"))["total"] or ZERO
    )
    balance = quantize(users + sum(platform_balances().values(), ZERO))
    if balance != 0:
        yield f"the balances (users' cached, platform read) of the whole ledger sum to {balance}"
