#include "worker/duck_worker.hpp"

#include "catalog/embedded_catalog.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/ingest.hpp"

#include <chrono>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <thread>

namespace deltaduck {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

class DuckWorkerTest : public ::testing::Test {
protected:
	TempDir temp;
	fs::path data;
	std::unique_ptr<worker::DuckWorker> worker;

	void SetUp() override {
		data = worker::RootAtDataDirectory((temp.Path() / "data").string());
		worker = Open();
	}

	std::unique_ptr<worker::DuckWorker> Open(std::chrono::milliseconds timeout = std::chrono::minutes(5)) {
		worker::DuckWorkerOptions options;
		options.data_dir = data;
		options.worker_id = "w1";
		options.query_timeout = timeout;
		options.threads = 2;
		auto catalog = catalog::EmbeddedCatalog::Open(data / worker::STATE_DIR / "catalog.duckdb");
		return worker::DuckWorker::Open(options, std::move(catalog));
	}

	//! Loads `select` into the Delta table `name`.
	void MakeDeltaTable(const std::string &name, const std::string &select) {
		auto connection = OpenTestConnection();
		worker::IngestRequest request;
		request.source = select;
		request.table = name;
		request.options.mode = delta::WriteMode::APPEND;
		worker::Ingest(connection, data, request);
	}

	json Ask(const std::string &endpoint, const json &args, const std::string &id = "r1") {
		return json::parse(worker->Handle(
		    {{"request_to", "duck"}, {"request_endpoint", endpoint}, {"request_args", args}, {"request_id", id}}));
	}

	json Query(const std::string &sql, std::vector<std::string> contents = {"Message", "Table"}, int render = 10) {
		return Ask("querydata", {{"request_query", sql}, {"request_contents", contents}, {"request_render", render}});
	}
};

} // namespace

TEST_F(DuckWorkerTest, TableHoldsExactlyTheFirstRowsTypedWithTheOriginalsShape) {
	auto reply = Query("SELECT i AS n, 'v' || i AS s, NULL::INTEGER AS z FROM range(100000) t(i) ORDER BY i",
	                   {"Table", "Message"}, 5);
	ASSERT_FALSE(reply.contains("error")) << reply.dump();
	EXPECT_EQ(reply["respond_to"], "duck");
	EXPECT_EQ(reply["request_id"], "r1");
	EXPECT_EQ(reply["response_contents"], json::array({"Table", "Message"}));
	const auto &table = reply["data"]["table"];
	ASSERT_EQ(table["items"].size(), 5u);
	EXPECT_EQ(table["headers"][0], json({{"text", "index"}, {"value", "index"}}));
	EXPECT_EQ(table["headers"][1], json({{"text", "n"}, {"value", "n"}}));
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(table["items"][i]["n"], i); // the first rows, numbers as numbers
		EXPECT_EQ(table["items"][i]["s"], "v" + std::to_string(i));
		EXPECT_TRUE(table["items"][i]["z"].is_null());
		EXPECT_EQ(table["items"][i]["index"], i);
	}
	EXPECT_EQ(table["columns"][0], json({{"name", "n"}, {"key", "n"}, {"type", "BIGINT"}}));
	EXPECT_TRUE(table["truncated"].get<bool>());
	EXPECT_EQ(table["rows_shown"], 5);
	EXPECT_NE(reply["data"]["message"].get<std::string>().find("Queried Result Size: at least"), std::string::npos);
	EXPECT_FALSE(reply["data"].contains("chart"));
}

TEST_F(DuckWorkerTest, SmallResultsHaveAnExactCountAndNoTruncation) {
	auto reply = Query("SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 4", {"Message", "Table"}, 10);
	EXPECT_EQ(reply["data"]["message"], "Queried Result Size: 2, 2");
	EXPECT_EQ(reply["data"]["table"]["row_count"], 2);
	EXPECT_FALSE(reply["data"]["table"]["truncated"].get<bool>());
}

