#include "catalog/postgres_catalog.hpp"

#include "catalog/lineage_json.hpp"
#include "common/error.hpp"

#include <unistd.h>

namespace deltaduck::catalog {

using json = nlohmann::json;

namespace {

// Names are matched case-insensitively (as DuckDB does), so a table is keyed by its lower-cased name.
const char *SCHEMA_SQL[] = {
    "CREATE TABLE IF NOT EXISTS deltaduck_catalog.derived_tables (table_key text NOT NULL, table_name text NOT NULL, "
    "location text NOT NULL, kind text NOT NULL, query text NOT NULL, parents jsonb NOT NULL, columns jsonb NOT NULL, "
    "changed_at timestamptz NOT NULL, gone boolean NOT NULL DEFAULT false, PRIMARY KEY (table_key, location))",
    "CREATE TABLE IF NOT EXISTS deltaduck_catalog.workers (id text PRIMARY KEY, role text NOT NULL, transport text "
    "NOT NULL, address text NOT NULL, host text NOT NULL, started timestamptz NOT NULL, last_heartbeat timestamptz "
    "NOT NULL, in_flight integer NOT NULL DEFAULT 0)"};

const char *TIME_FORMAT = R"('YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')";

std::string Text(const std::optional<std::string> &value) {
	return value.value_or("");
}

} // namespace

std::shared_ptr<PostgresCatalog> PostgresCatalog::Open(const PgAddress &address) {
	auto connection = PgConnection::Open(address);
	auto schema = connection.Execute("SELECT 1 FROM pg_namespace WHERE nspname = $1", {std::string(CATALOG_SCHEMA)});
	if (schema.empty()) {
		throw NotFoundError(std::string("the PostgreSQL schema ") + CATALOG_SCHEMA + " is missing (" +
		                    address.Redacted() +
		                    "): create it owned by the workers' role, as deploy/postgres-init.sql does");
	}
	// Several processes may start at once: the lock makes CREATE TABLE IF NOT EXISTS safe among them.
	connection.Execute("SELECT pg_advisory_lock(hashtext('deltaduck_catalog'))");
	try {
		for (const auto *statement : SCHEMA_SQL) {
			connection.Execute(statement);
		}
	} catch (...) {
		connection.Execute("SELECT pg_advisory_unlock(hashtext('deltaduck_catalog'))");
		throw;
	}
	connection.Execute("SELECT pg_advisory_unlock(hashtext('deltaduck_catalog'))");
	return std::shared_ptr<PostgresCatalog>(new PostgresCatalog(std::move(connection)));
}

PgRows PostgresCatalog::Execute(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
	std::lock_guard<std::mutex> lock(mutex_);
	return connection_.Execute(sql, params);
}

void PostgresCatalog::Record(const LineageRecord &record) {
	Execute("INSERT INTO deltaduck_catalog.derived_tables VALUES (lower($1), $1, $2, $3, $4, $5::jsonb, $6::jsonb, "
	        "now(), false) ON CONFLICT (table_key, location) DO UPDATE SET table_name = EXCLUDED.table_name, "
	        "kind = EXCLUDED.kind, query = EXCLUDED.query, parents = EXCLUDED.parents, columns = EXCLUDED.columns, "
	        "changed_at = now(), gone = false",
	        {record.table, record.location, record.kind, record.query, ParentsToJson(record.parents).dump(),
	         ColumnsToJson(record.columns).dump()});
}

void PostgresCatalog::Drop(const std::string &table, const std::string &location) {
	Execute("DELETE FROM deltaduck_catalog.derived_tables WHERE table_key = lower($1) AND location = $2",
	        {table, location});
}

void PostgresCatalog::MarkGone(const std::string &table, const std::string &location) {
	Execute("UPDATE deltaduck_catalog.derived_tables SET gone = true WHERE table_key = lower($1) AND location = $2",
	        {table, location});
}

std::vector<LineageRecord> PostgresCatalog::List() {
	auto rows = Execute(std::string("SELECT table_name, location, kind, query, parents::text, columns::text, "
	                                "to_char(changed_at AT TIME ZONE 'UTC', ") +
	                    TIME_FORMAT + "), gone FROM deltaduck_catalog.derived_tables ORDER BY table_key, location");
	std::vector<LineageRecord> records;
	for (const auto &row : rows) {
		LineageRecord record;
		record.table = Text(row[0]);
		record.location = Text(row[1]);
		record.kind = Text(row[2]);
		record.query = Text(row[3]);
		record.parents = ParentsFromJson(json::parse(Text(row[4])));
		record.columns = ColumnsFromJson(json::parse(Text(row[5])));
		record.changed_at = Text(row[6]);
		record.gone = Text(row[7]) == "t";
		records.push_back(std::move(record));
	}
	return records;
}

void PostgresCatalog::Register(const WorkerInfo &worker) {
	char host[256] = {0};
	gethostname(host, sizeof(host) - 1);
	Execute("INSERT INTO deltaduck_catalog.workers VALUES ($1, $2, $3, $4, $5, now(), now(), 0) ON CONFLICT (id) DO "
	        "UPDATE SET role = EXCLUDED.role, transport = EXCLUDED.transport, address = EXCLUDED.address, "
	        "host = EXCLUDED.host, started = now(), last_heartbeat = now(), in_flight = 0",
	        {worker.id, worker.role, worker.transport, worker.address, std::string(host)});
}

void PostgresCatalog::Heartbeat(const std::string &id, size_t in_flight) {
	Execute("UPDATE deltaduck_catalog.workers SET last_heartbeat = now(), in_flight = $2 WHERE id = $1",
	        {id, std::to_string(in_flight)});
}

void PostgresCatalog::Unregister(const std::string &id) {
	Execute("DELETE FROM deltaduck_catalog.workers WHERE id = $1", {id});
}

json PostgresCatalog::List(std::chrono::seconds max_silence) {
	auto silence = std::to_string(max_silence.count());
	Execute("DELETE FROM deltaduck_catalog.workers WHERE last_heartbeat < now() - make_interval(secs => $1)",
	        {silence});
	auto rows = Execute(std::string("SELECT id, role, transport, address, host, to_char(started AT TIME ZONE 'UTC', ") +
	                    TIME_FORMAT + "), to_char(last_heartbeat AT TIME ZONE 'UTC', " + TIME_FORMAT +
	                    "), in_flight FROM deltaduck_catalog.workers ORDER BY role, id");
	auto workers = json::array();
	for (const auto &row : rows) {
		workers.push_back({{"id", Text(row[0])},
		                   {"role", Text(row[1])},
		                   {"transport", Text(row[2])},
		                   {"address", Text(row[3])},
		                   {"host", Text(row[4])},
		                   {"started", Text(row[5])},
		                   {"last_heartbeat", Text(row[6])},
		                   {"in_flight", std::stoll(Text(row[7]))},
		                   {"status", "up"}});
	}
	return workers;
}

} // namespace deltaduck::catalog
