#!/usr/bin/env bash
# Run every test suite and end with one line: "N passed, N failed, N skipped".
#   unit       cmocka unit tests (no root, no BPF)
#   unit-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz       every libFuzzer harness (tests/fuzz/) over its committed corpus: a regression
#              check of seconds (`make fuzz` runs them for longer)
#   python     pytest tests of the rete Python module (tests/python/), Debian's python3
#   func       functional tests (tests/func/*.sh): real BPF, netns, veth; root needed
#   lane       the functional tests needing root, inside Debian's 6.1 and 6.12 kernels under
#              qemu (tests/lane/), one boot per kernel; skipped with the reason when qemu
#              cannot run here
# Usage: tests/run.sh [suite...]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
case "$BUILD" in /*) RETE="$BUILD/rete" ;; *) RETE="$PWD/$BUILD/rete" ;; esac
export BUILD RETE
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit unit-asan fuzz python func lane)

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

# A libFuzzer harness over its committed corpus: every input once, no crash, no leak.
run_fuzz_corpus() {
	local bin=$1 name corpus out rc n
	name=$(basename "$bin")
	corpus=tests/fuzz/corpus/$name
	n=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "    SKIP $name: no corpus in $corpus"
		skipped=$((skipped + 1))
		return
	fi
	out=$(ASAN_OPTIONS=detect_leaks=1 "$bin" -runs=0 "$corpus" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		printf '  %-40s %3d passed %3d failed %3d skipped  (%d inputs)\n' "$name" 1 0 0 "$n"
	else
		failed=$((failed + 1))
		failures+=("$bin")
		echo "$out" | grep -E 'ERROR|SUMMARY|Test unit written|runtime error' | head -10
		printf '  %-40s %3d passed %3d failed %3d skipped  (%d inputs)\n' "$name" 0 1 0 "$n"
	fi
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

# The full-kernel lane: tests/lane/guest.sh in each kernel of LANE_KERNELS (LABEL:PACKAGE),
# the guests running at the same time. Their result lines carry the kernel: "PASS [6.1] name".
run_lane() {
	local dir k label out rc p f s why lock labels=()
	# The tree is shared with the guests at its own path, mounted over their fresh /tmp, /run
	# and /var/tmp, so a clone anywhere (CI's under /tmp too) runs the lane.
	dir=$(mktemp -d)
	# Interrupted: stop the guests too (background jobs here ignore SIGINT).
	trap 'kill $(cat "$dir"/*.pid 2>/dev/null) 2>/dev/null; exit 130' INT TERM
	# One lane at a time on a machine: two would share its CPUs and both run out of time.
	if [ -w "${LANE_CACHE:-/var/cache/rete-lane}" ] &&
		exec {lock}>>"${LANE_CACHE:-/var/cache/rete-lane}/.lane-lock" && ! flock -n "$lock"; then
		echo "  waiting for another lane run to finish..."
		flock "$lock"
	fi
	for k in ${LANE_KERNELS:-6.1:linux-image-amd64 6.12:linux-image-6.12-amd64}; do
		label=${k%%:*}
		# Install qemu, download the kernel (cached), one at a time: they share apt and the cache.
		out=$(LANE_KERNEL=${k#*:} tests/lane/run-in-kernel.sh --prepare 2>&1)
		rc=$?
		if [ "$rc" -ne 0 ]; then
			why=$(sed -n 's/^rete-lane: cannot run: //p' <<<"$out" | tail -1)
			if [ "$rc" -eq 77 ]; then
				echo "    SKIP [$label] lane: ${why:-qemu cannot run here}"
				skipped=$((skipped + 1))
			else
				echo "$out" | tail -20
				echo "    FAIL [$label] lane: tests/lane/run-in-kernel.sh --prepare exited with $rc"
				failed=$((failed + 1)) failures+=("lane [$label]")
			fi
			continue
		fi
		labels+=("$label")
		LANE_KERNEL=${k#*:} LANE_TIMEOUT=${LANE_TIMEOUT:-900} \
			LANE_ENV="BUILD RETE RETE_SHARED RETE_TEST_SLOW LANE_SCRIPT_TIMEOUT" \
			tests/lane/run-in-kernel.sh tests/lane/guest.sh >"$dir/$label.out" 2>&1 &
		echo "$!" >"$dir/$label.pid"
	done
	[ ${#labels[@]} -eq 0 ] || echo "  booting ${labels[*]} under qemu (minutes)..."
	for label in ${labels[@]+"${labels[@]}"}; do
		wait "$(cat "$dir/$label.pid")"
		rc=$?
		out=$(cat "$dir/$label.out")
		cp "$dir/$label.out" "$BUILD/lane-$label.log" 2>/dev/null
		p=$(grep -c '^PASS ' <<<"$out")
		f=$(grep -c '^FAIL ' <<<"$out")
		s=$(grep -c '^SKIP ' <<<"$out")
		if [ "$rc" -ne 0 ]; then
			# A test failed, or the guest timed out (124) or never reported (125): show the
			# guest's last words, the runner's lines and the tail of the guest console.
			sed '/^rete-lane: .* in all, exit /,$d' <<<"$out" | tail -8 | sed 's/^/    | /'
			sed -n '/^rete-lane: .* in all, exit /p' <<<"$out"
			sed -n '/^rete-lane: ---- guest console/,$p' <<<"$out" | tail -40 | sed 's/^/    | /'
			echo "    (whole guest console in $BUILD/lane-$label.log)"
			# The runner's line says whether the guest kernel crashed, and where.
			crash=$(sed -n 's/^rete-lane: .* in all, exit [0-9]*.*; \(guest kernel crashed: .*\)$/\1/p' <<<"$out" | head -1)
			if [ "$f" -eq 0 ] || [ -n "$crash" ]; then
				f=$((f > 0 ? f : 1))
				echo "    FAIL [$label] lane: tests/lane/run-in-kernel.sh exited with $rc${crash:+ ($crash)}"
			fi
		fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
		grep -E '^(FAIL|SKIP) ' <<<"$out" | grep -v 'kernel-independent, run on the host only' |
			sed 's/^/    /'
		[ "$f" -eq 0 ] || failures+=("lane [$label]")
		printf '  %-40s %3d passed %3d failed %3d skipped  %s\n' "lane $label" "$p" "$f" "$s" \
			"$(sed -n 's/^rete-lane: \([^,]*\),.* \([0-9.]*s\) in all.*/\1, \2/p' <<<"$out"), log in $BUILD/lane-$label.log"
	done
	rm -rf "$dir"
	trap - INT TERM
	[ -z "${lock:-}" ] || exec {lock}>&-
}

