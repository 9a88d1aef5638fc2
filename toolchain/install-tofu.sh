#!/usr/bin/env bash
# Builds OpenTofu from its Go module into the toolchain cache (for `make bench-peer` only).
#
#   toolchain/install-tofu.sh        # prints the path of the `tofu` binary
#
# OpenTofu's go.mod carries replace directives, which `go install module@version` refuses,
# so the module source is downloaded from the Go module proxy and built as the main module
# of a copy of it. The result lands in
# ${JSMOPS_TOOLCHAIN_CACHE:-~/.cache/pulumi-jsmops/toolchain}/opentofu-v<version>/bin/tofu;
# a second run finds it and builds nothing.
set -euo pipefail

VERSION=${JSMOPS_TOFU_VERSION:-1.10.6}
MODULE=github.com/opentofu/opentofu
cache_root=${JSMOPS_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-jsmops/toolchain}
dest="$cache_root/opentofu-v$VERSION"

log() { echo "install-tofu: $*" >&2; }

if [ ! -f "$dest/.complete" ]; then
    command -v go >/dev/null || { log "Go is needed to build OpenTofu (https://go.dev/doc/install)"; exit 1; }
    mkdir -p "$cache_root"
    exec 9>"$cache_root/.lock-opentofu"
    flock 9
fi
if [ ! -f "$dest/.complete" ]; then
    log "building OpenTofu v$VERSION from its Go module into $dest (first run only, several minutes)"
    started=$(date +%s)
    src=$(go mod download -json "$MODULE@v$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -d "$src" ] || { log "could not download $MODULE@v$VERSION"; exit 1; }
    work=$(mktemp -d "$cache_root/build-opentofu.XXXXXX")
    trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
    cp -r "$src" "$work/src" && chmod -R u+w "$work/src"  # the module cache is read-only
    mkdir -p "$work/bin"
    (cd "$work/src" && GOFLAGS="-mod=mod ${GOFLAGS:-}" nice -n "${JSMOPS_BUILD_NICE:-10}" \
        go build -trimpath -o "$work/bin/tofu" -ldflags "-s -w -X $MODULE/version.dev=no" ./cmd/tofu)
    rm -rf "$work/src" "$dest"
    mv "$work" "$dest"
    trap - EXIT
    touch "$dest/.complete"
    log "built in $(( $(date +%s) - started ))s"
fi
echo "$dest/bin/tofu"
