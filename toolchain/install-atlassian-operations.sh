#!/usr/bin/env bash
# Builds the `atlassian-operations` Terraform provider, pointed at a configurable API base,
# into the toolchain cache (for `make bench-peer` only). Prints the directory that holds
# the binary: the `dev_overrides` entry of a tofu CLI config.
#
#   toolchain/install-atlassian-operations.sh
#
# Source: the Go module from the Go module proxy; when the proxy does not serve it, a
# clone of its public repository at the same tag (JSMOPS_PEER_PROVIDER_SOURCE: a git URL
# or a local clone, default the GitHub repository).
#
# The provider has its API base as a string literal (https://api.atlassian.com), which
# ldflags cannot set. The build step replaces that one literal in a copy of the source by
# a call to a function that this script adds in a file of its own: it returns
# $ATLASSIAN_OPS_API_BASE when set (the benchmark sets it to the emulator), else the
# literal's value. Nothing of the provider's code is kept in this repository.
set -euo pipefail

VERSION=${JSMOPS_PEER_PROVIDER_VERSION:-1.1.9}
MODULE=github.com/atlassian/terraform-provider-atlassian-operations
SOURCE=${JSMOPS_PEER_PROVIDER_SOURCE:-https://$MODULE}
HELPERS=internal/httpClient/httpClientHelpers
LITERAL='return "https://api.atlassian.com"'
cache_root=${JSMOPS_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-jsmops/toolchain}
dest="$cache_root/atlassian-operations-v$VERSION"

log() { echo "install-atlassian-operations: $*" >&2; }

if [ ! -f "$dest/.complete" ]; then
    command -v go >/dev/null || { log "Go is needed to build the provider (https://go.dev/doc/install)"; exit 1; }
    mkdir -p "$cache_root"
    exec 9>"$cache_root/.lock-atlassian-operations"
    flock 9
fi
if [ ! -f "$dest/.complete" ]; then
    log "building $MODULE v$VERSION into $dest (first run only, a few minutes)"
    started=$(date +%s)
    work=$(mktemp -d "$cache_root/build-atlassian-operations.XXXXXX")
    trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
    if dir=$(go mod download -json "$MODULE@v$VERSION" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') && [ -d "$dir" ]; then
        cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"  # the module cache is read-only
    else
        log "the Go module proxy does not serve $MODULE@v$VERSION; cloning $SOURCE at v$VERSION"
        git -c advice.detachedHead=false clone --quiet --depth 1 --branch "v$VERSION" "$SOURCE" "$work/src"
    fi
    helpers="$work/src/$HELPERS/helpers.go"
    found=$(grep -cF "$LITERAL" "$helpers" || true)
    [ "$found" = 1 ] || { log "expected the API base literal once in $HELPERS/helpers.go, found $found: update this script"; exit 1; }
    sed -i "s#$LITERAL#return jsmopsApiBase()#" "$helpers"
    cat >"$work/src/$HELPERS/zz_jsmops_api_base.go" <<'GO'
package httpClientHelpers

import "os"

// Added by pulumi-jsmops's toolchain/install-atlassian-operations.sh: the API base, from
// ATLASSIAN_OPS_API_BASE when set (a local emulator), else the production one.
func jsmopsApiBase() string {
	if base := os.Getenv("ATLASSIAN_OPS_API_BASE"); base != "" {
		return base
	}
	return "https://api.atlassian.com"
}
GO
    mkdir -p "$work/bin"
    (cd "$work/src" && GOFLAGS="-mod=mod ${GOFLAGS:-}" nice -n "${JSMOPS_BUILD_NICE:-10}" \
        go build -trimpath -o "$work/bin/terraform-provider-atlassian-operations" -ldflags "-s -w -X main.version=$VERSION" .)
    rm -rf "$work/src" "$dest"
    mv "$work" "$dest"
    trap - EXIT
    touch "$dest/.complete"
    log "built in $(( $(date +%s) - started ))s"
fi
echo "$dest/bin"
