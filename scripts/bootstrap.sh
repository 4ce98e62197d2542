#!/usr/bin/env bash
# Installs the pinned local tools (Azurite and esbuild from npm, into ./node_modules), then bundles the web app into
# web/dist, which the local host serves at / (nothing is fetched by the browser from anywhere else).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/azurite ] || [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing Azurite and esbuild (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> bundling the web app (web/dist)"
node web/build.mjs
