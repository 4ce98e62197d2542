#!/usr/bin/env bash
# Installs the pinned local tools (Azurite from npm, into ./node_modules) and restores NuGet packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing Azurite (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
