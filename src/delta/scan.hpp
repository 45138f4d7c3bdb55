#pragma once

#include "delta/predicate.hpp"
#include "delta/snapshot.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! A planned read of a snapshot: the files that survive data skipping and one DuckDB SELECT over them.
//! The SELECT streams (DuckDB's parquet reader on the file list) and yields the table's columns in
//! schema order with their Delta types: partition values added, columns missing from older files as
//! NULL, column-mapped names translated, deleted rows (deletion vectors) left out.
class Scan {
public:
	//! Plans the scan; with a filter, files whose partition values or stats rule it out are skipped and
	//! the filter is applied to the rows too.
	static Scan Plan(Connection &connection, std::shared_ptr<const Snapshot> snapshot,
	                 const std::optional<Predicate> &filter = std::nullopt);

	//! A scan of exactly these live files of the snapshot (no skipping), e.g. to rewrite them.
	static Scan PlanFiles(Connection &connection, std::shared_ptr<const Snapshot> snapshot,
	                      std::vector<const Add *> files);

	//! The SELECT producing the rows.
	const std::string &Sql() const {
		return sql_;
	}
	//! The files read.
	const std::vector<const Add *> &Files() const {
		return files_;
	}
	//! How many live files data skipping ruled out.
	size_t SkippedFiles() const {
		return skipped_files_;
	}

private:
	//! Checks the files exist and builds the SQL over `files_`.
	void Build(Connection &connection, const std::optional<Predicate> &filter);

	std::shared_ptr<const Snapshot> snapshot_;
	std::string sql_;
	std::vector<const Add *> files_;
	size_t skipped_files_ = 0;
};

} // namespace deltaduck::delta
