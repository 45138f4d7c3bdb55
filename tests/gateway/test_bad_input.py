"""The bad-input corpus: every malformed request gets an error reply naming its cause, and the socket stays usable;
a message over --max-message-bytes closes with 1009; pings go out and a silent peer is closed."""

import json
import socket
import time

import pytest
from websockets.exceptions import ConnectionClosed

from gwlib import DEADLINE, Client, error_of, frame, ok, raw_upgrade, read_frame

SELECT_ONE = {"request_to": "duck", "request_endpoint": "querydata",
              "request_args": {"request_query": "SELECT 6 * 7 AS v", "request_contents": ["Table"]}}


def still_usable(client, marker):
    """The socket answers a good request after the bad one."""
    request = dict(SELECT_ONE, request_id=f"after-{marker}")
    client.send(request)
    reply = ok(client.reply(f"after-{marker}"))
    assert reply["data"]["table"]["items"] == [{"index": 0, "v": 42}]


# (what is sent, the error type, words the message must contain, the request_id the reply must carry)
CORPUS = [
    ("not json {", "InvalidInput", "not valid JSON", None),
    ("", "InvalidInput", "not valid JSON", None),
    ("[1, 2, 3]", "InvalidInput", "JSON object", None),
    ('"just a string"', "InvalidInput", "JSON object", None),
    ("null", "InvalidInput", "JSON object", None),
    ({"request_endpoint": "querydata", "request_args": {}, "request_id": "no-to"}, "InvalidInput", "request_to",
     "no-to"),
    ({"request_to": "nobody", "request_endpoint": "querydata", "request_id": "bad-to"}, "InvalidInput",
     "request_to", "bad-to"),
    ({"request_to": 5, "request_endpoint": "querydata", "request_id": "num-to"}, "InvalidInput", "request_to",
     "num-to"),
    ({"request_to": "duck", "request_endpoint": "nosuch", "request_id": "ep"}, "InvalidInput",
     "unknown duck endpoint: nosuch", "ep"),
    ({"request_to": "delta", "request_endpoint": "querydata", "request_id": "ep2"}, "InvalidInput",
     "unknown delta endpoint: querydata", "ep2"),
    ({"request_to": "duck", "request_id": "no-ep"}, "InvalidInput", "request_endpoint", "no-ep"),
    ({"request_to": "duck", "request_endpoint": ["querydata"], "request_id": "list-ep"}, "InvalidInput",
     "request_endpoint", "list-ep"),
    ({"request_to": "duck", "request_endpoint": "querydata", "request_args": "SELECT 1", "request_id": "args"},
     "InvalidInput", "request_args must be an object", "args"),
    ({"request_to": "duck", "request_endpoint": "querydata", "request_args": {}, "request_id": "noq"},
     "InvalidInput", "request_query is missing", "noq"),
    ({"request_to": "duck", "request_endpoint": "querydata", "request_args": {"request_query": 5},
      "request_id": "intq"}, "InvalidInput", "request_query must be a string", "intq"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_render": 0}, "request_id": "r0"}, "InvalidInput",
     "request_render", "r0"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_render": 100001}, "request_id": "rbig"},
     "InvalidInput", "request_render", "rbig"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_render": "lots"}, "request_id": "rtext"},
     "InvalidInput", "request_render", "rtext"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_render": 2.5}, "request_id": "rfloat"},
     "InvalidInput", "request_render", "rfloat"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_contents": "Table"}, "request_id": "cstr"},
     "InvalidInput", "request_contents", "cstr"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "request_contents": ["Pie"]}, "request_id": "cpie"},
     "InvalidInput", "Pie", "cpie"),
    ({"request_to": "duck", "request_endpoint": "querydata",
      "request_args": {"request_query": "SELECT 1", "keep": "yes"}, "request_id": "keep"},
     "InvalidInput", "keep", "keep"),
    ({"request_to": "duck", "request_endpoint": "querydata", "request_args": {"request_query": "   "},
      "request_id": "empty-sql"}, "InvalidInput", "no SQL statement", "empty-sql"),
    ({"request_to": "duck", "request_endpoint": "querydata", "request_args": {"request_query": "SELEC 1"},
      "request_id": "syntax"}, "InvalidInput", "syntax error", "syntax"),
    ({"request_to": "duck", "request_endpoint": "fetchrows", "request_args": {}, "request_id": "f1"},
     "InvalidInput", "result_id is missing", "f1"),
    ({"request_to": "duck", "request_endpoint": "fetchrows", "request_args": {"result_id": "../../etc/passwd"},
      "request_id": "f2"}, "InvalidInput", "not a result id", "f2"),
    ({"request_to": "duck", "request_endpoint": "fetchrows",
      "request_args": {"result_id": "0" * 32, "limit": 10001}, "request_id": "f3"}, "InvalidInput", "limit", "f3"),
    ({"request_to": "duck", "request_endpoint": "fetchrows",
      "request_args": {"result_id": "0" * 32, "offset": -1}, "request_id": "f4"}, "InvalidInput", "offset", "f4"),
    ({"request_to": "duck", "request_endpoint": "fetchrows", "request_args": {"result_id": "0" * 32},
      "request_id": "f5"}, "NotFound", "is not held", "f5"),
    ({"request_to": "duck", "request_endpoint": "cancel", "request_args": {}, "request_id": "c1"},
     "InvalidInput", "request_id", "c1"),
    ({"request_to": "duck", "request_endpoint": "cancel", "request_args": {"request_id": "never-sent"},
      "request_id": "c2"}, "NotFound", "never-sent", "c2"),
    ({"request_to": "duck", "request_endpoint": "jobstatus", "request_args": {"job_id": "feedfacefeedface"},
      "request_id": "j1"}, "NotFound", "feedfacefeedface", "j1"),
    ({"request_to": "duck", "request_endpoint": "attach", "request_args": {}, "request_id": "j2"},
     "InvalidInput", "job_id", "j2"),
    ({"request_to": "delta", "request_endpoint": "ingestdata", "request_args": {"request_folderpath": 3},
      "request_id": "i1"}, "InvalidInput", "request_folderpath", "i1"),
    ({"request_to": "duck", "request_endpoint": "duckconnect", "request_args": {"conn_string": 7},
      "request_id": "d1"}, "InvalidInput", "conn_string", "d1"),
    ({"request_to": "duck", "request_endpoint": "complete", "request_args": {}, "request_id": "cmp"},
     "InvalidInput", "sql", "cmp"),
]


