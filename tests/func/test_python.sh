#!/usr/bin/env bash
# rete python end to end: events of a ping between two namespaces, read by a script that
# `rete python` runs (reader bound, sys.argv set, a script found by name), asserting probe
# names, tracking ids and the ICMP header Scapy decodes; the module imported by python3
# itself gives the same; errors are one sentence.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(python_script python_argv python_by_name python_import python_series python_errors)
# Python reads files: nothing here depends on the kernel beyond what the lane already runs.
if [ "${RETE_LANE:-}" = 1 ]; then
	for t in "${ALL[@]}"; do kernel_independent "$t"; done
	exit 0
fi
require_bpf "${ALL[@]}" || exit 0
PY=/usr/bin/python3
if ! "$PY" -c 'import scapy' 2>/dev/null || [ ! -f "$(dirname "$RETE")/python/rete/__init__.py" ]; then
	for t in "${ALL[@]}"; do skip "$t" "python3-scapy or the built rete module is missing"; done
	exit 0
fi
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
F=$TMP/ping.data
"$RETE" collect -c skb,skb-tracking,dev,ns -p tp:net:netif_receive_skb -p tp:net:net_dev_start_xmit \
	-f "icmp and host $IP_B" -o "$F" \
	--cmd "ip netns exec $NS_A ping -c 3 -i 0.2 -W 1 $IP_B" >/dev/null 2>"$TMP/collect.err"

cat >"$TMP/journey.py" <<'EOF'
import sys
from scapy.layers.inet import ICMP, IP

events = [e for e in reader.events() if e.kernel]
probes = sorted({e.kernel.symbol for e in events})
assert probes == ["net:net_dev_start_xmit", "net:netif_receive_skb"], probes
ids = {}
for e in events:
    ids.setdefault(e.skb_tracking.tracking_id(), []).append(e)
# 3 requests and 3 replies, each seen leaving A or B and arriving at the other.
assert len(ids) == 6, len(ids)
for evs in ids.values():
    assert len(evs) == 2, [str(e) for e in evs]
    assert evs[0].skb_tracking.match(evs[1].skb_tracking)
    pkt = evs[0].packet.to_scapy()
    assert pkt[IP].proto == 1 and pkt[ICMP].type in (0, 8), pkt.summary()
    assert evs[0].packet.data == evs[1].packet.data
types = sorted(e.packet.to_scapy()[ICMP].type for e in events)
assert types == [0] * 6 + [8] * 6, types
print("ok", len(events), "events", len(ids), "packets", *sys.argv[1:])
EOF
out=$("$RETE" python -i "$F" "$TMP/journey.py" 2>&1)
if grep -q '^ok 12 events 6 packets$' <<<"$out"; then pass python_script; else
	fail python_script "$out; $(tail -2 "$TMP/collect.err")"; fi

out=$("$RETE" python -i "$F" -- "$TMP/journey.py" --top 3 -x 2>&1)
if grep -q '^ok 12 events 6 packets --top 3 -x$' <<<"$out"; then pass python_argv; else
	fail python_argv "$out"; fi

# A script by name, from ~/.config/rete/python.
mkdir -p "$TMP/home/.config/rete/python"
cp "$TMP/journey.py" "$TMP/home/.config/rete/python/journey.py"
out=$(cd "$TMP" && HOME=$TMP/home "$RETE" python -i "$F" journey 2>&1)
if grep -q '^ok 12 events 6 packets$' <<<"$out"; then pass python_by_name; else
	fail python_by_name "$out"; fi

# The same module from python3 itself, and the text of `rete print`.
out=$(PYTHONPATH="$(dirname "$RETE")/python" "$PY" -c '
import sys, rete
evs = list(rete.EventReader(sys.argv[1]))
print(len(evs))
print("\n\n".join(str(e) for e in evs))
' "$F" 2>&1)
"$RETE" print "$F" >"$TMP/print.txt" 2>/dev/null
if [ "$(head -1 <<<"$out")" -ge 12 ] && diff <(tail -n +2 <<<"$out") <(sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TMP/print.txt") >"$TMP/diff" 2>&1; then
	pass python_import
else
	fail python_import "$(head -c 600 "$TMP/diff")"
fi

"$RETE" sort -o "$TMP/sorted.data" "$F" >/dev/null 2>&1
out=$(echo 'print(reader.sorted(), sorted(len(s) for s in reader.series()))' |
	"$RETE" python -i "$TMP/sorted.data" /dev/stdin 2>&1)
if grep -q "^True \[1, 1, 2, 2, 2, 2, 2, 2\]$" <<<"$out"; then pass python_series; else
	fail python_series "$out"; fi

e1=$("$RETE" python -i "$TMP/missing.data" "$TMP/journey.py" 2>&1)
r1=$?
e2=$("$RETE" python -i "$F" no-such-script 2>&1)
r2=$?
if [ "$r1" -eq 1 ] && [ "$e1" = "rete: error: cannot open $TMP/missing.data: No such file or directory" ] &&
	[ "$r2" -eq 2 ] && grep -q "^rete: error: no Python script 'no-such-script'" <<<"$e2"; then
	pass python_errors
else
	fail python_errors "$r1: $e1 / $r2: $e2"
fi
