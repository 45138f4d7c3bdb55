"""Distributed-mode benchmarks for `make bench` (bench/bench_main.cpp runs this in the test venv). Each starts real
clusters with deploy/local_cluster.py (RabbitMQ, PostgreSQL, workers, gateway on loopback) and measures ours and
its baseline side by side in one run, printing `BENCH <name> ours=... baseline=... ratio=...`:

  rpc_roundtrip_amqp_vs_inproc / rpc_roundtrip_http_vs_inproc
      p50 of one `SELECT 42` round trip over the WebSocket through a gateway whose workers sit behind RabbitMQ
      (or HTTP), against the same through the embedded gateway; added_us is the cost of the hop.
  scaling_3_vs_1_duck_workers
      wall time of a mixed workload from 30 concurrent clients with 3 duck workers against 1, every worker
      limited to one DuckDB thread.
  short_query_p99_while_long_query_runs
      p99 of `SELECT 1` while a 20 s query runs on the cluster, against the same with nothing else running.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from websockets.sync.client import connect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "deploy"))
from local_cluster import Cluster, free_port, stop_pid, wait_for  # noqa: E402

BINARY = os.environ.get("DELTADUCK_BINARY", os.path.join(ROOT, "build", "deltaduck"))


def request(i, sql, contents=("Message",)):
    import json
    return json.dumps({"request_to": "duck", "request_endpoint": "querydata", "request_id": f"b{i}",
                       "request_args": {"request_query": sql, "request_contents": list(contents),
                                        "request_render": 10}})


def round_trips(url, sql, count, warmup=200):
    """Microseconds of `count` sequential requests on one socket (after `warmup` unmeasured ones)."""
    import json
    times = []
    with connect(url.replace("http://", "ws://").rstrip("/") + "/ws", max_size=None) as ws:
        for i in range(warmup + count):
            start = time.perf_counter()
            ws.send(request(i, sql))
            reply = json.loads(ws.recv(timeout=120))
            elapsed = (time.perf_counter() - start) * 1e6
            if "error" in reply:
                raise RuntimeError(f"query failed: {reply}")
            if i >= warmup:
                times.append(elapsed)
    return times


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name, ours, baseline, unit, extra=""):
    print(f"BENCH {name} ours={ours:.4f}{unit} baseline={baseline:.4f}{unit} ratio={ours / baseline:.3f}"
          + (f" {extra}" if extra else ""), flush=True)


class Embedded:
    """`deltaduck serve` with its workers in-process: the baseline of the RPC hop."""

    def __init__(self, data):
        out = os.path.join(data, "..", "embedded.out")
        self.process = subprocess.Popen([BINARY, "serve", "--data", data, "--listen", "127.0.0.1:0", "--quiet"],
                                        stdout=open(out, "wb"), stderr=subprocess.DEVNULL)
        self.url = wait_for("embedded gateway", lambda: next(
            (line.split()[-1] for line in open(out) if line.startswith("DeltaDuck ready at ")), None))

    def stop(self):
        stop_pid(self.process.pid)


def make_data(path):
    subprocess.run([BINARY, "sample", "--data", path], check=True, capture_output=True)
    subprocess.run([BINARY, "ingest", "--data", path, "--source", "climate", "--table", "climate"], check=True,
                   capture_output=True)
    return path


def bench_roundtrips(data):
    embedded = Embedded(data)
    try:
        inproc = round_trips(embedded.url, "SELECT 42 AS answer", 3000)
    finally:
        embedded.stop()
    for transport in ("amqp", "http"):
        cluster = Cluster(data, duck=1, delta=1, transport=transport, binary=BINARY).start()
        try:
            remote = round_trips(cluster.url, "SELECT 42 AS answer", 3000)
        finally:
            cluster.stop()
            cluster.cleanup()
        ours, base = statistics.median(remote), statistics.median(inproc)
        report(f"rpc_roundtrip_{transport}_vs_inproc", ours, base, "us",
               f"added_us={ours - base:.1f} p99_us={percentile(remote, 0.99):.1f} "
               f"p99_inproc_us={percentile(inproc, 0.99):.1f}")


#: A mix a dashboard sends: small aggregations and scans over the sample table, and short lookups.
MIXED = [
    'SELECT date_trunc(\'day\', "Date Time") AS day, avg("T (degC)") AS t FROM =(^)climate GROUP BY day ORDER BY day',
    'SELECT count(*) AS n, max("wv (m/s)") AS wind FROM =(^)climate WHERE "rh (%)" > 80',
    'SELECT * FROM =(^)climate ORDER BY "T (degC)" DESC LIMIT 20',
    "SELECT 1 AS one",
]


def mixed_workload(url, clients=30, per_client=12):
    import json
    errors = []

    def client(number):
        try:
            with connect(url.replace("http://", "ws://").rstrip("/") + "/ws", max_size=None) as ws:
                for i in range(per_client):
                    ws.send(request(i, MIXED[(number + i) % len(MIXED)]))
                    reply = json.loads(ws.recv(timeout=600))
                    if "error" in reply:
                        errors.append(reply)
        except Exception as e:  # counted, so that a broken run is not reported as fast
            errors.append(str(e))
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests: {errors[:2]}")
    return elapsed


def bench_scaling(data):
    seconds = {}
    for ducks in (1, 3):
        cluster = Cluster(data, duck=ducks, delta=1, transport="amqp", binary=BINARY,
                          extra_worker_args=["--threads", "1"]).start()
        try:
            mixed_workload(cluster.url, clients=6, per_client=4)  # warm the footer caches
            seconds[ducks] = mixed_workload(cluster.url)
        finally:
            cluster.stop()
            cluster.cleanup()
    report("scaling_3_vs_1_duck_workers", seconds[3], seconds[1], "s",
           f"cpus={os.cpu_count()} (on 2 cores, 3 single-threaded workers can use at most 2)")


def bench_short_queries_beside_a_long_one(data):
    import json
    cluster = Cluster(data, duck=3, delta=1, transport="amqp", binary=BINARY).start()
    try:
        quiet = round_trips(cluster.url, "SELECT 1 AS one", 1000)
        ws = connect(cluster.url.replace("http://", "ws://").rstrip("/") + "/ws", max_size=None)
        # About 20 s of work on one worker (its own queue), stopped at the end either way.
        ws.send(json.dumps({"request_to": "duck", "request_endpoint": "querydata", "request_id": "long",
                            "request_args": {"request_query": "SELECT count(*) FROM range(20000000000) t(i) "
                                             "WHERE i % 7 = 3", "request_contents": ["Message"],
                                             "node": "duck1"}}))
        time.sleep(1)
        busy = round_trips(cluster.url, "SELECT 1 AS one", 1000)
        ws.send(json.dumps({"request_to": "duck", "request_endpoint": "cancel", "request_id": "stop",
                            "request_args": {"request_id": "long"}}))
        ws.close()
    finally:
        cluster.stop()
        cluster.cleanup()
    report("short_query_p99_while_long_query_runs", percentile(busy, 0.99), percentile(quiet, 0.99), "us",
           f"p50_us={statistics.median(busy):.1f} p50_quiet_us={statistics.median(quiet):.1f}")


def main():
    with tempfile.TemporaryDirectory(prefix="deltaduck-cluster-bench-") as tmp:
        data = make_data(os.path.join(tmp, "data"))
        bench_roundtrips(data)
        bench_scaling(data)
        bench_short_queries_beside_a_long_one(data)


if __name__ == "__main__":
    main()
