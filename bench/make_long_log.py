"""Benchmark helper (run by `make bench`).

make_long_log.py write PATH COMMITS INTERVAL
    Writes a Delta table log with COMMITS commits (one small add each, every 10th also removing an
    earlier file) and lets delta-rs write a checkpoint every INTERVAL versions.
make_long_log.py time PATH RUNS
    Prints the best wall-clock seconds of RUNS loads of the latest snapshot with delta-rs `DeltaTable(PATH)`.
"""

import json
import os
import sys
import time

from deltalake import DeltaTable

SCHEMA = json.dumps({"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "part", "type": "integer", "nullable": True, "metadata": {}},
]})


def add(version):
    stats = json.dumps({"numRecords": 10, "minValues": {"id": version * 10}, "maxValues": {"id": version * 10 + 9},
                        "nullCount": {"id": 0}})
    return {"add": {"path": f"part={version % 10}/file-{version:06d}.parquet", "partitionValues": {"part": str(version % 10)},
                    "size": 1000, "modificationTime": 1700000000000 + version, "dataChange": True, "stats": stats}}


def write(path, commits, interval):
    log = os.path.join(path, "_delta_log")
    os.makedirs(log, exist_ok=True)
    for version in range(commits):
        actions = [{"commitInfo": {"timestamp": 1700000000000 + version, "operation": "WRITE",
                                   "operationParameters": {"mode": "Append"}}}]
        if version == 0:
            actions.append({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}})
            actions.append({"metaData": {"id": "bench", "format": {"provider": "parquet", "options": {}},
                                         "schemaString": SCHEMA, "partitionColumns": ["part"],
                                         "configuration": {"delta.checkpointInterval": str(interval)},
                                         "createdTime": 1700000000000}})
        actions.append(add(version))
        if version % 10 == 9:
            old = version - 5
            actions.append({"remove": {"path": f"part={old % 10}/file-{old:06d}.parquet", "deletionTimestamp": 1700000000000 + version,
                                       "dataChange": True}})
        with open(os.path.join(log, f"{version:020d}.json"), "w") as out:
            out.write("\n".join(json.dumps(a) for a in actions) + "\n")
    for version in range(interval, commits, interval):
        DeltaTable(path, version=version).create_checkpoint()


def best_load(path, runs):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        table = DeltaTable(path)
        table.version()
        best = min(best, time.perf_counter() - start)
    print(best)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        best_load(sys.argv[2], int(sys.argv[3]))
    # delta-rs 1.6 sometimes aborts while the interpreter shuts down ("terminate called without an
    # active exception"), after all work is done: leave without running the shutdown.
    sys.stdout.flush()
    os._exit(0)
