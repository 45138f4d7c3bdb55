#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::sql {

//! A Delta table an expanded query reads, and the version it reads.
struct DeltaRead {
	std::string name;
	int64_t version = -1;
};

//! Replaces every `=(^)name[@version|@'timestamp']` in `sql` with a scan of the Delta table
//! `<data_dir>/deltalake/name` at that version (a derived table, aliased `name` unless the SQL gives an
//! alias), so a DuckDB table of the same name never shadows it. An unknown table is the NotFoundError
//! `Delta table not found: name`.
//! `reads`, when given, receives each table read with its version (for lineage and permalinks).
std::string ExpandDeltaTables(Connection &connection, const std::filesystem::path &data_dir, std::string_view sql,
                              std::vector<DeltaRead> *reads = nullptr);

//! The `=(^)quack` responsiveness test: `rows` rows of random integers 0-99 in columns "Data One",
//! "Data Two", "Data Three".
std::string QuackSql(int64_t rows);

//! Milliseconds since the epoch of an ISO-8601 time, parsed by DuckDB; InvalidInputError if it is not one.
int64_t ParseTimestampMs(Connection &connection, const std::string &text);

} // namespace deltaduck::sql
