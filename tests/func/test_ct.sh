#!/usr/bin/env bash
# The ct collector: conntrack state on events, through a router namespace doing SNAT
# (masquerade) and DNAT, with zones, marks, labels, notrack, an ICMP error, TCP states, an FTP
# data connection expected by the kernel's ftp helper (its parent) and IPv6; then the ct
# section in print, in the stored-event filter, in the schema, and the in-kernel meta filter
# on nf_conn through the _nfct cast.
#   A (192.0.2.1) -- B (router: 192.0.2.2 | 198.51.100.254, nftables) -- C (198.51.100.2)
# Events are taken where B transmits (net:net_dev_start_xmit): there the packet has been
# through B's conntrack (crossing into another namespace clears it).
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(ct_icmp_snat ct_icmp_reply ct_udp_dnat ct_tcp_states ct_icmp_error_related ct_ftp_parent
	ct_zone ct_mark_labels ct_untracked ct_ipv6 ct_print_text ct_stored_filter ct_schema
	ct_meta_filter_kernel ct_auto)
require_bpf "${ALL[@]}" || exit 0
PY=/usr/bin/python3
for need in "$PY" nft jq; do
	if ! command -v "$need" >/dev/null; then
		for t in "${ALL[@]}"; do skip "$t" "$need is missing"; done
		exit 0
	fi
done
if ! setup_hosts || ! setup_router; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
if ! ct_why=$("$RETE" collect -c ct -p tp:net:net_dev_start_xmit --cmd true 2>&1) &&
	grep -q "ct" <<<"$ct_why"; then
	for t in "${ALL[@]}"; do skip "$t" "no ct collector here: $(tail -1 <<<"$ct_why")"; done
	exit 0
fi

ip -n "$NS_A" addr add 2001:db8:1::1/64 dev "$VA" nodad
ip -n "$NS_B" addr add 2001:db8:1::2/64 dev "$VB" nodad
ip netns exec "$NS_B" nft -f - <<EOF || { for t in "${ALL[@]}"; do skip "$t" "nftables rules refused"; done; exit 0; }
table ip rete_ct {
	ct helper ftp-std {
		type "ftp" protocol tcp;
	}
	chain c_raw {
		type filter hook prerouting priority raw;
		udp dport 7001 notrack
		udp dport 7002 ct zone set 5
	}
	chain c_dnat {
		type nat hook prerouting priority dstnat;
		ip daddr $IP_B udp dport 7777 dnat to 198.51.100.2:5353
	}
	chain c_pre {
		type filter hook prerouting priority filter;
		tcp dport 21 ct helper set "ftp-std"
	}
	chain c_fwd {
		type filter hook forward priority filter;
		udp dport 7003 ct mark set 0x10 ct label set 3
	}
	chain c_post {
		type nat hook postrouting priority srcnat;
		oifname "$VCB" masquerade
	}
}
table ip6 rete_ct6 {
	chain c_in {
		type filter hook input priority filter;
		ct state new counter
	}
}
EOF
ip netns exec "$NS_C" "$PY" tests/func/ct_traffic.py servers &
on_exit "kill $!"
sleep 0.5

traffic() {
	cat <<EOF
ip netns exec $NS_A ping -c 2 -i 0.2 -W 2 198.51.100.2
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client udp-dnat
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client tcp
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client udp 7009
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client ftp
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client udp 7002
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client udp 7003
ip netns exec $NS_A $PY $PWD/tests/func/ct_traffic.py client udp 7001
ip netns exec $NS_A ping -6 -c 1 -W 2 2001:db8:1::2
sleep 0.3
EOF
}
traffic >"$TMP/traffic.sh"
F=$TMP/ct.json
# The default collectors (auto): ct among them wherever it can run.
"$RETE" collect -p tp:net:net_dev_start_xmit \
	-f 'net 192.0.2.0/24 or net 198.51.100.0/24 or net 2001:db8::/32' \
	-o "$F" --cmd "sh $TMP/traffic.sh" >"$TMP/ct.out" 2>"$TMP/ct.err"
# n FILTER: how many ct sections of the file match the jq FILTER (on .ct).
n() { jq -c "select(.ct) | .ct | select($1)" "$F" 2>/dev/null | wc -l; }
# has NAME FILTER: pass NAME when some event's ct matches FILTER.
has() {
	local c
	c=$(n "$2")
	if [ "$c" -gt 0 ]; then pass "$1"; else fail "$1" "no ct matches $2 ($(n true) ct events; $(tail -1 "$TMP/ct.err"))"; fi
}

# SNAT: the reply tuple shows the router's address as the destination.
has ct_icmp_snat '.state == "new" and .orig.proto.icmp.type == 8 and .orig.ip.src == "192.0.2.1"
	and .reply.ip.src == "198.51.100.2" and .reply.ip.dst == "198.51.100.254"
	and .zone_dir == "Default" and (.ct_status | . != null)'
