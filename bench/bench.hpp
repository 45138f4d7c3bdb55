#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace deltaduck::bench {

//! Prints `BENCH <name> ours=<v><unit> baseline=<v><unit> ratio=<ours/baseline>[ <extra>]`.
void Report(const std::string &name, double ours, double baseline, const std::string &unit,
            const std::string &extra = "");

//! Wall-clock seconds of one call of `fn`.
double TimeSeconds(const std::function<void()> &fn);

//! The best (lowest) of `runs` timings: both sides get the same number of tries.
double BestSeconds(int runs, const std::function<void()> &fn);

//! Runs a shell command and returns what it printed; throws if it fails.
std::string Capture(const std::string &command);

//! A Delta table of `rows` rows (id, category, amount, label) under `<data>/deltalake/<name>`, written once.
void MakeTable(const std::filesystem::path &data, const std::string &name, uint64_t rows);

//! Benchmarks of the engine layer.
void RunEngineBenchmarks();
//! Benchmarks of the Delta reader: snapshot load and scans.
void RunDeltaBenchmarks();
//! Benchmarks of ingestion: a CSV folder into a Delta table.
void RunIngestBenchmarks();
//! Benchmarks of the duck worker's answers.
void RunQueryBenchmarks();
//! Benchmarks of `deltaduck serve` over WebSocket.
void RunGatewayBenchmarks();

} // namespace deltaduck::bench
