"""The REST API: every route with its status codes, and an OpenAPI document that lists exactly what is answered."""

import json
import os

import oracle
from gwlib import DEADLINE, Client, metric, parse_metrics, quote, wait_until

#: The REST routes of the README's table, with a concrete path for each template.
ROUTES = {
    ("post", "/api/query"), ("post", "/api/ingest"), ("get", "/api/jobs/{id}"), ("get", "/api/tables"),
    ("get", "/api/tables/{name}"), ("get", "/api/export"), ("get", "/api/results/{id}/export"),
    ("get", "/api/folders"), ("post", "/api/complete"), ("get", "/api/workers"), ("get", "/healthz"),
    ("get", "/metrics"), ("get", "/api/openapi.json"),
}


def test_post_query_answers_the_querydata_reply(server, shared_data):
    sql = 'SELECT "Date Time", "T (degC)" FROM =(^)climate ORDER BY 1 LIMIT 5'
    status, body = server.post_json("/api/query", {"request_query": sql, "request_contents": ["Table", "Message"]})
    assert status == 200, body
    names, rows = oracle.run(shared_data, sql)
    assert body["response_contents"] == ["Table", "Message"]
    assert body["data"]["message"] == f"Queried Result Size: {len(rows)}, 2"
    items = body["data"]["table"]["items"]
    assert [oracle.same_value(i["t_(degc)"], r[1]) for i, r in zip(items, rows)] == [True] * len(rows)
    assert body["data"]["delta_versions"] == {"climate": oracle.delta_table(shared_data, "climate").version()}


def test_post_query_keep_merges_the_held_message(server):
    status, body = server.post_json("/api/query", {"request_query": "SELECT * FROM range(12345) t(i)",
                                                   "request_contents": ["Table"], "request_render": 2, "keep": True})
    assert status == 200
    assert body["held"] == {"result_id": body["data"]["result_id"], "row_count": 12345, "complete": True}


def test_post_query_error_statuses(servers, bare_dir):
    srv = servers.start(bare_dir, "--query-timeout", "1", "--shutdown-grace", "2000")
    cases = [
        ({"request_query": "SELECT * FROM missing_table"}, 404, "NotFound"),
        ({"request_query": "SELEC 1"}, 400, "InvalidInput"),
        ({}, 400, "InvalidInput"),
        ({"request_query": "SELECT 1", "request_render": 0}, 400, "InvalidInput"),
        ({"request_query": "SELECT * FROM read_csv('/etc/passwd')"}, 403, "Permission"),
        ({"request_query": "SET threads = 1"}, 403, "Permission"),
        ({"request_query": "SELECT count(*) FROM range(10000000000000)"}, 504, "Timeout"),
    ]
    for args, status, error_type in cases:
        got, body = srv.post_json("/api/query", args)
        assert (got, body["error"]["type"]) == (status, error_type), (args, body)
        assert "/etc/passwd" not in json.dumps(body) or status == 403
    for raw in (b"not json", b"[1,2]", b'"text"'):
        got, _, body = srv.http("POST", "/api/query", raw, {"Content-Type": "application/json"})
        assert got == 400 and "JSON object" in json.loads(body)["error"]["message"]


def test_ingest_is_a_job_with_status_url(server, shared_data):
    status, body = server.post_json("/api/ingest", {"request_folderpath": "climate", "request_tablename": "rest_ing",
                                                    "request_method": "overwrite"})
    assert status == 202, body
    assert body["state"] == "running" and body["status_url"] == f"/api/jobs/{body['job_id']}"
    job = wait_until(lambda: (j := server.get_json(body["status_url"])[1])["state"] != "running" and j,
                     timeout=DEADLINE * 3, message="the ingest job to finish")
    assert job["state"] == "done", job
    assert job["job_id"] == body["job_id"] and job["elapsed_ms"] >= 0 and job["progress"] == 100
    assert job["reply"]["data"]["message"] == "DeltaLake stored as rest_ing"
    expected = oracle.scalar(shared_data, "SELECT count(*) FROM =(^)climate")
    assert job["reply"]["data"]["ingest"]["rows"] == expected
    assert oracle.scalar(shared_data, "SELECT count(*) FROM =(^)rest_ing") == expected


