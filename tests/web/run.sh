#!/usr/bin/env bash
# The web console's browser tests, in one command:
#   tests/web/run.sh [node --test options…]
# builds the console (scripts/console.sh: npm ci from its lock file when
# node_modules is missing or the lock changed, Vite when a source changed),
# and runs the
# Playwright tests (tests/web/*.test.mjs) with node's test runner against the
# real services. Environment:
#   JUNHENG_BIN          folder with junheng, junheng-archive, junheng-checklist,
#                        junheng-web (default <repo>/build/bin)
#   JUNHENG_SCREENSHOTS  where screenshots go (default tests/web/screenshots/)
#   JUNHENG_CHROMIUM     the browser (default /usr/bin/chromium)
#   JUNHENG_KEEP_DATA=1  keep the services' data and logs (the path is printed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
console="$repo/clients/web/console"
bin=${JUNHENG_BIN:-$repo/build/bin}

for b in junheng junheng-archive junheng-checklist junheng-web; do
  if [ ! -x "$bin/$b" ]; then
    echo "tests/web/run.sh: $bin/$b is missing: build it (scripts/build.sh), or set JUNHENG_BIN" >&2
    exit 1
  fi
done
command -v node >/dev/null || { echo "tests/web/run.sh: node is not installed" >&2; exit 1; }

# npm ci from the lock file when needed, vite build when a source changed.
"$repo/scripts/console.sh"

export JUNHENG_BIN="$bin"
cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec "$@" "$here"/*.test.mjs
