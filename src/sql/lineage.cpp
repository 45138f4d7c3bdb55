#include "sql/lineage.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/connection.hpp"
#include "sql/delta_reference.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace deltaduck::sql {

using json = nlohmann::json;

namespace {

//! A word, a quoted identifier or one punctuation character of a statement's head.
struct Token {
	std::string text;
	//! Upper-cased for words; empty for quoted identifiers and punctuation.
	std::string keyword;
	bool quoted = false;
	size_t offset = 0;
};

//! Splits the head of a statement into tokens, skipping blanks and comments. String literals end the scan:
//! the parts of a statement we look at (keywords and the target name) come before any.
std::vector<Token> Tokenize(std::string_view sql) {
	std::vector<Token> tokens;
	size_t i = 0;
	while (i < sql.size()) {
		char c = sql[i];
		if (std::isspace(static_cast<unsigned char>(c))) {
			i++;
		} else if (sql.substr(i, 2) == "--") {
			i = sql.find('\n', i);
			i = i == std::string_view::npos ? sql.size() : i;
		} else if (sql.substr(i, 2) == "/*") {
			auto end = sql.find("*/", i + 2);
			i = end == std::string_view::npos ? sql.size() : end + 2;
		} else if (c == '"') {
			Token token{"", "", true, i};
			for (i++; i < sql.size(); i++) {
				if (sql[i] == '"') {
					if (i + 1 < sql.size() && sql[i + 1] == '"') {
						i++;
					} else {
						break;
					}
				}
				token.text.push_back(sql[i]);
			}
			i++;
			tokens.push_back(std::move(token));
		} else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
			Token token{"", "", false, i};
			while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
				token.text.push_back(sql[i]);
				token.keyword.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i]))));
				i++;
			}
			tokens.push_back(std::move(token));
		} else if (c == '\'') {
			break;
		} else {
			tokens.push_back({std::string(1, c), "", false, i});
			i++;
		}
	}
	return tokens;
}

//! Walks the tokens of a statement's head.
class TokenCursor {
public:
	explicit TokenCursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {
	}
	bool AtEnd() const {
		return pos_ >= tokens_.size();
	}
	const Token &Peek(size_t ahead = 0) const {
		static const Token END;
		return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : END;
	}
	//! Consumes the next token if it is the keyword `word`.
	bool Accept(const char *word) {
		if (!AtEnd() && !Peek().quoted && Peek().keyword == word) {
			pos_++;
			return true;
		}
		return false;
	}
	bool AcceptPunct(char c) {
		if (!AtEnd() && !Peek().quoted && Peek().text.size() == 1 && Peek().text[0] == c) {
			pos_++;
			return true;
		}
		return false;
	}
	//! A dotted name (`a`, `s.t`, `"My S"."T"`); empty when the next token is not a name.
	std::vector<std::string> Name() {
		std::vector<std::string> parts;
		while (!AtEnd() && (Peek().quoted || !Peek().keyword.empty())) {
			parts.push_back(tokens_[pos_++].text);
			if (!AcceptPunct('.')) {
				break;
			}
		}
		return parts;
	}
	//! Skips a parenthesised list, the cursor at its `(`.
	void SkipParens() {
		int depth = 0;
		do {
			if (AcceptPunct('(')) {
				depth++;
			} else if (AcceptPunct(')')) {
				depth--;
			} else {
				pos_++;
			}
		} while (depth > 0 && !AtEnd());
	}
	size_t Offset() const {
		return Peek().offset;
	}

private:
	std::vector<Token> tokens_;
	size_t pos_ = 0;
};

std::string JoinName(const std::vector<std::string> &parts) {
	std::string name;
	for (const auto &part : parts) {
		name += (name.empty() ? "" : ".") + part;
	}
	return name;
}

bool StartsQuery(const Token &token) {
	static const std::set<std::string> STARTS = {"SELECT", "WITH",      "FROM",  "TABLE",
	                                             "VALUES", "SUMMARIZE", "PIVOT", "UNPIVOT"};
	return !token.quoted && (STARTS.count(token.keyword) || token.text == "(");
}

