#include "engine/value_encoder.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <gtest/gtest.h>

namespace deltaduck {

namespace {

struct Case {
	const char *expression;
	const char *json;
};

class ValueEncoderTest : public ::testing::Test {
protected:
	Connection connection = OpenTestConnection();

	//! The JSON of one value, via a one-row query.
	std::string Encode(const std::string &expression) {
		auto row = QueryJsonRows(connection, "SELECT " + expression);
		return row.substr(1, row.size() - 2);
	}

	void Check(const std::vector<Case> &cases) {
		for (const auto &c : cases) {
			EXPECT_EQ(Encode(c.expression), c.json) << "for " << c.expression;
		}
	}
};

} // namespace

TEST_F(ValueEncoderTest, Integers) {
	Check({
	    {"true", "true"},
	    {"CAST(-128 AS TINYINT)", "-128"},
	    {"CAST(32767 AS SMALLINT)", "32767"},
	    {"CAST(-2147483648 AS INTEGER)", "-2147483648"},
	    {"CAST(255 AS UTINYINT)", "255"},
	    {"CAST(65535 AS USMALLINT)", "65535"},
	    {"CAST(4294967295 AS UINTEGER)", "4294967295"},
	    // 64-bit and wider: numbers while a double holds them exactly (|v| <= 2^53), strings beyond.
	    {"CAST(9007199254740992 AS BIGINT)", "9007199254740992"},
	    {"CAST(9007199254740993 AS BIGINT)", "\"9007199254740993\""},
	    {"CAST(-9007199254740992 AS BIGINT)", "-9007199254740992"},
	    {"CAST(-9223372036854775808 AS BIGINT)", "\"-9223372036854775808\""},
	    {"CAST(18446744073709551615 AS UBIGINT)", "\"18446744073709551615\""},
	    {"CAST(42 AS UBIGINT)", "42"},
	    {"CAST(-170141183460469231731687303715884105728 AS HUGEINT)", "\"-170141183460469231731687303715884105728\""},
	    {"CAST(170141183460469231731687303715884105727 AS HUGEINT)", "\"170141183460469231731687303715884105727\""},
	    {"CAST(-5 AS HUGEINT)", "-5"},
	    {"CAST(340282366920938463463374607431768211455 AS UHUGEINT)", "\"340282366920938463463374607431768211455\""},
	    {"CAST(7 AS UHUGEINT)", "7"},
	    {"CAST(12345678901234567890123 AS BIGNUM)", "\"12345678901234567890123\""},
	    {"CAST(-12345678901234567890123 AS BIGNUM)", "\"-12345678901234567890123\""},
	    {"CAST(-42 AS BIGNUM)", "-42"},
	    {"CAST(0 AS BIGNUM)", "0"},
	});
}

TEST_F(ValueEncoderTest, DecimalsAreExact) {
	Check({
	    {"CAST(1.5 AS DECIMAL(4,1))", "1.5"},
	    {"CAST(-0.005 AS DECIMAL(9,3))", "-0.005"},
	    {"CAST(123456789.123 AS DECIMAL(18,3))", "\"123456789.123\""},
	    {"CAST(12345678901234.5 AS DECIMAL(15,1))", "12345678901234.5"},
	    {"CAST('-12345678901234567890123456789.123456789' AS DECIMAL(38,9))",
	     "\"-12345678901234567890123456789.123456789\""},
	    {"CAST(0 AS DECIMAL(20,10))", "\"0.0000000000\""},
	    {"CAST(7 AS DECIMAL(5,0))", "7"},
	});
}

TEST_F(ValueEncoderTest, FloatingPoint) {
	Check({
	    {"CAST(0.1 AS DOUBLE)", "0.1"},
	    {"CAST(-2.5e300 AS DOUBLE)", "-2.5e+300"},
	    {"CAST(0.1 AS FLOAT)", "0.1"},
	    {"CAST('NaN' AS DOUBLE)", "\"NaN\""},
	    {"CAST('inf' AS DOUBLE)", "\"Infinity\""},
	    {"CAST('-inf' AS FLOAT)", "\"-Infinity\""},
	    {"CAST(1e15 AS DOUBLE)", "1e+15"},
	});
}

TEST_F(ValueEncoderTest, TemporalValuesAreIso8601) {
	Check({
	    {"DATE '2024-02-29'", "\"2024-02-29\""},
	    {"DATE '1969-12-31'", "\"1969-12-31\""},
	    {"DATE '0001-01-01'", "\"0001-01-01\""},
	    {"CAST('infinity' AS DATE)", "\"infinity\""},
	    {"CAST('-infinity' AS DATE)", "\"-infinity\""},
	    {"TIME '13:45:07'", "\"13:45:07\""},
	    {"TIME '13:45:07.25'", "\"13:45:07.250000\""},
	    {"CAST('13:45:07+05:30' AS TIMETZ)", "\"13:45:07+05:30\""},
	    {"TIMESTAMP '2024-03-01 12:00:00'", "\"2024-03-01T12:00:00\""},
	    {"TIMESTAMP '1960-06-15 23:59:59.999999'", "\"1960-06-15T23:59:59.999999\""},
	    {"CAST('2024-03-01 12:00:00' AS TIMESTAMP_S)", "\"2024-03-01T12:00:00\""},
	    {"CAST('2024-03-01 12:00:00.123' AS TIMESTAMP_MS)", "\"2024-03-01T12:00:00.123\""},
	    {"CAST('2024-03-01 12:00:00.123456789' AS TIMESTAMP_NS)", "\"2024-03-01T12:00:00.123456789\""},
	    {"CAST('1900-01-01 00:00:00.000000001' AS TIMESTAMP_NS)", "\"1900-01-01T00:00:00.000000001\""},
	    {"CAST('infinity' AS TIMESTAMP)", "\"infinity\""},
	    {"CAST('-infinity' AS TIMESTAMP)", "\"-infinity\""},
	    // TIMESTAMPTZ is an instant: always shown in UTC, whatever the session time zone.
	    {"CAST('2024-03-01 12:00:00+02' AS TIMESTAMPTZ)", "\"2024-03-01T10:00:00Z\""},
	});
}

TEST_F(ValueEncoderTest, IntervalsAreIsoDurations) {
	Check({
	    {"INTERVAL '1 year 2 months 3 days'", "\"P1Y2M3D\""},
	    {"INTERVAL '4 hours 5 minutes 6.5 seconds'", "\"PT4H5M6.5S\""},
	    {"INTERVAL '0 seconds'", "\"PT0S\""},
	    {"INTERVAL '-1 month'", "\"P-1M\""},
	    {"INTERVAL '-90 minutes'", "\"PT-1H-30M\""},
	    {"INTERVAL '1 day 1 microsecond'", "\"P1DT0.000001S\""},
	});
}

TEST_F(ValueEncoderTest, StringsBlobsUuidsEnumsBits) {
	connection.Execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
	Check({
	    {"'plain'", "\"plain\""},
	    {"'a longer string that is not inlined \"quoted\"'", "\"a longer string that is not inlined \\\"quoted\\\"\""},
	    {"'line' || chr(10) || 'tab' || chr(9) || 'é'", "\"line\\ntab\\té\""},
	    {"''", "\"\""},
	    {"'\\x00\\x01\\xFF'::BLOB", "\"AAH/\""},
	    {"'abcd'::BLOB", "\"YWJjZA==\""},
	    {"'ab'::BLOB", "\"YWI=\""},
	    {"''::BLOB", "\"\""},
	    {"UUID 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
	    {"UUID '00000000-0000-0000-0000-000000000000'", "\"00000000-0000-0000-0000-000000000000\""},
	    {"UUID 'ffffffff-ffff-ffff-ffff-ffffffffffff'", "\"ffffffff-ffff-ffff-ffff-ffffffffffff\""},
	    {"'happy'::mood", "\"happy\""},
	    {"'101100111'::BIT", "\"101100111\""},
	    {"'1'::BIT", "\"1\""},
	});
}

TEST_F(ValueEncoderTest, NestedTypes) {
	Check({
	    {"[1, 2, NULL]", "[1,2,null]"},
	    {"[[1], [], NULL, [NULL]]", "[[1],[],null,[null]]"},
	    {"CAST([1, 2, 3] AS INTEGER[3])", "[1,2,3]"},
	    {"CAST([[1, 2], [3, NULL]] AS INTEGER[2][2])", "[[1,2],[3,null]]"},
	    {"{'a': 1, 'b': 'x', 'c': NULL}", "{\"a\":1,\"b\":\"x\",\"c\":null}"},
	    {"{'outer': {'inner': [DATE '2024-01-01']}}", "{\"outer\":{\"inner\":[\"2024-01-01\"]}}"},
	    {"MAP {'k1': 1, 'k2': NULL}", "{\"k1\":1,\"k2\":null}"},
	    {"MAP {1: 'one', 2: 'two'}", "{\"1\":\"one\",\"2\":\"two\"}"},
	    {"union_value(num := 2)::UNION(num INTEGER, str VARCHAR)", "2"},
	    {"union_value(str := 'x')::UNION(num INTEGER, str VARCHAR)", "\"x\""},
	    {"[{'k': [1.5]}]", "[{\"k\":[1.5]}]"},
	});
}

TEST_F(ValueEncoderTest, NullsAtEveryLevel) {
	Check({
	    {"NULL", "null"},
	    {"CAST(NULL AS INTEGER)", "null"},
	    {"CAST(NULL AS INTEGER[])", "null"},
	    {"CAST(NULL AS STRUCT(a INTEGER))", "null"},
	    {"{'a': CAST(NULL AS STRUCT(b INTEGER))}", "{\"a\":null}"},
	    {"CAST(NULL AS MAP(VARCHAR, INTEGER))", "null"},
	    {"CAST(NULL AS UNION(a INTEGER))", "null"},
	    {"CAST(NULL AS INTEGER[2])", "null"},
	    {"[NULL::VARCHAR, 'x']", "[null,\"x\"]"},
	});
}

TEST_F(ValueEncoderTest, ValuesAcrossChunkBoundaries) {
	// 5000 rows span three chunks; nested children are laid out per chunk too.
	auto rows = QueryJsonRows(connection, "SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END, [i, i + 1], "
	                                      "{'x': i} FROM range(5000) t(i) ORDER BY i");
	std::string expected;
	for (int i = 0; i < 5000; i++) {
		auto n = std::to_string(i);
		expected.append(i ? "\n[" : "[").append(n).append(",");
		expected.append(i % 3 == 0 ? "null" : "\"v" + n + "\"");
		expected.append(",[").append(n).append(",").append(std::to_string(i + 1)).append("],{\"x\":");
		expected.append(n).append("}]");
	}
	EXPECT_EQ(rows, expected);
}

TEST_F(ValueEncoderTest, TimestampsAgreeWithDuckDBAcrossRanges) {
	// DuckDB is the oracle: its own formatting of the same instants must match ours, over 6000 values
	// from year 1 to 9999, before and after the epoch.
	auto result = connection.Query(
	    "SELECT ts, strftime(ts, '%Y-%m-%dT%H:%M:%S') || CASE WHEN microsecond(ts) % 1000000 = 0 THEN '' "
	    "ELSE '.' || lpad(CAST(microsecond(ts) % 1000000 AS VARCHAR), 6, '0') END, CAST(ts AS DATE), "
	    "strftime(CAST(ts AS DATE), '%Y-%m-%d') FROM (SELECT make_timestamp(CAST(i * 52592300000000 - "
	    "62135596800000000 + "
	    "(i * 7919) % 1000000 AS BIGINT)) AS ts FROM range(6000) t(i))");
	RowEncoder encoder(result.Columns());
	int checked = 0;
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			std::string ours, oracle, our_date, oracle_date;
			encoder.Columns()[0]->WriteText(ours, row);
			encoder.Columns()[1]->WriteText(oracle, row);
			encoder.Columns()[2]->WriteText(our_date, row);
			encoder.Columns()[3]->WriteText(oracle_date, row);
			ASSERT_EQ(ours, oracle);
			ASSERT_EQ(our_date, oracle_date);
			checked++;
		}
	}
	EXPECT_EQ(checked, 6000);
}

TEST_F(ValueEncoderTest, TextFormLeavesStringsUnquoted) {
	auto result = connection.Query("SELECT 'a\"b', CAST(9007199254740993 AS BIGINT), [1, 2], NULL::INTEGER");
	RowEncoder encoder(result.Columns());
	auto chunk = result.Fetch();
	encoder.Bind(chunk);
	std::string text;
	EXPECT_TRUE(encoder.Columns()[0]->WriteText(text, 0));
	EXPECT_EQ(text, "a\"b");
	text.clear();
	encoder.Columns()[1]->WriteText(text, 0);
	EXPECT_EQ(text, "9007199254740993");
	text.clear();
	encoder.Columns()[2]->WriteText(text, 0);
	EXPECT_EQ(text, "[1,2]");
	text.clear();
	EXPECT_FALSE(encoder.Columns()[3]->WriteText(text, 0));
}

} // namespace deltaduck
