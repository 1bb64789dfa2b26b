#!/usr/bin/env bash
# Packet (-f) and meta (-m) filters evaluated in the kernel, on real traffic between namespaces.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(pkt_icmp_only pkt_udp_port pkt_l2_only_arp pkt_loaded_msg meta_dev_strict meta_mark
	meta_netns meta_ct_mark_cast nat_tracked_after_dnat nat_strict_drops_rewritten
	nat_tracked_after_snat nat_strict_snat filter_and bad_pkt_filter bad_meta_member bad_meta_syntax nothing_attached_on_error)
require_bpf "${ALL[@]}" || exit 0
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
INUM_A=$(ns_inum "$NS_A")
INUM_B=$(ns_inum "$NS_B")
PROGS_BEFORE=$(rete_progs)
traffic="ip netns exec $NS_A ping -c2 -i0.2 -W1 $IP_B; echo x | ip netns exec $NS_A socat -u - UDP:$IP_B:9999"

# All packets in the file satisfy a jq condition on the rendered single-line text.
text_of() { "$RETE" print --format single-line "$1" 2>/dev/null | grep -v '^[0-9]* .*Retis\|collected with\|^[0-9]* lost [0-9]* event'; }

# --- packet filter ---------------------------------------------------------------
F=$TMP/icmp.json
"$RETE" collect -f icmp -o "$F" --cmd "$traffic" 2>"$TMP/icmp.err"
t=$(text_of "$F" | grep -c 'proto')
nonicmp=$(text_of "$F" | grep 'proto' | grep -vc 'proto ICMP (1)')
if [ "$t" -ge 4 ] && [ "$nonicmp" -eq 0 ]; then
	pass pkt_icmp_only
else
	fail pkt_icmp_only "$t packet events, $nonicmp not ICMP: $(head -c 300 "$TMP/icmp.err")"
fi
if grep -q 'L2+L3 packet filter(s) loaded' "$TMP/icmp.err"; then pass pkt_loaded_msg
else fail pkt_loaded_msg "stderr: $(cat "$TMP/icmp.err")"; fi

F=$TMP/udp.json
"$RETE" collect -f 'udp port 9999' -o "$F" --cmd "$traffic" 2>/dev/null
t=$(text_of "$F" | grep -c '\.9999 ')
other=$(text_of "$F" | grep 'proto' | grep -vc '\.9999 ')
if [ "$t" -ge 2 ] && [ "$other" -eq 0 ]; then pass pkt_udp_port
else fail pkt_udp_port "$t events to port 9999, $other others"; fi

# arp has no raw-IP (L3) form: only the L2 variant loads.
F=$TMP/arp.json
ip -n "$NS_A" neigh flush dev "$VA" 2>/dev/null
"$RETE" collect -f arp -o "$F" --cmd "ip -n $NS_A neigh flush dev $VA; ip netns exec $NS_A ping -c1 -W1 $IP_B" 2>"$TMP/arp.err"
arp=$(text_of "$F" | grep -c 'who-has\|is-at')
other=$(text_of "$F" | grep -vc 'who-has\|is-at')
if [ "$arp" -ge 2 ] && [ "$other" -eq 0 ] && grep -q '^L2 packet filter(s) loaded' "$TMP/arp.err"; then
	pass pkt_l2_only_arp
else
	fail pkt_l2_only_arp "$arp arp events, $other others; $(cat "$TMP/arp.err")"
fi

# --- meta filter -------------------------------------------------------------------
F=$TMP/dev.json
"$RETE" collect -m "sk_buff.dev.name == '$VB'" --filter-mode strict -o "$F" --cmd "$traffic" 2>/dev/null
n=$(jq -c 'select(.kernel)' "$F" | wc -l)
bad=$(jq -c 'select(.kernel) | select(.dev.name != "'$VB'")' "$F" | wc -l)
if [ "$n" -ge 4 ] && [ "$bad" -eq 0 ]; then pass meta_dev_strict
else fail meta_dev_strict "$n events, $bad on another device"; fi

F=$TMP/mark.json
"$RETE" collect -m 'sk_buff.mark == 0x10' --filter-mode strict -o "$F" \
	--cmd "ip netns exec $NS_A ping -m 16 -c2 -i0.2 -W1 $IP_B; ip netns exec $NS_A ping -c2 -i0.2 -W1 $IP_B" 2>/dev/null
