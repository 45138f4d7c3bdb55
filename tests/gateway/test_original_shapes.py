"""Every request of the original dashboard, answered in the original's shapes (../shared/ORIGINAL.md), over /ws.

Values are checked against the oracle (Python DuckDB over delta-rs), never against numbers written here.
"""

import os
import re

import oracle
from gwlib import Client, error_of, ok

CLIMATE_ORDERED = 'SELECT * FROM =(^)climate ORDER BY "Date Time"'


def check_error_shape(reply, respond_to, request_id):
    """Failures: {respond_to, request_id, error: {type, message, detail}, data: {message}}; detail and data.message
    carry the original's `An unexpected error occurred: <cause>`."""
    assert reply["respond_to"] == respond_to
    assert reply["request_id"] == request_id
    error = reply["error"]
    assert set(error) >= {"type", "message", "detail"}
    assert error["detail"] == "An unexpected error occurred: " + error["message"]
    assert reply["data"]["message"] == error["detail"]


def check_table(table, names, rows, offset=0):
    """The original's table: headers [{text, value}] with `index` first, items keyed by the header values."""
    assert table["headers"][0] == {"text": "index", "value": "index"}
    assert [h["text"] for h in table["headers"][1:]] == names
    keys = [h["value"] for h in table["headers"][1:]]
    assert keys == [oracle.reply_key(n) for n in names]
    assert len(set(keys)) == len(keys)
    assert len(table["items"]) == len(rows)
    for i, (item, row) in enumerate(zip(table["items"], rows)):
        assert list(item) == ["index"] + keys, item
        assert item["index"] == offset + i
        for key, name, value in zip(keys, names, row):
            assert oracle.same_value(item[key], value), (i, name, item[key], value)


def test_querydata_message_table_chart(server, shared_data):
    render = 25
    with Client(server.ws_url) as client:
        client.send({"request_to": "duck", "request_endpoint": "querydata", "request_id": "q-all",
                     "request_args": {"request_query": CLIMATE_ORDERED, "request_contents": ["Table", "Message", "Chart"],
                                      "request_render": render}})
        reply = ok(client.reply("q-all"))
    names, rows = oracle.run(shared_data, CLIMATE_ORDERED)
    assert reply["respond_to"] == "duck"
    assert reply["request_id"] == "q-all"
    assert reply["response_contents"] == ["Table", "Message", "Chart"]  # repeats the request, in its order
    data = reply["data"]
    # With a chart the whole result is counted (the downsampling reads it all): the count is exact.
    assert data["message"] == f"Queried Result Size: {len(rows)}, {len(names)}"
    # The table holds exactly the first `request_render` rows, in result order.
    check_table(data["table"], names, rows[:render])
    assert data["table"]["row_count"] == len(rows)
    assert data["table"]["truncated"] is True
    # The chart in Chart.js shape: labels are row indices, one dataset per series, data at those rows.
    chart = data["chart"]
    assert chart["labels"] == sorted(chart["labels"])
    assert chart["labels"][0] == 0 and chart["labels"][-1] == len(rows) - 1  # M4 keeps the first and last point
    numeric = [i for i, n in enumerate(names) if isinstance(rows[0][i], float)]
    assert [d["label"] for d in chart["datasets"]] == [names[i] for i in numeric]
    for dataset, column in zip(chart["datasets"], numeric):
        assert set(dataset) >= {"label", "data", "backgroundColor", "borderColor", "tension"}
        assert dataset["tension"] == 0.2
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", dataset["backgroundColor"])
        assert len(dataset["data"]) == len(chart["labels"])
        # The labels are every series' points together: a series is null where another one has a point.
        shown = [(label, value) for label, value in zip(chart["labels"], dataset["data"]) if value is not None]
        assert shown[0][0] == 0 and shown[-1][0] == len(rows) - 1
        for label, value in shown:
            assert oracle.same_value(value, rows[label][column]), (dataset["label"], label)
        values = [r[column] for r in rows]
        # M4 keeps each bucket's lowest and highest point: the whole series' extremes are on the chart.
        assert oracle.same_value(min(v for _, v in shown), min(values))
        assert oracle.same_value(max(v for _, v in shown), max(values))


