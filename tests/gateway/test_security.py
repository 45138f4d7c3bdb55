"""Access: loopback by default, a token for anything else (checked on every HTTP request and on the WebSocket upgrade,
by header or by the /login cookie, refused without leaking it), and the WebSocket Origin check.

Nothing here accepts traffic from outside loopback: 0.0.0.0 and :: are only given to check that the server refuses
to start on them without a token; token mode itself is tested on 127.0.0.1.
"""

import json
import os
import subprocess

import pytest
from websockets.exceptions import InvalidStatus

from gwlib import BINARY, DEADLINE, Client, ServerExited, http_request, ok, quote, raw_upgrade

TOKEN = "t0ken-Zq8wLm3vXr"


@pytest.mark.parametrize("listen", ["0.0.0.0:0", "[::]:0"])
def test_non_loopback_without_token_refuses_to_start(servers, bare_dir, listen):
    srv = servers.start(bare_dir, listen=listen, ready=False)
    srv.expected_exit = None
    with pytest.raises(ServerExited) as refused:
        srv.wait_ready()
    assert srv.proc.returncode != 0
    assert srv.port is None
    text = str(refused.value)
    assert "token" in text and ("--token" in text or "DELTADUCK_TOKEN" in text), text


def test_loopback_names_need_no_token(servers, bare_dir):
    srv = servers.start(bare_dir, listen="localhost:0")
    assert srv.host == "127.0.0.1"
    assert srv.get_json("/api/workers")[0] == 200


@pytest.fixture
def guarded(servers, bare_dir):
    srv = servers.start(bare_dir, "--token", TOKEN, quiet=False)
    yield srv
    # The token never shows in what the server prints.
    assert TOKEN not in srv.stdout_text() + srv.stderr_text()