n=$(text_of "$F" | grep -c "$IP_A > $IP_B")
if [ "$n" -eq 2 ]; then pass meta_mark
else fail meta_mark "expected the 2 marked requests, got $n: $(text_of "$F" | head -5)"; fi

F=$TMP/netns.json
"$RETE" collect -m "sk_buff.dev.nd_net.net.ns.inum == $INUM_B" --filter-mode strict -o "$F" --cmd "$traffic" 2>/dev/null
n=$(jq -c 'select(.kernel)' "$F" | wc -l)
bad=$(jq -c 'select(.kernel) | select(.netns.inum != '$INUM_B')' "$F" | wc -l)
if [ "$n" -ge 4 ] && [ "$bad" -eq 0 ]; then pass meta_netns
else fail meta_netns "$n events, $bad in another netns"; fi

# Conntrack mark through a tagged-pointer cast: nft sets ct mark 42 in netns B.
if command -v nft >/dev/null && ip netns exec "$NS_B" nft -f - <<EOF2 2>/dev/null
table inet rete_test {
	chain pre { type filter hook prerouting priority 0; ip protocol icmp ct mark set 42; }
}
EOF2
then
	F=$TMP/ct.json
	"$RETE" collect -p tp:net:netif_receive_skb -p tp:skb:consume_skb -m 'sk_buff._nfct:~0x7:nf_conn.mark == 42' \
		--filter-mode strict -o "$F" --cmd "$traffic" 2>"$TMP/ct.err"
	n=$(jq -c 'select(.kernel.symbol == "skb:consume_skb")' "$F" | wc -l)
	other=$(text_of "$F" | grep 'proto' | grep -vc 'ICMP')
	if [ "$n" -ge 1 ] && [ "$other" -eq 0 ]; then pass meta_ct_mark_cast
	else fail meta_ct_mark_cast "$n consume events with ct mark 42, $other non-ICMP: $(head -c 200 "$TMP/ct.err")"; fi
	ip netns exec "$NS_B" nft delete table inet rete_test
else
	skip meta_ct_mark_cast "nftables unavailable"
fi

# --- tracked packets bypass the filter (DNAT rewrites the destination) ---------------
if command -v nft >/dev/null && ip -n "$NS_B" addr add 192.0.2.3/32 dev lo &&
	ip netns exec "$NS_B" nft -f - <<EOF2 2>/dev/null
table ip rete_nat {
	chain pre { type nat hook prerouting priority -100; udp dport 9999 dnat to 192.0.2.3; }
}
EOF2
then
	# Nobody listens on 192.0.2.3:9999: the rewritten packet is dropped (NO_SOCKET)
	# at skb:kfree_skb, where only tracking can still recognise it.
	probes=(-p tp:net:netif_receive_skb -p tp:skb:kfree_skb)
	"$RETE" collect "${probes[@]}" -f "udp and dst host $IP_B" -o "$TMP/nat.json" \
		--cmd "echo one | ip netns exec $NS_A socat -u - UDP:$IP_B:9999; sleep 0.3" 2>/dev/null
	id=$(jq -r 'select(.kernel.symbol == "net:netif_receive_skb") | .["skb-tracking"].timestamp' "$TMP/nat.json" | head -1)
	after=$(jq -c 'select(.kernel.symbol == "skb:kfree_skb" and .["skb-tracking"].timestamp == '"${id:-0}"')' "$TMP/nat.json" | wc -l)
	if [ -n "$id" ] && [ "$after" -ge 1 ] && text_of "$TMP/nat.json" | grep -q "kfree_skb.* > 192.0.2.3.9999"; then
		pass nat_tracked_after_dnat
	else
		fail nat_tracked_after_dnat "no event after DNAT: $(text_of "$TMP/nat.json" | head -6)"
	fi
	"$RETE" collect "${probes[@]}" -f "udp and dst host $IP_B" --filter-mode strict -o "$TMP/nat2.json" \
		--cmd "echo two | ip netns exec $NS_A socat -u - UDP:$IP_B:9999; sleep 0.3" 2>/dev/null
	after=$(text_of "$TMP/nat2.json" | grep -c "kfree_skb.* > 192.0.2.3.9999")
	before=$(jq -c 'select(.kernel.symbol == "net:netif_receive_skb")' "$TMP/nat2.json" | wc -l)
	if [ "$after" -eq 0 ] && [ "$before" -ge 1 ]; then pass nat_strict_drops_rewritten
	else fail nat_strict_drops_rewritten "strict mode: $before before DNAT, $after after"; fi
