#include "engine/query_result.hpp"

#include "engine/duckdb_error.hpp"
#include "engine/query_result_impl.hpp"

#include <utility>

namespace deltaduck {

DataChunk &DataChunk::operator=(DataChunk &&other) noexcept {
	std::swap(chunk_, other.chunk_);
	return *this;
}

DataChunk::~DataChunk() {
	if (chunk_) {
		duckdb_destroy_data_chunk(&chunk_);
	}
}

uint64_t DataChunk::RowCount() const {
	return chunk_ ? duckdb_data_chunk_get_size(chunk_) : 0;
}

duckdb_vector DataChunk::Column(uint64_t index) const {
	return duckdb_data_chunk_get_vector(chunk_, index);
}

QueryResult::Impl::~Impl() {
	duckdb_destroy_result(&result);
}

QueryResult::QueryResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
	auto count = duckdb_column_count(&impl_->result);
	columns_.reserve(count);
	for (idx_t i = 0; i < count; i++) {
		const char *name = duckdb_column_name(&impl_->result, i);
		columns_.push_back({name ? name : "", LogicalType(duckdb_column_logical_type(&impl_->result, i))});
	}
}

QueryResult::QueryResult(QueryResult &&other) noexcept = default;
QueryResult &QueryResult::operator=(QueryResult &&other) noexcept = default;
QueryResult::~QueryResult() = default;

DataChunk QueryResult::Fetch() {
	DataChunk chunk(duckdb_fetch_chunk(impl_->result));
	if (!chunk) {
		// A streaming result reports execution errors (and interrupts) by ending early with an error set.
		if (duckdb_result_error(&impl_->result)) {
			ThrowResultError(impl_->result);
		}
	}
	return chunk;
}

uint64_t QueryResult::RowsChanged() const {
	return duckdb_rows_changed(&impl_->result);
}

ResultKind QueryResult::Kind() const {
	switch (duckdb_result_return_type(impl_->result)) {
	case DUCKDB_RESULT_TYPE_CHANGED_ROWS:
		return ResultKind::CHANGED_ROWS;
	case DUCKDB_RESULT_TYPE_NOTHING:
		return ResultKind::NOTHING;
	default:
		return ResultKind::ROWS;
	}
}

} // namespace deltaduck
