#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests that start their own in-memory Azurite.
# The Functions app (functions/ReportPipeline.Functions) is built too, and its functions.metadata checked; the infra
# tests compile and lint infra/main.bicep with the Bicep CLI restored from NuGet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The web app's pure modules (conflict merge) with Node's own test runner. They are ES modules without a package.json
# of their own (esbuild bundles them; a package.json in web/ would make a static-site build try npm there).
node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --test web/test/
dotnet test ReportPipeline.Tests.slnf -c Release "$@"
