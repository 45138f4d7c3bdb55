#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::sql {

//! A statement that makes or fills a table from a query.
struct LineageTarget {
	//! The table, qualified and unquoted as written (`postgres.x`).
	std::string table;
	//! The table name's parts (`{"postgres", "x"}`), for quoting it again.
	std::vector<std::string> parts;
	//! "table" or "view".
	std::string kind = "table";
	//! Whether the statement only adds rows (INSERT): earlier lineage of the table stays.
	bool is_insert = false;
	//! `CREATE ... IF NOT EXISTS`: when the table exists, the statement changes nothing.
	bool if_not_exists = false;
	//! The query part of the statement (from its SELECT / WITH / FROM / `(`).
	std::string query;
};

//! Finds the target and query of `CREATE [OR REPLACE] [TEMP] TABLE|VIEW [IF NOT EXISTS] x AS <query>` and
//! `INSERT [OR REPLACE|IGNORE] INTO x [BY NAME] [(cols)] <query>`; nothing for other statements (plain
//! queries, CREATE TABLE with columns, INSERT ... VALUES).
std::optional<LineageTarget> FindLineageTarget(std::string_view statement);

//! The table or view a `DROP TABLE|VIEW [IF EXISTS] x` removes (qualified, unquoted), if it is one.
std::optional<LineageTarget> FindDropTarget(std::string_view statement);

//! A table a query reads, from DuckDB's own parse tree.
struct TableRead {
	//! Qualified and unquoted as written; Delta tables as `=(^)name`.
	std::string name;
	//! The schema part when qualified (e.g. "postgres").
	std::string schema;
	//! The alias the query gives it (empty if none).
	std::string alias;
};

//! The parse tree of one query, from DuckDB's `json_serialize_sql`.
class QueryTree {
public:
	//! Parses `query`, in which `=(^)` references may appear (they are read as the tables `=(^)name`).
	//! Throws InvalidInputError with DuckDB's message when it does not parse.
	static QueryTree Parse(Connection &connection, std::string_view query);

	//! Every table the query reads: CTE names, aliases, table functions, files, columns and literals are
	//! never tables; joins of every kind, set operations, subqueries anywhere and PIVOT sources are walked.
	//! Sorted by name, unique.
	std::vector<std::string> Parents() const;

	//! For each output column of the top-level SELECT (by position): its sources as (table, column) and
	//! whether it is a plain projection or rename ("identity") or computed ("derived"). `output_names` are
	//! the columns of the result, in order. Columns of a `SELECT *` over one table map to it by name.
	struct Column {
		std::string name;
		std::vector<std::pair<std::string, std::string>> sources;
		std::string transformation;
	};
	std::vector<Column> ColumnLineage(const std::vector<std::string> &output_names) const;

	~QueryTree();
	QueryTree(QueryTree &&) noexcept;
	QueryTree &operator=(QueryTree &&) noexcept;

private:
	struct Impl;
	explicit QueryTree(std::unique_ptr<Impl> impl);
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::sql
