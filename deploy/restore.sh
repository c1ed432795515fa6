#!/bin/sh
# Restore a dump made by backup.sh into the database DATABASE_URL names, which must exist and
# be empty (`createdb coupzii_restore`): restoring over live data is refused. All or nothing:
# the restore is one transaction, stopped by the first error.
#
#   DATABASE_URL=postgres://coupzii:...@host:5432/coupzii_restore deploy/restore.sh FILE
#
# Then check it (`manage.py reconcile_ledger` with the same DATABASE_URL) before pointing the
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
# A restore brings no planner statistics: without them the first queries plan blind.
sql "analyze"
echo "restored $file"
