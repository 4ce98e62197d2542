#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests that start their own in-memory Azurite.
# The Functions app (functions/ReportPipeline.Functions) is built too, and its functions.metadata checked; the infra
# tests compile and lint infra/main.bicep with the Bicep CLI restored from NuGet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The web app's pure modules (conflict merge) with Node's own test runner.
node --test web/test/
dotnet test ReportPipeline.Tests.slnf -c Release "$@"
