#pragma once

#include "catalog/catalog.hpp"

#include <filesystem>
#include <string>

namespace deltaduck::catalog {

//! One OpenLineage RunEvent (spec 2-0-2, COMPLETE) for a derived table, as one line of JSON: the job's SQL
//! facet, one input per parent (Delta tables in namespace `file` named by their absolute path, with the
//! version read), and the output with its schema and column lineage.
std::string OpenLineageEvent(const LineageRecord &record, const std::filesystem::path &data_dir);

} // namespace deltaduck::catalog
