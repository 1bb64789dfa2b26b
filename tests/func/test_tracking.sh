#!/usr/bin/env bash
# Tracking ids from the first probe to the free, across a router: forwarded, cloned (a tcpdump
# socket open on the router) and NATed (the router's SNAT rewrites a cloned header, which makes
# the kernel reallocate the data head: pskb_expand_head). Where the kernel has kprobes rete
# hooks the head free/replace functions; without them the reallocated head starts a new id,
# which is reported as a skip with the reason, not hidden.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(track_forwarded track_cloned track_nat_cloned track_upkeep_probes)
require_bpf "${ALL[@]}" || exit 0

# $NS_A (192.0.2.1) -> $NS_B as router (192.0.2.2 | 198.51.100.254) -> $NS_C (198.51.100.2).
router_setup() {
	setup_hosts && setup_router || return 1
	ip netns exec "$NS_A" ping -c1 -W2 198.51.100.2 >/dev/null 2>&1
}
if ! router_setup; then
	for t in "${ALL[@]}"; do skip "$t" "cannot set up three network namespaces with a router"; done
	exit 0
fi

# ids FILE: the distinct tracking ids of the datagram to port 9100 (one line each).
ids() {
	"$RETE" print --format single-line "$1" 2>/dev/null | grep '\.9100 ' |
		sed -n 's/.* #\([0-9a-f]*\) (skb.*/\1/p' | sort -u
}
# where FILE: the devices the datagram was seen on, in order.
where() { jq -r 'select(.packet) | .dev.name // "-"' "$1" | uniq | tr '\n' ' '; }
# send N: the --cmd that sends one datagram from A to C's port 9100.
send() { echo "echo 'datagram $1' | ip netns exec $NS_A socat -u - UDP:198.51.100.2:9100; sleep 0.3"; }
probes=(-p tp:net:net_dev_start_xmit -p tp:net:netif_receive_skb -p tp:skb:kfree_skb)

# --- forwarded: A's transmit, the router's receive and transmit, C's receive and drop ----
F=$TMP/fwd.json
"$RETE" --log-level debug collect "${probes[@]}" -f 'udp port 9100' -o "$F" --cmd "$(send 1)" \
	2>"$TMP/fwd.err"
n=$(ids "$F" | grep -c .)
devs=$(where "$F")
if [ "$n" -eq 1 ] && grep -q "$VA .*$VB .*$VCB .*$VC" <<<"$devs"; then
	pass track_forwarded
else
	fail track_forwarded "$n ids, devices '$devs': $(grep -v debug "$TMP/fwd.err" | head -c 300)"
fi
# Where the kernel has kprobes, rete adds its tracking upkeep probes.
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	if grep -q 'tracking: kprobe:skb_free_head keeps ids exact' "$TMP/fwd.err" &&
		grep -q 'tracking: kprobe:pskb_expand_head keeps ids exact' "$TMP/fwd.err"; then
		pass track_upkeep_probes
	else
		fail track_upkeep_probes "$(grep 'tracking' "$TMP/fwd.err" | head -c 400)"
	fi
else
	skip track_upkeep_probes "this kernel has no kprobes: tracking relies on the free tracepoints only"
fi

# --- cloned: a packet socket on the router's ingress gets a clone of every packet -------
# A plain AF_PACKET socket that never reads (tcpdump's ring copies the data instead): its
# clones stay queued, so the router's skbs stay cloned while it forwards them.
ip netns exec "$NS_B" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
print("listening", flush=True)
time.sleep(120)' "$VB" >"$TMP/psock.out" 2>&1 &
tpid=$!
on_exit "kill $tpid"
wait_for "$TMP/psock.out" 'listening' 10
F=$TMP/clone.json
"$RETE" collect "${probes[@]}" -f 'udp port 9100' -o "$F" --cmd "$(send 2)" 2>/dev/null
n=$(ids "$F" | grep -c .)
devs=$(where "$F")
# Forwarding decrements the TTL: with the header shared with the clone, ip_forward's
# skb_cow reallocates the head (pskb_expand_head).
if [ "$n" -eq 1 ] && grep -q "$VB .*$VCB .*$VC" <<<"$devs"; then
	pass track_cloned
elif [ ! -e /sys/bus/event_source/devices/kprobe ] && [ "$n" -eq 2 ]; then
	skip track_cloned "without kprobes rete cannot follow a data head reallocated by pskb_expand_head (the forwarded clone got a second id; run in the full-kernel lane)"
else
	fail track_cloned "$n ids, devices '$devs'"
fi

# --- cloned and NATed: SNAT writes the cloned header, the kernel reallocates the head ------
if command -v nft >/dev/null && ip netns exec "$NS_B" nft -f - <<EOF 2>/dev/null
table ip rete_track {
	chain post { type nat hook postrouting priority 100; oifname "$VCB" snat to 198.51.100.254; }
}
EOF
then
	F=$TMP/nat.json
	"$RETE" collect "${probes[@]}" -f 'udp port 9100' -o "$F" --cmd "$(send 3)" 2>/dev/null
	n=$(ids "$F" | grep -c .)
	devs=$(where "$F")
	natted=$("$RETE" print --format single-line "$F" 2>/dev/null | grep -c '198.51.100.254\.[0-9]* > 198.51.100.2\.9100')
	if [ "$n" -eq 1 ] && [ "$natted" -ge 2 ] && grep -q "$VB .*$VCB .*$VC" <<<"$devs"; then
		pass track_nat_cloned
	elif [ ! -e /sys/bus/event_source/devices/kprobe ] && [ "$n" -eq 2 ] && [ "$natted" -ge 2 ]; then
		skip track_nat_cloned "without kprobes rete cannot follow a data head reallocated by pskb_expand_head: the NATed clone got a second id (run in the full-kernel lane)"
	else
		fail track_nat_cloned "$n ids, $natted NATed events, devices '$devs'"
	fi
	ip netns exec "$NS_B" nft delete table ip rete_track
else
	skip track_nat_cloned "nftables NAT unavailable"
fi
