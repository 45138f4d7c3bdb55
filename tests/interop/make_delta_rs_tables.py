"""Writes Delta tables with delta-rs (the `deltalake` package) and what delta-rs reads back from them.

Usage: make_delta_rs_tables.py OUT_DIR

For each table it writes OUT_DIR/<name>/delta (the table) and OUT_DIR/<name>/expected_v<N>/data.parquet
(delta-rs's read of version N) for every version worth checking, plus OUT_DIR/<name>/versions.txt listing
them. The C++ interop suite compares DeltaDuck's scan of each version with these files.
"""

import datetime as dt
import os
from decimal import Decimal
import sys

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake


def record(root, name, versions):
    table_dir = os.path.join(root, name, "delta")
    for version in versions:
        table = DeltaTable(table_dir, version=version).to_pyarrow_table()
        target = os.path.join(root, name, f"expected_v{version}")
        os.makedirs(target, exist_ok=True)
        pq.write_table(table, os.path.join(target, "data.parquet"))
    with open(os.path.join(root, name, "versions.txt"), "w") as out:
        out.write("\n".join(str(v) for v in versions) + "\n")


def batch(start, count, extra=None):
    columns = {
        "id": pa.array(range(start, start + count), pa.int64()),
        "name": pa.array([f"name-{i}" if i % 7 else None for i in range(start, start + count)], pa.string()),
        "amount": pa.array([i * 0.5 for i in range(start, start + count)], pa.float64()),
        "day": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=i % 60) for i in range(start, start + count)], pa.date32()),
        "at": pa.array(
            [dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i * 3601) for i in range(start, start + count)],
            pa.timestamp("us", tz="UTC"),
        ),
    }
    if extra:
        columns.update(extra)
    return pa.table(columns)


def main(root):
    # Appends, then an overwrite: every version read back.
    path = os.path.join(root, "appends-overwrite", "delta")
    write_deltalake(path, batch(0, 100))
    write_deltalake(path, batch(100, 50), mode="append")
    write_deltalake(path, batch(150, 25), mode="append")
    write_deltalake(path, batch(1000, 10), mode="overwrite")
    write_deltalake(path, batch(2000, 5), mode="append")
    record(root, "appends-overwrite", [0, 1, 2, 3, 4])

    # Partitions, including NULL partition values and characters that need escaping in paths.
    path = os.path.join(root, "partitions", "delta")
    regions = ["north", "south east", "a=b/c", "100%", None, "ümlaut"]
    table = batch(0, 120, {
        "region": pa.array([regions[i % len(regions)] for i in range(120)], pa.string()),
        "year": pa.array([2020 + i % 3 if i % 11 else None for i in range(120)], pa.int32()),
    })
    write_deltalake(path, table, partition_by=["region", "year"])
    write_deltalake(path, table.slice(0, 30), mode="append", partition_by=["region", "year"])
    record(root, "partitions", [0, 1])

    # Schema evolution: a later append adds a nullable column; older files lack it.
    path = os.path.join(root, "schema-evolution", "delta")
    write_deltalake(path, batch(0, 40))
    write_deltalake(path, batch(40, 20, {"score": pa.array([float(i) for i in range(20)], pa.float64())}),
                    mode="append", schema_mode="merge")
    record(root, "schema-evolution", [0, 1])

    # Checkpoints: many small commits with a checkpoint in the middle, then more commits.
    path = os.path.join(root, "checkpointed", "delta")
    write_deltalake(path, batch(0, 10))
    for i in range(1, 12):
        write_deltalake(path, batch(i * 10, 10), mode="append")
        if i == 7:
            DeltaTable(path).create_checkpoint()
    write_deltalake(path, batch(500, 3), mode="overwrite")
    write_deltalake(path, batch(600, 3), mode="append")
    record(root, "checkpointed", [3, 7, 9, 12, 13])

    # Special characters in the table's own folder name and in data values.
    path = os.path.join(root, "special chars table", "delta")
    write_deltalake(path, pa.table({
        "text": pa.array(["plain", "quote ' \" mark", "new\nline", "tab\tstop", "", None, "emoji 🦆"], pa.string()),
        "n": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int32()),
    }))
    record(root, "special chars table", [0])

    # Many types.
    path = os.path.join(root, "types", "delta")
    write_deltalake(path, pa.table({
        "b": pa.array([True, False, None]),
        "i8": pa.array([1, -128, None], pa.int8()),
        "i16": pa.array([1, -32768, None], pa.int16()),
        "i32": pa.array([1, -2147483648, None], pa.int32()),
        "i64": pa.array([1, -9223372036854775808, None], pa.int64()),
        "f32": pa.array([1.5, float("inf"), None], pa.float32()),
        "f64": pa.array([0.1, float("-inf"), None], pa.float64()),
        "dec": pa.array([Decimal("1.2345"), Decimal("-9999999999999999.0001"), None], pa.decimal128(20, 4)),
        "bin": pa.array([b"\x00\x01", b"", None], pa.binary()),
        "ts_ntz": pa.array([dt.datetime(2024, 1, 1, 12), dt.datetime(1960, 1, 1), None], pa.timestamp("us")),
        "list": pa.array([[1, 2], [], None], pa.list_(pa.int32())),
        "struct": pa.array([{"x": 1, "y": "a"}, {"x": None, "y": None}, None], pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "map": pa.array([[("k", 1)], [], None], pa.map_(pa.string(), pa.int32())),
    }))
    record(root, "types", [0])


if __name__ == "__main__":
    main(sys.argv[1])
    # delta-rs 1.6 sometimes aborts while the interpreter shuts down ("terminate called without an
    # active exception"), after all work is done: leave without running the shutdown.
    sys.stdout.flush()
    os._exit(0)
