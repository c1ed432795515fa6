"""Making codes: from a pattern, or imported from a CSV or Excel file.

Both can run in chunks, each chunk its own transaction holding the book's write lock, with a
callback inside that transaction (`on_progress`), so a caller can record its progress in the
same commit as the codes it describes: a job that dies part way resumes from exactly there.
"""

import csv
import io
import itertools
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from coupzii.core.validators import code_problem

from .. import errors
from ..models import (
    AuditAction,
    BookStatus,
    CodeStatus,
    CouponBook,
    CouponCode,
)
from .common import (
    CODE_MAX_LENGTH,
    IMPORT_HEADERS,
    IMPORT_INVALID_ROWS_SHOWN,
    IMPORT_MAX_BYTES,
    MAX_GENERATE,
    MAX_TOP_UP_ROUNDS,
    MIN_SPACE_FACTOR,
    PATTERN_CHARSETS,
    PATTERN_LITERAL,
    WRITE_BATCH,
    _audit,
    _refusal,
    _refusals_audited,
)

logger = logging.getLogger(__name__)

# A run of random positions is spelled from one precomputed table of all its spellings, up to
# this many entries (a few MB): one divmod and one lookup per run instead of one per position.
SPELLING_TABLE_MAX = 1 << 16
# From this many codes at once, characters are drawn from bulk random bytes (see random_codes).
BULK_DRAW_MIN = 1_000
# Codes written by one COPY on PostgreSQL.
COPY_BATCH = 50_000
_TABLE = CouponCode._meta.db_table
# Problem rows an import keeps with their line and value (the counts cover every row).
IMPORT_PROBLEMS_KEPT = 1_000
# Codes looked up in one `IN (...)`: under SQLite's default limit of host parameters.
LOOKUP_BATCH = 900

# Why an imported row was not added.
DUPLICATE_IN_FILE = "duplicate_in_file"
DUPLICATE_IN_BOOK = "duplicate_in_book"
INVALID_CHARACTERS = "invalid_characters"
TOO_LONG = "too_long"
# The report's count for each problem.
_PROBLEM_COUNTS = {
    DUPLICATE_IN_FILE: "duplicates_in_file",
    DUPLICATE_IN_BOOK: "duplicates_in_book",
    INVALID_CHARACTERS: "invalid_characters",
    TOO_LONG: "too_long",
}

# --- Patterns --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodePattern:
    """A parsed code pattern: each position is a literal or a set of characters."""

    positions: tuple[str, ...]
    literal: tuple[bool, ...]

    @property
    def space(self) -> int:
        """How many different codes the pattern can make."""
        total = 1
        for chars, is_literal in zip(self.positions, self.literal, strict=True):
            if not is_literal:
                total *= len(chars)
        return total

    def random_code(self) -> str:
        # One uniform draw over the whole space, spelled out in mixed radix (the last position
        # least significant): exactly uniform, and one call into the OS's random source.
        return self.spell(secrets.randbelow(self.space))

    def random_codes(self, count: int) -> set[str]:
        """`count` distinct random codes (repeats drawn again).

        A few codes take one draw each over the whole space (`random_code`). Many take each
        random position's characters from bulk random bytes: a draw per code costs a call
        into the OS's random source, most of the time of a million codes. Both are exactly
        uniform over the pattern's space.
        """
        draw = self._codes_from_bytes if count >= BULK_DRAW_MIN else self._codes_one_by_one
        codes: set[str] = set()
        while len(codes) < count:
            codes.update(draw(count - len(codes)))
        return codes

    def _codes_one_by_one(self, count: int) -> list[str]:
        space, spell = self.space, self.spell
        return [spell(secrets.randbelow(space)) for _ in range(count)]

    def _codes_from_bytes(self, count: int) -> list[str]:
        # One column of `count` characters per random position, drawn independently and
        # uniformly; the code's literal text stays in the template.
        columns = [
            _uniform_characters(chars, count)
            for chars, is_literal in zip(self.positions, self.literal, strict=True)
            if not is_literal
        ]
        template = "".join(
            "{}" if not is_literal else chars
            for chars, is_literal in zip(self.positions, self.literal, strict=True)
        )
        return list(map(template.format, *columns))

    def spell(self, number: int) -> str:
        """The code with this number (0 <= number < space)."""
        pieces = []
        for piece in reversed(self._pieces):
            if isinstance(piece, str):
                pieces.append(piece)
            else:
                number, index = divmod(number, len(piece))
                pieces.append(piece[index])
        return "".join(reversed(pieces))

    @property
    def _pieces(self) -> tuple:
        # Literal text as str; each run of random positions as a tuple of its spellings in
        # mixed-radix order (itertools.product varies the last position fastest).
        cached = self.__dict__.get("_pieces_cache")
        if cached is None:
            cached = tuple(self._build_pieces())
            object.__setattr__(self, "_pieces_cache", cached)
        return cached

    def _build_pieces(self) -> Iterator:
        run: list[str] = []
        size = 1
        for chars, is_literal in zip(self.positions, self.literal, strict=True):
            if is_literal or size * len(chars) > SPELLING_TABLE_MAX:
                if run:
                    yield tuple("".join(spelling) for spelling in itertools.product(*run))
                run, size = [], 1
            if is_literal:
                yield chars
            else:
                run.append(chars)
                size *= len(chars)
        if run:
            yield tuple("".join(spelling) for spelling in itertools.product(*run))


