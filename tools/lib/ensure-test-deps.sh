#!/usr/bin/env bash
# Installs (Debian, as root) the host programs the default test suite uses: iproute2 (network namespaces, TAP),
# tcpdump (reads the capture files back), python3 and setpriv (a control-socket client run as another uid).
# Prints what it did; fails loudly when something cannot be had.
set -euo pipefail

missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
# The daemon's unauthorized-peer test runs a small Python client as another uid (setpriv, util-linux).
[[ -x /usr/bin/python3 ]] || missing+=(python3-minimal)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "sidecore: tests need ${missing[*]}; install them (apt-get install ${missing[*]}) and retry" >&2
    exit 1
fi
echo "sidecore: installing test prerequisites: ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
