#!/usr/bin/env bash
# Headless Chromium plays whepfan streams through WHEP (issue 5).
#
# One fresh network namespace holds everything: lo, and whepfan's net_tap
# (wfbr0: whepfan 198.18.0.1, kernel side 198.18.0.2/24, no default route).
# In it: whepfan (HTTP on 127.0.0.1:18890), two ffmpeg RTP sources (stream
# "h264": 640x360 H.264 constrained baseline + Opus; stream "vp8": 320x240
# VP8 with a bearer token, which the page gets as ?token=), and Debian's
# Chromium driven by tests/e2e/browser/play.js over the DevTools protocol
# on a pipe.  Three tabs play at once (two viewers of "h264", one of
# "vp8"); each must decode frames of the source's size (getStats()).  Then
# the sessions end one by one, by a DELETE of the Location, by pc.close()
# alone (DTLS close_notify) and by leaving the page (the player's pagehide),
# and whepfan's telemetry must show sessions and viewers going down to 0.
# Then WHIP (issue 14): a second Chromium with a fake camera and
# microphone publishes from whepfan's publisher page to "pubh264" (H.264)
# and "pubvp8" (VP8), and plays each back through WHEP
# (tests/e2e/browser/publish.js: the published size decoded, whepfan's
# receiver reports at the publisher, the viewer resuming after the
# publisher's page reloads).  whepfan must then exit 0 on SIGTERM.  Every process, the temp dir and
# /var/run/dpdk/<prefix> are removed on success and failure.
#   env: WF_BUILD (build dir, default build)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${WF_BUILD:-build}
wf=$(realpath -m "$build/whepfan")
passed=0 failed=0
prefix=wfbrw$$
tmp=$(mktemp -d /tmp/wf-browser.XXXXXX)
inner_pid=
t_start=$(date +%s%N)

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