def test_failed_ingest_job_and_unknown_job(server):
    status, body = server.post_json("/api/ingest", {"request_folderpath": "no_such_folder",
                                                    "request_tablename": "never"})
    assert status == 202
    job = wait_until(lambda: (j := server.get_json(body["status_url"])[1])["state"] != "running" and j,
                     message="the ingest job to fail")
    assert job["state"] == "failed"
    assert job["reply"]["error"]["type"] == "NotFound" and "no_such_folder" in job["reply"]["error"]["message"]
    status, body = server.get_json("/api/jobs/0123456789abcdef")
    assert status == 404 and body["error"]["type"] == "NotFound"
    status, body = server.post_json("/api/ingest", ["not", "an", "object"])
    assert status == 400


def test_tables_and_one_table(server, shared_data):
    status, body = server.get_json("/api/tables")
    assert status == 200
    climate = next(t for t in body["tables"] if t["name"] == "climate")
    dt = oracle.delta_table(shared_data, "climate")
    assert climate["rows"] == oracle.scalar(shared_data, "SELECT count(*) FROM =(^)climate")
    assert climate["version"] == dt.version()
    assert isinstance(body["lineage"], list)
    status, details = server.get_json("/api/tables/climate")
    assert status == 200
    assert [f["name"] for f in details["schema"]] == [f.name for f in dt.schema().fields]
    assert [h["version"] for h in details["history"]] == sorted(h["version"] for h in dt.history())
    assert details["protocol"]["min_reader_version"] == dt.protocol().min_reader_version
    for bad in ("/api/tables/no_such_table", "/api/tables/..%2F..%2Fetc"):
        status, _, body = server.http("GET", bad)
        assert status in (400, 404), (bad, body)
        assert "error" in json.loads(body)


def test_folders_complete_workers_healthz(server, shared_data):
    status, body = server.get_json("/api/folders")
    assert status == 200
    assert sorted(f["name"] for f in body["folders"]) == sorted(os.listdir(os.path.join(shared_data, "raw")))
    with Client(server.ws_url) as client:
        over_ws = client.call("delta", "listfolders", {})["data"]
    assert body == over_ws
    status, body = server.post_json("/api/complete", {"sql": "SELEC"})
    assert status == 200 and any(s["text"].strip().upper() == "SELECT" for s in body["suggestions"])
    status, body = server.post_json("/api/complete", {})
    assert status == 400
    status, body = server.get_json("/api/workers")
    assert status == 200
    assert sorted(w["role"] for w in body["workers"]) == ["delta", "duck"]
    assert all(w["status"] == "up" and w["transport"] == "inproc" for w in body["workers"])
    status, body = server.get_json("/healthz")
    assert (status, body) == (200, {"status": "ok"})


