"""Shutdown under load (running requests finish within --shutdown-grace, the rest are cancelled, new connections are
refused, exit 0) and a restart on the same data directory (the catalog's lineage and the held results remain)."""

import json
import os
import signal
import socket
import subprocess
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed

import oracle
from gwlib import DEADLINE, Client, error_of, metric, ok, query_args, request, wait_until

ENDLESS = "SELECT count(*) AS n FROM range(10000000000000)"
#: A query of a few seconds on one core; its answer is known in closed form.
SLOW_ROWS = 1_000_000_000
SLOW = f"SELECT sum(i % 7) AS s FROM range({SLOW_ROWS}) t(i)"


def slow_answer(rows):
    return (rows // 7) * 21 + sum(range(rows % 7))


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return False
    except ConnectionRefusedError:
        return True


def in_flight(srv):
    return metric(srv.metrics(), "deltaduck_requests_in_flight")


def wait_exit(srv, timeout):
    try:
        return srv.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def test_sigterm_lets_running_requests_finish(servers, bare_dir):
    srv = servers.start(bare_dir, "--shutdown-grace", "60000")
    busy = Client(srv.ws_url)
    idle = Client(srv.ws_url)
    for rid in ("slow1", "slow2"):
        busy.send(request("duck", "querydata", query_args(SLOW, ["Table"]), rid))
    wait_until(lambda: in_flight(srv) == 2, message="both queries to run")
    started = time.monotonic()
    os.kill(srv.pid, signal.SIGTERM)
    wait_until(lambda: refused(srv.port), message="new connections to be refused")
    for rid in ("slow1", "slow2"):
        reply = ok(busy.reply(rid, timeout=DEADLINE * 2))
        assert reply["data"]["table"]["items"][0]["s"] == slow_answer(SLOW_ROWS)
    code = wait_exit(srv, DEADLINE * 2)
    assert code == 0, f"exit status {code}"
    assert time.monotonic() - started < 60 + DEADLINE
    for client in (busy, idle):
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=DEADLINE)
    wait_until(lambda: "DeltaDuck stopped" in srv.stdout_text(), message="the stopped line")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_cancels_what_outlives_the_grace(servers, bare_dir, sig):
    srv = servers.start(bare_dir, "--shutdown-grace", "1500")
    client = Client(srv.ws_url)
    client.send(request("duck", "querydata", query_args(ENDLESS), "endless"))
    client.send(request("duck", "querydata", query_args(ENDLESS, background=True), "job"))
    wait_until(lambda: in_flight(srv) == 2, message="the queries to run")
    started = time.monotonic()
    os.kill(srv.pid, sig)
    try:
        messages = client.messages_for("endless", timeout=DEADLINE)
        assert error_of(messages[-1])["type"] == "Interrupted"
    except ConnectionClosed:
        pass  # closed before the error reached us: also a cancelled request
    code = wait_exit(srv, DEADLINE)
    assert code == 0, f"exit status {code} after {time.monotonic() - started:.1f} s"
    assert refused(srv.port)


def test_requests_arriving_during_shutdown_do_not_hold_it_up(servers, bare_dir):
    """A client that keeps sending while the server drains: the server still exits within a bounded time."""
    srv = servers.start(bare_dir, "--shutdown-grace", "1000", "--max-in-flight", "1000")
    client = Client(srv.ws_url)
    client.send(request("duck", "querydata", query_args(ENDLESS), "first"))
    wait_until(lambda: in_flight(srv) == 1, message="the query to run")
    os.kill(srv.pid, signal.SIGTERM)
    started = time.monotonic()
    sent = 0
    try:
        while time.monotonic() - started < 3:
            client.send(request("duck", "querydata", query_args(ENDLESS), f"late{sent}"))
            sent += 1
            time.sleep(0.01)  # pacing of the sender, not a condition
    except ConnectionClosed:
        pass
    code = wait_exit(srv, 45)
    if code is None:
        srv.expected_exit = None
        srv.kill()
        pytest.fail(f"still running 45 s after SIGTERM with --shutdown-grace 1000 ({sent} requests sent meanwhile)")
    assert code == 0


def test_restart_keeps_catalog_and_held_results(servers, data_dir):
    derived = 'CREATE TABLE restart_x AS SELECT "Date Time", "T (degC)" FROM =(^)climate WHERE "T (degC)" > 20'
    first = servers.start(data_dir)
    with Client(first.ws_url) as client:
        ok(client.query(derived))
        before = ok(client.call("duck", "checktable", {}))["data"]
        client.send(request("duck", "querydata", query_args("SELECT i * 3 AS t FROM range(250000) t(i)", ["Table"],
                                                            keep=True), "keep"))
        held = client.messages_for("keep", until=lambda m: "held" in m)[-1]["held"]
    rows_before = [i for i in before["table"]["items"] if i["TableName"] == "restart_x"]
    version = oracle.delta_table(data_dir, "climate").version()
    assert rows_before == [{"TableName": "restart_x", "Parent": f"=(^)climate@{version}", "Query": derived,
                            "Loc": rows_before[0]["Loc"]}]
    assert first.stop() == 0

    second = servers.start(data_dir)
    with Client(second.ws_url) as client:
        after = ok(client.call("duck", "checktable", {}))["data"]
        rows_after = [i for i in after["table"]["items"] if i["TableName"] == "restart_x"]
        assert [(r["Parent"], r["Query"]) for r in rows_after] == [(r["Parent"], r["Query"]) for r in rows_before]
        record = next(r for r in after["lineage"] if r["table"] == "restart_x")
        assert record["query"] == derived
        assert record["parents"] == [{"kind": "delta", "name": "=(^)climate", "version": version}]
        assert "=(^)climate" in {i["TableName"] for i in after["table"]["items"]}
        before_record = next(r for r in before["lineage"] if r["table"] == "restart_x")
        assert {k: v for k, v in record.items() if k != "gone"} == {k: v for k, v in before_record.items()
                                                                     if k != "gone"}
        window = ok(client.call("duck", "fetchrows", {"result_id": held["result_id"], "offset": 249998, "limit": 5}))
        assert window["data"]["table"]["items"] == [{"index": 249998, "t": 249998 * 3},
                                                    {"index": 249999, "t": 249999 * 3}]


def test_one_json_log_line_per_request(servers, bare_dir):
    srv = servers.start(bare_dir, quiet=False)
    with Client(srv.ws_url) as client:
        ok(client.call("duck", "querydata", {"request_query": "SELECT * FROM range(7) t(i)",
                                             "request_contents": ["Table"]}, request_id="logged-ok"))
        error_of(client.call("duck", "querydata", {"request_query": "SELECT * FROM nowhere"},
                             request_id="logged-error"))
    srv.post_json("/api/query", {"request_query": "SELECT 1"})

    def lines():
        found = {}
        for line in srv.stderr_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            found[entry.get("request_id")] = entry
        return found if {"logged-ok", "logged-error"} <= set(found) and len(found) >= 3 else None

    found = wait_until(lines, message="the request log lines")
    good, bad = found["logged-ok"], found["logged-error"]
    for entry in (good, bad):
        assert set(entry) >= {"run_id", "request_id", "endpoint", "ms", "outcome", "rows"}
        assert entry["endpoint"] == "duck.querydata" and entry["ms"] >= 0
    assert good["outcome"] == "ok" and good["rows"] == 7
    assert bad["outcome"] == "error"
