#!/usr/bin/env bash
# `make run`: builds the web app when it is present, seeds a sample CSV folder on first use, then starts the
# dashboard server on the embedded default (workers in-process) and prints its URL. Ctrl+C stops it.
set -euo pipefail
build=${1:-build}
data=${2:-data}
root=$(cd "$(dirname "$0")/.." && pwd)
deltaduck="$build/deltaduck"

if [[ -f "$root/web/package.json" ]]; then
	"$root/scripts/build_web.sh"
fi
if [[ ! -d "$data/raw/climate" ]]; then
	"$deltaduck" sample --data "$data"
fi
echo "Data directory: $data (CSV folders go in $data/raw/<folder>/, Delta tables are in $data/deltalake/)"
echo "In the dashboard, load the folder 'climate' into a table, then query it as =(^)climate."
exec "$deltaduck" serve --data "$data" --listen "${DELTADUCK_LISTEN:-127.0.0.1:8080}"
