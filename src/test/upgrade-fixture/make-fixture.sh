#!/usr/bin/env bash
# Re-creates the H2-mirror gateway data-dir fixture from scratch with the OLD gateway build.
#   ./make-fixture.sh [JAR]      (default /work/old/store-gateway-5650c42.jar)
# Needs: java 17, python3 (stdlib only), tar, gzip; git only if routes-5650c42/ is missing.
# Writes: work/ (configs, logs, data/), h2-mirror-v4-datadir.tar.gz, manifest.json (all beside this script).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${1:?the jar of commit 5650c42, see README.md}
COMMIT=5650c42
# The jar does not contain the route files (routes/*.camel.yaml, read from gateway.routes-dir):
# take them from the same commit of the repository.
if [ ! -d "$HERE/routes-$COMMIT" ]; then
  mkdir -p "$HERE/routes-$COMMIT"
  git -C "${REPO:-$HERE/../../..}" archive "$COMMIT" routes | tar -x -C "$HERE/routes-$COMMIT" --strip-components=1
fi
exec python3 "$HERE/tools/driver.py" --jar "$JAR" --fixture "$HERE" --routes "$HERE/routes-$COMMIT"
