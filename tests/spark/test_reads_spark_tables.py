"""DeltaDuck reads tables Spark writes: every version of each table, compared with Spark's read of that version.

Each test builds a table with Spark SQL exercising one Delta feature, checks the log shows the feature really was
used (so that the test tests what it says), then compares DeltaDuck's read of every version (column names, types
and rows, exactly) with Spark's.
"""

import pytest

from sparklib import assert_same_rows, canonical, json_rows


def rows(first, count, parts=3):
    """Spark SQL for `count` rows from id `first`: a few kinds of values, some NULL, `parts` partition values."""
    return f"""
        SELECT id,
               CASE WHEN id % 9 = 4 THEN NULL ELSE concat('name-', id) END AS name,
               CAST(id * 1000003 AS DECIMAL(38, 9)) / CAST(7 AS DECIMAL(38, 9)) AS amount,
               TIMESTAMP '2024-03-10 01:59:59.999999' + make_dt_interval(0, 0, 0, id * 3607.000123) AS at,
               CAST(CASE WHEN id % {parts + 1} = {parts} THEN NULL ELSE id % {parts} END AS STRING) AS part
        FROM range({first}, {first + count})"""


def dv_count(lake, name, version):
    return sum(1 for a in lake.actions(name, version) if a.get("add", {}).get("deletionVector"))


def test_deletion_vectors_from_delete_update_and_merge(oracle, lake):
    t = oracle.table("dv")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)
                   USING delta PARTITIONED BY (part)
                   TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', 'delta.checkpointInterval' = '5')""")
    oracle.sql(f"INSERT INTO {t} {rows(0, 300)}")
    oracle.sql(f"INSERT INTO {t} {rows(300, 100)}")
    oracle.sql(f"DELETE FROM {t} WHERE id % 7 = 0")
    oracle.sql(f"UPDATE {t} SET name = concat('updated-', id) WHERE id % 11 = 0")
    oracle.sql(f"""MERGE INTO {t} AS t USING ({rows(350, 100)}) AS s ON t.id = s.id
                   WHEN MATCHED AND s.id % 2 = 0 THEN DELETE
                   WHEN MATCHED THEN UPDATE SET name = concat('merged-', s.id)
                   WHEN NOT MATCHED THEN INSERT *""")
    oracle.sql(f"DELETE FROM {t} WHERE id % 13 = 0")  # files that already have a deletion vector get a bigger one
    oracle.sql(f"INSERT INTO {t} {rows(1000, 20)}")
    for version in (3, 4, 5, 6):
        assert dv_count(lake, "dv", version) > 0, f"Spark wrote no deletion vector in version {version}"
    assert (lake.root / "deltalake" / "dv" / "_delta_log" / "00000000000000000005.checkpoint.parquet").exists()
    oracle.check_every_version("dv")


