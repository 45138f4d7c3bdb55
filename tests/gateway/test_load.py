"""Many sockets at once (none of 10,000 replies lost or crossed), and a reader that never reads (disconnected once
its send queue passes --max-send-queue-bytes, server memory bounded)."""

import asyncio
import json
import random
import statistics
import threading
import time
import socket

import websockets

from gwlib import DEADLINE, Client, frame, metric, ok, raw_upgrade, request, wait_until

SOCKETS = 200
PER_SOCKET = 50
WINDOW = 4  # requests each socket keeps in flight (below the per-socket limit of 16)


async def one_socket(url, index, results):
    """Sends PER_SOCKET distinct queries, WINDOW at a time, and checks every reply against what it asked."""
    async with websockets.connect(url, max_size=None, open_timeout=DEADLINE) as ws:
        pending = {}
        numbers = [index * 100000 + k for k in range(PER_SOCKET)]
        random.Random(index).shuffle(numbers)
        sent = 0
        received = 0

        async def send_next():
            nonlocal sent
            n = numbers[sent]
            rid = f"s{index}-{sent}"
            pending[rid] = n
            sent += 1
            await ws.send(json.dumps(request("duck", "querydata", {
                "request_query": f"SELECT {n} AS v, 'sock{index}' AS who, {n} * 3 AS triple",
                "request_contents": ["Table", "Message"]}, rid)))

        for _ in range(min(WINDOW, PER_SOCKET)):
            await send_next()
        while received < PER_SOCKET:
            reply = json.loads(await asyncio.wait_for(ws.recv(), DEADLINE))
            rid = reply.get("request_id")
            assert rid in pending, f"socket {index} got a reply for {rid!r} it did not ask for (or twice): {reply}"
            n = pending.pop(rid)
            assert "error" not in reply, reply
            items = reply["data"]["table"]["items"]
            assert items == [{"index": 0, "v": n, "who": f"sock{index}", "triple": 3 * n}], (rid, n, items)
            assert reply["data"]["message"] == "Queried Result Size: 1, 3"
            received += 1
            results.append((index, n))
            if sent < PER_SOCKET:
                await send_next()
        assert not pending


async def many_sockets(url):
    results = []
    await asyncio.wait_for(asyncio.gather(*(one_socket(url, i, results) for i in range(SOCKETS))), DEADLINE * 4)
    return results


def test_200_sockets_50_queries_each_none_lost_or_crossed(server):
    before = server.metrics()
    results = asyncio.run(many_sockets(server.ws_url))
    assert len(results) == SOCKETS * PER_SOCKET
    assert len(set(results)) == SOCKETS * PER_SOCKET
    assert {n for _, n in results} == {i * 100000 + k for i in range(SOCKETS) for k in range(PER_SOCKET)}
    after = server.metrics()
    counted = (metric(after, "deltaduck_requests_total", endpoint="duck.querydata", outcome="ok")
               - metric(before, "deltaduck_requests_total", endpoint="duck.querydata", outcome="ok"))
    assert counted == SOCKETS * PER_SOCKET
    wait_until(lambda: metric(server.metrics(), "deltaduck_websocket_connections") == 0, message="sockets closed")


# One reply of about 1 MB: 1,000 rows of 1,000 characters.
BIG_REPLY = {"request_query": "SELECT i, repeat('x', 1000) AS s FROM range(1000) t(i)", "request_contents": ["Table"],
             "request_render": 1000}


def test_reader_that_never_reads_is_disconnected_and_memory_stays_bounded(servers, bare_dir):
    queue_limit = 4 << 20
    srv = servers.start(bare_dir, "--max-send-queue-bytes", str(queue_limit))
    with Client(srv.ws_url) as warm:  # the first big reply allocates what every later one reuses
        for _ in range(3):
            assert len(ok(warm.call("duck", "querydata", BIG_REPLY))["data"]["table"]["items"]) == 1000
    rss_before_kb = srv.status_kb("VmRSS")
    sock, status, _, _ = raw_upgrade(srv.port, rcvbuf=4096)
    assert status == 101
    asked = 0
    try:
        # 300 requests of ~1 MB replies: 300 MB if the server kept them all for this reader.
        for n in range(300):
            sock.sendall(frame(json.dumps(request("duck", "querydata", BIG_REPLY, f"big{n}"))))
            asked += 1
            if metric(srv.metrics(), "deltaduck_websocket_closed_slow_total") >= 1:
                break
    except OSError:
        pass  # the server closed the socket under us: what it should do
    wait_until(lambda: metric(srv.metrics(), "deltaduck_websocket_closed_slow_total") >= 1,
               message="the slow reader to be disconnected")
    wait_until(lambda: metric(srv.metrics(), "deltaduck_websocket_connections") == 0, message="socket released")
    wait_until(lambda: metric(srv.metrics(), "deltaduck_requests_in_flight") == 0, message="requests ended")
    sock.close()
    grown_mb = (srv.status_kb("VmHWM") - rss_before_kb) / 1024
    # The queue bound (4 MB) plus replies being built by the 16 request threads, far below what was asked.
    assert grown_mb < 64, f"peak RSS grew {grown_mb:.0f} MB for a reader that never read ({asked} MB asked)"
    # The server serves on.
    with Client(srv.ws_url) as client:
        assert len(ok(client.call("duck", "querydata", BIG_REPLY))["data"]["table"]["items"]) == 1000


