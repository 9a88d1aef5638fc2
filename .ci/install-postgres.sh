#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are installed (Debian's `postgresql` package) for the
# shared-state tests, which start a throwaway server of their own from /usr/lib/postgresql/*/bin.
# Idempotent: does nothing when initdb is already there. Installing needs root (apt-get).
# No system cluster is needed: if the package starts one, the tests do not use it.
set -euo pipefail

have_postgres() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

if have_postgres; then
    echo "install-postgres: found $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-postgres: PostgreSQL is not installed and this is not root;" \
         "run as root: apt-get install postgresql" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends postgresql

if ! have_postgres; then
    echo "install-postgres: installed postgresql, but there is no /usr/lib/postgresql/*/bin/initdb" >&2
    exit 1
fi
echo "install-postgres: installed $(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1)"
