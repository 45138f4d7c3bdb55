#include "delta/transaction.hpp"

#include "common/clock.hpp"
#include "common/error.hpp"
#include "delta/actions.hpp"
#include "delta/checkpoint_writer.hpp"
#include "delta/commit.hpp"
#include "delta/data_files.hpp"
#include "delta/log_path.hpp"
#include "delta/snapshot.hpp"

namespace deltaduck::delta {

namespace fs = std::filesystem;

namespace {

constexpr const char *ENGINE_INFO = "DeltaDuck/0.1 DuckDB/1.4.4";

} // namespace

std::shared_ptr<const Snapshot> LoadLatestIfExists(Connection &connection, const fs::path &table_root) {
	std::error_code error;
	if (!fs::is_directory(table_root / "_delta_log", error)) {
		return nullptr;
	}
	for (const auto &entry : fs::directory_iterator(table_root / "_delta_log", error)) {
		if (ParsedLogPath::Parse(entry.path().filename().string())) {
			return Snapshot::Load(connection, table_root);
		}
	}
	return nullptr;
}

CommitResult Transaction::Commit(std::shared_ptr<const Snapshot> read, const PlanCommit &plan) {
	CommitResult result;
	for (int attempt = 0; attempt < max_attempts_; attempt++) {
		if (attempt > 0) {
			read = LoadLatestIfExists(connection_, table_root_);
		}
		auto now = NowMs();
		auto planned = plan(read, now, attempt);
		if (!planned) {
			return result;
		}
		auto info = planned->info;
		info["timestamp"] = now;
		info["operation"] = operation_;
		if (read) {
			info["readVersion"] = read->Version();
		}
		info["engineInfo"] = ENGINE_INFO;
		std::string content = nlohmann::json{{field::COMMIT_INFO, info}}.dump() + "\n";
		for (const auto &action : planned->actions) {
			content += action.dump() + "\n";
		}
		auto version = read ? read->Version() + 1 : 0;
		if (TryCommit(table_root_ / "_delta_log", version, content) == CommitAttempt::COMMITTED) {
			result.version = version;
			CheckpointIfDue(connection_, table_root_, version);
			return result;
		}
		result.retries++;
	}
	throw ConflictError("could not commit to Delta table " + table_root_.filename().string() + " after " +
	                    std::to_string(max_attempts_) + " attempts: too many concurrent writers");
}

} // namespace deltaduck::delta
