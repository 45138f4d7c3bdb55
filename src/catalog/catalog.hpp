#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck::catalog {

//! Where a parent table lives.
enum class ParentKind { DELTA, DUCKDB, POSTGRES };

//! The wire name of a parent kind: "delta", "duckdb", "postgres".
const char *ParentKindName(ParentKind kind);

//! A table a derived table was made from.
struct Parent {
	//! `=(^)name` for Delta tables, the name as written (qualified, unquoted) otherwise.
	std::string name;
	ParentKind kind = ParentKind::DUCKDB;
	//! The Delta version read.
	std::optional<int64_t> version;
};

//! Where one output column comes from.
struct ColumnLineage {
	std::string column;
	//! DuckDB's type of the column.
	std::string type;
	//! (parent name, column) pairs.
	std::vector<std::pair<std::string, std::string>> sources;
	//! "identity" for a plain projection or rename, "derived" otherwise.
	std::string transformation;
};

//! A derived table: made by CREATE TABLE / VIEW ... AS or filled by INSERT ... SELECT.
struct LineageRecord {
	std::string table;
	//! "table" or "view".
	std::string kind = "table";
	//! The statement that made it, as the user wrote it.
	std::string query;
	//! The worker id holding it, or "postgres" for a shared table.
	std::string location;
	std::vector<Parent> parents;
	std::vector<ColumnLineage> columns;
	//! ISO-8601 UTC time of the last change.
	std::string changed_at;
	//! Whether the table vanished from its location (a worker restarted, a file was removed).
	bool gone = false;
};

//! The registry of derived tables and their lineage. Implementations: an embedded DuckDB file in the data
//! directory, PostgreSQL in distributed mode.
class Catalog {
public:
	virtual ~Catalog() = default;
	//! Stores a table's record, replacing any earlier one for the same table and location (re-runs and
	//! CREATE OR REPLACE do not duplicate).
	virtual void Record(const LineageRecord &record) = 0;
	//! Forgets a table dropped at a location.
	virtual void Drop(const std::string &table, const std::string &location) = 0;
	//! Marks a table as gone from its location.
	virtual void MarkGone(const std::string &table, const std::string &location) = 0;
	//! Every record, ordered by table then location.
	virtual std::vector<LineageRecord> List() = 0;
};

} // namespace deltaduck::catalog
