#pragma once

#include <optional>
#include <string>
#include <vector>

namespace deltaduck::catalog {

//! Rows of a query as text (NULL as nullopt).
using PgRows = std::vector<std::vector<std::optional<std::string>>>;

//! Where and how to reach PostgreSQL: a libpq connection string and, kept apart so it never lands in a log,
//! the password (from a secret file).
struct PgAddress {
	std::string dsn;
	std::string password;
	//! The connection string without any password, for messages.
	std::string Redacted() const;
};

//! Reads the password from `file` (its first line); IOError naming the file if it cannot.
std::string ReadSecretFile(const std::string &file);

//! One libpq connection (PGconn), move-only. Failures are IOErrors naming the server without its password;
//! a connection that broke is opened again once before a statement fails.
class PgConnection {
public:
	static PgConnection Open(const PgAddress &address);
	PgConnection(PgConnection &&other) noexcept;
	PgConnection &operator=(PgConnection &&other) noexcept;
	PgConnection(const PgConnection &) = delete;
	PgConnection &operator=(const PgConnection &) = delete;
	~PgConnection();

	//! Runs one statement with text parameters ($1, $2, ...) and returns its rows.
	PgRows Execute(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});

private:
	PgConnection(void *connection, PgAddress address);
	PgRows Run(const std::string &sql, const std::vector<std::optional<std::string>> &params);
	void *connection_ = nullptr; // PGconn
	PgAddress address_;
};

} // namespace deltaduck::catalog
