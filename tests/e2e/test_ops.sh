#!/usr/bin/env bash
# Operations end to end (issue 6): --check-config, telemetry over the real
# socket with figures that move when traffic flows, /metrics parsed, SIGHUP
# adding and removing a stream (and refusing a bad file), SIGTERM exit 0,
# and `make demo`'s script starting and stopping cleanly in bounded time.
# Everything runs in private network namespaces (traffic stays there).
#   env: WF_BUILD (build dir, default build)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${WF_BUILD:-build}
wf=$build/whepfan
passed=0 failed=0
tmp=$(mktemp -d /tmp/wf-ops.XXXXXX)
prefix=wfops$$

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
cond() { eval "$1" 2>/dev/null; }
finish() {
	rm -rf "$tmp" "/var/run/dpdk/$prefix"
	echo "# test_ops: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
trap finish EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/net/tun ]; then
	fail "needs root and /dev/net/tun"
	exit 1
fi
[ -x "$wf" ] || { fail "no $wf"; exit 1; }

# ---- --check-config ------------------------------------------------------
out=$("$wf" -c conf/whepfan.conf --check-config 2>&1); rc=$?
check check_config_accepts_the_example [ "$rc" -eq 0 ]
sed 's/udp_port = 8189;/udp_port = 70000;/' conf/whepfan.conf > "$tmp/bad.conf"
line=$(grep -n 'udp_port = 70000' "$tmp/bad.conf" | cut -d: -f1)
out=$("$wf" -c "$tmp/bad.conf" --check-config 2>&1); rc=$?
check check_config_exits_2_on_errors [ "$rc" -eq 2 ]
check check_config_names_file_line_and_setting \
	grep -q "^$tmp/bad.conf:$line: webrtc.udp_port: " <<<"$out"
# histories that cannot fit beside the receive/transmit reserve: refused,
# with the numbers (app/slow/mbufs.h)
sed 's/mbufs = 65535;/mbufs = 4095;/' conf/whepfan.conf > "$tmp/small.conf"
out=$("$wf" -c "$tmp/small.conf" --check-config 2>&1); rc=$?
check check_config_refuses_histories_the_pool_cannot_hold_with_the_numbers \
	cond '[ "$rc" -eq 2 ] && grep -q "dpdk.mbufs = 4095 is too small: the streams. histories may hold [0-9]* mbufs" <<<"$out" && grep -q "raise dpdk.mbufs to at least [0-9]*" <<<"$out"'

# ---- a running whepfan ---------------------------------------------------
cat > "$tmp/run.conf" <<EOF
dpdk = { eal = [ "--no-huge", "-m", "512", "--no-pci", "-l", "0-1",
                 "--file-prefix", "$prefix", "--vdev", "net_tap0,iface=wfops0" ]; };
ports = ( { name = "net_tap0"; address = "198.18.0.1/24"; } );
http = { listen = "127.0.0.1:18889"; };
streams = ( { name = "cam"; tracks = ( { kind = "video"; port = 5004; codec = "H264"; payload_type = 96; } ); } );
EOF

cat > "$tmp/inner.sh" <<'INNER'
set -uo pipefail
ip link set lo up
tmp=$1 wf=$2 prefix=$3
"$wf" -c "$tmp/run.conf" > "$tmp/wf.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do ip link show wfops0 >/dev/null 2>&1 && break; sleep 0.1; done
ip addr add 198.18.0.2/24 dev wfops0 && ip link set wfops0 up
tel() { echo "$1" | timeout 10 dpdk-telemetry.py -f "$prefix" 2>/dev/null | tail -n 1; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); k=list(d)[0]; v=d[k]
for p in sys.argv[1].split("."): v=v[p]
print(v)' "$1"; }
sleep 1
echo "stats_before=$(tel /whepfan/stats | field ingest_pkts 2>/dev/null)"
python3 - <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(100):
    nal = bytes([0x65 if i % 30 == 0 else 0x41]) + bytes(300)
    s.sendto(struct.pack('!BBHII', 0x80, 96, 7000 + i, 3000 * i, 0xabc) + nal, ('198.18.0.1', 5004))
    s.sendto(b'\x00garbage', ('198.18.0.1', 6999))
    time.sleep(0.005)
