#include "worker/lineage_recorder.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/connection.hpp"
#include "sql/lineage.hpp"

#include <algorithm>
#include <set>

namespace deltaduck::worker {

namespace {

constexpr const char *POSTGRES = "postgres";
constexpr const char *DELTA_PREFIX = "=(^)";

std::string Lower(std::string text) {
	std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
	return text;
}

std::string QuoteName(const std::vector<std::string> &parts) {
	std::string quoted;
	for (const auto &part : parts) {
		quoted += (quoted.empty() ? "" : ".") + QuoteIdentifier(part);
	}
	return quoted;
}

catalog::Parent ToParent(const std::string &name, const std::vector<sql::DeltaRead> &reads) {
	catalog::Parent parent{name, catalog::ParentKind::DUCKDB, std::nullopt};
	if (name.rfind(DELTA_PREFIX, 0) == 0) {
		parent.kind = catalog::ParentKind::DELTA;
		auto table = name.substr(std::string_view(DELTA_PREFIX).size());
		for (const auto &read : reads) {
			if (read.name == table) {
				parent.version = read.version;
				break;
			}
		}
	} else if (Lower(name).rfind(std::string(POSTGRES) + ".", 0) == 0) {
		parent.kind = catalog::ParentKind::POSTGRES;
	}
	return parent;
}

//! The name a record keeps: a shared table is named without its `postgres.` catalog, as the original did.
std::string RecordName(const sql::LineageTarget &target) {
	if (target.parts.size() == 2 && Lower(target.parts[0]) == POSTGRES) {
		return target.parts[1];
	}
	return target.table;
}

} // namespace

std::string LineageRecorder::LocationOf(const std::vector<std::string> &parts) const {
	return parts.size() == 2 && Lower(parts[0]) == POSTGRES ? POSTGRES : worker_id_;
}

LineageRecorder::Change LineageRecorder::Before(Connection &connection, const std::string &statement) const {
	Change change;
	change.dropped = sql::FindDropTarget(statement);
	change.made = sql::FindLineageTarget(statement);
	if (change.made && change.made->if_not_exists) {
		try {
			connection.Execute("SELECT 1 FROM " + QuoteName(change.made->parts) + " LIMIT 0");
			change.made.reset(); // it exists: the statement will do nothing
		} catch (const Error &) {
		}
	}
	return change;
}

void LineageRecorder::After(Connection &connection, const Change &change, const std::string &statement,
                            const std::vector<sql::DeltaRead> &reads) {
	if (change.dropped) {
		catalog_.Drop(RecordName(*change.dropped), LocationOf(change.dropped->parts));
		return;
	}
	if (!change.made) {
		return;
	}
	const auto &target = *change.made;
	catalog::LineageRecord record;
	record.table = RecordName(target);
	record.kind = target.kind;
	record.query = statement;
	record.location = LocationOf(target.parts);
	auto tree = sql::QueryTree::Parse(connection, target.query);
	for (const auto &name : tree.Parents()) {
		record.parents.push_back(ToParent(name, reads));
	}
	if (!target.is_insert) {
		std::vector<std::string> names;
		std::vector<std::string> types;
		for (const auto &row :
		     connection.QueryText("SELECT column_name, column_type FROM (DESCRIBE " + QuoteName(target.parts) + ")")) {
			names.push_back(row[0]);
			types.push_back(row[1]);
		}
		auto columns = tree.ColumnLineage(names);
		for (size_t i = 0; i < columns.size(); i++) {
			record.columns.push_back({columns[i].name, types[i], columns[i].sources, columns[i].transformation});
		}
		catalog_.Record(record);
		return;
	}
	// Rows added to a table keep its earlier lineage: the parents are the union, the query is added once, the
	// columns stay those of the table's creation (an INSERT's select list need not match them by position).
	for (const auto &old : catalog_.List()) {
		if (Lower(old.table) != Lower(record.table) || old.location != record.location) {
			continue;
		}
		for (const auto &parent : old.parents) {
			bool known = std::any_of(record.parents.begin(), record.parents.end(),
			                         [&](const auto &p) { return p.name == parent.name; });
			if (!known) {
				record.parents.push_back(parent);
			}
		}
		if (old.query.find(statement) == std::string::npos) {
			record.query = old.query + ";\n" + statement;
		} else {
			record.query = old.query;
		}
		record.table = old.table;
		record.kind = old.kind;
		record.columns = old.columns;
	}
	std::sort(record.parents.begin(), record.parents.end(),
	          [](const auto &a, const auto &b) { return a.name < b.name; });
	catalog_.Record(record);
}

void LineageRecorder::MarkVanished(Connection &connection) {
	std::set<std::string> present;
	for (const auto &row : connection.QueryText("SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name "
	                                            "FROM duckdb_views() WHERE NOT internal")) {
		present.insert(Lower(row[0]));
	}
	for (const auto &record : catalog_.List()) {
		if (record.location == worker_id_ && !record.gone && !present.count(Lower(record.table)) &&
		    !present.count(Lower(record.table.substr(record.table.rfind('.') + 1)))) {
			catalog_.MarkGone(record.table, record.location);
		}
	}
}

} // namespace deltaduck::worker
