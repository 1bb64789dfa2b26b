#!/usr/bin/env bash
# Run every test suite and end with one line: "N passed, N failed, N skipped".
#   unit       cmocka unit tests (no root, no BPF)
#   unit-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   func       functional tests (tests/func/*.sh): real BPF, netns, veth; root needed
# Usage: tests/run.sh [suite...]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case "$BUILD" in /*) RETE="$BUILD/rete" ;; *) RETE="$PWD/$BUILD/rete" ;; esac
export BUILD RETE
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit unit-asan func)

passed=0 failed=0 skipped=0
failures=()

# cmocka prints "[  PASSED  ] N test(s)." etc. at the end of each binary.
run_cmocka() {
	local bin=$1 out rc p f s
	out=$("$bin" 2>&1)
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		failures+=("$bin")
		echo "$out" | grep -E '^\[  (FAILED|ERROR) |^\[ +ERROR|Failure|error' | head -20
	fi
	printf '  %-40s %3d passed %3d failed %3d skipped\n' "$(basename "$bin")" "$p" "$f" "$s"
}

# Functional scripts print "PASS name", "FAIL name: why", "SKIP name: reason" lines.
run_func() {
	local script=$1 out rc p f s
	out=$(timeout 600 bash "$script" 2>&1)
	rc=$?
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	s=$(grep -c '^SKIP ' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$out" | tail -20
		echo "FAIL $(basename "$script"): exited with $rc"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	grep -E '^(FAIL|SKIP) ' <<<"$out" | sed 's/^/    /'
	[ "$f" -ne 0 ] && failures+=("$script")
	printf '  %-40s %3d passed %3d failed %3d skipped\n' "$(basename "$script")" "$p" "$f" "$s"
}

for suite in "${suites[@]}"; do
	echo "== $suite"
	case "$suite" in
	unit)
		for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && run_cmocka "$t"; done ;;
	unit-asan)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		for t in "$BUILD"/tests-asan/test_*; do [ -x "$t" ] && run_cmocka "$t"; done ;;
	func)
		for t in tests/func/test_*.sh; do [ -f "$t" ] && run_func "$t"; done ;;
	*)
		echo "unknown suite $suite"; failed=$((failed + 1)) ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures in: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
