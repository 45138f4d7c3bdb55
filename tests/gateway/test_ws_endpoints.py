"""Endpoints added to the original's protocol, over /ws: cancel, background jobs (jobstatus, attach), listfolders,
complete, tabledetails, the per-socket in-flight limit, and a closed socket cancelling its requests."""

import json
import os
import time

import pytest

import oracle
from gwlib import DEADLINE, Client, error_of, frame, metric, ok, query_args, raw_upgrade, request, wait_until

#: Runs for hours: it ends in a test only by being cancelled.
ENDLESS = "SELECT count(*) AS n FROM range(10000000000000)"
#: Servers left with a runaway query (a failing test) stop soon: running requests get 2 s, then are cancelled.
QUICK_STOP = ("--shutdown-grace", "2000")


def in_flight(srv):
    return metric(srv.metrics(), "deltaduck_requests_in_flight")


def cancelled_count(srv, endpoint="duck.querydata"):
    return metric(srv.metrics(), "deltaduck_requests_total", endpoint=endpoint, outcome="cancelled")


def cancel_once_running(client, request_id):
    """Cancels a request of this socket, retrying while the server has not started it yet (see
    test_cancel_right_after_the_request for that window itself)."""
    deadline = time.monotonic() + DEADLINE
    while True:
        reply = client.call("duck", "cancel", {"request_id": request_id})
        if "error" not in reply:
            return reply
        assert reply["error"]["type"] == "NotFound", reply
        assert time.monotonic() < deadline, f"could not cancel {request_id}: {reply}"


def test_cancel_by_request_id(servers, bare_dir):
    srv = servers.start(bare_dir, *QUICK_STOP)
    with Client(srv.ws_url) as client:
        client.send(request("duck", "querydata", query_args(ENDLESS), "endless"))
        wait_until(lambda: in_flight(srv) >= 1, message="the query to run")
        reply = cancel_once_running(client, "endless")
        assert reply["data"]["message"] == "Cancelled request endless"
        answer = client.reply("endless")
        assert error_of(answer)["type"] == "Interrupted"
        wait_until(lambda: in_flight(srv) == 0, message="in-flight back to 0")
        assert cancelled_count(srv) == 1
        # The socket goes on.
        assert ok(client.query("SELECT 5 AS v", ["Table"]))["data"]["table"]["items"][0]["v"] == 5


def test_cancel_right_after_the_request(servers, bare_dir):
    """A cancel sent right behind its request stops it: the request is this socket's from the moment it was
    accepted, whether or not a worker thread has picked it up yet."""
    srv = servers.start(bare_dir, *QUICK_STOP)
    with Client(srv.ws_url) as client:
        for attempt in range(10):
            client.send(request("duck", "querydata", query_args(ENDLESS), f"q{attempt}"))
            client.send(request("duck", "cancel", {"request_id": f"q{attempt}"}, f"c{attempt}"))
            reply = client.reply(f"c{attempt}")
            if "error" in reply:
                cancel_once_running(client, f"q{attempt}")  # do not leave it running
            assert error_of(client.reply(f"q{attempt}"))["type"] == "Interrupted"
            assert "error" not in reply, f"attempt {attempt}: cancel right after the request answered {reply}"


def test_cancel_is_scoped_to_the_socket(servers, bare_dir):
    srv = servers.start(bare_dir, *QUICK_STOP)
    with Client(srv.ws_url) as owner, Client(srv.ws_url) as other:
        owner.send(request("duck", "querydata", query_args(ENDLESS), "mine"))
        wait_until(lambda: in_flight(srv) >= 1, message="the query to run")
        reply = other.call("duck", "cancel", {"request_id": "mine"})
        assert error_of(reply)["type"] == "NotFound"
        assert in_flight(srv) == 1
        cancel_once_running(owner, "mine")
        assert error_of(owner.reply("mine"))["type"] == "Interrupted"


def test_closing_the_socket_cancels_its_running_query(servers, bare_dir):
    srv = servers.start(bare_dir, *QUICK_STOP)
    client = Client(srv.ws_url)
    client.send(request("duck", "querydata", query_args(ENDLESS), "gone"))
    wait_until(lambda: in_flight(srv) >= 1, message="the query to run")
    client.close()
    wait_until(lambda: in_flight(srv) == 0, message="the query to be cancelled after the socket closed")
    assert cancelled_count(srv) == 1
    wait_until(lambda: metric(srv.metrics(), "deltaduck_websocket_connections") == 0, message="socket gone")


