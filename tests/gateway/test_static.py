"""The built web app (--web DIR): MIME types, caching, client routes, precompressed siblings, no traversal; and the
placeholder page when no app is built."""

import gzip
import http.client
import os
import socket

import pytest

from gwlib import DEADLINE, Client, ok, wait_until

INDEX = b"<!doctype html><html><head><title>fake app</title></head><body><div id=app></div></body></html>\n"
SECRET = b"SECRET-OUTSIDE-THE-WEB-DIR-7f3a\n"
APP_JS = b"console.log('the app bundle');\n" * 200


@pytest.fixture
def web(tmp_path):
    """A fake built app beside a secret file that must never be served."""
    root = tmp_path / "site"
    web_dir = root / "dist"
    (web_dir / "assets").mkdir(parents=True)
    (root / "secret.txt").write_bytes(SECRET)
    (web_dir / "index.html").write_bytes(INDEX)
    (web_dir / "assets" / "app-Bx12abCD.js").write_bytes(APP_JS)
    (web_dir / "assets" / "app-Bx12abCD.js.gz").write_bytes(gzip.compress(APP_JS))
    (web_dir / "assets" / "style-9fK2mQ1z.css").write_bytes(b"body{color:#07ee7a}")
    (web_dir / "assets" / "style-9fK2mQ1z.css.br").write_bytes(b"pretend-brotli-bytes")
    (web_dir / "assets" / "logo-A1b2C3d4.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (web_dir / "assets" / "font-Zz9Yy8Xx.woff2").write_bytes(b"wOF2fake")
    (web_dir / "assets" / "engine-Qw3Er5Ty.wasm").write_bytes(b"\0asm\1\0\0\0")
    (web_dir / "favicon.ico").write_bytes(b"\0\0\1\0")
    (web_dir / "apple-touch-icon-precomposed.png").write_bytes(b"\x89PNG fake")
    (web_dir / "manifest.json").write_bytes(b"{}")
    (web_dir / "data.unknownext").write_bytes(b"??")
    os.symlink(root / "secret.txt", web_dir / "linked.txt")
    os.symlink(root, web_dir / "linkeddir")
    return str(web_dir)


@pytest.fixture
def site(servers, bare_dir, web):
    return servers.start(bare_dir, "--web", web)


def test_index_and_client_routes(site):
    for path in ("/", "/index.html", "/manage", "/analysis", "/settings/connection", "/manage?tab=2"):
        response = site.http("GET", path)
        assert response.status == 200, path
        assert response.body == INDEX, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "immutable" not in response.headers.get("cache-control", ""), path


@pytest.mark.parametrize("path,mime,immutable", [
    ("/assets/app-Bx12abCD.js", "text/javascript", True),
    ("/assets/style-9fK2mQ1z.css", "text/css", True),
    ("/assets/logo-A1b2C3d4.svg", "image/svg+xml", True),
    ("/assets/font-Zz9Yy8Xx.woff2", "font/woff2", True),
    ("/assets/engine-Qw3Er5Ty.wasm", "application/wasm", True),
    ("/favicon.ico", "image/x-icon", False),
    ("/manifest.json", "application/json", False),
    ("/data.unknownext", "application/octet-stream", False),
    ("/apple-touch-icon-precomposed.png", "image/png", False),
])
def test_mime_types_and_caching(site, web, path, mime, immutable):
    response = site.http("GET", path)
    assert response.status == 200
    assert response.headers["content-type"].split(";")[0] == mime
    assert response.headers["x-content-type-options"] == "nosniff"
    with open(os.path.join(web, path.lstrip("/")), "rb") as f:
        assert response.body == f.read()
    cache = response.headers.get("cache-control", "")
    if immutable:
        assert "immutable" in cache and "max-age=31536000" in cache, cache
    else:
        assert "immutable" not in cache, f"{path} is not content-hashed but got {cache!r}"


def test_precompressed_siblings(site):
    plain = site.http("GET", "/assets/app-Bx12abCD.js")
    assert "content-encoding" not in plain.headers and plain.body == APP_JS
    zipped = site.http("GET", "/assets/app-Bx12abCD.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert "accept-encoding" in zipped.headers.get("vary", "").lower()
    assert gzip.decompress(zipped.body) == APP_JS
    assert int(zipped.headers["content-length"]) == len(zipped.body) < len(APP_JS)
    brotli = site.http("GET", "/assets/style-9fK2mQ1z.css", headers={"Accept-Encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br" and brotli.body == b"pretend-brotli-bytes"
    assert brotli.headers["content-type"].startswith("text/css")
    no_sibling = site.http("GET", "/assets/logo-A1b2C3d4.svg", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in no_sibling.headers


def test_head_missing_and_methods(site):
    head = site.http("HEAD", "/assets/app-Bx12abCD.js")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) == len(APP_JS)
    assert site.http("GET", "/assets/missing-Aa11Bb22.js").status == 404
    assert site.http("GET", "/nothing.txt").status == 404
    assert site.http("POST", "/index.html", b"x").status == 405
    assert site.http("DELETE", "/").status == 405


TRAVERSALS = [
    "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt",
    "/.%2e/secret.txt", "/%2E%2E/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt", "/..%252fsecret.txt", "/..%5csecret.txt", "/%2e%2e%5csecret.txt",
    "/..\\secret.txt", "/assets/..\\..\\secret.txt", "//etc/passwd", "/%2fetc%2fpasswd", "/etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/../../../../../../etc/passwd", "/..%00/secret.txt",
    "/%00", "/..;/secret.txt", "/linked.txt", "/linkeddir/secret.txt", "/linkeddir/dist/index.html",
    "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",
]


def leaks(body):
    return SECRET in body or b"root:x:0:0" in body


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_are_refused(site, path):
    try:
        response = site.http("GET", path)
    except http.client.RemoteDisconnected:
        return  # nothing leaked; answering nothing at all is test_non_utf8_path_gets_an_answer's subject
    assert not leaks(response.body), f"{path} served a file outside the web folder"
    # Either refused, or treated as a client route (the app's own index.html), nothing else.
    assert response.status in (400, 403, 404) or response.body == INDEX, (path, response.status, response.body[:80])


@pytest.mark.parametrize("path", ["/%ff.js", "/assets/%c0%ae%c0%ae.css", "/%fe%ff/x.png"])
def test_non_utf8_path_gets_an_answer(site, path):
    """A path that decodes to bytes that are not UTF-8 gets a 400 or 404 like any other missing file (not a dropped
    connection)."""
    try:
        response = site.http("GET", path)
    except http.client.RemoteDisconnected:
        pytest.fail(f"GET {path}: the server closed the connection without an answer")
    assert response.status in (400, 404)
    assert site.http("GET", "/").status == 200


def raw_get(port, target):
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("target", ["../secret.txt", f"http://127.0.0.1/../secret.txt", "secret.txt",
                                   "/assets/../../secret.txt#", "*"])
def test_odd_request_targets(site, target):
    data = raw_get(site.port, target)
    assert not leaks(data), target


def test_api_paths_are_not_files(site, web):
    with open(os.path.join(web, "api-notes.json"), "w") as f:
        f.write("{}")
    response = site.http("GET", "/api/openapi.json")
    assert response.status == 200 and b'"openapi"' in response.body


@pytest.mark.parametrize("web_dir_kind", ["empty", "missing"])
def test_placeholder_page_without_a_built_app(servers, bare_dir, tmp_path, web_dir_kind):
    web_dir = tmp_path / "no-app"
    if web_dir_kind == "empty":
        web_dir.mkdir()
    srv = servers.start(bare_dir, "--web", str(web_dir))
    wait_until(lambda: "not built" in srv.stdout_text(), message="the start-up line saying the app is not built")
    page = srv.http("GET", "/")
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.body.decode()
    assert "has not been built" in text and "make run" in text and "npm run build" in text and "--web" in text
    assert srv.http("GET", "/index.html").status == 200
    assert srv.http("GET", "/assets/app.js").status == 404
    assert srv.http("GET", "/../../etc/passwd").status in (400, 404)
    assert not leaks(srv.http("GET", "/../../etc/passwd").body)
    # The API and the WebSocket work already.
    assert srv.http("GET", "/healthz").status == 200
    with Client(srv.ws_url) as client:
        ok(client.query("SELECT 1"))
