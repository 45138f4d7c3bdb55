#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace deltaduck {

//! A set of row numbers: a bitmap when that is no larger than the sorted list (a 30%-deleted file: 1 bit per row
//! instead of 64 per deleted row, and a lookup without search), else the sorted list.
class RowSet {
public:
	explicit RowSet(std::vector<uint64_t> ascending);

	size_t Size() const {
		return size_;
	}
	//! Memory held, in bytes.
	size_t Bytes() const {
		return (bits_.size() + rows_.size()) * sizeof(uint64_t);
	}
	//! The bitmap (bit r of word r / 64 set: row r is in the set), or empty when the set is a list.
	const std::vector<uint64_t> &Bits() const {
		return bits_;
	}
	//! The rows ascending, or empty when the set is a bitmap.
	const std::vector<uint64_t> &Rows() const {
		return rows_;
	}

private:
	std::vector<uint64_t> bits_;
	std::vector<uint64_t> rows_;
	size_t size_ = 0;
};

//! The row set a query names by its key; nullptr when the key is unknown (the query then fails).
using RowSetLookup = std::function<std::shared_ptr<const RowSet>(std::string_view key)>;

} // namespace deltaduck
