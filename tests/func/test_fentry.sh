#!/usr/bin/env bash
# fentry and fexit probes (BPF trampolines) on real traffic between two network namespaces,
# and the return values of fexit and kretprobe probes. Needs a kernel that allows trampolines
# (the full-kernel lane); elsewhere only the error sentence is checked and the rest skipped.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(fe_icmp fe_args fe_udp fe_tcp fe_tracking fx_retval fx_text fx_tcp fe_filter fe_stack
	fe_wildcard kret_retval fe_errors fe_sigint_detach)
require_bpf no_fentry_sentence "${ALL[@]}" || exit 0

# Whether this kernel lets BPF attach to a function trampoline.
out=$("$RETE" collect -p fentry:ip_rcv --cmd true 2>&1)
rc=$?
if grep -q "cannot use fentry probe 'ip_rcv'" <<<"$out"; then
	if [ "$rc" -ne 0 ] && grep -q "use kprobes or tracepoints" <<<"$out" &&
		[ "$(grep -c 'error' <<<"$out")" -eq 1 ]; then
		pass no_fentry_sentence
	else
		fail no_fentry_sentence "rc=$rc: $out"
	fi
	why=$(sed -n "s/.*cannot use fentry probe 'ip_rcv': \([^;]*\);.*/\1/p" <<<"$out")
	for t in "${ALL[@]}"; do skip "$t" "fentry is not usable here: ${why:-see no_fentry_sentence}"; done
	exit 0
fi
skip no_fentry_sentence "this kernel allows fentry"
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
INUM_B=$(ns_inum "$NS_B")

ip netns exec "$NS_B" socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
on_exit "kill $!"
ip netns exec "$NS_B" socat -u UDP-RECV:9000 OPEN:/dev/null &
on_exit "kill $!"
sleep 0.5

TRAFFIC="ip netns exec $NS_A sh -c 'ping -c2 -i0.2 -W2 $IP_B; echo u | socat -u - UDP:$IP_B:9000; \
echo t | socat -u - TCP:$IP_B:8080; sleep 0.3'"
text_of() { "$RETE" print --format single-line "$1" 2>/dev/null; }
tid() { jq -r "$1"' | .["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' "$2" | sort -u; }

# --- fentry + fexit on the same function, fexit on tcp_v4_rcv ------------------------
F=$TMP/fe.json
"$RETE" --log-level debug collect -p fentry:ip_rcv -p fexit:ip_rcv -p fexit:tcp_v4_rcv \
	-p tp:net:netif_receive_skb -o "$F" --cmd "$TRAFFIC" 2>"$TMP/fe.err"
rc=$?
text_of "$F" >"$TMP/fe.txt"
if [ "$rc" -eq 0 ] && grep -q "\[fentry\] ip_rcv .* $IP_A > $IP_B .*proto ICMP (1) type 8" "$TMP/fe.txt"; then
	pass fe_icmp
else
	fail fe_icmp "rc=$rc: $(grep -v debug "$TMP/fe.err" | head -c 300) $(grep -c . "$TMP/fe.txt") text lines"
fi
# ip_rcv(skb, dev, pt, orig_dev): the device and netns come from the dev argument.
sel_fe='select(.kernel.symbol=="ip_rcv" and .kernel.probe_type=="fentry" and .dev.name=="'$VB'")'
if [ "$(jq -r "$sel_fe | .netns.inum" "$F" | sort -u)" = "$INUM_B" ] &&
	[ "$(jq -r "$sel_fe | .dev.ifindex" "$F" | sort -u)" = "$(ifindex_in "$NS_B" "$VB")" ]; then
	pass fe_args
else
	fail fe_args "ip_rcv on $VB: netns $(jq -r "$sel_fe | .netns.inum" "$F" | sort -u | tr '\n' ' ')"
fi
check fe_udp grep -q "\[fentry\] ip_rcv .* $IP_A\.[0-9]* > $IP_B\.9000 .*proto UDP (17)" "$TMP/fe.txt"
check fe_tcp grep -q "\[fentry\] ip_rcv .* $IP_A\.[0-9]* > $IP_B\.8080 .*proto TCP (6) flags \[S\]" "$TMP/fe.txt"
tid 'select(.kernel.symbol=="net:netif_receive_skb" and .dev.name=="'$VB'")' "$F" >"$TMP/ids_tp"
tid "$sel_fe" "$F" >"$TMP/ids_fe"
if [ -s "$TMP/ids_fe" ] && [ -z "$(comm -23 "$TMP/ids_fe" "$TMP/ids_tp")" ]; then
	pass fe_tracking
else
	fail fe_tracking "fentry ids '$(tr '\n' ' ' <"$TMP/ids_fe")' not all among netif_receive_skb ids"