@pytest.mark.parametrize("message,error_type,cause,request_id", CORPUS,
                         ids=[f"{i}-{str(c[0])[:40]}" for i, c in enumerate(CORPUS)])
def test_bad_request_names_cause_and_socket_stays_usable(server, message, error_type, cause, request_id):
    with Client(server.ws_url) as client:
        client.send(message if isinstance(message, str) else json.dumps(message))
        reply = client.recv()
        error = error_of(reply)
        assert error["type"] == error_type, reply
        assert cause.lower() in error["message"].lower(), reply
        assert reply["request_id"] == request_id
        assert error["detail"] == "An unexpected error occurred: " + error["message"]
        still_usable(client, "corpus")


def test_binary_frame_is_refused_and_socket_stays_usable(server):
    with Client(server.ws_url) as client:
        client.send(json.dumps(dict(SELECT_ONE, request_id="bin")).encode())
        reply = client.recv()
        assert error_of(reply)["type"] == "InvalidInput"
        assert "binary" in reply["error"]["message"]
        still_usable(client, "binary")


def test_many_bad_requests_in_a_row_then_good_ones(server):
    with Client(server.ws_url) as client:
        for i in range(200):
            client.send("{broken" if i % 2 else b"\x00\x01")
        errors = [client.recv() for _ in range(200)]
        assert all(e["error"]["type"] == "InvalidInput" for e in errors)
        still_usable(client, "burst")


def test_request_id_is_echoed_as_given(server):
    """Replies echo request_id; a client that numbers its requests gets its numbers back."""
    with Client(server.ws_url) as client:
        client.send(dict(SELECT_ONE, request_id="text-id"))
        assert client.recv()["request_id"] == "text-id"
        client.send(dict(SELECT_ONE, request_id=7))
        reply = client.recv()
        assert reply["request_id"] == 7, f"numeric request_id 7 came back as {reply['request_id']!r}"


def expect_close_1009(client, text):
    """The server closes with 1009 (message too big): seen while still sending, or when reading after."""
    with pytest.raises(ConnectionClosed) as closed:
        client.send(text)
        client.recv(timeout=DEADLINE)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, closed.value


def test_message_over_limit_closes_1009_and_server_keeps_serving(servers, bare_dir):
    limit = 65536
    srv = servers.start(bare_dir, "--max-message-bytes", str(limit))
    with Client(srv.ws_url) as client:
        # Exactly at the limit: accepted (a comment pads the SQL).
        head = json.dumps(dict(SELECT_ONE, request_id="edge"))
        pad = limit - len(head) - len(" --")
        padded = dict(SELECT_ONE, request_id="edge")
        padded["request_args"] = dict(SELECT_ONE["request_args"])
        padded["request_args"]["request_query"] = "SELECT 6 * 7 AS v --" + "x" * pad
        text = json.dumps(padded)
        assert len(text.encode()) == limit, len(text)
        client.send(text)
        assert ok(client.reply("edge"))["data"]["table"]["items"] == [{"index": 0, "v": 42}]
        expect_close_1009(client, "x" * (limit + 1))
    with Client(srv.ws_url) as client:
        still_usable(client, "after-1009")


