#pragma once

#include "catalog/catalog.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::catalog {

//! Parents as JSON: [{"name", "kind", "version"}] (version null unless a Delta version was read).
nlohmann::json ParentsToJson(const std::vector<Parent> &parents);
std::vector<Parent> ParentsFromJson(const nlohmann::json &json);

//! Column lineage as JSON: [{"column", "type", "transformation", "sources": [{"table", "column"}]}].
nlohmann::json ColumnsToJson(const std::vector<ColumnLineage> &columns);
std::vector<ColumnLineage> ColumnsFromJson(const nlohmann::json &json);

//! A whole record as replies and `deltaduck lineage list` show it: table, kind, query, location,
//! changed_at, gone, parents, columns.
nlohmann::json RecordToJson(const LineageRecord &record);

} // namespace deltaduck::catalog