finish() {
	trap - EXIT INT TERM
	# the namespace's processes: the inner script kills its own children
	# on TERM; anything left of it is killed by its id
	if [ -n "$inner_pid" ] && kill -0 "$inner_pid" 2>/dev/null; then
		kill -TERM "$inner_pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$inner_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$inner_pid" 2>/dev/null
		# what survived it: our pid files, still in the test's namespace
		for f in "$tmp"/*.pid; do
			[ -e "$f" ] || continue
			p=$(cat "$f" 2>/dev/null)
			[ -n "$p" ] && [ -e "/proc/$p/ns/net" ] &&
				[ "$(readlink "/proc/$p/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
				kill -KILL "$p" 2>/dev/null
		done
	fi
	wait 2>/dev/null
	rm -rf "$tmp" "/var/run/dpdk/$prefix"
	echo "# test_browser: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}
trap finish EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/net/tun ]; then
	fail "needs root and /dev/net/tun"
	exit 1
fi
[ -x "$wf" ] || { fail "no $wf (build it first)"; exit 1; }
if ! scripts/deps.sh chromium ffmpeg nodejs >/dev/null; then
	fail "cannot install chromium, ffmpeg and nodejs"
	exit 1
fi

cat > "$tmp/browser.conf" <<EOF
dpdk = { eal = [ "--no-huge", "-m", "512", "--no-pci", "-l", "0-1",
                 "--file-prefix", "$prefix", "--vdev", "net_tap0,iface=wfbr0" ]; };
ports = ( { name = "net_tap0"; address = "198.18.0.1/24"; } );
http = { listen = "127.0.0.1:18890"; max_sessions = 16; };
dtls = { settle_s = 1; };
streams = (
  { name = "h264"; tracks = (
      { kind = "video"; port = 5004; codec = "H264"; payload_type = 96;
        fmtp = "packetization-mode=1;profile-level-id=42e01f"; },
      { kind = "audio"; port = 5006; codec = "opus"; payload_type = 111; channels = 2; } ); },
  { name = "vp8"; token = "vp8-token"; tracks = (
      { kind = "video"; port = 5008; codec = "VP8"; payload_type = 96; } ); },
  { name = "pubh264"; ingest = "whip"; publish_token = "pub-token"; tracks = (
      { kind = "video"; codec = "H264"; fmtp = "packetization-mode=1;profile-level-id=42e01f"; },
      { kind = "audio"; codec = "opus"; channels = 2; } ); },
  { name = "pubvp8"; ingest = "whip"; publish_token = "pub-token"; max_bitrate_kbps = 200; tracks = (
      { kind = "video"; codec = "VP8"; },
      { kind = "audio"; codec = "opus"; channels = 2; } ); }
);
EOF

# ---- inside the namespace ------------------------------------------------------
cat > "$tmp/inner.sh" <<'INNER'
set -uo pipefail
tmp=$1 wf=$2 prefix=$3 top=$4
pids=()
stop() {
	trap - EXIT TERM INT
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for f in "$tmp/chromium.pid" "$tmp/chromium-pub.pid"; do
		[ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap stop EXIT
trap 'exit 1' TERM INT
say() { echo "$*"; }
elapsed() { echo "$(( $(date +%s%N) / 1000000 - t0 )) ms"; }
t0=$(( $(date +%s%N) / 1000000 ))

ip link set lo up
"$wf" -c "$tmp/browser.conf" > "$tmp/whepfan.log" 2>&1 &
wf_pid=$!
pids+=("$wf_pid")
echo "$wf_pid" > "$tmp/whepfan.pid"
for _ in $(seq 1 100); do
	ip link show wfbr0 >/dev/null 2>&1 && break
	kill -0 "$wf_pid" 2>/dev/null || break
	sleep 0.1
done
if ! ip link show wfbr0 >/dev/null 2>&1; then say "wf_started=no"; exit 1; fi
ip addr add 198.18.0.2/24 dev wfbr0 && ip link set wfbr0 up
say "wf_started=yes ($(elapsed))"
# the namespace holds lo and the tap, and no route leaves it
say "netns_links=$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
say "netns_default_route=$(ip route show default | wc -l)"

ff=(ffmpeg -hide_banner -loglevel error -nostdin -re)
"${ff[@]}" -f lavfi -i "testsrc=size=640x360:rate=30" \
	-f lavfi -i "sine=frequency=440:sample_rate=48000" \
	-map 0:v -c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline \
	-pix_fmt yuv420p -g 30 -bsf:v h264_mp4toannexb \
	-payload_type 96 -f rtp "rtp://198.18.0.1:5004?pkt_size=1200" \
	-map 1:a -c:a libopus -b:a 64k -payload_type 111 \
	-f rtp "rtp://198.18.0.1:5006?pkt_size=1200" > "$tmp/ffmpeg-h264.log" 2>&1 &
pids+=("$!"); echo "$!" > "$tmp/ffmpeg-h264.pid"
"${ff[@]}" -f lavfi -i "testsrc=size=320x240:rate=30" \
	-c:v libvpx -deadline realtime -cpu-used 8 -b:v 1M -g 30 -auto-alt-ref 0 \
	-error-resilient 1 -pix_fmt yuv420p \
	-payload_type 96 -f rtp "rtp://198.18.0.1:5008?pkt_size=1200" > "$tmp/ffmpeg-vp8.log" 2>&1 &
pids+=("$!"); echo "$!" > "$tmp/ffmpeg-vp8.pid"

# wait until both streams have a source (else the player waits on 409)
tel() { echo "$1" | timeout 10 dpdk-telemetry.py -f "$prefix" 2>/dev/null | tail -n 1; }
pkts() { tel "/whepfan/stream,$1" | python3 -c 'import json,sys
d=json.load(sys.stdin); print(list(d.values())[0]["video"]["packets"])' 2>/dev/null || echo 0; }
for _ in $(seq 1 50); do
	[ "$(pkts h264)" -gt 0 ] && [ "$(pkts vp8)" -gt 0 ] && break
	sleep 0.2
done
say "sources_live=$(pkts h264),$(pkts vp8) ($(elapsed))"

node "$top/tests/e2e/browser/play.js" --port 18890 --prefix "$prefix" \
	--profile "$tmp/profile" --home "$tmp/chromium-env" --console "$tmp/console.log" \
	--chromium-log "$tmp/chromium.log" --pid-file "$tmp/chromium.pid" \
	h264:640x360:audio:end=delete h264:640x360:audio:end=close \
	vp8:320x240:token=vp8-token:end=leave &
node_pid=$!
pids+=("$node_pid")
wait "$node_pid"
say "play_exit=$?"
say "browser_done=($(elapsed))"
say "chromium_gone=$(if [ -s "$tmp/chromium.pid" ] && kill -0 "$(cat "$tmp/chromium.pid")" 2>/dev/null; then echo no; else echo yes; fi)"

# WHIP: Chromium publishes its fake camera and microphone from the
# publisher page and plays each stream back through WHEP
node "$top/tests/e2e/browser/publish.js" --port 18890 --prefix "$prefix" \
	--profile "$tmp/profile-pub" --home "$tmp/chromium-env" --console "$tmp/console.log" \
	--chromium-log "$tmp/chromium.log" --pid-file "$tmp/chromium-pub.pid" \
	pubh264:token=pub-token:audio pubvp8:token=pub-token:audio:cap=200 &
node_pid=$!
pids+=("$node_pid")
wait "$node_pid"
say "publish_exit=$?"
say "publish_done=($(elapsed))"
say "chromium_pub_gone=$(if [ -s "$tmp/chromium-pub.pid" ] && kill -0 "$(cat "$tmp/chromium-pub.pid")" 2>/dev/null; then echo no; else echo yes; fi)"

# the sources stop; whepfan ends on SIGTERM with status 0
for p in "${pids[@]}"; do [ "$p" = "$wf_pid" ] || kill -TERM "$p" 2>/dev/null; done
kill -TERM "$wf_pid"
for _ in $(seq 1 100); do kill -0 "$wf_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$wf_pid" 2>/dev/null; then say "term_exit=timeout"; kill -KILL "$wf_pid"; fi
wait "$wf_pid"; say "term_exit=$?"
say "tap_gone=$(ip link show wfbr0 >/dev/null 2>&1 && echo no || echo yes)"
INNER

timeout -k 5 260 unshare -n bash "$tmp/inner.sh" "$tmp" "$wf" "$prefix" "$top" > "$tmp/inner.out" 2>&1 &
inner_pid=$!
wait "$inner_pid"
inner_rc=$?
inner_pid=
val() { sed -n "s/^$1=//p" "$tmp/inner.out" | tail -n 1; }

# play.js's own checks and details, as they are
grep -E '^(ok   |FAIL |  )' "$tmp/inner.out"
passed=$((passed + $(grep -c '^ok   ' "$tmp/inner.out")))
failed=$((failed + $(grep -c '^FAIL ' "$tmp/inner.out")))

check whepfan_starts_on_net_tap_in_a_private_namespace [ "$(val wf_started | cut -d' ' -f1)" = yes ]
check namespace_holds_only_lo_and_the_tap [ "$(val netns_links)" = "lo wfbr0 " ]
check namespace_has_no_default_route [ "$(val netns_default_route)" = 0 ]
check both_rtp_sources_reach_whepfan \
	grep -Eq '^sources_live=[1-9][0-9]*,[1-9][0-9]* ' "$tmp/inner.out"
check browser_driver_completes_all_its_checks [ "$(val play_exit)" = 0 ]
check chromium_is_gone_after_the_test [ "$(val chromium_gone)" = yes ]
check publish_driver_completes_all_its_checks [ "$(val publish_exit)" = 0 ]
check publishing_chromium_is_gone_after_the_test [ "$(val chromium_pub_gone)" = yes ]
check sigterm_stops_whepfan_with_exit_status_0 [ "$(val term_exit)" = 0 ]
check tap_interface_goes_with_whepfan [ "$(val tap_gone)" = yes ]
check whepfan_log_has_no_errors_or_failed_sessions \
	bash -c "! grep -Ei '^whepfan: .*(error|fail|cannot|expired|never connected|panic)' '$tmp/whepfan.log'"
check test_runs_in_bounded_time [ "$inner_rc" -ne 124 ]
echo "  timings from the namespace's start: whepfan up $(val wf_started | cut -d' ' -f2-), sources live $(val sources_live | cut -d' ' -f2-), browser done $(val browser_done), publishing done $(val publish_done); whole test $(( ($(date +%s%N) - t_start) / 1000000 )) ms"

if [ "$failed" -ne 0 ]; then
	echo "--- inner script"; grep -Ev '^(ok   |FAIL |  )' "$tmp/inner.out"
	echo "--- browser console"; tail -n 40 "$tmp/console.log" 2>/dev/null
	echo "--- chromium (last lines)"; tail -n 15 "$tmp/chromium.log" 2>/dev/null
	echo "--- ffmpeg"; cat "$tmp"/ffmpeg-*.log 2>/dev/null | tail -n 10
	echo "--- whepfan log (last lines)"; tail -n 40 "$tmp/whepfan.log" 2>/dev/null
fi
