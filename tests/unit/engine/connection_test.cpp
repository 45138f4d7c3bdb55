#include "common/error.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace deltaduck {

TEST(Connection, StreamsChunkByChunk) {
	auto connection = OpenTestConnection();
	auto result = connection.Query("SELECT i FROM range(100000) t(i)");
	ASSERT_EQ(result.Columns().size(), 1u);
	EXPECT_EQ(result.Columns()[0].name, "i");
	EXPECT_EQ(result.Columns()[0].type.ToString(), "BIGINT");
	uint64_t rows = 0, chunks = 0;
	while (auto chunk = result.Fetch()) {
		EXPECT_LE(chunk.RowCount(), 2048u);
		rows += chunk.RowCount();
		chunks++;
	}
	EXPECT_EQ(rows, 100000u);
	EXPECT_GE(chunks, 49u);
	EXPECT_FALSE(result.Fetch()); // stays exhausted
}

TEST(Connection, RunsEveryStatementAndReturnsTheLastResult) {
	auto connection = OpenTestConnection();
	EXPECT_EQ(QueryJsonRows(connection, "CREATE TABLE t AS SELECT 1 AS a; INSERT INTO t VALUES (2); "
	                                    "SELECT sum(a) FROM t"),
	          "[3]");
}

TEST(Connection, PreparedStatementsBindEveryParameterKind) {
	auto connection = OpenTestConnection();
	auto statement = connection.Prepare("SELECT $1 || '!', $2 + 1, $3 * 2, NOT $4, $5 IS NULL");
	statement.Bind(1, "it's");
	statement.Bind(2, int64_t(41));
	statement.Bind(3, 1.25);
	statement.Bind(4, false);
	statement.BindNull(5);
	auto result = statement.Execute();
	RowEncoder encoder(result.Columns());
	auto chunk = result.Fetch();
	encoder.Bind(chunk);
	std::string json;
	JsonWriter writer(json);
	encoder.WriteArray(writer, 0);
	EXPECT_EQ(json, R"(["it's!",42,2.5,true,true])");
}

TEST(Connection, PrepareRejectsSeveralStatements) {
	auto connection = OpenTestConnection();
	EXPECT_THROW(connection.Prepare("SELECT 1; SELECT 2"), InvalidInputError);
}

TEST(Connection, DuckDBErrorsBecomeTypedErrors) {
	auto connection = OpenTestConnection();
	auto message_of = [&](auto &&fn) -> std::string {
		try {
			fn();
		} catch (const Error &e) {
			return e.what();
		}
		return "";
	};
	EXPECT_THROW(connection.Query("SELEC 1"), InvalidInputError);
	EXPECT_THROW(connection.Query("SELECT * FROM no_such_table"), NotFoundError);
	EXPECT_THROW(connection.Execute("SELECT * FROM read_csv('/no/such/file.csv')"), IOError);
	connection.Execute("CREATE TABLE t (a INTEGER)");
	EXPECT_THROW(connection.Execute("CREATE TABLE t (a INTEGER)"), AlreadyExistsError);
	// An error raised while rows stream (not at prepare time) is thrown by Fetch.
	EXPECT_THROW(connection.Execute("SELECT CAST('x' || i AS INTEGER) FROM range(10) t(i)"), InvalidInputError);
	EXPECT_NE(message_of([&] { connection.Query("SELECT * FROM no_such_table"); }).find("no_such_table"),
	          std::string::npos);
	EXPECT_THROW(connection.Query(""), InvalidInputError);
}

TEST(Connection, InterruptCancelsARunningQuery) {
	auto connection = OpenTestConnection();
	std::atomic<bool> valid = true;
	// Started first: an aggregate computes its whole answer before Query() returns its first chunk, so the
	// cancel must be able to land in either Query() or Fetch().
	std::thread canceller([&] {
		// Poll progress while the query runs, then cancel it. DuckDB's estimate is coarse (0 until a
		// pipeline finishes, -1 before it starts tracking), so only its range is checked.
		for (int i = 0; i < 10; i++) {
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
			auto progress = connection.Progress();
			valid = valid && progress.percentage >= -1 && progress.percentage <= 100 &&
			        progress.rows_processed <= std::max(progress.total_rows_to_process, uint64_t(1000000000000));
		}
		connection.Interrupt();
	});
	auto started = std::chrono::steady_clock::now();
	EXPECT_THROW(
	    {
		    auto result = connection.Query("SELECT count(*) FROM range(1000000000000) t(i) WHERE hash(i) = 42");
		    while (result.Fetch()) {
		    }
	    },
	    InterruptedError);
	canceller.join();
	EXPECT_TRUE(valid.load());
	EXPECT_EQ(connection.Progress().percentage, -1); // nothing runs now
	EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
	// The connection stays usable.
	EXPECT_EQ(QueryJsonRows(connection, "SELECT 1"), "[1]");
}

TEST(Database, DefaultsFollowTheMachine) {
	auto config = DatabaseConfig::Defaults();
	EXPECT_GE(config.threads, 1u);
	EXPECT_LE(config.threads, std::thread::hardware_concurrency());
	EXPECT_GT(config.memory_limit_bytes, 0u);
	EXPECT_LT(config.memory_limit_bytes, AvailableMemoryBytes());
	EXPECT_FALSE(config.temp_directory.empty());
	EXPECT_GT(config.max_temp_directory_bytes, 0u);

	auto connection = Connection::Open(Database::Open(config));
	EXPECT_EQ(QueryJsonRows(connection, "SELECT current_setting('threads')"),
	          "[" + std::to_string(config.threads) + "]");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT current_setting('autoinstall_known_extensions')"), "[false]");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT current_setting('temp_directory') = '" + config.temp_directory + "'"),
	          "[true]");
}

