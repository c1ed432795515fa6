"""The bulk statement helpers (one array parameter per column on PostgreSQL) live in
`coupzii.core.bulk`, where the other apps' bulk writes can use them too; the ledger and the
cashback sync import them from here."""

from coupzii.core.bulk import (
    AnyOf,
    array_literal,
    array_type,
    column_values,
    is_postgresql,
    unnest_select,
)

__all__ = [
    "AnyOf",
    "array_literal",
    "array_type",
    "column_values",
    "is_postgresql",
    "unnest_select",
]
