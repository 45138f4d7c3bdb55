#include "common/error.hpp"
#include "sql/pipeline.hpp"

#include <gtest/gtest.h>

namespace deltaduck::sql {

namespace {

using Statements = std::vector<std::string>;
using Waves = std::vector<std::vector<size_t>>;

//! The message of the InvalidInputError that parsing `text` throws, or "no error".
std::string ParseError(const std::string &text) {
	try {
		ParsePipeline(text);
	} catch (const InvalidInputError &e) {
		return e.what();
	}
	return "no error";
}

PipelineStep Step(const std::string &id, std::vector<std::string> depends_on = {}) {
	PipelineStep step;
	step.id = id;
	step.depends_on = std::move(depends_on);
	step.sql = "SELECT 1";
	return step;
}

} // namespace

TEST(Pipeline, ParsesTheDashboardExample) {
	auto steps = ParsePipeline("-- id: 1\n"
	                           "-- node: worker-a\n"
	                           "SELECT 1 AS x;\n"
	                           "-- id: 2\n"
	                           "-- depends_on: 1\n"
	                           "CREATE TABLE t AS SELECT 'a;b' AS s;\n"
	                           "-- depends_on: 1, 2\n"
	                           "-- id: 3\n"
	                           "SELECT * FROM t;\n");
	ASSERT_EQ(steps.size(), 3u);
	EXPECT_EQ(steps[0].id, "1");
	EXPECT_EQ(steps[0].node, "worker-a");
	EXPECT_TRUE(steps[0].depends_on.empty());
	EXPECT_EQ(steps[0].sql, "SELECT 1 AS x");
	EXPECT_EQ(steps[1].id, "2");
	EXPECT_EQ(steps[1].node, std::nullopt);
	EXPECT_EQ(steps[1].depends_on, Statements({"1"}));
	EXPECT_EQ(steps[1].sql, "CREATE TABLE t AS SELECT 'a;b' AS s");
	EXPECT_EQ(steps[2].id, "3");
	EXPECT_EQ(steps[2].depends_on, Statements({"1", "2"}));
	EXPECT_EQ(steps[2].sql, "SELECT * FROM t");
}

TEST(Pipeline, HeadersInAnyOrderAndCase) {
	auto steps = ParsePipeline("-- id: a\nSELECT 1;\n-- id: b\nSELECT 2;\n"
	                           "--NODE:w1\n-- Depends_On :  b ,a\n  -- ID:   c  \nSELECT 3");
	ASSERT_EQ(steps.size(), 3u);
	EXPECT_EQ(steps[2].id, "c");
	EXPECT_EQ(steps[2].node, "w1");
	EXPECT_EQ(steps[2].depends_on, Statements({"b", "a"}));
	EXPECT_EQ(steps[2].sql, "SELECT 3");
}

TEST(Pipeline, DependsOnListWithSpacesAndRepeats) {
	auto steps = ParsePipeline("-- id: x\nSELECT 1;\n-- id: y\nSELECT 2;\n"
	                           "-- id: z\n-- depends_on:   x ,   y,x   \nSELECT 3;");
	EXPECT_EQ(steps[2].depends_on, Statements({"x", "y"}));
}

TEST(Pipeline, KeepsOtherCommentsAndDropsHeaderLines) {
	auto steps = ParsePipeline("-- id: 1\n"
	                           "-- load the raw rows\n"
	                           "/* a block */\n"
	                           "SELECT 1 -- trailing\n"
	                           "  , 2;\n"
	                           "-- id: 2\r\n"
	                           "SELECT 2;");
	ASSERT_EQ(steps.size(), 2u);
	EXPECT_EQ(steps[0].sql, "-- load the raw rows\n/* a block */\nSELECT 1 -- trailing\n  , 2");
	EXPECT_EQ(steps[1].sql, "SELECT 2");
}

TEST(Pipeline, CommentsThatLookLikeHeadersButAreNot) {
	// `-- note:` is an unknown key; a header after code on the same line or inside a string is not a header.
	auto steps = ParsePipeline("-- id: 1\n-- note: keep\nSELECT '\n-- id: 9\n' AS s /* -- id: 8 */;");
	ASSERT_EQ(steps.size(), 1u);
	EXPECT_EQ(steps[0].id, "1");
	EXPECT_EQ(steps[0].sql, "-- note: keep\nSELECT '\n-- id: 9\n' AS s /* -- id: 8 */");
}

TEST(Pipeline, FinalSemicolonIsOptional) {
	auto steps = ParsePipeline("-- id: 1\nSELECT 1;\n-- id: 2\nSELECT 2\n");
	ASSERT_EQ(steps.size(), 2u);
	EXPECT_EQ(steps[1].sql, "SELECT 2");
	// Empty pieces without headers (doubled or trailing `;`, a closing comment) are not steps.
	EXPECT_EQ(ParsePipeline("-- id: 1\nSELECT 1;;\n;\n-- the end\n").size(), 1u);
}

TEST(Pipeline, SemicolonsInsideStringsAndIdentifiers) {
	auto steps = ParsePipeline("-- id: 1\nSELECT 'it''s; fine', E'\\';', \"a;\"\"b\" FROM t;\n"
	                           "-- id: 2\nSELECT $$a;b$$, $fn$ x; $$ ; y $fn$;\n"
	                           "-- id: 3\nSELECT 1 /* a /* nested; */ still; */;");
	ASSERT_EQ(steps.size(), 3u);
	EXPECT_EQ(steps[0].sql, "SELECT 'it''s; fine', E'\\';', \"a;\"\"b\" FROM t");
	EXPECT_EQ(steps[1].sql, "SELECT $$a;b$$, $fn$ x; $$ ; y $fn$");
	EXPECT_EQ(steps[2].sql, "SELECT 1 /* a /* nested; */ still; */");
}

TEST(Pipeline, SplitsAtSemicolonsInCode) {
	EXPECT_EQ(SplitStatements("SELECT 1; SELECT 2"), Statements({"SELECT 1", "SELECT 2"}));
	EXPECT_EQ(SplitStatements("  SELECT 1 ;\n\n SELECT 2;  \n"), Statements({"SELECT 1", "SELECT 2"}));
	EXPECT_EQ(SplitStatements(""), Statements());
	EXPECT_EQ(SplitStatements(" ;; \n ; "), Statements());
}

TEST(Pipeline, SplitIgnoresSemicolonsInStrings) {
	EXPECT_EQ(SplitStatements("SELECT 'a;b'; SELECT 'it''s;'"), Statements({"SELECT 'a;b'", "SELECT 'it''s;'"}));
	EXPECT_EQ(SplitStatements("SELECT E'\\''; SELECT 2"), Statements({"SELECT E'\\''", "SELECT 2"}));
	EXPECT_EQ(SplitStatements("SELECT e'\\\\'; SELECT 2"), Statements({"SELECT e'\\\\'", "SELECT 2"}));
	// Without the E prefix a backslash is an ordinary character.
	EXPECT_EQ(SplitStatements("SELECT '\\'; SELECT 2"), Statements({"SELECT '\\'", "SELECT 2"}));
}

TEST(Pipeline, SplitIgnoresSemicolonsInDollarQuotes) {
	EXPECT_EQ(SplitStatements("SELECT $$a;b$$; SELECT 2"), Statements({"SELECT $$a;b$$", "SELECT 2"}));
	EXPECT_EQ(SplitStatements("SELECT $tag$ $$;$other$; $tag$; SELECT 2"),
	          Statements({"SELECT $tag$ $$;$other$; $tag$", "SELECT 2"}));
	// `$1` is a parameter, not the start of a quote.
	EXPECT_EQ(SplitStatements("SELECT $1; SELECT $2"), Statements({"SELECT $1", "SELECT $2"}));
}

TEST(Pipeline, SplitIgnoresSemicolonsInQuotedIdentifiers) {
	EXPECT_EQ(SplitStatements("SELECT 1 AS \"quoted;ident\"; SELECT 2"),
	          Statements({"SELECT 1 AS \"quoted;ident\"", "SELECT 2"}));
	EXPECT_EQ(SplitStatements("SELECT \"a\"\";b\"; SELECT 2"), Statements({"SELECT \"a\"\";b\"", "SELECT 2"}));
}

TEST(Pipeline, SplitIgnoresSemicolonsInComments) {
	EXPECT_EQ(SplitStatements("SELECT 1 -- one; two\n, 2; SELECT 3"),
	          Statements({"SELECT 1 -- one; two\n, 2", "SELECT 3"}));
	EXPECT_EQ(SplitStatements("SELECT /* a /* b; */ c; */ 1; SELECT 2"),
	          Statements({"SELECT /* a /* b; */ c; */ 1", "SELECT 2"}));
	// Pieces with only comments are dropped; comments before a statement stay with it.
	EXPECT_EQ(SplitStatements("-- only a comment;\n/* and; this */;\n-- lead\nSELECT 1;\n-- the end"),
	          Statements({"-- lead\nSELECT 1"}));
}

TEST(Pipeline, SplitRejectsUnterminatedStringsAndComments) {
	EXPECT_THROW(SplitStatements("SELECT 'abc; SELECT 2"), InvalidInputError);
	EXPECT_THROW(SplitStatements("SELECT \"abc; SELECT 2"), InvalidInputError);
	EXPECT_THROW(SplitStatements("SELECT $$abc; SELECT 2"), InvalidInputError);
	EXPECT_THROW(SplitStatements("SELECT 1 /* a /* b */ ; SELECT 2"), InvalidInputError);
	try {
		SplitStatements("SELECT 1;\nSELECT E'\\'");
		FAIL() << "no error";
	} catch (const InvalidInputError &e) {
		EXPECT_EQ(std::string(e.what()), "unterminated escaped string literal starting at line 2");
	}
	// A line comment may end the text.
	EXPECT_EQ(SplitStatements("SELECT 1 -- done"), Statements({"SELECT 1 -- done"}));
}

TEST(Pipeline, DetectsPipelines) {
	EXPECT_TRUE(IsPipeline("-- id: 1\nSELECT 1"));
	EXPECT_TRUE(IsPipeline("SELECT 0;\n   -- ID:x\nSELECT 1"));
	EXPECT_TRUE(IsPipeline("\t--id : 1\nSELECT 1"));
	EXPECT_FALSE(IsPipeline("SELECT 1"));
	EXPECT_FALSE(IsPipeline("-- node: a\n-- depends_on: b\nSELECT 1"));
	EXPECT_FALSE(IsPipeline("-- identity: 1\nSELECT 1"));
	EXPECT_FALSE(IsPipeline("SELECT 1 -- id: 1"));
}

TEST(Pipeline, HeaderInsideStringOrBlockCommentIsNotAPipeline) {
	EXPECT_FALSE(IsPipeline("SELECT '\n-- id: 1\n'"));
	EXPECT_FALSE(IsPipeline("SELECT E'\\'\n-- id: 1\n'"));
	EXPECT_FALSE(IsPipeline("SELECT $x$\n-- id: 1\n$x$"));
	EXPECT_FALSE(IsPipeline("SELECT 1 AS \"\n-- id: 1\n\""));
	EXPECT_FALSE(IsPipeline("/* /* */\n-- id: 1\n*/ SELECT 1"));
	// An unterminated string does not make the predicate throw.
	EXPECT_FALSE(IsPipeline("SELECT 'abc\n-- id: 1"));
}

TEST(Pipeline, WavesOfADiamond) {
	auto steps = ParsePipeline("-- id: top\nSELECT 1;\n"
	                           "-- id: left\n-- depends_on: top\nSELECT 2;\n"
	                           "-- id: right\n-- depends_on: top\nSELECT 3;\n"
	                           "-- id: bottom\n-- depends_on: left, right\nSELECT 4;");
	EXPECT_EQ(PipelineWaves(steps), Waves({{0}, {1, 2}, {3}}));
}

TEST(Pipeline, WavesOfAChainWrittenBackwards) {
	std::vector<PipelineStep> steps = {Step("c", {"b"}), Step("b", {"a"}), Step("a")};
	EXPECT_EQ(PipelineWaves(steps), Waves({{2}, {1}, {0}}));
}

TEST(Pipeline, WavesOfIndependentSteps) {
	std::vector<PipelineStep> steps = {Step("1"), Step("2"), Step("3")};
	EXPECT_EQ(PipelineWaves(steps), Waves({{0, 1, 2}}));
	EXPECT_EQ(PipelineWaves({}), Waves());
	// A step waits for its deepest dependency, so a shortcut edge does not pull it forward.
	std::vector<PipelineStep> mixed = {Step("a"), Step("b", {"a"}), Step("c", {"a", "b"}), Step("d")};
	EXPECT_EQ(PipelineWaves(mixed), Waves({{0, 3}, {1}, {2}}));
}

TEST(Pipeline, RejectsUnknownDependency) {
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n-- id: 3\n-- depends_on: 1, 9\nSELECT 3;"),
	          "pipeline step 3 depends on unknown step 9");
	std::vector<PipelineStep> steps = {Step("a", {"zz"})};
	EXPECT_THROW(PipelineWaves(steps), InvalidInputError);
}