def test_querydata_small_result_chart_has_every_row(server, shared_data):
    sql = 'SELECT "Date Time", "T (degC)", "p (mbar)" FROM =(^)climate ORDER BY "Date Time" LIMIT 12'
    with Client(server.ws_url) as client:
        reply = ok(client.query(sql, ["Chart", "Message"], render=50))
    names, rows = oracle.run(shared_data, sql)
    assert reply["data"]["message"] == f"Queried Result Size: {len(rows)}, {len(names)}"
    chart = reply["data"]["chart"]
    assert chart["labels"] == list(range(len(rows)))
    assert [d["label"] for d in chart["datasets"]] == names  # the original: one dataset per column
    for column, dataset in enumerate(chart["datasets"]):
        assert [oracle.same_value(v, r[column]) for v, r in zip(dataset["data"], rows)] == [True] * len(rows)


def test_querydata_keys_follow_the_original(server):
    sql = 'SELECT 1 AS "My Col", 2 AS "Other Col", 3 AS "x.y", \'a b\' AS "Text Here"'
    with Client(server.ws_url) as client:
        table = ok(client.query(sql, ["Table"], render=10))["data"]["table"]
    assert table["headers"] == [{"text": "index", "value": "index"}, {"text": "My Col", "value": "my_col"},
                                {"text": "Other Col", "value": "other_col"}, {"text": "x.y", "value": "x_y"},
                                {"text": "Text Here", "value": "text_here"}]
    assert table["items"] == [{"index": 0, "my_col": 1, "other_col": 2, "x_y": 3, "text_here": "a b"}]


def test_querydata_render_limits_and_exact_small_count(server, shared_data):
    sql = """SELECT "Date Time", "T (degC)" FROM =(^)climate WHERE "Date Time" < TIMESTAMP '2020-01-05 00:00:00' ORDER BY 1"""
    names, rows = oracle.run(shared_data, sql)
    assert 0 < len(rows) < 2048, "four days of ten-minute readings"
    with Client(server.ws_url) as client:
        data = ok(client.query(sql, ["Message", "Table"], render=7))["data"]
        full = ok(client.query(sql, ["Message", "Table"], render=len(rows) + 5))["data"]
    assert data["message"] == f"Queried Result Size: {len(rows)}, 2"
    check_table(data["table"], names, rows[:7])
    check_table(full["table"], names, rows)
    assert full["table"]["truncated"] is False


def test_querydata_without_render_shows_ten_rows(server, shared_data):
    with Client(server.ws_url) as client:
        reply = ok(client.call("duck", "querydata", {"request_query": CLIMATE_ORDERED, "request_contents": ["Table"]}))
    names, rows = oracle.run(shared_data, CLIMATE_ORDERED + " LIMIT 10")
    check_table(reply["data"]["table"], names, rows)


def test_querydata_render_given_as_text_like_the_original_int(server):
    with Client(server.ws_url) as client:
        reply = ok(client.query("SELECT * FROM range(50) t(i)", ["Table"], render="4"))
    assert [item["i"] for item in reply["data"]["table"]["items"]] == [0, 1, 2, 3]


def test_quack_answers_random_frame_of_render_rows(server):
    with Client(server.ws_url) as client:
        reply = ok(client.query("=(^)quack", ["Table", "Chart"], render=37))
    table = reply["data"]["table"]
    assert [h["text"] for h in table["headers"]] == ["index", "Data One", "Data Two", "Data Three"]
    assert [h["value"] for h in table["headers"]] == ["index", "data_one", "data_two", "data_three"]
    assert len(table["items"]) == 37
    values = [item[k] for item in table["items"] for k in ("data_one", "data_two", "data_three")]
    assert all(isinstance(v, int) and 0 <= v <= 99 for v in values)
    assert len(set(values)) > 10, "random integers, not a constant"
    chart = reply["data"]["chart"]
    assert chart["labels"] == list(range(37))
    assert [d["label"] for d in chart["datasets"]] == ["Data One", "Data Two", "Data Three"]
    assert chart["datasets"][0]["data"] == [item["data_one"] for item in table["items"]]


