#!/usr/bin/env bash
# soak.sh: whepfan under churning WHEP viewers for MINUTES minutes, in a
# private network namespace on net_tap (as the end-to-end tests run it,
# tests/common/e2e.c), then the verdict of scripts/soak.py.
#
#   usage: scripts/soak.sh BUILD MINUTES     (make soak SOAK_MINUTES=N)
#   SOAK_ASAN=1: BUILD is the sanitizer build; its reports go to
#                build/soak/asan.*, and any report fails the soak.
#   SOAK_OUT:    where results go (default build/soak)
#   SOAK_VIEWERS, SOAK_CHURN, SOAK_RESTART_S, SOAK_HUP_S: live viewers
#                (300), leaving and joining a second (3), seconds between
#                source restarts (240) and between reloads (180)
#   SOAK_DTLS_LOSS: percent of DTLS datagrams each viewer loses each way
#                (0): handshakes that must recover by retransmission
#
# A namespace held by `unshare --net sleep`; whepfan inside it (the
# configuration from tests/load/soak.conf.in) creates the tap, whose kernel
# side gets 198.18.0.2-9/24 (the source and the viewers); build/whepfan-load
# runs inside it too (tests/load/whepfan_load.c: two streams, viewers
# joining and leaving, 2 % loss repaired by NACK, a source that restarts
# every SOAK_RESTART_S, hostile datagrams); whepfan gets a SIGHUP (reload) every
# SOAK_HUP_S; soak.py samples every 10 s from outside (/proc and the DPDK
# telemetry socket, which is a file, not a network address).  Everything is
# stopped and removed on exit, on failure and on Ctrl-C.  Only 198.18.0.0/15
# and loopback are used.  Exit status 0 when every criterion held.
set -euo pipefail
build=${1:-build}
minutes=${2:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${SOAK_OUT:-build/soak}
hup_s=${SOAK_HUP_S:-180}
viewers=${SOAK_VIEWERS:-300}
churn=${SOAK_CHURN:-3}
restart_s=${SOAK_RESTART_S:-240}
dtls_loss=${SOAK_DTLS_LOSS:-0}

die() { echo "soak: $*" >&2; exit 2; }

[[ $minutes =~ ^[0-9]+$ ]] && [ "$minutes" -ge 3 ] ||
	die "SOAK_MINUTES=$minutes: want a whole number of minutes, at least 3 (the level is taken at 1-2 min)"
[[ $hup_s =~ ^[1-9][0-9]*$ ]] || die "SOAK_HUP_S=$hup_s: want a whole number of seconds, at least 1"
[[ $dtls_loss =~ ^[0-9]+$ ]] && [ "$dtls_loss" -le 50 ] ||
	die "SOAK_DTLS_LOSS=$dtls_loss: want a whole percent, 0-50"
[ "$(id -u)" -eq 0 ] || die "needs root (network namespace, tap device)"
[ -c /dev/net/tun ] || die "needs /dev/net/tun"
for tool in unshare nsenter ip python3; do
	command -v "$tool" >/dev/null || die "needs $tool"
done
for bin in whepfan whepfan-load; do
	[ -x "$build/$bin" ] || die "no $build/$bin: build it first (make soak does)"
done

# root writes and deletes files in $out: not through a link to elsewhere
[ ! -L "$out" ] || die "$out is a symbolic link: give SOAK_OUT a directory of its own"
mkdir -p "$out"
rm -f "$out"/asan.* "$out"/*.log "$out"/*.err "$out"/soak.csv "$out"/soak.svg "$out"/whepfan.conf
prefix="wfsoak$$"
iface="wfsoak$$"
iface=${iface:0:15}
sed -e "s/@PREFIX@/$prefix/" -e "s/@IFACE@/$iface/" tests/load/soak.conf.in >"$out/whepfan.conf"

holder=
wf=
load=
hup=
# Stops pid: TERM, KILL after 5 s; reaped.
stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true	# gone already: fine (set -e)
	wait "$1" 2>/dev/null || true		# its status is not ours
}
cleanup() {
	set +e
	trap '' INT TERM	# a second Ctrl-C does not cut the clean-up short
	# whepfan first: its workers poll both CPUs
	if [ -n "$wf" ] && kill -0 "$wf" 2>/dev/null; then
		kill -KILL "$wf" 2>/dev/null
		wait "$wf" 2>/dev/null
	fi
	stop "$load"
	stop "$hup"
	stop "$holder"
	rm -rf "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${SOAK_ASAN:-}" ]; then
	export ASAN_OPTIONS="detect_leaks=1:log_path=$top/$out/asan"
	export UBSAN_OPTIONS="print_stacktrace=1:log_path=$top/$out/asan"
fi

# The namespace: a process that holds it, entered by everything else.
unshare --net sleep infinity &
holder=$!
for _ in $(seq 100); do
	[ "$(readlink "/proc/$holder/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done
[ "$(readlink "/proc/$holder/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
	die "unshare --net did not give a namespace"
ns=(nsenter --net="/proc/$holder/ns/net" --)	# a plain command: `cmd &` is its pid
nsx() { "${ns[@]}" "$@"; }
nsx ip link set lo up

# whepfan (nsenter execs it: $! is whepfan's pid) and its tap.
"${ns[@]}" "$build/whepfan" -- -c "$out/whepfan.conf" >"$out/whepfan.log" 2>&1 &
wf=$!
for _ in $(seq 600); do
	nsx ip link show "$iface" >/dev/null 2>&1 && break
	kill -0 "$wf" 2>/dev/null || { cat "$out/whepfan.log"; die "whepfan exited at start"; }
	sleep 0.05
done
nsx ip link show "$iface" >/dev/null 2>&1 || die "no tap $iface after 30 s"
for i in 2 3 4 5 6 7 8 9; do
	nsx ip addr add "198.18.0.$i/24" dev "$iface"
done
nsx ip link set "$iface" up
# HTTP answers before the first viewer's POST
for _ in $(seq 300); do
	nsx bash -c 'exec 3<>/dev/tcp/127.0.0.1/8889' 2>/dev/null && break
	sleep 0.1
done
nsx bash -c 'exec 3<>/dev/tcp/127.0.0.1/8889' 2>/dev/null ||
	die "whepfan's HTTP (127.0.0.1:8889) did not answer within 30 s"

echo "soak: $minutes min, $viewers viewers, $churn a second churning, build $build," \
     "results in $out (whepfan pid $wf)"
"${ns[@]}" "$build/whepfan-load" -n "$viewers" -j "$churn" -l 2 -r "$restart_s" \
	-D "$dtls_loss" -H 5 -i 2 -d $((minutes * 60 + 30)) -s "$out/load.log" 2>"$out/load.err" &
load=$!

# A configuration reload every few minutes.
( while sleep "$hup_s"; do
	kill -HUP "$wf" 2>/dev/null || exit 0
	echo "$(date -u +%FT%TZ) SIGHUP" >>"$out/events.log"
  done ) &
hup=$!

rc=0
python3 scripts/soak.py --pid "$wf" --prefix "$prefix" --load-log "$out/load.log" \
	--seconds $((minutes * 60)) --out "$out" ${SOAK_ASAN:+--asan} || rc=$?

kill "$hup" 2>/dev/null; wait "$hup" 2>/dev/null || true
hup=
# the load tool runs 30 s past the sampling (soak.py reads its line 5 s
# after the last sample): gone before means it failed
if ! kill -0 "$load" 2>/dev/null; then
	lrc=0
	wait "$load" || lrc=$?
	echo "soak: FAIL the load tool exited before the end (status $lrc; $out/load.err)"
	rc=1
fi
stop "$load"
load=
# whepfan must stop cleanly (under ASan the leak check runs at exit).
if kill -TERM "$wf" 2>/dev/null; then
	wrc=0
	for _ in $(seq 600); do kill -0 "$wf" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$wf" 2>/dev/null; then
		echo "soak: FAIL whepfan did not stop within 60 s of SIGTERM"
		rc=1
	else
		wait "$wf" || wrc=$?
		wf=
		if [ "$wrc" -ne 0 ]; then
			echo "soak: FAIL whepfan exited with status $wrc after SIGTERM"
			rc=1
		fi
	fi
else
	echo "soak: FAIL whepfan was not running at the end"
	rc=1
fi
if [ -n "${SOAK_ASAN:-}" ]; then
	if compgen -G "$out/asan.*" >/dev/null; then
		echo "soak: FAIL sanitizer reports:"
		ls "$out"/asan.*
		head -n 40 "$out"/asan.*
		rc=1
	else
		echo "soak: sanitizer reports: 0"
	fi
fi
[ "$rc" -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL"
exit "$rc"
