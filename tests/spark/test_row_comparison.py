"""The comparison the suite relies on tells apart values that differ in their last digit, bit or microsecond.

No Spark session: Spark's values are built as PySpark returns them (Decimal, datetime, bytearray, Row, dict) and
DeltaDuck's as `delta scan --format json` prints them.
"""

import datetime as dt
import decimal

import pytest
from pyspark.sql import Row
from pyspark.sql import types as T

from sparklib import assert_same_rows, canonical, json_rows, parse_json


def spark_and_json(dtype, spark_value, json_text):
    schema = T.StructType([T.StructField("v", dtype)])
    ours = json_rows([parse_json('{"v": ' + json_text + "}")], schema)
    return [canonical(Row(v=spark_value), schema)], ours


SAME = [
    (T.DecimalType(38, 18), decimal.Decimal("-99999999999999999999.999999999999999999"),
     '"-99999999999999999999.999999999999999999"'),
    (T.DecimalType(38, 0), decimal.Decimal("99999999999999999999999999999999999999"), "99999999999999999999999999999999999999"),
    (T.TimestampType(), dt.datetime(1, 1, 1), '"0001-01-01T00:00:00Z"'),
    (T.TimestampNTZType(), dt.datetime(9999, 12, 31, 23, 59, 59, 999999), '"9999-12-31T23:59:59.999999"'),
    (T.FloatType(), float.fromhex("0x1.19999ap+0"), "1.1"),
    (T.DoubleType(), float("nan"), '"NaN"'),
    (T.DoubleType(), -0.0, "-0"),
    (T.LongType(), 9223372036854775807, '"9223372036854775807"'),
    (T.BinaryType(), bytearray(b"x\"y"), '"eCJ5"'),
    (T.MapType(T.IntegerType(), T.ArrayType(T.StringType())), {1: ["a", None], -5: []}, '{"1": ["a", null], "-5": []}'),
    (T.StructType([T.StructField("a", T.DateType()), T.StructField("b", T.StringType())]),
     Row(a=dt.date(1, 1, 1), b=None), '{"b": null, "a": "0001-01-01"}'),
]

DIFFERENT = [
    (T.DecimalType(38, 18), decimal.Decimal("1.000000000000000001"), '"1.000000000000000002"'),
    (T.TimestampType(), dt.datetime(2024, 1, 1, 0, 0, 0, 1), '"2024-01-01T00:00:00Z"'),
    (T.TimestampType(), dt.datetime(2024, 1, 1), '"2024-01-01T00:00:00"'),  # a naive value where an instant belongs
    (T.TimestampNTZType(), dt.datetime(2024, 1, 1), '"2024-01-01T00:00:00Z"'),
    (T.FloatType(), float.fromhex("0x1.19999ap+0"), "1.1000001"),
    (T.DoubleType(), 0.1, "0.10000000000000002"),
    (T.DoubleType(), 0.0, "-0"),
    (T.StringType(), "", "null"),
    (T.IntegerType(), 1, "true"),
    (T.BooleanType(), True, "1"),
    (T.MapType(T.StringType(), T.IntegerType()), {"a": 1}, '{"a": 1, "b": null}'),
    (T.ArrayType(T.IntegerType()), [1, 2], "[2, 1]"),
]


@pytest.mark.parametrize("dtype, spark_value, json_text", SAME, ids=[str(c[0]) for c in SAME])
def test_equal_values_compare_equal(dtype, spark_value, json_text):
    expected, ours = spark_and_json(dtype, spark_value, json_text)
    assert_same_rows(expected, ours, "equal values")


@pytest.mark.parametrize("dtype, spark_value, json_text", DIFFERENT, ids=[str(c[0]) for c in DIFFERENT])
def test_different_values_are_told_apart(dtype, spark_value, json_text):
    with pytest.raises(AssertionError):
        expected, ours = spark_and_json(dtype, spark_value, json_text)
        assert_same_rows(expected, ours, "different values")


def test_rows_compare_as_multisets():
    schema = T.StructType([T.StructField("v", T.LongType())])
    twice = [canonical(Row(v=1), schema)] * 2
    with pytest.raises(AssertionError, match="1 missing"):
        assert_same_rows(twice, twice[:1], "a duplicate row lost")
    assert_same_rows(twice + [canonical(Row(v=2), schema)], [canonical(Row(v=2), schema)] + twice, "any order")
