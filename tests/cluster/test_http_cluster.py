"""A cluster of HTTP workers (the original's "api" mode): 2 duck + 1 delta workers behind the gateway."""

import threading

from clusterlib import DEADLINE, Client, poll, rest, table_rows


def test_queries_spread_over_the_http_workers(http_cluster):
    failures = []

    def client(number):
        c = Client(http_cluster)
        try:
            for i in range(20):
                value = number * 100 + i
                rows = table_rows(c.query(f"SELECT {value} AS v"))
                if rows != [{"index": 0, "v": value}]:
                    failures.append(rows)
        finally:
            c.close()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    workers = {w["id"]: w for w in rest(http_cluster, "/api/workers")[1]["workers"]}
    assert workers["duck1"]["handled"] > 0 and workers["duck2"]["handled"] > 0, workers


def test_ingest_through_an_http_worker_streams_progress(http_cluster):
    c = Client(http_cluster)
    try:
        messages = c.ask("delta", "ingestdata", {"request_folderpath": "big", "request_tablename": "big",
                                                 "request_method": "overwrite"}, timeout=600)
        assert any("progress" in m for m in messages), messages
        assert messages[-1]["data"]["message"] == "DeltaLake stored as big"
        assert table_rows(c.query("SELECT count(*) AS n FROM =(^)big")) == [{"index": 0, "n": 600000}]
    finally:
        c.close()


def test_cancel_reaches_the_http_worker(http_cluster):
    c = Client(http_cluster)
    try:
        request_id = c.send("duck", "querydata", {"request_query": "SELECT count(*) FROM range(1000000000000)",
                                                  "request_contents": ["Message"]})
        poll("the query runs", lambda: any(w["in_flight"] for w in rest(http_cluster, "/api/workers")[1]["workers"]))
        cancel = c.ask("duck", "cancel", {"request_id": request_id})[-1]
        assert "error" not in cancel, cancel
        reply = c.receive(request_id, timeout=DEADLINE)[-1]
        assert reply["error"]["type"] == "Interrupted", reply
    finally:
        c.close()


def test_an_unhealthy_worker_is_skipped(http_cluster):
    http_cluster.kill_worker("duck2")
    poll("duck2 marked down", lambda: any(w["id"] in ("duck2", http_cluster.workers["duck2"]["url"]) and
                                          w["status"] == "down"
                                          for w in rest(http_cluster, "/api/workers")[1]["workers"]))
    c = Client(http_cluster)
    try:
        for i in range(10):
            assert table_rows(c.query(f"SELECT {i} AS i")) == [{"index": 0, "i": i}]
        reply = c.query("SELECT 1", node="duck2")
        assert reply["error"]["type"] == "NotFound"
    finally:
        c.close()
    http_cluster.start_worker("duck2", "duck")
    http_cluster.wait_registered()
