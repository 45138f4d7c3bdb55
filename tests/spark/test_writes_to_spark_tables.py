"""DeltaDuck writes to tables Spark made: plain, partitioned, with deletion vectors, with column mapping, with
timestamp_ntz, with change data feed; and refuses, cleanly, the tables whose writer features it does not support.

The oracle is a twin: a copy of Spark's table taken before DeltaDuck writes, to which Spark makes the same write.
Spark's read of DeltaDuck's result must equal Spark's read of the twin; DeltaDuck's read of every version must
equal Spark's. A refused write must name the feature and leave every file of the table as it was.
"""

import re
import shutil

import pytest

from sparklib import Failed, assert_same_rows, spark_rows

ROWS = """SELECT id, CASE WHEN id % 9 = 4 THEN NULL ELSE concat('name-', id) END AS name,
                 CAST(CAST(id * 1000003 AS DECIMAL(38, 9)) / 7 AS DECIMAL(38, 9)) AS amount,
                 TIMESTAMP '1969-12-31 23:00:00.000001' + make_dt_interval(0, 0, 0, id * 3607.5) AS at,
                 CAST(CASE WHEN id % 4 = 3 THEN NULL ELSE id % 3 END AS STRING) AS part
          FROM range({0}, {1})"""
COLUMNS = "(id BIGINT, name STRING, amount DECIMAL(38, 9), at TIMESTAMP, part STRING)"


class Twin:
    """A table and its twin: the same writes made by DeltaDuck to the table and by Spark to the twin."""

    def __init__(self, oracle, name):
        self.oracle, self.lake, self.name, self.twin = oracle, oracle.lake, name, f"{name}_twin"
        shutil.copytree(self.lake.path(name), self.lake.path(self.twin))

    def write(self, source, mode="append", *flags, **options):
        """DeltaDuck writes the parquet source `source` to the table, Spark to the twin (Spark's error, if any, is
        raised before DeltaDuck writes)."""
        frame = self.oracle.spark.read.parquet(self.lake.source(source)[0])
        frame.write.format("delta").mode(mode).options(**options).save(self.lake.path(self.twin))
        self.lake.ingest(self.name, f"SELECT * FROM read_parquet('src/{source}/*.parquet')", mode, *flags)

    def check(self, what):
        """Spark reads the table as it reads the twin, at the latest version."""
        latest = self.lake.commit_versions(self.name)[-1]
        return self.oracle.assert_reads(self.name, latest, self.oracle.read(self.twin), f"{self.name} {what}")


def spark_table(oracle, name, columns=COLUMNS, extra="", inserts=((0, 40),)):
    t = oracle.table(name)
    oracle.sql(f"CREATE TABLE {t} {columns} USING delta {extra}")
    for first, last in inserts:
        oracle.sql(f"INSERT INTO {t} {ROWS.format(first, last)}")
    return t


def test_append_and_overwrite_a_plain_spark_table(oracle, lake):
    t = spark_table(oracle, "plain", inserts=[(0, 40), (40, 60)])
    oracle.source("more", ROWS.format(100, 130))
    oracle.source("fresh", ROWS.format(500, 510))
    pair = Twin(oracle, "plain")
    pair.write("more")
    pair.check("after DeltaDuck's append")
    pair.write("fresh", "overwrite")
    pair.check("after DeltaDuck's overwrite")
    # Spark writes on top of DeltaDuck's commits.
    for table in (t, oracle.table(pair.twin)):
        oracle.sql(f"INSERT INTO {table} {ROWS.format(900, 905)}")
        oracle.sql(f"DELETE FROM {table} WHERE id % 2 = 0")
    pair.check("after Spark's writes on DeltaDuck's")
    oracle.check_every_version("plain")


def test_append_to_a_partitioned_spark_table(oracle, lake):
    columns = "(id BIGINT, s STRING, n INT, day DATE, value STRING)"
    t = oracle.table("parted")
    oracle.sql(f"CREATE TABLE {t} {columns} USING delta PARTITIONED BY (s, n, day)")
    specials = ["a b", "a/b", "a=b", "100%", "x:y", "ümlaut", "quote\\'s", "#{}[]*?", None, "trail ", "back\\\\slash"]
    literals = ", ".join("NULL" if s is None else f"'{s}'" for s in specials)
    rows = """SELECT id, element_at(array(LITERALS), CAST(id % COUNT + 1 AS INT)) AS s,
                     CASE WHEN id % 3 = 0 THEN NULL ELSE CAST(id % 3 - 2 AS INT) END AS n,
                     CASE WHEN id % 4 = 0 THEN NULL ELSE date_add(DATE '1969-12-30', CAST(id % 4 AS INT)) END AS day,
                     concat('v', id) AS value
              FROM range(FIRST, LAST)""".replace("LITERALS", literals).replace("COUNT", str(len(specials)))
    oracle.sql(f"INSERT INTO {t} " + rows.replace("FIRST", "0").replace("LAST", "30"))
    oracle.source("more", rows.replace("FIRST", "30").replace("LAST", "80"))
    pair = Twin(oracle, "parted")
    pair.write("more")
    pair.check("after DeltaDuck's append")
    oracle.check_every_version("parted")


