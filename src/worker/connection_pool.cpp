#include "worker/connection_pool.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"

namespace deltaduck::worker {

std::shared_ptr<ConnectionPool> ConnectionPool::Open(std::shared_ptr<Database> database, size_t size) {
	std::shared_ptr<ConnectionPool> pool(new ConnectionPool(database));
	pool->path_ = database->Config().path;
	pool->size_ = std::max<size_t>(size, 1);
	for (size_t i = 0; i < pool->size_; i++) {
		pool->idle_.push_back(std::make_unique<Connection>(Connection::Open(database)));
	}
	auto current = pool->idle_.front()->QueryText("SELECT current_database()").at(0).at(0);
	pool->reset_sql_ = "USE " + QuoteIdentifier(current) + "; RESET search_path";
	database->LockConfiguration();
	return pool;
}

ConnectionPool::Lease::~Lease() {
	if (connection_) {
		pool_->Release(std::move(connection_));
	}
}

ConnectionPool::Lease ConnectionPool::Acquire(std::chrono::steady_clock::time_point deadline) {
	std::unique_lock<std::mutex> lock(mutex_);
	if (!available_.wait_until(lock, deadline, [&] { return !idle_.empty(); })) {
		throw TimeoutError("all " + std::to_string(size_) + " connections stayed busy until the time limit");
	}
	auto connection = std::move(idle_.back());
	idle_.pop_back();
	return Lease(shared_from_this(), std::move(connection));
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
	for (const auto &sql : {std::string("ROLLBACK"), reset_sql_}) {
		try {
			connection->Execute(sql);
		} catch (const Error &) {
			// ROLLBACK without a transaction fails harmlessly; a failed reset leaves what DuckDB has.
		}
	}
	{
		std::lock_guard<std::mutex> lock(mutex_);
		idle_.push_back(std::move(connection));
	}
	available_.notify_one();
}

} // namespace deltaduck::worker
