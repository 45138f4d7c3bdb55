#include "catalog/pg_connection.hpp"

#include "common/error.hpp"

#include <fstream>
#include <libpq-fe.h>
#include <utility>

namespace deltaduck::catalog {

std::string PgAddress::Redacted() const {
	char *error = nullptr;
	auto *options = PQconninfoParse(dsn.c_str(), &error);
	if (!options) {
		PQfreemem(error);
		return "(an unreadable PostgreSQL connection string)";
	}
	std::string text;
	for (auto *option = options; option->keyword; option++) {
		if (option->val && *option->val && std::string(option->keyword) != "password") {
			text += (text.empty() ? "" : " ") + std::string(option->keyword) + "=" + option->val;
		}
	}
	PQconninfoFree(options);
	return text;
}

std::string ReadSecretFile(const std::string &file) {
	std::ifstream in(file);
	std::string line;
	if (!in || !std::getline(in, line)) {
		throw IOError("cannot read the secret file " + file);
	}
	while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
		line.pop_back();
	}
	return line;
}

namespace {

PGconn *Connect(const PgAddress &address) {
	// The connection string is expanded (dbname=...); the password, if any, is passed beside it.
	const char *keywords[] = {"dbname", "password", "connect_timeout", nullptr};
	const char *values[] = {address.dsn.c_str(), address.password.empty() ? nullptr : address.password.c_str(), "5",
	                        nullptr};
	auto *connection = PQconnectdbParams(keywords, values, 1);
	if (!connection || PQstatus(connection) != CONNECTION_OK) {
		std::string why = connection ? PQerrorMessage(connection) : "out of memory";
		while (!why.empty() && why.back() == '\n') {
			why.pop_back();
		}
		PQfinish(connection);
		throw IOError("cannot connect to PostgreSQL (" + address.Redacted() + "): " + why);
	}
	// Notices ("relation already exists, skipping") are not failures: keep them out of the logs.
	PQsetNoticeProcessor(
	    connection, [](void *, const char *) {}, nullptr);
	return connection;
}

} // namespace

PgConnection::PgConnection(void *connection, PgAddress address)
    : connection_(connection), address_(std::move(address)) {
}

PgConnection::PgConnection(PgConnection &&other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), address_(std::move(other.address_)) {
}

PgConnection &PgConnection::operator=(PgConnection &&other) noexcept {
	if (this != &other) {
		PQfinish(static_cast<PGconn *>(connection_));
		connection_ = std::exchange(other.connection_, nullptr);
		address_ = std::move(other.address_);
	}
	return *this;
}

PgConnection::~PgConnection() {
	PQfinish(static_cast<PGconn *>(connection_));
}

PgConnection PgConnection::Open(const PgAddress &address) {
	return PgConnection(Connect(address), address);
}

PgRows PgConnection::Execute(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
	if (connection_ && PQstatus(static_cast<PGconn *>(connection_)) == CONNECTION_OK) {
		try {
			return Run(sql, params);
		} catch (const IOError &) {
			if (PQstatus(static_cast<PGconn *>(connection_)) == CONNECTION_OK) {
				throw; // the statement failed, not the connection
			}
		}
	}
	// The server restarted or the backend was killed: one new connection before giving up.
	PQfinish(static_cast<PGconn *>(connection_));
	connection_ = nullptr;
	connection_ = Connect(address_);
	return Run(sql, params);
}

PgRows PgConnection::Run(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
	auto *connection = static_cast<PGconn *>(connection_);
	std::vector<const char *> values;
	for (const auto &param : params) {
		values.push_back(param ? param->c_str() : nullptr);
	}
	auto *result =
	    PQexecParams(connection, sql.c_str(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
	auto status = PQresultStatus(result);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		std::string why = PQresultErrorMessage(result);
		if (why.empty()) {
			why = PQerrorMessage(connection);
		}
		while (!why.empty() && why.back() == '\n') {
			why.pop_back();
		}
		PQclear(result);
		if (PQstatus(connection) != CONNECTION_OK) {
			throw IOError("lost the connection to PostgreSQL (" + address_.Redacted() + "): " + why);
		}
		throw IOError("PostgreSQL (" + address_.Redacted() + ") refused a catalog statement: " + why);
	}
	PgRows rows;
	for (int row = 0; row < PQntuples(result); row++) {
		auto &out = rows.emplace_back();
		for (int column = 0; column < PQnfields(result); column++) {
			if (PQgetisnull(result, row, column)) {
				out.emplace_back(std::nullopt);
			} else {
				out.emplace_back(std::string(PQgetvalue(result, row, column), PQgetlength(result, row, column)));
			}
		}
	}
	PQclear(result);
	return rows;
}

} // namespace deltaduck::catalog