TEST(Pipeline, RejectsCycles) {
	EXPECT_EQ(ParseError("-- id: 1\n-- depends_on: 2\nSELECT 1;\n-- id: 2\n-- depends_on: 1\nSELECT 2;"),
	          "pipeline has a cycle: 1 -> 2 -> 1");
	// The cycle is reported from the step written first, whichever step the search reached it from.
	EXPECT_EQ(ParseError("-- id: 0\n-- depends_on: 3\nSELECT 0;\n"
	                     "-- id: 1\n-- depends_on: 3\nSELECT 1;\n"
	                     "-- id: 2\n-- depends_on: 1\nSELECT 2;\n"
	                     "-- id: 3\n-- depends_on: 2\nSELECT 3;"),
	          "pipeline has a cycle: 1 -> 3 -> 2 -> 1");
	EXPECT_EQ(ParseError("-- id: 1\n-- depends_on: 1\nSELECT 1;"), "pipeline has a cycle: 1 -> 1");
	std::vector<PipelineStep> steps = {Step("a", {"b"}), Step("b", {"a"})};
	EXPECT_THROW(PipelineWaves(steps), InvalidInputError);
}

TEST(Pipeline, RejectsMissingEmptyAndDuplicateIds) {
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n\n-- node: w\nSELECT 2;"),
	          "pipeline statement at line 4 has no '-- id:' header");
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\nSELECT 2;"), "pipeline statement at line 3 has no '-- id:' header");
	EXPECT_EQ(ParseError("-- id:   \nSELECT 1;"), "pipeline step at line 1 has an empty id");
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n-- id: 1\nSELECT 2;"), "duplicate pipeline step id: 1");
	EXPECT_EQ(ParseError("-- id: a,b\nSELECT 1;"), "pipeline step id must not contain ',': a,b");
}