@pytest.mark.parametrize("mode", ["name", "id"])
def test_column_mapping_with_renames_and_drops(oracle, lake, mode):
    name = f"cm_{mode}"
    t = oracle.table(name)
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, `first name` STRING, score DOUBLE,
                                     info STRUCT<a: INT, `b c`: STRING>, tags ARRAY<STRING>, part STRING)
                   USING delta PARTITIONED BY (part)
                   TBLPROPERTIES ('delta.columnMapping.mode' = '{mode}', 'delta.enableDeletionVectors' = 'true')""")
    batch = """SELECT id, concat('n', id), id / 4, named_struct('a', CAST(id AS INT), 'b c', concat('s', id)),
                      array(concat('t', id), NULL), CAST(id % 2 AS STRING) FROM range({0}, {1})"""
    oracle.sql(f"INSERT INTO {t} " + batch.format(0, 20))
    oracle.sql(f"ALTER TABLE {t} RENAME COLUMN `first name` TO `given, name`")
    oracle.sql(f"INSERT INTO {t} " + batch.format(20, 30))
    oracle.sql(f"ALTER TABLE {t} RENAME COLUMN info.a TO alpha")
    oracle.sql(f"ALTER TABLE {t} DROP COLUMN score")
    oracle.sql(f"DELETE FROM {t} WHERE id % 5 = 0")
    # A new column with a dropped column's name: the old files' values must not come back.
    oracle.sql(f"ALTER TABLE {t} ADD COLUMNS (score STRING)")
    oracle.sql(f"""INSERT INTO {t} SELECT id, concat('g', id), named_struct('alpha', CAST(id AS INT), 'b c', 'x'),
                   array('late'), CAST(id % 2 AS STRING), concat('score-', id) FROM range(30, 35)""")
    metadata = [a["metaData"] for v in lake.commit_versions(name) for a in lake.actions(name, v) if "metaData" in a]
    assert metadata[-1]["configuration"]["delta.columnMapping.mode"] == mode
    assert "col-" in metadata[-1]["schemaString"], "Spark gave the columns no physical names"
    oracle.check_every_version(name)


def test_timestamp_ntz(oracle, lake):
    t = oracle.table("ntz")
    oracle.sql(f"""CREATE TABLE {t} (id INT, ntz TIMESTAMP_NTZ, ts TIMESTAMP, day DATE,
                                     nested STRUCT<n: TIMESTAMP_NTZ, t: TIMESTAMP>, list ARRAY<TIMESTAMP_NTZ>,
                                     pntz TIMESTAMP_NTZ)
                   USING delta PARTITIONED BY (pntz)""")
    moments = ["0001-01-01 00:00:00", "1582-10-04 23:59:59.999999", "1900-01-01 00:00:00.000001",
               "1969-12-31 23:59:59.999999", "1970-01-01 00:00:00", "2024-02-29 12:34:56.789012",
               "2024-03-31 02:30:00", "9999-12-31 23:59:59.999999"]
    values = ", ".join(
        f"({i}, TIMESTAMP_NTZ '{m}', TIMESTAMP '{m}', DATE '{m[:10]}', "
        f"named_struct('n', TIMESTAMP_NTZ '{m}', 't', TIMESTAMP '{m}'), array(TIMESTAMP_NTZ '{m}', NULL), "
        f"TIMESTAMP_NTZ '{moments[i % 3 + 3]}')" for i, m in enumerate(moments))
    oracle.sql(f"INSERT INTO {t} VALUES {values}")
    oracle.sql(f"INSERT INTO {t} VALUES (100, NULL, NULL, NULL, NULL, NULL, NULL)")
    oracle.sql(f"UPDATE {t} SET ntz = ntz + INTERVAL 1 MICROSECOND WHERE id % 2 = 0")
    assert "timestampNtz" in lake.protocol("ntz").get("readerFeatures", [])
    oracle.check_every_version("ntz")


def many_commits(oracle, name, properties, between=lambda: None):
    """A table of 8 versions (checkpoints at 3 and 6 with an interval of 3) with a delete and an overwrite among
    appends, so that the checkpoints hold removes; `between` runs after the first checkpoint."""
    t = oracle.table(name)
    props = ", ".join(f"'{k}' = '{v}'" for k, v in {"delta.checkpointInterval": 3, **properties}.items())
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)
                   USING delta PARTITIONED BY (part) TBLPROPERTIES ({props})""")
    oracle.sql(f"INSERT INTO {t} {rows(100, 40)}")
    oracle.sql(f"INSERT INTO {t} {rows(200, 40)}")
    oracle.sql(f"DELETE FROM {t} WHERE id % 3 = 0")
    between()
    oracle.sql(f"INSERT OVERWRITE {t} {rows(1000, 50)}")
    oracle.sql(f"INSERT INTO {t} {rows(600, 30)}")
    oracle.sql(f"DELETE FROM {t} WHERE part = '1'")
    oracle.sql(f"INSERT INTO {t} {rows(2000, 10)}")