def test_checktable_lists_delta_tables_and_lineage(server, shared_data):
    with Client(server.ws_url) as client:
        ok(client.query("CREATE OR REPLACE TABLE shapes_derived AS "
                        "SELECT \"Date Time\", \"T (degC)\" FROM =(^)climate WHERE \"T (degC)\" < 0"))
        client.send({"request_to": "duck", "request_endpoint": "checktable", "request_args": {}, "request_id": "ct"})
        reply = ok(client.reply("ct"))
    assert reply["respond_to"] == "duck"
    data = reply["data"]
    assert data["message"] == "_directory_list updated"
    table = data["table"]
    assert table["headers"] == [{"text": n, "value": n} for n in ("TableName", "Parent", "Query", "Loc")]
    delta_names = sorted(os.listdir(os.path.join(shared_data, "deltalake")))
    listed = [i["TableName"] for i in table["items"] if i["Parent"] == "" and i["Query"] == ""]
    for name in delta_names:
        assert {"TableName": f"=(^){name}", "Parent": "", "Query": "", "Loc": ""} in table["items"]
    assert set(listed) >= {f"=(^){n}" for n in delta_names}
    derived = [i for i in table["items"] if i["TableName"] == "shapes_derived"]
    assert len(derived) == 1, derived  # one row per parent
    version = oracle.delta_table(shared_data, "climate").version()
    assert derived[0]["Parent"] in ("=(^)climate", f"=(^)climate@{version}")
    assert "FROM =(^)climate" in derived[0]["Query"]
    assert derived[0]["Loc"]
    # Added: each Delta table's version, rows, bytes, files.
    climate = next(t for t in data["tables"] if t["name"] == "climate")
    dt = oracle.delta_table(shared_data, "climate")
    assert climate["version"] == dt.version()
    assert climate["rows"] == oracle.scalar(shared_data, "SELECT count(*) FROM =(^)climate")
    files = dt.file_uris()
    assert climate["files"] == len(files)
    assert climate["bytes"] == sum(os.path.getsize(f.removeprefix("file://")) for f in files)
    lineage = next(r for r in data["lineage"] if r.get("table") == "shapes_derived")
    assert any(p.get("name") in ("climate", "=(^)climate") for p in lineage["parents"]), lineage


def test_duckconnect_switches_database_and_bad_string_keeps_current(servers, data_dir):
    srv = servers.start(data_dir)
    with Client(srv.ws_url) as client:
        client.send({"request_to": "duck", "request_endpoint": "duckconnect",
                     "request_args": {"conn_string": "mine.duckdb"}, "request_id": "dc1"})
        reply = ok(client.reply("dc1"))
        assert reply == {"respond_to": "settings", "request_id": "dc1", "response_contents": ["Message"],
                         "data": {"message": "Connected!"}}
        ok(client.query("CREATE TABLE kept AS SELECT 41 + 1 AS answer"))
        assert os.path.isfile(os.path.join(data_dir, "mine.duckdb"))
        for bad, expected in (("md:my_db", "MotherDuck extension not available"),
                              ("../outside.duckdb", "inside the data directory"),
                              ("/tmp/absolute.duckdb", "inside the data directory"),
                              ("notadb.txt", ".duckdb")):
            reply = client.call("duck", "duckconnect", {"conn_string": bad}, request_id="bad")
            assert reply["respond_to"] == "settings"
            assert expected in error_of(reply)["message"], reply
            check_error_shape(reply, "settings", "bad")
            # A bad string leaves the current database in use.
            table = ok(client.query("SELECT answer FROM kept", ["Table"]))["data"]["table"]
            assert table["items"] == [{"index": 0, "answer": 42}]
        assert not os.path.exists(os.path.join(os.path.dirname(data_dir), "outside.duckdb"))
        reply = ok(client.call("duck", "duckconnect", {"conn_string": ":memory:"}))
        assert reply["data"]["message"] == "Connected!"
        assert error_of(client.query("SELECT answer FROM kept"))["type"] == "NotFound"
        # Back to the file: the table is still there.
        ok(client.call("duck", "duckconnect", {"conn_string": "mine.duckdb"}))
        table = ok(client.query("SELECT answer FROM kept", ["Table"]))["data"]["table"]
        assert table["items"][0]["answer"] == 42


