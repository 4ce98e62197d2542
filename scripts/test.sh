#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests that start their own in-memory Azurite.
# The Functions app (functions/ReportPipeline.Functions) is built too, and its functions.metadata checked; the infra
# tests compile and lint infra/main.bicep with the Bicep CLI restored from NuGet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
dotnet test ReportPipeline.Tests.slnf -c Release "$@"