def test_default_message_limit_is_one_mib(server):
    with Client(server.ws_url) as client:
        client.send(" " * (1 << 20))  # whitespace: JSON-wise nothing, size-wise exactly the limit
        assert error_of(client.recv())["type"] == "InvalidInput"
        expect_close_1009(client, " " * ((1 << 20) + 1))


def wait_alive(srv):
    """Whether the server still runs once it has answered (or not) a probe: a crash takes a moment to be seen."""
    try:
        srv.http("GET", "/healthz", timeout=DEADLINE)
    except OSError:
        pass
    try:
        srv.proc.wait(timeout=1)
    except Exception:
        pass
    return srv.alive()


@pytest.mark.parametrize("where", ["request_args", "request_contents", "request_to"])
def test_deeply_nested_json_does_not_crash_the_server(servers, bare_dir, where):
    """A message under the size limit made of nested arrays: answered with an error, never a crash."""
    srv = servers.start(bare_dir)
    srv.expected_exit = None  # checked here, once: a crash is this test's failure, not a teardown error
    depth = 300000
    nested = "[" * depth + "]" * depth
    messages = {
        "request_args": '{"request_to":"duck","request_endpoint":"querydata","request_id":"deep",'
                        '"request_args":{"request_query":"SELECT 1","x":' + nested + '}}',
        "request_contents": '{"request_to":"duck","request_endpoint":"querydata","request_id":"deep",'
                            '"request_args":{"request_query":"SELECT 1","request_contents":[' + nested + ']}}',
        "request_to": '{"request_to":' + nested + ',"request_endpoint":"querydata","request_id":"deep"}',
    }
    text = messages[where]
    assert len(text) < 1 << 20
    with Client(srv.ws_url) as client:
        client.send(text)
        try:
            client.recv()
        except ConnectionClosed:
            pass  # refusing by closing is acceptable; dying is not (checked below)
    assert wait_alive(srv), f"the server died (status {srv.proc.returncode}) on a {len(text)}-byte nested message"
    with Client(srv.ws_url) as client:
        still_usable(client, "deep")
    assert srv.stop() == 0


def test_deeply_nested_json_body_over_rest_does_not_crash(servers, bare_dir):
    srv = servers.start(bare_dir)
    srv.expected_exit = None
    depth = 300000
    body = '{"request_query":"SELECT 1","x":' + "[" * depth + "]" * depth + "}"
    try:
        status, _, _ = srv.http("POST", "/api/query", body.encode(), {"Content-Type": "application/json"})
        assert status < 500 or status == 503
    except (ConnectionError, OSError):
        pass
    assert wait_alive(srv), f"the server died (status {srv.proc.returncode}) on a nested JSON body"
    status, body = srv.post_json("/api/query", {"request_query": "SELECT 1 AS one", "request_contents": ["Table"]})
    assert status == 200 and body["data"]["table"]["items"] == [{"index": 0, "one": 1}]
    assert srv.stop() == 0


def test_pings_keep_a_live_peer_and_silent_peer_is_closed(servers, bare_dir):
    """Pings go out every half --idle-timeout; answered, the socket stays; unanswered, it is closed."""
    srv = servers.start(bare_dir, "--idle-timeout", "2")
    sock, status, _, rest = raw_upgrade(srv.port)
    assert status == 101 and rest == b""
    sock.settimeout(DEADLINE)
    pings = 0
    started = time.monotonic()
    while pings < 4:  # four pings answered: about twice the idle timeout, and still open
        opcode, payload = read_frame(sock)
        assert opcode == 0x9, f"expected a ping, got opcode {opcode}"
        pings += 1
        sock.sendall(frame(payload, opcode=0xA))
    assert time.monotonic() - started >= 2 * 0.9, "pings came faster than half the idle timeout"
    # Still usable after the pings.
    sock.sendall(frame(json.dumps(dict(SELECT_ONE, request_id="alive"))))
    while True:
        opcode, payload = read_frame(sock)
        if opcode == 0x1:
            assert json.loads(payload)["request_id"] == "alive"
            break
    # Now stop answering: the server closes the connection.
    deadline = time.monotonic() + DEADLINE
    closed = False
    while time.monotonic() < deadline:
        try:
            opcode, _ = read_frame(sock)
        except (ConnectionError, socket.timeout, OSError):
            closed = True
            break
        if opcode == 0x8:
            closed = True
            break
    sock.close()
    assert closed, "a peer that answers no pings was not closed"
