#!/usr/bin/env bash
# The nft collector: the rules and policies a packet meets in a firewalld-like ruleset of
# $NS_B (an inet table, a base chain with a drop policy, a jump to a user chain that drops TCP
# to 8080, accepted ICMP), with --allow-system-changes, joined to the packet's other events;
# --nft-verdicts; the text; the ruleset left as it was; the table of a killed rete removed by
# the next start; what happens without the option. Two methods, chosen by probing the
# kernel: a kprobe on __nft_trace_packet where kprobes exist (the lane's kernels), nftables'
# trace messages elsewhere (this host); nft_method checks the choice.
#   A (192.0.2.1) -- B (192.0.2.2, the ruleset)
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

ALL=(nft_method nft_drop_rule nft_drop_joined nft_policy nft_accept_default nft_verdicts_drop_only
	nft_jump_target nft_print_text nft_ruleset_unchanged nft_stored_filter nft_schema
	nft_listen_only nft_chain_verdict nft_sigkill_cleanup nft_verdicts_typo nft_dropmon_profile)
require_bpf "${ALL[@]}" || exit 0
PY=/usr/bin/python3
for need in nft jq; do
	if ! command -v "$need" >/dev/null; then
		for t in "${ALL[@]}"; do skip "$t" "$need is missing"; done
		exit 0
	fi
done
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
ip netns exec "$NS_B" nft -f - <<EOF || { for t in "${ALL[@]}"; do skip "$t" "nftables rules refused"; done; exit 0; }
table inet rete_fw {
	chain c_input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		jump c_user
		icmp type echo-request accept
		udp dport 9000 accept
	}
	chain c_user {
		tcp dport 8080 drop
	}
}
EOF
B="ip netns exec $NS_B"
# Handles, as nft lists them.
handles=$($B nft -a -j list ruleset)
h_table=$(jq '.nftables[] | select(.table.name == "rete_fw") | .table.handle' <<<"$handles")
h_user=$(jq '.nftables[] | select(.chain.name == "c_user") | .chain.handle' <<<"$handles")
h_input=$(jq '.nftables[] | select(.chain.name == "c_input") | .chain.handle' <<<"$handles")
h_drop=$(jq '.nftables[] | select(.rule.chain == "c_user") | .rule.handle' <<<"$handles")
h_jump=$(jq '.nftables[] | select(.rule.chain == "c_input" and (.rule.expr[0].jump != null)) | .rule.handle' <<<"$handles")
ruleset_b() { $B nft -j list ruleset; }
ruleset_b >"$TMP/ruleset.before"
nft -j list ruleset >"$TMP/root.before" 2>/dev/null

cat >"$TMP/traffic.sh" <<EOF
ip netns exec $NS_A timeout 2 bash -c 'exec 3<>/dev/tcp/$IP_B/8080' 2>/dev/null
ip netns exec $NS_A ping -c 2 -i 0.2 -W 1 $IP_B
ip netns exec $NS_A $PY -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"x" * 32, ("$IP_B", 7000))'
sleep 0.3
EOF
F=$TMP/nft.json
"$RETE" collect --allow-system-changes -c nft,skb,skb-tracking,skb-drop,dev,ns \
	-f "host $IP_B" -o "$F" --cmd "sh $TMP/traffic.sh" >"$TMP/nft.out" 2>"$TMP/nft.err"
# The kprobe's events carry the kernel section; those from trace messages do not.
if [ -d /sys/bus/event_source/devices/kprobe ]; then want=kprobe; else want=nftrace; fi
if [ "$(jq -c 'select(.nft and .kernel.symbol == "__nft_trace_packet" and
	.kernel.probe_type == "kprobe")' "$F" 2>/dev/null | wc -l)" -gt 0 ]; then
	METHOD=kprobe
else
	METHOD=nftrace
fi
if [ $want = kprobe ]; then
	msg="added the table ip rete_trace_[0-9]* (its chain, on no hook, holds meta nftrace set 1"
