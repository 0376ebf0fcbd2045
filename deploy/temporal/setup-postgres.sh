#!/bin/sh
# Creates and upgrades Temporal's two PostgreSQL databases (temporal and
# temporal_visibility) with temporal-sql-tool: create the database when it is
# missing, set up schema versioning (setup-schema -v 0.0 does nothing on a
# database already set up), then apply every newer versioned schema
# (update-schema). Safe on every `docker compose up`; after an image upgrade
# it upgrades the existing schema. Run by the temporal-schema service of
# docker-compose.yml, in temporalio/admin-tools, and natively by
# tools/deploytest.
#
# Environment (the compose service sets them):
#   POSTGRES_SEEDS   host of PostgreSQL (required)
#   DB_PORT          its port (default 5432)
#   POSTGRES_USER    user (required)
#   SQL_PASSWORD     password, read by temporal-sql-tool itself (never on argv)
#   DBNAME, VISIBILITY_DBNAME   database names (default temporal, temporal_visibility)
#   TEMPORAL_SCHEMA_DIR  the folder with temporal/ and visibility/ versioned
#                    schemas (default /etc/temporal/schema/postgresql/v12, as in
#                    admin-tools; the server module's schema/postgresql/v12 natively)
#   TEMPORAL_SQL_TOOL    the tool (default temporal-sql-tool on PATH)
set -eu

: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS to the PostgreSQL host}"
: "${POSTGRES_USER:?set POSTGRES_USER to the PostgreSQL user}"
: "${SQL_PASSWORD:?set SQL_PASSWORD to the PostgreSQL password}"
export SQL_PASSWORD
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
TOOL=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}

for sub in temporal visibility; do
  if [ ! -d "$SCHEMA_DIR/$sub/versioned" ]; then
    echo "setup-postgres: no schema folder $SCHEMA_DIR/$sub/versioned (set TEMPORAL_SCHEMA_DIR)" >&2
    exit 1
  fi
done

sql() {
  "$TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# PostgreSQL may not accept connections yet (started beside this script,
# or restarting): retry the first connection, a create that is harmless
# when the database exists; after the last try, setup below prints the
# error.
attempt=1
until sql --db "${DBNAME:-temporal}" create >/dev/null 2>&1 || [ "$attempt" -ge 30 ]; do
  echo "setup-postgres: waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT (attempt $attempt/30)"
  attempt=$((attempt + 1))
  sleep 2
done

setup() { # database, schema subfolder
  echo "setup-postgres: $1 ($SCHEMA_DIR/$2/versioned)"
  sql --db "$1" create
  sql --db "$1" setup-schema -v 0.0
  sql --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}
setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "setup-postgres: both databases are at the newest schema"
