#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/actions.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/log_path.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <gtest/gtest.h>
#include <map>

namespace deltaduck {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! Every parquet checkpoint in a table's log as a segment of its own (the parts of a multi-part one together).
std::vector<delta::LogSegment> ParquetCheckpoints(const fs::path &table) {
	std::map<int64_t, delta::LogSegment> segments;
	for (const auto &entry : fs::directory_iterator(table / "_delta_log")) {
		auto parsed = delta::ParsedLogPath::Parse(entry.path().filename().string());
		if (parsed && (parsed->type == delta::LogPathType::CHECKPOINT ||
		               parsed->type == delta::LogPathType::MULTI_PART_CHECKPOINT)) {
			auto &segment = segments[parsed->version];
			segment.log_dir = table / "_delta_log";
			segment.version = parsed->version;
			segment.checkpoint_parts.push_back(*parsed);
		}
	}
	std::vector<delta::LogSegment> result;
	for (auto &[version, segment] : segments) {
		result.push_back(segment);
	}
	return result;
}

//! The checkpoint's adds and removes as the JSON parser reads them from DuckDB's to_json of each action: the
//! reference the column reader must equal.
std::pair<std::vector<json>, std::vector<json>> ThroughJson(Connection &connection, const delta::LogSegment &segment) {
	std::vector<std::string> files;
	for (const auto &part : segment.checkpoint_parts) {
		files.push_back((segment.log_dir / part.filename).string());
	}
	auto source = "read_parquet(" + QuoteList(files) + ", union_by_name = true)";
	std::pair<std::vector<json>, std::vector<json>> result;
	for (const auto &row :
	     connection.QueryText("SELECT to_json(\"add\") FROM " + source + " WHERE \"add\" IS NOT NULL")) {
		result.first.push_back(delta::AddToJson(delta::ParseAdd(json::parse(row[0]))));
	}
	auto removes = connection.QueryText("SELECT to_json(\"remove\") FROM " + source + " WHERE \"remove\" IS NOT NULL");
	for (const auto &row : removes) {
		auto action = json::parse(row[0]);
		if (action.contains("partitionValues") && action["partitionValues"].is_null()) {
			action.erase("partitionValues"); // to_json writes a NULL map as null; a commit would leave it out
		}
		auto remove = delta::ParseRemove(action);
		result.second.push_back(delta::RemoveToJson(remove));
	}
	return result;
}

} // namespace

TEST(CheckpointReader, ColumnsReadAsTheJsonParserReadsThem) {
	TempDir temp;
	auto connection = OpenTestConnection();
	size_t checked = 0, adds = 0, removes = 0, with_dv = 0;
	for (const char *name :
	     {"checkpoint", "multi-part-checkpoint", "dv-partitioned-with-checkpoint", "dv-with-columnmapping",
	      "basic-with-inserts-deletes-checkpoint", "data-skipping-basic-stats-all-types-checkpoint",
	      "basic-with-inserts-overwrite-restore", "only-checkpoint-files", "125-iterator-bug"}) {
		auto table = UnpackGoldenTable(temp.Path(), name, name);
		if (table.empty()) {
			GTEST_SKIP() << "golden tables absent";
		}
		for (const auto &segment : ParquetCheckpoints(table)) {
			SCOPED_TRACE(std::string(name) + " @ " + std::to_string(segment.version));
			std::vector<json> got_adds, got_removes;
			delta::ReadCheckpoint(connection, segment,
			                      {[&](delta::Add &&add) {
				                       with_dv += add.deletion_vector.has_value();
				                       got_adds.push_back(delta::AddToJson(add));
			                       },
			                       [&](delta::Remove &&remove) { got_removes.push_back(delta::RemoveToJson(remove)); },
			                       [](const json &) {}});
			auto [want_adds, want_removes] = ThroughJson(connection, segment);
			EXPECT_EQ(json(got_adds), json(want_adds));
			EXPECT_EQ(json(got_removes), json(want_removes));
			checked++;
			adds += got_adds.size();
			removes += got_removes.size();
		}
	}
	// The corpus covers what the reader maps: partitions, deletion vectors, tombstones, multi-part.
	EXPECT_GE(checked, 9u);
	EXPECT_GT(adds, 50u);
	EXPECT_GT(removes, 10u);
	EXPECT_GT(with_dv, 0u);
}

TEST(CheckpointReader, AMissingRequiredFieldIsCorrupt) {
	TempDir temp;
	auto connection = OpenTestConnection();
	auto log = temp.Path() / "t" / "_delta_log";
	fs::create_directories(log);
	connection.Execute("COPY (SELECT {'path': 'a.parquet', 'size': NULL::BIGINT} AS \"add\") TO " +
	                   QuoteLiteral((log / "00000000000000000001.checkpoint.parquet").string()) + " (FORMAT parquet)");
	delta::LogSegment segment;
	segment.log_dir = log;
	segment.version = 1;
	segment.checkpoint_parts.push_back(*delta::ParsedLogPath::Parse("00000000000000000001.checkpoint.parquet"));
	try {
		delta::ReadCheckpoint(connection, segment,
		                      {[](delta::Add &&) {}, [](delta::Remove &&) {}, [](const json &) {}});
		FAIL() << "an add without a size was read";
	} catch (const CorruptError &e) {
		EXPECT_NE(std::string(e.what()).find("field 'size' is missing"), std::string::npos) << e.what();
	}
}

} // namespace deltaduck