else
	msg="added the tables ip and ip6 rete_trace_[0-9]* (chains prerouting and output"
fi
if [ $METHOD = $want ] && grep -q "$msg" "$TMP/nft.err"; then pass nft_method; else
	fail nft_method "method $METHOD, wanted $want; $(grep -m1 'nft:' "$TMP/nft.err")"; fi
why() { echo "$(jq -c 'select(.nft) | .nft' "$F" 2>/dev/null | head -c 600); $(tail -2 "$TMP/nft.err" | tr '\n' ' ')"; }
n() { jq -c "select(.nft) | select($1)" "$F" 2>/dev/null | wc -l; }

c=$(n ".nft.table_name == \"rete_fw\" and .nft.table_handle == $h_table and
	.nft.chain_name == \"c_user\" and .nft.chain_handle == $h_user and
	.nft.rule_handle == $h_drop and .nft.verdict == \"drop\" and .nft.policy == false and
	.packet.len > 0")
if [ "$c" -gt 0 ]; then pass nft_drop_rule; else fail nft_drop_rule "$(why)"; fi

# The drop's nft event and the NETFILTER_DROP drop share the packet's tracking id.
ids_nft=$(jq -r 'select(.nft.verdict == "drop" and .nft.chain_name == "c_user") |
	."skb-tracking" | "\(.orig_head)-\(.timestamp)"' "$F" | sort -u)
ids_drop=$(jq -r 'select(."skb-drop".drop_reason == "NETFILTER_DROP") |
	."skb-tracking" | "\(.orig_head)-\(.timestamp)"' "$F" | sort -u)
if [ -n "$ids_nft" ] && [ -n "$(comm -12 <(echo "$ids_nft") <(echo "$ids_drop"))" ]; then
	pass nft_drop_joined
else
	fail nft_drop_joined "nft ids [$ids_nft], NETFILTER_DROP ids [$ids_drop]"
fi

c=$(n '.nft.chain_name == "c_input" and .nft.policy == true and .nft.verdict == "drop" and
	(.nft | has("rule_handle") | not)')
if [ "$c" -gt 0 ]; then pass nft_policy; else fail nft_policy "$(why)"; fi

# Retis's default is drop,accept: the echo requests' accept rule is there.
c=$(n '.nft.chain_name == "c_input" and .nft.verdict == "accept" and .nft.rule_handle != null')
if [ "$c" -ge 2 ]; then pass nft_accept_default; else fail nft_accept_default "$c accept events; $(why)"; fi

"$RETE" print "$F" >"$TMP/nft.txt" 2>&1
if grep -q "table rete_fw ($h_table) chain c_user ($h_user) handle $h_drop drop$" "$TMP/nft.txt" &&
	grep -q "table rete_fw ($h_table) chain c_input ($h_input) drop (policy)$" "$TMP/nft.txt"; then
	pass nft_print_text
else
	fail nft_print_text "$(grep -m3 'table ' "$TMP/nft.txt" | tr '\n' '|')"
fi

if ruleset_b | cmp -s - "$TMP/ruleset.before" &&
	{ nft -j list ruleset 2>/dev/null || true; } | cmp -s - "$TMP/root.before"; then
	pass nft_ruleset_unchanged
else
	fail nft_ruleset_unchanged "$(ruleset_b | jq -c '.nftables[] | select(.table) | .table.name' | tr '\n' ' ')"
fi

m=$("$RETE" print -m "nft.rule_handle == $h_drop" "$F" 2>&1 | grep -c 'table rete_fw')
all=$("$RETE" print -m 'nft.verdict == "drop"' "$F" 2>&1 | grep -c 'table rete_fw')
if [ "$m" -ge 1 ] && [ "$all" -gt "$m" ]; then pass nft_stored_filter; else
	fail nft_stored_filter "rule_handle: $m, drop: $all"; fi

if "$PY" -c 'import jsonschema' 2>/dev/null; then
	"$RETE" schema >"$TMP/schema.json"
	if out=$("$PY" tests/func/schema_check.py "$TMP/schema.json" "$F" 2>&1); then
		pass nft_schema
	else
		fail nft_schema "$out"
	fi
else
	skip nft_schema "python3-jsonschema is missing"
fi


# --nft-verdicts: only drops; then jumps, with their target chain.
F2=$TMP/nft-drop.json
"$RETE" collect --allow-system-changes -c nft --nft-verdicts drop -f "host $IP_B" -o "$F2" \
	--cmd "sh $TMP/traffic.sh" >/dev/null 2>"$TMP/nft2.err"
drops=$(jq -c 'select(.nft.verdict == "drop")' "$F2" | wc -l)
others=$(jq -c 'select(.nft and .nft.verdict != "drop")' "$F2" | wc -l)
if [ "$drops" -gt 0 ] && [ "$others" -eq 0 ]; then pass nft_verdicts_drop_only; else
	fail nft_verdicts_drop_only "$drops drops, $others others; $(tail -1 "$TMP/nft2.err")"; fi
F3=$TMP/nft-jump.json
"$RETE" collect --allow-system-changes -c nft --nft-verdicts jump -f "host $IP_B" -o "$F3" \
	--cmd "sh $TMP/traffic.sh" >/dev/null 2>"$TMP/nft3.err"
if [ "$(jq -c "select(.nft.verdict == \"jump\" and .nft.verdict_chain_name == \"c_user\" and
	.nft.rule_handle == $h_jump)" "$F3" | wc -l)" -gt 0 ] &&
	"$RETE" print "$F3" 2>&1 | grep -q "handle $h_jump jump chain c_user$"; then
	pass nft_jump_target
else
	fail nft_jump_target "$(jq -c 'select(.nft) | .nft' "$F3" | head -3)"
fi

# Without --allow-system-changes nothing is added: rete says what it would add, and reports
# the packets the ruleset itself traces (trace messages), or each base chain's final verdict
# (the kprobe way: a kretprobe on nft_do_chain, the rule unknown).
$B nft -f - <<EOF
table ip rete_user_trace {
	chain c_pre {
		type filter hook prerouting priority -300;
		udp dport 7000 meta nftrace set 1
	}
}
EOF
F4=$TMP/nft-listen.json
"$RETE" collect -c nft,skb -o "$F4" --cmd "sh $TMP/traffic.sh" >/dev/null 2>"$TMP/nft4.err"
udp=$(jq -c 'select(.nft.chain_name == "c_input" and .nft.policy == true and .packet)' "$F4" | wc -l)
tcp=$(jq -c 'select(.nft.chain_name == "c_user")' "$F4" | wc -l)
if [ $METHOD = kprobe ]; then
	cdrops=$(jq -c 'select(.nft.chain_name == "c_input" and .nft.verdict == "drop" and
		.nft.chain_verdict == true and (.nft | has("rule_handle") | not) and .packet)' "$F4" | wc -l)
	others=$(jq -c 'select(.nft and .nft.chain_verdict != true)' "$F4" | wc -l)
	skip nft_listen_only "the kernel has kprobes: without --allow-system-changes rete reports base chains' verdicts (nft_chain_verdict)"
	if grep -q "without a ruleset change, each base chain's final verdict" "$TMP/nft4.err" &&
		! grep -q 'added the table' "$TMP/nft4.err" && [ "$cdrops" -ge 2 ] &&
		[ "$tcp" -eq 0 ] && [ "$others" -eq 0 ]; then
		pass nft_chain_verdict
	else
		fail nft_chain_verdict "$cdrops c_input drops, $tcp c_user events, $others others; $(grep -m1 nft: "$TMP/nft4.err")"
	fi
else
	skip nft_chain_verdict "this kernel has no kprobes: without --allow-system-changes rete reports the packets the ruleset traces (nft_listen_only)"
	if grep -q 'with --allow-system-changes, rete adds the tables ip and ip6 rete_trace_' "$TMP/nft4.err" &&
		[ "$udp" -gt 0 ] && [ "$tcp" -eq 0 ]; then
		pass nft_listen_only
	else
		fail nft_listen_only "udp policy events $udp, tcp $tcp; $(grep nft: "$TMP/nft4.err" | head -2)"
	fi
fi
$B nft delete table ip rete_user_trace

# A SIGKILLed rete leaves its table; the next start removes it and says so.
"$RETE" collect --allow-system-changes -c nft -f "host $IP_B" -o "$TMP/killed.json" \
	>/dev/null 2>"$TMP/kill.err" &
kpid=$!
wait_for "$TMP/kill.err" 'probe\(s\) loaded|error' 20
sleep 0.3
# Trace messages: a table per family in each namespace with a ruleset; the kprobe: one
# table in rete's own namespace.
if [ $METHOD = kprobe ]; then where=""; want_left=1; else where=$B; want_left=2; fi
left=$($where nft list tables | grep -c "rete_trace_$kpid")
kill -KILL "$kpid"
wait "$kpid" 2>/dev/null
"$RETE" collect --allow-system-changes -c nft -f "host $IP_B" --cmd true -o "$TMP/next.json" \
	>/dev/null 2>"$TMP/next.err"
after=$($where nft list tables | grep -c "rete_trace_" || true)
if [ "$left" -eq $want_left ] && [ "$after" -eq 0 ] &&
	grep -q "removed the table ip rete_trace_$kpid that an earlier rete left" "$TMP/next.err"; then
	pass nft_sigkill_cleanup
else
	fail nft_sigkill_cleanup "tables of the killed rete: $left, after the next start: $after; $(grep -m1 nft: "$TMP/next.err")"
fi

if ! kernel_independent nft_verdicts_typo; then
	:
elif out=$("$RETE" collect -c nft --nft-verdicts dorp --cmd true 2>&1); rc=$?
	[ "$rc" -eq 2 ] && grep -q "did you mean 'drop'" <<<"$out" && [ "$(wc -l <<<"$out")" -eq 1 ]; then
	pass nft_verdicts_typo
else
	fail nft_verdicts_typo "exit $rc: $out"
fi

# The seed's "dropped packets from Netfilter": the profile's kprobe is the collector's own.
F5=$TMP/nft-dropmon.json
"$RETE" -p nft-dropmon collect --allow-system-changes -f "host $IP_B" -o "$F5" \
	--cmd "sh $TMP/traffic.sh" >/dev/null 2>"$TMP/nft5.err"
drops=$(jq -c "select(.nft.verdict == \"drop\" and .nft.rule_handle == $h_drop)" "$F5" | wc -l)
accepts=$(jq -c 'select(.nft.verdict == "accept")' "$F5" | wc -l)
# With the kprobe, as Retis: its /stack gives stack traces, and no default probe is added.
stacks=$(jq -c 'select(.nft and (.kernel.stack_trace | length) > 0)' "$F5" | wc -l)
others=$(jq -c 'select(.kernel and (.nft | not))' "$F5" | wc -l)
nftn=$(jq -c 'select(.nft)' "$F5" | wc -l)
if [ "$drops" -gt 0 ] && [ "$accepts" -eq 0 ] &&
	{ [ $METHOD = nftrace ] || { [ "$stacks" -eq "$nftn" ] && [ "$others" -eq 0 ]; }; }; then
	pass nft_dropmon_profile
else
	fail nft_dropmon_profile "$drops drops, $accepts accepts, $stacks of $nftn with stacks, $others non-nft events; $(grep -E 'error|nft' "$TMP/nft5.err" | head -2 | tr '\n' ' ')"
fi
