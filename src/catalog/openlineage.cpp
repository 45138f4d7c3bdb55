#include "catalog/openlineage.hpp"

#include "common/data_layout.hpp"

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

namespace deltaduck::catalog {

namespace {

using json = nlohmann::json;

constexpr const char *PRODUCER = "https://github.com/deltaduck/deltaduck";
constexpr const char *RUN_EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
constexpr const char *FACETS = "https://openlineage.io/spec/facets/";
constexpr const char *DELTA_PREFIX = "=(^)";

json Facet(const std::string &schema) {
	return {{"_producer", PRODUCER},
	        {"_schemaURL", FACETS + schema + ".json#/$defs/" + schema.substr(schema.find('/') + 1)}};
}

//! A dataset's (namespace, name) per the OpenLineage naming spec: Delta tables are folders on the local
//! file system; DuckDB tables live in the worker that holds them; shared tables in PostgreSQL.
std::pair<std::string, std::string> DatasetName(const std::string &table, ParentKind kind, const std::string &location,
                                                const std::filesystem::path &data_dir) {
	switch (kind) {
	case ParentKind::DELTA:
		return {"file", (data_dir / DELTA_DIR / table.substr(std::string_view(DELTA_PREFIX).size())).string()};
	case ParentKind::POSTGRES:
		return {"postgres://deltaduck", table};
	default:
		return {"duckdb://" + location, table};
	}
}

//! A stable run id for a record's last change: a UUID shaped from hashes of what identifies it.
std::string RunId(const LineageRecord &record) {
	auto key = record.table + "\n" + record.location + "\n" + record.changed_at;
	uint64_t high = std::hash<std::string>{}(key);
	uint64_t low = std::hash<std::string>{}(key + "\n");
	high = (high & ~uint64_t(0xF000)) | 0x4000;                   // version 4 layout
	low = (low & ~(uint64_t(0xC) << 60)) | (uint64_t(0x8) << 60); // RFC 4122 variant
	char text[40];
	std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
	              static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
	              static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
	return text;
}

} // namespace

std::string OpenLineageEvent(const LineageRecord &record, const std::filesystem::path &data_dir) {
	auto kind_of = [&](const std::string &name) {
		for (const auto &parent : record.parents) {
			if (parent.name == name) {
				return parent.kind;
			}
		}
		return ParentKind::DUCKDB;
	};
	json inputs = json::array();
	for (const auto &parent : record.parents) {
		auto [ns, name] = DatasetName(parent.name, parent.kind, record.location, data_dir);
		json input = {{"namespace", ns}, {"name", name}, {"facets", json::object()}};
		if (parent.version) {
			auto version = Facet("1-0-1/DatasetVersionDatasetFacet");
			version["datasetVersion"] = std::to_string(*parent.version);
			input["facets"]["version"] = version;
		}
		inputs.push_back(input);
	}
	auto output_kind = record.location == "postgres" ? ParentKind::POSTGRES : ParentKind::DUCKDB;
	auto [out_ns, out_name] = DatasetName(record.table, output_kind, record.location, data_dir);
	auto schema = Facet("1-2-0/SchemaDatasetFacet");
	schema["fields"] = json::array();
	auto lineage = Facet("1-2-0/ColumnLineageDatasetFacet");
	lineage["fields"] = json::object();
	for (const auto &column : record.columns) {
		schema["fields"].push_back({{"name", column.column}, {"type", column.type}});
		json fields = json::array();
		for (const auto &[table, source] : column.sources) {
			auto [ns, name] = DatasetName(table, kind_of(table), record.location, data_dir);
			fields.push_back({{"namespace", ns},
			                  {"name", name},
			                  {"field", source},
			                  {"transformations",
			                   {{{"type", "DIRECT"},
			                     {"subtype", column.transformation == "identity" ? "IDENTITY" : "TRANSFORMATION"},
			                     {"description", ""},
			                     {"masking", false}}}}});
		}
		if (!fields.empty()) {
			lineage["fields"][column.column] = {{"inputFields", fields}};
		}
	}
	auto sql = Facet("1-1-0/SQLJobFacet");
	sql["query"] = record.query;
	sql["dialect"] = "duckdb";
	json event = {
	    {"eventType", "COMPLETE"},
	    {"eventTime", record.changed_at},
	    {"run", {{"runId", RunId(record)}}},
	    {"job",
	     {{"namespace", "deltaduck"}, {"name", record.location + "." + record.table}, {"facets", {{"sql", sql}}}}},
	    {"inputs", inputs},
	    {"outputs",
	     {{{"namespace", out_ns}, {"name", out_name}, {"facets", {{"schema", schema}, {"columnLineage", lineage}}}}}},
	    {"producer", PRODUCER},
	    {"schemaURL", RUN_EVENT_SCHEMA}};
	return event.dump();
}

} // namespace deltaduck::catalog