def _uniform_characters(chars: str, count: int) -> str:
    """`count` characters of `chars`, each uniform and independent, from secrets' random
    bytes: a byte below the largest multiple of len(chars) under 256 picks chars[byte % n],
    the others are dropped (so no character is likelier than another)."""
    size = len(chars)
    keep_below = 256 - 256 % size
    table = bytes(ord(chars[byte % size]) if byte < keep_below else 0 for byte in range(256))
    dropped = bytes(range(keep_below, 256))
    drawn = bytearray()
    while len(drawn) < count:
        missing = count - len(drawn)
        raw = secrets.token_bytes(missing * 256 // keep_below + 16)
        drawn += raw.translate(table, dropped)
    return drawn[:count].decode("ascii")


def code_pattern_parse(pattern: str) -> CodePattern:
    """Parse '#' (digit), '?' (letter), '*' (either); letters, digits, '-' and '_' are copied.

    Raises InvalidPattern for other characters, a pattern without any random position, or
    one longer than a code may be.
    """
    if not pattern or len(pattern) > CODE_MAX_LENGTH:
        raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r}")
    positions, literal = [], []
    for char in pattern:
        if char in PATTERN_CHARSETS:
            positions.append(PATTERN_CHARSETS[char])
            literal.append(False)
        elif PATTERN_LITERAL.fullmatch(char):
            positions.append(char)
            literal.append(True)
        else:
            raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r}")
    if all(literal):
        raise _refusal(errors.InvalidPattern(), reason=f"pattern {pattern!r} has no '#?*'")
    return CodePattern(positions=tuple(positions), literal=tuple(literal))


# --- Writing codes ---------------------------------------------------------------------------


def _lock_book_for_writing(book_id: int) -> CouponBook:
    # NO KEY UPDATE, not UPDATE: claims and audit rows take KEY SHARE on the book through
    # their foreign keys, and must not wait for a long import.
    return CouponBook.objects.select_for_update(no_key=True).get(pk=book_id)


def _insert_codes(*, book_id: int, codes: list[str]) -> int:
    """Insert the codes the book does not have yet; returns how many were new.

    The caller holds the book's write lock (`_lock_book_for_writing`)."""
    now = timezone.now()
    created = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(codes), COPY_BATCH):
                batch = codes[start : start + COPY_BATCH]
                created += _copy_new_codes(cursor, book_id=book_id, codes=batch, now=now)
            return created
        for start in range(0, len(codes), WRITE_BATCH):
            cursor.executemany(
                f"INSERT INTO {_TABLE} "  # noqa: S608 (the table name is ours)
                "(book_id, code, status, redemption_count, created_at, updated_at) "
                "VALUES (%s, %s, %s, 0, %s, %s) ON CONFLICT DO NOTHING",
                [
                    (book_id, code, CodeStatus.AVAILABLE, now, now)
                    for code in codes[start : start + WRITE_BATCH]
                ],
            )
            created += cursor.rowcount
    return created