def test_metrics_exposition(server):
    before = server.metrics()
    server.post_json("/api/query", {"request_query": "SELECT 1"})
    server.post_json("/api/query", {"request_query": "SELECT * FROM nothing_here"})
    status, headers, body = server.http("GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    after = parse_metrics(text)
    for name, kind in (("deltaduck_requests_total", "counter"), ("deltaduck_request_errors_total", "counter"),
                       ("deltaduck_request_duration_seconds", "histogram"),
                       ("deltaduck_requests_in_flight", "gauge"), ("deltaduck_websocket_connections", "gauge"),
                       ("deltaduck_held_result_bytes", "gauge"), ("deltaduck_worker_up", "gauge")):
        assert f"# TYPE {name} {kind}" in text, name

    def delta(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert delta("deltaduck_requests_total", endpoint="POST /api/query", outcome="ok") == 1
    assert delta("deltaduck_requests_total", endpoint="POST /api/query", outcome="error") == 1
    assert delta("deltaduck_requests_total", endpoint="duck.querydata", outcome="ok") == 1
    assert delta("deltaduck_requests_total", endpoint="duck.querydata", outcome="error") == 1
    buckets = sorted(((float(dict(labels)["le"].replace("+Inf", "inf")), value) for (name, labels), value in
                      after.items() if name == "deltaduck_request_duration_seconds_bucket"
                      and dict(labels)["endpoint"] == "duck.querydata"))
    assert [v for _, v in buckets] == sorted(v for _, v in buckets), "cumulative buckets"
    assert buckets[-1][1] == metric(after, "deltaduck_request_duration_seconds_count", endpoint="duck.querydata")
    held_files = os.path.join(server.data_dir, ".deltaduck", "results")
    on_disk = sum(os.path.getsize(os.path.join(held_files, f)) for f in os.listdir(held_files)
                  if f.endswith(".parquet"))
    assert metric(after, "deltaduck_held_result_bytes") == on_disk
    assert sum(v for (name, _), v in after.items() if name == "deltaduck_worker_up") == 2


def probe(srv, method, template):
    path = template.replace("{id}", "0123456789abcdef").replace("{name}", "climate")
    if template == "/api/results/{id}/export":
        path = f"/api/results/{'0' * 32}/export"
    if template == "/api/export":
        path = "/api/export?query=" + quote("SELECT 1")
    body = None
    headers = {}
    if method == "post":
        body = json.dumps({"request_query": "SELECT 1", "sql": "SEL", "request_folderpath": "nope",
                           "request_tablename": "probe_tbl"}).encode()
        headers = {"Content-Type": "application/json"}
    return srv.http(method.upper(), path, body, headers)


def answered(response):
    """Whether the server has a handler for the route (a handler's own 404 names what was not found)."""
    if response.status != 404:
        return True
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False  # the static files' 404
    return "no such endpoint" not in json.loads(response.body)["error"]["message"]


def test_openapi_lists_exactly_the_routes_answered(server):
    status, doc = server.get_json("/api/openapi.json")
    assert status == 200
    assert doc["openapi"].startswith("3.")
    listed = {(method, path) for path, item in doc["paths"].items() for method in item
              if method in ("get", "post", "put", "delete", "patch", "head")}
    assert listed == ROUTES
    for method, template in sorted(listed):
        assert answered(probe(server, method, template)), (method, template)
    # Methods the document does not list for a path are not answered either.
    for method, template in sorted(listed):
        other = "post" if method == "get" else "get"
        if (other, template) not in listed:
            response = probe(server, other, template)
            assert response.status in (404, 405), (other, template, response.status)
    for path in ("/api/nothing", "/api/query/extra", "/api/tables/a/b", "/api", "/api/jobs/"):
        response = server.http("GET", path)
        assert response.status == 404 and not answered(response), path
    # Each operation documents its responses and path parameters.
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert "200" in operation["responses"] or "202" in operation["responses"]
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == set(seg[1:-1] for seg in path.split("/") if seg.startswith("{")), path
    query_schema = doc["paths"]["/api/query"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "request_query" in query_schema["required"]
    export_params = {p["name"] for p in doc["paths"]["/api/export"]["get"]["parameters"]}
    assert export_params == {"query", "format"}


def test_unknown_paths_do_not_grow_the_metrics(server):
    """Metrics labels come from the server's own routes: requests for made-up paths (a scanner, a typo) must not
    add series without bound."""
    def series():
        return len(server.metrics())

    before = series()
    for n in range(100):
        assert server.http("GET", f"/api/made-up-{n}").status == 404
        assert server.http("PATCH" if n % 2 else "POST", f"/api/other-{n}", b"{}").status in (404, 405)
    grown = series() - before
    assert grown < 50, f"200 requests for unknown paths added {grown} metric series"
