"""Helpers for the Spark interop suite: one local Spark with Delta, the real `deltaduck` binary, and exact comparison.

Spark is the oracle. A table's rows, read by Spark and by DeltaDuck, are turned into canonical Python values typed by
Spark's schema of that version (exact decimals, microsecond timestamps, float bits, map entries as sets), then
compared as multisets. Nothing here types an expected value: expectations are what Spark reads.
"""

import base64
import collections
import datetime as dt
import decimal
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
from pyspark.sql import types as T

BINARY = os.environ.get("DELTADUCK_BINARY", "/work/main/build/deltaduck")
#: The repository root (tests/spark/ is two levels below it).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Ivy's home for the Delta jars Spark fetches on first use: inside the repository's ignored deps/ folder, so that
#: nothing is cached outside the project (CI caches deps/).
IVY_DIR = REPO_ROOT / "deps" / "ivy"
#: A command that should finish quickly; bounds a hung process, never a condition.
COMMAND_TIMEOUT = 300

COMMIT_FILE = re.compile(r"^(\d{20})\.json$")


def java_binary():
    """The java Spark will launch (JAVA_HOME first, as spark-class does), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def spark_builder(scratch):
    """A local[2] Spark session builder with Delta: loopback only, no UI, few partitions, microsecond timestamps."""
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    scratch = Path(scratch)
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("deltaduck-spark-interop")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.jars.ivy", str(IVY_DIR))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        # One partition for log replay: on 2 cores, time-travel reads take a third of the time they take with 2.
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        # A short-lived JVM on 2 cores: the C1 compiler alone warms up in half the CPU time; a single-threaded GC.
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        # Spark's default INT96 would reach DuckDB as naive timestamps; the protocol's type is INT64 micros.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        # Dates and times before 1582 as written (proleptic Gregorian), as DuckDB writes and reads them.
        .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
        .config("spark.sql.parquet.datetimeRebaseModeInRead", "CORRECTED")
        .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
        .config("spark.sql.parquet.int96RebaseModeInRead", "CORRECTED")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "local"))
        .config("spark.driver.memory", "1g")
    )
    return configure_spark_with_delta_pip(builder)


def use_utc():
    """PySpark turns TIMESTAMP values into naive datetimes in the process's local time zone: make that UTC."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    assert time.timezone == 0 and time.localtime().tm_gmtoff == 0


# ---------------------------------------------------------------------------------------------------------------
# DeltaDuck


class Failed(Exception):
    """A deltaduck command that exited with an error: .returncode, .stdout, .stderr."""

    def __init__(self, args, done):
        self.command = args
        self.returncode = done.returncode
        self.stdout = done.stdout.decode(errors="replace")
        self.stderr = done.stderr.decode(errors="replace")
        super().__init__(f"deltaduck {' '.join(map(str, args))} exited {self.returncode}:\n{self.stdout}\n{self.stderr}")


