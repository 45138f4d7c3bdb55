#include "common/error.hpp"
#include "common/names.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

TEST(Names, AcceptsLettersDigitsUnderscoreAndDash) {
	EXPECT_NO_THROW(CheckName("table name", "climate"));
	EXPECT_NO_THROW(CheckName("table name", "Sales_2024-q1"));
	EXPECT_NO_THROW(CheckName("table name", std::string(MAX_NAME_LENGTH, 'a')));
}

TEST(Names, RejectsPathsQuotesAndSql) {
	for (const std::string &bad :
	     std::vector<std::string>{"", "..", "../x", "a/b", "a\\b", "x'; DROP TABLE t; --", "a b", "-rf", "naïve",
	                              "a.csv", std::string(MAX_NAME_LENGTH + 1, 'a'), std::string("a\0b", 3)}) {
		EXPECT_THROW(CheckName("folder name", bad), InvalidInputError) << bad;
	}
	try {
		CheckName("folder name", "../x");
	} catch (const InvalidInputError &e) {
		EXPECT_EQ(std::string(e.what()), "invalid folder name '../x': only letters, digits, '_' and '-' are allowed");
	}
}

} // namespace deltaduck
