#!/usr/bin/env bash
# whepfan-bench fanout's command line (issue 13): every bad value gets a
# one-line usage error and a non-zero exit before EAL starts, and a short
# real run with several streams reports what docs/performance.md quotes
# (streams, per-stream delivery, latency at a load, the crypto ceiling and
# the copy floor).
# The run is a test of the report's shape and consistency, not of speed.
#   env: WF_BUILD (build dir, default build)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${WF_BUILD:-build}
bench=$build/whepfan-bench
passed=0 failed=0
tmp=$(mktemp -d /tmp/wf-bcli.XXXXXX)

ok()   { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
	rm -rf "$tmp"
	echo "# test_bench_cli: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
trap finish EXIT

[ -x "$bench" ] || { fail "no $bench"; exit 1; }

# refused: name, then the arguments after "fanout"
refused() {
	local name=$1 out rc lines; shift
	out=$(timeout 20 "$bench" fanout "$@" 2>&1); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$lines" -eq 1 ] &&
	   grep -q 'whepfan-bench fanout' <<<"$out"; then
		ok "$name"
	else
		fail "$name" "exit $rc, $lines lines: $(head -c 200 <<<"$out")"
	fi
}

refused streams_zero --streams 0
refused streams_over_256 --streams 257
refused streams_not_a_number --streams abc
refused viewers_negative --viewers -1
refused viewers_huge --viewers 1e7
refused load_nan --load nan
refused load_zero --load 0
refused load_over_100 --load 101
refused stream_kbps_zero --stream-kbps 0
refused seconds_missing --seconds
refused unknown_option --frobnicate 1
refused too_many_viewers_in_all --streams 256 --viewers 257
refused unknown_profile --profile AES_NOPE

# whepfan-bench srtp's --direction (refused before anything is timed)
refused_srtp() {
	local name=$1 out rc lines; shift
	out=$(timeout 20 "$bench" srtp "$@" 2>&1); rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q 'whepfan-bench srtp: .*--direction' <<<"$out"; then
		ok "$name"
	else
		fail "$name" "exit $rc, $lines lines: $(head -c 200 <<<"$out")"
	fi
}
refused_srtp srtp_direction_unknown --direction sideways
refused_srtp srtp_direction_missing --direction

# a real run: 4 streams of 2 viewers, paced at 50 % for the latency, with
# the copy floor
if timeout 300 "$bench" fanout --json --streams 4 --viewers 2 --size 400 --seconds 0.5 \
	--warmup 0.2 --load 50 --floor > "$tmp/run.json" 2> "$tmp/run.err"; then
	ok run_exits_0
else
	fail run_exits_0 "$(tail -n 3 "$tmp/run.err")"
fi
if python3 - "$tmp/run.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def need(cond, what):
    if not cond:
        print("report:", what); sys.exit(1)
need(d["ok"] is True, "ok")
need(d["streams"] == 4 and d["viewers"] == 2 and d["viewers_total"] == 8, "counts")
need(d["viewers_live"] == 8, "viewers live")
e = d["stream_egress_pkts"]
need(0 < e["min"] <= e["mean"] <= e["max"], "per-stream delivery")
# the streams take turns: none got more than a frame ahead of another
need(e["max"] - e["min"] <= 2 * 8 * 2, "streams served alike")
lat = d["latency_us"]
for phase in ("measured", "at_load"):
    p = lat[phase]
    need(p["packets"] > 0, phase + " packets")
    need(0 <= p["p50"] <= p["p99"] <= p["p999"] <= p["max"] * 1.13 + 1, phase + " quantiles")
need(lat["at_load"]["load_pct"] == 50, "load")
need(d["crypto_ceiling_pps"] > 0 and d["ratio"] > 0, "ceiling and ratio")
# the ceiling ran on the measured worker's CPU, and the workers came back
# after each of its slices (the --load phase after them fanned out)
need(d["crypto_ceiling_cpu"] == d["per_lcore"][0]["cpu"], "ceiling on the worker's CPU")
# the copy floor: the ceiling's work and more (noise aside), and the two
# ratios consistent with each other
need(d["copy_floor_per_cpu_s"] > 0, "copy floor")
need(0 < d["floor_to_ceiling"] < 1.5, "floor to ceiling %s" % d["floor_to_ceiling"])
need(abs(d["ratio_to_floor"] * d["floor_to_ceiling"] - d["ratio"]) <= 0.01 * d["ratio"] + 0.002,
     "ratio_to_floor x floor_to_ceiling = ratio")
need(d["bytes_per_viewer"] <= 4096, "bytes per viewer")
need(not d["drops"], "no drops: %s" % d["drops"])
PY
then
	ok run_reports_streams_latency_and_ceiling
else
	fail run_reports_streams_latency_and_ceiling
fi

# more viewers than the control ring takes at once: the ones the ring
# refuses wait in the registry's queue, and every viewer is removed at the
# end (the bench once left them queued and said so on stderr)
if timeout 300 "$bench" fanout --json --viewers 1000 --size 200 --seconds 0.2 --warmup 0 \
	> "$tmp/many.json" 2> "$tmp/many.err" &&
   ! grep -q 'not removed\|not found to remove' "$tmp/many.err" &&
   grep -q '"viewers_live":1000' "$tmp/many.json"; then
	ok many_viewers_added_and_removed
else
	fail many_viewers_added_and_removed "$(tail -n 3 "$tmp/many.err")"
fi
