"""The original dashboard's duck worker `querydata` path, for `make bench`: a faithful reproduction (written from
shared/ORIGINAL.md) used as the baseline that DeltaDuck's query path is measured against.

What one request does, as the original does it, bugs included:
  - every `=(^)name` is rewritten to a pyarrow dataset of the Delta table DIR/deltalake/name
    (deltalake.DeltaTable(path).to_pyarrow_dataset(), registered with DuckDB), opened anew per request;
  - the WHOLE query runs with Python duckdb `con.execute(sql)`, even though only a slice is shown;
  - record batches of 1,000,000 rows are fetched and iterated, keeping only the LAST one (bug);
  - that batch goes to pandas, and `request_render + 1` rows are sliced (bug: one row too many; `.loc` is inclusive);
  - data.table = {"headers": [{"text": col, "value": key}], "items": [...]}, key = column lowercased with spaces
    turned into `_`, an extra `index` column first, every value a string (`astype(str)`);
  - data.message = "Queried Result Size: <rows>, <cols>" (the shape of the frame the original holds: the last batch);
  - the reply is serialized with json.dumps(..., indent=4).
An empty result errors, as in the original (no batch was ever assigned), giving the original's error reply.

original_worker.py --data DIR --query SQL [--render N] [--repeat K] [--dump FILE]
Runs the request K times in one process (one DuckDB connection, like a long-lived worker) and prints
  SECONDS <best wall-clock of the K runs, each execute -> fetch -> pandas -> json>
  ROWS <number of table items in the last reply>
--dump writes the last reply (the indented JSON text) to FILE, to inspect it. Exits 1 if the reply is an error.
"""

import argparse
import json
import os
import re
import sys
import time

import duckdb
from deltalake import DeltaTable

TABLE_REF = re.compile(r"=\(\^\)([A-Za-z0-9_]+)")
BATCH_ROWS = 1_000_000


def rewrite(con, data_dir, sql):
    """Replace each `=(^)name` by a view name bound to the Delta table's pyarrow dataset."""
    for name in dict.fromkeys(TABLE_REF.findall(sql)):
        dataset = DeltaTable(os.path.join(data_dir, "deltalake", name)).to_pyarrow_dataset()
        con.register(name, dataset)
        sql = sql.replace(f"=(^){name}", name)
    return sql


def querydata(con, data_dir, request_args):
    try:
        sql = rewrite(con, data_dir, request_args["request_query"])
        render = int(request_args["request_render"])
        contents = request_args["request_contents"]
        reader = con.execute(sql).fetch_record_batch(BATCH_ROWS)
        for batch in reader:  # bug kept: only the last batch survives the loop
            df = batch.to_pandas()
        data = {}
        if "Message" in contents:
            data["message"] = f"Queried Result Size: {df.shape[0]}, {df.shape[1]}"
        if "Table" in contents:
            shown = df.loc[:render].reset_index().astype(str)  # bug kept: render + 1 rows
            keys = {col: str(col).lower().replace(" ", "_") for col in shown.columns}
            data["table"] = {
                "headers": [{"text": col, "value": key} for col, key in keys.items()],
                "items": shown.rename(columns=keys).to_dict(orient="records"),
            }
        reply = {"respond_to": "duck", "response_contents": contents, "data": data}
    except Exception as exc:  # the original's catch-all
        reply = {"error": f"An unexpected error occurred: {exc}"}
    return json.dumps(reply, indent=4), reply


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="data folder holding deltalake/<table>/")
    parser.add_argument("--query", required=True)
    parser.add_argument("--render", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", help="write the last reply here")
    args = parser.parse_args()

    con = duckdb.connect(":memory:")
    request_args = {
        "request_query": args.query,
        "request_contents": ["Message", "Table"],
        "request_render": args.render,
    }
    best = float("inf")
    text, reply = "", {}
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        text, reply = querydata(con, args.data, request_args)
        best = min(best, time.perf_counter() - start)
    if args.dump:
        with open(args.dump, "w") as out:
            out.write(text)
    if "error" in reply:
        print(reply["error"], file=sys.stderr)
    rows = len(reply.get("data", {}).get("table", {}).get("items", []))
    print(f"SECONDS {best:.6f}")
    print(f"ROWS {rows}")
    sys.stdout.flush()
    os._exit(1 if "error" in reply else 0)  # os._exit: delta-rs 1.6 sometimes aborts during interpreter shutdown


if __name__ == "__main__":
    main()