def test_closing_right_after_sending_still_cancels(servers, bare_dir):
    """The request and the close arrive together: the request must not outlive its socket."""
    srv = servers.start(bare_dir, *QUICK_STOP)
    for attempt in range(3):
        sock, status, _, _ = raw_upgrade(srv.port)
        assert status == 101
        message = json.dumps(request("duck", "querydata", query_args(ENDLESS), f"orphan{attempt}"))
        sock.sendall(frame(message) + frame(b"\x03\xe8", opcode=0x8))
        sock.close()
    wait_until(lambda: metric(srv.metrics(), "deltaduck_websocket_connections") == 0, message="sockets gone")
    wait_until(lambda: in_flight(srv) == 0, timeout=30, message="orphaned queries to be cancelled")


def test_max_in_flight_answers_busy(servers, bare_dir):
    srv = servers.start(bare_dir, "--max-in-flight", "2", *QUICK_STOP)
    with Client(srv.ws_url) as client:
        client.send(request("duck", "querydata", query_args(ENDLESS), "a"))
        client.send(request("duck", "querydata", query_args(ENDLESS), "b"))
        client.send(request("duck", "querydata", query_args("SELECT 1"), "c"))
        busy = client.reply("c")
        assert error_of(busy)["type"] == "Busy"
        assert "2" in busy["error"]["message"]
        assert metric(srv.metrics(), "deltaduck_requests_total", endpoint="ws.rejected", outcome="busy") == 1
        # Another socket has its own allowance.
        with Client(srv.ws_url) as other:
            assert ok(other.query("SELECT 3 AS v", ["Table"]))["data"]["table"]["items"][0]["v"] == 3
        for rid in ("a", "b"):
            cancel_once_running(client, rid)
            assert error_of(client.reply(rid))["type"] == "Interrupted"
        # Room again once they ended.
        assert ok(client.query("SELECT 4 AS v", ["Table"]))["data"]["table"]["items"][0]["v"] == 4


def test_background_job_pushes_reply_and_state(server, shared_data):
    sql = 'SELECT count(*) AS n, round(avg("T (degC)"), 6) AS t FROM =(^)climate'
    expected = oracle.run(shared_data, sql)[1][0]
    with Client(server.ws_url) as client:
        client.send(request("duck", "querydata", query_args(sql, ["Table"], background=True), "bg"))
        first = client.reply("bg")
        job = first["job"]
        assert job["state"] == "running" and len(job["job_id"]) >= 8
        messages = client.messages_for("bg", until=lambda m: "job" in m and m["job"].get("state") != "running")
    replies = [m for m in messages if "data" in m]
    assert len(replies) == 1
    assert replies[0]["job_id"] == job["job_id"]
    item = replies[0]["data"]["table"]["items"][0]
    assert item["n"] == expected[0] and oracle.same_value(item["t"], expected[1])
    final = messages[-1]["job"]
    assert final["job_id"] == job["job_id"] and final["state"] == "done"
    assert final["elapsed_ms"] >= 0 and final["progress"] == 100


def test_background_job_survives_its_socket_and_can_be_cancelled(servers, bare_dir):
    srv = servers.start(bare_dir, *QUICK_STOP)
    first = Client(srv.ws_url)
    first.send(request("duck", "querydata", query_args(ENDLESS, background=True), "bg"))
    job_id = first.reply("bg")["job"]["job_id"]
    first.close()
    wait_until(lambda: metric(srv.metrics(), "deltaduck_websocket_connections") == 0, message="socket closed")
    with Client(srv.ws_url) as second:
        status = ok(second.call("duck", "jobstatus", {"job_id": job_id}))["job"]
        assert status["state"] == "running", status
        assert status["job_id"] == job_id and status["endpoint"] == "querydata"
        later = wait_until(lambda: (s := second.call("duck", "jobstatus", {"job_id": job_id})["job"])
                           ["elapsed_ms"] > status["elapsed_ms"] and s, message="elapsed time to grow")
        assert later["state"] == "running"
        attached = ok(second.call("duck", "attach", {"job_id": job_id}, request_id="att"))
        assert attached["job"]["state"] == "running"
        reply = ok(second.call("duck", "cancel", {"job_id": job_id}))
        assert reply["data"]["message"] == f"Cancelled job {job_id}"
        # The attached socket is told: the error reply, then the job's end.
        pushed = second.messages_for("bg", until=lambda m: m.get("job", {}).get("state") in ("cancelled", "failed",
                                                                                               "done"))
        assert pushed[-1]["job"]["state"] == "cancelled"
        assert any(m.get("error", {}).get("type") == "Interrupted" for m in pushed)
        status = ok(second.call("duck", "jobstatus", {"job_id": job_id}))["job"]
        assert status["state"] == "cancelled"
        assert error_of(second.call("duck", "cancel", {"job_id": job_id}))["type"] == "NotFound"
    wait_until(lambda: in_flight(srv) == 0, message="nothing running")


