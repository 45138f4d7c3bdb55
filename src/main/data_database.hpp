#pragma once

#include "engine/database.hpp"

#include <memory>
#include <string>

namespace deltaduck {

//! Opens an in-memory database for a data directory: relative paths resolve inside it and file access
//! outside it (and the spill directory) is refused. Creates the directory if it is missing.
std::shared_ptr<Database> OpenDataDatabase(const std::string &data_dir);

} // namespace deltaduck