def test_classic_and_multipart_checkpoints(oracle, lake, spark):
    # Version 3's checkpoint is one file; version 6's, written with at most 4 actions a part, has several.
    try:
        many_commits(oracle, "checkpointed", {},
                     between=lambda: spark.conf.set("spark.databricks.delta.checkpoint.partSize", "4"))
    finally:
        spark.conf.unset("spark.databricks.delta.checkpoint.partSize")
    checkpoints = [f for f in lake.log_files("checkpointed") if ".checkpoint." in f]
    assert "00000000000000000003.checkpoint.parquet" in checkpoints, checkpoints
    assert any(f.startswith("00000000000000000006.checkpoint.0000000001.") for f in checkpoints), checkpoints
    oracle.check_every_version("checkpointed")
    # The same table after log cleanup, from each checkpoint: no commit before it is left to read.
    oracle.check_every_version(lake.trimmed_copy("checkpointed", "from_classic", 3), first=3, same_as="checkpointed")
    oracle.check_every_version(lake.trimmed_copy("checkpointed", "from_multipart", 6), first=6, same_as="checkpointed")


def test_v2_checkpoints(oracle, lake, spark):
    # Version 3's checkpoint is a JSON file, version 6's a parquet file; both with sidecar files.
    spark.conf.set("spark.databricks.delta.checkpointV2.topLevelFileFormat", "json")
    spark.conf.set("spark.databricks.delta.checkpoint.partSize", "3")
    try:
        many_commits(oracle, "v2", {"delta.checkpointPolicy": "v2", "delta.enableDeletionVectors": "true"},
                     between=lambda: spark.conf.set("spark.databricks.delta.checkpointV2.topLevelFileFormat", "parquet"))
    finally:
        spark.conf.unset("spark.databricks.delta.checkpointV2.topLevelFileFormat")
        spark.conf.unset("spark.databricks.delta.checkpoint.partSize")
    log = lake.log_files("v2")
    for version, suffix in ((3, ".json"), (6, ".parquet")):
        checkpoints = [f for f in log if f.startswith(f"{version:020d}.checkpoint.")]
        assert len(checkpoints) == 1 and checkpoints[0].endswith(suffix), log
    assert "v2Checkpoint" in lake.protocol("v2")["readerFeatures"]
    sidecars = list((lake.root / "deltalake" / "v2" / "_delta_log" / "_sidecars").glob("*.parquet"))
    assert len(sidecars) >= 2, "Spark wrote no sidecar files"
    oracle.check_every_version("v2")
    oracle.check_every_version(lake.trimmed_copy("v2", "from_json", 3), first=3, same_as="v2")
    oracle.check_every_version(lake.trimmed_copy("v2", "from_parquet", 6), first=6, same_as="v2")


def test_change_data_feed(oracle, lake):
    t = oracle.table("cdf")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)
                   USING delta PARTITIONED BY (part) TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
    oracle.sql(f"INSERT INTO {t} {rows(0, 100)}")
    oracle.sql(f"UPDATE {t} SET name = 'changed' WHERE id % 4 = 0")
    oracle.sql(f"DELETE FROM {t} WHERE id % 5 = 0")
    oracle.sql(f"""MERGE INTO {t} AS t USING ({rows(90, 20)}) AS s ON t.id = s.id
                   WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *""")
    assert lake.all_actions("cdf", "cdc"), "Spark wrote no change data files"
    oracle.check_every_version("cdf")


def test_check_constraints(oracle, lake):
    t = oracle.table("checks")
    oracle.sql(f"CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING) "
               "USING delta")
    oracle.sql(f"INSERT INTO {t} {rows(0, 50)}")
    oracle.sql(f"ALTER TABLE {t} ADD CONSTRAINT id_small CHECK (id < 1000 AND (name IS NULL OR name LIKE 'name-%'))")
    oracle.sql(f"INSERT INTO {t} {rows(50, 50)}")
    with pytest.raises(Exception, match="(?i)check constraint"):
        oracle.sql(f"INSERT INTO {t} {rows(5000, 5)}")
    oracle.sql(f"ALTER TABLE {t} DROP CONSTRAINT id_small")
    oracle.sql(f"INSERT INTO {t} {rows(5000, 5)}")
    assert lake.protocol("checks")["minWriterVersion"] >= 3
    assert any("delta.constraints.id_small" in a["metaData"]["configuration"]
               for v in lake.commit_versions("checks") for a in lake.actions("checks", v) if "metaData" in a)
    oracle.check_every_version("checks")


