#pragma once

#include "engine/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace deltaduck::worker {

//! A fixed set of connections to one database, so in-memory tables made by one request are visible to the
//! next and a long query never blocks a short one on another connection. Every connection is opened up
//! front, then the database's configuration is locked: SQL can change no setting afterwards.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
	//! Opens `size` connections to `database`, then locks its configuration.
	static std::shared_ptr<ConnectionPool> Open(std::shared_ptr<Database> database, size_t size);
	//! How many connections it holds.
	size_t Size() const {
		return size_;
	}

	//! A connection borrowed from the pool; returned when the lease ends.
	class Lease {
	public:
		Lease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<Connection> connection)
		    : pool_(std::move(pool)), connection_(std::move(connection)) {
		}
		Lease(Lease &&) noexcept = default;
		Lease &operator=(Lease &&) noexcept = delete;
		~Lease();
		Connection &operator*() const {
			return *connection_;
		}
		Connection *operator->() const {
			return connection_.get();
		}

	private:
		std::shared_ptr<ConnectionPool> pool_;
		std::unique_ptr<Connection> connection_;
	};

	//! Waits for a free connection until `deadline`, then throws TimeoutError.
	Lease Acquire(std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
	//! The database file (or ":memory:") the pool was opened on.
	const std::string &Path() const {
		return path_;
	}
	//! The database the connections belong to.
	const std::shared_ptr<Database> &GetDatabase() const {
		return database_;
	}

private:
	explicit ConnectionPool(std::shared_ptr<Database> database) : database_(std::move(database)) {
	}
	//! Takes a connection back, first undoing what one request may leave behind for the next: an open
	//! transaction, another current database or search path.
	void Release(std::unique_ptr<Connection> connection);

	std::shared_ptr<Database> database_;
	std::string path_;
	size_t size_ = 0;
	//! Restores a connection's current database and search path.
	std::string reset_sql_;
	std::mutex mutex_;
	std::condition_variable available_;
	std::vector<std::unique_ptr<Connection>> idle_;
};

} // namespace deltaduck::worker
