#include "worker/ingest.hpp"

#include "common/error.hpp"
#include "delta/log_path.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "tests/unit/main/cli_test.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

//! A data directory (`<dir>/data`, with raw/ and deltalake/) and table `t` (id, name) at version 0, into
//! which the bad inputs are loaded: a refused ingest must leave it as it is.
class Ingest : public CliTest {
protected:
	fs::path data;
	Connection connection = OpenTestConnection();

	void SetUp() override {
		CliTest::SetUp();
		data = dir / "data";
		fs::create_directories(data / "raw");
		fs::create_directories(data / "deltalake");
		auto result =
		    worker::Ingest(connection, data, Request("SELECT i AS id, 'n' || i AS name FROM range(3) t(i)", "t"));
		ASSERT_EQ(result.write.version, 0);
	}

	static worker::IngestRequest Request(const std::string &source, const std::string &table,
	                                     delta::WriteMode mode = delta::WriteMode::APPEND) {
		worker::IngestRequest request;
		request.source = source;
		request.table = table;
		request.options.mode = mode;
		return request;
	}

	fs::path Table(const std::string &name) const {
		return data / "deltalake" / name;
	}

	//! The commit versions in the table's log (none when it has no log).
	std::vector<int64_t> Versions(const std::string &table) const {
		return CommitVersions(Table(table));
	}

	//! Every file and non-empty folder below the data directory (relative), to see that a refused ingest
	//! created nothing.
	std::set<std::string> Entries() const {
		std::set<std::string> entries;
		for (const auto &entry : fs::recursive_directory_iterator(data)) {
			// An empty folder left behind is untidy, but holds no data and no version.
			if (!entry.is_directory() || entry.is_symlink() || !fs::is_empty(entry.path())) {
				entries.insert(fs::relative(entry.path(), data).string());
			}
		}
		return entries;
	}

	//! The rows of a table as JSON arrays, ordered by `order_by`.
	std::string Rows(const std::string &table, const std::string &order_by) {
		auto scan = delta::Scan::Plan(connection, delta::Snapshot::Load(connection, Table(table)));
		return QueryJsonRows(connection, "SELECT * FROM (" + scan.Sql() + ") ORDER BY " + order_by);
	}

	//! "name TYPE, ..." of a table.
	std::string Columns(const std::string &table) {
		auto scan = delta::Scan::Plan(connection, delta::Snapshot::Load(connection, Table(table)));
		auto result = connection.Query(scan.Sql());
		std::string out;
		for (const auto &column : result.Columns()) {
			out += (out.empty() ? "" : ", ") + column.name + " " + column.type.ToString();
		}
		return out;
	}

	//! Loads `source` into `table` expecting an error of `type` whose message holds `message`; the table
	//! gets no new version and nothing is created in the data directory. Returns the message.
	std::string ExpectRefused(const std::string &source, const std::string &table, ErrorType type,
	                          const std::string &message) {
		SCOPED_TRACE("source: " + source.substr(0, 200) + ", table: " + table);
		auto versions = Versions(table);
		auto entries = Entries();
		std::string what;
		try {
			worker::Ingest(connection, data, Request(source, table));
			ADD_FAILURE() << "the ingest succeeded";
		} catch (const Error &error) {
			what = error.what();
			EXPECT_EQ(ErrorTypeName(error.Type()), ErrorTypeName(type)) << what.substr(0, 2000);
			EXPECT_NE(what.find(message), std::string::npos) << what.substr(0, 2000);
		} catch (const std::exception &error) {
			ADD_FAILURE() << "not a typed error: " << error.what();
		}
		EXPECT_EQ(Versions(table), versions);
		EXPECT_EQ(Entries(), entries);
		return what;
	}
};

