#include "delta/deleted_rows.hpp"

#include "delta/deletion_vector.hpp"
#include "engine/connection.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>

namespace deltaduck::delta {

namespace {

//! Decoded deletion vectors by key, the least recently used dropped past a total of MAX_BYTES.
class DeletedRowsCache {
public:
	static constexpr size_t MAX_BYTES = size_t(256) << 20;
	static constexpr size_t MAX_ENTRIES = 100000;

	void Register(const std::string &key, const std::filesystem::path &table_root, const DeletionVectorDescriptor &dv) {
		{
			std::lock_guard<std::mutex> lock(mutex_);
			auto [it, inserted] = entries_.try_emplace(key);
			if (!inserted && it->second.rows) {
				Touch(it);
				return;
			}
			it->second.table_root = table_root;
			it->second.dv = dv;
		}
		Find(key); // decoded now, so a broken vector fails the plan rather than the query
	}

	std::shared_ptr<const RowSet> Find(std::string_view key) {
		std::filesystem::path table_root;
		DeletionVectorDescriptor dv;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			auto it = entries_.find(std::string(key));
			if (it == entries_.end()) {
				return nullptr;
			}
			if (it->second.rows) {
				Touch(it);
				return it->second.rows;
			}
			table_root = it->second.table_root;
			dv = it->second.dv;
		}
		// Decoded outside the lock: other scans go on meanwhile (two decoding one vector at once both succeed).
		auto decoded = LoadDeletedRows(table_root, dv);
		if (!std::is_sorted(decoded.begin(), decoded.end())) {
			std::sort(decoded.begin(), decoded.end());
		}
		auto rows = std::make_shared<const RowSet>(std::move(decoded));
		std::lock_guard<std::mutex> lock(mutex_);
		auto it = entries_.find(std::string(key));
		if (!it->second.rows) {
			it->second.rows = rows;
			bytes_ += rows->Bytes();
			Touch(it);
			Evict();
		}
		return it->second.rows;
	}

private:
	struct Entry {
		std::filesystem::path table_root;
		DeletionVectorDescriptor dv;
		std::shared_ptr<const RowSet> rows; // null until decoded, and after eviction
		std::list<std::string>::iterator recent;
		bool listed = false;
	};
	using Entries = std::unordered_map<std::string, Entry>;

	void Touch(Entries::iterator it) {
		if (it->second.listed) {
			recent_.erase(it->second.recent);
		}
		recent_.push_front(it->first);
		it->second.recent = recent_.begin();
		it->second.listed = true;
	}

	void Evict() {
		if (entries_.size() > MAX_ENTRIES) { // keys whose rows were dropped go too: a long-lived worker sees many
			std::erase_if(entries_, [](const auto &entry) { return !entry.second.rows; });
		}
		while (bytes_ > MAX_BYTES && recent_.size() > 1) {
			auto &entry = entries_.at(recent_.back());
			bytes_ -= entry.rows->Bytes();
			entry.rows.reset(); // the descriptor stays: decoded again if a query asks
			entry.listed = false;
			recent_.pop_back();
		}
	}

	std::mutex mutex_;
	Entries entries_;
	std::list<std::string> recent_; // keys with decoded rows, most recently used first
	size_t bytes_ = 0;
};

DeletedRowsCache &Cache() {
	static DeletedRowsCache cache;
	return cache;
}

} // namespace

std::string RegisterDeletedRows(Connection &connection, const std::filesystem::path &table_root,
                                const DeletionVectorDescriptor &dv) {
	connection.RegisterRowSetFunction(DELETED_ROWS_FUNCTION, [](std::string_view key) { return Cache().Find(key); });
	auto key = "deletion vector " + dv.UniqueId() + " (" + std::to_string(dv.cardinality) + " rows) of " +
	           table_root.lexically_normal().string();
	Cache().Register(key, table_root, dv);
	return key;
}

} // namespace deltaduck::delta