fi
# ip_rcv returns NET_RX_SUCCESS (0) for every packet delivered here; tcp_v4_rcv 0 too.
rv=$(jq -r 'select(.kernel.symbol=="ip_rcv" and .kernel.probe_type=="fexit") | .kernel.retval' "$F" | sort -u)
n_fx=$(jq -c 'select(.kernel.symbol=="ip_rcv" and .kernel.probe_type=="fexit")' "$F" | wc -l)
if [ "$n_fx" -ge 4 ] && [ "$rv" = 0 ]; then
	pass fx_retval
else
	fail fx_retval "$n_fx fexit ip_rcv events, return values '$(tr '\n' ' ' <<<"$rv")'"
fi
check fx_text grep -q "\[fexit\] ip_rcv ret 0 " "$TMP/fe.txt"
n_tcp=$(jq -c 'select(.kernel.symbol=="tcp_v4_rcv" and .kernel.probe_type=="fexit" and .kernel.retval != null)' "$F" | wc -l)
check fx_tcp test "$n_tcp" -ge 2

# --- filters and stacks apply to trampolines too -------------------------------------
F=$TMP/filt.json
"$RETE" collect -p fentry:ip_rcv/stack -f icmp -o "$F" --cmd "$TRAFFIC" 2>/dev/null
text_of "$F" >"$TMP/filt.txt"
n_icmp=$(grep -c 'proto ICMP' "$TMP/filt.txt")
n_other=$(grep 'proto' "$TMP/filt.txt" | grep -vc 'proto ICMP')
if [ "$n_icmp" -ge 4 ] && [ "$n_other" -eq 0 ]; then
	pass fe_filter
else
	fail fe_filter "$n_icmp ICMP, $n_other other events with -f icmp"
fi
top=$(jq -r 'select(.kernel.symbol=="ip_rcv") | .kernel.stack_trace[0]' "$F" | sort -u)
check fe_stack grep -q '^ip_rcv+0x[0-9a-f]*$' <<<"$top"

# --- a small wildcard: one verified copy per function ---------------------------------
F=$TMP/wild.json
"$RETE" collect -p 'fentry:tcp_v4_rcv*' -p 'fentry:ip_rcv*' -o "$F" --cmd "$TRAFFIC" 2>"$TMP/wild.err"
rc=$?
syms=$(jq -r 'select(.kernel.probe_type=="fentry") | .kernel.symbol' "$F" | sort -u)
if [ "$rc" -eq 0 ] && grep -qx ip_rcv <<<"$syms" && grep -qx tcp_v4_rcv <<<"$syms" &&
	! grep -qv '^\(tcp_v4_rcv\|ip_rcv\)' <<<"$syms"; then
	pass fe_wildcard
else
	fail fe_wildcard "rc=$rc, symbols $(tr '\n' ' ' <<<"$syms"): $(head -c 300 "$TMP/wild.err")"
fi

# --- kretprobes report the return value as well ----------------------------------------
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	F=$TMP/kr.json
	"$RETE" collect -p kretprobe:ip_rcv -o "$F" --cmd "$TRAFFIC" 2>/dev/null
	rv=$(jq -r 'select(.kernel.probe_type=="kretprobe") | .kernel.retval' "$F" | sort -u)
	check kret_retval test "$rv" = 0
else
	skip kret_retval "this kernel has no kprobes"
fi

# --- errors ------------------------------------------------------------------------------
e1=$("$RETE" collect -p fexit:rete_no_such_function --cmd true 2>&1)
e2=$("$RETE" collect -p fentry:schedule --cmd true 2>&1)
if grep -q "kernel function 'rete_no_such_function' does not exist on this kernel" <<<"$e1" &&
	grep -q "kernel function 'schedule' has no argument rete understands" <<<"$e2"; then
	pass fe_errors
else
	fail fe_errors "'$e1' / '$e2'"
fi

# --- Ctrl-C detaches every trampoline ----------------------------------------------------
links() { bpftool link list 2>/dev/null | grep -c 'type tracing\|^[0-9]*: tracing'; }
state() { echo "links $(links) progs $(rete_progs)"; }
before=$(state)
"$RETE" collect -p fentry:ip_rcv -p fexit:tcp_v4_rcv -o "$TMP/int.json" 2>"$TMP/int.err" &
cpid=$!
wait_for "$TMP/int.err" 'probe\(s\) loaded' 60
during=$(state)
ip netns exec "$NS_A" ping -c1 -W2 "$IP_B" >/dev/null 2>&1
kill -INT "$cpid"
wait "$cpid"
rc=$?
after=$(state)
if [ "$rc" -eq 0 ] && [ "$after" = "$before" ] && [ "$during" != "$before" ] &&
	[ "$(tail -1 "$TMP/int.json" | jq -r .lost.total)" = 0 ]; then
	pass fe_sigint_detach
else
	fail fe_sigint_detach "rc=$rc before '$before' during '$during' after '$after'"
fi
