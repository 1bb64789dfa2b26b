#!/usr/bin/env bash
# detach-loop.sh - the SIGINT-during-flood sequence of test_collect.sh (sigint_flood), N times
# in a row: rete attaches its default probes, `ping -f` floods between two namespaces, SIGINT
# detaches rete while packets run through the tracepoints being switched off. It stresses the
# kernel's live code patching of tracepoint static keys (text_poke) under traffic; one result
# line per round ("PASS detach_round_3") and a summary. Not part of `make check` (slow).
#
#   usage (host):  tests/lane/detach-loop.sh [N]                       (N default 20)
#          (guest): LANE_KERNEL=linux-image-6.12-amd64 tests/lane/run-in-kernel.sh \
#                       tests/lane/detach-loop.sh 20
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/func/lib.sh
rounds=${1:-20}
require_bpf detach_loop || exit 0
setup_hosts || { skip detach_loop "cannot create network namespaces here"; exit 0; }
bad=0
echo "detach-loop: kernel $(uname -r), $(nproc) CPU(s), $rounds rounds"
for ((i = 1; i <= rounds; i++)); do
	F=$TMP/flood-$i.json
	sigint_flood "$F" "$TMP/flood.err"
	rc=$?
	n=$(grep -c . "$F")
	if [ "$rc" -eq 0 ] && [ "$n" -gt 100 ] && json_lines_ok "$F"; then
		pass "detach_round_$i"
	else
		fail "detach_round_$i" "rc=$rc lines=$n $(tail -2 "$TMP/flood.err" | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
	rm -f "$F"
done
echo "detach-loop: $((rounds - bad)) of $rounds rounds clean, uptime $(cut -d' ' -f1 /proc/uptime)s"
[ "$bad" -eq 0 ]
