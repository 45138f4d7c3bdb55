#!/usr/bin/env bash
# Builds the fuzz targets with clang's libFuzzer (+ AddressSanitizer and UBSan) and runs each for a bounded time,
# starting from the committed seed inputs. Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?build directory}/fuzz
seconds=${2:-60}
mkdir -p "$out"
clang=clang++-14
sources=("$root/src/sql/delta_reference.cpp" "$root/src/sql/sql_scanner.cpp" "$root/src/common/names.cpp"
	"$root/src/common/error.cpp" "$root/src/common/json_writer.cpp")
binary="$out/delta_reference_fuzz"
newest=$(ls -t "${sources[@]}" "$root/tests/fuzz/delta_reference_fuzz.cpp" | head -n1)
if [[ ! -x "$binary" || "$newest" -nt "$binary" ]]; then
	"$clang" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I "$root/src" "${sources[@]}" "$root/tests/fuzz/delta_reference_fuzz.cpp" -o "$binary"
fi
corpus="$out/corpus"
mkdir -p "$corpus"
cp -n "$root"/tests/fuzz/seeds/* "$corpus"/ 2>/dev/null || true
# -max_total_time bounds the run; a crash or failed check stops it with a reproducer in $out.
"$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$out/" \
	"$corpus" 2>&1 | tail -n 15
