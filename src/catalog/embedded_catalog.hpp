#pragma once

#include "catalog/catalog.hpp"

#include <chrono>
#include <filesystem>
#include <memory>

namespace deltaduck::catalog {

//! The catalog in a DuckDB database file (by default `<data>/.deltaduck/catalog.duckdb`).
//!
//! DuckDB lets one process at a time open a file for writing, so each operation opens the file, runs one
//! short transaction and closes it again: several workers on one data directory take turns. A process
//! that cannot get the file within `wait` gets a ConflictError naming the holder.
class EmbeddedCatalog : public Catalog {
public:
	//! Creates the file and its tables if missing.
	static std::unique_ptr<EmbeddedCatalog> Open(const std::filesystem::path &file,
	                                             std::chrono::milliseconds wait = std::chrono::seconds(10));

	void Record(const LineageRecord &record) override;
	void Drop(const std::string &table, const std::string &location) override;
	void MarkGone(const std::string &table, const std::string &location) override;
	std::vector<LineageRecord> List() override;

private:
	EmbeddedCatalog(std::filesystem::path file, std::chrono::milliseconds wait) : file_(std::move(file)), wait_(wait) {
	}
	std::filesystem::path file_;
	std::chrono::milliseconds wait_;
};

} // namespace deltaduck::catalog
