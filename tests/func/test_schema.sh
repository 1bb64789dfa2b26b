#!/usr/bin/env bash
# Every line rete writes follows `rete schema`, checked by a real JSON Schema validator
# (python3-jsonschema, draft 2020-12): events of every collector and of several probe types,
# with stack traces, skb sub-sections, drops, a rotated set, a sorted file and the lost record.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(schema_command schema_events schema_rotated schema_sorted schema_kprobe)
PY=/usr/bin/python3
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	for t in "${ALL[@]}"; do skip "$t" "python3-jsonschema is not installed"; done
	exit 0
fi
"$RETE" schema >"$TMP/schema.json" 2>"$TMP/schema.err"
rc=$?
if [ "$rc" -eq 0 ] && "$PY" -c '
import json, sys
from jsonschema import Draft202012Validator
s = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(s)
assert "packet" in s["properties"] and "startup" in s["properties"]' "$TMP/schema.json"; then
	pass schema_command
else
	fail schema_command "rc=$rc: $(head -c 300 "$TMP/schema.err")"
fi
valid() { "$PY" tests/func/schema_check.py "$TMP/schema.json" "$@"; }

require_bpf schema_events schema_rotated schema_sorted schema_kprobe || exit 0
if ! setup_hosts; then
	for t in schema_events schema_rotated schema_sorted schema_kprobe; do
		skip "$t" "cannot create network namespaces here"
	done
	exit 0
fi

# Every collector, skb sub-sections, stacks, drops (the ping to a closed UDP port is dropped).
F=$TMP/all.json
"$RETE" collect -c skb-tracking,skb,skb-drop,dev,ns --skb-sections all \
	-p tp:net:net_dev_start_xmit -p tp:net:netif_receive_skb -p tp:skb:kfree_skb/stack \
	-p tp:skb:consume_skb -o "$F" \
	--cmd "ip netns exec $NS_A ping -c2 -i0.2 $IP_B; echo x | ip netns exec $NS_A socat -u - UDP:$IP_B:9" \
	2>"$TMP/all.err"
n=$(grep -c . "$F")
if out=$(valid "$F") && [ "$n" -gt 5 ] && grep -q '"skb-drop"' "$F" && grep -q '"stack_trace"' "$F" &&
	tail -1 "$F" | grep -q '"lost"'; then
	pass schema_events
else
	fail schema_events "$n lines: $out $(tail -2 "$TMP/all.err" | tr '\n' ' ')"
fi

# A rotated set: every file starts with its own startup line (split_file).
"$RETE" collect -o "$TMP/rot.json" -r 20kB --cmd "ip netns exec $NS_A ping -c 40 -i 0.01 $IP_B" \
	2>/dev/null
set -- "$TMP"/rot.json.*
if [ $# -ge 2 ] && out=$(valid "$@") && grep -q split_file "$1"; then
	pass schema_rotated
else
	fail schema_rotated "$# files: $out"
fi

# A sorted file: arrays of events with the tracking section.
"$RETE" sort -o "$TMP/sorted.json" "$F" 2>/dev/null
if out=$(valid "$TMP/sorted.json") && grep -q '"tracking"' "$TMP/sorted.json"; then
	pass schema_sorted
else
	fail schema_sorted "$out"
fi

# Kernel function probes add kernel.retval (kretprobe); only where the kernel has kprobes.
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	F=$TMP/kp.json
	"$RETE" collect -p kretprobe:ip_rcv -p kprobe:ip_rcv -o "$F" \
		--cmd "ip netns exec $NS_A ping -c1 $IP_B" 2>/dev/null
	if out=$(valid "$F") && grep -q '"retval"' "$F"; then
		pass schema_kprobe
	else
		fail schema_kprobe "$out"
	fi
else
	skip schema_kprobe "this kernel has no kprobes (kernel.retval events not produced here)"
fi