PY
sleep 0.5
echo "stats_after=$(tel /whepfan/stats | field ingest_pkts)"
echo "drop_no_port=$(tel /whepfan/stats | field drops.udp_no_port)"
echo "stream_pkts=$(tel /whepfan/stream,cam | field video.packets)"
echo "info_version=$(tel /whepfan/info | field version)"
echo "lcores=$(tel /whepfan/lcores | field worker0.ingest_pkts)"
echo "port_rx=$(tel /whepfan/stats | field ports.net_tap0.rx_packets)"
echo "port_q0=$(tel /whepfan/stats | field ports.net_tap0.rx_queue_packets | tr -d '[] ' | cut -d, -f1)"
echo "port_nombuf=$(tel /whepfan/stats | field ports.net_tap0.rx_nombuf)"
python3 - <<'PY' > "$tmp/metrics.txt"
import urllib.request
print(urllib.request.urlopen('http://127.0.0.1:18889/metrics', timeout=5).read().decode())
PY
echo "metrics_rc=$?"
# reloads of the unchanged file: parsed into a scratch kept from the start,
# so the resident size stays (a fresh 2.5 MB a reload used to stay in
# glibc's heap)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
echo "rss_before_reloads=$(rss)"
unchanged() { grep -c "reload: .* applied in [0-9.]* ms: 0 streams added, 0 removed, 0 changed" "$tmp/wf.log"; }
n0=$(unchanged)
for i in 1 2 3; do
	kill -HUP $pid
	for _ in $(seq 1 50); do [ "$(unchanged)" -ge $((n0 + i)) ] && break; sleep 0.1; done
done
echo "rss_after_reloads=$(rss)"
echo "unchanged_reloads=$(( $(unchanged) - n0 ))"
echo "reload_ms=$(grep -o "applied in [0-9.]* ms: 0 streams added" "$tmp/wf.log" | awk '{ printf "%s ", $3 }')"
# reload: the admission settings apply at once, other http settings wait
# for a restart
sed -i 's|^http = { listen = "127.0.0.1:18889"; };|http = { listen = "127.0.0.1:18889"; post_rate_per_ip = 1; post_burst_per_ip = 1; max_body = 2048; };|' "$tmp/run.conf"
kill -HUP $pid; sleep 1
python3 - <<'PY'
import urllib.request, urllib.error
codes = []
for _ in range(2):
    req = urllib.request.Request('http://127.0.0.1:18889/cam/whep', data=b'v=0\r\n',
                                 headers={'Content-Type': 'application/sdp'})
    try:
        codes.append(urllib.request.urlopen(req, timeout=5).status)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
print('posts_after_reload=' + ','.join(map(str, codes)))
PY
# reload: add a stream, then remove the first, then a broken file
sed -i 's|^streams = ( |streams = ( { name = "two"; tracks = ( { kind = "audio"; port = 6006; codec = "opus"; payload_type = 111; } ); }, |' "$tmp/run.conf"
kill -HUP $pid; sleep 1
echo "streams_added=$(tel /whepfan/streams)"
sed -i 's|, { name = "cam";.*$| );|' "$tmp/run.conf"
kill -HUP $pid; sleep 1
echo "streams_removed=$(tel /whepfan/streams)"
# a reload that adds a WHIP stream (and restarts "two": a new history_ms)
sed -i 's|^streams = ( { name = "two"; |streams = ( { name = "pub"; ingest = "whip"; publish_token = ""; tracks = ( { kind = "audio"; codec = "opus"; } ); }, { name = "two"; history_ms = 2000; |' "$tmp/run.conf"
kill -HUP $pid; sleep 1
echo "streams_whip=$(tel /whepfan/streams)"
echo "this is not libconfig" >> "$tmp/run.conf"
kill -HUP $pid; sleep 1
echo "streams_kept=$(tel /whepfan/streams)"
kill -TERM $pid
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then echo "term_exit=timeout"; kill -KILL $pid; fi
wait $pid; echo "term_exit=$?"
INNER
timeout 90 unshare -n bash "$tmp/inner.sh" "$tmp" "$wf" "$prefix" > "$tmp/inner.out" 2>&1
val() { sed -n "s/^$1=//p" "$tmp/inner.out" | tail -n 1; }

before=$(val stats_before); after=$(val stats_after)
check telemetry_stats_move_when_traffic_flows \
	cond '[ "${after:-0}" -ge 100 ] && [ "${before:-0}" -lt "${after:-0}" ]'
check telemetry_counts_named_drops cond '[ "$(val drop_no_port)" -ge 100 ]'
check telemetry_stream_shows_source_packets cond '[ "$(val stream_pkts)" -ge 100 ]'
check telemetry_info_and_lcores_answer \
	cond '[ -n "$(val info_version)" ] && [ "$(val lcores)" -ge 100 ]'
