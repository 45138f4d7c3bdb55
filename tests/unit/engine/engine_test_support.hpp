#pragma once

#include "engine/connection.hpp"

#include <string>

namespace deltaduck {

//! A fresh in-memory database with default settings and a connection to it.
Connection OpenTestConnection();

//! Runs `sql` and returns every row as JSON arrays joined by newlines.
std::string QueryJsonRows(Connection &connection, const std::string &sql);

} // namespace deltaduck
