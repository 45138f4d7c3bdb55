"""Results held on the server: a 10M-row result kept whole, any window of it fetched, exported in full as CSV and
Parquet (checked against count(*) and sums from the oracle), and an expired id answered with a clear error."""

import http.client
import json
import os
import statistics
import time

import duckdb
import pyarrow.parquet as pq
import pytest

import oracle
from gwlib import DEADLINE, Client, error_of, ok, quote

TEN_MILLION_SQL = "SELECT i, i*2 AS j FROM range(10000000) t(i)"


def download(srv, path, target):
    """Streams a GET to a file; returns (status, headers, bytes written)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=DEADLINE * 5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        written = 0
        with open(target, "wb") as out:
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                written += len(chunk)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, written
    finally:
        conn.close()


def fetch(client, result_id, offset, limit):
    return ok(client.call("duck", "fetchrows", {"result_id": result_id, "offset": offset, "limit": limit}))


@pytest.fixture(scope="module")
def ten_million(server):
    """A 10M-row result held on the shared server: (result_id, first reply, held message)."""
    with Client(server.ws_url) as client:
        client.send({"request_to": "duck", "request_endpoint": "querydata", "request_id": "ten-m",
                     "request_args": {"request_query": TEN_MILLION_SQL, "request_contents": ["Message", "Table"],
                                      "request_render": 20, "keep": True}})
        messages = client.messages_for("ten-m", timeout=DEADLINE * 5, until=lambda m: "held" in m or "error" in m)
    first = ok(next(m for m in messages if "data" in m or "error" in m))
    held = messages[-1]
    assert "held" in held, messages
    return first["data"]["result_id"], first, held["held"]


def test_keep_answers_first_rows_then_the_held_count(ten_million, server):
    result_id, first, held = ten_million
    assert len(result_id) == 32
    items = first["data"]["table"]["items"]
    assert [(r["index"], r["i"], r["j"]) for r in items] == [(n, n, 2 * n) for n in range(20)]
    expected = duckdb.sql(f"SELECT count(*) FROM ({TEN_MILLION_SQL})").fetchone()[0]
    assert held == {"result_id": result_id, "row_count": expected, "complete": True}
    # Held under the data directory, so that every worker of a cluster could serve it.
    assert os.path.isfile(os.path.join(server.data_dir, ".deltaduck", "results", result_id + ".parquet"))


@pytest.mark.parametrize("offset,limit", [(9_999_900, 100), (0, 10), (5_000_000, 10_000), (9_999_990, 100),
                                          (10_000_000, 5), (99_999, 3)])
def test_fetchrows_any_window(ten_million, server, offset, limit):
    result_id, _, held = ten_million
    with Client(server.ws_url) as client:
        reply = fetch(client, result_id, offset, limit)
    expected = duckdb.sql(f"{TEN_MILLION_SQL} LIMIT {limit} OFFSET {offset}").fetchall()
    data = reply["data"]
    assert reply["response_contents"] == ["Table"]
    assert data["result_id"] == result_id and data["offset"] == offset
    table = data["table"]
    assert table["headers"] == [{"text": "index", "value": "index"}, {"text": "i", "value": "i"},
                                {"text": "j", "value": "j"}]
    assert [(r["index"], r["i"], r["j"]) for r in table["items"]] == [(offset + k, i, j) for k, (i, j) in
                                                                      enumerate(expected)]
    assert table["row_count"] == held["row_count"]


def test_last_window_is_about_as_fast_as_the_first(ten_million, server):
    """The 9,999,900th row as fast as the first: the window reads one row group, not the rows before it.
    Compared with itself on the same machine (medians of several fetches), with a generous factor."""
    result_id, _, _ = ten_million
    with Client(server.ws_url) as client:
        fetch(client, result_id, 0, 100)

        def timed(offset):
            start = time.perf_counter()
            fetch(client, result_id, offset, 100)
            return time.perf_counter() - start

        first = statistics.median(timed(0) for _ in range(7))
        last = statistics.median(timed(9_999_900) for _ in range(7))
    assert last <= 10 * first + 0.25, f"last window {last:.4f} s vs first {first:.4f} s"


def test_full_csv_export_matches_count(ten_million, server, scratch):
    result_id, _, held = ten_million
    target = scratch / "held.csv"
    before = server.status_kb("VmHWM")
    status, headers, size = download(server, f"/api/results/{result_id}/export?format=csv", target)
    assert status == 200, target.read_bytes()[:500]
    assert headers["content-type"].startswith("text/csv")
    assert "attachment" in headers.get("content-disposition", "")
    assert int(headers["content-length"]) == size
    with open(target, "rb") as f:
        assert f.readline() == b"i,j\n"
        lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 22), b""))
    expected = duckdb.sql(f"SELECT count(*), sum(i), sum(j) FROM ({TEN_MILLION_SQL})").fetchone()
    assert lines - 1 == expected[0] == held["row_count"]
    got = duckdb.sql(f"SELECT count(*), sum(i), sum(j) FROM read_csv('{target}', header=true)").fetchone()
    assert got == expected
    # Streamed from disk: the server did not hold the file in memory.
    grown_mb = (server.status_kb("VmHWM") - before) / 1024
    assert grown_mb < size / (1 << 20) / 2, f"peak RSS grew {grown_mb:.0f} MB while sending {size >> 20} MB"


def test_full_parquet_export_reads_back(ten_million, server, scratch):
    result_id, _, _ = ten_million
    target = scratch / "held.parquet"
    status, headers, _ = download(server, f"/api/results/{result_id}/export?format=parquet", target)
    assert status == 200
    assert headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(target)
    assert table.column_names == ["i", "j"]
    expected = duckdb.sql(f"SELECT count(*), sum(i), sum(j) FROM ({TEN_MILLION_SQL})").fetchone()
    got = duckdb.sql(f"SELECT count(*), sum(i), sum(j) FROM read_parquet('{target}')").fetchone()
    assert table.num_rows == expected[0]
    assert got == expected


def test_export_of_a_query_over_rest(server, shared_data, scratch):
    sql = 'SELECT "Date Time", "T (degC)" FROM =(^)climate WHERE "T (degC)" > 0'
    expected = oracle.run(shared_data, f'SELECT count(*), sum("T (degC)") FROM ({sql})')[1][0]
    for fmt in ("csv", "parquet"):
        target = scratch / f"export.{fmt}"
        status, headers, _ = download(server, f"/api/export?query={quote(sql)}&format={fmt}", target)
        assert status == 200, target.read_bytes()[:300]
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        count, total = duckdb.sql(f'SELECT count(*), sum("T (degC)") FROM {reader}(\'{target}\')').fetchone()
        assert count == expected[0]
        assert total == pytest.approx(expected[1], rel=1e-9)


def test_export_errors_are_json_with_fitting_status(server):
    for path, status, cause in (
        (f"/api/export?query={quote('SELECT * FROM no_such_table')}", 404, "no_such_table"),
        ("/api/export", 400, "query"),
        (f"/api/export?query={quote('SELECT 1')}&format=xlsx", 400, "format"),
        ("/api/results/not-an-id/export", 400, "not a result id"),
        (f"/api/results/{'ab' * 16}/export?format=csv", 404, "is not held"),
    ):
        got, headers, body = server.http("GET", path)
        assert got == status, (path, body)
        assert cause in json.loads(body)["error"]["message"], (path, body)


def test_expired_result_answers_not_found(servers, bare_dir):
    """--held-bytes 1: holding a second result evicts the first (LRU); its id then answers NotFound, saying so."""
    srv = servers.start(bare_dir, "--held-bytes", "1")
    with Client(srv.ws_url) as client:
        ids = []
        for n in range(2):
            client.send({"request_to": "duck", "request_endpoint": "querydata", "request_id": f"h{n}",
                         "request_args": {"request_query": f"SELECT i + {n} AS v FROM range(1000) t(i)",
                                          "request_contents": ["Table"], "request_render": 5, "keep": True}})
            reply = ok(client.reply(f"h{n}"))
            ids.append(reply["data"]["result_id"])
        assert ids[0] != ids[1]
        assert fetch(client, ids[1], 0, 2)["data"]["table"]["items"][1]["v"] == 2
        reply = client.call("duck", "fetchrows", {"result_id": ids[0], "offset": 0, "limit": 2})
        error = error_of(reply)
        assert error["type"] == "NotFound"
        assert "not held" in error["message"] and "expire" in error["message"]
    status, _, body = srv.http("GET", f"/api/results/{ids[0]}/export")
    assert status == 404 and "not held" in json.loads(body)["error"]["message"]


def test_fetchrows_while_the_result_is_still_being_stored(server):
    """The first reply carries result_id before every row is stored; a window asked for meanwhile is answered (or
    refused as not ready yet), never reported as expired."""
    with Client(server.ws_url) as client:
        client.send({"request_to": "duck", "request_endpoint": "querydata", "request_id": "storing",
                     "request_args": {"request_query": "SELECT i, i*2 AS j FROM range(20000000) t(i)",
                                      "request_contents": ["Table"], "request_render": 5, "keep": True}})
        first = ok(client.reply("storing"))
        result_id = first["data"]["result_id"]
        early = client.call("duck", "fetchrows", {"result_id": result_id, "offset": 10, "limit": 3})
        held = client.messages_for("storing", timeout=DEADLINE * 3, until=lambda m: "held" in m)[-1]["held"]
    assert held["complete"] is True
    if "error" in early:
        message = early["error"]["message"]
        assert early["error"]["type"] != "NotFound" and "run the query again" not in message, \
            f"a result still being stored was reported as expired: {message}"
    else:
        assert [r["i"] for r in early["data"]["table"]["items"]] == [10, 11, 12]