def _copy_new_codes(cursor, *, book_id: int, codes: list[str], now) -> int:
    # Under the book's write lock nobody else adds codes to it, so one probe of its unique
    # index finds the codes it already has, and COPY writes the others: PostgreSQL's fastest
    # load (multi-row heap inserts), against ON CONFLICT's speculative insert of every row.
    # Should a code turn up all the same, the batch is written again with ON CONFLICT.
    cursor.execute(
        f"SELECT code FROM {_TABLE} WHERE book_id = %s AND code = ANY(%s)",  # noqa: S608
        [book_id, codes],
    )
    existing = {row[0] for row in cursor.fetchall()}
    new = [code for code in codes if code not in existing] if existing else codes
    if not new:
        return 0
    # Codes are letters, digits, '-' and '_' (code_problem, the pattern's alphabet): nothing
    # in them needs escaping in COPY's text format.
    stamp = now.isoformat()
    tail = f"\t{CodeStatus.AVAILABLE}\t0\t{stamp}\t{stamp}\n"
    text = "".join(f"{book_id}\t{code}{tail}" for code in new)
    try:
        with (
            transaction.atomic(),
            cursor.copy(
                f"COPY {_TABLE} (book_id, code, status, redemption_count, created_at, "
                "updated_at) FROM STDIN"
            ) as copy,
        ):
            copy.write(text)
    except IntegrityError:
        cursor.execute(
            f"INSERT INTO {_TABLE} "
            "(book_id, code, status, redemption_count, created_at, updated_at) "
            "SELECT %s, unnest(%s::text[]), %s, 0, %s, %s ON CONFLICT DO NOTHING",
            [book_id, new, CodeStatus.AVAILABLE, now, now],
        )
        return cursor.rowcount
    return len(new)


def _codes_in_book(*, book_id: int, codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), LOOKUP_BATCH):
        found.update(
            CouponCode.objects.filter(
                book_id=book_id, code__in=codes[start : start + LOOKUP_BATCH]
            ).values_list("code", flat=True)
        )
    return found


def _refuse_over_cap(*, max_codes: int | None, holding: int) -> None:
    if max_codes is not None and holding > max_codes:
        message = gettext("This book may hold at most %(max)s codes.") % {"max": f"{max_codes:,}"}
        raise _refusal(
            errors.InvalidCount(message),
            reason=f"the book would hold {holding} codes, at most {max_codes}",
        )


# --- Generate --------------------------------------------------------------------------------


def codes_generate(
    *,
    book: CouponBook,
    count: int,
    actor=None,
    chunk_size: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    max_codes: int | None = None,
) -> int:
    """Add `count` new random codes to the book, made from its `code_pattern`; returns `count`.

    Codes come from `secrets`. Random codes can collide with each other or with the book's
    codes: the generator tops up until exactly `count` new codes exist.

    With `chunk_size`, the codes are written `chunk_size` at a time, each chunk in its own
    transaction with its own audit row; `on_progress(created so far)` runs inside each
    chunk's transaction, after its codes are written (raise in it to roll the chunk back).
    A refusal in a later chunk leaves the earlier chunks' codes. `max_codes` caps how many
    codes the book may hold once this is done.

    Raises InvalidCount (not 1..1,000,000, or over `max_codes`), InvalidPattern,
    PatternTooWeak (the pattern's space is less than ten times the codes the book would
    hold), BookClosed.
    """
    with _refusals_audited(action=AuditAction.GENERATE, book_id=book.pk, actor=actor):
        if not isinstance(count, int) or not 1 <= count <= MAX_GENERATE:
            raise _refusal(errors.InvalidCount(), reason=f"count {count!r}")
        chunk_size = max(1, chunk_size or count)
        created = 0
        existing = None
        while created < count:
            with transaction.atomic(durable=True):
                locked_book = _lock_book_for_writing(book.pk)
                if locked_book.status == BookStatus.CLOSED:
                    raise _refusal(errors.BookClosed())
                pattern = code_pattern_parse(locked_book.code_pattern)
                if existing is None:
                    # Counted once: later chunks add what they made (a full count of a
                    # million-code book per chunk would cost more than the chunk).
                    existing = CouponCode.objects.filter(book_id=book.pk).count()
                    _refuse_weak_pattern(locked_book, pattern, holding=existing + count)
                    _refuse_over_cap(max_codes=max_codes, holding=existing + count)
                made = _generate_chunk(
                    book_id=book.pk, pattern=pattern, count=min(chunk_size, count - created)
                )
                created += made
                _audit(
                    book_id=book.pk,
                    action=AuditAction.GENERATE,
                    ok=True,
                    actor=actor,
                    reason=f"{made} codes from pattern {locked_book.code_pattern}",
                )
                if on_progress is not None:
                    on_progress(created)
    return created


def _refuse_weak_pattern(book: CouponBook, pattern: CodePattern, *, holding: int) -> None:
    if pattern.space < MIN_SPACE_FACTOR * holding:
        raise _refusal(
            errors.PatternTooWeak(),
            reason=f"pattern {book.code_pattern!r} makes {pattern.space} codes; {holding} asked",
        )


def _generate_chunk(*, book_id: int, pattern: CodePattern, count: int) -> int:
    created = 0
    for _round in range(MAX_TOP_UP_ROUNDS):
        created += _insert_codes(book_id=book_id, codes=list(pattern.random_codes(count - created)))
        if created >= count:
            return created
    # pragma: no cover - needs a space far smaller than MIN_SPACE_FACTOR allows
    raise _refusal(errors.PatternTooWeak(), reason="too many collisions")


