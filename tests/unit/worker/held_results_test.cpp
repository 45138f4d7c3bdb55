#include "worker/held_results.hpp"

#include "common/error.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "tests/unit/delta/delta_test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace deltaduck {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::shared_ptr<worker::HeldResults> OpenStore(const fs::path &dir) {
	worker::HeldResultsOptions options;
	options.dir = dir;
	return worker::HeldResults::Open(options);
}

//! Holds the whole result of `sql`, run on a database of its own (as a worker's would be).
std::string Hold(worker::HeldResults &store, const std::string &sql, uint64_t &rows) {
	auto connection = Connection::Open(Database::Open(DatabaseConfig{}));
	auto result = connection.Query(sql);
	auto writer = store.Begin(result.Columns());
	while (auto chunk = result.Fetch()) {
		writer->Append(chunk);
	}
	rows = writer->Finish();
	return writer->Id();
}

json Window(worker::HeldResults &store, const std::string &id, uint64_t offset, uint64_t limit) {
	std::string out;
	JsonWriter writer(out);
	store.WriteWindow(writer, id, offset, limit);
	return json::parse(out);
}

TEST(HeldResultsTest, AnyWindowOfAHeldResultReadsTheRightRowsWithTheirTypesAndNames) {
	TempDir temp;
	auto store = OpenStore(temp.Path() / "results");
	uint64_t rows = 0;
	auto id = Hold(*store,
	               "SELECT i AS \"a.b c\", i * 2 AS \"a.b c\", CAST(i AS DECIMAL(18,3)) AS d, "
	               "CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' || i END AS s FROM range(300000) t(i)",
	               rows);
	EXPECT_EQ(rows, 300000u);
	auto window = Window(*store, id, 299990, 100);
	const auto &table = window["table"];
	ASSERT_EQ(table["items"].size(), 10u);
	EXPECT_EQ(table["row_count"], 300000);
	EXPECT_EQ(table["items"][0]["index"], 299990);
	EXPECT_EQ(table["headers"][1]["text"], "a.b c");
	EXPECT_EQ(table["headers"][2]["text"], "a.b c");
	auto first_key = table["headers"][1]["value"].get<std::string>();
	auto second_key = table["headers"][2]["value"].get<std::string>();
	EXPECT_NE(first_key, second_key);
	EXPECT_EQ(table["items"][0][first_key], 299990);
	EXPECT_EQ(table["items"][0][second_key], 599980);
	EXPECT_EQ(table["items"][0]["s"], nullptr);
	EXPECT_EQ(table["items"][1]["s"], "x299991");
	EXPECT_EQ(table["columns"][2]["type"], "DECIMAL(18,3)");
	EXPECT_EQ(Window(*store, id, 300000, 10)["table"]["items"].size(), 0u);
}

TEST(HeldResultsTest, ExportWritesEveryRowAndUnknownOrMalformedIdsAreRefused) {
	TempDir temp;
	auto store = OpenStore(temp.Path() / "results");
	uint64_t rows = 0;
	auto id = Hold(*store, "SELECT range AS i FROM range(12345)", rows);
	auto csv = store->Export(id, "csv", temp.Path() / "exports");
	auto parquet = store->Export(id, "parquet", temp.Path() / "exports");
	auto connection = Connection::Open(Database::Open(DatabaseConfig{}));
	EXPECT_EQ(connection.QueryText("SELECT count(*), sum(i) FROM read_csv('" + csv.string() + "')")[0],
	          (std::vector<std::string>{"12345", "76193340"}));
	EXPECT_EQ(connection.QueryText("SELECT count(*) FROM read_parquet('" + parquet.string() + "')")[0][0], "12345");
	EXPECT_THROW(store->Export(id, "xlsx", temp.Path()), InvalidInputError);
	EXPECT_THROW(Window(*store, std::string(32, 'a'), 0, 1), NotFoundError);
	EXPECT_THROW(Window(*store, "../../etc/passwd", 0, 1), InvalidInputError);
}

TEST(HeldResultsTest, AnUnfinishedResultLeavesNothingAndTheStoreKeepsWithinItsSize) {
	TempDir temp;
	worker::HeldResultsOptions options;
	options.dir = temp.Path() / "results";
	options.max_bytes = 1; // any finished result is over the limit once another begins
	auto store = worker::HeldResults::Open(options);
	{
		auto connection = Connection::Open(Database::Open(DatabaseConfig{}));
		auto result = connection.Query("SELECT range FROM range(5000)");
		auto writer = store->Begin(result.Columns());
		writer->Append(result.Fetch());
	}
	size_t files = 0;
	for (const auto &entry : fs::directory_iterator(options.dir)) {
		files += entry.is_regular_file();
	}
	EXPECT_EQ(files, 0u);
	uint64_t rows = 0;
	auto first = Hold(*store, "SELECT range FROM range(10)", rows);
	EXPECT_GT(store->Bytes(), 0u);
	auto second = Hold(*store, "SELECT range FROM range(10)", rows); // Begin expired the first
	EXPECT_THROW(Window(*store, first, 0, 1), NotFoundError);
	EXPECT_EQ(Window(*store, second, 0, 10)["table"]["items"].size(), 10u);
}

} // namespace

} // namespace deltaduck
