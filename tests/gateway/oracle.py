"""The oracle: Python DuckDB reading the same Delta tables through delta-rs (`deltalake`), never through DeltaDuck."""

import datetime
import decimal
import math
import os
import re

import duckdb
from deltalake import DeltaTable

TABLE_REF = re.compile(r"=\(\^\)([A-Za-z0-9_]+)")


def connect(data_dir):
    return duckdb.connect(":memory:")


def run(data_dir, sql):
    """(column names, rows) of `sql`, with every `=(^)name` read by delta-rs from data_dir/deltalake/name."""
    con = duckdb.connect(":memory:")
    for name in dict.fromkeys(TABLE_REF.findall(sql)):
        dataset = DeltaTable(os.path.join(data_dir, "deltalake", name)).to_pyarrow_dataset()
        con.register(f"__delta_{name}", dataset)
        sql = sql.replace(f"=(^){name}", f"__delta_{name}")
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    con.close()
    return names, rows


def scalar(data_dir, sql):
    return run(data_dir, sql)[1][0][0]


def delta_table(data_dir, name):
    return DeltaTable(os.path.join(data_dir, "deltalake", name))


def as_json_value(value):
    """How a Python DuckDB value appears in a reply: numbers stay numbers, NULL is null, times are ISO text."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def same_value(got, expected):
    expected = as_json_value(expected)
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)
    return got == expected


def reply_key(column):
    """The original's item key: the column lowercased with spaces turned into `_` (DeltaDuck also turns dots into
    `_`, so that Vuetify does not read them as paths)."""
    return column.lower().replace(" ", "_").replace(".", "_")
