#pragma once

// Folders inside the data directory (see DESIGN.md, "Data layout").

namespace deltaduck {

//! CSV input folders: `raw/<folder>/*.csv`.
constexpr const char *RAW_DIR = "raw";
//! Delta tables: `deltalake/<table>/`.
constexpr const char *DELTA_DIR = "deltalake";

} // namespace deltaduck
