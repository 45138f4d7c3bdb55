"""Spark reads the tables DeltaDuck writes: create, append, overwrite, partitions, many types, naive timestamps.

Spark writes each source as plain parquet; `deltaduck ingest` loads it into a Delta table; Spark's read of every
version must equal Spark's read of the sources that version holds (or, where Delta itself changes values, such as
an empty partition value, Spark's read of the same writes made by Spark). DeltaDuck's own read of every version
must equal Spark's too.
"""


import pytest

from sparklib import assert_same_rows, json_rows, spark_rows

MANY_TYPES = """
    SELECT id,
           CAST(id % 128 - 64 AS TINYINT) AS i8, CAST(id * 301 - 32000 AS SMALLINT) AS i16,
           CAST(id * 40000019 - 2000000000 AS INT) AS i32, id * 922337203685477 - 9223372036854775000 AS i64,
           CASE id % 5 WHEN 0 THEN CAST('NaN' AS FLOAT) WHEN 1 THEN CAST('-Infinity' AS FLOAT)
                       ELSE CAST(id / 3 AS FLOAT) END AS f32,
           CASE id % 6 WHEN 0 THEN CAST('Infinity' AS DOUBLE) WHEN 1 THEN CAST(-0.0 AS DOUBLE)
                       WHEN 2 THEN 4.9E-324 ELSE id / 7 END AS f64,
           CAST(concat(CASE WHEN id % 2 = 0 THEN '-' ELSE '' END, '9999999999999999', lpad(CAST(id AS STRING), 4, '0'),
                       '.', lpad(CAST(id * 7919 AS STRING), 18, '0')) AS DECIMAL(38, 18)) AS d38_18,
           CAST(concat(CASE WHEN id % 3 = 0 THEN '-' ELSE '' END, lpad(CAST(id AS STRING), 38, '9'))
                AS DECIMAL(38, 0)) AS d38_0,
           CAST(id * 1.23 AS DECIMAL(10, 2)) AS d10_2,
           CASE id % 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'quote \\' " and \\n newline'
                       WHEN 3 THEN 'ümlaut 🦆' ELSE concat('name-', id) END AS name,
           CASE WHEN id % 4 = 0 THEN NULL ELSE CAST(concat('bin', id) AS BINARY) END AS bin,
           CASE WHEN id % 3 = 0 THEN NULL ELSE id % 2 = 0 END AS flag,
           CASE id % 5 WHEN 0 THEN DATE '0001-01-01' WHEN 1 THEN DATE '9999-12-31' WHEN 2 THEN NULL
                       ELSE date_add(DATE '1969-12-01', CAST(id AS INT)) END AS day,
           CASE id % 5 WHEN 0 THEN TIMESTAMP '0001-01-01 00:00:00' WHEN 1 THEN TIMESTAMP '9999-12-31 23:59:59.999999'
                       WHEN 2 THEN NULL ELSE TIMESTAMP '1969-12-31 23:59:59.999999' + make_dt_interval(0, 0, 0, id * 3607.000123)
                       END AS at,
           CASE id % 5 WHEN 0 THEN TIMESTAMP_NTZ '0001-01-01 00:00:00' WHEN 1 THEN NULL
                       ELSE TIMESTAMP_NTZ '2024-03-31 01:59:59.999999' + make_dt_interval(0, 0, 0, id * 61.5) END AS ntz,
           CASE WHEN id % 6 = 0 THEN NULL ELSE array(CAST(id AS INT), NULL, CAST(-id AS INT)) END AS ints,
           named_struct('x', CAST(id AS INT), 'y', CASE WHEN id % 2 = 0 THEN NULL ELSE CAST(id AS STRING) END,
                        'inner', named_struct('z', CAST(CAST(id AS DECIMAL(38, 10)) / 3 AS DECIMAL(38, 10)),
                                              'when', TIMESTAMP_NTZ '2000-01-01 00:00:00' + make_dt_interval(id))) AS s,
           array(named_struct('k', CAST(id AS STRING), 'v', id * 1.5), named_struct('k', NULL, 'v', NULL)) AS pairs,
           CASE WHEN id % 5 = 0 THEN NULL ELSE map(concat('k', id), CAST(id AS INT), 'none', NULL) END AS m,
           map(CAST(id AS INT), array(CAST(id AS STRING), NULL)) AS mi
    FROM range({0}, {1})"""


def test_create_append_overwrite_every_version(oracle, lake):
    sources = [oracle.source(f"s{i}", MANY_TYPES.format(i * 100, i * 100 + 20 + i)) for i in range(5)]
    lake.ingest("modes", sources[0], "create")
    lake.ingest("modes", sources[1], "append")
    lake.ingest("modes", sources[2], "append")
    lake.ingest("modes", sources[3], "overwrite")
    lake.ingest("modes", sources[4], "append")
    holds = {0: ["s0"], 1: ["s0", "s1"], 2: ["s0", "s1", "s2"], 3: ["s3"], 4: ["s3", "s4"]}
    assert lake.commit_versions("modes") == sorted(holds)
    for version, names in holds.items():
        oracle.assert_reads("modes", version, oracle.read_source(*names))
    oracle.check_every_version("modes")