std::string QueryFrom(std::string_view statement, size_t offset) {
	std::string query(statement.substr(offset));
	while (!query.empty() && (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';')) {
		query.pop_back();
	}
	return query;
}

std::optional<LineageTarget> CreateTarget(std::string_view statement, TokenCursor &cursor) {
	LineageTarget target;
	if (cursor.Accept("OR") && !cursor.Accept("REPLACE")) {
		return std::nullopt;
	}
	cursor.Accept("TEMP") || cursor.Accept("TEMPORARY");
	if (cursor.Accept("VIEW")) {
		target.kind = "view";
	} else if (!cursor.Accept("TABLE")) {
		return std::nullopt;
	}
	if (cursor.Accept("IF")) {
		if (!(cursor.Accept("NOT") && cursor.Accept("EXISTS"))) {
			return std::nullopt;
		}
		target.if_not_exists = true;
	}
	target.parts = cursor.Name();
	if (target.parts.empty()) {
		return std::nullopt;
	}
	if (target.kind == "view" && cursor.Peek().text == "(") {
		cursor.SkipParens(); // the view's column names
	}
	if (!cursor.Accept("AS") || cursor.AtEnd()) {
		return std::nullopt;
	}
	target.table = JoinName(target.parts);
	target.query = QueryFrom(statement, cursor.Offset());
	return target;
}

std::optional<LineageTarget> InsertTarget(std::string_view statement, TokenCursor &cursor) {
	LineageTarget target;
	target.is_insert = true;
	if (cursor.Accept("OR") && !(cursor.Accept("REPLACE") || cursor.Accept("IGNORE"))) {
		return std::nullopt;
	}
	if (!cursor.Accept("INTO")) {
		return std::nullopt;
	}
	target.parts = cursor.Name();
	if (target.parts.empty()) {
		return std::nullopt;
	}
	for (int round = 0; round < 2; round++) {
		if (cursor.Accept("BY")) {
			cursor.Accept("NAME") || cursor.Accept("POSITION");
		}
		// A parenthesis opens the column list unless a query starts inside it.
		if (cursor.Peek().text == "(" && !StartsQuery(cursor.Peek(1))) {
			cursor.SkipParens();
		}
	}
	const auto &next = cursor.Peek();
	if (cursor.AtEnd() || !StartsQuery(next) || next.keyword == "VALUES") {
		return std::nullopt; // VALUES and DEFAULT VALUES read no table
	}
	target.table = JoinName(target.parts);
	target.query = QueryFrom(statement, cursor.Offset());
	return target;
}

std::string Lower(std::string text) {
	for (auto &c : text) {
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	}
	return text;
}

//! Whether a FROM name is a file DuckDB reads by replacement scan ('raw/x.csv'), not a table.
bool IsFileName(const std::string &name) {
	if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
		return true;
	}
	static const char *SUFFIXES[] = {".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", ".txt", ".gz", ".zst"};
	auto lower = Lower(name);
	for (const char *suffix : SUFFIXES) {
		std::string_view s(suffix);
		if (lower.size() > s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0) {
			return true;
		}
	}
	return false;
}

