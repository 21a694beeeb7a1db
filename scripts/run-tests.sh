#!/usr/bin/env bash
# Runs every test binary under BUILD/tests, the tools' Python tests
# (tests/*/test_*.py) and every end-to-end script under tests/e2e, then
# prints one closing line "N passed, N failed".
# A binary that crashes or exits non-zero without a summary counts as one
# failure.  Exit status is non-zero when anything failed.
#   usage: scripts/run-tests.sh BUILD_DIR   (WF_SAN=1: sanitizer build)
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
failed_names=()

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() { # name, command...
	local name=$1; shift
	local out rc line p f
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^# .*: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			failed=$((failed + 1)); failed_names+=("$name (exit $rc)")
		elif [ "$f" -ne 0 ]; then
			failed_names+=("$name")
		fi
	else
		echo "FAIL $name: no summary line (exit $rc)"
		failed=$((failed + 1)); failed_names+=("$name (exit $rc, no summary)")
	fi
}

while IFS= read -r bin; do
	run_one "${bin#"$build"/}" "$bin"
done < <(find "$build/tests" -type f -perm -u+x -name 'test_*' 2>/dev/null | sort)

# the tools' own tests (Python, standard library: nothing to sanitize)
if [ -z "${WF_SAN:-}" ]; then
	for t in tests/*/test_*.py; do
		[ -e "$t" ] || continue
		run_one "$t" python3 "$t"
	done
fi

if [ -z "${WF_SAN:-}" ] || [ -n "${WF_E2E_UNDER_SAN:-}" ]; then
	for t in tests/e2e/*.sh; do
		[ -e "$t" ] || continue
		run_one "$t" env WF_BUILD="$build" bash "$t"
	done
fi

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