def deltaduck(*args, input=None):
    """Runs the binary and returns its stdout; raises Failed if it exits with an error (or dies)."""
    args = [str(a) for a in args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DELTADUCK_") or k == "DELTADUCK_BINARY"}
    done = subprocess.run([BINARY, *args], capture_output=True, timeout=COMMAND_TIMEOUT, input=input, env=env)
    if done.returncode != 0:
        raise Failed(args, done)
    return done.stdout.decode()


def parse_json(text):
    """One JSON value with its numbers exact: fractions as Decimal, and "-0" (a double's negative zero) kept negative."""
    return json.loads(text, parse_float=decimal.Decimal,
                      parse_int=lambda digits: decimal.Decimal(digits) if digits == "-0" else int(digits))


def _unquoted_type(text):
    """A DuckDB type name with its quoted identifiers unquoted (STRUCT("inner" INTEGER) -> STRUCT(inner INTEGER))."""
    return re.sub(r'"((?:[^"]|"")*)"', lambda m: m.group(1).replace('""', '"'), text)


class Lake:
    """A data directory whose deltalake/NAME tables Spark and DeltaDuck both read and write."""

    def __init__(self, root):
        self.root = Path(root)
        (self.root / "deltalake").mkdir(parents=True, exist_ok=True)
        (self.root / "src").mkdir(parents=True, exist_ok=True)

    def path(self, name):
        return str(self.root / "deltalake" / name)

    def source(self, name):
        """(absolute path, path relative to the data directory) of a parquet source folder Spark writes."""
        return str(self.root / "src" / name), f"src/{name}"

    # -- DeltaDuck's reads

    def scan_json(self, name, version=None, where=None):
        """DeltaDuck's rows (`delta scan --format json`, a version, a --where filter) as dicts, numbers exact."""
        args = ["delta", "scan", self.path(name), "--format", "json"]
        if version is not None:
            args += ["--version", version]
        if where is not None:
            args += ["--where", where]
        return [parse_json(line) for line in deltaduck(*args).splitlines() if line]

    def columns(self, name, version=None):
        """[(column, DuckDB type)] of DeltaDuck's read of the table (a version with @N), in order."""
        ref = f"=(^){name}" + ("" if version is None else f"@{version}")
        out = deltaduck("query", "--data", self.root, "--format", "json", f"DESCRIBE SELECT * FROM {ref}")
        return [(row["column_name"], _unquoted_type(row["column_type"]))
                for row in map(json.loads, out.splitlines()) if row]

    def query_json(self, sql):
        out = deltaduck("query", "--data", self.root, "--format", "json", sql)
        return [parse_json(line) for line in out.splitlines() if line]

    def ingest(self, table, source, mode="append", *flags):
        return deltaduck("ingest", "--data", self.root, "--table", table, "--source", source, "--mode", mode, *flags)

    # -- the log

    def commit_versions(self, name):
        """The versions whose commit files are in the table's log, ascending."""
        log = Path(self.path(name)) / "_delta_log"
        return sorted(int(m.group(1)) for m in (COMMIT_FILE.match(p.name) for p in log.iterdir()) if m)

    def log_files(self, name):
        return sorted(p.name for p in (Path(self.path(name)) / "_delta_log").iterdir())

    def actions(self, name, version):
        """The actions of one commit, as dicts {"add": {...}} etc."""
        path = Path(self.path(name)) / "_delta_log" / f"{version:020d}.json"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def all_actions(self, name, kind):
        """Every `kind` action ("add", "remove", "cdc", ...) of every commit in the log."""
        return [a[kind] for v in self.commit_versions(name) for a in self.actions(name, v) if kind in a]

    def protocol(self, name):
        """The newest protocol action in the commits."""
        found = [a["protocol"] for v in self.commit_versions(name) for a in self.actions(name, v) if "protocol" in a]
        return found[-1]

    def trimmed_copy(self, name, copy, keep_from):
        """A copy of the table without the commit files (and checkpoints) before version `keep_from`, as log
        cleanup leaves it: a reader of the copy must start from the checkpoint at `keep_from`."""
        shutil.copytree(self.path(name), self.path(copy))
        log = Path(self.path(copy)) / "_delta_log"
        for p in log.iterdir():
            m = re.match(r"^(\d{20})\.", p.name)
            if m and int(m.group(1)) < keep_from:
                p.unlink()
        return copy

    def tree(self, name):
        """Every file and folder under the table with its size and mtime: a table that must not change keeps this."""
        root = Path(self.path(name))
        return {str(p.relative_to(root)): (p.is_dir(), p.is_dir() or p.stat().st_size, p.stat().st_mtime_ns)
                for p in root.rglob("*")}


# ---------------------------------------------------------------------------------------------------------------
# Canonical values


def _decimal(value, scale):
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = decimal.Decimal(value)
    assert isinstance(value, decimal.Decimal) and not isinstance(value, bool), f"not a decimal: {value!r}"
    context = decimal.Context(prec=80, traps=[decimal.Inexact, decimal.InvalidOperation])
    return str(value.quantize(decimal.Decimal(1).scaleb(-scale), context=context))


def _float(value, single):
    if isinstance(value, str):
        assert value in ("NaN", "Infinity", "-Infinity"), f"not a float: {value!r}"
        value = float(value.replace("Infinity", "inf"))
    assert isinstance(value, (float, int, decimal.Decimal)) and not isinstance(value, bool), f"not a float: {value!r}"
    if single:
        return "f32:" + repr(float(np.float32(str(value) if isinstance(value, decimal.Decimal) else value)))
    return "f64:" + repr(float(value))


def _timestamp(value, with_zone):
    if isinstance(value, str):
        assert value.endswith("Z") == with_zone, f"timestamp {value!r} {'lacks' if with_zone else 'has'} a zone"
        value = dt.datetime.fromisoformat(value.rstrip("Z"))
    assert isinstance(value, dt.datetime) and value.tzinfo is None, f"not a timestamp: {value!r}"
    return value.isoformat(timespec="microseconds")


def _int(value, key):
    if isinstance(value, str) and re.fullmatch(r"-?[1-9][0-9]*|0", value):
        # JSON object keys are text; DeltaDuck writes integers beyond 2^53 as text, so JavaScript keeps them exact.
        if key or abs(int(value)) > 2**53:
            value = int(value)
    assert isinstance(value, int) and not isinstance(value, bool), f"not an integer: {value!r}"
    return value


def canonical(value, dtype, key=False):
    """A hashable, exactly comparable form of one value of Spark type `dtype`, from Spark (collect) or DeltaDuck
    (JSON). `key` says the value is a JSON object key (map keys are text there)."""
    if value is None:
        return None
    if isinstance(dtype, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
        return _int(value, key)
    if isinstance(dtype, T.BooleanType):
        if key and isinstance(value, str):
            value = {"true": True, "false": False}[value]
        assert isinstance(value, bool), f"not a boolean: {value!r}"
        return value
    if isinstance(dtype, T.StringType):
        assert isinstance(value, str), f"not a string: {value!r}"
        return value
    if isinstance(dtype, T.DecimalType):
        return _decimal(value, dtype.scale)
    if isinstance(dtype, T.FloatType):
        return _float(value, single=True)
    if isinstance(dtype, T.DoubleType):
        return _float(value, single=False)
    if isinstance(dtype, T.BinaryType):
        if isinstance(value, str):
            value = base64.b64decode(value, validate=True)
        assert isinstance(value, (bytes, bytearray)), f"not binary: {value!r}"
        return "bin:" + bytes(value).hex()
    if isinstance(dtype, T.DateType):
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        assert isinstance(value, dt.date) and not isinstance(value, dt.datetime), f"not a date: {value!r}"
        return value.isoformat()
    if isinstance(dtype, T.TimestampNTZType):
        return "ntz:" + _timestamp(value, with_zone=False)
    if isinstance(dtype, T.TimestampType):
        return "utc:" + _timestamp(value, with_zone=True)
    if isinstance(dtype, T.ArrayType):
        assert isinstance(value, list), f"not a list: {value!r}"
        return tuple(canonical(v, dtype.elementType) for v in value)
    if isinstance(dtype, T.MapType):
        assert isinstance(value, dict), f"not a map: {value!r}"
        entries = [(canonical(k, dtype.keyType, key=True), canonical(v, dtype.valueType)) for k, v in value.items()]
        return ("map", frozenset(entries))
    if isinstance(dtype, T.StructType):
        if isinstance(value, dict):
            assert set(value) == set(dtype.names), f"struct fields {sorted(value)} are not {dtype.names}"
            return tuple(canonical(value[f.name], f.dataType) for f in dtype.fields)
        assert isinstance(value, tuple) and len(value) == len(dtype.fields), f"not a struct: {value!r}"
        return tuple(canonical(v, f.dataType) for v, f in zip(value, dtype.fields))
    raise AssertionError(f"no canonical form for Spark type {dtype}")


def duckdb_type(dtype):
    """The DuckDB type DeltaDuck reads a Delta type as (docs/delta.md, Types)."""
    simple = {T.ByteType: "TINYINT", T.ShortType: "SMALLINT", T.IntegerType: "INTEGER", T.LongType: "BIGINT",
              T.FloatType: "FLOAT", T.DoubleType: "DOUBLE", T.StringType: "VARCHAR", T.BinaryType: "BLOB",
              T.BooleanType: "BOOLEAN", T.DateType: "DATE", T.TimestampType: "TIMESTAMP WITH TIME ZONE",
              T.TimestampNTZType: "TIMESTAMP"}
    if type(dtype) in simple:
        return simple[type(dtype)]
    if isinstance(dtype, T.DecimalType):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if isinstance(dtype, T.ArrayType):
        return duckdb_type(dtype.elementType) + "[]"
    if isinstance(dtype, T.MapType):
        return f"MAP({duckdb_type(dtype.keyType)}, {duckdb_type(dtype.valueType)})"
    if isinstance(dtype, T.StructType):
        # Field names unquoted: Lake.columns drops DuckDB's quotes, which depend on its keyword list.
        return "STRUCT(" + ", ".join(f"{f.name} {duckdb_type(f.dataType)}" for f in dtype.fields) + ")"
    raise AssertionError(f"no DuckDB type for Spark type {dtype}")


def _without_zones(dtype):
    """`dtype` with every TIMESTAMP made TIMESTAMP_NTZ (and whether there was one)."""
    if isinstance(dtype, T.TimestampType):
        return T.TimestampNTZType(), True
    if isinstance(dtype, T.ArrayType):
        element, changed = _without_zones(dtype.elementType)
        return T.ArrayType(element, dtype.containsNull), changed
    if isinstance(dtype, T.MapType):
        (key, k_changed), (value, v_changed) = _without_zones(dtype.keyType), _without_zones(dtype.valueType)
        return T.MapType(key, value, dtype.valueContainsNull), k_changed or v_changed
    if isinstance(dtype, T.StructType):
        fields = [(f, *_without_zones(f.dataType)) for f in dtype.fields]
        return (T.StructType([T.StructField(f.name, t, f.nullable) for f, t, _ in fields]),
                any(changed for _, _, changed in fields))
    return dtype, False


def column_types(schema):
    """[(name, type)] of a Spark schema, nullability left out."""
    return [(f.name, duckdb_type(f.dataType)) for f in schema.fields]


def spark_rows(df):
    """(schema, canonical rows) of a Spark DataFrame.

    PySpark turns a TIMESTAMP into a local datetime with datetime.fromtimestamp, which fails for the year 1; Spark
    casts such columns to TIMESTAMP_NTZ first (in the session's time zone, UTC: the same instant's UTC wall clock)."""
    from pyspark.sql import functions as F

    schema = df.schema
    columns = []
    for field in schema.fields:
        column = F.col("`" + field.name.replace("`", "``") + "`")
        without, changed = _without_zones(field.dataType)
        columns.append(column.cast(without).alias(field.name) if changed else column)
    return schema, [canonical(tuple(row), schema) for row in df.select(columns).collect()]


def json_rows(rows, schema):
    """DeltaDuck's JSON rows in canonical form, typed by Spark's schema."""
    out = []
    for row in rows:
        assert list(row) == schema.names, f"DeltaDuck's columns {list(row)} are not Spark's {schema.names}"
        out.append(canonical(row, schema))
    return out


def describe_rows(rows, limit=12):
    shown = sorted(rows, key=repr)[:limit]
    more = f"\n      ... and {len(rows) - limit} more" if len(rows) > limit else ""
    return "".join(f"\n      {r!r}" for r in shown) + more


def assert_same_rows(expected, actual, what):
    """Multiset equality of canonical rows; the message lists what is missing and what is unexpected."""
    missing = collections.Counter(expected) - collections.Counter(actual)
    unexpected = collections.Counter(actual) - collections.Counter(expected)
    if missing or unexpected:
        raise AssertionError(
            f"{what}: {len(actual)} rows, expected {len(expected)}; "
            f"{sum(missing.values())} missing:{describe_rows(list(missing.elements()))}\n"
            f"    {sum(unexpected.values())} unexpected:{describe_rows(list(unexpected.elements()))}")


class Oracle:
    """Spark's reads of a lake's tables, and the check that DeltaDuck's reads equal them."""

    def __init__(self, spark, lake):
        self.spark = spark
        self.lake = lake
        self._versions = {}  # (table, version) or ("src", source) -> Spark's read: neither ever changes

    def read(self, name, version=None):
        """(schema, canonical rows) of Spark's read of the table (a version with `version`)."""
        if version is not None and (name, version) in self._versions:
            return self._versions[(name, version)]
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        result = spark_rows(reader.load(self.lake.path(name)))
        if version is not None:
            self._versions[(name, version)] = result
        return result

    def check_version(self, name, version=None, expected=None):
        """DeltaDuck's read of the version (latest if None) equals Spark's, column types and rows; returns the
        (schema, rows) compared. `expected` is Spark's read if the caller already has it."""
        schema, rows = expected or self.read(name, version)
        what = f"{name} version {'latest' if version is None else version}"
        want_columns = column_types(schema)
        got_columns = self.lake.columns(name, version)
        assert got_columns == want_columns, \
            f"{what}: DeltaDuck's columns differ from Spark's:\n    DeltaDuck {got_columns}\n    Spark     {want_columns}"
        assert_same_rows(rows, json_rows(self.lake.scan_json(name, version), schema), f"{what}: DeltaDuck vs Spark")
        return schema, rows

    def check_every_version(self, name, first=0, same_as=None):
        """Every version in the log from `first`, and the latest without --version; returns the versions.
        `same_as` names the table whose Spark reads are expected, for a copy of it (a version's rows do not depend
        on which log files are left to read it from)."""
        versions = [v for v in self.lake.commit_versions(name) if v >= first]
        assert versions, f"{name}: no commits at or after version {first}"
        for version in versions:
            latest = self.check_version(name, version, self.read(same_as, version) if same_as else None)
        self.check_version(name, None, expected=latest)
        return versions

    def sql(self, text):
        return self.spark.sql(text)

    def source(self, name, sql):
        """Spark writes the rows of `sql` as a parquet folder in the lake; returns the DuckDB SQL that reads it."""
        path, relative = self.lake.source(name)
        self.spark.sql(sql).write.parquet(path)
        return f"SELECT * FROM read_parquet('{relative}/*.parquet')"

    def read_source(self, *names):
        """(schema, canonical rows) of Spark's read of parquet sources (their rows together; same columns)."""
        reads = []
        for name in names:
            if ("src", name) not in self._versions:
                self._versions[("src", name)] = spark_rows(self.spark.read.parquet(self.lake.source(name)[0]))
            reads.append(self._versions[("src", name)])
        assert all(column_types(r[0]) == column_types(reads[0][0]) for r in reads), "sources with other columns"
        return reads[0][0], [row for _, rows in reads for row in rows]

    def assert_reads(self, name, version, expected, what=None):
        """Spark's read of the table (a version) has the columns and rows of `expected` (schema, rows); returns
        Spark's read."""
        what = what or f"{name} version {'latest' if version is None else version}"
        got = self.read(name, version)
        assert column_types(got[0]) == column_types(expected[0]), \
            f"{what}: Spark reads columns {column_types(got[0])}, expected {column_types(expected[0])}"
        assert_same_rows(expected[1], got[1], f"{what}: Spark's read vs expected")
        return got

    def table(self, name):
        """The SQL name of the table for Spark: delta.`path`."""
        return f"delta.`{self.lake.path(name)}`"
