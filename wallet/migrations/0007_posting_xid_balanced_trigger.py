"""On PostgreSQL: each posting records the id of the database transaction that inserted it, and
the database refuses, at commit, a ledger transaction whose postings do not sum to zero or
have fewer than two legs.

`xid` is what the platform balance rollup's watermark is compared with (wallet.ledger): posting
ids are handed out at insert, so a posting with a lower id can commit after one with a higher
id and an id watermark could skip it; a rollup counts only postings whose inserting transaction
is older than the oldest one still running, which can no longer change. The column is not on
the Django model: PostgreSQL fills it (the default), and only the ledger's SQL reads it.
Existing postings get 0 (older than any watermark).

The balance check is a deferred constraint trigger: it runs at commit, after every leg of the
transaction is in, once per posting and per transaction row (an index lookup each). SQLite has
neither; `ledger_problems()` checks the same there.
"""

from django.db import migrations

XID = """
ALTER TABLE wallet_posting ADD COLUMN xid bigint NOT NULL DEFAULT 0;
ALTER TABLE wallet_posting ALTER COLUMN xid SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX wallet_posting_account_xid ON wallet_posting (account_id, xid);
"""

BALANCED = """
CREATE OR REPLACE FUNCTION wallet_transaction_balanced() RETURNS trigger AS $$
DECLARE
    txn bigint;
    total numeric;
    legs integer;
BEGIN
    IF TG_TABLE_NAME = 'wallet_posting' THEN
        txn := NEW.transaction_id;
    ELSE
        txn := NEW.id;
    END IF;
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs
        FROM wallet_posting WHERE transaction_id = txn;
    IF legs < 2 OR total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % legs summing to %',
            txn, legs, total
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER wallet_posting_balanced AFTER INSERT ON wallet_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION wallet_transaction_balanced();
CREATE CONSTRAINT TRIGGER wallet_transaction_balanced AFTER INSERT ON wallet_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION wallet_transaction_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS wallet_posting_balanced ON wallet_posting;
DROP TRIGGER IF EXISTS wallet_transaction_balanced ON wallet_transaction;
DROP FUNCTION IF EXISTS wallet_transaction_balanced();
DROP INDEX IF EXISTS wallet_posting_account_xid;
ALTER TABLE wallet_posting DROP COLUMN IF EXISTS xid;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(XID, params=None)
        # params=None: the function body has literal % (RAISE formatting), not placeholders.
        schema_editor.execute(BALANCED, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0006_platform_accounts_insert_only")]

    operations = [migrations.RunPython(create, drop)]
