"""The original dashboard's ingest path, for `make bench`: DuckDB reads the CSV folder, the whole result is
materialized as Arrow, and delta-rs writes it (write_deltalake).

original_ingest.py CSV_GLOB TABLE_PATH
"""

import os
import sys

import duckdb
from deltalake import write_deltalake

if __name__ == "__main__":
    table = duckdb.sql(f"SELECT * FROM read_csv_auto('{sys.argv[1]}')").arrow()
    write_deltalake(sys.argv[2], table, mode="overwrite")
    sys.stdout.flush()
    os._exit(0)  # delta-rs 1.6 sometimes aborts during interpreter shutdown
