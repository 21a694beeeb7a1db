#!/usr/bin/env bash
# make demo: serves a test stream that a browser on this machine plays.
#
# Starts whepfan on net_tap (wf0: whepfan 198.18.0.1, kernel side
# 198.18.0.2/24) with conf/whepfan.conf, a test source (ffmpeg: a test
# pattern with a running clock as H.264, a tone as Opus, RTP to the ingest
# ports), prints the player URL and the telemetry command, and on Ctrl-C
# stops everything it started and removes what it set up.
#   usage: scripts/demo.sh [BUILD_DIR]    (WF_DEMO_SECONDS=N: stop after N s)
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
conf=conf/whepfan.conf
iface=wf0
state=$(mktemp -d /tmp/whepfan-demo.XXXXXX)
wf_pid= ff_pid=

say() { printf 'demo: %s\n' "$*"; }
die() { say "$*" >&2; cleanup; exit 1; }

cleanup() {
	trap - INT TERM EXIT
	[ -n "$ff_pid" ] && kill "$ff_pid" 2>/dev/null
	if [ -n "$wf_pid" ] && kill -0 "$wf_pid" 2>/dev/null; then
		kill -INT "$wf_pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$wf_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$wf_pid" 2>/dev/null
	fi
	wait 2>/dev/null
	# the tap goes away with whepfan; its address with it
	rm -rf "$state"
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || die "run as root (DPDK needs it for net_tap)"
scripts/deps.sh ffmpeg fonts-dejavu-core || die "cannot install ffmpeg"
[ -x "$build/whepfan" ] || die "$build/whepfan is missing: run make"
"$build/whepfan" -c "$conf" --check-config >/dev/null || die "$conf is not valid"
if ss -ltn 2>/dev/null | grep -q '127.0.0.1:8889 '; then
	die "port 8889 is in use (another whepfan or MediaMTX?); stop it first"
fi
if ip link show "$iface" >/dev/null 2>&1; then
	die "interface $iface exists already (another whepfan running?)"
fi

"$build/whepfan" -c "$conf" >"$state/whepfan.log" 2>&1 &
wf_pid=$!
for _ in $(seq 1 100); do
	ip link show "$iface" >/dev/null 2>&1 && break
	kill -0 "$wf_pid" 2>/dev/null || break
	sleep 0.1
done
if ! kill -0 "$wf_pid" 2>/dev/null || ! ip link show "$iface" >/dev/null 2>&1; then
	why=$(grep -E 'whepfan: |EAL: .*(fail|cannot|Cannot|error)' "$state/whepfan.log" | tail -n 1)
	die "whepfan did not start: ${why:-see $state/whepfan.log}"
fi
ip addr add 198.18.0.2/24 dev "$iface" 2>/dev/null
ip link set "$iface" up

font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
clock="drawtext=fontfile=$font:text='whepfan %{localtime\\:%T}':x=40:y=40:fontsize=48:fontcolor=white:box=1:boxcolor=black@0.6"
ffmpeg -hide_banner -loglevel error -nostdin -re \
	-f lavfi -i "testsrc2=size=1280x720:rate=30" \
	-f lavfi -i "sine=frequency=440:sample_rate=48000" \
	-map 0:v -vf "$clock" -c:v libx264 -preset veryfast -tune zerolatency \
	-profile:v baseline -level 3.1 -pix_fmt yuv420p -g 30 -bsf:v h264_mp4toannexb \
	-payload_type 96 -f rtp "rtp://198.18.0.1:5004?pkt_size=1200" \
	-map 1:a -c:a libopus -b:a 64k -payload_type 111 \
	-f rtp "rtp://198.18.0.1:5006?pkt_size=1200" \
	>"$state/ffmpeg.log" 2>&1 &
ff_pid=$!

say "whepfan is serving stream \"test\" (log: $state/whepfan.log)"
say "open  http://127.0.0.1:8889/test/  in a browser on this machine"
say "telemetry:  dpdk-telemetry.py -f whepfan   (then /whepfan/stats)"
say "Ctrl-C stops everything"

end=$(( $(date +%s) + ${WF_DEMO_SECONDS:-0} ))
while kill -0 "$wf_pid" 2>/dev/null; do
	if ! kill -0 "$ff_pid" 2>/dev/null; then
		die "the test source stopped: $(tail -n 1 "$state/ffmpeg.log")"
	fi
	if [ -n "${WF_DEMO_SECONDS:-}" ] && [ "$(date +%s)" -ge "$end" ]; then
		say "stopping after ${WF_DEMO_SECONDS} s"
		break
	fi
	sleep 0.5
done
kill -0 "$wf_pid" 2>/dev/null || die "whepfan stopped: $(tail -n 3 "$state/whepfan.log")"
cleanup
exit 0
