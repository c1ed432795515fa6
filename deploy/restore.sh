#!/bin/sh
# Restore a dump made by backup.sh into the database DATABASE_URL names, which must exist and
# be empty (`createdb coupzii_restore`): restoring over live data is refused. All or nothing:
# the restore is one transaction, stopped by the first error.
#
#   DATABASE_URL=postgres://coupzii:...@host:5432/coupzii_restore deploy/restore.sh FILE
#
# It then rebases the ledger's transaction-id watermarks (see below). Then check it
# (`manage.py reconcile_ledger` with the same DATABASE_URL) before pointing the
# site at it. deploy/README.md has the whole procedure.
set -eu

: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
file=${1:?usage: restore.sh FILE}
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }

sql() {
  psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 \
    --dbname="$DATABASE_URL" --command "$1"
}

tables=$(sql "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" -ne 0 ]; then
  echo "restore.sh: the target database already has $tables tables; restore into a new," \
    "empty database instead." >&2
  exit 2
fi

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$file"
# The ledger's rollup watermarks and postings' xids are transaction ids of the cluster the dump
# came from; a new cluster hands out lower ones, and new postings would be skipped. Start them
# again from 0, as `manage.py ledger_rebase` does (this image has no Python): every posting
# before any watermark, no rollup (beat rebuilds them). Nothing else uses this database yet.
sql "begin;
alter table wallet_posting disable trigger wallet_posting_append_only;
update wallet_posting set xid = 0 where xid <> 0;
alter table wallet_posting enable trigger wallet_posting_append_only;
delete from wallet_platformrollup;
commit;"
# A restore brings no planner statistics: without them the first queries plan blind.
sql "analyze"
echo "restored $file"
