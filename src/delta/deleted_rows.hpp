#pragma once

#include "delta/actions.hpp"

#include <filesystem>
#include <string>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! The SQL function scans drop deleted rows with: `NOT __deltaduck_deleted(<key>, file_row_number)`.
constexpr const char *DELETED_ROWS_FUNCTION = "__deltaduck_deleted";

//! Makes a deletion vector's rows known to DELETED_ROWS_FUNCTION on the connection's database and returns the key
//! naming them. The rows are decoded once per process and vector (a deletion vector never changes); the decoded
//! sets are bounded in memory, and one dropped to stay within the bound is decoded again when a query needs it.
//! Only vectors registered here have keys: SQL cannot name a file of its own choosing.
std::string RegisterDeletedRows(Connection &connection, const std::filesystem::path &table_root,
                                const DeletionVectorDescriptor &dv);

} // namespace deltaduck::delta
