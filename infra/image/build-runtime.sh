#!/bin/sh
# Lays out the services' runtime: the one layout the container image runs (Dockerfile, build stage: `build-runtime.sh
# /app`, then the runtime stage copies /app) and the one tests/integration/image-runtime.int.test.ts starts services
# from with plain `node`, so what the test proves is what the image holds.
#
#   infra/image/build-runtime.sh <dest>     (run from anywhere; the sources are this checkout)
#
# <dest> gets the TypeScript sources the services run (services/, workflows/), proto/ (the .proto files the gRPC
# servers load and proto/gen, which `npm ci` generated here: buf and ts-proto are dev dependencies), the image's own
# helpers (infra/image/), the Kafka ACL table (infra/local/kafka-acls.ts, applied by Compose's one-shot step), and
# node_modules from `npm ci --omit=dev --ignore-scripts`: production dependencies only. The services run as
# `node --import tsx <service>/main.ts` (tsx is a production dependency: no compile step, the same entry points as
# `npm start`); the Temporal workers bundle workflows/ at start with @temporalio/worker's bundler.
#
# The sources are copied afresh on every run; `npm ci` is skipped when <dest>/node_modules was installed from the same
# package-lock.json (the test's cache; the image always starts from an empty <dest>).
set -eu
dest=${1:?usage: infra/image/build-runtime.sh <dest>}
src=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$src/proto/gen/descriptors.binpb" ]; then
  echo "build-runtime: $src/proto/gen is missing; run npm ci first (its postinstall generates it)" >&2
  exit 1
fi

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
case "$dest" in "$src"|"$src"/*) echo "build-runtime: <dest> must be outside the checkout (node would find its node_modules)" >&2; exit 1;; esac

# What the runtime holds besides node_modules. Tests, infra tooling and dev configuration stay out.
paths="package.json package-lock.json tsconfig.json services workflows proto infra/image infra/local/kafka-acls.ts infra/local/secrets.ts infra/local/settings.ts"
for path in $paths; do
  rm -rf "${dest:?}/$path"
  mkdir -p "$(dirname "$dest/$path")"
  cp -R "$src/$path" "$dest/$path"
done
# No test files or READMEs in the image.
find "$dest/services" "$dest/workflows" \( -name '*.test.ts' -o -name 'README.md' \) -exec rm -f {} +

lock=$(sha256sum "$dest/package-lock.json" | cut -d' ' -f1)
marker="$dest/node_modules/.bps-package-lock-sha256"
if [ "$(cat "$marker" 2>/dev/null || true)" != "$lock" ]; then
  # --ignore-scripts: the project's postinstall (proto generation) needs dev dependencies, and no production
  # dependency needs an install script (native parts ship prebuilt: @temporalio/core-bridge, @swc/core, esbuild).
  (cd "$dest" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock" >"$marker"
fi
