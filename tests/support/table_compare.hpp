#pragma once

#include "delta/scan.hpp"
#include "engine/connection.hpp"

#include <string>

namespace deltaduck {

//! Compares two row sets as bags (row order ignored) with DuckDB as the judge; `expected_sql` is read with
//! its columns cast to the snapshot schema's types. Returns "<u> unexpected, <m> missing of <n>"; equal sets
//! give "0 unexpected, 0 missing of <n>".
std::string CompareRows(Connection &connection, const delta::Snapshot &snapshot, const std::string &ours_sql,
                        const std::string &expected_sql);

//! `expected_sql` for a folder or glob of parquet files.
std::string ReadParquetSql(const std::string &glob);

//! Whether a CompareRows answer says the sets are equal.
bool SameRows(const std::string &comparison);

} // namespace deltaduck