TEST(Pipeline, RejectsStepsWithoutSql) {
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n-- id: 2\n;"), "pipeline step 2 has no SQL");
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n-- id: 2\n-- only a comment\n/* and this */"),
	          "pipeline step 2 has no SQL");
}

TEST(Pipeline, RejectsBadHeaders) {
	EXPECT_EQ(ParseError("-- id: 1\n-- node: a\n-- NODE: b\nSELECT 1;"), "repeated pipeline header at line 3: node");
	EXPECT_EQ(ParseError("-- id: 1\n-- id: 2\nSELECT 1;"), "repeated pipeline header at line 2: id");
	EXPECT_EQ(ParseError("-- id: 1\n-- node:\nSELECT 1;"), "pipeline step 1 has an empty node");
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1;\n-- id: 2\n-- depends_on: 1,,\nSELECT 2;"),
	          "pipeline step 2 has an empty entry in depends_on: 1,,");
	// A forgotten `;` would merge two steps; the second header gives it away.
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 1\n-- id: 2\nSELECT 2;"),
	          "pipeline header inside a statement (is a ';' missing before it?) at line 3: -- id: 2");
	EXPECT_EQ(ParseError("-- id: 1\nSELECT 'x;"), "unterminated string literal starting at line 2");
}

} // namespace deltaduck::sql
