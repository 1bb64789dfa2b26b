#!/usr/bin/env bash
# guest.sh - what the full-kernel lane runs inside each guest, in one boot:
#   - lane checks of its own (the kernel, BTF, the rete built on the host runs, which raw
#     tracepoint attach mode rete picked on this kernel, a clean kernel log at the end);
#   - every functional script tests/func/test_*.sh that needs root (require_bpf or a uid
#     check), with timing-sensitive waits scaled by RETE_TEST_SLOW.
# Result lines are the functional tests' own, tagged with the kernel: "PASS [6.1] icmp_events",
# "FAIL [6.12] name: why", "SKIP [6.1] name: reason" (counted by tests/run.sh). Exits 1 when
# anything failed.
#
#   usage (host):  tests/lane/run-in-kernel.sh tests/lane/guest.sh [test_NAME.sh...]
# Environment: RETE (default $PWD/$BUILD/rete), BUILD [build], RETE_TEST_SLOW [10],
#   LANE_SCRIPT_TIMEOUT seconds per functional script [300].
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
RETE=${RETE:-$PWD/$BUILD/rete}
export RETE RETE_TEST_SLOW=${RETE_TEST_SLOW:-10}
script_timeout=${LANE_SCRIPT_TIMEOUT:-300}
K=$(uname -r | cut -d. -f1,2) # 6.1.0-56-amd64 -> 6.1
failed=0

res() { # res PASS|FAIL|SKIP NAME [WHY]
	echo "$1 [$K] $2${3:+: $3}"
	[ "$1" != FAIL ] || failed=1
}

[ "${RETE_LANE:-}" = 1 ] || echo "guest.sh: not inside the lane's guest; testing the running kernel $(uname -r)" >&2
echo "guest: kernel $(uname -r), $(nproc) CPU(s), uptime $(cut -d' ' -f1 /proc/uptime)s, RETE=$RETE"
dmesg_start=$(dmesg 2>/dev/null | wc -l)

# --- the lane itself: the kernel and the binary -----------------------------------------
if [ -r /sys/kernel/btf/vmlinux ]; then res PASS kernel_btf
else res FAIL kernel_btf "no /sys/kernel/btf/vmlinux on $(uname -r)"; fi
if out=$("$RETE" inspect 2>&1); then
	res PASS rete_runs
else
	res FAIL rete_runs "$RETE inspect failed (built on the host? under the shared directory?): $(head -c 300 <<<"$out")"
fi

# Attach cookies for raw tracepoints exist from 6.10 (struct bpf_raw_tp_link.cookie): rete must
# find that out by itself and load one program per probe on older kernels (6.1 here).
if [ "$(printf '%s\n' 6.10 "$K" | sort -V | head -1)" = 6.10 ]; then want=yes; else want=no; fi
out=$(timeout $((30 * ${RETE_TEST_SLOW%.*})) "$RETE" --log-level debug collect -c skb \
	-p tp:net:netif_receive_skb -p tp:net:net_dev_start_xmit --cmd 'ping -c1 -W1 127.0.0.1' 2>&1)
got=$(sed -n 's/.*raw tracepoint attach cookies: \([a-z]*\).*/\1/p' <<<"$out" | head -1)
if [ "$got" = "$want" ] && grep -q '^2 probe(s) loaded' <<<"$out" &&
	grep -qE 'probe net:netif_receive_skb: [1-9][0-9]* hits, [1-9]' <<<"$out" &&
	grep -qE 'probe net:net_dev_start_xmit: [1-9][0-9]* hits, [1-9]' <<<"$out"; then
	res PASS "attach_cookie_$want"
else
	res FAIL "attach_cookie_$want" "rete says cookies '$got' on $(uname -r): $(tail -3 <<<"$out")"
fi

# --- the functional scripts that need root --------------------------------------------
scripts=()
if [ $# -gt 0 ]; then
	for s in "$@"; do scripts+=("tests/func/${s##*/}"); done
else
	for s in tests/func/test_*.sh; do
		grep -qE 'require_bpf|id -u' "$s" && scripts+=("$s")
	done
fi
for s in "${scripts[@]}"; do
	name=${s##*/}
	log=$(mktemp)
	start=$(date +%s)
	# Result lines get the kernel tag; anything else the script says is indented.
	timeout -k 10 "$script_timeout" bash "$s" 2>&1 | tee "$log" |
		sed -u -E "s/^(PASS|FAIL|SKIP) /\1 [$K] /; t; s/^/    /"
	rc=${PIPESTATUS[0]}
	grep -q '^FAIL ' "$log" && failed=1
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		res FAIL "$name" "timed out after ${script_timeout}s"
	elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
		res FAIL "$name" "exited with $rc"
	fi
	echo "guest: $name took $(($(date +%s) - start))s"
	rm -f "$log"
done

# --- the kernel did not complain -------------------------------------------------------------
oops=$(dmesg 2>/dev/null | tail -n +$((dmesg_start + 1)) |
	grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|RIP:|bpf.*leak' | head -20)
if [ -z "$oops" ]; then
	res PASS kernel_log_clean
else
	res FAIL kernel_log_clean "the kernel logged: $(tr '\n' '|' <<<"$oops")"
fi
echo "guest: done at uptime $(cut -d' ' -f1 /proc/uptime)s"
exit "$failed"
