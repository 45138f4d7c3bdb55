#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::delta {

struct Schema;

//! One comparison of a top-level column with literals: the filters data skipping understands.
struct Comparison {
	enum class Op { EQ, NE, LT, LE, GT, GE, BETWEEN, IN, IS_NULL, IS_NOT_NULL };
	std::string column;
	Op op = Op::EQ;
	//! Literal texts (numbers as written, strings unquoted), cast to the column's type when used.
	std::vector<std::string> values;

	//! values[index] as a SQL literal of the given DuckDB type: CAST('…' AS type), never pasted raw.
	std::string Literal(size_t index, const std::string &duckdb_type) const;
	//! The SQL spelling of a binary comparison (EQ to GE); empty for the others.
	static const char *SqlOperator(Op op);
};

//! A conjunction of comparisons, e.g. `year = 2024 AND city IN ('Oslo', 'Lima') AND temp IS NOT NULL`.
struct Predicate {
	std::vector<Comparison> conjuncts;

	//! Parses the `--where` language: comparisons (=, !=, <>, <, <=, >, >=), BETWEEN, IN (...), IS [NOT]
	//! NULL on column names (bare or "quoted") against literals (numbers, 'strings', TRUE/FALSE, DATE '...',
	//! TIMESTAMP '...'), joined by AND. Anything else is an InvalidInputError saying what is supported.
	static Predicate Parse(std::string_view text);
	//! The predicate as SQL over the table's columns, literals cast to the column types (never pasted raw).
	//! Throws InvalidInputError for a column the schema lacks.
	std::string ToSql(const Schema &schema, const std::string &column_prefix = "") const;
};

} // namespace deltaduck::delta
