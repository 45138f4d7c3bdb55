"""The original dashboard's WebSocket gateway with its duck worker in the same process, for `make bench`: a faithful
reproduction (written from shared/ORIGINAL.md) that bench/gateway_bench.cpp measures `deltaduck serve` against.

What it reproduces:
  - the gateway: a FastAPI app served by uvicorn with a WebSocket `/ws` (`websocket.accept()`, then a loop of
    `receive_text()` -> `json.loads` -> route by `request_to` -> `send_text(reply)`), one request at a time per socket;
  - the embedded worker path (no broker, no HTTP hop): the gateway calls the worker's handler functions directly.
    The worker's handlers are synchronous (Python DuckDB, delta-rs, pandas) and run where FastAPI runs a synchronous
    endpoint, on the thread pool (`run_in_threadpool`), so that one slow query does not stall every socket;
  - the duck worker's `querydata`, bugs included (as bench/original_worker.py):
      * every `=(^)name` is rewritten to a pyarrow dataset of the Delta table DIR/deltalake/name
        (deltalake.DeltaTable(path).to_pyarrow_dataset(), registered with DuckDB), opened anew per request;
      * the WHOLE query runs (`execute`), even though only a slice is shown;
      * record batches of 1,000,000 rows are fetched and iterated, keeping only the LAST one;
      * that batch goes to pandas and `df.loc[:render]` keeps render + 1 rows (`.loc` is inclusive);
      * data.table = {"headers": [{"text": col, "value": key}], "items": [...]}: key = column lowercased with spaces
        turned into `_`, an extra `index` column first, every value a string (`astype(str)`);
      * data.message = "Queried Result Size: <rows>, <cols>" of the frame it holds (the last batch);
      * data.chart (Chart.js): labels = the row index, one dataset per column;
      * `=(^)quack` answers `request_render` rows of random integers 0-99 in `Data One`, `Data Two`, `Data Three`;
      * an empty result errors (no batch was ever assigned); any failure answers
        {"error": "An unexpected error occurred: <cause>"};
      * replies are indented JSON (json.dumps(..., indent=4)); no request_id is echoed (the original had none);
  - `checktable` (every Delta table folder as `=(^)name`; the Postgres lineage table is not reproduced),
    `duckconnect` (`Connected!`, respond_to `settings`) and the delta worker's `ingestdata` (read_csv_auto of the
    folder, or the query, materialized as Arrow and written with delta-rs `write_deltalake`).
The worker holds one DuckDB database for its life (like a long-lived worker process); each request uses its own
cursor of it, since a Python DuckDB connection must not be shared by threads.

original_gateway.py --data DIR [--host 127.0.0.1] --port PORT
Prints `READY <port>` once it accepts connections (with --port 0, the port the system chose).
"""

import argparse
import asyncio
import json
import os
import random
import re
import sys

import duckdb
import pandas as pd
from deltalake import DeltaTable, write_deltalake
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

TABLE_REF = re.compile(r"=\(\^\)([A-Za-z0-9_]+)")
BATCH_ROWS = 1_000_000
COLORS = ["#07ee7a", "#e86620", "#4fc3f7", "#f06292", "#ffd54f", "#ba68c8"]


