#!/usr/bin/env bash
# The main job: the whole one-table flow on sample data against the embedded Azurite.
# Workbooks are written to ./demo-output (or the folder given with --out).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
dotnet run --project functions/ReportPipeline.LocalHost -c Release -- demo "$@"
