#include "common/error.hpp"
#include "engine/connection.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <gtest/gtest.h>

namespace deltaduck {

namespace {

//! `in_set(key, row)` with the even rows below 100,000 as a bitmap ("evens") and, with one row far away, as a
//! list ("sparse").
void RegisterEvens(Connection &connection) {
	std::vector<uint64_t> rows;
	for (uint64_t row = 0; row < 100000; row += 2) {
		rows.push_back(row);
	}
	auto dense = std::make_shared<const RowSet>(rows);
	rows.push_back(uint64_t(1) << 40);
	auto sparse = std::make_shared<const RowSet>(rows);
	EXPECT_FALSE(dense->Bits().empty());
	EXPECT_TRUE(sparse->Bits().empty());
	connection.RegisterRowSetFunction("in_set", [dense, sparse](std::string_view key) -> std::shared_ptr<const RowSet> {
		return key == "evens" ? dense : key == "sparse" ? sparse : nullptr;
	});
}

} // namespace

TEST(RowSetFunction, TellsWhichRowsAreInTheSet) {
	auto config = DatabaseConfig::Defaults();
	config.threads = 2;
	auto database = Database::Open(config);
	auto connection = Connection::Open(database);
	connection.Execute("BEGIN");
	RegisterEvens(connection); // made outside this transaction: its rollback keeps the function
	connection.Execute("ROLLBACK");
	RegisterEvens(connection); // a second registration changes nothing
	// Ascending rows over many chunks, rows out of order, past the set's end, negative and NULL.
	for (std::string key : {"evens", "sparse"}) {
		EXPECT_EQ(
		    connection
		        .QueryText("SELECT count(*) FILTER (WHERE in_set('" + key + "', range)), count(*) FROM range(150000)")
		        .at(0),
		    (std::vector<std::string>{"50000", "150000"}));
	}
	for (std::string key : {"evens", "sparse"}) {
		EXPECT_EQ(connection
		              .QueryText("SELECT list(in_set('" + key +
		                         "', r) ORDER BY i) FROM (VALUES (1, 10), (2, 4), (3, 7), (4, 99998), (5, 100000), "
		                         "(6, -2), (7, NULL), (8, 0)) t(i, r)")
		              .at(0)
		              .at(0),
		          "[true,true,false,true,false,false,false,true]")
		    << key;
	}
	EXPECT_EQ(connection.QueryText("SELECT in_set('sparse', 1099511627776), in_set('evens', 1099511627776)").at(0),
	          (std::vector<std::string>{"true", "false"}));
	// Another connection of the database sees the function.
	auto other = Connection::Open(database);
	EXPECT_EQ(other.QueryText("SELECT in_set('evens', 4)").at(0).at(0), "true");
}

TEST(RowSetFunction, AnUnknownOrNonConstantKeyIsAnError) {
	auto connection = OpenTestConnection();
	RegisterEvens(connection);
	try {
		connection.QueryText("SELECT in_set('odds', 1)");
		FAIL() << "an unknown key was accepted";
	} catch (const Error &e) {
		EXPECT_NE(std::string(e.what()).find("unknown row set: odds"), std::string::npos) << e.what();
	}
	try {
		connection.QueryText("SELECT in_set(k, 1) FROM (VALUES ('evens')) t(k)");
		FAIL() << "a key from a column was accepted";
	} catch (const Error &e) {
		EXPECT_NE(std::string(e.what()).find("must be a constant"), std::string::npos) << e.what();
	}
}

} // namespace deltaduck
