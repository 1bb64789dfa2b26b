#!/usr/bin/env bash
# rete collect on real tracepoints, between two network namespaces joined by veth.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(icmp_events icmp_netns icmp_dev icmp_tracking icmp_text icmp_sort icmp_stats
	udp_drop_reason udp_drop_stack
	udp_default_journey tcp_events tcp_default_journey stop_after cmd_stops sigint_flood no_prog_left no_cookie_fallback
	file_mode text_output)
require_bpf "${ALL[@]}" || exit 0
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
INUM_A=$(ns_inum "$NS_A")
INUM_B=$(ns_inum "$NS_B")
IDX_A=$(ifindex_in "$NS_A" "$VA")
PROGS_BEFORE=$(rete_progs)

# --- ICMP at the default probes -------------------------------------------------
F=$TMP/icmp.json
"$RETE" collect -o "$F" --cmd "ip netns exec $NS_A ping -c1 -W2 $IP_B" 2>"$TMP/icmp.err"
rc=$?
# ICMP echo request (type 8) leaving va in netns A.
sel_req='select(.kernel.symbol=="net:net_dev_start_xmit" and .dev.name=="'$VA'")'
n_req=$(jq -c "$sel_req" "$F" 2>/dev/null | wc -l)
if [ "$rc" -eq 0 ] && [ "$n_req" -ge 1 ]; then
	pass icmp_events
else
	fail icmp_events "rc=$rc, $n_req start_xmit events on $VA: $(head -c 300 "$TMP/icmp.err")"
fi
check icmp_netns test "$(jq -r "$sel_req | .netns.inum" "$F" | sort -u)" = "$INUM_A"
check icmp_dev test "$(jq -r "$sel_req | .dev.ifindex" "$F" | sort -u)" = "$IDX_A"