TEST_F(DuckWorkerTest, OddColumnNamesArriveIntactAndKeysAreDistinct) {
	auto reply = Query(
	    "SELECT 1 AS \"a.b\", 2 AS \"T (degC)\", 3 AS \"say \"\"hi\"\"\", 4 AS x, 5 AS x, 6 AS \"index\"", {"Table"});
	const auto &headers = reply["data"]["table"]["headers"];
	ASSERT_EQ(headers.size(), 7u) << reply.dump();
	EXPECT_EQ(headers[1]["text"], "a.b");
	EXPECT_EQ(headers[2]["text"], "T (degC)");
	EXPECT_EQ(headers[3]["text"], "say \"hi\"");
	std::set<std::string> keys;
	for (const auto &header : headers) {
		auto key = header["value"].get<std::string>();
		EXPECT_EQ(key.find('.'), std::string::npos) << key;
		keys.insert(key);
	}
	EXPECT_EQ(keys.size(), 7u);
	const auto &item = reply["data"]["table"]["items"][0];
	EXPECT_EQ(item[headers[5]["value"].get<std::string>()], 5);
	EXPECT_EQ(item[headers[6]["value"].get<std::string>()], 6);
}

TEST_F(DuckWorkerTest, BigNumbersStayExact) {
	auto reply =
	    Query("SELECT 9007199254740993::BIGINT AS big, 123456789012345678.12::DECIMAL(20,2) AS d, 1.5 AS f", {"Table"});
	const auto &item = reply["data"]["table"]["items"][0];
	EXPECT_EQ(item["big"], "9007199254740993");
	EXPECT_EQ(item["d"], "123456789012345678.12");
	EXPECT_EQ(item["f"], 1.5);
}

TEST_F(DuckWorkerTest, ChartOfASmallResultHasTheOriginalShapeAndSeries) {
	auto reply = Query("SELECT DATE '2024-01-01' + i::INTEGER AS day, i * 2 AS y, CASE WHEN i = 1 THEN NULL ELSE i END "
	                   "AS z, 'x' AS label FROM range(3) t(i)",
	                   {"Chart"});
	const auto &chart = reply["data"]["chart"];
	EXPECT_EQ(chart["labels"], json::array({0, 1, 2}));
	ASSERT_EQ(chart["datasets"].size(), 4u);
	EXPECT_EQ(chart["datasets"][1]["label"], "y");
	EXPECT_EQ(chart["datasets"][1]["data"], json::array({0, 2, 4}));
	EXPECT_EQ(chart["datasets"][1]["tension"], 0.2);
	EXPECT_EQ(chart["x"]["name"], "day");
	EXPECT_EQ(chart["x"]["data"][0], "2024-01-01");
	ASSERT_EQ(chart["series"].size(), 2u);
	EXPECT_EQ(chart["series"][1]["name"], "z");
	EXPECT_TRUE(chart["series"][1]["data"][1].is_null()); // a gap
	EXPECT_FALSE(chart.contains("downsampled"));
}

TEST_F(DuckWorkerTest, AChartOfOneNumberDrawsItAgainstTheRowIndex) {
	auto chart =
	    Query("SELECT 'c' || i AS city, i * 1.5 AS temperature FROM range(3) t(i)", {"Chart"})["data"]["chart"];
	EXPECT_TRUE(chart["x"]["name"].is_null());
	EXPECT_EQ(chart["x"]["type"], "ROW_INDEX");
	EXPECT_EQ(chart["x"]["data"], json::array({0, 1, 2}));
	ASSERT_EQ(chart["series"].size(), 1u);
	EXPECT_EQ(chart["series"][0]["data"], json::array({0, 1.5, 3}));
}

