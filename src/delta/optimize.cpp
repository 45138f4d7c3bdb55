#include "delta/optimize.hpp"

#include "delta/table_features.hpp"

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/data_files.hpp"
#include "delta/scan.hpp"
#include "delta/transaction.hpp"
#include "delta/typed_errors.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int MAX_COMMIT_ATTEMPTS = 100;

struct Compaction {
	std::vector<const Add *> inputs;
	std::vector<WrittenFile> outputs;
};

} // namespace

OptimizeResult Optimize(Connection &connection, const fs::path &table_root, uint64_t target_size) {
	return WithTypedErrors(table_root, [&]() -> OptimizeResult {
		if (target_size < (1 << 20)) {
			throw InvalidInputError("target size " + std::to_string(target_size) + " is below 1 MiB");
		}
		auto snapshot = Snapshot::Load(connection, table_root);
		// Compaction changes no data (dataChange false), so even append-only tables allow it.
		CheckWriteSupported(snapshot->GetProtocol(), snapshot->GetMetadata(), false);
		const auto &schema = snapshot->GetSchema();
		const auto &partitions = snapshot->GetMetadata().partition_columns;
		std::map<PartitionValues, std::vector<const Add *>> groups;
		for (const auto &add : snapshot->Files()) {
			if (!add.deletion_vector && static_cast<uint64_t>(add.size) < target_size) {
				groups[add.partition_values].push_back(&add);
			}
		}
		// The files hold only the non-partition columns; partition values stay in the log. Under column mapping they
		// are named by their physical names and carry their field ids.
		bool mapping = snapshot->UsesColumnMapping();
		auto physical = mapping ? PhysicalSchema(schema, table_root.filename().string()) : schema;
		Schema file_schema;
		std::string columns;
		std::map<std::string, int64_t> field_ids;
		for (size_t i = 0; i < schema.fields.size(); i++) {
			const auto &field = schema.fields[i];
			if (!std::count(partitions.begin(), partitions.end(), field.name)) {
				file_schema.fields.push_back(physical.fields[i]);
				columns += (columns.empty() ? "" : ", ") + QuoteIdentifier(field.name) + " AS " +
				           QuoteIdentifier(physical.fields[i].name);
				if (mapping && field.field_id) {
					field_ids[physical.fields[i].name] = *field.field_id;
				}
			}
		}
		std::vector<Compaction> compactions;
		OptimizeResult result;
		for (auto &[values, inputs] : groups) {
			if (inputs.size() < 2) {
				continue;
			}
			auto scan = Scan::PlanFiles(connection, snapshot, inputs);
			DataFileOptions options;
			options.target_file_size = target_size;
			options.field_ids = field_ids;
			options.directory = fs::path(inputs.front()->path).parent_path().string();
			Compaction compaction{inputs, WriteDataFiles(connection, table_root,
			                                             "SELECT " + columns + " FROM (" + scan.Sql() + ")",
			                                             file_schema, {}, options)};
			for (auto &file : compaction.outputs) {
				file.partition_values = values;
				result.bytes_added += static_cast<uint64_t>(file.size);
			}
			for (const auto *input : inputs) {
				result.bytes_removed += static_cast<uint64_t>(input->size);
			}
			result.files_removed += inputs.size();
			result.files_added += compaction.outputs.size();
			compactions.push_back(std::move(compaction));
		}
		if (compactions.empty()) {
			return result;
		}
		Transaction transaction(connection, table_root, "OPTIMIZE", MAX_COMMIT_ATTEMPTS);
		auto plan = [&](const std::shared_ptr<const Snapshot> &read, int64_t now,
		                int attempt) -> std::optional<CommitPlan> {
			if (attempt > 0) {
				if (!read) {
					throw ConflictError("optimize of " + table_root.filename().string() +
					                    ": the table was removed while it ran");
				}
				// Retry only if every compacted file is still live: appends by others do not conflict.
				std::set<std::string> live;
				for (const auto &add : read->Files()) {
					live.insert(FileKey(add.path, add.deletion_vector));
				}
				for (const auto &compaction : compactions) {
					for (const auto *input : compaction.inputs) {
						if (!live.count(FileKey(input->path, input->deletion_vector))) {
							throw ConflictError("optimize of " + table_root.filename().string() +
							                    " conflicts with a concurrent change to " + input->path);
						}
					}
				}
			}
			CommitPlan commit;
			commit.info = {{"operationParameters", {{"targetSize", std::to_string(target_size)}}},
			               {"isBlindAppend", false},
			               {"operationMetrics",
			                {{"numRemovedFiles", std::to_string(result.files_removed)},
			                 {"numAddedFiles", std::to_string(result.files_added)}}}};
			for (const auto &compaction : compactions) {
				for (const auto *input : compaction.inputs) {
					commit.actions.push_back(RemoveToJson(RemoveOf(*input, now, false)));
				}
				for (const auto &output : compaction.outputs) {
					commit.actions.push_back(AddToJson(output.ToAdd(now, false)));
				}
			}
			return commit;
		};
		result.version = transaction.Commit(snapshot, plan).version;
		return result;
	});
}

} // namespace deltaduck::delta