# The request keeps one tracking id from va (xmit, netns A) to vb (receive, netns B),
# and the reply has a different one.
"$RETE" print --format single-line "$F" >"$TMP/icmp.txt" 2>&1
req_id=$(jq -r "$sel_req | .\"skb-tracking\" | \"\(.timestamp)-\(.orig_head)\"" "$F" | head -1)
rcv_ids=$(jq -r 'select(.kernel.symbol=="net:netif_receive_skb" and .dev.name=="'$VB'") |
	.["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' "$F" | sort -u)
rep_ids=$(jq -r 'select(.kernel.symbol=="net:net_dev_start_xmit" and .dev.name=="'$VB'") |
	.["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' "$F" | sort -u)
if [ -n "$req_id" ] && grep -qx -- "$req_id" <<<"$rcv_ids" && [ -n "$rep_ids" ] &&
	! grep -qx -- "$req_id" <<<"$rep_ids" &&
	[ "$(jq -r 'select(.kernel.symbol=="net:netif_receive_skb" and .dev.name=="'$VB'") |
		.netns.inum' "$F" | sort -u)" = "$INUM_B" ]; then
	pass icmp_tracking
else
	fail icmp_tracking "request id '$req_id', ids on $VB: '$rcv_ids', reply ids: '$rep_ids'"
fi
if grep -q "$IP_A > $IP_B .*proto ICMP (1) type 8" "$TMP/icmp.txt" &&
	grep -q "$IP_B > $IP_A .*proto ICMP (1) type 0" "$TMP/icmp.txt"; then
	pass icmp_text
else
	fail icmp_text "rete print did not show the echo request and reply: $(head -c 400 "$TMP/icmp.txt")"
fi

# sort and stats on what rete itself collected: the request's events form one series, in
# time order, numbered from 0; every event is in one series; the counts are jq's.
if kernel_independent icmp_post; then
	"$RETE" sort -o "$TMP/icmp-sorted.json" "$TMP/icmp.json" 2>"$TMP/sort.err"
	rc=$?
	n_events=$(jq -c 'select(.kernel)' "$TMP/icmp.json" | wc -l)
	n_sorted=$(jq -s '[.[][] | select(.kernel)] | length' "$TMP/icmp-sorted.json" 2>/dev/null)
	series=$(jq -c --arg id "$req_id" 'select(.[0]["skb-tracking"] | "\(.timestamp)-\(.orig_head)" == $id)' \
		"$TMP/icmp-sorted.json" 2>/dev/null)
	ordered=$(jq -r '[.[] | .common.timestamp] == ([.[] | .common.timestamp] | sort) and
		([.[] | .tracking.idx] == [range(length)])' <<<"$series" 2>/dev/null)
	want=$(jq -c --arg id "$req_id" 'select(.["skb-tracking"] and (.["skb-tracking"] |
		"\(.timestamp)-\(.orig_head)" == $id))' "$TMP/icmp.json" | wc -l)
	if [ "$rc" -eq 0 ] && [ "$n_sorted" = "$n_events" ] && [ "$ordered" = true ] &&
		[ "$(jq 'length' <<<"$series")" = "$want" ] && [ "$want" -ge 2 ]; then
		pass icmp_sort
	else
		fail icmp_sort "rc=$rc, $n_sorted of $n_events events sorted, series of the request: $(head -c 200 <<<"$series") $(cat "$TMP/sort.err")"
	fi
	st=$("$RETE" stats --json "$TMP/icmp.json" 2>/dev/null)
	want_probes=$(jq -c -s '[.[] | select(.kernel) | "\(.kernel.probe_type)/\(.kernel.symbol)"] |
		group_by(.) | map({(.[0]): length}) | add' "$TMP/icmp.json")
	if [ "$(jq -r .events <<<"$st")" = "$n_events" ] && [ "$(jq -cS .probes <<<"$st")" = "$(jq -cS . <<<"$want_probes")" ] &&
		[ "$(jq -r .lost <<<"$st")" = 0 ]; then
		pass icmp_stats
	else
		fail icmp_stats "stats $(head -c 300 <<<"$st") vs probes $want_probes"
	fi
fi

# journey FILE REGEX: one tracking id for the packets whose text matches REGEX, seen leaving
# $VA in netns A and arriving on $VB in netns B.
journey() {
	local lines ids
	lines=$("$RETE" print --format single-line "$1" 2>/dev/null | grep -E -- "$2")
	ids=$(sed -n 's/.* #\([0-9a-f]*\) (skb.*/\1/p' <<<"$lines" | sort -u | grep -c .)
	[ "$ids" -eq 1 ] &&
		grep -q "net:net_dev_start_xmit .* ns 0x[0-9a-f]*/$INUM_A if $IDX_A ($VA)" <<<"$lines" &&
		grep -q "net:netif_receive_skb .* ns 0x[0-9a-f]*/$INUM_B if [0-9]* ($VB)" <<<"$lines"
}

# --- UDP at the default probes ----------------------------------------------------
F=$TMP/udp.json
"$RETE" collect -o "$F" --cmd "echo hello | ip netns exec $NS_A socat -u - UDP:$IP_B:9998" 2>/dev/null
if journey "$F" "$IP_A\.[0-9]+ > $IP_B\.9998 .*proto UDP \(17\) len 6"; then
	pass udp_default_journey
else
	fail udp_default_journey "$("$RETE" print --format single-line "$F" 2>&1 | grep 9998 | head -4)"
fi

# --- UDP to a closed port: NO_SOCKET drop with a stack trace --------------------
F=$TMP/drop.json
"$RETE" collect -p tp:skb:kfree_skb/stack -c skb-drop,skb,dev,ns -o "$F" \
	--cmd "echo hello | ip netns exec $NS_A socat -u - UDP:$IP_B:9999" 2>"$TMP/drop.err"
sel_drop='select(.["skb-drop"].drop_reason=="NO_SOCKET" and .netns.inum=='$INUM_B')'
if [ "$(jq -c "$sel_drop" "$F" 2>/dev/null | wc -l)" -ge 1 ]; then
	pass udp_drop_reason
else
	fail udp_drop_reason "no NO_SOCKET drop in netns B: $(jq -c '.["skb-drop"]' "$F" 2>&1 | sort | uniq -c | head -5) $(head -c 300 "$TMP/drop.err")"
fi
stack=$(jq -r "$sel_drop | .kernel.stack_trace | join(\" \")" "$F" 2>/dev/null | head -1)
if grep -q 'udp' <<<"$stack"; then
	pass udp_drop_stack
else
	fail udp_drop_stack "stack of the drop does not mention udp: '$stack'"
fi

# --- TCP exchange ---------------------------------------------------------------
F=$TMP/tcp.json
ip netns exec "$NS_B" socat -u TCP-LISTEN:8080,reuseaddr OPEN:/dev/null &
lpid=$!
on_exit "kill $lpid"
sleep 0.3
"$RETE" collect -o "$F" --cmd "ip netns exec $NS_A sh -c 'echo hi | socat -u - TCP:$IP_B:8080'" \
	2>"$TMP/tcp.err"
"$RETE" print --format single-line "$F" >"$TMP/tcp.txt" 2>&1
if grep -q "$IP_A\.[0-9]* > $IP_B\.8080 .*proto TCP (6) flags \[S\]" "$TMP/tcp.txt" &&
	grep -q "$IP_B\.8080 > $IP_A\.[0-9]* .*flags \[S\.\]" "$TMP/tcp.txt"; then
	pass tcp_events
else
	fail tcp_events "no SYN / SYN-ACK seen: $(grep -c . "$TMP/tcp.txt") lines; $(head -c 300 "$TMP/tcp.err")"
fi
if journey "$F" "$IP_A\.[0-9]+ > $IP_B\.8080 .*proto TCP \(6\) flags \[S\] "; then
	pass tcp_default_journey
else
	fail tcp_default_journey "$(grep "> $IP_B.8080 .*flags \[S\] " "$TMP/tcp.txt" | head -4)"
fi

# --- --stop-after ---------------------------------------------------------------
F=$TMP/stop.json
"$RETE" collect -o "$F" --stop-after 5 --cmd "ip netns exec $NS_A ping -i 0.2 -c 50 $IP_B" 2>/dev/null
n=$(jq -c 'select(.kernel)' "$F" | wc -l)
if [ "$n" -eq 5 ] && json_lines_ok "$F" && [ "$(head -1 "$F" | jq -r 'has("startup")')" = true ] &&
	[ "$(tail -1 "$F" | jq -r '.lost.total')" = 0 ]; then
	pass stop_after
else
	fail stop_after "expected startup + 5 events + the lost-events record, got $(grep -c . "$F") lines, $n events"
fi

# --- --cmd: collection ends when the command exits --------------------------------
start=$(date +%s)
timeout "$(slow 30)" "$RETE" collect -o "$TMP/cmd.json" --cmd "sleep 0.5" 2>/dev/null
rc=$?
if [ "$rc" -eq 0 ] && [ $(($(date +%s) - start)) -lt "$(slow 20)" ]; then
	pass cmd_stops
else
	fail cmd_stops "rc=$rc"
fi

# --- SIGINT during a flood: complete file, clean exit -----------------------------
F=$TMP/flood.json
sigint_flood "$F" "$TMP/flood.err"
rc=$?
n=$(grep -c . "$F")
if [ "$rc" -eq 0 ] && [ "$n" -gt 100 ] && json_lines_ok "$F" && [ -z "$(tail -c1 "$F" | tr -d '\n')" ]; then
	pass sigint_flood
else
	fail sigint_flood "rc=$rc lines=$n json_ok=$(json_lines_ok "$F" && echo yes || echo no) $(tail -3 "$TMP/flood.err")"
fi

# --- nothing left attached --------------------------------------------------------
if command -v bpftool >/dev/null; then
	check no_prog_left test "$(rete_progs)" = "$PROGS_BEFORE"
else
	skip no_prog_left "bpftool not installed"
fi

# --- fallback: one program instance per probe (kernels without attach cookies) ---
F=$TMP/nocookie.json
RETE_NO_ATTACH_COOKIE=1 "$RETE" collect -p tp:net:net_dev_start_xmit -p tp:net:netif_receive_skb \
	-o "$F" --cmd "ip netns exec $NS_A ping -c1 -W2 $IP_B" 2>/dev/null
syms=$(jq -r 'select(.kernel) | select(.dev.name=="'$VA'" or .dev.name=="'$VB'") | .kernel.symbol' "$F" | sort -u | tr '\n' ' ')
if grep -q "net:net_dev_start_xmit net:netif_receive_skb" <<<"$syms"; then
	pass no_cookie_fallback
else
	fail no_cookie_fallback "symbols seen: '$syms'"
fi

# --- the event file is private -----------------------------------------------------
check file_mode test "$(stat -c %a "$TMP/icmp.json")" = 600

# --- live text output (no -o) ---------------------------------------------------------
"$RETE" collect --cmd "ip netns exec $NS_A ping -c1 -W2 $IP_B" >"$TMP/live.txt" 2>/dev/null
if grep -q "\[tp\] net:net_dev_start_xmit #" "$TMP/live.txt" &&
	grep -q "ns 0x[0-9a-f]*/$INUM_A if $IDX_A ($VA)" "$TMP/live.txt"; then
	pass text_output
else
	fail text_output "$(head -c 400 "$TMP/live.txt")"
fi