def test_partitions_with_special_characters_and_nulls(oracle, lake, spark):
    # An empty string has a test of its own (below).
    specials = ["a b", "a/b", "a=b", "100%", "x:y", "ümlaut", "quote\\'s", "#{}[]*?", None, " lead",
                "trail ", "back\\\\slash", "a%2Fb", "__HIVE_DEFAULT_PARTITION__x"]
    literals = ", ".join("NULL" if s is None else f"'{s}'" for s in specials)
    batch = """SELECT id, element_at(array(LITERALS), CAST(id % COUNT + 1 AS INT)) AS s,
                       CASE WHEN id % 3 = 0 THEN NULL ELSE CAST(id % 3 - 2 AS INT) END AS n,
                       CASE WHEN id % 4 = 0 THEN NULL ELSE date_add(DATE '1969-12-30', CAST(id % 4 AS INT)) END AS day,
                       concat('v', id) AS value
                FROM range({0}, {1})""".replace("COUNT", str(len(specials)))
    typed = """SELECT id, CASE WHEN id % 3 = 0 THEN NULL
                              ELSE TIMESTAMP '1960-06-30 12:00:00.000001' + make_dt_interval(id % 3) END AS at,
                      CASE WHEN id % 4 = 0 THEN NULL ELSE TIMESTAMP_NTZ '9999-12-31 23:59:59.999999' -
                           make_dt_interval(0, 0, 0, id % 4 * 0.5) END AS ntz,
                      CASE WHEN id % 5 = 0 THEN NULL ELSE CAST(id % 5 * -1.125 AS DECIMAL(12, 3)) END AS money,
                      CASE WHEN id % 2 = 0 THEN NULL ELSE id % 4 = 1 END AS flag,
                      CAST(id % 3 - 128 AS TINYINT) AS tiny, id % 2 * 9223372036854775807 AS big, id AS payload
               FROM range({0}, {1})"""
    for name, sql, columns in [("parts", batch, "s,n,day"), ("parts_typed", typed, "at,ntz,money,flag,tiny,big")]:
        first = oracle.source(f"{name}_0", sql.format(0, 90).replace("LITERALS", literals))
        second = oracle.source(f"{name}_1", sql.format(90, 120).replace("LITERALS", literals))
        lake.ingest(name, first, "create", "--partition-by", columns)
        lake.ingest(name, second, "append")
        # Spark makes the same table itself: how Delta stores these partition values (an empty string is NULL).
        twin = f"{name}_by_spark"
        for source, mode in [(f"{name}_0", "overwrite"), (f"{name}_1", "append")]:
            (spark.read.parquet(lake.source(source)[0]).write.format("delta").mode(mode)
             .partitionBy(*columns.split(",")).save(lake.path(twin)))
        for version in (0, 1):
            oracle.assert_reads(name, version, oracle.read(twin, version))
        partitions = lake.all_actions(name, "add")[0]["partitionValues"]
        assert sorted(partitions) == sorted(columns.split(",")), partitions
        oracle.check_every_version(name)


def test_empty_string_partition_value(oracle, lake, spark):
    source = oracle.source("empty", "SELECT id, CASE id % 3 WHEN 0 THEN '' WHEN 1 THEN NULL ELSE 'x' END AS s "
                                    "FROM range(0, 9)")
    lake.ingest("empty", source, "create", "--partition-by", "s")
    spark.read.parquet(lake.source("empty")[0]).write.format("delta").partitionBy("s").save(lake.path("empty_by_spark"))
    oracle.assert_reads("empty", 0, oracle.read("empty_by_spark", 0))
    oracle.check_every_version("empty")


def test_many_types_appended_to_and_read_back(oracle, lake):
    source = oracle.source("types", MANY_TYPES.format(0, 60))
    lake.ingest("types", source, "create")
    lake.ingest("types", source, "append")
    protocol = lake.protocol("types")
    assert "timestampNtz" in protocol.get("readerFeatures", []), protocol
    schema, rows = oracle.read_source("types")
    oracle.assert_reads("types", 0, (schema, rows))
    oracle.assert_reads("types", 1, (schema, rows + rows))
    oracle.check_every_version("types")


