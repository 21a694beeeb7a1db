#!/usr/bin/env bash
# Installs the Debian packages whepfan needs, only those that are missing.
# Quiet and fast when everything is present; runs `apt-get update` only when
# something must be installed.  Usage: scripts/deps.sh [extra-package ...]
# (`make fuzz` passes clang and libfuzzer-14-dev: only it needs them).
set -euo pipefail

pkgs=(build-essential pkg-config libdpdk-dev dpdk-dev libsrtp2-dev
      libipsec-mb-dev libconfig-dev libssl-dev libmicrohttpd-dev iproute2
      "$@")

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt's chatter (debconf notes) is shown only when something failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
	>"$log" 2>&1; then
	cat "$log" >&2
	echo "deps: installing ${missing[*]} failed" >&2
	exit 1
fi