has ct_icmp_reply '(.state == "reply" or .state == "established") and .orig.proto.icmp != null
	and .reply.ip.dst == "198.51.100.254"'
# DNAT (and SNAT): 192.0.2.2:7777 is C's 5353 seen from A.
has ct_udp_dnat '.orig.ip.dst == "192.0.2.2" and .orig.proto.udp.dport == 7777
	and .reply.ip.src == "198.51.100.2" and .reply.proto.udp.sport == 5353'
c_syn=$(n '.orig.proto.tcp.dport == 8080 and .state == "new" and .proto_state == "SYN_SENT"')
c_est=$(n '.orig.proto.tcp.dport == 8080 and .proto_state == "ESTABLISHED"')
if [ "$c_syn" -gt 0 ] && [ "$c_est" -gt 0 ]; then pass ct_tcp_states; else
	fail ct_tcp_states "SYN_SENT events $c_syn, ESTABLISHED events $c_est"; fi
# The port unreachable from C for a tracked UDP flow is related to it.
has ct_icmp_error_related '.state == "related_reply" and .orig.proto.udp.dport == 7009'
# The FTP data connection was expected by the helper: RELATED, its parent the control one.
has ct_ftp_parent '.state == "related" and .orig.proto.tcp.dport == 51210
	and .parent.orig.proto.tcp.dport == 21 and .parent.orig.ip.src == "192.0.2.1"'
has ct_zone '.orig.proto.udp.dport == 7002 and .zone_id == 5'
has ct_mark_labels '.orig.proto.udp.dport == 7003 and .mark == 16 and .labels.lo == 8
	and .labels.hi == 0'
# notrack: no connection, the state alone (and the packet is still there).
c_untr=$(jq -c 'select(.ct.state == "untracked") | .packet' "$F" | grep -c .)
check ct_untracked test "$c_untr" -gt 0
has ct_ipv6 '.orig.ip.version == "v6" and .orig.ip.src == "2001:db8:1::1"
	and .orig.proto.icmp.type == 128 and .state == "reply"'

"$RETE" print "$F" >"$TMP/ct.txt" 2>&1
if grep -q 'ct_state NEW status 0x[0-9a-f]* icmp orig \[192.0.2.1 > 198.51.100.2 type 8' "$TMP/ct.txt" &&
	grep -q 'parent \[status' "$TMP/ct.txt" && grep -q 'ct_state UNTRACKED$' "$TMP/ct.txt" &&
	grep -q 'zone 5' "$TMP/ct.txt" && grep -q ' labels 0x8' "$TMP/ct.txt"; then
	pass ct_print_text
else
	fail ct_print_text "$(grep -m3 ct_state "$TMP/ct.txt" | tr '\n' '|')"
fi

m16=$("$RETE" print -m 'ct.mark == 16' "$F" 2>&1 | grep -c 'ct_state')
zone=$("$RETE" print -m 'ct.zone_id == 5 and ct.orig.proto.udp.dport == 7002' "$F" 2>&1 | grep -c 'ct_state')
bad=$("$RETE" print -m 'ct.zone_idd == 5' "$F" 2>&1)
if [ "$m16" -gt 0 ] && [ "$m16" -lt "$(n true)" ] && [ "$zone" -gt 0 ] &&
	grep -q "did you mean 'zone_id'" <<<"$bad"; then
	pass ct_stored_filter
else
	fail ct_stored_filter "mark 16: $m16, zone 5: $zone, of $(n true); typo: $bad"
fi

if ! kernel_independent ct_schema; then
	:
elif "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$RETE" schema >"$TMP/schema.json"
	if out=$("$PY" tests/func/schema_check.py "$TMP/schema.json" "$F" 2>&1); then
		pass ct_schema
	else
		fail ct_schema "$out"
	fi
else
	skip ct_schema "python3-jsonschema is missing"
fi

# In the kernel: the connection's mark through skb->_nfct, as Retis writes it.
F2=$TMP/ct-meta.json
"$RETE" collect -c ct,skb -p tp:net:net_dev_start_xmit -m 'sk_buff._nfct:~0x7:nf_conn.mark == 0x10' \
	-o "$F2" --cmd "sh $TMP/traffic.sh" >/dev/null 2>"$TMP/meta.err"
all=$(jq -c 'select(.kernel)' "$F2" | wc -l)
marked=$(jq -c 'select(.ct.mark == 16)' "$F2" | wc -l)
if [ "$all" -gt 0 ] && [ "$all" = "$marked" ]; then pass ct_meta_filter_kernel; else
	fail ct_meta_filter_kernel "$marked of $all events have mark 16; $(tail -1 "$TMP/meta.err")"; fi

# Default collectors (auto, the first run) start ct where it can run, as Retis does.
if grep -q 'Collector(s) started:.* ct' "$TMP/ct.err"; then pass ct_auto; else
	fail ct_auto "$(grep -m1 Collector "$TMP/ct.err")"; fi
