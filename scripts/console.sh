#!/usr/bin/env bash
# Builds the web console (clients/web/console) into clients/web/console/dist,
# which junheng-web serves: installs its npm packages from the committed
# lock file (npm ci, only when node_modules is missing or the lock changed),
# then runs Vite (only when a source is newer than the last build).
#   scripts/console.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/../clients/web/console"

force=0
[ "${1:-}" = "--force" ] && force=1

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "console: installing nodejs and npm"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi

if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.junheng-lock; then
  echo "console: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.junheng-lock
  force=1
fi

stamp=dist/index.html
if [ "$force" = 1 ] || [ ! -f "$stamp" ] ||
   [ -n "$(find src index.html vite.config.js package.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "console: vite build"
  npx --no-install vite build --logLevel warn
fi
