#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests that start their own in-memory Azurite.
# The Functions app (functions/ReportPipeline.Functions) is not built: its SDK is not in the package feed here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
dotnet test ReportPipeline.Tests.slnf -c Release "$@"