else
	skip nat_tracked_after_dnat "nftables NAT unavailable"
	skip nat_strict_drops_rewritten "nftables NAT unavailable"
fi

# --- tracked packets bypass the filter (a router's SNAT rewrites the source) -----------
# $NS_A -> $NS_B (router, SNAT to 198.51.100.254) -> $NS_C (198.51.100.2).
snat_setup() {
	setup_router || return 1
	command -v nft >/dev/null && ip netns exec "$NS_B" nft -f - <<EOF2 2>/dev/null
table ip rete_snat {
	chain post { type nat hook postrouting priority 100; oifname "$VCB" snat to 198.51.100.254; }
}
EOF2
	ip netns exec "$NS_A" ping -c1 -W2 198.51.100.2 >/dev/null 2>&1
}
if snat_setup; then
	send="echo one | ip netns exec $NS_A socat -u - UDP:198.51.100.2:9997; sleep 0.3"
	"$RETE" collect -f "udp and src host $IP_A" -o "$TMP/snat.json" --cmd "$send" 2>/dev/null
	# The datagram's id where it left A, before the rewrite.
	id=$(jq -r 'select(.kernel.symbol == "net:net_dev_start_xmit" and .dev.name == "'$VA'") |
		.["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' "$TMP/snat.json" | head -1)
	after=$(text_of "$TMP/snat.json" | grep -c "198.51.100.254\.[0-9]* > 198.51.100.2\.9997")
	same=$(jq -r 'select(.dev.name == "'$VC'") | .["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' \
		"$TMP/snat.json" | sort -u)
	if [ -n "$id" ] && [ "$after" -ge 2 ] && [ "$same" = "$id" ]; then
		pass nat_tracked_after_snat
	else
		fail nat_tracked_after_snat "id '$id', $after events after SNAT, ids on $VC '$same': $(text_of "$TMP/snat.json" | head -6)"
	fi
	send="echo two | ip netns exec $NS_A socat -u - UDP:198.51.100.2:9997; sleep 0.3"
	"$RETE" collect -f "udp and src host $IP_A" --filter-mode strict -o "$TMP/snat2.json" \
		--cmd "$send" 2>/dev/null
	after=$(text_of "$TMP/snat2.json" | grep -c "198.51.100.254\.[0-9]* > 198.51.100.2")
	before=$(text_of "$TMP/snat2.json" | grep -c "$IP_A\.[0-9]* > 198.51.100.2\.9997")
	if [ "$after" -eq 0 ] && [ "$before" -ge 2 ]; then pass nat_strict_snat
	else fail nat_strict_snat "strict mode: $before events before SNAT, $after after"; fi
else
	skip nat_tracked_after_snat "cannot set up a router namespace with nftables SNAT"
	skip nat_strict_snat "cannot set up a router namespace with nftables SNAT"
fi

# --- both filters are ANDed -------------------------------------------------------------
F=$TMP/and.json
"$RETE" collect -f icmp -m "sk_buff.dev.name == '$VA'" --filter-mode strict -o "$F" --cmd "$traffic" 2>/dev/null
n=$(jq -c 'select(.kernel)' "$F" | wc -l)
bad=$(jq -c 'select(.kernel) | select(.dev.name != "'$VA'")' "$F" | wc -l)
nonicmp=$(text_of "$F" | grep 'proto' | grep -vc 'ICMP')
if [ "$n" -ge 2 ] && [ "$bad" -eq 0 ] && [ "$nonicmp" -eq 0 ]; then pass filter_and
else fail filter_and "$n events, $bad other devices, $nonicmp non-ICMP"; fi

# --- errors: one sentence, nothing attached ------------------------------------------------
out=$("$RETE" collect -f 'tcp prot 80' 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -q "invalid packet filter 'tcp prot 80'" <<<"$out" && [ "$(grep -c 'error' <<<"$out")" -eq 1 ]; then
	pass bad_pkt_filter
else fail bad_pkt_filter "rc=$rc: $out"; fi
out=$("$RETE" collect -m 'sk_buff.mrak == 1' 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -q "struct sk_buff has no member 'mrak' (did you mean 'mark'?)" <<<"$out"; then
	pass bad_meta_member
else fail bad_meta_member "rc=$rc: $out"; fi
out=$("$RETE" collect -m 'sk_buff.mark ==' 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && grep -q "column" <<<"$out"; then pass bad_meta_syntax
else fail bad_meta_syntax "rc=$rc: $out"; fi
check nothing_attached_on_error test "$(rete_progs)" = "$PROGS_BEFORE"
