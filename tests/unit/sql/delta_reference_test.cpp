#include "common/error.hpp"
#include "sql/delta_reference.hpp"

#include <gtest/gtest.h>

namespace deltaduck::sql {

namespace {

//! Rewrites every reference to <name[@version|@ts][+alias?]> so the cases read as data.
std::string Mark(const std::string &sql) {
	return RewriteDeltaReferences(sql, [](const DeltaReference &reference) {
		std::string text = "<" + reference.name;
		if (reference.version) {
			text += "@" + std::to_string(*reference.version);
		}
		if (reference.timestamp) {
			text += "@'" + *reference.timestamp + "'";
		}
		return text + (reference.has_alias ? "" : " AS " + reference.name) + ">";
	});
}

struct Case {
	const char *sql;
	const char *rewritten;
};

} // namespace

TEST(DeltaReference, RewritesReferencesInCode) {
	const Case cases[] = {
	    {"SELECT * FROM =(^)climate", "SELECT * FROM <climate AS climate>"},
	    {"SELECT * FROM =(^)climate;", "SELECT * FROM <climate AS climate>;"},
	    {"SELECT * FROM =(^)climate c", "SELECT * FROM <climate> c"},
	    {"SELECT * FROM =(^)climate AS c", "SELECT * FROM <climate> AS c"},
	    {"SELECT * FROM =(^)climate WHERE x = 1", "SELECT * FROM <climate AS climate> WHERE x = 1"},
	    {"SELECT * FROM =(^)a JOIN =(^)b ON a.id = b.id", "SELECT * FROM <a AS a> JOIN <b AS b> ON a.id = b.id"},
	    {"SELECT * FROM =(^)a, =(^)b", "SELECT * FROM <a AS a>, <b AS b>"},
	    {"SELECT * FROM (SELECT * FROM =(^)a)", "SELECT * FROM (SELECT * FROM <a AS a>)"},
	    {"SELECT * FROM =(^)sales@3", "SELECT * FROM <sales@3 AS sales>"},
	    {"SELECT * FROM =(^)sales@'2026-01-01T00:00:00Z' s", "SELECT * FROM <sales@'2026-01-01T00:00:00Z'> s"},
	    {"SELECT * FROM =(^)my-table_2", "SELECT * FROM <my-table_2 AS my-table_2>"},
	    {"SELECT * FROM =(^)t\n-- trailing comment", "SELECT * FROM <t AS t>\n-- trailing comment"},
	    {"SELECT * FROM =(^)t-- latest", "SELECT * FROM <t AS t>-- latest"},
	    {"SELECT * FROM =(^)my-t-- note", "SELECT * FROM <my-t AS my-t>-- note"},
	    {"SELECT * FROM =(^)t /* c */ x", "SELECT * FROM <t> /* c */ x"},
	    {"WITH x AS (SELECT 1) SELECT * FROM =(^)t UNION ALL SELECT * FROM x",
	     "WITH x AS (SELECT 1) SELECT * FROM <t AS t> UNION ALL SELECT * FROM x"},
	};
	for (const auto &c : cases) {
		EXPECT_EQ(Mark(c.sql), c.rewritten) << c.sql;
	}
}

TEST(DeltaReference, LeavesStringsQuotedIdentifiersAndCommentsAlone) {
	const char *untouched[] = {
	    "SELECT '=(^)climate'",         "SELECT 'it''s =(^)climate'", "SELECT \"=(^)climate\" FROM t",
	    "SELECT \"a\"\"=(^)b\" FROM t", "SELECT 1 -- =(^)climate",    "SELECT /* =(^)climate */ 1",
	    "SELECT E'\\' =(^)climate'",    "SELECT $$ =(^)climate $$",   "SELECT $tag$ =(^)climate $tag$",
	};
	for (const char *sql : untouched) {
		EXPECT_EQ(Mark(sql), sql) << sql;
		EXPECT_TRUE(FindDeltaReferences(sql).empty()) << sql;
	}
	EXPECT_EQ(Mark("SELECT '=(^)x', * FROM =(^)y"), "SELECT '=(^)x', * FROM <y AS y>");
}

TEST(DeltaReference, RejectsBadNamesAndVersions) {
	for (const char *sql : {"SELECT * FROM =(^)", "SELECT * FROM =(^)../etc", "SELECT * FROM =(^)t@",
	                        "SELECT * FROM =(^)t@x", "SELECT * FROM =(^)t@'2026", "SELECT * FROM =(^)-t"}) {
		EXPECT_THROW(FindDeltaReferences(sql), InvalidInputError) << sql;
	}
}

TEST(DeltaReference, RecognisesTheQuackTest) {
	EXPECT_TRUE(IsQuackQuery("=(^)quack"));
	EXPECT_TRUE(IsQuackQuery("  =(^)QUACK ;\n"));
	EXPECT_FALSE(IsQuackQuery("SELECT * FROM =(^)quack"));
}

} // namespace deltaduck::sql