TEST_F(DuckWorkerTest, ChartOfABigResultIsDownsampledOverTheWholeResult) {
	// One spike near the end: a chart cut at the first rows would never show it.
	auto reply = Query("SELECT i AS x, CASE WHEN i = 99000 THEN 1000 ELSE i % 7 END AS y FROM range(100000) t(i)",
	                   {"Chart", "Message"}, 100);
	const auto &chart = reply["data"]["chart"];
	ASSERT_TRUE(chart.contains("downsampled")) << reply.dump().substr(0, 500);
	EXPECT_EQ(chart["downsampled"]["method"], "m4");
	EXPECT_EQ(chart["downsampled"]["from_rows"], 100000);
	EXPECT_LE(chart["downsampled"]["points"].get<int>(), 100);
	EXPECT_EQ(reply["data"]["message"], "Queried Result Size: 100000, 2");
	const auto &y = chart["series"][0]["data"];
	EXPECT_NE(std::find(y.begin(), y.end(), json(1000)), y.end());
	const auto &x = chart["x"]["data"];
	EXPECT_EQ(x.back(), 99999);
	EXPECT_TRUE(std::is_sorted(x.begin(), x.end()));
}

TEST_F(DuckWorkerTest, DownsampledPointsKeepTheirRowsValuesAndGaps) {
	auto reply =
	    Query("SELECT i AS r, CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS y FROM range(10000) t(i)", {"Chart"}, 40);
	const auto &chart = reply["data"]["chart"];
	ASSERT_TRUE(chart.contains("downsampled")) << reply.dump().substr(0, 300);
	const auto &x = chart["x"]["data"];
	const auto &y = chart["series"][0]["data"];
	ASSERT_EQ(x.size(), y.size());
	for (size_t i = 0; i < x.size(); i++) {
		// y equals its own row's x, or is null exactly where the row's value is NULL.
		if (x[i].get<int>() % 3 == 0) {
			EXPECT_TRUE(y[i].is_null()) << i;
		} else {
			EXPECT_EQ(y[i], x[i]) << i;
		}
	}
}

TEST_F(DuckWorkerTest, DynamicPivotAndNumericRenderStringsWork) {
	Query("CREATE TABLE sales AS SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) t(k, v)");
	auto reply = Ask("querydata", {{"request_query", "PIVOT sales ON k USING sum(v)"},
	                               {"request_contents", {"Table"}},
	                               {"request_render", "100"}});
	ASSERT_FALSE(reply.contains("error")) << reply.dump();
	EXPECT_EQ(reply["data"]["table"]["items"][0]["a"], 4);
}

TEST_F(DuckWorkerTest, KeysFollowTheOriginalWhereTheyAreUnique) {
	auto reply = Query("SELECT 1 AS \"T (degC)\", 2 AS \"a b\", 3 AS a_b", {"Table"});
	const auto &headers = reply["data"]["table"]["headers"];
	EXPECT_EQ(headers[1]["value"], "t_(degc)");
	EXPECT_EQ(headers[2]["value"], "a_b");
	EXPECT_EQ(headers[3]["value"], "a_b_2");
}

TEST_F(DuckWorkerTest, StatementsWithoutRowsAnswerWithAMessageAndRunInOrder) {
	EXPECT_EQ(Query("CREATE TABLE t (i INTEGER)")["data"]["message"], "CREATE OK");
	EXPECT_EQ(Query("INSERT INTO t SELECT * FROM range(3)")["data"]["message"], "3 rows changed");
	auto reply =
	    Query("INSERT INTO t VALUES (10); UPDATE t SET i = i + 1 WHERE i < 2; SELECT sum(i) AS s FROM t", {"Table"});
	EXPECT_EQ(reply["data"]["table"]["items"][0]["s"], 15) << reply.dump(); // {1, 2, 2, 10}
	// In-memory tables made by one request are visible to the next (one database, a pool of connections).
	EXPECT_EQ(Query("SELECT count(*) AS c FROM t", {"Table"})["data"]["table"]["items"][0]["c"], 4);
}

