"""The original dashboard's ingest path, for `make bench`: DuckDB reads the CSV folder, the whole result is
materialized as Arrow, and delta-rs writes it (write_deltalake).

original_ingest.py CSV_GLOB TABLE_PATH
"""

import os
import sys

import duckdb
import pyarrow as pa
from deltalake import write_deltalake

if __name__ == "__main__":
    # As the original did: the whole result as one Arrow table in memory before write_deltalake. In duckdb
    # 1.4 `.arrow()` returns a streaming reader, which would understate the original's memory.
    table = duckdb.sql(f"SELECT * FROM read_csv_auto('{sys.argv[1]}')").fetch_arrow_table()
    assert isinstance(table, pa.Table), type(table)
    write_deltalake(sys.argv[2], table, mode="overwrite")
    sys.stdout.flush()
    os._exit(0)  # delta-rs 1.6 sometimes aborts during interpreter shutdown
