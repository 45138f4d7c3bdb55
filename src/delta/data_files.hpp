#pragma once

#include "delta/actions.hpp"
#include "delta/schema.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! A data file written into a table, with what its add action needs.
struct WrittenFile {
	//! On disk, relative to the table root.
	std::string relative_path;
	PartitionValues partition_values;
	int64_t size = 0;
	int64_t records = 0;
	//! The add action's stats JSON (numRecords, minValues, maxValues, nullCount).
	std::string stats;

	//! The add action that makes the file part of the table.
	Add ToAdd(int64_t modification_time, bool data_change) const;
};

//! How data files are written.
struct DataFileOptions {
	//! zstd or snappy.
	std::string compression = "zstd";
	//! DuckDB rolls to a new file past this size (unpartitioned writes only: DuckDB cannot roll within
	//! partitions).
	uint64_t target_file_size = uint64_t(128) << 20;
	//! Where in the table unpartitioned files go ("" = the root).
	std::string directory;
	//! Parquet field ids by column (column mapping): written into the files' schema so that readers resolving
	//! columns by id find them.
	std::map<std::string, int64_t> field_ids;
};

//! Streams the rows of `select_sql` (which yields the schema's columns, partition columns as Delta's
//! partition-value strings) into parquet files: DuckDB writes them into a staging folder that readers
//! ignore, then they are renamed into the table under unique names, and their stats are read from the
//! parquet footers. Until a commit names them they are unreferenced garbage.
std::vector<WrittenFile> WriteDataFiles(Connection &connection, const std::filesystem::path &table_root,
                                        const std::string &select_sql, const Schema &schema,
                                        const std::vector<std::string> &partitions, const DataFileOptions &options);

//! A partition column as the string Delta logs (NULL as the Hive marker, so directory names stay exact).
//! The schema with each field named by its physical name (column mapping), as data files, stats and partition
//! values name them. Nested fields are renamed too under column mapping: not written yet, refused naming the
//! column (as is a column without a physical name).
Schema PhysicalSchema(const Schema &schema, const std::string &table);

//! `alias` names the result (the physical name under column mapping); the field's name by default.
std::string PartitionValueExpression(const StructField &field, const std::string &alias = "");

} // namespace deltaduck::delta
