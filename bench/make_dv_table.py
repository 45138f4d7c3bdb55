"""Writes, with Spark + Delta (the test venv's pyspark and delta-spark), the table of the deletion-vector benchmark:
1,000,000 rows (id, category, amount, label) at version 0, and a DELETE of 30% of them at version 1, which Spark
records as deletion vectors. Usage: make_dv_table.py OUT_DIR (the table is OUT_DIR/dv1m)."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "spark"))
from sparklib import spark_builder  # noqa: E402


def main(out):
    table = os.path.join(out, "dv1m")
    with tempfile.TemporaryDirectory() as scratch:
        spark = spark_builder(scratch).getOrCreate()
        try:
            rows = spark.range(1000000).selectExpr("id", "id % 97 AS category", "id * 0.5 AS amount",
                                                   "concat('label-', id % 1000) AS label")
            rows.repartition(4).write.format("delta").option("delta.enableDeletionVectors", "true").save(table)
            spark.sql(f"DELETE FROM delta.`{table}` WHERE id % 10 < 3")
            history = spark.sql(f"DESCRIBE HISTORY delta.`{table}`").select("version", "operation").collect()
            print("written:", sorted((r.version, r.operation) for r in history))
        finally:
            spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
