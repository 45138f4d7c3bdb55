#!/usr/bin/env bash
# Tests the web app: builds it (scripts/build_web.sh), runs the Vitest unit tests, then the Playwright browser
# tests in Debian's chromium against a real `deltaduck serve` (DELTADUCK_BINARY, default build/deltaduck).
# Exits non-zero when a build or a test fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
	echo "test_web.sh: no chromium at $chromium (apt-get install chromium, pinned in scripts/deps.lock)" >&2
	exit 1
fi
"$root/scripts/build_web.sh"
cd "$root/web"
echo "== Vitest"
npx vitest run
echo "== Playwright"
npx playwright test
