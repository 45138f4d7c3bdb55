#include "common/error.hpp"
#include "delta/predicate.hpp"
#include "delta/schema.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;

namespace {

const char *OpName(Comparison::Op op) {
	switch (op) {
	case Comparison::Op::EQ:
		return "EQ";
	case Comparison::Op::NE:
		return "NE";
	case Comparison::Op::LT:
		return "LT";
	case Comparison::Op::LE:
		return "LE";
	case Comparison::Op::GT:
		return "GT";
	case Comparison::Op::GE:
		return "GE";
	case Comparison::Op::BETWEEN:
		return "BETWEEN";
	case Comparison::Op::IN:
		return "IN";
	case Comparison::Op::IS_NULL:
		return "IS_NULL";
	case Comparison::Op::IS_NOT_NULL:
		return "IS_NOT_NULL";
	}
	return "?";
}

//! The parsed predicate as `column OP [value|value] AND ...`.
std::string Describe(const std::string &text) {
	auto predicate = Predicate::Parse(text);
	std::string out;
	for (const auto &comparison : predicate.conjuncts) {
		out += (out.empty() ? "" : " AND ") + comparison.column + " " + OpName(comparison.op) + " [";
		for (size_t i = 0; i < comparison.values.size(); i++) {
			out += (i ? "|" : "") + comparison.values[i];
		}
		out += "]";
	}
	return out;
}

//! The message of the InvalidInputError parsing `text` throws; empty (and a failure) if it parses.
std::string ParseError(const std::string &text) {
	try {
		Predicate::Parse(text);
	} catch (const InvalidInputError &e) {
		return e.what();
	}
	ADD_FAILURE() << "expected InvalidInputError for: " << text;
	return "";
}

Schema TestSchema() {
	return Schema::Parse(SchemaString({{"id", "long"},
	                                   {"name", "string"},
	                                   {"day", "date"},
	                                   {"my \"col\"", "double"},
	                                   {"flag", "boolean"},
	                                   {"price", "decimal(10,2)"},
	                                   {"ts", "timestamp"}}));
}

} // namespace

TEST(Predicate, ParsesComparisonOperators) {
	EXPECT_EQ(Describe("a = 1"), "a EQ [1]");
	EXPECT_EQ(Describe("a == 1"), "a EQ [1]");
	EXPECT_EQ(Describe("a != 1"), "a NE [1]");
	EXPECT_EQ(Describe("a <> 1"), "a NE [1]");
	EXPECT_EQ(Describe("a < 1"), "a LT [1]");
	EXPECT_EQ(Describe("a <= 1"), "a LE [1]");
	EXPECT_EQ(Describe("a > 1"), "a GT [1]");
	EXPECT_EQ(Describe("a >= 1"), "a GE [1]");
	// Spacing does not matter.
	EXPECT_EQ(Describe("a>=1"), "a GE [1]");
	EXPECT_EQ(Describe("  a\t<>\n1  "), "a NE [1]");
	EXPECT_EQ(Describe("_col_2 < 3"), "_col_2 LT [3]");
}

TEST(Predicate, ParsesBetweenInAndNullTests) {
	EXPECT_EQ(Describe("a BETWEEN 1 AND 5"), "a BETWEEN [1|5]");
	EXPECT_EQ(Describe("a between 'x' and 'y'"), "a BETWEEN [x|y]");
	EXPECT_EQ(Describe("a IN (1, 2, 3)"), "a IN [1|2|3]");
	EXPECT_EQ(Describe("a in ('Oslo')"), "a IN [Oslo]");
	EXPECT_EQ(Describe("a IS NULL"), "a IS_NULL []");
	EXPECT_EQ(Describe("a is not null"), "a IS_NOT_NULL []");
}

TEST(Predicate, ParsesQuotedNamesAndLiterals) {
	EXPECT_EQ(Describe("\"my col\" = 1"), "my col EQ [1]");
	EXPECT_EQ(Describe("\"a\"\"b\" = 1"), "a\"b EQ [1]");
	EXPECT_EQ(Describe("\"AND\" = 1"), "AND EQ [1]"); // a quoted keyword is a name
	EXPECT_EQ(Describe("Name = 'it''s'"), "Name EQ [it's]");
	EXPECT_EQ(Describe("s = ''"), "s EQ []");
	EXPECT_EQ(Describe("s = 'a \"b\" AND c'"), "s EQ [a \"b\" AND c]");
	EXPECT_EQ(Describe("d = DATE '2024-01-31'"), "d EQ [2024-01-31]");
	EXPECT_EQ(Describe("t >= TIMESTAMP '2024-01-31 10:00:00'"), "t GE [2024-01-31 10:00:00]");
	EXPECT_EQ(Describe("b = TRUE"), "b EQ [TRUE]");
	EXPECT_EQ(Describe("b = false"), "b EQ [FALSE]");
}

