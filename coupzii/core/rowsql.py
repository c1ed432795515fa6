"""Model instances read by hand-written SELECTs, for the few one-row reads and row locks that
every checkout runs. For those the ORM's own Python (building the queryset, compiling it,
turning the row into a model) costs several times what the database's answer does: about
0.8 ms of CPU against 0.1 ms for one locked row (bench/checkout.py's profile, issue 12), and
the buyers are CPU-bound.

What stays the ORM's: the column list comes from the model's `_meta` (every concrete field, in
order), and each value goes through the converters the ORM applies to that column (a JSON
field's parsing, a backend's own conversions), so the instance is the one `QuerySet.get()`
would have built. Only the WHERE clause is written by hand, with parameters as always.

    shape = rowsql.shape(Account, "a")
    sql = f"SELECT {shape.columns} FROM {shape.table} a WHERE a.id = %s{rowsql.for_update()}"
    account = rowsql.fetch_one(sql, [pk], shape)
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model
from django.db.transaction import TransactionManagementError


class Shape:
    """One model's columns under a table alias, and how to build an instance from them."""

    def __init__(self, model: type[Model], alias: str):
        fields = model._meta.concrete_fields
        qn = connection.ops.quote_name
        self.model = model
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(f"{alias}.{qn(field.column)}" for field in fields)
        self.width = len(fields)
        self._names = [field.attname for field in fields]
        self._converters = []
        for position, field in enumerate(fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self._converters.append((position, column, found))

    def build(self, row: Sequence, start: int = 0) -> Model:
        """The instance from `row[start:start + width]`, as the ORM would have made it."""
        values = list(row[start : start + self.width])
        for position, column, converters in self._converters:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(connection.alias, self._names, values)


@cache
def _shape(model: type[Model], alias: str, vendor: str) -> Shape:
    return Shape(model, alias)


def shape(model: type[Model], alias: str) -> Shape:
    """`model`'s shape under `alias`, built once per process (and database vendor)."""
    return _shape(model, alias, connection.vendor)


def for_update(of: str = "") -> str:
    """The row-lock clause, as `select_for_update(of=...)` would write it: nothing on a database
    without row locks (SQLite, which runs one writer at a time). Outside a transaction it
    raises TransactionManagementError, as the ORM does."""
    if not connection.features.has_select_for_update:
        return ""
    if connection.get_autocommit():
        # As the ORM refuses it: a lock released at the end of its own statement guards nothing.
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    if of and connection.features.has_select_for_update_of:
        return f" FOR UPDATE OF {of}"
    return " FOR UPDATE"


def fetch_all(sql: str, params: Sequence, *shapes: Shape) -> list:
    """Every row of `sql`: an instance per row with one shape, a tuple of instances (one per
    shape, their columns side by side) with several."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if len(shapes) == 1:
        return [shapes[0].build(row) for row in found]
    result = []
    for row in found:
        start, built = 0, []
        for one in shapes:
            built.append(one.build(row, start))
            start += one.width
        result.append(tuple(built))
    return result


def fetch_one(sql: str, params: Sequence, *shapes: Shape):
    """The first row of `sql` as `fetch_all` builds it, or None."""
    found = fetch_all(sql, params, *shapes)
    return found[0] if found else None