TEST_F(DuckWorkerTest, QuackAnswersExactlyTheRenderedRows) {
	auto reply = Query("=(^)quack", {"Table"}, 37);
	const auto &table = reply["data"]["table"];
	ASSERT_EQ(table["items"].size(), 37u);
	EXPECT_EQ(table["headers"][1]["text"], "Data One");
	for (const auto &item : table["items"]) {
		for (const char *key : {"data_one", "data_two", "data_three"}) {
			EXPECT_GE(item[key].get<int>(), 0);
			EXPECT_LE(item[key].get<int>(), 99);
		}
	}
}

TEST_F(DuckWorkerTest, ErrorsCarryDuckDBsMessageAndTheOriginalsText) {
	auto reply = Query("SELECT * FROM missing_table");
	ASSERT_TRUE(reply.contains("error"));
	EXPECT_EQ(reply["request_id"], "r1");
	EXPECT_EQ(reply["error"]["type"], "NotFound");
	EXPECT_NE(reply["error"]["message"].get<std::string>().find("missing_table"), std::string::npos);
	EXPECT_EQ(reply["error"]["detail"].get<std::string>().rfind("An unexpected error occurred: ", 0), 0u);
	EXPECT_EQ(reply["data"]["message"], reply["error"]["detail"]);
	EXPECT_EQ(Query("SELECT * FROM =(^)nope")["error"]["message"], "Delta table not found: nope");
}

TEST_F(DuckWorkerTest, BadRequestsGetClearErrors) {
	auto bad = [&](const json &request) {
		return json::parse(worker->Handle(request))["error"]["message"].get<std::string>();
	};
	EXPECT_EQ(bad({{"request_endpoint", "querydata"}, {"request_args", json::object()}}),
	          "request_args.request_query is missing");
	EXPECT_EQ(bad({{"request_endpoint", "querydata"}, {"request_args", {{"request_query", 5}}}}),
	          "request_args.request_query must be a string");
	EXPECT_NE(bad({{"request_endpoint", "querydata"},
	               {"request_args", {{"request_query", "SELECT 1"}, {"request_render", 0}}}})
	              .find("request_render"),
	          std::string::npos);
	EXPECT_NE(bad({{"request_endpoint", "querydata"},
	               {"request_args", {{"request_query", "SELECT 1"}, {"request_contents", {"Pie"}}}}})
	              .find("unknown request_contents entry: Pie"),
	          std::string::npos);
	EXPECT_NE(bad({{"request_endpoint", "nosuch"}}).find("unknown duck endpoint: nosuch"), std::string::npos);
	EXPECT_EQ(bad(json::array()), "a request must be a JSON object");
	EXPECT_EQ(bad({{"request_endpoint", "querydata"}, {"request_args", {{"request_query", "  ;  "}}}}),
	          "no SQL statement given");
}

TEST_F(DuckWorkerTest, DeltaTablesReadAtTheirVersions) {
	MakeDeltaTable("nums", "SELECT i AS n FROM range(10) t(i)");
	MakeDeltaTable("nums", "SELECT i AS n FROM range(10, 15) t(i)");
	EXPECT_EQ(Query("SELECT count(*) AS c FROM =(^)nums", {"Table"})["data"]["table"]["items"][0]["c"], 15);
	EXPECT_EQ(Query("SELECT count(*) AS c FROM =(^)nums@0", {"Table"})["data"]["table"]["items"][0]["c"], 10);
}

