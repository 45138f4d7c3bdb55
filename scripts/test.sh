#!/usr/bin/env bash
# `make test`: style check, the unit tests under AddressSanitizer + UBSan, then every suite on the
# release build. The release CTest run comes last so its summary closes the output.
set -euo pipefail
build=${1:-build}
asan=${2:-build-asan}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

echo "== clang-format (check)"
git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
echo "formatting ok"

echo "== unit and conformance tests under AddressSanitizer + UndefinedBehaviorSanitizer ($asan)"
# DuckDB itself is not instrumented; leaks are checked in our code through its handles.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir "$asan" --output-on-failure -j 2 -L "unit|conformance"

echo "== web app: Vitest and Playwright in Debian's chromium"
DELTADUCK_BINARY="$root/$build/deltaduck" scripts/test_web.sh

echo "== all suites ($build)"
ctest --test-dir "$build" --output-on-failure -j 2
