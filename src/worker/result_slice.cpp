#include "worker/result_slice.hpp"

#include "common/json_writer.hpp"
#include "engine/value_encoder.hpp"

#include <cctype>
#include <map>
#include <set>

namespace deltaduck::worker {

namespace {

//! The original's key for a column: lower-cased, blanks as `_`; dots as `_` too, since web tables read a key
//! with dots as a path into nested objects.
std::string OriginalKey(const std::string &name) {
	std::string key;
	for (unsigned char c : name) {
		key.push_back(c == ' ' || c == '.' ? '_' : static_cast<char>(std::tolower(c)));
	}
	return key.empty() ? "_" : key;
}

std::vector<SliceColumn> DescribeColumns(const std::vector<ResultColumn> &columns) {
	// Every column gets its original key when no other column has it; only real collisions get a suffix.
	std::map<std::string, int> uses = {{"index", 1}};
	for (const auto &column : columns) {
		uses[OriginalKey(column.name)]++;
	}
	std::set<std::string> taken = {"index"};
	std::vector<SliceColumn> described;
	for (const auto &column : columns) {
		auto key = OriginalKey(column.name);
		auto unique = key;
		if (uses[key] > 1) {
			for (int suffix = 2; taken.count(unique) || (uses.count(unique) && unique != key); suffix++) {
				unique = key + "_" + std::to_string(suffix);
			}
		}
		taken.insert(unique);
		described.push_back({column.name, column.type.ToString(), column.type.Describe().id, unique});
	}
	return described;
}

} // namespace

ResultSlice ResultSlice::Read(QueryResult &result, uint64_t limit,
                              const std::function<void(const DataChunk &)> &observe) {
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
		if (observe) {
			observe(chunk);
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