def test_append_and_overwrite_a_spark_table_with_deletion_vectors(oracle, lake):
    t = spark_table(oracle, "dv", extra="TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    oracle.sql(f"DELETE FROM {t} WHERE id % 3 = 0")
    assert any(a.get("deletionVector") for a in lake.all_actions("dv", "add"))
    oracle.source("more", ROWS.format(100, 120))
    oracle.source("fresh", ROWS.format(500, 510))
    pair = Twin(oracle, "dv")
    pair.write("more")
    pair.check("after DeltaDuck's append")
    pair.write("fresh", "overwrite")  # its removes must carry the deletion vectors, or the deleted rows come back
    pair.check("after DeltaDuck's overwrite")
    for table in (t, oracle.table(pair.twin)):
        oracle.sql(f"INSERT INTO {table} {ROWS.format(700, 720)}")
        oracle.sql(f"DELETE FROM {table} WHERE id % 4 = 0")
    pair.check("after Spark's writes on DeltaDuck's")
    oracle.check_every_version("dv")


def test_checkpoint_of_a_spark_table_with_deletion_vectors(oracle, lake):
    t = spark_table(oracle, "dvc", extra="TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', "
                                          "'delta.checkpointInterval' = '3')")
    oracle.sql(f"DELETE FROM {t} WHERE id % 3 = 0")
    oracle.source("more", ROWS.format(100, 120))
    pair = Twin(oracle, "dvc")
    pair.write("more")  # version 3: DeltaDuck writes the checkpoint, deletion vectors in it
    leftovers = [f for f in lake.log_files("dvc") if "tmp" in f.lower()]
    assert not leftovers, f"temporary files left in the log: {leftovers}"
    assert "00000000000000000003.checkpoint.parquet" in lake.log_files("dvc"), lake.log_files("dvc")
    pair.check("after DeltaDuck's append")
    oracle.check_every_version("dvc")
    oracle.check_every_version(lake.trimmed_copy("dvc", "dvc_trimmed", 3), first=3)


@pytest.mark.parametrize("mode", ["name", "id"])
def test_append_to_a_column_mapped_spark_table(oracle, lake, mode):
    name = f"cm_{mode}"
    t = spark_table(oracle, name, extra=f"PARTITIONED BY (part) TBLPROPERTIES ('delta.columnMapping.mode' = '{mode}')")
    oracle.sql(f"ALTER TABLE {t} RENAME COLUMN name TO label")
    oracle.sql(f"ALTER TABLE {t} DROP COLUMN amount")
    oracle.sql(f"ALTER TABLE {t} ADD COLUMNS (amount DECIMAL(38, 9))")
    oracle.source("more", ROWS.format(100, 120).replace("AS name", "AS label"))
    pair = Twin(oracle, name)
    pair.write("more")
    pair.check("after DeltaDuck's append")
    oracle.check_every_version(name)


def test_append_to_a_spark_table_with_timestamp_ntz(oracle, lake):
    spark_table(oracle, "ntz", columns="(id BIGINT, local TIMESTAMP_NTZ, at TIMESTAMP, s STRUCT<t: TIMESTAMP_NTZ>)",
                inserts=())
    oracle.sql(f"""INSERT INTO {oracle.table('ntz')} SELECT id, TIMESTAMP_NTZ '0001-01-01 00:00:00' + make_dt_interval(id),
                       TIMESTAMP '1970-01-01 00:00:00' - make_dt_interval(id), named_struct('t', TIMESTAMP_NTZ '2000-01-01')
                   FROM range(0, 5)""")
    oracle.source("more", """SELECT id, TIMESTAMP_NTZ '9999-12-31 23:59:59.999999' - make_dt_interval(id) AS local,
                                    TIMESTAMP '2024-02-29 12:00:00.000001' + make_dt_interval(id) AS at,
                                    named_struct('t', TIMESTAMP_NTZ '1582-10-04 00:00:00') AS s
                             FROM range(5, 15)""")
    pair = Twin(oracle, "ntz")
    pair.write("more")
    pair.check("after DeltaDuck's append")
    oracle.check_every_version("ntz")


def test_legacy_protocol_table_gains_a_timestamp_ntz_column(oracle, lake):
    # A (1,2) table (appendOnly and invariants implied) with a NOT NULL column; the append adds a timestamp_ntz
    # column, which needs table features: the protocol must be the one Spark gives the twin for the same write.
    t = oracle.table("legacy")
    oracle.sql(f"CREATE TABLE {t} (id BIGINT NOT NULL, name STRING) USING delta")
    oracle.sql(f"INSERT INTO {t} SELECT id, concat('n', id) FROM range(0, 10)")
    assert lake.protocol("legacy") == {"minReaderVersion": 1, "minWriterVersion": 2}
    oracle.source("more", "SELECT id, concat('m', id) AS name, TIMESTAMP_NTZ '2024-01-01 00:00:00' + "
                          "make_dt_interval(id) AS local FROM range(10, 20)")
    pair = Twin(oracle, "legacy")
    # Spark adds the feature to an existing table only when told to (DELTA_FEATURES_REQUIRE_MANUAL_ENABLEMENT).
    oracle.sql(f"ALTER TABLE {oracle.table(pair.twin)} SET TBLPROPERTIES ('delta.feature.timestampNtz' = 'supported')")
    pair.write("more", "append", "--merge-schema", mergeSchema="true")
    pair.check("after DeltaDuck's append")
    ours, spark = lake.protocol("legacy"), lake.protocol(pair.twin)
    canonical = {k: sorted(v) if isinstance(v, list) else v for k, v in ours.items()}
    assert canonical == {k: sorted(v) if isinstance(v, list) else v for k, v in spark.items()}, (ours, spark)
    oracle.check_every_version("legacy")


def test_null_in_a_not_null_column_is_refused(oracle, lake):
    t = oracle.table("notnull")
    oracle.sql(f"CREATE TABLE {t} (id BIGINT, name STRING NOT NULL) USING delta")
    oracle.sql(f"INSERT INTO {t} SELECT id, concat('n', id) FROM range(0, 10)")
    oracle.source("bad", "SELECT id, CASE WHEN id = 15 THEN NULL ELSE 'x' END AS name FROM range(10, 20)")
    with pytest.raises(Exception, match="(?i)null"):  # Spark refuses the rows too
        oracle.spark.read.parquet(lake.source("bad")[0]).write.format("delta").mode("append").save(lake.path("notnull"))
    before = lake.tree("notnull")
    with pytest.raises(Failed) as refusal:
        lake.ingest("notnull", "SELECT * FROM read_parquet('src/bad/*.parquet')", "append")
    message = refusal.value.stderr + refusal.value.stdout
    assert "name" in message and re.search("(?i)null", message), message
    assert lake.tree("notnull") == before, "the refused write changed the table"
    oracle.check_every_version("notnull")


def test_check_constraints_are_enforced_as_spark_enforces_them(oracle, lake):
    t = spark_table(oracle, "checked")
    oracle.sql(f"ALTER TABLE {t} ADD CONSTRAINT positive CHECK (id >= 0)")
    oracle.sql(f"ALTER TABLE {t} ADD CONSTRAINT `short name` CHECK (length(`name`) < 12 OR name IS NULL)")
    oracle.source("good", ROWS.format(100, 110))
    pair = Twin(oracle, "checked")
    pair.write("good")
    pair.check("after DeltaDuck's append")
    # Rows breaking a constraint, and a NULL the condition cannot judge: DeltaDuck refuses what Spark refuses.
    for name, columns in {"negative": "-id AS id, 'n' AS name", "long": "id, 'a much longer name' AS name",
                          "unknown": "CAST(NULL AS BIGINT) AS id, 'n' AS name"}.items():
        source = oracle.source(name, f"SELECT {columns}, CAST(NULL AS DECIMAL(38, 9)) AS amount, "
                                     "CAST(NULL AS TIMESTAMP) AS at, CAST(NULL AS STRING) AS part FROM range(1, 3)")
        before = lake.tree("checked")
        try:
            oracle.spark.read.parquet(lake.source(name)[0]).write.format("delta").mode("append").save(
                lake.path(pair.twin))
            spark_refused = None
        except Exception as error:  # noqa: BLE001 - Spark's violation comes as a Py4J error
            spark_refused = str(error)
        if spark_refused is None:
            lake.ingest("checked", source, "append")
        else:
            with pytest.raises(Failed) as refusal:
                lake.ingest("checked", source, "append")
            message = refusal.value.stderr + refusal.value.stdout
            assert "constraint" in message and "nothing was written" in message, message
            assert lake.tree("checked") == before, "the refused append changed the table"
        pair.check(f"after the {name} rows")
    oracle.check_every_version("checked")


def test_change_data_feed_of_deltaduck_commits(oracle, lake):
    spark_table(oracle, "cdf", extra="TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')")
    oracle.source("more", ROWS.format(100, 110))
    oracle.source("fresh", ROWS.format(500, 505))
    pair = Twin(oracle, "cdf")
    pair.write("more")
    pair.write("fresh", "overwrite")
    pair.check("after DeltaDuck's append and overwrite")

    def changes(name):
        frame = (oracle.spark.read.format("delta").option("readChangeFeed", "true").option("startingVersion", 2)
                 .load(lake.path(name)).drop("_commit_timestamp"))
        return spark_rows(frame)

    schema, expected = changes(pair.twin)
    assert {row[-2] for row in expected} == {"insert", "delete"}, "Spark's own changes lack inserts or deletes"
    assert_same_rows(expected, changes("cdf")[1], "Spark's change data feed of DeltaDuck's commits")
    oracle.check_every_version("cdf")


def _generated(spark, path):
    from delta.tables import DeltaTable

    (DeltaTable.create(spark).location(path).addColumn("id", "BIGINT").addColumn("name", "STRING")
     .addColumn("twice", "BIGINT", generatedAlwaysAs="id * 2").execute())


def _identity(spark, path):
    from delta.tables import DeltaTable, IdentityGenerator

    (DeltaTable.create(spark).location(path).addColumn("key", "BIGINT", generatedAlwaysAs=IdentityGenerator())
     .addColumn("id", "BIGINT").addColumn("name", "STRING").execute())


REFUSED = {
    # feature the error must name: (how Spark makes the table, modes DeltaDuck must refuse)
    "rowTracking": ("TBLPROPERTIES ('delta.enableRowTracking' = 'true')", ["append", "overwrite"]),
    "v2Checkpoint": ("TBLPROPERTIES ('delta.checkpointPolicy' = 'v2')", ["append", "overwrite"]),
    "inCommitTimestamp": ("TBLPROPERTIES ('delta.enableInCommitTimestamps' = 'true')", ["append", "overwrite"]),
    "clustering": ("CLUSTER BY (id)", ["append", "overwrite"]),
    "typeWidening": ("TBLPROPERTIES ('delta.enableTypeWidening' = 'true')", ["append", "overwrite"]),
    "generatedColumns": (_generated, ["append", "overwrite"]),
    "identityColumns": (_identity, ["append", "overwrite"]),
    "appendOnly": ("TBLPROPERTIES ('delta.appendOnly' = 'true')", ["overwrite"]),
}


@pytest.mark.parametrize("feature", sorted(REFUSED))
def test_unsupported_writer_feature_is_refused_and_the_table_left_unchanged(oracle, lake, spark, feature):
    how, modes = REFUSED[feature]
    t = oracle.table("t")
    if callable(how):
        how(spark, lake.path("t"))
    else:
        oracle.sql(f"CREATE TABLE {t} (id BIGINT, name STRING) USING delta {how}")
    oracle.sql(f"INSERT INTO {t} (id, name) SELECT id, concat('n', id) FROM range(0, 10)")
    protocol = lake.protocol("t")
    assert any(f.startswith(feature) for f in protocol.get("writerFeatures", [])) or protocol["minWriterVersion"] < 7, \
        protocol
    source = oracle.source("more", "SELECT id, concat('m', id) AS name FROM range(10, 15)")
    before, spark_before = lake.tree("t"), oracle.read("t")
    for mode in modes:
        with pytest.raises(Failed) as refusal:
            lake.ingest("t", source, mode)
        message = refusal.value.stderr + refusal.value.stdout
        assert feature in message, f"{mode} refused without naming {feature}: {message}"
        assert lake.tree("t") == before, f"the refused {mode} changed the table"
    assert_same_rows(spark_before[1], oracle.read("t")[1], "Spark's read after the refusals")
