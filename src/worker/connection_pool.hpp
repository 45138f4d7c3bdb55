#pragma once

#include "engine/connection.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace deltaduck::worker {

//! A fixed set of connections to one database, so in-memory tables made by one request are visible to the
//! next and a long query never blocks a short one on another connection. Every connection is opened up
//! front, then the database's configuration is locked: SQL can change no setting afterwards.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
	//! Opens `size` connections to `database`, then locks its configuration.
	static std::shared_ptr<ConnectionPool> Open(std::shared_ptr<Database> database, size_t size);

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

	//! Waits for a free connection.
	Lease Acquire();
	//! The database the connections belong to.
	const std::shared_ptr<Database> &GetDatabase() const {
		return database_;
	}

private:
	explicit ConnectionPool(std::shared_ptr<Database> database) : database_(std::move(database)) {
	}
	void Release(std::unique_ptr<Connection> connection);

	std::shared_ptr<Database> database_;
	std::mutex mutex_;
	std::condition_variable available_;
	std::vector<std::unique_ptr<Connection>> idle_;
};

} // namespace deltaduck::worker
