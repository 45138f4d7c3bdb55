#include "worker/connection_pool.hpp"

namespace deltaduck::worker {

std::shared_ptr<ConnectionPool> ConnectionPool::Open(std::shared_ptr<Database> database, size_t size) {
	std::shared_ptr<ConnectionPool> pool(new ConnectionPool(database));
	for (size_t i = 0; i < std::max<size_t>(size, 1); i++) {
		pool->idle_.push_back(std::make_unique<Connection>(Connection::Open(database)));
	}
	database->LockConfiguration();
	return pool;
}

ConnectionPool::Lease::~Lease() {
	if (connection_) {
		pool_->Release(std::move(connection_));
	}
}

ConnectionPool::Lease ConnectionPool::Acquire() {
	std::unique_lock<std::mutex> lock(mutex_);
	available_.wait(lock, [&] { return !idle_.empty(); });
	auto connection = std::move(idle_.back());
	idle_.pop_back();
	return Lease(shared_from_this(), std::move(connection));
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
	{
		std::lock_guard<std::mutex> lock(mutex_);
		idle_.push_back(std::move(connection));
	}
	available_.notify_one();
}

} // namespace deltaduck::worker