def bearer(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def refused_without_leak(response, *secrets):
    assert response.status == 401, response.body
    body = response.body.decode()
    error = json.loads(body)["error"]
    assert error["type"] == "Unauthorized" and error["message"]
    assert response.headers.get("www-authenticate", "").startswith("Bearer")
    for secret in (TOKEN,) + secrets:
        assert secret not in body and secret not in json.dumps(response.headers)
    return error["message"]


def test_token_required_on_every_api_call(guarded):
    for method, path in (("GET", "/api/tables"), ("GET", "/metrics"), ("GET", "/api/openapi.json"),
                         ("POST", "/api/query"), ("GET", "/api/export?query=" + quote("SELECT 1"))):
        message = refused_without_leak(guarded.http(method, path, b"{}" if method == "POST" else None))
        assert "token" in message.lower()
    assert guarded.http("GET", "/api/tables", headers=bearer()).status == 200
    status, body = guarded.post_json("/api/query", {"request_query": "SELECT 7 AS v", "request_contents": ["Table"]},
                                     headers=bearer())
    assert status == 200 and body["data"]["table"]["items"][0]["v"] == 7
    # /healthz answers without a token (for load balancers).
    assert guarded.http("GET", "/healthz").status == 200


def test_wrong_token_is_refused_and_not_echoed(guarded):
    for wrong in ("nope", TOKEN[:-1], TOKEN + "x", TOKEN[:-1] + "Y", "x" * len(TOKEN)):
        message = refused_without_leak(guarded.http("GET", "/api/tables", headers=bearer(wrong)), wrong)
        assert "not this server's token" in message
    message = refused_without_leak(guarded.http("GET", "/api/tables", headers={"Authorization": f"Basic {TOKEN}"}))
    assert "Bearer" in message
    message = refused_without_leak(guarded.http("GET", "/api/tables", headers={"Cookie": "deltaduck_token=bad"}),
                                   "bad")


def test_browser_is_sent_to_login_and_cookie_flow(guarded):
    page = guarded.http("GET", "/manage", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status == 303 and page.headers["location"] == "/login"
    form = guarded.http("GET", "/login")
    assert form.status == 200 and b"<form" in form.body and b'name="token"' in form.body
    body = f"token={quote('wrong-one')}".encode()
    bad = guarded.http("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status == 401 and TOKEN.encode() not in bad.body and b"wrong-one" not in bad.body
    assert "set-cookie" not in bad.headers
    good = guarded.http("POST", "/login", f"token={quote(TOKEN)}".encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert good.status == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    pair = cookie.split(";")[0]
    assert guarded.http("GET", "/api/tables", headers={"Cookie": pair}).status == 200
    assert guarded.http("GET", "/api/tables", headers={"Cookie": f"other=1; {pair}"}).status == 200
    with Client(guarded.ws_url, headers={"Cookie": pair}) as client:
        assert ok(client.query("SELECT 1 AS one", ["Table"]))["data"]["table"]["items"][0]["one"] == 1


def test_websocket_upgrade_needs_the_token(guarded):
    for headers in (None, bearer("wrong"), {"Cookie": "deltaduck_token=wrong"}):
        with pytest.raises(InvalidStatus) as refused:
            Client(guarded.ws_url, headers=headers)
        assert refused.value.response.status_code == 401
        assert TOKEN.encode() not in refused.value.response.body
    with Client(guarded.ws_url, headers=bearer()) as client:
        assert ok(client.query("SELECT 2 AS two", ["Table"]))["data"]["table"]["items"][0]["two"] == 2


def test_token_from_environment(servers, bare_dir):
    srv = servers.start(bare_dir, env={"DELTADUCK_TOKEN": TOKEN})
    assert srv.http("GET", "/api/tables").status == 401
    assert srv.http("GET", "/api/tables", headers=bearer()).status == 200


def test_foreign_origin_refused_own_origin_allowed(server):
    own = f"http://127.0.0.1:{server.port}"
    with Client(server.ws_url, origin=own) as client:
        ok(client.query("SELECT 1"))
    with Client(server.ws_url) as client:  # no Origin: not a browser page
        ok(client.query("SELECT 1"))
    for foreign in ("http://evil.example", f"http://127.0.0.1:{server.port}.evil.example",
                    f"http://127.0.0.1:{server.port + 1 if server.port < 65535 else 1}", "null"):
        with pytest.raises(InvalidStatus) as refused:
            Client(server.ws_url, origin=foreign)
        response = refused.value.response
        assert response.status_code == 403, foreign
        assert "allow-origin" in response.body.decode()


def test_allow_origin_flag(servers, bare_dir):
    srv = servers.start(bare_dir, "--allow-origin", "http://app.example:5173")
    with Client(srv.ws_url, origin="http://app.example:5173") as client:
        ok(client.query("SELECT 1"))
    with pytest.raises(InvalidStatus) as refused:
        Client(srv.ws_url, origin="http://other.example")
    assert refused.value.response.status_code == 403
    anyone = servers.start(bare_dir, "--allow-origin", "*")
    with Client(anyone.ws_url, origin="http://whoever.example") as client:
        ok(client.query("SELECT 1"))


def test_dns_rebinding_host_is_refused_on_loopback(server):
    """A page on rebind.example whose name now points at 127.0.0.1 is same-origin with itself: the server must not
    take it for its own origin. A loopback server without a token answers only Host names that are loopback."""
    host = f"rebind.example:{server.port}"
    sock, status, _, _ = raw_upgrade(server.port, headers={"Host": host, "Origin": f"http://{host}"})
    sock.close()
    assert status in (403, 421), f"WebSocket upgrade from a rebound host name answered {status}"
    response = http_request(server.port, "GET", "/api/tables", headers={"Host": host})
    assert response.status in (403, 421), f"REST call with Host {host} answered {response.status}"
    # The real names still work.
    for good in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert http_request(server.port, "GET", "/api/tables", headers={"Host": good}).status == 200


def test_cross_site_post_cannot_run_sql(server):
    """What any web page can send without a preflight (text/plain POST) must not run SQL on a tokenless server."""
    body = json.dumps({"request_query": "CREATE OR REPLACE TABLE csrf_post AS SELECT 1 AS pwned"}).encode()
    response = server.http("POST", "/api/query", body, {"Content-Type": "text/plain;charset=UTF-8",
                                                         "Origin": "http://evil.example",
                                                         "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
    status, check = server.post_json("/api/query", {"request_query": "SELECT count(*) AS n FROM duckdb_tables() "
                                                                     "WHERE table_name = 'csrf_post'",
                                                    "request_contents": ["Table"]})
    created = check["data"]["table"]["items"][0]["n"]
    assert response.status == 403 and created == 0, f"cross-site POST answered {response.status}, table made: {created}"


def test_cross_site_get_export_cannot_run_sql(server):
    """An <img src=".../api/export?query=..."> on any page is a cross-site GET: it must not run statements."""
    sql = "CREATE OR REPLACE TABLE csrf_get AS SELECT 1 AS pwned; SELECT 1 AS one"
    response = server.http("GET", "/api/export?query=" + quote(sql),
                           headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
                                    "Sec-Fetch-Dest": "image", "Referer": "http://evil.example/"})
    status, check = server.post_json("/api/query", {"request_query": "SELECT count(*) AS n FROM duckdb_tables() "
                                                                     "WHERE table_name = 'csrf_get'",
                                                    "request_contents": ["Table"]})
    created = check["data"]["table"]["items"][0]["n"]
    assert created == 0, f"a cross-site GET /api/export created a table (status {response.status})"


def test_sandbox_keeps_sql_inside_the_data_directory(server):
    with Client(server.ws_url) as client:
        for sql in ("SELECT * FROM read_text('/etc/hostname')", "COPY (SELECT 1) TO '/tmp/deltaduck-escape.csv'",
                    "SELECT * FROM read_text('../../../../etc/hostname')", "INSTALL httpfs",
                    "ATTACH '/tmp/deltaduck-escape.duckdb'", "SELECT * FROM read_text('.deltaduck/catalog.duckdb')"):
            reply = client.query(sql)
            assert "error" in reply, sql
            assert reply["error"]["type"] in ("Permission", "InvalidInput", "NotFound"), reply
    assert not os.path.exists("/tmp/deltaduck-escape.csv")
    assert not os.path.exists("/tmp/deltaduck-escape.duckdb")


def test_listen_flag_validation(bare_dir):
    for listen in ("nonsense", "127.0.0.1:99999", "not-an-ip:0"):
        done = subprocess.run([BINARY, "serve", "--data", bare_dir, "--listen", listen, "--quiet"],
                              capture_output=True, timeout=DEADLINE)
        assert done.returncode != 0, listen
        assert b"ready at" not in done.stdout
