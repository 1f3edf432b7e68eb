#!/bin/sh
# One-shot schema job (temporalio/admin-tools): creates or upgrades the Temporal and visibility databases.
# Idempotent: `create` on an existing database fails harmlessly (|| true), `update-schema` applies only what is
# missing, so the same job is safe on every `docker compose up` and after a Temporal upgrade.
set -eu
: "${POSTGRES_SEEDS:?}" "${DB_PORT:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

echo "Waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}..."
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do sleep 1; done

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"; }

for db in "${TEMPORAL_DB:-temporal}:temporal" "${VISIBILITY_DB:-temporal_visibility}:visibility"; do
  name=${db%%:*}
  schema=${db##*:}
  echo "Database ${name} (${schema} schema)"
  sql --db "$name" create || true
  # setup-schema -v 0.0 only creates the version table when absent; update-schema brings it to the image's version.
  sql --db "$name" setup-schema -v 0.0 || true
  sql --db "$name" update-schema -d "${SCHEMA_DIR}/${schema}/versioned"
done
echo "PostgreSQL schema setup complete"
