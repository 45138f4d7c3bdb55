#pragma once

#include "catalog/catalog.hpp"
#include "sql/delta_tables.hpp"

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

	//! After `statement` succeeded: records the table a CREATE ... AS / INSERT ... SELECT made (its parents
	//! from DuckDB's parse tree, Delta parents with the versions in `reads`, columns from the new table)
	//! or forgets the one a DROP removed. Statements of other kinds change nothing.
	void AfterStatement(Connection &connection, const std::string &statement, const std::vector<sql::DeltaRead> &reads);

	//! Marks this worker's tables that no longer exist in its database as gone.
	void MarkVanished(Connection &connection);

	//! Where a table lives: "postgres" for `postgres.x`, else this worker.
	std::string LocationOf(const std::vector<std::string> &parts) const;

private:
	catalog::Catalog &catalog_;
	std::string worker_id_;
};

//! The record of a derived table made by `query`, without columns (for tests and `deltaduck lineage`).
catalog::LineageRecord DescribeLineage(Connection &connection, const std::string &statement,
                                       const std::vector<sql::DeltaRead> &reads);

} // namespace deltaduck::worker