# --- Import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did with each row: counts of every kind, and the first problem rows
    with their line (CSV line or spreadsheet row) and value."""

    rows: int = 0
    created: int = 0
    duplicates_in_file: int = 0
    duplicates_in_book: int = 0
    invalid_characters: int = 0
    too_long: int = 0
    problems: list[dict] = field(default_factory=list)

    @property
    def invalid(self) -> int:
        return self.invalid_characters + self.too_long

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_file + self.duplicates_in_book

    def add_problem(self, *, line: int, code: str, problem: str) -> None:
        count = _PROBLEM_COUNTS[problem]
        setattr(self, count, getattr(self, count) + 1)
        if len(self.problems) < IMPORT_PROBLEMS_KEPT:
            self.problems.append({"line": line, "code": code[:80], "problem": problem})

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "ImportReport":
        known = {name: value for name, value in (data or {}).items() if name in cls.__annotations__}
        return cls(**known)


def codes_import(
    *,
    book: CouponBook,
    rows: Iterable[tuple[int, str]],
    actor=None,
    chunk_size: int | None = None,
    on_progress: Callable[[ImportReport], None] | None = None,
    max_codes: int | None = None,
    resume: ImportReport | None = None,
) -> ImportReport:
    """Add the codes of `rows` ((line, value) pairs, as `code_rows_from_csv` and
    `code_rows_from_xlsx` read them) to the book, and report on every row: added, repeated
    earlier in the file, already in the book, invalid characters, too long.

    With `chunk_size`, every `chunk_size` valid codes are written in their own transaction
    with their own audit row, and `on_progress(report so far)` runs inside it. `resume`, the
    report of an earlier run that stopped, skips the rows it covered (they are still read, so
    a later repeat of one of them is still a duplicate in the file). `max_codes` caps how many
    codes the book may hold.

    Raises ImportInvalid (from the row reader), InvalidCount (over `max_codes`), BookClosed.
    """
    report = resume or ImportReport()
    skip = report.rows
    with _refusals_audited(action=AuditAction.IMPORT, book_id=book.pk, actor=actor):
        seen: set[str] = set()
        pending: list[tuple[int, str]] = []
        chunk = _ChunkTally(report)
        for index, (line, value) in enumerate(rows):
            problem = _row_problem(value)
            if index < skip:
                if problem is None:
                    seen.add(value)
                continue
            report.rows += 1
            if problem is None and value in seen:
                problem = DUPLICATE_IN_FILE
            if problem is not None:
                report.add_problem(line=line, code=value, problem=problem)
                continue
            seen.add(value)
            pending.append((line, value))
            if chunk_size and len(pending) >= chunk_size:
                _import_chunk(book, pending, report, chunk, actor, on_progress, max_codes)
                pending = []
        _import_chunk(book, pending, report, chunk, actor, on_progress, max_codes)
    return report


def _row_problem(value: str) -> str | None:
    if code_problem(value, max_length=CODE_MAX_LENGTH) is None:
        return None
    return TOO_LONG if len(value) > CODE_MAX_LENGTH else INVALID_CHARACTERS


class _ChunkTally:
    """The report's counts when the last chunk was written, for each chunk's audit row."""

    def __init__(self, report: ImportReport):
        self.created, self.duplicates, self.invalid = (
            report.created,
            report.duplicates,
            report.invalid,
        )

    def reason_and_reset(self, report: ImportReport) -> str:
        reason = (
            f"created {report.created - self.created}, "
            f"duplicates {report.duplicates - self.duplicates}, "
            f"invalid {report.invalid - self.invalid}"
        )
        self.__init__(report)
        return reason


def _import_chunk(book, pending, report, chunk, actor, on_progress, max_codes) -> None:
    with transaction.atomic(durable=True):
        locked_book = _lock_book_for_writing(book.pk)
        if locked_book.status == BookStatus.CLOSED:
            raise _refusal(errors.BookClosed())
        codes = [value for _line, value in pending]
        # Under the book's write lock nobody else adds codes to it, so what is not in the
        # book now is exactly what the insert below adds.
        in_book = _codes_in_book(book_id=book.pk, codes=codes)
        if max_codes is not None and codes:
            holding = CouponCode.objects.filter(book_id=book.pk).count()
            _refuse_over_cap(max_codes=max_codes, holding=holding + len(codes) - len(in_book))
        new = [code for code in codes if code not in in_book]
        report.created += _insert_codes(book_id=book.pk, codes=new)
        for line, value in pending:
            if value in in_book:
                report.add_problem(line=line, code=value, problem=DUPLICATE_IN_BOOK)
        _audit(
            book_id=book.pk,
            action=AuditAction.IMPORT,
            ok=True,
            actor=actor,
            reason=chunk.reason_and_reset(report),
        )
        if on_progress is not None:
            on_progress(report)


def codes_import_csv(*, book: CouponBook, file, actor=None) -> dict:
    """Add the codes of a CSV file (the first column of each row) to the book.

    A header row ("code", "coupon code" ...) is skipped if present, blank rows are ignored,
    values are stripped. A code is 1 to 64 of A-Z a-z 0-9 - _. Returns
    {"created", "duplicates" (repeated in the file or already in the book), "invalid",
    "invalid_rows" (the first 20 line numbers)}.

    Raises ImportInvalid (not UTF-8 text, larger than 20 MB), BookClosed.
    """
    with _refusals_audited(action=AuditAction.IMPORT, book_id=book.pk, actor=actor):
        rows = code_rows_from_csv(file)
    report = codes_import(book=book, rows=rows, actor=actor)
    invalid_rows = [
        problem["line"]
        for problem in report.problems
        if problem["problem"] in (INVALID_CHARACTERS, TOO_LONG)
    ]
    return {
        "created": report.created,
        "duplicates": report.duplicates,
        "invalid": report.invalid,
        "invalid_rows": invalid_rows[:IMPORT_INVALID_ROWS_SHOWN],
    }


# --- Reading files ---------------------------------------------------------------------------


def code_rows_from_csv(file) -> Iterator[tuple[int, str]]:
    """(line number, stripped first cell) of each non-blank row of a UTF-8 CSV file (bytes,
    text, or a file of either), a first row naming the column ("code" ...) left out.

    Raises ImportInvalid (not UTF-8, larger than 20 MB, not CSV) before the first row for
    the encoding and size, while reading for broken CSV.
    """
    text = _csv_text(file)
    reader = csv.reader(io.StringIO(text, newline=""))
    return _first_cells(
        ((reader.line_num, row) for row in reader), on_error=csv.Error, header_check=True
    )


def _first_cells(numbered_rows, *, on_error, header_check: bool) -> Iterator[tuple[int, str]]:
    first_row = True
    try:
        for line, row in numbered_rows:
            cells = ["" if cell is None else _cell_text(cell) for cell in row]
            if not any(cell.strip() for cell in cells):
                continue
            value = cells[0].strip()
            is_first, first_row = first_row, False
            if header_check and is_first and value.lower() in IMPORT_HEADERS:
                continue
            yield line, value
    except on_error as exc:
        raise _refusal(errors.ImportInvalid(), reason=f"unreadable: {exc}"[:150]) from exc


def _cell_text(cell) -> str:
    # Excel keeps a code typed as 123456 as a number; 123456.0 is the same code.
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _csv_text(file) -> str:
    data = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else file
    if isinstance(data, bytes | bytearray):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        try:
            return bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refusal(errors.ImportInvalid(), reason="not UTF-8") from exc
    if isinstance(data, str):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        return data.removeprefix("\ufeff")
    raise _refusal(errors.ImportInvalid(), reason=f"unreadable {type(data).__name__}")


def code_rows_from_xlsx(file) -> Iterator[tuple[int, str]]:
    """(row number, first cell as text) of each non-blank row of the first sheet of an Excel
    (.xlsx) file, a first row naming the column left out. Raises ImportInvalid for a file
    that is not an Excel workbook or is larger than 20 MB."""
    import zipfile

    from openpyxl import load_workbook

    data = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else file
    if not isinstance(data, bytes | bytearray) or len(data) > IMPORT_MAX_BYTES:
        raise _refusal(errors.ImportInvalid(), reason="not bytes, or larger than 20 MB")
    try:
        # read_only streams the sheet's XML instead of building every cell in memory.
        workbook = load_workbook(io.BytesIO(bytes(data)), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise _refusal(errors.ImportInvalid(), reason="not an Excel workbook") from exc
    numbered = (
        (number, row)
        for number, row in enumerate(
            sheet.iter_rows(min_col=1, max_col=1, values_only=True), start=1
        )
    )
    return _closing(
        _first_cells(
            numbered, on_error=(zipfile.BadZipFile, KeyError, ValueError), header_check=True
        ),
        workbook,
    )


def _closing(rows: Iterator, workbook) -> Iterator:
    try:
        yield from rows
    finally:
        workbook.close()