TEST_F(DuckWorkerTest, LineageIsRecordedFromTheParseTreeWithDeltaVersions) {
	MakeDeltaTable("climate", "SELECT i AS id, i * 1.5 AS temp FROM range(10) t(i)");
	Query("CREATE TABLE cities AS SELECT 1 AS id, 'Oslo' AS city");
	auto created = Query("CREATE TABLE joined AS WITH w AS (SELECT * FROM =(^)climate) SELECT w.id, w.temp AS t, "
	                     "c.city FROM w JOIN cities c USING (id) WHERE c.city IN (SELECT 'Oslo')");
	ASSERT_FALSE(created.contains("error")) << created.dump();
	// Re-running does not duplicate.
	Query("CREATE OR REPLACE TABLE joined AS WITH w AS (SELECT * FROM =(^)climate) SELECT w.id, w.temp AS t, "
	      "c.city FROM w JOIN cities c USING (id)");
	auto listing = Ask("checktable", json::object());
	EXPECT_EQ(listing["data"]["message"], "_directory_list updated");
	const auto &items = listing["data"]["table"]["items"];
	std::vector<std::string> rows;
	for (const auto &item : items) {
		rows.push_back(item["TableName"].get<std::string>() + "|" + item["Parent"].get<std::string>() + "|" +
		               item["Loc"].get<std::string>());
	}
	EXPECT_EQ(rows,
	          (std::vector<std::string>{"=(^)climate||", "cities||w1", "joined|=(^)climate@0|w1", "joined|cities|w1"}));
	const auto &lineage = listing["data"]["lineage"];
	ASSERT_EQ(lineage.size(), 2u);
	EXPECT_EQ(lineage[1]["table"], "joined");
	EXPECT_EQ(lineage[1]["parents"][0]["kind"], "delta");
	EXPECT_EQ(lineage[1]["parents"][0]["version"], 0);
	EXPECT_EQ(lineage[1]["columns"][1]["column"], "t");
	EXPECT_EQ(lineage[1]["columns"][1]["transformation"], "identity");
	const auto &tables = listing["data"]["tables"];
	ASSERT_EQ(tables.size(), 1u);
	EXPECT_EQ(tables[0]["name"], "climate");
	EXPECT_EQ(tables[0]["version"], 0);
	EXPECT_EQ(tables[0]["rows"], 10);
	EXPECT_GT(tables[0]["bytes"].get<int>(), 0);
	// IF NOT EXISTS on an existing table changes nothing; INSERT adds its parents once; DROP forgets
	// whatever the name's case.
	Query("CREATE TABLE IF NOT EXISTS Joined AS SELECT 1 AS id FROM cities");
	EXPECT_EQ(Ask("checktable", json::object())["data"]["lineage"][1]["parents"].size(), 2u);
	Query("CREATE TABLE more AS SELECT 5 AS id, 2.0 AS t, 'Rome' AS city");
	for (int i = 0; i < 2; i++) {
		Query("INSERT INTO joined SELECT * FROM more");
	}
	auto after_insert = Ask("checktable", json::object())["data"]["lineage"][1];
	EXPECT_EQ(after_insert["table"], "joined");
	EXPECT_EQ(after_insert["parents"].size(), 3u) << after_insert.dump();
	auto query = after_insert["query"].get<std::string>();
	EXPECT_EQ(query.find("INSERT INTO joined"), query.rfind("INSERT INTO joined")) << query;
	Query("DROP TABLE JOINED");
	EXPECT_EQ(Ask("checktable", json::object())["data"]["lineage"].size(), 2u);
}

TEST_F(DuckWorkerTest, LineageSurvivesARestartAndVanishedTablesAreMarkedGone) {
	Query("CREATE TABLE kept AS SELECT 1 AS x");
	worker.reset();
	worker = Open(); // a new in-memory database: `kept` is gone from this worker
	auto lineage = Ask("checktable", json::object())["data"]["lineage"];
	ASSERT_EQ(lineage.size(), 1u);
	EXPECT_EQ(lineage[0]["table"], "kept");
	EXPECT_TRUE(lineage[0]["gone"].get<bool>());
	Query("CREATE TABLE kept AS SELECT 2 AS x");
	EXPECT_FALSE(Ask("checktable", json::object())["data"]["lineage"][0]["gone"].get<bool>());
}