def test_reader_that_keeps_up_gets_every_big_reply(servers, bare_dir):
    srv = servers.start(bare_dir, "--max-send-queue-bytes", str(4 << 20))
    with Client(srv.ws_url) as client:
        for n in range(30):
            items = ok(client.call("duck", "querydata", BIG_REPLY))["data"]["table"]["items"]
            assert len(items) == 1000 and items[-1]["i"] == 999
    assert metric(srv.metrics(), "deltaduck_websocket_closed_slow_total") == 0


def test_replies_over_a_few_kilobytes_are_not_held_back(server):
    """A 10 KB reply takes about as long as a 1 KB one. Replies written in several TCP segments must not wait for
    the client's delayed ACK (Nagle's algorithm on the server's sockets adds ~40 ms per reply on Linux)."""
    small = {"request_query": "SELECT i FROM range(20) t(i)", "request_contents": ["Table"], "request_render": 1000}
    large = {"request_query": "SELECT i FROM range(400) t(i)", "request_contents": ["Table"], "request_render": 1000}
    timings = {"small": [], "large": []}
    with Client(server.ws_url) as client:
        for _ in range(3):
            ok(client.call("duck", "querydata", small))
            ok(client.call("duck", "querydata", large))
        for _ in range(15):  # interleaved, so that a busy moment of the machine hits both alike
            for name, args in (("small", small), ("large", large)):
                start = time.perf_counter()
                reply = ok(client.call("duck", "querydata", args))
                timings[name].append(time.perf_counter() - start)
            assert len(reply["data"]["table"]["items"]) == 400
    small_ms = statistics.median(timings["small"]) * 1000
    large_ms = statistics.median(timings["large"]) * 1000
    assert large_ms < small_ms + 20, f"10 KB replies take {large_ms:.1f} ms, 1 KB replies {small_ms:.1f} ms"


ENDLESS = "SELECT count(*) AS n FROM range(10000000000000)"


def test_one_socket_at_its_limit_does_not_starve_the_others(servers, bare_dir):
    """A socket running as many long queries as it may (--max-in-flight, 16 by default) must leave room for other
    sockets' requests and for /healthz and /metrics."""
    srv = servers.start(bare_dir, "--shutdown-grace", "2000")
    hog = Client(srv.ws_url)
    for k in range(16):
        hog.send(request("duck", "querydata", {"request_query": ENDLESS}, f"hog{k}"))
    hog.send(request("duck", "querydata", {"request_query": "SELECT 1"}, "one-too-many"))
    assert hog.reply("one-too-many")["error"]["type"] == "Busy"  # all 16 are accepted by now
    problems = []

    def other_socket():
        try:
            with Client(srv.ws_url) as other:
                reply = other.call("duck", "querydata", {"request_query": "SELECT 1 AS one",
                                                         "request_contents": ["Table"]}, timeout=20)
                if reply.get("data", {}).get("table", {}).get("items") != [{"index": 0, "one": 1}]:
                    problems.append(f"another socket's SELECT 1 answered {reply}")
        except TimeoutError:
            problems.append("another socket's SELECT 1 got no answer in 20 s")

    def probe(path):
        try:
            if srv.http("GET", path, timeout=20).status != 200:
                problems.append(f"{path} did not answer 200")
        except TimeoutError:
            problems.append(f"{path} got no answer in 20 s")

    probes = [threading.Thread(target=other_socket)] + [threading.Thread(target=probe, args=(p,))
                                                         for p in ("/healthz", "/metrics")]
    for thread in probes:
        thread.start()
    for thread in probes:
        thread.join()
    hog.close()  # cancels the 16
    assert not problems, "; ".join(problems)