TEST(Database, SpillsToTheTempDirectoryInsteadOfFailing) {
	auto config = DatabaseConfig::Defaults();
	config.threads = 2;
	config.memory_limit_bytes = 64 << 20;
	config.temp_directory =
	    (std::filesystem::temp_directory_path() / ("deltaduck-spill-test-" + std::to_string(::getpid()))).string();
	auto connection = Connection::Open(Database::Open(config));
	// Sorting ~260 MB of strings cannot happen in 64 MB: it must spill, not fail. Rows stream back sorted.
	auto result = connection.Query("SELECT md5(CAST(i AS VARCHAR)) || repeat('x', 100) AS s FROM range(2000000) t(i) "
	                               "ORDER BY s");
	RowEncoder encoder(result.Columns());
	std::string previous, current;
	uint64_t rows = 0;
	bool sorted = true;
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			current.clear();
			encoder.Columns()[0]->WriteText(current, row);
			sorted = sorted && previous <= current;
			std::swap(previous, current);
		}
		rows += chunk.RowCount();
	}
	EXPECT_EQ(rows, 2000000u);
	EXPECT_TRUE(sorted);
	std::filesystem::remove_all(config.temp_directory);
}

TEST(Database, SandboxKeepsSqlInsideAllowedDirectories) {
	auto root = std::filesystem::temp_directory_path() / ("deltaduck-sandbox-" + std::to_string(::getpid()));
	std::filesystem::create_directories(root);
	auto config = DatabaseConfig::Defaults();
	config.allowed_directories = {root.string()};
	auto connection = Connection::Open(Database::Open(config));
	auto inside = (root / "inside.csv").string();
	connection.Execute("COPY (SELECT 1 AS x) TO '" + inside + "'");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT x FROM read_csv('" + inside + "')"), "[1]");
	EXPECT_THROW(connection.Execute("SELECT * FROM read_csv('/etc/passwd')"), PermissionError);
	EXPECT_THROW(connection.Execute("SELECT * FROM read_csv('../../etc/passwd')"), PermissionError);
	EXPECT_THROW(connection.Execute("COPY (SELECT 1) TO '/tmp/deltaduck-escape.csv'"), PermissionError);
	EXPECT_THROW(connection.Execute("SET enable_external_access = true"), Error);
	EXPECT_THROW(connection.Execute("SET allowed_directories = ['/']"), Error);
	std::filesystem::remove_all(root);
}

TEST(Database, PinnedExtensionsLoad) {
	// Both extensions ship in scripts/deps.lock for this exact DuckDB version; each must load into our engine.
	auto config = DatabaseConfig::Defaults();
	config.extensions = {"delta", "postgres_scanner"};
	auto database = Database::Open(config);
	for (const auto &name : config.extensions) {
		EXPECT_EQ(database->ExtensionError(name), std::nullopt) << name << ": " << *database->ExtensionError(name);
		EXPECT_NO_THROW(database->RequireExtension(name));
	}
	auto connection = Connection::Open(database);
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name "
	                                    "IN ('delta', 'postgres_scanner')"),
	          "[2]");
}

TEST(Database, AMissingExtensionFailsTheFeatureNotTheOpen) {
	auto config = DatabaseConfig::Defaults();
	config.extensions = {"no_such_extension"};
	auto database = Database::Open(config);
	ASSERT_TRUE(database->ExtensionError("no_such_extension").has_value());
	try {
		database->RequireExtension("no_such_extension");
		FAIL() << "expected UnsupportedError";
	} catch (const UnsupportedError &e) {
		EXPECT_NE(std::string(e.what()).find("no_such_extension"), std::string::npos);
	}
	EXPECT_THROW(database->RequireExtension("never_requested"), UnsupportedError);
}

} // namespace deltaduck
