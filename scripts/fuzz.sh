#!/usr/bin/env bash
# Runs each libFuzzer target of build/fuzz for FUZZ_SECONDS on its corpus and
# prints one line per target: executions, coverage (edges and features),
# corpus size, crashes.  Exit status is non-zero when any target crashed,
# leaked, hit a sanitizer report or a timeout.
#   usage: scripts/fuzz.sh FUZZ_DIR TARGET...
#   environment: FUZZ_SECONDS (60), FUZZ_NICE (19: the fuzzers run
#   under nice), FUZZ_ARGS (more libFuzzer flags, e.g. -runs=10000000)
#
# The seed corpus tests/fuzz/corpus/<t>/ is read, never written: new inputs
# go to FUZZ_DIR/work/<t>/ (kept between runs, so a later run goes on where
# the last stopped), findings to FUZZ_DIR/crashes/<t>/, each run's log to
# FUZZ_DIR/logs/<t>.log.  A finding is reproduced with
#   FUZZ_DIR/fuzz_<t> FUZZ_DIR/crashes/<t>/crash-...
set -uo pipefail
dir=${1:?usage: scripts/fuzz.sh FUZZ_DIR TARGET...}
shift
secs=${FUZZ_SECONDS:-60}
niceness=${FUZZ_NICE:-19}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bad=0
lines=()
for t in "$@"; do
	bin=$dir/fuzz_$t
	seeds=tests/fuzz/corpus/$t
	work=$dir/work/$t
	found=$dir/crashes/$t
	log=$dir/logs/$t.log
	mkdir -p "$work" "$found" "$dir/logs"
	if [ ! -x "$bin" ]; then
		lines+=("$(printf '%-6s not built (%s)' "$t" "$bin")")
		bad=1
		continue
	fi
	before=$(find "$found" -type f | wc -l)
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	start=$(date +%s)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	nice -n "$niceness" "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$found/" \
		"${dict[@]}" ${FUZZ_ARGS:-} "$work" "$seeds" >"$log" 2>&1
	rc=$?
	elapsed=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
	edges=$(sed -E 's/cov: ([0-9]+).*/\1/' <<<"$cov")
	feats=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$cov")
	corp=$(sed -E 's/.*corp: ([0-9]+)/\1/' <<<"$cov")
	crashes=$(( $(find "$found" -type f | wc -l) - before ))
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1	# a report without an artifact (e.g. a leak at exit)
	fi
	[ "$crashes" -ne 0 ] && bad=1
	lines+=("$(printf '%-6s %10s execs in %4ss, cov %6s edges, ft %6s, corpus %5s, crashes %s%s' \
		"$t" "${execs:-?}" "$elapsed" "${edges:-?}" "${feats:-?}" "${corp:-?}" "$crashes" \
		"$([ "$crashes" -ne 0 ] && echo " (see $log)")")")
done

echo "fuzz: FUZZ_SECONDS=$secs per target"
printf '%s\n' "${lines[@]}"
exit $bad