TEST(Predicate, ParsesNumbers) {
	EXPECT_EQ(Describe("x = -5"), "x EQ [-5]");
	EXPECT_EQ(Describe("x > -1.5"), "x GT [-1.5]");
	EXPECT_EQ(Describe("x < 3.25"), "x LT [3.25]");
	EXPECT_EQ(Describe("x < .5"), "x LT [.5]");
	EXPECT_EQ(Describe("x < 1e3"), "x LT [1e3]");
	EXPECT_EQ(Describe("x < 2.5E-3"), "x LT [2.5E-3]");
	EXPECT_EQ(Describe("x>-5"), "x GT [-5]");
	EXPECT_EQ(Describe("x BETWEEN -10 AND -1"), "x BETWEEN [-10|-1]");
	EXPECT_EQ(Describe("x IN (-1, 0.5, 2)"), "x IN [-1|0.5|2]");
}

TEST(Predicate, ParsesNegativeNumbersWithoutALeadingZero) {
	// `.5` is a number, and so is its negation.
	EXPECT_EQ(Describe("x > .5"), "x GT [.5]");
	EXPECT_EQ(Describe("x > -.5"), "x GT [-.5]");
}

TEST(Predicate, ParsesAndChains) {
	EXPECT_EQ(Describe("year = 2024 AND city IN ('Oslo', 'Lima') AND temp IS NOT NULL"),
	          "year EQ [2024] AND city IN [Oslo|Lima] AND temp IS_NOT_NULL []");
	// The AND of a BETWEEN is not a conjunction.
	EXPECT_EQ(Describe("x BETWEEN 1 AND 2 AND y = 3 and z < 4"), "x BETWEEN [1|2] AND y EQ [3] AND z LT [4]");
	EXPECT_EQ(Predicate::Parse("a = 1 AND b = 2 AND c = 3 AND d = 4").conjuncts.size(), 4u);
}

TEST(Predicate, RejectsWhatItDoesNotSupport) {
	EXPECT_NE(ParseError("a = 1 OR b = 2").find("OR"), std::string::npos);
	EXPECT_NE(ParseError("a = 'x").find("unterminated"), std::string::npos);
	EXPECT_NE(ParseError("\"a = 1").find("unterminated"), std::string::npos);
	EXPECT_NE(ParseError("a 1").find("operator"), std::string::npos);
	EXPECT_NE(ParseError("a = NULL").find("IS NULL"), std::string::npos);
	EXPECT_NE(ParseError("a != null").find("IS NULL"), std::string::npos);
	std::vector<std::string> invalid = {"",
	                                    "   ",
	                                    "a",
	                                    "a =",
	                                    "a = 1 AND",
	                                    "AND a = 1",
	                                    "a = 1 b = 2",
	                                    "1 = a",
	                                    "a = b",
	                                    "a IN ()",
	                                    "a IN (1, 2",
	                                    "a IN 1, 2",
	                                    "a BETWEEN 1 5",
	                                    "a BETWEEN 1 OR 5",
	                                    "a IS 5",
	                                    "a IS NOT 5",
	                                    "NOT a = 1",
	                                    "a ! 1",
	                                    "a = 1;",
	                                    "a = 1; DROP TABLE t",
	                                    "a = 1 -- comment",
	                                    "a LIKE 'x%'",
	                                    "(a = 1)",
	                                    "a = DATE",
	                                    "a = 1-2",
	                                    "a = 'x' 'y'"};
	for (const auto &text : invalid) {
		ParseError(text);
	}
}

TEST(Predicate, ErrorsSayWhatIsSupported) {
	auto message = ParseError("a = 1 OR b = 2");
	EXPECT_NE(message.find("Supported:"), std::string::npos) << message;
	EXPECT_NE(message.find("BETWEEN"), std::string::npos) << message;
}

