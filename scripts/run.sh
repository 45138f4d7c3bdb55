#!/usr/bin/env bash
# `make run`: until the dashboard server lands, shows DeltaDuck from the command line: a sample CSV folder
# is loaded into a Delta table and queried.
set -euo pipefail
build=${1:-build}
data=${2:-data}
deltaduck="$build/deltaduck"

if [[ ! -d "$data/raw/climate" ]]; then
	"$deltaduck" sample --data "$data"
fi
echo
echo "\$ deltaduck ingest --data $data --source climate --table climate --mode overwrite"
"$deltaduck" ingest --data "$data" --source climate --table climate --mode overwrite
echo
echo "\$ deltaduck query --data $data \"SELECT city, count(*) AS days, round(avg(temperature), 1) AS avg_temp, ... FROM =(^)climate ...\""
"$deltaduck" query --data "$data" \
	"SELECT city, count(*) AS days, round(avg(temperature), 1) AS avg_temp, sum(rainfall_mm) AS rain_mm
	 FROM =(^)climate GROUP BY city ORDER BY city"
echo
echo "Data directory: $data (CSV folders go in $data/raw/<folder>/, Delta tables are in $data/deltalake/)"
echo "Try:  $deltaduck query --data $data \"SELECT * FROM =(^)climate LIMIT 5\""
echo "      $deltaduck delta history $data/deltalake/climate"
echo "      $deltaduck query --data $data --reply --contents Message,Table --render 5 \"SELECT * FROM =(^)climate\""
echo "                (the answer the dashboard will get: JSON, as the duck worker's querydata sends it)"
echo "The web dashboard is not built yet; this command line is the way in for now."
