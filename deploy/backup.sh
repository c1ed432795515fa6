#!/bin/sh
# Back up the database DATABASE_URL names into one file in pg_dump's custom format (compressed,
# restorable table by table with pg_restore), then read the file back to prove it is whole.
#
#   DATABASE_URL=postgres://coupzii:...@host:5432/coupzii deploy/backup.sh [FILE]
#
# FILE defaults to coupzii-<UTC time>.dump in the current folder; its name is printed. Needs
# the PostgreSQL client tools (pg_dump, pg_restore, psql) of the server's major version or newer:
# an older pg_dump cannot read a newer server's catalogue. deploy/README.md shows how to run it
# in compose, where the postgres image's tools always match.
set -eu

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
file=${1:-coupzii-$(date -u +%Y%m%dT%H%M%SZ).dump}

server_major=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" \
  --command "select current_setting('server_version_num')::int / 10000")
client_major=$(pg_dump --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
if [ "$client_major" -lt "$server_major" ]; then
  echo "backup.sh: pg_dump $client_major cannot dump a PostgreSQL $server_major server;" \
    "install postgresql-client-$server_major (or newer), or run this in the postgres container." >&2
  exit 2
fi

# Written under a temporary name: a dump cut short never looks like a backup.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.partial"
pg_restore --list "$file.partial" >/dev/null
mv "$file.partial" "$file"
echo "$file"
