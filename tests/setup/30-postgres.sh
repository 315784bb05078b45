#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster when it is not running and creates the test role and database
# the store conformance suite and the scale-out tests use. Idempotent and fast when already done.
# Tests find it at the well-known default below, or at $COLABO_TEST_POSTGRES (an Npgsql connection string):
#   Host=127.0.0.1;Port=5432;Username=colabo_test;Password=colabo_test;Database=colabo_test
set -euo pipefail
version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
if [ -z "$version" ]; then
  echo "setup: PostgreSQL is not installed (tests/setup/00-packages.sh installs it)" >&2
  exit 1
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  echo "setup: starting PostgreSQL $version/main"
  pg_ctlcluster "$version" main start
fi
psql_as_postgres() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
for _ in $(seq 1 50); do
  psql_as_postgres -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.1
done
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'colabo_test'")" != "1" ]; then
  psql_as_postgres -c "CREATE ROLE colabo_test LOGIN PASSWORD 'colabo_test'"
fi
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname = 'colabo_test'")" != "1" ]; then
  psql_as_postgres -c "CREATE DATABASE colabo_test OWNER colabo_test"
fi
