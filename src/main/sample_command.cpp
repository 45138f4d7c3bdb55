#include "common/data_layout.hpp"
#include "common/names.hpp"
#include "engine/connection.hpp"
#include "main/commands.hpp"
#include "worker/data_sandbox.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

namespace deltaduck {

namespace {

struct SampleOptions {
	DataOptions data;
	std::string folder = "climate";
	int64_t files = 4;
	int64_t rows_per_file = 26280;
};

//! One reading every 10 minutes, as a weather station logs them: the columns of the Jena climate
//! recordings that dashboards are often tried on, with plausible daily and yearly cycles. Values come from
//! hash(), so the folder is the same on every machine.
const char *CLIMATE_SQL = R"sql(
COPY (
  WITH t AS (SELECT i, TIMESTAMP '2020-01-01 00:10:00' + INTERVAL 10 MINUTE * i AS ts,
                    (hash(i, 'n') % 1000) / 1000.0 - 0.5 AS noise,
                    2 * pi() * (i % 52560) / 52560.0 AS year_angle, 2 * pi() * (i % 144) / 144.0 AS day_angle
             FROM range($1 * $2, ($1 + 1) * $2) r(i)),
  w AS (SELECT *, round(9 - 10 * cos(year_angle) - 4 * cos(day_angle) + 3 * noise, 2) AS temp,
               round(990 + 8 * sin(year_angle / 3) + 4 * noise, 2) AS pressure,
               round(least(100, greatest(15, 75 + 15 * cos(day_angle) + 20 * noise)), 1) AS humidity,
               round(greatest(0, 2 + 1.5 * sin(day_angle) + 3 * noise), 2) AS wind FROM t),
  v AS (SELECT *, round(6.1078 * exp(17.27 * temp / (temp + 237.3)), 2) AS vp_max FROM w)
  SELECT strftime(ts, '%Y-%m-%d %H:%M:%S') AS "Date Time", pressure AS "p (mbar)", temp AS "T (degC)",
         round(temp + 273.15 + (1000 - pressure) * 0.0098, 2) AS "Tpot (K)",
         round(temp - (100 - humidity) / 5, 2) AS "Tdew (degC)", humidity AS "rh (%)", vp_max AS "VPmax (mbar)",
         round(vp_max * humidity / 100, 2) AS "VPact (mbar)", round(vp_max * (1 - humidity / 100), 2) AS "VPdef (mbar)",
         round(622 * vp_max * humidity / 100 / pressure, 2) AS "sh (g/kg)",
         round(1000 * vp_max * humidity / 100 / pressure, 2) AS "H2OC (mmol/mol)",
         round(pressure * 100 / (287.05 * (temp + 273.15)) * 1000, 2) AS "rho (g/m**3)", wind AS "wv (m/s)",
         round(wind * (1.3 + (hash(i, 'g') % 100) / 100.0), 2) AS "max. wv (m/s)",
         round((hash(i, 'd') % 3600) / 10.0, 1) AS "wd (deg)"
  FROM v ORDER BY i) TO $3 (FORMAT csv, HEADER true))sql";

//! Writes the deterministic climate folder: `files` CSV files of consecutive readings.
void WriteSample(const SampleOptions &options) {
	CheckName("folder name", options.folder);
	auto connection =
	    Connection::Open(worker::OpenSandboxedDatabase(worker::RootAtDataDirectory(options.data.data_dir)));
	// The data directory is now the working directory.
	auto folder = std::filesystem::path(RAW_DIR) / options.folder;
	std::filesystem::create_directories(folder);
	for (int64_t file = 0; file < options.files; file++) {
		auto statement = connection.Prepare(CLIMATE_SQL);
		statement.Bind(1, file);
		statement.Bind(2, options.rows_per_file);
		statement.Bind(3, (folder / ("part-" + std::to_string(file) + ".csv")).c_str());
		statement.Execute().Fetch();
	}
	std::cout << "wrote " << options.files << " CSV files (" << options.files * options.rows_per_file
	          << " readings) to " << std::filesystem::absolute(folder).string() << '\n';
}

} // namespace

void AddSampleCommand(CLI::App &app) {
	auto options = std::make_shared<SampleOptions>();
	auto *command = app.add_subcommand(
	    "sample", "Write a sample CSV folder of weather readings into <data>/raw/ to try things with");
	AddDataOption(*command, options->data);
	command->add_option("--folder", options->folder, "Folder name under raw/")->capture_default_str();
	command->add_option("--files", options->files, "Number of CSV files")
	    ->capture_default_str()
	    ->check(CLI::Range(1, 1000));
	command->add_option("--rows", options->rows_per_file, "Rows per file")
	    ->capture_default_str()
	    ->check(CLI::Range(1, 10000000));
	command->callback([options] { WriteSample(*options); });
}

} // namespace deltaduck