TEST_F(DuckWorkerTest, CheckTableIgnoresOtherFoldersAndReportsBrokenTables) {
	MakeDeltaTable("good", "SELECT 1 AS x");
	fs::create_directories(data / "deltalake" / "not_a_table");
	fs::create_directories(data / "deltalake" / "broken" / "_delta_log");
	std::ofstream(data / "deltalake" / "broken" / "_delta_log" / "00000000000000000000.json") << "{not json\n";
	auto tables = Ask("checktable", json::object())["data"]["tables"];
	ASSERT_EQ(tables.size(), 2u) << tables.dump();
	EXPECT_EQ(tables[0]["name"], "broken");
	EXPECT_TRUE(tables[0].contains("error"));
	EXPECT_EQ(tables[1]["name"], "good");
	EXPECT_FALSE(tables[1].contains("error"));
}

TEST_F(DuckWorkerTest, DuckConnectSwitchesDatabasesAndABadStringChangesNothing) {
	Query("CREATE TABLE mem AS SELECT 1 AS x");
	auto connected = Ask("duckconnect", {{"conn_string", "analysis.duckdb"}});
	EXPECT_EQ(connected["respond_to"], "settings");
	EXPECT_EQ(connected["data"]["message"], "Connected!");
	Query("CREATE TABLE saved AS SELECT 42 AS x");
	for (const char *bad : {"/etc/passwd.duckdb", "../outside.duckdb", "notes.txt", ".deltaduck/catalog.duckdb"}) {
		auto reply = Ask("duckconnect", {{"conn_string", bad}});
		EXPECT_TRUE(reply.contains("error")) << bad;
		EXPECT_EQ(reply["respond_to"], "settings");
	}
	auto md = Ask("duckconnect", {{"conn_string", "md:my_db"}});
	EXPECT_NE(md["error"]["message"].get<std::string>().find("MotherDuck extension not available"), std::string::npos);
	// Still on analysis.duckdb, with the sandbox in force.
	EXPECT_EQ(Query("SELECT x FROM saved", {"Table"})["data"]["table"]["items"][0]["x"], 42);
	EXPECT_TRUE(Query("SET threads = 1").contains("error"));
	EXPECT_TRUE(Query("SELECT * FROM read_text('/etc/hostname')").contains("error"));
	Ask("duckconnect", {{"conn_string", ":memory:"}});
	EXPECT_TRUE(Query("SELECT x FROM saved").contains("error"));
	EXPECT_TRUE(fs::exists(data / "analysis.duckdb"));
}