//! A string member of a parse-tree node, or "" (many members named like "type" hold objects elsewhere).
std::string Text(const json &node, const char *key) {
	auto it = node.find(key);
	return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string BaseTableName(const json &node) {
	std::vector<std::string> parts;
	for (const char *key : {"catalog_name", "schema_name", "table_name"}) {
		auto value = node.value(key, "");
		if (!value.empty()) {
			parts.push_back(value);
		}
	}
	return JoinName(parts);
}

//! Collects BASE_TABLE references, keeping track of which CTE names are in scope: a CTE sees the CTEs
//! defined before it (and itself when recursive); the query below a WITH sees all of them.
void CollectTables(const json &node, const std::set<std::string> &ctes, std::vector<TableRead> &out) {
	if (node.is_array()) {
		for (const auto &child : node) {
			CollectTables(child, ctes, out);
		}
		return;
	}
	if (!node.is_object()) {
		return;
	}
	if (Text(node, "type") == "BASE_TABLE" && node.contains("table_name")) {
		auto schema = Text(node, "schema_name");
		auto catalog = Text(node, "catalog_name");
		auto name = Text(node, "table_name");
		bool is_cte = schema.empty() && catalog.empty() && ctes.count(Lower(name));
		if (!is_cte && !IsFileName(name)) {
			out.push_back({BaseTableName(node), schema, Text(node, "alias")});
		}
		return;
	}
	auto scope = ctes;
	auto map = node.find("cte_map");
	if (map != node.end() && map->contains("map")) {
		for (const auto &entry : (*map)["map"]) {
			auto name = Lower(Text(entry, "key"));
			const auto &body = entry["value"]["query"];
			auto body_scope = scope;
			if (body.contains("node") && Text(body["node"], "type") == "RECURSIVE_CTE_NODE") {
				body_scope.insert(name);
			}
			CollectTables(body, body_scope, out);
			scope.insert(name);
		}
	}
	bool materialized_cte = Text(node, "type") == "CTE_NODE";
	for (const auto &[key, child] : node.items()) {
		// A materialized CTE's node repeats the CTE's body under "query"; it was walked from the map.
		if (key == "cte_map" || (materialized_cte && key == "query")) {
			continue;
		}
		CollectTables(child, scope, out);
	}
}

//! The first SELECT node of a statement, looking through materialized CTE wrappers.
const json *TopSelect(const json &statement) {
	const json *node = &statement["node"];
	while (node->is_object() && Text(*node, "type") == "CTE_NODE") {
		node = &(*node)["child"];
	}
	return node->is_object() && Text(*node, "type") == "SELECT_NODE" ? node : nullptr;
}

//! The tables directly in a FROM clause (through joins, not into subqueries); false if it holds anything
//! else (a subquery or table function), whose columns cannot be traced here.
bool DirectTables(const json &from, std::vector<TableRead> &out) {
	if (!from.is_object()) {
		return true;
	}
	auto type = Text(from, "type");
	if (type == "BASE_TABLE") {
		out.push_back({BaseTableName(from), Text(from, "schema_name"), Text(from, "alias")});
		return true;
	}
	if (type == "JOIN") {
		bool left = DirectTables(from["left"], out);
		bool right = DirectTables(from["right"], out);
		return left && right;
	}
	return type == "EMPTY" || from.is_null();
}

void CollectColumnRefs(const json &node, std::vector<std::vector<std::string>> &out) {
	if (node.is_array()) {
		for (const auto &child : node) {
			CollectColumnRefs(child, out);
		}
	} else if (node.is_object()) {
		if (Text(node, "class") == "COLUMN_REF") {
			out.push_back(node["column_names"].get<std::vector<std::string>>());
			return;
		}
		if (Text(node, "class") == "SUBQUERY") {
			return; // its columns belong to other tables
		}
		for (const auto &[key, child] : node.items()) {
			CollectColumnRefs(child, out);
		}
	}
}

//! Resolves `[qualifier.]column` to (table, column) among the FROM tables; nothing if ambiguous.
std::optional<std::pair<std::string, std::string>> Resolve(const std::vector<std::string> &ref,
                                                           const std::vector<TableRead> &tables) {
	if (ref.empty()) {
		return std::nullopt;
	}
	const auto &column = ref.back();
	if (ref.size() == 1) {
		if (tables.size() == 1) {
			return std::make_pair(tables[0].name, column);
		}
		return std::nullopt;
	}
	auto qualifier = Lower(ref[ref.size() - 2]);
	for (const auto &table : tables) {
		auto last = table.name.substr(table.name.rfind('.') == std::string::npos ? 0 : table.name.rfind('.') + 1);
		if (Lower(table.alias) == qualifier || (table.alias.empty() && Lower(last) == qualifier)) {
			return std::make_pair(table.name, column);
		}
	}
	return std::nullopt;
}

} // namespace

std::optional<LineageTarget> FindLineageTarget(std::string_view statement) {
	TokenCursor cursor(Tokenize(statement));
	if (cursor.Accept("CREATE")) {
		return CreateTarget(statement, cursor);
	}
	if (cursor.Accept("INSERT")) {
		return InsertTarget(statement, cursor);
	}
	return std::nullopt;
}