def test_generated_columns(oracle, lake, spark):
    from delta.tables import DeltaTable

    path = lake.path("generated")
    (DeltaTable.create(spark).location(path)
     .addColumn("id", "BIGINT")
     .addColumn("at", "TIMESTAMP")
     .addColumn("day", "DATE", generatedAlwaysAs="CAST(at AS DATE)")
     .addColumn("doubled", "BIGINT", generatedAlwaysAs="id * 2")
     .addColumn("label", "STRING", generatedAlwaysAs="concat('id=', CAST(id AS STRING))")
     .partitionedBy("day").execute())
    t = oracle.table("generated")
    oracle.sql(f"INSERT INTO {t} (id, at) SELECT id, at FROM ({rows(0, 60)})")
    oracle.sql(f"UPDATE {t} SET id = id + 1000 WHERE id % 6 = 0")
    oracle.sql(f"INSERT INTO {t} (id, at) SELECT id, at FROM ({rows(200, 10)})")
    schema = [a["metaData"]["schemaString"] for a in lake.actions("generated", 0) if "metaData" in a][0]
    assert "delta.generationExpression" in schema
    oracle.check_every_version("generated")


def test_identity_columns(oracle, lake, spark):
    from delta.tables import DeltaTable, IdentityGenerator

    (DeltaTable.create(spark).location(lake.path("identity"))
     .addColumn("id", "BIGINT", generatedAlwaysAs=IdentityGenerator(start=10, step=5))
     .addColumn("other", "BIGINT", generatedByDefaultAs=IdentityGenerator(start=-1, step=-2))
     .addColumn("name", "STRING").execute())
    t = oracle.table("identity")
    oracle.sql(f"INSERT INTO {t} (name) SELECT name FROM ({rows(0, 30)})")
    oracle.sql(f"INSERT INTO {t} (other, name) VALUES (1000, 'given')")
    oracle.sql(f"INSERT INTO {t} (name) SELECT name FROM ({rows(30, 10)})")
    oracle.sql(f"DELETE FROM {t} WHERE id % 3 = 0")
    assert "identityColumns" in lake.protocol("identity")["writerFeatures"]
    oracle.check_every_version("identity")


def test_liquid_clustering(oracle, lake):
    t = oracle.table("clustered")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)
                   USING delta CLUSTER BY (part, id)""")
    for i in range(2):
        oracle.sql(f"INSERT INTO {t} {rows(i * 100, 60)}")
    oracle.sql(f"OPTIMIZE {t}")
    oracle.sql(f"ALTER TABLE {t} CLUSTER BY (at)")
    oracle.sql(f"INSERT INTO {t} {rows(1000, 40)}")
    assert "clustering" in lake.protocol("clustered")["writerFeatures"]
    assert any("domainMetadata" in a for v in lake.commit_versions("clustered") for a in lake.actions("clustered", v))
    oracle.check_every_version("clustered")


def test_row_tracking(oracle, lake):
    t = oracle.table("rowtracking")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)
                   USING delta TBLPROPERTIES ('delta.enableRowTracking' = 'true',
                                              'delta.enableDeletionVectors' = 'true')""")
    oracle.sql(f"INSERT INTO {t} {rows(0, 80)}")
    oracle.sql(f"UPDATE {t} SET name = 'tracked' WHERE id % 10 = 0")
    oracle.sql(f"DELETE FROM {t} WHERE id % 9 = 0")
    oracle.sql(f"OPTIMIZE {t}")
    adds = lake.all_actions("rowtracking", "add")
    assert all("baseRowId" in a for a in adds), "Spark's adds carry no row ids"
    oracle.check_every_version("rowtracking")


