#include "catalog/lineage_json.hpp"

namespace deltaduck::catalog {

using json = nlohmann::json;

const char *ParentKindName(ParentKind kind) {
	switch (kind) {
	case ParentKind::DELTA:
		return "delta";
	case ParentKind::POSTGRES:
		return "postgres";
	default:
		return "duckdb";
	}
}

namespace {

ParentKind ParseParentKind(const std::string &name) {
	return name == "delta" ? ParentKind::DELTA : name == "postgres" ? ParentKind::POSTGRES : ParentKind::DUCKDB;
}

} // namespace

json ParentsToJson(const std::vector<Parent> &parents) {
	json out = json::array();
	for (const auto &parent : parents) {
		out.push_back({{"name", parent.name},
		               {"kind", ParentKindName(parent.kind)},
		               {"version", parent.version ? json(*parent.version) : json()}});
	}
	return out;
}

std::vector<Parent> ParentsFromJson(const json &in) {
	std::vector<Parent> parents;
	for (const auto &parent : in) {
		Parent entry{parent.value("name", ""), ParseParentKind(parent.value("kind", "")), std::nullopt};
		if (parent.contains("version") && parent["version"].is_number_integer()) {
			entry.version = parent["version"].get<int64_t>();
		}
		parents.push_back(std::move(entry));
	}
	return parents;
}

json ColumnsToJson(const std::vector<ColumnLineage> &columns) {
	json out = json::array();
	for (const auto &column : columns) {
		json sources = json::array();
		for (const auto &[table, name] : column.sources) {
			sources.push_back({{"table", table}, {"column", name}});
		}
		out.push_back({{"column", column.column},
		               {"type", column.type},
		               {"transformation", column.transformation},
		               {"sources", sources}});
	}
	return out;
}

std::vector<ColumnLineage> ColumnsFromJson(const json &in) {
	std::vector<ColumnLineage> columns;
	for (const auto &column : in) {
		ColumnLineage entry{
		    column.value("column", ""), column.value("type", ""), {}, column.value("transformation", "")};
		for (const auto &source : column["sources"]) {
			entry.sources.emplace_back(source.value("table", ""), source.value("column", ""));
		}
		columns.push_back(std::move(entry));
	}
	return columns;
}

json RecordToJson(const LineageRecord &record) {
	return {{"table", record.table},
	        {"kind", record.kind},
	        {"query", record.query},
	        {"location", record.location},
	        {"changed_at", record.changed_at},
	        {"gone", record.gone},
	        {"parents", ParentsToJson(record.parents)},
	        {"columns", ColumnsToJson(record.columns)}};
}

} // namespace deltaduck::catalog
