#!/bin/sh
# npm run demo: installs what is missing, builds, then runs `rancher-workflows demo`.
# Arguments pass through, for example: npm run demo -- --keep
set -eu
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
echo "Building (tsc)..."
npm run build --silent
exec node dist/src/cli/main.js demo "$@"
