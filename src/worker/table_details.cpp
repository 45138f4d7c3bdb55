#include "worker/table_details.hpp"

#include "catalog/lineage_json.hpp"
#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "common/names.hpp"
#include "delta/history.hpp"
#include "delta/log_segment.hpp"
#include "delta/snapshot.hpp"

namespace deltaduck::worker {

using json = nlohmann::json;

namespace {

json History(const std::filesystem::path &root, size_t limit) {
	json history = json::array();
	for (const auto &entry : delta::History(root, limit)) {
		history.push_back({{"version", entry.version},
		                   {"timestamp", entry.timestamp_ms},
		                   {"operation", entry.operation},
		                   {"parameters", entry.parameters},
		                   {"metrics", entry.metrics}});
	}
	return history;
}

} // namespace

json TableDetails(Connection &connection, const std::filesystem::path &data_dir, const std::string &name,
                  catalog::Catalog &catalog, size_t history_limit) {
	CheckName("table name", name);
	auto root = data_dir / DELTA_DIR / name;
	auto snapshot = delta::Snapshot::LoadCached(connection, root);
	const auto &metadata = snapshot->GetMetadata();
	const auto &protocol = snapshot->GetProtocol();
	json schema = json::array();
	auto fields = json::parse(metadata.schema_string, nullptr, false);
	for (const auto &field : fields.value("fields", json::array())) {
		const auto &type = field["type"];
		schema.push_back({{"name", field.value("name", "")},
		                  {"type", type.is_string() ? type : json(type.value("type", "struct"))},
		                  {"nullable", field.value("nullable", true)}});
	}
	uint64_t bytes = 0;
	for (const auto &add : snapshot->Files()) {
		bytes += add.size;
	}
	json lineage = json::array();
	for (const auto &record : catalog.List()) {
		bool related = record.table == name;
		for (const auto &parent : record.parents) {
			related = related || parent.name == "=(^)" + name || parent.name == name;
		}
		if (related) {
			lineage.push_back(catalog::RecordToJson(record));
		}
	}
	return {{"name", name},
	        {"version", snapshot->Version()},
	        {"schema", schema},
	        {"partition_columns", metadata.partition_columns},
	        {"protocol",
	         {{"min_reader_version", protocol.min_reader_version},
	          {"min_writer_version", protocol.min_writer_version},
	          {"reader_features", protocol.reader_features.value_or(std::vector<std::string>{})},
	          {"writer_features", protocol.writer_features.value_or(std::vector<std::string>{})}}},
	        {"files", snapshot->Files().size()},
	        {"bytes", bytes},
	        {"history", History(root, history_limit)},
	        {"lineage", lineage}};
}

} // namespace deltaduck::worker
