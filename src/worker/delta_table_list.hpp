#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::worker {

//! One Delta table of the data directory as `checktable` lists it.
struct DeltaTableSummary {
	std::string name;
	int64_t version = -1;
	//! Rows from the files' stats; unknown when a file has none.
	std::optional<uint64_t> rows;
	uint64_t bytes = 0;
	uint64_t files = 0;
	//! Milliseconds since the epoch when the latest version was written.
	int64_t last_change_ms = 0;
	//! Why the table could not be read (then only the name is known).
	std::string error;
};

//! Lists the Delta tables under `<data>/deltalake/` (folders holding `_delta_log`; other folders are
//! ignored). Summaries are cached by table and latest version, so listing unchanged tables costs a
//! directory listing each.
class DeltaTableList {
public:
	std::vector<DeltaTableSummary> List(Connection &connection, const std::filesystem::path &data_dir);

private:
	std::mutex mutex_;
	std::map<std::string, DeltaTableSummary> cache_;
};

} // namespace deltaduck::worker