# pytest over tests/python/: its summary line gives the counts.
run_pytest() {
	local py=/usr/bin/python3 out rc p f s e x
	if ! "$py" -c 'import pytest' 2>/dev/null; then
		echo "    SKIP python: python3-pytest is missing"
		skipped=$((skipped + 1))
		return
	fi
	out=$(RETE_BUILD="$BUILD" "$py" -m pytest -q -rsxX -p no:cacheprovider tests/python 2>&1)
	rc=$?
	count() { tail -1 <<<"$out" | tr ',' '\n' | sed -n "s/^ *\([0-9][0-9]*\) $1\b.*/\1/p" | head -1; }
	p=$(count passed) f=$(count failed) s=$(count skipped) e=$(count 'errors\?') x=$(count xfailed)
	p=${p:-0} f=$((${f:-0} + ${e:-0})) s=$((${s:-0} + ${x:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	grep -E '^(SKIPPED|XFAIL|XPASS|FAILED|ERROR)' <<<"$out" | head -20 | sed 's/^/    /'
	if [ "$f" -ne 0 ]; then
		failures+=("tests/python")
		grep -E '^E ' <<<"$out" | head -20 | sed 's/^/    /'
	fi
	printf '  %-40s %3d passed %3d failed %3d skipped\n' "tests/python (pytest)" "$p" "$f" "$s"
}

for suite in "${suites[@]}"; do
	echo "== $suite"
	case "$suite" in
	unit)
		for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && run_cmocka "$t"; done ;;
	unit-asan)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		for t in "$BUILD"/tests-asan/test_*; do [ -x "$t" ] && run_cmocka "$t"; done ;;
	fuzz)
		found=0
		for t in "$BUILD"/fuzz/fuzz_*; do [ -x "$t" ] && found=1 && run_fuzz_corpus "$t"; done
		if [ "$found" = 0 ]; then
			echo "    SKIP fuzz: no harness built (make fuzz-build: clang with libFuzzer)"
			skipped=$((skipped + 1))
		fi ;;
	python)
		run_pytest ;;
	func)
		for t in tests/func/test_*.sh; do [ -f "$t" ] && run_func "$t"; done ;;
	lane)
		run_lane ;;
	*)
		echo "unknown suite $suite"; failed=$((failed + 1)) ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failures in: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
