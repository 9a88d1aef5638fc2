#!/usr/bin/env bash
# Makes a Pulumi CLI, its Python language host and the Python shims available in BIN_DIR
# (the project's venv bin directory, first on PATH for make and the tests).
#
#   toolchain/install-pulumi.sh BIN_DIR
#
# 1. A `pulumi` already on PATH that is new enough (>= MIN_VERSION) and has a
#    pulumi-language-python beside it or on PATH is used as it is.
# 2. Otherwise the CLI, the language host and the shims are built from Go modules into
#    a cache outside the clone, keyed by version, and linked into BIN_DIR. A second run
#    finds the cache and builds nothing.
#
# Environment: JSMOPS_TOOLCHAIN_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/pulumi-jsmops/toolchain),
# JSMOPS_BUILD_PULUMI=1 to ignore a pulumi on PATH.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${1:?usage: install-pulumi.sh BIN_DIR}
mkdir -p "$bin_dir"
bin_dir=$(cd "$bin_dir" && pwd)

MIN_VERSION=3.254.0  # `pulumi import --file` with inputs and outputs (used by `jsmops import`)
version=$(sed -n 's#^\s*github.com/pulumi/pulumi/pkg/v3 v\([0-9.]*\)$#\1#p' "$here/pulumi-cli/go.mod")
cache_root=${JSMOPS_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-jsmops/toolchain}
# The key covers everything that goes into the build, so a change to either module, or to
# the language host's policy-pack change, rebuilds.
langhost_patch=$here/patches/langhost-policy-packs.patch
langhost_addition=$here/patches/langhost_policy_packs.go
key=$(cat "$here"/pulumi-cli/go.* "$here"/python-langhost/go.* "$langhost_patch" "$langhost_addition" | sha256sum | cut -c1-12)
dest="$cache_root/pulumi-v$version-$key"
tools=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python)

langhost_version=$(sed -n 's#^require github.com/pulumi/pulumi/sdk/v3 v\([0-9.]*\)$#\1#p' "$here/python-langhost/go.mod")
langhost_binary=pulumi-language-python-v$langhost_version

log() { echo "install-pulumi: $*" >&2; }

# The sdk v3.79.0 host reads the runtime options of Pulumi.yaml from its command line,
# where engines since then no longer put them (they send them over RPC). The engine
# starts the host in the program's directory, so this wrapper finds the Pulumi.yaml
# there or above and hands the host its `virtualenv` option, which `pulumi up` needs
# to find the venv without activating it. Rewritten on every run (it is not part of
# the cached build).
write_langhost_wrapper() {
    cat >"$1.tmp" <<WRAPPER
#!/bin/sh
host="$dest/bin/$langhost_binary"
root=\$PWD
while [ ! -f "\$root/Pulumi.yaml" ] && [ "\$root" != / ]; do root=\$(dirname "\$root"); done
venv=\$(sed -n 's/^[[:space:]]*virtualenv:[[:space:]]*["'\'']\{0,1\}\([^"'\''#[:space:]]*\).*/\1/p' "\$root/Pulumi.yaml" 2>/dev/null | head -n 1)
if [ -n "\$venv" ]; then
    exec "\$host" -root "\$root" -virtualenv "\$venv" "\$@"
fi
exec "\$host" "\$@"
WRAPPER
    chmod 0755 "$1.tmp"
    mv "$1.tmp" "$1"
}

version_ok() {  # is $1 >= MIN_VERSION?
    [ "$(printf '%s\n%s\n' "$MIN_VERSION" "$1" | sort -V | head -n1)" = "$MIN_VERSION" ]
}

link_into_bin() {
    write_langhost_wrapper "$dest/bin/pulumi-language-python"
    for t in "${tools[@]}"; do ln -sfn "$dest/bin/$t" "$bin_dir/$t"; done
}

# 1. A suitable pulumi on PATH (not one of our own links).
if [ "${JSMOPS_BUILD_PULUMI:-0}" != 1 ]; then
    for t in "${tools[@]}"; do
        [ -L "$bin_dir/$t" ] && rm -f "$bin_dir/$t"  # drop our links so PATH lookup sees the user's own
    done
    if existing=$(command -v pulumi 2>/dev/null); then
        found=$("$existing" version 2>/dev/null | sed 's/^v//') || found=""
        langhost=$(dirname "$existing")/pulumi-language-python
        if [ -n "$found" ] && version_ok "$found" && { [ -x "$langhost" ] || command -v pulumi-language-python >/dev/null; }; then
            log "using pulumi $found at $existing"
            exit 0
        fi
        log "ignoring pulumi at $existing (version '${found:-unknown}', need >= $MIN_VERSION with a Python language host)"
    fi
fi

# 2. The cache.
if [ -f "$dest/.complete" ]; then
    link_into_bin
    log "using cached pulumi $("$dest/bin/pulumi" version) from $dest"
    exit 0
fi

# 3. Build. One build at a time per cache; the result appears atomically.
command -v go >/dev/null || { log "Go is needed to build the Pulumi CLI (https://go.dev/doc/install)"; exit 1; }
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ ! -f "$dest/.complete" ]; then
    log "building pulumi v$version from Go modules into $dest (first run only, several minutes)"
    started=$(date +%s)
    work=$(mktemp -d "$cache_root/build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/bin"
    export GOFLAGS="-mod=mod ${GOFLAGS:-}"
    # Build in copies so the clone stays untouched (go may add missing go.sum lines).
    cp -r "$here/pulumi-cli" "$here/python-langhost" "$work/"
    (cd "$work/pulumi-cli" && go build -trimpath -o "$work/bin/pulumi" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    # Engines since v3.221 start Python policy packs through the host's RunPlugin, in a form
    # the v3.79.0 host does not know: the host's package (it imports only public packages of
    # sdk/v3) is built from a copy with our change for it (patches/langhost_policy_packs.go).
    host_src=$(cd "$work/python-langhost" && go list -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python)
    mkdir "$work/python-langhost/host"
    patch --quiet -o "$work/python-langhost/host/main.go" "$host_src/main.go" "$langhost_patch"
    cp "$langhost_addition" "$work/python-langhost/host/"
    (cd "$work/python-langhost" && go build -trimpath -o "$work/bin/$langhost_binary" ./host)
    # The shims the official distribution ships beside the binaries are files of the SDK's
    # Go module at the pinned version: take them from the module cache as they are.
    sdk_dir=$(cd "$work/pulumi-cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$work/bin/"
    install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$work/bin/"
    rm -rf "$dest"
    mv "$work" "$dest"
    trap - EXIT
    touch "$dest/.complete"
    log "built in $(( $(date +%s) - started ))s"
fi
link_into_bin
log "using pulumi $("$dest/bin/pulumi" version) from $dest"