def test_ingestdata_folder_sends_progress_then_stored_as(server, shared_data):
    csvs = [os.path.join(shared_data, "raw", "big", f) for f in os.listdir(os.path.join(shared_data, "raw", "big"))]
    with Client(server.ws_url) as client:
        client.send({"request_to": "delta", "request_endpoint": "ingestdata", "request_id": "ing",
                     "request_args": {"request_folderpath": "big", "request_tablename": "ingested_big",
                                      "request_method": "overwrite"}})
        messages = client.messages_for("ing", timeout=300)
    reply = ok(messages[-1])
    progress = [m for m in messages[:-1] if "progress" in m]
    assert progress, "ingest sends progress messages before its reply"
    assert len(progress) == len(messages) - 1
    total_bytes = sum(os.path.getsize(f) for f in csvs if f.endswith(".csv"))
    done = []
    for message in progress:
        p = message["progress"]
        assert p["unit"] == "bytes"
        assert p["total"] == total_bytes
        assert 0 <= p["done"] <= p["total"]
        done.append(p["done"])
    assert done == sorted(done)
    assert reply["respond_to"] == "delta"
    assert reply["request_id"] == "ing"
    assert reply["data"]["message"] == "DeltaLake stored as ingested_big"
    expected_rows = oracle.scalar(shared_data, f"SELECT count(*) FROM read_csv_auto('{shared_data}/raw/big/*.csv')")
    ingest = reply["data"]["ingest"]
    assert ingest["rows"] == expected_rows
    assert ingest["version"] == oracle.delta_table(shared_data, "ingested_big").version()
    assert oracle.scalar(shared_data, "SELECT count(*) FROM =(^)ingested_big") == expected_rows


def test_ingestdata_from_query_and_append(server, shared_data):
    sql = 'SELECT * FROM =(^)climate WHERE "T (degC)" > 20'
    expected = oracle.scalar(shared_data, f"SELECT count(*) FROM ({sql})")
    with Client(server.ws_url) as client:
        args = {"request_folderpath": sql, "request_tablename": "warm_days", "request_method": "overwrite"}
        first = ok(client.call("delta", "ingestdata", args, timeout=300))
        assert first["data"]["message"] == "DeltaLake stored as warm_days"
        assert first["data"]["ingest"]["rows"] == expected
        args["request_method"] = "append"
        second = ok(client.call("delta", "ingestdata", args, timeout=300))
        assert second["data"]["ingest"]["version"] == first["data"]["ingest"]["version"] + 1
        counted = ok(client.query("SELECT count(*) AS n FROM =(^)warm_days", ["Table"]))
    assert counted["data"]["table"]["items"][0]["n"] == 2 * expected
    assert oracle.scalar(shared_data, "SELECT count(*) FROM =(^)warm_days") == 2 * expected


def test_ingestdata_refuses_traversal_and_bad_method(server, shared_data):
    with Client(server.ws_url) as client:
        for args, cause in (
            ({"request_folderpath": "../../etc", "request_tablename": "x"}, None),
            ({"request_folderpath": "climate", "request_tablename": "../escape"}, "table name"),
            ({"request_folderpath": "climate", "request_tablename": "ok_name", "request_method": "merge"},
             "request_method"),
            ({"request_tablename": "x"}, "request_folderpath"),
        ):
            reply = client.call("delta", "ingestdata", args, request_id="bad-ingest")
            error = error_of(reply)
            check_error_shape(reply, "delta", "bad-ingest")
            if cause:
                assert cause in error["message"], reply
    assert not os.path.exists(os.path.join(shared_data, "escape"))
    assert not os.path.exists(os.path.join(shared_data, "deltalake", "x"))


def test_error_reply_shape_carries_duckdb_cause(server):
    with Client(server.ws_url) as client:
        reply = client.call("duck", "querydata", {"request_query": "SELECT * FROM no_such_table_here"},
                            request_id="e1")
    check_error_shape(reply, "duck", "e1")
    assert "no_such_table_here" in reply["error"]["message"]
    assert reply["error"]["type"] == "NotFound"


def test_concurrent_appends_from_several_sockets_all_land(server, shared_data):
    import threading

    sql = "SELECT * FROM =(^)climate LIMIT 1000"
    replies = []

    def append():
        with Client(server.ws_url) as client:
            replies.append(client.call("delta", "ingestdata", {"request_folderpath": sql, "request_tablename":
                                                               "concurrent_appends", "request_method": "append"},
                                       timeout=300))

    threads = [threading.Thread(target=append) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(replies) == 5
    versions = sorted(ok(r)["data"]["ingest"]["version"] for r in replies)
    assert versions == list(range(versions[0], versions[0] + 5))
    assert oracle.scalar(shared_data, "SELECT count(*) FROM =(^)concurrent_appends") == 5 * 1000
    assert oracle.delta_table(shared_data, "concurrent_appends").version() == versions[-1]