std::optional<LineageTarget> FindDropTarget(std::string_view statement) {
	TokenCursor cursor(Tokenize(statement));
	LineageTarget target;
	if (!cursor.Accept("DROP")) {
		return std::nullopt;
	}
	if (cursor.Accept("VIEW")) {
		target.kind = "view";
	} else if (!cursor.Accept("TABLE")) {
		return std::nullopt;
	}
	if (cursor.Accept("IF") && !cursor.Accept("EXISTS")) {
		return std::nullopt;
	}
	target.parts = cursor.Name();
	if (target.parts.empty()) {
		return std::nullopt;
	}
	target.table = JoinName(target.parts);
	return target;
}

struct QueryTree::Impl {
	json statement;
};

QueryTree::QueryTree(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
}
QueryTree::~QueryTree() = default;
QueryTree::QueryTree(QueryTree &&) noexcept = default;
QueryTree &QueryTree::operator=(QueryTree &&) noexcept = default;

QueryTree QueryTree::Parse(Connection &connection, std::string_view query) {
	// Delta references become quoted identifiers, so the parse tree names them as tables.
	auto text = RewriteDeltaReferences(query, [](const DeltaReference &reference) {
		std::string quoted = "\"=(^)";
		for (char c : reference.name) {
			quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
		}
		return quoted + "\"";
	});
	// json_serialize_sql takes a constant only, not a parameter: the text goes in as a quoted literal.
	auto serialized = connection.QueryText("SELECT json_serialize_sql(" + QuoteLiteral(text) + ")").at(0).at(0);
	auto tree = json::parse(serialized, nullptr, false);
	if (tree.is_discarded() || tree.value("error", true)) {
		auto message = tree.is_object() ? Text(tree, "error_message") : "";
		throw InvalidInputError("cannot read the query's tables: " + (message.empty() ? "not a query" : message));
	}
	if (tree["statements"].size() != 1) {
		throw InvalidInputError("expected one query, got " + std::to_string(tree["statements"].size()));
	}
	auto impl = std::make_unique<Impl>();
	impl->statement = std::move(tree["statements"][0]);
	return QueryTree(std::move(impl));
}

std::vector<std::string> QueryTree::Parents() const {
	std::vector<TableRead> tables;
	CollectTables(impl_->statement, {}, tables);
	std::vector<std::string> names;
	for (const auto &table : tables) {
		names.push_back(table.name);
	}
	std::sort(names.begin(), names.end());
	names.erase(std::unique(names.begin(), names.end()), names.end());
	return names;
}

std::vector<QueryTree::Column> QueryTree::ColumnLineage(const std::vector<std::string> &output_names) const {
	std::vector<Column> columns;
	for (const auto &name : output_names) {
		columns.push_back({name, {}, "derived"});
	}
	const json *select = TopSelect(impl_->statement);
	std::vector<TableRead> tables;
	if (!select || !DirectTables((*select)["from_table"], tables)) {
		return columns;
	}
	const auto &list = (*select)["select_list"];
	if (list.size() == 1 && Text(list[0], "class") == "STAR" && !list[0].value("columns", false) &&
	    list[0]["exclude_list"].empty() && list[0]["replace_list"].empty() && tables.size() == 1) {
		for (auto &column : columns) {
			column.sources = {{tables[0].name, column.name}};
			column.transformation = "identity";
		}
		return columns;
	}
	for (const auto &entry : list) {
		if (Text(entry, "class") == "STAR") {
			return columns; // positions after a star are unknown here
		}
	}
	for (size_t i = 0; i < list.size() && i < columns.size(); i++) {
		std::vector<std::vector<std::string>> refs;
		CollectColumnRefs(list[i], refs);
		for (const auto &ref : refs) {
			if (auto source = Resolve(ref, tables)) {
				columns[i].sources.push_back(*source);
			}
		}
		std::sort(columns[i].sources.begin(), columns[i].sources.end());
		columns[i].sources.erase(std::unique(columns[i].sources.begin(), columns[i].sources.end()),
		                         columns[i].sources.end());
		if (Text(list[i], "class") == "COLUMN_REF" && columns[i].sources.size() == 1) {
			columns[i].transformation = "identity";
		}
	}
	return columns;
}

} // namespace deltaduck::sql