void WriteBytes(const fs::path &path, const std::string &bytes) {
	fs::create_directories(path.parent_path());
	std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace

TEST_F(Ingest, CsvFolderIsReadAsOneTable) {
	WriteBytes(data / "raw/sales/a.csv", "id,city,amount\n1,Oslo,1.5\n2,Lima,2.5\n");
	WriteBytes(data / "raw/sales/b.csv", "id,city,amount\n3,Oslo,3.5\n");
	WriteBytes(data / "raw/sales/C.CSV", "id,city,amount\n4,Pune,4.5\n5,Lima,5.5\n");
	WriteBytes(data / "raw/sales/notes.txt", "not a csv\n");
	WriteBytes(data / "raw/sales/nested/d.csv", "id,city,amount\n99,Nowhere,0\n"); // not recursed into
	auto result = worker::Ingest(connection, data, Request("sales", "sales"));
	EXPECT_EQ(result.write.version, 0);
	EXPECT_EQ(result.write.rows, 5u);
	EXPECT_EQ(result.input_bytes, fs::file_size(data / "raw/sales/a.csv") + fs::file_size(data / "raw/sales/b.csv") +
	                                  fs::file_size(data / "raw/sales/C.CSV"));
	EXPECT_EQ(Columns("sales"), "id BIGINT, city VARCHAR, amount DOUBLE");
	EXPECT_EQ(Rows("sales", "id"), "[1,\"Oslo\",1.5]\n[2,\"Lima\",2.5]\n[3,\"Oslo\",3.5]\n[4,\"Pune\",4.5]\n"
	                               "[5,\"Lima\",5.5]");
	// A second load of the folder appends.
	result = worker::Ingest(connection, data, Request("sales", "sales"));
	EXPECT_EQ(result.write.version, 1);
	EXPECT_EQ(QueryJsonRows(connection,
	                        "SELECT count(*) FROM (" +
	                            delta::Scan::Plan(connection, delta::Snapshot::Load(connection, Table("sales"))).Sql() +
	                            ")"),
	          "[10]");
}

TEST_F(Ingest, CsvOptionsOverrideTheSniffer) {
	WriteBytes(data / "raw/plain/a.csv", "1;x\n2;y\n");
	auto request = Request("plain", "plain");
	request.header = false;
	request.delimiter = ";";
	uint64_t bytes = 0;
	auto no_spaces = [](std::string text) {
		text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
		return text;
	};
	auto sql = no_spaces(worker::ResolveSource(connection, data, request, bytes));
	EXPECT_NE(sql.find("header=false"), std::string::npos) << sql;
	EXPECT_NE(sql.find("delim=';'"), std::string::npos) << sql;
	EXPECT_EQ(bytes, fs::file_size(data / "raw/plain/a.csv"));
	worker::Ingest(connection, data, request);
	EXPECT_EQ(Columns("plain"), "column0 BIGINT, column1 VARCHAR");
	EXPECT_EQ(Rows("plain", "column0"), "[1,\"x\"]\n[2,\"y\"]");
	// User text reaches SQL only as a quoted literal.
	request.delimiter = "'";
	request.table = "quoted";
	EXPECT_NE(no_spaces(worker::ResolveSource(connection, data, request, bytes)).find("delim=''''"), std::string::npos);
}

TEST_F(Ingest, SingleFilesOfEachFormat) {
	WriteBytes(data / "files/one.csv", "id,name\n1,a\n2,b\n");
	WriteBytes(data / "files/one.json", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
	WriteParquet(connection, data / "files/one.parquet", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, name)");
	for (const auto &[file, table] : std::vector<std::pair<std::string, std::string>>{
	         {"files/one.csv", "from_csv"}, {"files/one.json", "from_json"}, {"files/one.parquet", "from_parquet"}}) {
		SCOPED_TRACE(file);
		auto result = worker::Ingest(connection, data, Request(file, table));
		EXPECT_EQ(result.write.version, 0);
		EXPECT_EQ(result.input_bytes, fs::file_size(data / file));
		EXPECT_EQ(Rows(table, "id"), "[1,\"a\"]\n[2,\"b\"]");
	}
	// A file of another type is refused.
	WriteBytes(data / "files/one.xlsx", "PK");
	ExpectRefused("files/one.xlsx", "t", ErrorType::INVALID_INPUT, ".xlsx");
	// So is a folder given as a file.
	ExpectRefused("files/", "t", ErrorType::INVALID_INPUT, "not a file");
}

TEST_F(Ingest, QuerySourcesTakeATrailingSemicolonAndComments) {
	for (const char *source : {"SELECT 1 AS x;", "SELECT 1 AS x -- note", "-- why\n/* how */ SELECT 1 AS x ;\n"}) {
		auto result = worker::Ingest(connection, data, Request(source, "one", delta::WriteMode::OVERWRITE));
		EXPECT_EQ(Rows("one", "x"), "[1]") << source;
		EXPECT_GE(result.write.version, 0);
	}
	try {
		worker::Ingest(connection, data, Request("SELECT 1 AS x; SELECT 2 AS x", "one", delta::WriteMode::OVERWRITE));
		FAIL() << "two statements were accepted";
	} catch (const InvalidInputError &e) {
		EXPECT_NE(std::string(e.what()).find("one SELECT statement, got 2"), std::string::npos) << e.what();
	}
}

TEST_F(Ingest, NaiveTimestampsAsUtcAlsoInsideStructsListsAndMaps) {
	// Quoted field names that spell a type, a field named like one and an ENUM label like one stay as they are.
	auto request =
	    Request("SELECT {'timestamp': TIMESTAMP '2000-01-02 03:04:05', 'timestamp_s': 1} AS s, "
	            "[TIMESTAMP_MS '1970-01-01 00:00:01'] AS l, MAP {'k': TIMESTAMP_NS '1999-12-31 23:59:59'} "
	            "AS m, TIMESTAMP_S '2024-01-01 00:00:00' AS t, TIMESTAMPTZ '2020-01-01 00:00:00+00' AS tz, 1 AS i, "
	            "CAST('TIMESTAMP)' AS ENUM('TIMESTAMP)', 'TIMESTAMP, x')) AS e",
	            "utc", delta::WriteMode::OVERWRITE);
	request.naive_timestamps_utc = true;
	auto result = worker::Ingest(connection, data, request);
	EXPECT_EQ(result.utc_columns, 4u);
	EXPECT_EQ(result.min_reader_version, 1);
	EXPECT_EQ(result.min_writer_version, 2);
	EXPECT_EQ(Columns("utc"), "s STRUCT(\"timestamp\" TIMESTAMP WITH TIME ZONE, \"timestamp_s\" INTEGER), "
	                          "l TIMESTAMP WITH TIME ZONE[], m MAP(VARCHAR, TIMESTAMP WITH TIME ZONE), "
	                          "t TIMESTAMP WITH TIME ZONE, tz TIMESTAMP WITH TIME ZONE, i INTEGER, e VARCHAR");
	EXPECT_EQ(Rows("utc", "i"),
	          "[{\"timestamp\":\"2000-01-02T03:04:05Z\",\"timestamp_s\":1},[\"1970-01-01T00:00:01Z\"],"
	          "{\"k\":\"1999-12-31T23:59:59Z\"},\"2024-01-01T00:00:00Z\",\"2020-01-01T00:00:00Z\",1,\"TIMESTAMP)\"]");
}

TEST_F(Ingest, QuerySourceReadsATableJustWritten) {
	WriteBytes(data / "raw/sales/a.csv", "id,city,amount\n1,Oslo,1.5\n2,Lima,2.5\n3,Oslo,3.5\n");
	worker::Ingest(connection, data, Request("sales", "sales"));
	auto result = worker::Ingest(
	    connection, data,
	    Request("SELECT city, sum(amount) AS total FROM =(^)sales GROUP BY city", "totals", delta::WriteMode::CREATE));
	EXPECT_EQ(result.write.version, 0);
	EXPECT_EQ(result.input_bytes, 0u);
	EXPECT_EQ(Rows("totals", "city"), "[\"Lima\",2.5]\n[\"Oslo\",5]");
	// A table can be read at a version while it is rewritten.
	worker::Ingest(connection, data, Request("sales", "sales"));
	worker::Ingest(
	    connection, data,
	    Request("WITH v AS (SELECT count(*) AS n FROM =(^)sales@0) SELECT n, (SELECT count(*) FROM =(^)sales) "
	            "AS latest FROM v",
	            "counts"));
	EXPECT_EQ(Rows("counts", "n"), "[3,6]");
	// Reading and overwriting the same table.
	worker::Ingest(connection, data,
	               Request("SELECT id * 10 AS id, name FROM =(^)t", "t", delta::WriteMode::OVERWRITE));
	EXPECT_EQ(Rows("t", "id"), "[0,\"n0\"]\n[10,\"n1\"]\n[20,\"n2\"]");
	// An unknown table is named.
	ExpectRefused("SELECT * FROM =(^)nope", "t", ErrorType::NOT_FOUND, "nope");
}

TEST_F(Ingest, MalformedCsvRowsAreAnError) {
	// The third line has a field too many.
	WriteBytes(data / "raw/bad/x.csv", "id,name\n1,a\n2,b,extra\n3,c\n");
	ExpectRefused("bad", "t", ErrorType::INVALID_INPUT, "");
	// Also into a new table: no table may appear (DuckDB must not guess a one-column dialect).
	ExpectRefused("bad", "fresh", ErrorType::INVALID_INPUT, "");
	EXPECT_FALSE(fs::exists(Table("fresh") / "_delta_log"));
	// A row with a field too few.
	WriteBytes(data / "raw/short/x.csv", "id,name,city\n1,a,Oslo\n2,b\n3,c,Lima\n");
	ExpectRefused("short", "fresh", ErrorType::INVALID_INPUT, "");
	EXPECT_FALSE(fs::exists(Table("fresh") / "_delta_log"));
}

TEST_F(Ingest, CsvFilesWithDifferentColumnsInOneFolderAreAnError) {
	WriteBytes(data / "raw/mixed/a.csv", "id,name\n1,a\n");
	WriteBytes(data / "raw/mixed/b.csv", "x,y,z\n1,2,3\n");
	ExpectRefused("mixed", "t", ErrorType::INVALID_INPUT, "b.csv");
	ExpectRefused("mixed", "fresh", ErrorType::INVALID_INPUT, "b.csv");
	// The same number of columns under other names.
	WriteBytes(data / "raw/renamed/a.csv", "id,name\n1,a\n");
	WriteBytes(data / "raw/renamed/b.csv", "key,label\n2,b\n");
	ExpectRefused("renamed", "fresh", ErrorType::INVALID_INPUT, "b.csv");
	EXPECT_FALSE(fs::exists(Table("fresh") / "_delta_log"));
}

TEST_F(Ingest, EmptyAndMissingFoldersAreErrors) {
	fs::create_directories(data / "raw/empty");
	ExpectRefused("empty", "t", ErrorType::INVALID_INPUT, "raw/empty holds no .csv files");
	WriteBytes(data / "raw/other/readme.md", "# no csv\n");
	ExpectRefused("other", "t", ErrorType::INVALID_INPUT, "no .csv files");
	ExpectRefused("missing", "t", ErrorType::NOT_FOUND, "raw/missing");
	ExpectRefused("files/missing.csv", "t", ErrorType::NOT_FOUND, "missing.csv");
	ExpectRefused("  ", "t", ErrorType::INVALID_INPUT, "no source");
}

TEST_F(Ingest, NonUtf8CsvIsAnError) {
	WriteBytes(data / "raw/latin1/a.csv", "id,name\n1,caf\xe9\n2,na\xefve\n");
	ExpectRefused("latin1", "t", ErrorType::INVALID_INPUT, "utf-8");
	ExpectRefused("latin1", "fresh", ErrorType::INVALID_INPUT, "utf-8");
	EXPECT_FALSE(fs::exists(Table("fresh") / "_delta_log"));
}

TEST_F(Ingest, AVeryLongFieldIsAClearError) {
	std::string big(9 << 20, 'x'); // one 9 MiB field
	WriteBytes(data / "raw/long/a.csv", "id,name\n1," + big + "\n2,b\n");
	auto message = ExpectRefused("long", "t", ErrorType::INVALID_INPUT, "line size");
	// A clear error names the problem; it does not echo megabytes of input.
	EXPECT_LT(message.size(), 64u * 1024) << message.substr(0, 300);
}

TEST_F(Ingest, TraversalAttemptsAreRefused) {
	// Real files outside the data directory, so only the check can stop them.
	WriteBytes(dir / "outside.csv", "id,name\n66,outside\n");
	WriteBytes(dir / "outside_dir/x.csv", "id,name\n66,outside\n");
	ExpectRefused("../outside.csv", "t", ErrorType::PERMISSION, "..");
	ExpectRefused("raw/../../outside.csv", "t", ErrorType::PERMISSION, "..");
	ExpectRefused("..", "t", ErrorType::PERMISSION, "..");
	ExpectRefused("raw/..", "t", ErrorType::PERMISSION, "..");
	ExpectRefused((dir / "outside.csv").string(), "t", ErrorType::PERMISSION, "absolute");
	ExpectRefused("/etc/passwd", "t", ErrorType::PERMISSION, "absolute");
	// A folder name is a plain name.
	ExpectRefused("a..b", "t", ErrorType::NOT_FOUND, "a..b");
	// A symlink inside raw/ that leads out: as a folder, inside a folder, as a file.
	fs::create_directory_symlink(dir / "outside_dir", data / "raw/evil");
	ExpectRefused("evil", "t", ErrorType::PERMISSION, "outside the data directory");
	WriteBytes(data / "raw/mixed/a.csv", "id,name\n7,inside\n");
	fs::create_symlink(dir / "outside.csv", data / "raw/mixed/b.csv");
	ExpectRefused("mixed", "t", ErrorType::PERMISSION, "outside the data directory");
	fs::create_symlink("/etc/passwd", data / "raw/passwd.csv");
	ExpectRefused("raw/passwd.csv", "t", ErrorType::PERMISSION, "outside the data directory");
	ExpectRefused("raw/evil/x.csv", "t", ErrorType::PERMISSION, "outside the data directory");
	// Nothing outside was read.
	EXPECT_EQ(Rows("t", "id"), "[0,\"n0\"]\n[1,\"n1\"]\n[2,\"n2\"]");
	// A symlink that stays inside is fine.
	fs::create_directories(data / "raw/real");
	WriteBytes(data / "raw/real/a.csv", "id,name\n8,linked\n");
	fs::create_directory_symlink(data / "raw/real", data / "raw/alias");
	EXPECT_EQ(worker::Ingest(connection, data, Request("alias", "t")).write.version, 1);
}

TEST_F(Ingest, InvalidTableNamesAreRefused) {
	WriteBytes(data / "raw/sales/a.csv", "id,name\n1,a\n");
	for (const auto &name : std::vector<std::string>{"../t", "a b", "", "t/x", "-t", "t;DROP TABLE x", "..", ".", "t'",
	                                                 "caf\xc3\xa9", std::string(129, 'a')}) {
		ExpectRefused("sales", name, ErrorType::INVALID_INPUT, "table name");
	}
	EXPECT_FALSE(fs::exists(dir / "t"));
	EXPECT_FALSE(fs::exists(data / "t"));
	// The longest name allowed works.
	EXPECT_EQ(worker::Ingest(connection, data, Request("sales", std::string(128, 'a'))).write.version, 0);
}

TEST_F(Ingest, FileNamesThatContainSqlKeywordsAreStillFiles) {
	// Sources are told apart from queries by SELECT / WITH; a file or folder named so is still a file.
	WriteBytes(data / "files/with-header.csv", "id,name\n5,eve\n");
	WriteBytes(data / "raw/select/a.csv", "id,name\n6,fay\n");
	EXPECT_EQ(worker::Ingest(connection, data, Request("files/with-header.csv", "t")).write.version, 1);
	EXPECT_EQ(worker::Ingest(connection, data, Request("select", "t")).write.version, 2);
}

TEST_F(Ingest, QueriesCannotReadOutsideTheDataDirectory) {
	// Through the real binary, whose database may only touch the data directory.
	WriteBytes(dir / "secret/x.csv", "secret\nhunter2\n");
	fs::create_directory_symlink(dir / "secret", data / "raw/evil");
	for (const auto &source : std::vector<std::string>{
	         "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_csv('../secret/x.csv')",
	         "SELECT * FROM read_csv('raw/../../secret/x.csv')",
	         "SELECT * FROM read_csv('" + (dir / "secret/x.csv").string() + "')",
	         "SELECT * FROM read_csv('raw/evil/x.csv')", "SELECT * FROM read_text('raw/evil/x.csv')"}) {
		SCOPED_TRACE(source);
		auto result = Run({"ingest", "--data", data.string(), "--source", source, "--table", "leak"});
		EXPECT_EQ(result.status, 1) << result.out;
		EXPECT_FALSE(fs::exists(Table("leak") / "_delta_log")) << result.out;
		fs::remove_all(Table("leak"));
	}
}

} // namespace deltaduck
