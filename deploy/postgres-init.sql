-- What DeltaDuck needs in PostgreSQL, run once by a superuser in the database the cluster uses (named
-- deltaduck here; deploy/local-cluster and compose.yaml run it). The workers connect as the role deltaduck,
-- created beforehand with a password: not a superuser, no pg_read_server_files / pg_write_server_files,
-- owning only its two schemas.
--   deltaduck          shared tables: dashboard SQL sees it as the catalog `postgres` (CREATE TABLE postgres.t)
--   deltaduck_catalog  lineage and the worker registry: never visible to dashboard SQL
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE deltaduck FROM PUBLIC;
GRANT CONNECT ON DATABASE deltaduck TO deltaduck;
CREATE SCHEMA IF NOT EXISTS deltaduck AUTHORIZATION deltaduck;
CREATE SCHEMA IF NOT EXISTS deltaduck_catalog AUTHORIZATION deltaduck;
