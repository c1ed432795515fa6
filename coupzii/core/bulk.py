"""Bulk statements with one array parameter per column on PostgreSQL, instead of one
placeholder per value.

psycopg binds parameters on the client (Django's default): it splits the statement's text at
every placeholder and quotes every value into it, and a statement longer than a few kilobytes
is parsed again on every call. A sync page's `IN` of 500 ids or `INSERT` of 500 rows x 22
columns spent more time there than PostgreSQL spent running it. The same statement with an
array per column (`= ANY(%s)`, `unnest(%s, %s, ...)`) is a few hundred characters, parsed once
per process. Each array is sent as the text of an array literal (`{"a","b",NULL}`) built here
with plain string operations: psycopg's own list dumper escapes element by element through a
regular expression, which cost as much again.

SQLite has no arrays: there every helper falls back to the plain form.

Here in coupzii.core (it imports no app) so that every app's bulk writes can use it: the
ledger and the cashback sync (wallet), the notices (accounts).
"""

import datetime
import json
import re
import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import In

# Values whose text is what the column's input function reads, passed as they are; anything
# else goes through the field's own get_db_prep_save first.
_PLAIN = (str, int, Decimal, uuid.UUID, datetime.date)


def is_postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


def array_type(field: models.Field, connection) -> str:
    """The SQL array type a column's values are sent as: the column's type without its length
    or precision (`varchar(64)` -> `varchar[]`), so a value too long for the column is refused
    by the insert, as in the plain form, rather than cut to fit by the cast."""
    db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.JSONField):
        db_type = "jsonb"
    return re.sub(r"\(.*\)", "", db_type).strip() + "[]"


def array_literal(values) -> str:
    """`{"v1","v2",NULL}`: every element quoted, with its backslashes and quotes escaped, so
    any text (commas, braces, spaces) reads back as itself."""
    values = list(values)
    if values and None not in values:
        texts = list(map(str, values))
        joined = "\x00".join(texts)
        if '"' not in joined and "\\" not in joined:  # the usual case: nothing to escape
            return '{"' + '","'.join(texts) + '"}'
    return "{" + ",".join(map(_quoted, values)) + "}"


def _quoted(value) -> str:
    if value is None:
        return "NULL"
    text = str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


# Values whose text never holds a comma, brace, quote, backslash or space (digits, signs, a
# point, hex and dashes, an ISO date): sent bare, with no quoting or escaping to do. Exact
# types: not bool (a subclass of int), not datetime (of date; its text has a space).
_NONE = type(None)
_BARE = {int, Decimal, uuid.UUID, datetime.date, _NONE}
# Values passed as they are without asking the field (see _plain); a datetime is checked.
_READY = {str, int, Decimal, uuid.UUID, datetime.date, _NONE}


def column_values(field: models.Field, values, connection) -> str:
    """One column's values as the array parameter of `unnest_select` or `AnyOf` wants them."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.JSONField):
        # None is SQL NULL, as Django's JSONField stores it.
        return array_literal(
            None if value is None else json.dumps(value, cls=target.encoder) for value in values
        )
    values = list(values)
    types = set(map(type, values))
    if not types <= _READY:
        prep = target.get_db_prep_save
        values = [
            value if value is None or _plain(value) else prep(value, connection) for value in values
        ]
        types = set(map(type, values))
    if types <= _BARE:
        if _NONE not in types:
            return "{" + ",".join(map(str, values)) + "}"
        return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"
    if datetime.datetime in types:
        # A time's text costs some 10 microseconds to make, and a batch's rows often share
        # theirs (created_at, updated_at): each distinct one is made once.
        texts: dict = {}
        values = [
            texts.get(value) or texts.setdefault(value, str(value))
            if type(value) is datetime.datetime
            else value
            for value in values
        ]
    return array_literal(values)


def _plain(value) -> bool:
    if isinstance(value, datetime.datetime):
        return value.tzinfo is not None  # a naive one gets Django's warning and zone
    return isinstance(value, _PLAIN) and not isinstance(value, bool)


class AnyOf(Lookup):
    """`column IN (values)`, sent on PostgreSQL as `column = ANY(%s::type[])` with the values
    as one parameter. Use it as an expression: `.filter(AnyOf(F("pk"), ids))`."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if not is_postgresql(connection):
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        target = field.target_field if field.is_relation else field
        values = [target.get_prep_value(value) for value in self.rhs]
        return (
            f"{lhs_sql} = ANY(%s::{array_type(field, connection)})",
            (*lhs_params, column_values(field, values, connection)),
        )


def unnest_select(fields: list[models.Field], connection) -> str:
    """`SELECT c0, c1 ... FROM unnest(%s::t0[], %s::t1[], ...)`: one row per position of the
    arrays (`column_values` of each field), in their order."""
    arrays = ", ".join(f"%s::{array_type(field, connection)}" for field in fields)
    names = ", ".join(f"c{n}" for n in range(len(fields)))
    return f"SELECT {names} FROM unnest({arrays}) WITH ORDINALITY AS v({names}, n) ORDER BY n"  # noqa: S608
