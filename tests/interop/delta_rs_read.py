"""delta-rs as the oracle for tables DeltaDuck writes.

delta_rs_read.py read TABLE OUT     writes delta-rs's read of every version to OUT/v<N>.parquet
delta_rs_read.py read-latest TABLE OUT   writes delta-rs's read of the latest version to OUT/latest.parquet
delta_rs_read.py append TABLE       appends the table's own first 5 rows with delta-rs (write_deltalake)
delta_rs_read.py protocol TABLE COLUMN   prints the protocol versions, the column's Arrow type and first value
"""

import os
import sys

import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake


def read(table, out):
    os.makedirs(out, exist_ok=True)
    latest = DeltaTable(table).version()
    for version in range(latest + 1):
        pq.write_table(DeltaTable(table, version=version).to_pyarrow_table(), os.path.join(out, f"v{version}.parquet"))


def read_latest(table, out):
    os.makedirs(out, exist_ok=True)
    pq.write_table(DeltaTable(table).to_pyarrow_table(), os.path.join(out, "latest.parquet"))


def append(table):
    rows = DeltaTable(table).to_pyarrow_table().slice(0, 5)
    write_deltalake(table, rows, mode="append")


def protocol(table, column):
    dt = DeltaTable(table)
    rows = dt.to_pyarrow_table()
    first = rows.column(column)[0].as_py()
    p = dt.protocol()
    print(p.min_reader_version, p.min_writer_version, rows.schema.field(column).type, first.isoformat())


if __name__ == "__main__":
    {"read": lambda: read(sys.argv[2], sys.argv[3]), "read-latest": lambda: read_latest(sys.argv[2], sys.argv[3]),
     "append": lambda: append(sys.argv[2]), "protocol": lambda: protocol(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
    # delta-rs 1.6 sometimes aborts while Python shuts down, after the work is done.
    sys.stdout.flush()
    os._exit(0)