class DuckWorker:
    """The original's duck worker: one DuckDB database; handlers return the reply object."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.con = duckdb.connect(":memory:")

    def rewrite(self, cur, sql):
        for name in dict.fromkeys(TABLE_REF.findall(sql)):
            dataset = DeltaTable(os.path.join(self.data_dir, "deltalake", name)).to_pyarrow_dataset()
            cur.register(name, dataset)
            sql = sql.replace(f"=(^){name}", name)
        return sql

    def querydata(self, args):
        try:
            render = int(args.get("request_render", 10))
            contents = args.get("request_contents", ["Message"])
            query = args["request_query"]
            cur = self.con.cursor()
            try:
                if query.strip() == "=(^)quack":
                    df = pd.DataFrame({name: [random.randint(0, 99) for _ in range(render)]
                                       for name in ("Data One", "Data Two", "Data Three")})
                else:
                    reader = cur.execute(self.rewrite(cur, query)).fetch_record_batch(BATCH_ROWS)
                    for batch in reader:  # bug kept: only the last batch survives the loop
                        df = batch.to_pandas()
            finally:
                cur.close()
            data = {}
            if "Message" in contents and query.strip() != "=(^)quack":
                data["message"] = f"Queried Result Size: {df.shape[0]}, {df.shape[1]}"
            if "Chart" in contents:
                shown = df.loc[:render]
                data["chart"] = {
                    "labels": [int(i) for i in shown.index],
                    "datasets": [{"label": str(col), "data": shown[col].astype(str).tolist(),
                                  "backgroundColor": COLORS[k % len(COLORS)],
                                  "borderColor": COLORS[k % len(COLORS)], "tension": 0.2}
                                 for k, col in enumerate(shown.columns)],
                }
            if "Table" in contents:
                shown = df.loc[:render].reset_index().astype(str)  # bug kept: render + 1 rows
                keys = {col: str(col).lower().replace(" ", "_") for col in shown.columns}
                data["table"] = {
                    "headers": [{"text": col, "value": key} for col, key in keys.items()],
                    "items": shown.rename(columns=keys).to_dict(orient="records"),
                }
            return {"respond_to": "duck", "response_contents": contents, "data": data}
        except Exception as exc:  # the original's catch-all
            return {"error": f"An unexpected error occurred: {exc}"}

    def checktable(self, args):
        try:
            root = os.path.join(self.data_dir, "deltalake")
            names = sorted(os.listdir(root)) if os.path.isdir(root) else []
            items = [{"TableName": f"=(^){n}", "Parent": "", "Query": "", "Loc": ""} for n in names]
            headers = [{"text": h, "value": h} for h in ("TableName", "Parent", "Query", "Loc")]
            return {"respond_to": "duck", "response_contents": ["Message", "Table"],
                    "data": {"message": "_directory_list updated", "table": {"headers": headers, "items": items}}}
        except Exception as exc:
            return {"error": f"An unexpected error occurred: {exc}"}

    def duckconnect(self, args):
        try:
            self.con = duckdb.connect(args.get("conn_string", ":memory:"))
            return {"respond_to": "settings", "response_contents": ["Message"], "data": {"message": "Connected!"}}
        except Exception as exc:
            return {"error": f"An unexpected error occurred: {exc}"}


class DeltaWorker:
    """The original's delta worker: a folder (or any text containing SELECT, run as a query) into a Delta table."""

    def __init__(self, data_dir, duck):
        self.data_dir = data_dir
        self.duck = duck

    def ingestdata(self, args):
        try:
            source = args["request_folderpath"]
            name = args["request_tablename"]
            mode = args.get("request_method", "overwrite")
            cur = self.duck.con.cursor()
            try:
                if "SELECT" in source.upper():
                    sql = self.duck.rewrite(cur, source)
                else:
                    sql = f"SELECT * FROM read_csv_auto('{os.path.join(self.data_dir, 'raw', source)}/*.csv')"
                table = cur.execute(sql).fetch_arrow_table()
            finally:
                cur.close()
            write_deltalake(os.path.join(self.data_dir, "deltalake", name), table, mode=mode)
            return {"respond_to": "delta", "response_contents": ["Message"],
                    "data": {"message": f"DeltaLake stored as {name}"}}
        except Exception as exc:
            return {"error": f"An unexpected error occurred: {exc}"}


def make_app(data_dir):
    app = FastAPI()
    duck = DuckWorker(data_dir)
    delta = DeltaWorker(data_dir, duck)
    handlers = {
        ("duck", "querydata"): duck.querydata,
        ("duck", "checktable"): duck.checktable,
        ("duck", "duckconnect"): duck.duckconnect,
        ("delta", "ingestdata"): delta.ingestdata,
    }

    @app.websocket("/ws")
    async def websocket_endpoint(websocket: WebSocket):
        await websocket.accept()
        try:
            while True:
                text = await websocket.receive_text()
                try:
                    request = json.loads(text)
                    handler = handlers.get((request.get("request_to"), request.get("request_endpoint")))
                    if handler is None:
                        reply = {"error": "An unexpected error occurred: unknown request "
                                          f"{request.get('request_to')}/{request.get('request_endpoint')}"}
                    else:
                        reply = await run_in_threadpool(handler, request.get("request_args") or {})
                except Exception as exc:
                    reply = {"error": f"An unexpected error occurred: {exc}"}
                await websocket.send_text(json.dumps(reply, indent=4))
        except WebSocketDisconnect:
            pass

    return app


async def serve(app, host, port):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # it failed to start: raise why
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    print(f"READY {bound}", flush=True)
    await task


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="data folder holding deltalake/<table>/ and raw/<folder>/")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    code = 0
    try:
        asyncio.run(serve(make_app(os.path.abspath(args.data)), args.host, args.port))
    except Exception as exc:
        print(f"original_gateway: {exc}", file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # os._exit: delta-rs 1.6 sometimes aborts during interpreter shutdown


if __name__ == "__main__":
    main()
