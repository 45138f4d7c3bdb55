#!/bin/bash
# Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d): the workers' role, with the
# password from the mounted secret, and the database and schemas of postgres-init.sql.
set -euo pipefail
password=$(head -n1 /run/secrets/postgres_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$password" <<'SQL'
CREATE ROLE deltaduck LOGIN PASSWORD :'password';
CREATE DATABASE deltaduck OWNER postgres;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname deltaduck -f /deltaduck/postgres-init.sql
