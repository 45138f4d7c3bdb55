#pragma once

#include "engine/database.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace deltaduck {

//! For the command line: creates the data directory if missing, makes it the working directory (so every
//! relative path in SQL, read or written, lands inside it) and opens an in-memory database that may
//! touch no file outside it.
//! `for_writing` turns off insertion order, so large ingests stream in little memory.
std::shared_ptr<Database> OpenDataDatabase(const std::string &data_dir, bool for_writing = false);

//! Throws PermissionError if a symlink under raw/ or deltalake/ leads outside `root` (canonical).
void RefuseSymlinksLeading(const std::filesystem::path &root);

} // namespace deltaduck
