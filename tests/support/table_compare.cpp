#include "tests/support/table_compare.hpp"

#include "common/sql_quote.hpp"
#include "engine/value_encoder.hpp"

namespace deltaduck {

std::string ReadParquetSql(const std::string &glob) {
	return "SELECT * FROM read_parquet(" + QuoteLiteral(glob) + ", union_by_name = true)";
}

std::string CompareRows(Connection &connection, const delta::Snapshot &snapshot, const std::string &ours_sql,
                        const std::string &expected_sql) {
	std::string columns;
	for (const auto &field : snapshot.GetSchema().fields) {
		columns += (columns.empty() ? "" : ", ") + std::string("CAST(") + QuoteIdentifier(field.name) + " AS " +
		           field.type->ToDuckDB() + ") AS " + QuoteIdentifier(field.name);
	}
	// Rows are compared through their JSON text: DuckDB cannot hash every nested type.
	auto as_text = [](const std::string &sql) {
		return "SELECT CAST(to_json(t) AS VARCHAR) AS row_text FROM (" + sql + ") t";
	};
	auto result = connection.Query(
	    "WITH ours AS (" + as_text(ours_sql) + "), expected AS (" +
	    as_text("SELECT " + columns + " FROM (" + expected_sql + ")") +
	    ") SELECT (SELECT count(*) FROM (SELECT * FROM ours EXCEPT ALL SELECT * FROM expected)) || ' unexpected, ' || "
	    "(SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM ours)) || ' missing of ' || "
	    "(SELECT count(*) FROM expected)");
	RowEncoder encoder(result.Columns());
	auto chunk = result.Fetch();
	encoder.Bind(chunk);
	std::string text;
	encoder.Columns()[0]->WriteText(text, 0);
	return text;
}

bool SameRows(const std::string &comparison) {
	return comparison.rfind("0 unexpected, 0 missing", 0) == 0;
}

} // namespace deltaduck
