#pragma once

// Forward declarations of DuckDB's C handle types, so engine headers stay light: only engine
// sources include duckdb.h. These match the typedefs in duckdb.h exactly.
typedef struct _duckdb_database *duckdb_database;
typedef struct _duckdb_connection *duckdb_connection;
typedef struct _duckdb_prepared_statement *duckdb_prepared_statement;
typedef struct _duckdb_logical_type *duckdb_logical_type;
typedef struct _duckdb_data_chunk *duckdb_data_chunk;
typedef struct _duckdb_vector *duckdb_vector;
