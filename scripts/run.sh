#!/usr/bin/env bash
# `make run`: until the dashboard server lands, shows DeltaDuck from the command line on a sample folder.
set -euo pipefail
build=${1:-build}
data=${2:-data}
deltaduck="$build/deltaduck"

if [[ ! -d "$data/raw/climate" ]]; then
	"$deltaduck" sample --data "$data"
fi
echo
echo "Data directory: $data  (CSV folders go in $data/raw/<folder>/)"
echo "\$ deltaduck query --data $data \"SELECT city, count(*) AS days, round(avg(temperature), 1) AS avg_temp ...\""
"$deltaduck" query --data "$data" \
	"SELECT city, count(*) AS days, round(avg(temperature), 1) AS avg_temp, sum(rainfall_mm) AS rain_mm
	 FROM read_csv('raw/climate/*.csv') GROUP BY city ORDER BY city"
echo
echo "Try your own:  $deltaduck query --data $data \"SELECT * FROM read_csv('raw/climate/*.csv') LIMIT 5\""
echo "The web dashboard is not built yet; this command line is the way in for now."
