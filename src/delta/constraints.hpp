#pragma once

#include "delta/data_files.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

class Snapshot;

//! A condition every row of a table must meet: a CHECK constraint (`delta.constraints.<name>` in the table's
//! configuration) or a column invariant (`delta.invariants` in a column's metadata), in the SQL the table stores.
struct Constraint {
	std::string name;       //!< the constraint's name, or the column of an invariant
	std::string expression; //!< Spark SQL, as logged

	bool operator==(const Constraint &) const = default;
};

//! The table's CHECK constraints and column invariants. An invariant on a nested field is UnsupportedError.
std::vector<Constraint> TableConstraints(const Metadata &metadata);

//! Spark SQL as DuckDB reads it: `back-quoted` names become "double-quoted", and string literals ('...' or
//! "...", with Spark's backslash escapes) become DuckDB's '...'.
std::string DuckDbExpression(const std::string &spark_sql);

//! Refuses, before anything is written, a constraint that is not a plain expression (a subquery, a table or a
//! second statement: a table's metadata is not trusted to run SQL) or that DuckDB cannot evaluate over the
//! table's columns (a function only Spark has, say): UnsupportedError naming it.
void CheckConstraintsEvaluable(Connection &connection, const std::shared_ptr<const Snapshot> &table,
                               const std::vector<Constraint> &constraints);

//! Refuses written files holding a row that breaks a constraint (the condition must be true: false and NULL
//! break it, as Spark judges): the files are removed and InvalidInputError names the constraint and the rows.
void RefuseRowsBreakingConstraints(Connection &connection, const std::shared_ptr<const Snapshot> &table,
                                   const std::vector<Constraint> &constraints, const std::vector<WrittenFile> &files);

} // namespace deltaduck::delta
