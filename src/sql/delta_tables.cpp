#include "sql/delta_tables.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"
#include "sql/delta_reference.hpp"

namespace deltaduck::sql {

namespace fs = std::filesystem;

int64_t ParseTimestampMs(Connection &connection, const std::string &text) {
	auto statement = connection.Prepare("SELECT epoch_ms(TRY_CAST($1 AS TIMESTAMPTZ))");
	statement.Bind(1, text);
	auto result = statement.Execute();
	RowEncoder encoder(result.Columns());
	auto chunk = result.Fetch();
	encoder.Bind(chunk);
	std::string value;
	if (!encoder.Columns()[0]->WriteText(value, 0)) {
		throw InvalidInputError("invalid timestamp: '" + text + "' (expected ISO 8601, e.g. 2026-01-01T00:00:00Z)");
	}
	return std::stoll(value);
}

std::string ExpandDeltaTables(Connection &connection, const fs::path &data_dir, std::string_view sql,
                              std::vector<DeltaRead> *reads) {
	return RewriteDeltaReferences(sql, [&](const DeltaReference &reference) {
		auto root = data_dir / DELTA_DIR / reference.name;
		if (!fs::is_directory(root / "_delta_log")) {
			throw NotFoundError("Delta table not found: " + reference.name);
		}
		delta::VersionSpec spec;
		spec.version = reference.version;
		if (reference.timestamp) {
			spec.timestamp_ms = ParseTimestampMs(connection, *reference.timestamp);
		}
		auto snapshot = delta::Snapshot::LoadCached(connection, root, spec);
		if (reads) {
			reads->push_back({reference.name, snapshot->Version()});
		}
		auto scan = delta::Scan::Plan(connection, snapshot);
		auto expanded = "(" + scan.Sql() + ")";
		return reference.has_alias ? expanded : expanded + " AS " + QuoteIdentifier(reference.name);
	});
}

std::string QuackSql(int64_t rows) {
	return "SELECT CAST(floor(random() * 100) AS INTEGER) AS \"Data One\", CAST(floor(random() * 100) AS INTEGER) "
	       "AS \"Data Two\", CAST(floor(random() * 100) AS INTEGER) AS \"Data Three\" FROM range(" +
	       std::to_string(std::max<int64_t>(rows, 0)) + ")";
}

} // namespace deltaduck::sql
