"""On PostgreSQL, refuse UPDATE and DELETE of ledger postings and transactions in the database
itself: a correction is a new transaction, whoever runs the SQL."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION wallet_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: post a reversing transaction instead', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER wallet_posting_append_only BEFORE UPDATE OR DELETE ON wallet_posting
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();
CREATE TRIGGER wallet_transaction_append_only BEFORE UPDATE OR DELETE ON wallet_transaction
    FOR EACH ROW EXECUTE FUNCTION wallet_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS wallet_posting_append_only ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_transaction_append_only ON wallet_transaction;
DROP FUNCTION IF EXISTS wallet_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the function body has a literal % (RAISE formatting), not a placeholder.
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(TRIGGERS, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