TEST_F(DuckWorkerTest, CancelInterruptsARunningQuery) {
	auto slow = std::async(std::launch::async, [&] {
		return Ask("querydata",
		           {{"request_query", "SELECT count(*) FROM range(10000000000) a(i), range(10) b(j) WHERE i % 7 = j"}},
		           "slow");
	});
	json cancelled;
	// Cancelling before the query registered answers NotFound: retry until it is found (no timing assumption).
	for (int attempt = 0; attempt < 6000; attempt++) {
		cancelled = Ask("cancel", {{"request_id", "slow"}}, "c1");
		if (!cancelled.contains("error")) {
			break;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	EXPECT_EQ(cancelled["data"]["message"], "Cancelled request slow");
	auto reply = slow.get();
	EXPECT_EQ(reply["error"]["type"], "Interrupted") << reply.dump();
	EXPECT_EQ(Ask("cancel", {{"request_id", "slow"}})["error"]["type"], "NotFound");
}

TEST_F(DuckWorkerTest, ATimeLimitShorterThanPlanningStillStopsTheQuery) {
	// The interrupt may land while the Delta scan is still being planned (internal queries reset DuckDB's
	// interrupt flag): the watchdog repeats it until the request ends.
	MakeDeltaTable("nums", "SELECT i AS n FROM range(10) t(i)");
	worker = Open(std::chrono::milliseconds(1));
	auto reply = Query("SELECT count(*) FROM =(^)nums, range(10000000000) a(i), range(10) b(j) WHERE i % 7 = j");
	EXPECT_EQ(reply["error"]["type"], "Timeout") << reply.dump();
}

TEST_F(DuckWorkerTest, QueriesPastTheTimeLimitFailClearly) {
	worker = Open(std::chrono::milliseconds(200));
	auto reply = Query("SELECT count(*) FROM range(10000000000) a(i), range(10) b(j) WHERE i % 7 = j");
	EXPECT_EQ(reply["error"]["type"], "Timeout") << reply.dump();
	EXPECT_NE(reply["error"]["message"].get<std::string>().find("time limit"), std::string::npos);
	EXPECT_FALSE(Query("SELECT 1").contains("error")); // the connection is usable again
}

TEST_F(DuckWorkerTest, ALongQueryDoesNotBlockAShortOne) {
	auto slow = std::async(std::launch::async, [&] {
		return Ask("querydata",
		           {{"request_query", "SELECT count(*) FROM range(10000000000) a(i), range(10) b(j) WHERE i % 7 = j"}},
		           "slow");
	});
	// The short query answers while the long one still runs: it is cancelled only afterwards.
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(Query("SELECT 1 AS one", {"Table"})["data"]["table"]["items"][0]["one"], 1);
	}
	while (Ask("cancel", {{"request_id", "slow"}}, "c").contains("error")) {
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	EXPECT_EQ(slow.get()["error"]["type"], "Interrupted");
}

TEST_F(DuckWorkerTest, PipelinesRunAsADependencyGraphTaggedById) {
	auto reply = Query("-- depends_on: 1\n-- id: 2\nCREATE TABLE p2 AS SELECT x + 1 AS x FROM p1;\n"
	                   "-- id: 1\nCREATE TABLE p1 AS SELECT 1 AS x, 'a;b' AS s;\n"
	                   "-- id: 3\n-- depends_on: 2, 1\n-- node: w1\nSELECT p2.x, p1.s FROM p2, p1;",
	                   {"Table"});
	ASSERT_FALSE(reply.contains("error")) << reply.dump();
	const auto &steps = reply["data"]["pipeline"];
	ASSERT_EQ(steps.size(), 3u);
	EXPECT_EQ(steps[0]["id"], "2");
	EXPECT_EQ(steps[0]["data"]["message"], "CREATE OK");
	EXPECT_EQ(steps[2]["id"], "3");
	EXPECT_EQ(steps[2]["data"]["table"]["items"][0]["x"], 2);
	EXPECT_EQ(steps[2]["data"]["table"]["items"][0]["s"], "a;b");
}

TEST_F(DuckWorkerTest, PipelineProblemsAreReportedBeforeAnythingRuns) {
	auto unknown_node = Query("-- id: 1\nCREATE TABLE never AS SELECT 1;\n-- id: 2\n-- node: elsewhere\nSELECT 1;");
	EXPECT_NE(unknown_node["error"]["message"].get<std::string>().find("unknown node: elsewhere"), std::string::npos);
	auto cycle =
	    Query("-- id: 1\n-- depends_on: 2\nCREATE TABLE never AS SELECT 1;\n-- id: 2\n-- depends_on: 1\nSELECT 1;");
	EXPECT_NE(cycle["error"]["message"].get<std::string>().find("cycle"), std::string::npos) << cycle.dump();
	EXPECT_TRUE(Query("SELECT * FROM never").contains("error"));
	auto failing =
	    Query("-- id: 1\nSELECT * FROM nowhere;\n-- id: 2\n-- depends_on: 1\nCREATE TABLE never AS SELECT 1;");
	EXPECT_TRUE(failing["data"]["pipeline"][0].contains("error"));
	EXPECT_TRUE(failing["data"]["pipeline"][1]["skipped"].get<bool>());
	EXPECT_TRUE(Query("SELECT * FROM never").contains("error"));
}

} // namespace deltaduck