def test_attach_replays_a_finished_job_with_its_held_result(server):
    with Client(server.ws_url) as first:
        first.send(request("duck", "querydata",
                           query_args("SELECT i, i * i AS sq FROM range(30000) t(i)", ["Table"], render=3,
                                      background=True, keep=True), "bgk"))
        job_id = first.reply("bgk")["job"]["job_id"]
        done = first.messages_for("bgk", until=lambda m: m.get("job", {}).get("state", "running") != "running")
        assert done[-1]["job"]["state"] == "done"
    with Client(server.ws_url) as second:
        second.send(request("duck", "attach", {"job_id": job_id}, "again"))
        status = second.reply("again")
        assert status["job"]["state"] == "done" and status["job"]["job_id"] == job_id
        replayed = second.messages_for("bgk", until=lambda m: "held" in m)
        reply = next(m for m in replayed if "data" in m)
        assert reply["job_id"] == job_id
        assert [r["sq"] for r in reply["data"]["table"]["items"]] == [0, 1, 4]
        held = replayed[-1]["held"]
        assert held["row_count"] == 30000 and held["complete"] is True
        window = ok(second.call("duck", "fetchrows", {"result_id": held["result_id"], "offset": 29999, "limit": 5}))
        assert window["data"]["table"]["items"] == [{"index": 29999, "i": 29999, "sq": 29999 * 29999}]


def test_listfolders_on_delta(server, shared_data):
    with Client(server.ws_url) as client:
        reply = ok(client.call("delta", "listfolders", {}))
    assert reply["respond_to"] == "delta"
    raw = os.path.join(shared_data, "raw")
    expected = []
    for name in sorted(os.listdir(raw)):
        files = [os.path.join(raw, name, f) for f in os.listdir(os.path.join(raw, name)) if f.endswith(".csv")]
        expected.append({"name": name, "files": len(files), "bytes": sum(os.path.getsize(f) for f in files)})
    assert reply["data"]["folders"] == expected


def test_complete_on_duck(server):
    with Client(server.ws_url) as client:
        ok(client.query("CREATE OR REPLACE TABLE completion_target_table AS SELECT 1 AS x"))
        keyword = ok(client.call("duck", "complete", {"sql": "SELEC"}))["data"]["suggestions"]
        table = ok(client.call("duck", "complete", {"sql": "SELECT * FROM completion_tar"}))["data"]["suggestions"]
    assert any(s["text"].strip().upper() == "SELECT" and s["start"] == 0 for s in keyword), keyword
    assert any(s["text"].strip() == "completion_target_table" and s["start"] == len("SELECT * FROM ")
               for s in table), table


def test_tabledetails_on_duck(server, shared_data):
    dt = oracle.delta_table(shared_data, "climate")
    with Client(server.ws_url) as client:
        details = ok(client.call("duck", "tabledetails", {"table": "climate"}))["data"]["details"]
        missing = client.call("duck", "tabledetails", {"table": "no_such_delta_table"})
    assert details["name"] == "climate"
    assert details["version"] == dt.version()
    names = [f["name"] for f in details["schema"]] if isinstance(details["schema"], list) else None
    assert names == [f.name for f in dt.schema().fields]
    assert error_of(missing)["type"] == "NotFound"


def test_jobstatus_reports_duckdb_progress(servers, bare_dir):
    srv = servers.start(bare_dir, *QUICK_STOP)
    with Client(srv.ws_url) as client:
        ok(client.query("CREATE TABLE progress_rows AS SELECT i FROM range(30000000) t(i)", timeout=DEADLINE * 2))
        client.send(request("duck", "querydata", query_args(
            "SELECT sum(length(md5(i::VARCHAR))) AS s FROM progress_rows", background=True), "slow-bg"))
        job_id = client.reply("slow-bg")["job"]["job_id"]
        seen = []

        def progress_seen():
            job = ok(client.call("duck", "jobstatus", {"job_id": job_id}))["job"]
            assert job["state"] == "running", f"the job ended before any progress was seen: {job}, {seen}"
            seen.append(job["progress"])
            return job["progress"] is not None and 0 < job["progress"] < 100

        wait_until(progress_seen, message="a progress percentage")
        assert all(p is None or 0 <= p <= 100 for p in seen)
        ok(client.call("duck", "cancel", {"job_id": job_id}))
