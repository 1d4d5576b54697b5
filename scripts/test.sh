#!/bin/sh
# npm test: installs what is missing, builds, type-checks, lints, then runs unit and integration
# tests. The integration tests start a Temporal dev server, building the `temporal` CLI first
# when this machine has none (about 6.5 minutes, once).
set -eu
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
npm run build --silent
npx tsc -p tsconfig.json --noEmit
npx eslint .
exec npx vitest run "$@"
