#!/usr/bin/env bash
# Tracking ids never merge two packets. The kernel hands a freed data head to the next packet;
# where no probe sees every head free (kernels without kprobes: UDP delivery and TCP's consumed
# or acknowledged data are freed without a tracepoint), rete must notice that the head holds
# another packet and end the id. Every packet sent here is unique (payload, or TCP sequence),
# and tests/func/track_ids.py checks that no id carries two of them.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(reuse_udp_ids reuse_udp_replies reuse_udp_flood reuse_filter_no_leak reuse_tcp_stream
	reuse_icmp_flood)
require_bpf "${ALL[@]}" || exit 0
PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
	for t in "${ALL[@]}"; do skip "$t" "$PY is missing"; done
	exit 0
fi
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
check_ids() { "$PY" tests/func/track_ids.py "$@"; }
# Keep the figures in the output (not result lines): "  reuse_udp_flood: ids=... packets=...".
figures() { echo "  $1: $(head -1 <<<"$2")"; }
# The full-kernel lane emulates its CPU: smaller floods there.
if [ "${RETE_LANE:-}" = 1 ]; then FLOOD=3000 SEGS=300; else FLOOD=100000 SEGS=1000; fi

# A UDP echo server in B (port 5353, replies "r" + the datagram) and a sink (port 6000).
ip netns exec "$NS_B" "$PY" -c '
import socket, select
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("'"$IP_B"'", 5353))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("'"$IP_B"'", 6000))
while True:
    for s in select.select([a, b], [], [], 120)[0]:
        d, peer = s.recvfrom(2048)
        if s is a and not d.startswith(b"f"):
            a.sendto(b"r" + d, peer)
' &
on_exit "kill $!"
# send PREFIX COUNT GAP PORT: COUNT datagrams "PREFIX<n>" from A to B, GAP seconds apart.
send() {
	echo "ip netns exec $NS_A $PY -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((\"$IP_A\", 7000))
for i in range($2):
    s.sendto(b\"$1%06d\" % i, (\"$IP_B\", $4))
    time.sleep($3)
time.sleep(0.3)'"
}

# --- 40 datagrams 50 ms apart, to a socket that replies: one id per datagram ---------------
F=$TMP/udp.json
"$RETE" collect -f 'udp port 5353' -o "$F" --cmd "$(send q 40 0.05 5353)" 2>"$TMP/udp.err"
# 40 requests and their 40 replies: 80 ids.
out=$(check_ids "$F" --proto udp --port 5353 --min-ids 80)
rc=$?
figures reuse_udp_ids "$out"
if [ "$rc" -eq 0 ]; then
	pass reuse_udp_ids
else
	fail reuse_udp_ids "$out; $(tail -2 "$TMP/udp.err" | tr '\n' ' ')"
fi
# Both directions: the requests (A to B) and the replies (B to A) are 40 + 40 packets.
n_rep=$(check_ids "$F" --proto udp --port 5353 | sed -n 's/.* packets=\([0-9]*\) .*/\1/p')
check reuse_udp_replies test "$n_rep" = 80

# --- a flood: every datagram unique, sent as fast as the sender goes -------------------------
F=$TMP/flood.json
"$RETE" collect -f 'udp port 5353' -o "$F" --cmd "$(send f "$FLOOD" 0 5353)" 2>"$TMP/flood.err"
out=$(check_ids "$F" --proto udp --port 5353 --min-ids $((FLOOD / 2)))
rc=$?
figures "reuse_udp_flood ($FLOOD datagrams)" "$out"
if [ "$rc" -eq 0 ]; then
	pass reuse_udp_flood
else
	fail reuse_udp_flood "$FLOOD datagrams: $out; $(tail -2 "$TMP/flood.err" | tr '\n' ' ')"
fi

# --- follow mode follows the packet, not the memory: 20 to port 5353, then 40 to 6000 -------
F=$TMP/leak.json
"$RETE" collect -f 'udp port 5353' -o "$F" \
	--cmd "$(send m 20 0.02 5353); $(send n 40 0.02 6000)" 2>"$TMP/leak.err"
other=$(check_ids "$F" --proto udp --port 6000 | sed -n 's/.* packets=\([0-9]*\) .*/\1/p')
wanted=$(check_ids "$F" --proto udp --port 5353 | sed -n 's/^ids=\([0-9]*\) .*/\1/p')
if [ "$other" = 0 ] && [ "$wanted" = 40 ]; then
	pass reuse_filter_no_leak
else
	fail reuse_filter_no_leak "$other port-6000 datagrams reported, $wanted ids for the 40 port-5353 ones"
fi

# --- a TCP stream of unique segments (no autocorking: one write, one segment), and its ACKs --
ip netns exec "$NS_A" sysctl -qw net.ipv4.tcp_autocorking=0
ip netns exec "$NS_B" "$PY" -c '
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("'"$IP_B"'", 8080)); l.listen(1); l.settimeout(60)
c, _ = l.accept()
while c.recv(65536): pass
' &
srv=$!
on_exit "kill $srv"
sleep 0.3
F=$TMP/tcp.json
"$RETE" collect -f 'tcp port 8080' -o "$F" --cmd "ip netns exec $NS_A $PY -c 'import socket, time
s = socket.create_connection((\"$IP_B\", 8080))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range($SEGS):
    s.send(b\"segment %06d \" % i + b\"x\" * 64)
    time.sleep(0.0005)
time.sleep(0.2)
s.close()
time.sleep(0.3)'" 2>"$TMP/tcp.err"
segs=$(jq -r 'select(.packet) | .packet.len' "$F" | awk '$1 > 100' | wc -l)
out=$(check_ids "$F" --proto tcp --port 8080 --min-ids "$SEGS")
rc=$?
figures "reuse_tcp_stream ($SEGS writes)" "$out"
if [ "$rc" -eq 0 ] && [ "$segs" -ge "$SEGS" ]; then
	pass reuse_tcp_stream
else
	fail reuse_tcp_stream "$SEGS writes, $segs data events: $out; $(tail -2 "$TMP/tcp.err" | tr '\n' ' ')"
fi

# --- ICMP: a ping flood and the replies the kernel generates ------------------------------
F=$TMP/icmp.json
n=$((FLOOD / 50))
"$RETE" collect -f icmp -o "$F" --cmd "ip netns exec $NS_A ping -f -c $n -W1 $IP_B" 2>"$TMP/icmp.err"
out=$(check_ids "$F" --proto icmp --min-ids "$n")
rc=$?
figures "reuse_icmp_flood ($n requests)" "$out"
if [ "$rc" -eq 0 ]; then
	pass reuse_icmp_flood
else
	fail reuse_icmp_flood "$n echo requests: $out"
fi