def test_duckdb_only_types(oracle, lake):
    # Types Spark cannot write become Delta types that hold every value (docs/delta.md): DuckDB's own answer for the
    # source is the expected value, typed by Spark's read of the table.
    source = """SELECT range AS id, range::UTINYINT + 200 AS u8, (range * 100)::USMALLINT + 60000 AS u16,
                       (range * 7)::UINTEGER + 4294967100 AS u32, 18446744073709551615::UBIGINT - range AS u64,
                       99999999999999999999999999999999999999::HUGEINT - range AS huge,
                       ('4f6e2d8c-8a57-4d3b-9f0e-' || lpad(range::VARCHAR, 12, '0'))::UUID AS uid,
                       (CASE WHEN range % 2 = 0 THEN 'red' ELSE 'green' END)::ENUM('red', 'green') AS color,
                       [range::UTINYINT] AS small_list, {'u': range::UINTEGER} AS small_struct
                FROM range(0, 20)"""
    lake.ingest("duck", source, "create")
    schema, got = oracle.read("duck", 0)
    assert_same_rows(json_rows(lake.query_json(source), schema), got, "Spark's read vs DuckDB's source")
    oracle.check_every_version("duck")


def test_naive_timestamps_stored_as_utc(oracle, lake):
    source = oracle.source("naive", """
        SELECT id, TIMESTAMP_NTZ '1969-12-31 23:59:59.999999' + make_dt_interval(id, 0, 0, id * 0.001001) AS local,
               CASE WHEN id % 3 = 0 THEN NULL ELSE TIMESTAMP_NTZ '0001-01-01 00:00:00' + make_dt_interval(id) END AS old,
               TIMESTAMP '2024-01-01 00:00:00' + make_dt_interval(0, id) AS instant
        FROM range(0, 30)""")
    lake.ingest("naive", source, "create", "--naive-timestamps", "utc")
    # What Spark makes of the same values as UTC instants (its session time zone is UTC).
    path = lake.source("naive")[0]
    expected = spark_rows(oracle.spark.read.parquet(path).selectExpr(
        "id", "CAST(local AS TIMESTAMP) AS local", "CAST(old AS TIMESTAMP) AS old", "instant"))
    oracle.assert_reads("naive", 0, expected)
    detail = oracle.sql(f"DESCRIBE DETAIL {oracle.table('naive')}").collect()[0]
    assert (detail.minReaderVersion, detail.minWriterVersion) == (1, 2), detail
    oracle.check_every_version("naive")


def test_naive_timestamps_stored_as_utc_when_nested(oracle, lake):
    source = oracle.source("nested_naive", """
        SELECT id, named_struct('at', TIMESTAMP_NTZ '2000-01-01 00:00:00' + make_dt_interval(id)) AS s,
               array(TIMESTAMP_NTZ '1970-01-01 00:00:00' + make_dt_interval(0, id)) AS l,
               map('k', TIMESTAMP_NTZ '1999-12-31 23:59:59') AS m
        FROM range(0, 10)""")
    lake.ingest("nested_naive", source, "create", "--naive-timestamps", "utc")
    path = lake.source("nested_naive")[0]
    expected = spark_rows(oracle.spark.read.parquet(path).selectExpr(
        "id", "CAST(s AS STRUCT<at: TIMESTAMP>) AS s", "CAST(l AS ARRAY<TIMESTAMP>) AS l",
        "CAST(m AS MAP<STRING, TIMESTAMP>) AS m"))
    oracle.assert_reads("nested_naive", 0, expected)
    detail = oracle.sql(f"DESCRIBE DETAIL {oracle.table('nested_naive')}").collect()[0]
    assert (detail.minReaderVersion, detail.minWriterVersion) == (1, 2), detail
    oracle.check_every_version("nested_naive")


def test_checkpoints_deltaduck_writes(oracle, lake, spark):
    # Spark makes the table (with checkpoints every 2 versions), DeltaDuck appends, deletes rows with an overwrite
    # and appends again: the checkpoints DeltaDuck writes must hold the table, as Spark reads it from them alone.
    t = oracle.table("ckpt")
    oracle.sql(f"CREATE TABLE {t} (id BIGINT, name STRING) USING delta TBLPROPERTIES ('delta.checkpointInterval' = '2')")
    sources = [oracle.source(f"c{i}", f"SELECT id, concat('n', id) AS name FROM range({i * 10}, {i * 10 + 7})")
               for i in range(5)]
    for i, source in enumerate(sources):
        lake.ingest("ckpt", source, "overwrite" if i == 2 else "append")
    ours = [f for f in lake.log_files("ckpt") if ".checkpoint." in f]
    assert "00000000000000000004.checkpoint.parquet" in ours, ours
    for version, names in {1: ["c0"], 2: ["c0", "c1"], 3: ["c2"], 4: ["c2", "c3"], 5: ["c2", "c3", "c4"]}.items():
        oracle.assert_reads("ckpt", version, oracle.read_source(*names))
    oracle.check_every_version("ckpt")
    trimmed = lake.trimmed_copy("ckpt", "ckpt_trimmed", 4)
    for version, names in {4: ["c2", "c3"], 5: ["c2", "c3", "c4"]}.items():
        oracle.assert_reads(trimmed, version, oracle.read_source(*names))
    oracle.check_every_version(trimmed, first=4)