def test_nested_types_and_wide_decimals(oracle, lake):
    t = oracle.table("nested")
    oracle.sql(f"""CREATE TABLE {t} (
                       id INT, b BOOLEAN, i8 TINYINT, i16 SMALLINT, i64 BIGINT, f FLOAT, d DOUBLE, bin BINARY,
                       d38_0 DECIMAL(38, 0), d38_18 DECIMAL(38, 18), d38_38 DECIMAL(38, 38), d9_2 DECIMAL(9, 2),
                       s STRUCT<x: INT, y: STRING, inner: STRUCT<z: DECIMAL(38, 10), w: ARRAY<INT>>>,
                       list ARRAY<STRUCT<k: STRING, v: DOUBLE>>, nested_list ARRAY<ARRAY<BIGINT>>,
                       m MAP<STRING, INT>, mi MAP<INT, ARRAY<STRING>>, ms MAP<STRING, STRUCT<a: DATE, b: BINARY>>)
                   USING delta TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')""")
    oracle.sql(f"""INSERT INTO {t} VALUES
        (1, true, 127, 32767, 9223372036854775807, CAST(3.4028235E38 AS FLOAT), 1.7976931348623157E308, X'00FF10',
         99999999999999999999999999999999999999, 99999999999999999999.999999999999999999,
         0.99999999999999999999999999999999999999, 9999999.99,
         named_struct('x', 1, 'y', 'ä "q" \\n', 'inner', named_struct('z', 1234567890123456789012345678.0123456789,
                                                                  'w', array(1, NULL, 3))),
         array(named_struct('k', 'a', 'v', 0.1), NULL, named_struct('k', NULL, 'v', CAST('NaN' AS DOUBLE))),
         array(array(1, 2), array(), NULL), map('a', 1, 'b', NULL), map(1, array('x', NULL), -5, array()),
         map('k', named_struct('a', DATE '0001-01-01', 'b', X''))),
        (2, false, -128, -32768, -9223372036854775808, CAST('-Infinity' AS FLOAT), CAST(-0.0 AS DOUBLE), X'',
         -99999999999999999999999999999999999999, -0.000000000000000001,
         -0.00000000000000000000000000000000000001, -0.01,
         named_struct('x', NULL, 'y', NULL, 'inner', NULL), array(), array(), map(), map(), map()),
        (3, NULL, NULL, NULL, NULL, CAST(1.1 AS FLOAT), 4.9E-324, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL)""")
    oracle.sql(f"""INSERT INTO {t} SELECT id, id % 2 = 0, CAST(id AS TINYINT), CAST(id * 100 AS SMALLINT),
                       id * 1000000007, CAST(id / 3 AS FLOAT), id / 3, CAST(concat('b', id) AS BINARY),
                       CAST(id AS DECIMAL(38, 0)) * 1000000000000000000000000000,
                       CAST(id AS DECIMAL(38, 18)) / 7, CAST(0.5 AS DECIMAL(38, 38)), CAST(id AS DECIMAL(9, 2)) / 3,
                       named_struct('x', CAST(id AS INT), 'y', CAST(id AS STRING),
                                    'inner', named_struct('z', CAST(id AS DECIMAL(38, 10)) / 3, 'w', array(CAST(id AS INT)))),
                       array(named_struct('k', CAST(id AS STRING), 'v', id * 1.5)),
                       array(sequence(0, id % 4)), map(CAST(id AS STRING), CAST(id AS INT)),
                       map(CAST(id AS INT), array(CAST(id AS STRING))),
                       map('d', named_struct('a', date_add(DATE '2024-01-01', CAST(id AS INT)), 'b', X'01'))
                   FROM range(10, 40)""")
    oracle.sql(f"UPDATE {t} SET s.y = 'updated', m = map('u', id) WHERE id % 4 = 0")
    oracle.sql(f"DELETE FROM {t} WHERE id % 5 = 0")
    oracle.check_every_version("nested")


