"""Making codes: from a pattern, or imported from a CSV file."""

import csv
import io
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction

from coupzii.core.validators import code_problem

from .. import errors
from ..models import (
    AuditAction,
    BookStatus,
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

# --- Generating and importing codes ----------------------------------------------------------


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
        # One uniform draw over the whole space, spelled out in mixed radix: exactly uniform,
        # and far fewer calls into the OS's random source than one per character.
        number = secrets.randbelow(self.space)
        chars = []
        for position, is_literal in zip(
            reversed(self.positions), reversed(self.literal), strict=True
        ):
            if is_literal:
                chars.append(position)
            else:
                number, index = divmod(number, len(position))
                chars.append(position[index])
        return "".join(reversed(chars))


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


def _lock_book_for_writing(book_id: int) -> CouponBook:
    # NO KEY UPDATE, not UPDATE: claims and audit rows take KEY SHARE on the book through
    # their foreign keys, and must not wait for a long import.
    return CouponBook.objects.select_for_update(no_key=True).get(pk=book_id)


def _insert_codes(*, book_id: int, codes: list[str]) -> int:
    """Insert the codes the book does not have yet; returns how many were new.

    The caller holds the book's write lock, so the count difference is ours alone.
    """
    before = CouponCode.objects.filter(book_id=book_id).count()
    for start in range(0, len(codes), WRITE_BATCH):
        CouponCode.objects.bulk_create(
            [CouponCode(book_id=book_id, code=code) for code in codes[start : start + WRITE_BATCH]],
            ignore_conflicts=True,
        )
    return CouponCode.objects.filter(book_id=book_id).count() - before


def codes_generate(*, book: CouponBook, count: int, actor=None) -> int:
    """Add `count` new random codes to the book, made from its `code_pattern`; returns `count`.

    Codes come from `secrets`. Random codes can collide with each other or with the book's
    codes: the generator tops up until exactly `count` new codes exist.

    Raises InvalidCount (not 1..1,000,000), InvalidPattern, PatternTooWeak (the pattern's
    space is less than ten times the codes the book would hold), BookClosed.
    """
    with _refusals_audited(action=AuditAction.GENERATE, book_id=book.pk, actor=actor):
        if not isinstance(count, int) or not 1 <= count <= MAX_GENERATE:
            raise _refusal(errors.InvalidCount(), reason=f"count {count!r}")
        with transaction.atomic(durable=True):
            locked_book = _lock_book_for_writing(book.pk)
            if locked_book.status == BookStatus.CLOSED:
                raise _refusal(errors.BookClosed())
            pattern = code_pattern_parse(locked_book.code_pattern)
            existing = CouponCode.objects.filter(book_id=book.pk).count()
            if pattern.space < MIN_SPACE_FACTOR * (existing + count):
                raise _refusal(
                    errors.PatternTooWeak(),
                    reason=(
                        f"pattern {locked_book.code_pattern!r} makes {pattern.space} codes; "
                        f"{existing} + {count} asked"
                    ),
                )
            created = 0
            for _round in range(MAX_TOP_UP_ROUNDS):
                missing = count - created
                batch: set[str] = set()
                while len(batch) < missing:
                    batch.add(pattern.random_code())
                created += _insert_codes(book_id=book.pk, codes=list(batch))
                if created >= count:
                    break
            else:  # pragma: no cover - needs a space far smaller than MIN_SPACE_FACTOR allows
                raise _refusal(errors.PatternTooWeak(), reason="too many collisions")
            _audit(
                book_id=book.pk,
                action=AuditAction.GENERATE,
                ok=True,
                actor=actor,
                reason=f"{created} codes from pattern {locked_book.code_pattern}",
            )
    return created


def codes_import_csv(*, book: CouponBook, file, actor=None) -> dict:
    """Add the codes of a CSV file (the first column of each row) to the book.

    A header row ("code", "coupon code" ...) is skipped if present, blank rows are ignored,
    values are stripped. A code is 1 to 64 of A-Z a-z 0-9 - _. Returns
    {"created", "duplicates" (repeated in the file or already in the book), "invalid",
    "invalid_rows" (the first 20 line numbers)}.

    Raises ImportInvalid (not UTF-8 text, larger than 20 MB), BookClosed.
    """
    with _refusals_audited(action=AuditAction.IMPORT, book_id=book.pk, actor=actor):
        codes, duplicates, invalid_rows = _codes_from_csv(file)
        with transaction.atomic(durable=True):
            locked_book = _lock_book_for_writing(book.pk)
            if locked_book.status == BookStatus.CLOSED:
                raise _refusal(errors.BookClosed())
            created = _insert_codes(book_id=book.pk, codes=codes)
            duplicates += len(codes) - created
            report = {
                "created": created,
                "duplicates": duplicates,
                "invalid": len(invalid_rows),
                "invalid_rows": invalid_rows[:IMPORT_INVALID_ROWS_SHOWN],
            }
            _audit(
                book_id=book.pk,
                action=AuditAction.IMPORT,
                ok=True,
                actor=actor,
                reason=f"created {created}, duplicates {duplicates}, invalid {len(invalid_rows)}",
            )
    return report


def _codes_from_csv(file) -> tuple[list[str], int, list[int]]:
    """(unique valid codes in file order, duplicates within the file, invalid line numbers)."""
    data = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else file
    if isinstance(data, bytes | bytearray):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _refusal(errors.ImportInvalid(), reason="not UTF-8") from exc
    elif isinstance(data, str):
        if len(data) > IMPORT_MAX_BYTES:
            raise _refusal(errors.ImportInvalid(), reason="larger than 20 MB")
        text = data.removeprefix("\ufeff")
    else:
        raise _refusal(errors.ImportInvalid(), reason=f"unreadable {type(data).__name__}")

    codes: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    invalid_rows: list[int] = []
    first_row = True
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            value = row[0].strip()
            is_first, first_row = first_row, False
            if is_first and value.lower() in IMPORT_HEADERS:
                continue
            if code_problem(value, max_length=CODE_MAX_LENGTH):
                invalid_rows.append(reader.line_num)
                continue
            if value in seen:
                duplicates += 1
                continue
            seen.add(value)
            codes.append(value)
    except csv.Error as exc:
        raise _refusal(errors.ImportInvalid(), reason=f"CSV error: {exc}") from exc
    return codes, duplicates, invalid_rows