check metrics_are_prometheus_text cond '[ "$(val metrics_rc)" = 0 ] &&
	grep -q "^# TYPE whepfan_drops_total counter$" "$tmp/metrics.txt" &&
	grep -Eq "^whepfan_stream_packets_total\{stream=\"cam\",track=\"video\"\} [0-9]+$" "$tmp/metrics.txt"'
check port_counters_in_telemetry_count_the_traffic \
	cond '[ "$(val port_rx)" -ge 200 ] && [ "$(val port_q0)" -ge 200 ] && [ "$(val port_nombuf)" = 0 ]'
check port_counters_in_metrics cond 'grep -Eq "^whepfan_port_rx_packets_total\{port=\"net_tap0\"\} [0-9]+$" "$tmp/metrics.txt" &&
	grep -Eq "^whepfan_port_rx_missed_total\{port=\"net_tap0\"\} [0-9]+$" "$tmp/metrics.txt" &&
	grep -Eq "^whepfan_port_queue_rx_packets_total\{port=\"net_tap0\",queue=\"0\"\} [0-9]+$" "$tmp/metrics.txt"'
check metrics_lines_all_parse cond '! grep -Ev "^(#.*|[a-z_]+(\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\})? [0-9]+(\.[0-9]+)?)?$" "$tmp/metrics.txt" | grep -q .'
rss0=$(val rss_before_reloads); rss1=$(val rss_after_reloads)
check sighup_of_an_unchanged_file_keeps_the_resident_size \
	cond '[ "$(val unchanged_reloads)" = 3 ] && [ -n "$rss0" ] && [ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 1024 ]'
echo "  whepfan VmRSS before three reloads $rss0 KiB, after $rss1 KiB; the reloads took $(val reload_ms)ms"
check sighup_adds_a_stream grep -q '"two"' <<<"$(val streams_added)"
check sighup_adds_without_dropping_the_old grep -q '"cam"' <<<"$(val streams_added)"
check sighup_removes_a_stream [ "$(val streams_removed)" = '{"/whepfan/streams": ["two"]}' ]
whip_added() {
	grep -q '"pub"' <<<"$(val streams_whip)" && grep -q '"two"' <<<"$(val streams_whip)" &&
		grep -q 'stream pub: slot [0-9]*, owner worker' "$tmp/wf.log"
}
check sighup_adds_a_whip_stream whip_added
check sighup_refuses_a_bad_file_and_keeps_running [ "$(val streams_kept)" = "$(val streams_whip)" ]
check sighup_applies_the_admission_settings cond '[ "$(val posts_after_reload | cut -d, -f2)" = 429 ] &&
	grep -q "reload: admission settings applied" "$tmp/wf.log"'
check sighup_leaves_other_http_settings_for_a_restart \
	grep -q "reload: http changed: needs a restart" "$tmp/wf.log"
check sighup_refusal_is_logged_with_the_line grep -q 'reload: .*run.conf:[0-9]*: syntax error' "$tmp/wf.log"
check sigterm_exits_0 [ "$(val term_exit)" = 0 ]
if [ "$failed" -ne 0 ]; then
	echo "--- inner"; cat "$tmp/inner.out"; echo "--- whepfan log"; tail -n 30 "$tmp/wf.log"
fi

# ---- make demo's script -------------------------------------------------------
cat > "$tmp/demo.sh" <<DEMO
ip link set lo up
cd "$top"
start=\$(date +%s)
WF_DEMO_SECONDS=4 scripts/demo.sh "$build" > "$tmp/demo.out" 2>&1
echo "demo_rc=\$?"
echo "demo_secs=\$(( \$(date +%s) - start ))"
ip link show wf0 >/dev/null 2>&1 && echo "demo_tap_left=yes" || echo "demo_tap_left=no"
DEMO
timeout 120 unshare -n bash "$tmp/demo.sh" > "$tmp/demo.res" 2>&1
dval() { sed -n "s/^$1=//p" "$tmp/demo.res" | tail -n 1; }
check demo_script_starts_and_stops_cleanly [ "$(dval demo_rc)" = 0 ]
check demo_script_prints_the_player_url grep -q 'http://127.0.0.1:8889/test/' "$tmp/demo.out"
check demo_script_stops_in_bounded_time cond '[ "$(dval demo_secs)" -le 40 ]'
check demo_script_removes_what_it_set_up [ "$(dval demo_tap_left)" = no ]
if [ "$(dval demo_rc)" != 0 ]; then cat "$tmp/demo.out"; fi
