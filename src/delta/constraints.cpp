#include "delta/constraints.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "engine/connection.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char *CONSTRAINT_PREFIX = "delta.constraints.";

//! The invariant of one field's metadata: {"expression": {"expression": "<sql>"}} as a JSON string.
std::optional<std::string> Invariant(const json &field) {
	auto metadata = field.find("metadata");
	if (metadata == field.end() || !metadata->is_object() || !metadata->contains("delta.invariants")) {
		return std::nullopt;
	}
	const auto &text = metadata->at("delta.invariants");
	auto parsed = json::parse(text.is_string() ? text.get<std::string>() : text.dump(), nullptr, false);
	if (!parsed.is_object() || !parsed.contains("expression") || !parsed["expression"].is_object() ||
	    !parsed["expression"].contains("expression") || !parsed["expression"]["expression"].is_string()) {
		throw CorruptError("malformed delta.invariants of column " + field.value("name", std::string()));
	}
	return parsed["expression"]["expression"].get<std::string>();
}

//! Whether a field's type (as logged) holds fields of its own that may carry invariants.
void RefuseNestedInvariants(const json &type, const std::string &column) {
	if (!type.is_object()) {
		return;
	}
	for (const auto &field : type.value("fields", json::array())) {
		if (Invariant(field)) {
			throw UnsupportedError("cannot write: column " + column + "." + field.value("name", std::string()) +
			                       " has an invariant, and invariants on nested fields are not enforced");
		}
		RefuseNestedInvariants(field.value("type", json()), column);
	}
	for (const char *inner : {"elementType", "keyType", "valueType"}) {
		if (type.contains(inner)) {
			RefuseNestedInvariants(type[inner], column);
		}
	}
}

//! The character a Spark string escape (`\n`, `\'`, ...) stands for.
char Unescaped(char escaped) {
	switch (escaped) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case '0':
		return '\0';
	default:
		return escaped;
	}
}

//! The condition that a row breaks the constraint (false or NULL).
std::string Broken(const Constraint &constraint) {
	return "NOT coalesce((" + DuckDbExpression(constraint.expression) + "), false)";
}

} // namespace

std::vector<Constraint> TableConstraints(const Metadata &metadata) {
	std::vector<Constraint> constraints;
	for (const auto &[key, value] : metadata.configuration) {
		if (key.rfind(CONSTRAINT_PREFIX, 0) == 0) {
			constraints.push_back({key.substr(std::string(CONSTRAINT_PREFIX).size()), value});
		}
	}
	auto schema = json::parse(metadata.schema_string, nullptr, false);
	for (const auto &field : schema.value("fields", json::array())) {
		auto name = field.value("name", std::string());
		if (auto invariant = Invariant(field)) {
			constraints.push_back({name, *invariant});
		}
		RefuseNestedInvariants(field.value("type", json()), name);
	}
	return constraints;
}

std::string DuckDbExpression(const std::string &spark_sql) {
	std::string out;
	for (size_t i = 0; i < spark_sql.size(); i++) {
		char c = spark_sql[i];
		if (c == '`') { // a name: `` is a back quote in it
			std::string name;
			for (i++; i < spark_sql.size(); i++) {
				if (spark_sql[i] == '`' && i + 1 < spark_sql.size() && spark_sql[i + 1] == '`') {
					name += spark_sql[++i];
				} else if (spark_sql[i] == '`') {
					break;
				} else {
					name += spark_sql[i];
				}
			}
			out += QuoteIdentifier(name);
		} else if (c == '\'' || c == '"') { // a string literal with backslash escapes
			std::string text;
			for (i++; i < spark_sql.size() && spark_sql[i] != c; i++) {
				if (spark_sql[i] == '\\' && i + 1 < spark_sql.size()) {
					text += Unescaped(spark_sql[++i]);
				} else {
					text += spark_sql[i];
				}
			}
			out += QuoteLiteral(text);
		} else {
			out += c;
		}
	}
	return out;
}