def test_type_widening(oracle, lake):
    # delta-spark 3.3.2 widens byte -> short -> int (ALTER TABLE refuses int -> long, float -> double, decimals, dates).
    t = oracle.table("widened")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, small TINYINT, medium SMALLINT, s STRUCT<x: TINYINT, y: STRING>,
                                     part TINYINT)
                   USING delta PARTITIONED BY (part) TBLPROPERTIES ('delta.enableTypeWidening' = 'true')""")
    oracle.sql(f"""INSERT INTO {t} SELECT id, CAST(id - 50 AS TINYINT), CAST(id * 300 AS SMALLINT),
                       named_struct('x', CAST(-id AS TINYINT), 'y', CAST(id AS STRING)), CAST(id % 2 AS TINYINT)
                   FROM range(0, 20)""")
    oracle.sql(f"ALTER TABLE {t} CHANGE COLUMN small TYPE SMALLINT")
    oracle.sql(f"INSERT INTO {t} SELECT id, CAST(id * 1000 AS SMALLINT), 7, NULL, 1 FROM range(20, 25)")
    oracle.sql(f"ALTER TABLE {t} CHANGE COLUMN small TYPE INT")
    oracle.sql(f"ALTER TABLE {t} CHANGE COLUMN medium TYPE INT")
    oracle.sql(f"ALTER TABLE {t} CHANGE COLUMN s.x TYPE SMALLINT")
    oracle.sql(f"ALTER TABLE {t} CHANGE COLUMN part TYPE INT")
    oracle.sql(f"""INSERT INTO {t} SELECT id, CAST(id * 100000 AS INT), CAST(id * 100000 AS INT),
                       named_struct('x', CAST(id * 1000 AS SMALLINT), 'y', 'wide'), CAST(id * 100000 AS INT)
                   FROM range(25, 30)""")
    oracle.sql(f"DELETE FROM {t} WHERE id % 4 = 0")
    features = lake.protocol("widened")
    assert {"typeWidening", "typeWidening-preview"} & set(features["readerFeatures"]), features
    oracle.check_every_version("widened")


def test_partitions_with_special_characters_and_nulls(oracle, lake):
    t = oracle.table("partitions")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, s STRING, n INT, day DATE, value STRING)
                   USING delta PARTITIONED BY (s, n, day)""")
    names = ["a b", "a/b", "a=b", "100%", "x:y", "ümlaut", "quote's", "#{}[]*?", "", None, " lead", "trail ",
             "back\\\\slash", "a%2Fb"]
    literals = ", ".join("NULL" if s is None else "'" + s.replace("'", "\\'") + "'" for s in names)
    oracle.sql(f"""INSERT INTO {t} SELECT id, element_at(array({literals}), CAST(id % {len(names)} + 1 AS INT)),
                       CASE WHEN id % 3 = 0 THEN NULL ELSE CAST(id % 3 - 2 AS INT) END,
                       CASE WHEN id % 4 = 0 THEN NULL ELSE date_add(DATE '1969-12-30', CAST(id % 4 AS INT)) END,
                       concat('v', id)
                   FROM range(0, 84)""")
    oracle.sql(f"DELETE FROM {t} WHERE s = 'a/b' OR n IS NULL AND day IS NULL")
    oracle.sql(f"INSERT INTO {t} VALUES (1000, NULL, NULL, NULL, 'all null'), (1001, '', 0, DATE '0001-01-01', 'e')")
    t2 = oracle.table("partitions_typed")
    oracle.sql(f"""CREATE TABLE {t2} (id BIGINT, at TIMESTAMP, ntz TIMESTAMP_NTZ, money DECIMAL(12, 3), flag BOOLEAN,
                                      tiny TINYINT, big BIGINT, ratio DOUBLE)
                   USING delta PARTITIONED BY (at, ntz, money, flag, tiny, big, ratio)""")
    oracle.sql(f"""INSERT INTO {t2} VALUES
        (1, TIMESTAMP '2024-01-01 00:00:00.000001', TIMESTAMP_NTZ '1900-01-01 23:59:59.5', -1.5, true, -128,
         -9223372036854775808, -0.25),
        (2, TIMESTAMP '1960-06-30 12:00:00', TIMESTAMP_NTZ '9999-12-31 23:59:59.999999', 123456789.123, false, 127,
         9223372036854775807, 1.0E100),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""")
    values = {a["add"]["partitionValues"].get("s") for a in lake.actions("partitions", 1) if "add" in a}
    assert None in values and "a/b" in values, values
    oracle.check_every_version("partitions")
    oracle.check_every_version("partitions_typed")


