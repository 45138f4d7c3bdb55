// Runs tests/lineage/lineage_cases.test: each case is a statement with its expected target and parents.

#include "sql/lineage.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace deltaduck {

namespace {

struct LineageCase {
	std::string name;
	std::string statement;
	std::string table;
	std::string parents;
	int line = 0;
};

std::string Trim(const std::string &text) {
	auto begin = text.find_first_not_of(" \t\r\n");
	auto end = text.find_last_not_of(" \t\r\n");
	return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

std::vector<LineageCase> ReadCases(const std::string &path) {
	std::ifstream in(path);
	std::vector<LineageCase> cases;
	std::string line;
	enum { NONE, STATEMENT, EXPECT } state = NONE;
	for (int number = 1; std::getline(in, line); number++) {
		if (line.rfind("# name:", 0) == 0) {
			cases.push_back({Trim(line.substr(7)), "", "", "", number});
			state = NONE;
		} else if (!line.empty() && line[0] == '#') {
			continue;
		} else if (cases.empty()) {
			continue;
		} else if (line == "statement:") {
			state = STATEMENT;
		} else if (line == "----") {
			state = EXPECT;
		} else if (state == STATEMENT) {
			cases.back().statement += line + "\n";
		} else if (state == EXPECT && line.rfind("table:", 0) == 0) {
			cases.back().table = Trim(line.substr(6));
		} else if (state == EXPECT && line.rfind("parents:", 0) == 0) {
			cases.back().parents = Trim(line.substr(8));
		}
	}
	return cases;
}

std::string Join(const std::vector<std::string> &names) {
	std::string out;
	for (const auto &name : names) {
		out += (out.empty() ? "" : ", ") + name;
	}
	return out;
}

} // namespace

TEST(LineageCases, EveryCaseFindsItsTargetAndParents) {
	auto cases = ReadCases(std::string(DELTADUCK_SOURCE_DIR) + "/tests/lineage/lineage_cases.test");
	ASSERT_GE(cases.size(), 30u);
	auto connection = OpenTestConnection();
	int failures = 0;
	for (const auto &test : cases) {
		SCOPED_TRACE("case at line " + std::to_string(test.line) + ": " + test.name);
		auto target = sql::FindLineageTarget(Trim(test.statement));
		std::string table = target ? target->table : "none";
		std::string parents;
		if (target) {
			try {
				parents = Join(sql::QueryTree::Parse(connection, target->query).Parents());
			} catch (const std::exception &e) {
				parents = std::string("error: ") + e.what();
			}
		}
		EXPECT_EQ(table, test.table);
		EXPECT_EQ(parents, test.parents);
		failures += table != test.table || parents != test.parents;
	}
	std::printf("lineage cases: %zu run, %d failed\n", cases.size(), failures);
}

TEST(LineageCases, UnparsableQueryIsAClearError) {
	auto connection = OpenTestConnection();
	try {
		sql::QueryTree::Parse(connection, "SELECT FROM WHERE");
		FAIL() << "expected an error";
	} catch (const std::exception &e) {
		EXPECT_NE(std::string(e.what()).find("cannot read the query's tables"), std::string::npos) << e.what();
	}
}

TEST(LineageCases, ColumnLineageTracesProjectionsAndRenames) {
	auto connection = OpenTestConnection();
	auto tree = sql::QueryTree::Parse(connection, "SELECT a.id, a.v AS value, a.v + b.w AS total, 1 AS one FROM "
	                                              "=(^)a a JOIN b ON a.id = b.id");
	auto columns = tree.ColumnLineage({"id", "value", "total", "one"});
	ASSERT_EQ(columns.size(), 4u);
	EXPECT_EQ(columns[0].transformation, "identity");
	ASSERT_EQ(columns[0].sources.size(), 1u);
	EXPECT_EQ(columns[0].sources[0], std::make_pair(std::string("=(^)a"), std::string("id")));
	EXPECT_EQ(columns[1].transformation, "identity");
	EXPECT_EQ(columns[1].sources[0], std::make_pair(std::string("=(^)a"), std::string("v")));
	EXPECT_EQ(columns[2].transformation, "derived");
	EXPECT_EQ(columns[2].sources.size(), 2u);
	EXPECT_EQ(columns[3].transformation, "derived");
	EXPECT_TRUE(columns[3].sources.empty());
	auto star = sql::QueryTree::Parse(connection, "SELECT * FROM t").ColumnLineage({"x", "y"});
	EXPECT_EQ(star[1].transformation, "identity");
	EXPECT_EQ(star[1].sources[0], std::make_pair(std::string("t"), std::string("y")));
}

} // namespace deltaduck
