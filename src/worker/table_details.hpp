#pragma once

#include "catalog/catalog.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace deltaduck {
class Connection;
}

namespace deltaduck::worker {

//! One Delta table as `GET /api/tables/{name}` shows it: {"name", "version", "schema": [{"name", "type",
//! "nullable"}], "partition_columns", "protocol", "files", "bytes", "history": [{"version", "timestamp",
//! "operation", "parameters", "metrics"}] (newest first, at most `history_limit`), "lineage": records that
//! name the table as a parent or were made as it}.
nlohmann::json TableDetails(Connection &connection, const std::filesystem::path &data_dir, const std::string &name,
                            catalog::Catalog &catalog, size_t history_limit = 100);

} // namespace deltaduck::worker