TEST(Predicate, ToSqlQuotesNamesAndCastsLiteralsToTheColumnType) {
	auto schema = TestSchema();
	auto sql = [&](const std::string &text) { return Predicate::Parse(text).ToSql(schema); };
	EXPECT_EQ(sql("id = 5"), "\"id\" = CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id != 5"), "\"id\" <> CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id <> 5"), "\"id\" <> CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id < 5"), "\"id\" < CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id <= 5"), "\"id\" <= CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id > 5"), "\"id\" > CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("id >= 5"), "\"id\" >= CAST('5' AS BIGINT)");
	EXPECT_EQ(sql("name = 'it''s'"), "\"name\" = CAST('it''s' AS VARCHAR)");
	EXPECT_EQ(sql("day BETWEEN DATE '2024-01-01' AND '2024-12-31'"),
	          "\"day\" BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)");
	EXPECT_EQ(sql("id IN (1, 2)"), "\"id\" IN (CAST('1' AS BIGINT), CAST('2' AS BIGINT))");
	EXPECT_EQ(sql("name IS NULL"), "\"name\" IS NULL");
	EXPECT_EQ(sql("name IS NOT NULL"), "\"name\" IS NOT NULL");
	EXPECT_EQ(sql("\"my \"\"col\"\"\" > -1.5"), "\"my \"\"col\"\"\" > CAST('-1.5' AS DOUBLE)");
	EXPECT_EQ(sql("price = 9.99"), "\"price\" = CAST('9.99' AS DECIMAL(10,2))");
	EXPECT_EQ(sql("flag = TRUE"), "\"flag\" = CAST('TRUE' AS BOOLEAN)");
	EXPECT_EQ(sql("ts >= TIMESTAMP '2024-01-01 00:00:00'"),
	          "\"ts\" >= CAST('2024-01-01 00:00:00' AS TIMESTAMP WITH TIME ZONE)");
	EXPECT_EQ(sql("id > 1 AND name = 'x'"), "\"id\" > CAST('1' AS BIGINT) AND \"name\" = CAST('x' AS VARCHAR)");
	EXPECT_EQ(Predicate::Parse("id = 1").ToSql(schema, "t."), "t.\"id\" = CAST('1' AS BIGINT)");
}

TEST(Predicate, ToSqlRejectsUnknownColumns) {
	auto schema = TestSchema();
	try {
		Predicate::Parse("id = 1 AND nope = 2").ToSql(schema);
		FAIL() << "expected InvalidInputError";
	} catch (const InvalidInputError &e) {
		EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
	}
	EXPECT_THROW(Predicate::Parse("\"my col\" = 1").ToSql(schema), InvalidInputError);
}

TEST(Predicate, ToSqlRunsInDuckDBWithTheRightMeaning) {
	auto schema = TestSchema();
	auto connection = OpenTestConnection();
	std::string columns;
	for (const auto &field : schema.fields) {
		columns += (columns.empty() ? "" : ", ") + std::string("\"") +
		           (field.name == "my \"col\"" ? std::string("my \"\"col\"\"") : field.name) + "\" " +
		           field.type->ToDuckDB();
	}
	connection.Execute("SET TimeZone = 'UTC'; CREATE TABLE t (" + columns +
	                   "); INSERT INTO t VALUES "
	                   "(1, 'it''s', DATE '2024-03-01', -2.5, true, 9.99, TIMESTAMPTZ '2024-01-01 12:00:00+00'), "
	                   "(2, 'x'' OR 1=1 --', DATE '2023-03-01', 0.5, false, 1.00, NULL), "
	                   "(3, NULL, NULL, NULL, NULL, NULL, TIMESTAMPTZ '2023-06-01 00:00:00+00')");
	auto count = [&](const std::string &text) {
		return QueryJsonRows(connection,
		                     "SELECT list(id ORDER BY id) FROM t WHERE " + Predicate::Parse(text).ToSql(schema));
	};
	EXPECT_EQ(count("name = 'it''s'"), "[[1]]");
	// A literal never escapes its quotes.
	EXPECT_EQ(count("name = 'x'' OR 1=1 --'"), "[[2]]");
	EXPECT_EQ(count("id > 1"), "[[2,3]]");
	EXPECT_EQ(count("id != 2"), "[[1,3]]");
	EXPECT_EQ(count("day BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'"), "[[1]]");
	EXPECT_EQ(count("\"my \"\"col\"\"\" < -1"), "[[1]]");
	EXPECT_EQ(count("price = 9.99"), "[[1]]");
	EXPECT_EQ(count("flag = false"), "[[2]]");
	EXPECT_EQ(count("ts < TIMESTAMP '2023-12-31 00:00:00'"), "[[3]]");
	EXPECT_EQ(count("name IS NULL"), "[[3]]");
	EXPECT_EQ(count("name IS NOT NULL AND id IN (2, 3)"), "[[2]]");
	EXPECT_EQ(count("id IN (1, 3) AND day IS NULL"), "[[3]]");
}

} // namespace deltaduck
