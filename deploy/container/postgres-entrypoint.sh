#!/bin/sh
# The PostgreSQL container's entry point (Containerfile.postgres): on the
# first start, initdb into $PGDATA with SCRAM passwords for connections from
# the network and $POSTGRES_PASSWORD for the superuser, then the database
# `salesops` (salesopsd creates its tables itself); every start then runs
# the server in the foreground, listening on every address.
set -eu
bin=/usr/lib/postgresql/15/bin
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD (compose-cluster.yaml reads SALESOPS_PG_PASSWORD)}"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE salesops" | "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