namespace {

//! Whether a parse tree (DuckDB's json_serialize_sql) holds a subquery anywhere.
bool HasSubquery(const json &node) {
	if (node.is_object() && node.value("class", std::string()) == "SUBQUERY") {
		return true;
	}
	if (node.is_object() || node.is_array()) {
		for (const auto &child : node) {
			if (HasSubquery(child)) {
				return true;
			}
		}
	}
	return false;
}

//! Why `expression` (DuckDB SQL) is more than one plain expression, or empty when it is one.
std::string NotPlain(Connection &connection, const std::string &expression) {
	// The parser wants a constant; quoted as a literal, the expression cannot end the statement.
	auto text = connection.QueryText("SELECT json_serialize_sql(" + QuoteLiteral("SELECT (" + expression + ")") + ")")
	                .at(0)
	                .at(0);
	auto tree = json::parse(text, nullptr, false);
	if (!tree.is_object() || tree.value("error", true) || !tree["statements"].is_array()) {
		return "it does not parse";
	}
	const auto &statements = tree["statements"];
	if (statements.size() != 1 || !statements[0].contains("node")) {
		return "it is more than one expression";
	}
	const auto &node = statements[0]["node"];
	if (node.value("type", std::string()) != "SELECT_NODE" || node["select_list"].size() != 1 ||
	    node["from_table"].value("type", std::string()) != "EMPTY" || HasSubquery(node)) {
		return "it is more than one expression (a subquery, a table or a list)";
	}
	return "";
}

} // namespace

void CheckConstraintsEvaluable(Connection &connection, const std::shared_ptr<const Snapshot> &table,
                               const std::vector<Constraint> &constraints) {
	if (constraints.empty()) {
		return;
	}
	auto empty = Scan::PlanFiles(connection, table, {}).Sql(); // the table's columns, no rows
	for (const auto &constraint : constraints) {
		auto why = NotPlain(connection, DuckDbExpression(constraint.expression));
		if (!why.empty()) {
			throw UnsupportedError("cannot write table " + table->TableRoot().filename().string() + ": constraint " +
			                       constraint.name + " (" + constraint.expression + ") is refused: " + why);
		}
		try {
			connection.QueryText("SELECT " + Broken(constraint) + " FROM (" + empty + ")");
		} catch (const Error &e) {
			throw UnsupportedError("cannot write table " + table->TableRoot().filename().string() + ": constraint " +
			                       constraint.name + " (" + constraint.expression +
			                       ") cannot be evaluated by DuckDB: " + e.what());
		}
	}
}

void RefuseRowsBreakingConstraints(Connection &connection, const std::shared_ptr<const Snapshot> &table,
                                   const std::vector<Constraint> &constraints, const std::vector<WrittenFile> &files) {
	if (constraints.empty() || files.empty()) {
		return;
	}
	std::vector<Add> adds;
	for (const auto &file : files) {
		adds.push_back(file.ToAdd(0, true));
	}
	std::vector<const Add *> written;
	for (const auto &add : adds) {
		written.push_back(&add);
	}
	std::string counts;
	for (const auto &constraint : constraints) {
		counts += (counts.empty() ? "" : ", ") + std::string("count(*) FILTER (WHERE ") + Broken(constraint) + ")";
	}
	auto remove_files = [&] {
		for (const auto &file : files) {
			std::error_code ignored;
			fs::remove(table->TableRoot() / file.relative_path, ignored);
		}
	};
	std::vector<std::vector<std::string>> broken;
	try {
		broken = connection.QueryText("SELECT " + counts + " FROM (" +
		                              Scan::PlanFiles(connection, table, written).Sql() + ")");
	} catch (const Error &e) {
		remove_files();
		throw InvalidInputError("the constraints of table " + table->TableRoot().filename().string() +
		                        " could not be checked on the source's rows (" + e.what() + "); nothing was written");
	}
	for (size_t i = 0; i < constraints.size(); i++) {
		if (broken.at(0).at(i) == "0") {
			continue;
		}
		remove_files();
		throw InvalidInputError("constraint " + constraints[i].name + " (" + constraints[i].expression + ") of table " +
		                        table->TableRoot().filename().string() + " is not met by " + broken.at(0).at(i) +
		                        " row(s) of the source; nothing was written");
	}
}

} // namespace deltaduck::delta