def test_filters_skip_files_by_spark_statistics(oracle, lake):
    # Spark's statistics are truncated: strings to 32 characters, timestamps to milliseconds. A filter that skips
    # files by them must still find every row Spark finds (rows in files with and without deletion vectors).
    t = oracle.table("stats")
    oracle.sql(f"""CREATE TABLE {t} (id BIGINT, s STRING, at TIMESTAMP, ntz TIMESTAMP_NTZ, d DECIMAL(20, 4), day DATE,
                                     part STRING)
                   USING delta PARTITIONED BY (part) TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')""")
    prefix = "x" * 40
    oracle.sql(f"""INSERT INTO {t} SELECT id, concat('{prefix}', id), TIMESTAMP '2024-01-01 00:00:00' +
                       make_dt_interval(0, 0, 0, id * 0.000111), TIMESTAMP_NTZ '2024-01-01 00:00:00' +
                       make_dt_interval(0, 0, 0, id * 0.000111), CAST(id / 3 AS DECIMAL(20, 4)),
                       date_add(DATE '2024-01-01', CAST(id AS INT)), 'a'
                   FROM range(0, 10)""")
    oracle.sql(f"INSERT INTO {t} VALUES (100, NULL, NULL, NULL, NULL, NULL, NULL), (101, NULL, NULL, NULL, NULL, NULL, 'b')")
    oracle.sql(f"""INSERT INTO {t} SELECT id, concat('{prefix}z', id), TIMESTAMP '2024-01-01 00:00:00.000999',
                       TIMESTAMP_NTZ '2024-01-01 00:00:00.000999', 1.0001, DATE '2024-01-01', 'b' FROM range(200, 205)""")
    oracle.sql(f"DELETE FROM {t} WHERE id = 9 OR id = 202")
    filters = [
        "at = TIMESTAMP '2024-01-01 00:00:00.000999'", "at > TIMESTAMP '2024-01-01 00:00:00.0009'",
        "at <= TIMESTAMP '2024-01-01 00:00:00.000333'", "ntz = TIMESTAMP '2024-01-01 00:00:00.000999'",
        "ntz BETWEEN TIMESTAMP '2024-01-01 00:00:00.000222' AND TIMESTAMP '2024-01-01 00:00:00.000444'",
        f"s = '{prefix}z201'", f"s > '{prefix}9'", f"s >= '{prefix}z'", f"s < '{prefix}1'", "s IS NULL",
        "at IS NOT NULL", "d BETWEEN 1.0001 AND 2.0000", "d = 1.0001", "part IN ('a', 'b')", "part IS NULL",
        "id = 9", "id >= 202 AND id <= 202", "day = DATE '2024-01-10'", "id != 3 AND part = 'a' AND day > DATE '2024-01-05'",
    ]
    # Spark evaluates every filter in one read: a row passes a filter where it is TRUE.
    frame = oracle.spark.read.format("delta").load(lake.path("stats"))
    flags = frame.selectExpr("*", *[f"coalesce({f}, false) AS `f{i}`" for i, f in enumerate(filters)])
    schema = frame.schema
    collected = flags.collect()
    assert len(lake.all_actions("stats", "add")) >= 4
    for i, where in enumerate(filters):
        expected = [canonical(tuple(row)[:len(schema)], schema) for row in collected if row[f"f{i}"]]
        got = json_rows(lake.scan_json("stats", where=where), schema)
        assert_same_rows(expected, got, f"--where {where}")
