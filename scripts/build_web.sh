#!/usr/bin/env bash
# Builds web/ into web/dist with the pinned packages of web/package-lock.json; quick when nothing changed.
set -euo pipefail
web=$(cd "$(dirname "$0")/../web" && pwd)
cd "$web"
lock_stamp=node_modules/.deltaduck-lock
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f "$lock_stamp" || "$(cat "$lock_stamp")" != "$want" ]]; then
	npm ci --no-audit --no-fund --loglevel=error
	echo "$want" >"$lock_stamp"
fi
newest_source=$(find src public index.html package.json package-lock.json tsconfig*.json vite.config.* -newer dist/index.html 2>/dev/null | head -n1 || true)
if [[ ! -f dist/index.html || -n "$newest_source" ]]; then
	npm run --silent build
fi
