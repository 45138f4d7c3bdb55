#include "worker/result_slice.hpp"

#include "common/json_writer.hpp"
#include "engine/value_encoder.hpp"

#include <cctype>
#include <set>

namespace deltaduck::worker {

namespace {

std::vector<SliceColumn> DescribeColumns(const std::vector<ResultColumn> &columns) {
	std::vector<SliceColumn> described;
	std::set<std::string> keys = {"index"};
	for (const auto &column : columns) {
		std::string key;
		for (unsigned char c : column.name) {
			key.push_back(std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_');
		}
		if (key.empty()) {
			key = "_";
		}
		auto unique = key;
		for (int suffix = 2; !keys.insert(unique).second; suffix++) {
			unique = key + "_" + std::to_string(suffix);
		}
		described.push_back({column.name, column.type.ToString(), column.type.Describe().id, unique});
	}
	return described;
}

} // namespace

ResultSlice ResultSlice::Read(QueryResult &result, uint64_t limit) {
	ResultSlice slice;
	slice.columns_ = DescribeColumns(result.Columns());
	slice.offsets_.push_back(0);
	RowEncoder rows(result.Columns());
	JsonWriter json(slice.cells_);
	bool peeked = false;
	while (true) {
		auto chunk = result.Fetch();
		if (!chunk) {
			slice.total_rows_ = slice.rows_seen_;
			break;
		}
		slice.rows_seen_ += chunk.RowCount();
		rows.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount() && slice.row_count_ < limit; row++, slice.row_count_++) {
			for (auto &encoder : rows.Columns()) {
				encoder->WriteJson(json, row);
				slice.offsets_.push_back(static_cast<uint32_t>(slice.cells_.size()));
			}
		}
		if (slice.rows_seen_ > limit && slice.row_count_ == limit && !peeked) {
			// One more chunk tells a small result's exact size at the cost of at most one chunk; past that the
			// rest is never computed: the caller drops the result, which stops the query.
			peeked = true;
			continue;
		}
		if (slice.rows_seen_ > limit) {
			break;
		}
	}
	return slice;
}

bool IsNumericType(std::string_view id) {
	static const std::set<std::string_view> NUMERIC = {"TINYINT",  "SMALLINT",  "INTEGER",  "BIGINT",  "HUGEINT",
	                                                   "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
	                                                   "FLOAT",    "DOUBLE",    "DECIMAL"};
	return NUMERIC.count(id) > 0;
}

bool IsTemporalType(std::string_view id) {
	return id == "DATE" || id.rfind("TIMESTAMP", 0) == 0 || id.rfind("TIME", 0) == 0;
}

} // namespace deltaduck::worker
