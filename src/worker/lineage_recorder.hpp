#pragma once

#include "catalog/catalog.hpp"
#include "sql/delta_tables.hpp"
#include "sql/lineage.hpp"

#include <optional>

#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::worker {

//! Keeps the catalog's lineage in step with the statements a worker runs.
class LineageRecorder {
public:
	LineageRecorder(catalog::Catalog &catalog, std::string worker_id)
	    : catalog_(catalog), worker_id_(std::move(worker_id)) {
	}

	//! What a statement will change in the lineage, read before it runs.
	struct Change {
		std::optional<sql::LineageTarget> made;
		std::optional<sql::LineageTarget> dropped;
	};
	//! Reads the statement's target before it runs: a CREATE ... IF NOT EXISTS of a table that exists
	//! changes nothing.
	Change Before(Connection &connection, const std::string &statement) const;
	//! After the statement succeeded: records the table a CREATE ... AS / INSERT ... SELECT made (its parents
	//! from DuckDB's parse tree, Delta parents with the versions in `reads`, columns from the new table)
	//! or forgets the one a DROP removed.
	void After(Connection &connection, const Change &change, const std::string &statement,
	           const std::vector<sql::DeltaRead> &reads);

	//! Marks this worker's tables that no longer exist in its database as gone.
	void MarkVanished(Connection &connection);

	//! Where a table lives: "postgres" for `postgres.x`, else this worker.
	std::string LocationOf(const std::vector<std::string> &parts) const;

private:
	catalog::Catalog &catalog_;
	std::string worker_id_;
};

} // namespace deltaduck::worker
