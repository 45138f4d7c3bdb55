#include "common/error.hpp"
#include "engine/connection.hpp"

#include <algorithm>
#include <duckdb.h>
#include <mutex>
#include <string>

namespace deltaduck {

namespace {

using SharedRowSet = std::shared_ptr<const RowSet>;

//! Finds the set `key` names; returns the error to report instead (nothing may unwind through DuckDB's C frames).
std::string Resolve(const RowSetLookup &lookup, const std::string &key, std::shared_ptr<const RowSet> &set) {
	try {
		set = lookup(key);
	} catch (const std::exception &e) {
		return "cannot load row set " + key + ": " + e.what();
	}
	return set ? "" : "unknown row set: " + key;
}

//! Resolves the key when the query is bound: it must be a constant, so execution never looks at it again.
void BindRowSet(duckdb_bind_info info) {
	const auto &lookup = *static_cast<const RowSetLookup *>(duckdb_scalar_function_bind_get_extra_info(info));
	auto argument = duckdb_scalar_function_bind_get_argument(info, 0);
	std::string error;
	if (!duckdb_expression_is_foldable(argument)) {
		error = "the row set key must be a constant";
	} else {
		duckdb_client_context context;
		duckdb_scalar_function_get_client_context(info, &context);
		duckdb_value value = nullptr;
		auto folded = duckdb_expression_fold(context, argument, &value);
		if (duckdb_error_data_has_error(folded)) {
			error = duckdb_error_data_message(folded);
		} else {
			char *text = duckdb_get_varchar(value);
			std::string key = text ? text : "";
			duckdb_free(text);
			std::shared_ptr<const RowSet> set;
			error = Resolve(lookup, key, set);
			if (set) {
				duckdb_scalar_function_set_bind_data(info, new SharedRowSet(std::move(set)),
				                                     [](void *data) { delete static_cast<SharedRowSet *>(data); });
				duckdb_scalar_function_set_bind_data_copy(
				    info, [](void *data) -> void * { return new SharedRowSet(*static_cast<SharedRowSet *>(data)); });
			}
		}
		duckdb_destroy_value(&value);
		duckdb_destroy_error_data(&folded);
		duckdb_destroy_client_context(&context);
	}
	duckdb_destroy_expression(&argument);
	if (!error.empty()) {
		duckdb_scalar_function_bind_set_error(info, error.c_str());
	}
}

//! Membership of rows in a sorted list. Rows of one file arrive ascending, so a cursor into the list, found by
//! binary search for a chunk's first row, moves forward with them; it is searched for again only when a row is
//! smaller than the one before.
void ListContains(const std::vector<uint64_t> &list, const int64_t *rows, uint64_t *validity, idx_t count,
                  bool *result) {
	const uint64_t *begin = list.data(), *end = list.data() + list.size(), *cursor = begin;
	int64_t previous = -1;
	for (idx_t i = 0; i < count; i++) {
		auto row = rows[i];
		if (row < 0 || (validity && !duckdb_validity_row_is_valid(validity, i))) {
			result[i] = false; // no row (a NULL's value is garbage: it must not move the cursor)
			continue;
		}
		if (row < previous) {
			cursor = begin; // rows went back: search from the start again
		}
		previous = row;
		auto wanted = static_cast<uint64_t>(row);
		if (cursor != end && *cursor < wanted) {
			// Short gaps are walked, long ones (a chunk's first row, skipped row groups) searched.
			auto *walked = cursor + std::min<ptrdiff_t>(8, end - cursor);
			while (cursor != walked && *cursor < wanted) {
				++cursor;
			}
			if (cursor != end && *cursor < wanted) {
				cursor = std::lower_bound(cursor, end, wanted);
			}
		}
		result[i] = cursor != end && *cursor == wanted;
	}
}

void RowSetContains(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
	const auto &set = **static_cast<const SharedRowSet *>(duckdb_scalar_function_get_bind_data(info));
	auto count = duckdb_data_chunk_get_size(input);
	auto rows_vector = duckdb_data_chunk_get_vector(input, 1);
	const auto *rows = static_cast<const int64_t *>(duckdb_vector_get_data(rows_vector));
	auto *validity = duckdb_vector_get_validity(rows_vector);
	auto *result = static_cast<bool *>(duckdb_vector_get_data(output));
	const auto &bits = set.Bits();
	if (bits.empty()) {
		ListContains(set.Rows(), rows, validity, count, result);
		return;
	}
	auto limit = static_cast<uint64_t>(bits.size()) * 64;
	for (idx_t i = 0; i < count; i++) {
		auto row = static_cast<uint64_t>(rows[i]); // a negative row becomes huge: past the bitmap, not in the set
		result[i] = row < limit && ((bits[row / 64] >> (row % 64)) & 1);
	}
	if (validity) {
		for (idx_t i = 0; i < count; i++) {
			result[i] = result[i] && duckdb_validity_row_is_valid(validity, i);
		}
	}
}

} // namespace

RowSet::RowSet(std::vector<uint64_t> ascending) : size_(ascending.size()) {
	if (ascending.empty() || ascending.back() / 64 + 1 > ascending.size()) {
		rows_ = std::move(ascending);
		return;
	}
	bits_.assign(ascending.back() / 64 + 1, 0);
	for (auto row : ascending) {
		bits_[row / 64] |= uint64_t(1) << (row % 64);
	}
}

void Connection::RegisterRowSetFunction(const std::string &name, RowSetLookup lookup) {
	// Once per database, through a connection of its own in auto-commit mode: registered inside this connection's
	// transaction, the function would vanish with a rollback.
	static std::mutex mutex;
	std::lock_guard<std::mutex> lock(mutex);
	if (database_->functions_.count(name)) {
		return;
	}
	duckdb_connection registrar = nullptr;
	if (duckdb_connect(database_->Get(), &registrar) == DuckDBError) {
		throw InternalError("cannot connect to register the function " + name);
	}
	auto function = duckdb_create_scalar_function();
	duckdb_scalar_function_set_name(function, name.c_str());
	auto varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
	auto bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
	auto boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
	duckdb_scalar_function_add_parameter(function, varchar);
	duckdb_scalar_function_add_parameter(function, bigint);
	duckdb_scalar_function_set_return_type(function, boolean);
	duckdb_destroy_logical_type(&varchar);
	duckdb_destroy_logical_type(&bigint);
	duckdb_destroy_logical_type(&boolean);
	duckdb_scalar_function_set_extra_info(function, new RowSetLookup(std::move(lookup)),
	                                      [](void *data) { delete static_cast<RowSetLookup *>(data); });
	duckdb_scalar_function_set_bind(function, BindRowSet);
	duckdb_scalar_function_set_function(function, RowSetContains);
	auto state = duckdb_register_scalar_function(registrar, function);
	duckdb_destroy_scalar_function(&function);
	duckdb_disconnect(&registrar);
	if (state == DuckDBError) {
		throw InternalError("cannot register the function " + name);
	}
	database_->functions_.insert(name);
}

} // namespace deltaduck
