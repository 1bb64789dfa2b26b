#!/usr/bin/env bash
# Profiles (-p, -P, rete profile list) and rete inspect, checked against the kernel's own
# lists; rete -p dropmon collect end to end with a drop between two network namespaces.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh
PROFILES=$PWD/profiles

if [ ! -x "$RETE" ]; then
	skip profile "$RETE not built"
	exit 0
fi

# expect_err NAME EXIT-CODE REGEX CMD...: the last stderr line matches REGEX.
expect_err() {
	local name=$1 code=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$code" ] && grep -qE -- "$re" <<<"$(tail -1 <<<"$out")"; then
		pass "$name"
	else
		fail "$name" "rc=$rc (want $code), stderr: $out"
	fi
}

# --- rete profile list --------------------------------------------------------------
if kernel_independent profile_list; then
	out=$("$RETE" -P "$PROFILES" profile list 2>"$TMP/list.err")
	rc=$?
	ok=1
	for p in dropmon generic ifdump nft-dropmon; do
		grep -qE "^$p +$PROFILES/$p\.yaml +[A-Z]" <<<"$out" || ok=0
	done
	if [ "$rc" -eq 0 ] && [ "$ok" -eq 1 ] && [ ! -s "$TMP/list.err" ]; then
		pass profile_list
	else
		fail profile_list "rc=$rc: $out $(cat "$TMP/list.err")"
	fi

	# Found next to the build directory when rete runs uninstalled from the source tree.
	if [ "$(realpath "$(dirname "$RETE")/../profiles" 2>/dev/null)" = "$PROFILES" ]; then
		if HOME=$TMP "$RETE" profile list 2>/dev/null | grep -q "^dropmon .*$PROFILES/dropmon.yaml"; then
			pass profile_list_source_tree
		else
			fail profile_list_source_tree "dropmon not found without -P"
		fi
	else
		skip profile_list_source_tree "$RETE is not in a build directory of this source tree"
	fi
fi

# -P comes first and hides profiles of the same name; ~/.config/rete/profiles is searched;
# broken files are reported and skipped.
mkdir -p "$TMP/extra" "$TMP/home/.config/rete/profiles"
cat >"$TMP/extra/my-drops.yaml" <<'EOF'
version: 1.0
name: dropmon
about: My own drop monitor
collect:
  - args:
      collectors: skb-drop,skb
      probe: tp:skb:kfree_skb
EOF
cat >"$TMP/home/.config/rete/profiles/home.yaml" <<'EOF'
version: 1.0
name: from-home
about: In the home directory
collect:
  - args:
      probe: tp:net:netif_rx
EOF
printf 'version: 1.0\nname: broken\ncollect:\n  - args: [\n' >"$TMP/extra/broken.yaml"
if kernel_independent profile_search_path_and_errors; then
	out=$(HOME=$TMP/home "$RETE" -P "$TMP/extra" profile list 2>"$TMP/list.err")
	first=$(grep '^dropmon ' <<<"$out" | head -1)
	if grep -q "$TMP/extra/my-drops.yaml .*My own drop monitor" <<<"$first" &&
		grep -q "^from-home .*$TMP/home/.config/rete/profiles/home.yaml" <<<"$out" &&
		grep -q "broken.yaml:5: .*(file skipped)" "$TMP/list.err"; then
		pass profile_list_search_path
	else
		fail profile_list_search_path "$out / $(cat "$TMP/list.err")"
	fi
	if [ "$(grep -c '^dropmon ' <<<"$out")" -ge 2 ] && grep '^dropmon ' <<<"$out" | tail -1 | grep -q 'hidden by'; then
		pass profile_list_hidden
	elif [ "$(realpath "$(dirname "$RETE")/../profiles" 2>/dev/null)" != "$PROFILES" ]; then
		skip profile_list_hidden "built-in profiles are not on the search path of $RETE"
	else
		fail profile_list_hidden "$out"
	fi

	# --- errors that teach ------------------------------------------------------------------
	expect_err profile_unknown 2 "unknown profile 'dropmn' \(did you mean 'dropmon'\?\)" \
		"$RETE" -P "$PROFILES" -p dropmn collect
	expect_err profile_not_for_print 2 "profiles \(-p\) apply to collect and pcap, not to 'print'" \
		"$RETE" -P "$PROFILES" -p dropmon print /dev/null
	expect_err profile_missing_dir 2 "cannot use profile directory $TMP/nope: No such file" \
		"$RETE" -P "$TMP/nope" profile list
	printf 'version: 1.0\nname: bad\ncollect:\n  - args:\n      probe: [a, b\n' >"$TMP/bad.yaml"
	expect_err profile_bad_yaml 1 "profile $TMP/bad.yaml:6: did not find expected ',' or ']'" \
		"$RETE" -p "$TMP/bad.yaml" collect
	printf 'version: 1.0\nname: bad\ncollect:\n  - arg:\n      probe: x\n' >"$TMP/key.yaml"
	expect_err profile_unknown_key 1 "key.yaml:4: unknown key 'arg' in a 'collect' entry \(did you mean 'args'\?\)" \
		"$RETE" -p "$TMP/key.yaml" collect
	expect_err profile_broken_named 1 "broken.yaml:5: " "$RETE" -P "$TMP/extra" -p broken collect
fi

# --- rete inspect against the kernel's own lists ----------------------------------------
out=$("$RETE" inspect 2>"$TMP/inspect.err")
rc=$?
field() { sed -n "s|^  $1  *||p" <<<"$out" | head -1; }
check inspect_runs test "$rc" -eq 0
check inspect_release test "$(field release)" = "$(uname -r)"
if [ -r /sys/kernel/btf/vmlinux ]; then
	check inspect_btf grep -q '^yes' <<<"$(field BTF)"
else
	check inspect_btf grep -q '^no: ' <<<"$(field BTF)"
fi
tfs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -n "$tfs" ]; then
	check inspect_tracefs test "$(field tracefs)" = "mounted on $tfs"
else
	check inspect_tracefs grep -q '^not mounted' <<<"$(field tracefs)"
fi
for pmu in kprobe uprobe; do
	label=kprobes
	[ "$pmu" = uprobe ] && label=uprobes/USDT
	if [ -e "/sys/bus/event_source/devices/$pmu" ]; then
		check "inspect_$pmu" grep -q '^yes' <<<"$(field "$label")"
	else
		check "inspect_$pmu" grep -q "^no: .*devices/$pmu" <<<"$(field "$label")"
	fi
done
# kprobe.multi without kprobes or fprobe is refused with a reason; with them it may work.
if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
	check inspect_kprobe_multi grep -q '^no: ' <<<"$(field kprobe.multi)"
else
	skip inspect_kprobe_multi "this kernel has kprobes; kprobe.multi depends on CONFIG_FPROBE"
fi
# Capabilities: each line agrees with CapEff.
capeff=$((16#$(awk '/^CapEff:/ { print $2 }' /proc/self/status)))
caps_ok=1
for c in CAP_SYS_ADMIN:21 CAP_SYSLOG:34 CAP_PERFMON:38 CAP_BPF:39; do
	name=${c%:*} bit=${c#*:}
	want=no
	(((capeff >> bit) & 1)) && want=yes
	grep -q "^$want" <<<"$(field "$name")" || caps_ok=0
done
check inspect_caps test "$caps_ok" -eq 1
# Collectors: the ones collect -c auto starts here are the ones marked yes.
yes_coll=$(sed -n '/^Collectors/,$p' <<<"$out" | awk '$2 == "yes" { print $1 }' | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	started=$("$RETE" collect --cmd true 2>&1 | sed -n 's/^Collector(s) started: //p' | tr -d ',')
	if [ "$(tr ' ' '\n' <<<"$started" | sort | tr '\n' ' ')" = "$(tr ' ' '\n' <<<"$yes_coll" | grep . | sort | tr '\n' ' ')" ]; then
		pass inspect_collectors
	else
		fail inspect_collectors "inspect says '$yes_coll', collect started '$started'"
	fi
else
	skip inspect_collectors "needs root and kernel BTF"
fi

# --- rete inspect -p ------------------------------------------------------------------------
if [ -r /sys/kernel/btf/vmlinux ]; then
	out=$("$RETE" inspect -p 'tp:skb:*' 2>"$TMP/insp.err")
	# Without tracefs the groups are unknown and shown as '?'.
	if grep -qE '^tp:(skb|\?):kfree_skb +skb \(struct sk_buff \*\) +reason \(enum skb_drop_reason\)$' <<<"$out"; then
		pass inspect_probe_kfree_skb
	else
		fail inspect_probe_kfree_skb "$out $(cat "$TMP/insp.err")"
	fi
	start=$(date +%s%N)
	"$RETE" inspect -p 'tp:*' >"$TMP/all_tp.txt" 2>"$TMP/insp.err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$rc" -eq 0 ] && [ "$ms" -lt "$(slow 1000)" ]; then
		pass inspect_probe_fast
	else
		fail inspect_probe_fast "rc=$rc in $ms ms"
	fi
	# Every listed tracepoint is in the kernel's event list and has a btf_trace_ typedef
	# whose prototype carries a struct sk_buff *. Where tracefs is not mounted, in a mount
	# namespace of our own where inspect mounts it (--allow-system-changes) and unmounts it.
	if [ "$(id -u)" -eq 0 ] && command -v bpftool >/dev/null && command -v unshare >/dev/null &&
		unshare -m --propagation private true 2>/dev/null; then
		unshare -m --propagation private sh -c '
			"$1" inspect -p "tp:*" --allow-system-changes >"$2/lists_tp.txt" 2>"$2/lists.err"
			echo "mounts after: $(grep -c " tracefs " /proc/mounts)" >>"$2/lists.err"
			t=$(awk "\$3 == \"tracefs\" { print \$2; exit }" /proc/mounts)
			[ -n "$t" ] || { mount -t tracefs nodev /sys/kernel/tracing && t=/sys/kernel/tracing; }
			cat "$t/available_events" >"$2/events.txt"' sh "$RETE" "$TMP"
		bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
			sed -n 's/^typedef void (\*btf_trace_\([a-z0-9_]*\))(void \*, \(.*\));$/\1 \2/p' |
			awk '/struct sk_buff \*/ { print $1 }' | sort >"$TMP/btf_skb_tps"
		listed=$(awk '{ print $1 }' "$TMP/lists_tp.txt" | sed 's/^tp://' | sort)
		missing=$(comm -23 <(echo "$listed") <(sort "$TMP/events.txt"))
		expected=$(sort "$TMP/events.txt" | awk -F: '{ print $2 }' | sort |
			comm -12 - "$TMP/btf_skb_tps")
		got=$(sed 's/^[^:]*://' <<<"$listed" | sort)
		if [ -z "$missing" ] && [ -n "$listed" ] && [ "$expected" = "$got" ]; then
			pass inspect_probe_lists
		else
			fail inspect_probe_lists "not in available_events: '$missing'; diff: $(diff <(echo "$expected") <(echo "$got") | head -5); $(head -3 "$TMP/lists.err")"
		fi
		# What inspect mounted, it unmounted; what was there, it left.
		if [ -z "$tfs" ]; then
			if grep -q 'Mounted tracefs on /sys/kernel/tracing' "$TMP/lists.err" &&
				grep -q '^mounts after: 0$' "$TMP/lists.err"; then
				pass inspect_mounts_tracefs
			else
				fail inspect_mounts_tracefs "$(cat "$TMP/lists.err")"
			fi
		else
			if ! grep -q 'Mounted tracefs' "$TMP/lists.err" && ! grep -q '^mounts after: 0$' "$TMP/lists.err"; then
				pass inspect_mounts_tracefs
			else
				fail inspect_mounts_tracefs "$(cat "$TMP/lists.err")"
			fi
		fi
	else
		skip inspect_probe_lists "needs root, bpftool and unshare -m"
		skip inspect_mounts_tracefs "needs root, bpftool and unshare -m"
	fi
	out=$("$RETE" inspect -p 'kprobe:ip_rcv' 2>"$TMP/insp.err")
	if grep -qE '^kprobe:ip_rcv +skb \(struct sk_buff \*\)  dev \(struct net_device \*\)' <<<"$out"; then
		if [ -e /sys/bus/event_source/devices/kprobe ] ||
			[ "$(grep -c 'probes cannot be used here' "$TMP/insp.err")" -eq 1 ]; then
			pass inspect_probe_kprobe
		else
			fail inspect_probe_kprobe "no single note that kprobes cannot attach: $(cat "$TMP/insp.err")"
		fi
	else
		fail inspect_probe_kprobe "$out $(cat "$TMP/insp.err")"
	fi
	expect_err inspect_probe_none 1 "no probe with a struct sk_buff \* argument matches 'tp:nosuchgroup:nosuchevent\*'" \
		"$RETE" inspect -p 'tp:nosuchgroup:nosuchevent*'
else
	for t in inspect_probe_kfree_skb inspect_probe_fast inspect_probe_lists inspect_mounts_tracefs \
		inspect_probe_kprobe inspect_probe_none; do
		skip "$t" "no kernel BTF"
	done
fi

if kernel_independent profile_help; then
	check help_profile bash -c "'$RETE' profile --help | grep -q 'Examples:'"
	# The format example of rete-profile(1) and --help is a profile that loads.
	mkdir -p "$TMP/doc-profile"
	"$RETE" profile --help | sed -n '/^  version: 1.0/,/probe: tp/p' | sed 's/^  //' >"$TMP/doc-profile/mydrops.yaml"
	check help_profile_example bash -c "'$RETE' -P '$TMP/doc-profile' profile list | grep -q '^mydrops .*Drops with stacks'"
	check help_inspect bash -c "'$RETE' inspect --help | grep -q 'Examples:'"
	check help_global bash -c "'$RETE' --help | grep -q -- '-p, --profile <LIST>'"
fi

# --- profiles applied to collect (root, BPF) --------------------------------------------------
ALL=(dropmon_drop dropmon_text generic_no_kprobes generic_dns_journey nft_dropmon_fallback
	profile_user_args_win)
require_bpf "${ALL[@]}" || exit 0
if ! setup_hosts; then
	for t in "${ALL[@]}"; do skip "$t" "cannot create network namespaces here"; done
	exit 0
fi
INUM_B=$(ns_inum "$NS_B")

# UDP to a closed port in netns B: dropped with reason NO_SOCKET, stack through udp.
F=$TMP/dropmon.json
"$RETE" -P "$PROFILES" -p dropmon collect -o "$F" \
	--cmd "echo hello | ip netns exec $NS_A socat -u - UDP:$IP_B:9999" 2>"$TMP/dropmon.err"
rc=$?
sel='select(.["skb-drop"].drop_reason=="NO_SOCKET" and .netns.inum=='$INUM_B')'
stack=$(jq -r "$sel | .kernel.stack_trace | join(\" \")" "$F" 2>/dev/null | head -1)
if [ "$rc" -eq 0 ] && grep -q 'udp' <<<"$stack" &&
	grep -q '^Applying profile dropmon: --collectors skb-drop,skb,dev,ns --probe tp:skb:kfree_skb/stack' "$TMP/dropmon.err"; then
	pass dropmon_drop
else
	fail dropmon_drop "rc=$rc stack='$stack' $(head -c 400 "$TMP/dropmon.err")"
fi

# The same, printed live: the drop line with its reason, then the stack.
"$RETE" -P "$PROFILES" -p dropmon collect \
	--cmd "echo hello | ip netns exec $NS_A socat -u - UDP:$IP_B:9999" >"$TMP/dropmon.txt" 2>/dev/null
if grep -A4 '\[tp\] skb:kfree_skb .*drop (reason NO_SOCKET)' "$TMP/dropmon.txt" | grep -q '^ *__udp4_lib_rcv+0x\|^ *udp'; then
	pass dropmon_text
else
	fail dropmon_text "$(head -c 600 "$TMP/dropmon.txt")"
fi

# generic: tracepoints only when the kernel has no kprobes, with one notice; with kprobes,
# its functions too.
F=$TMP/generic.json
"$RETE" -P "$PROFILES" -p generic collect -o "$F" --cmd "ip netns exec $NS_A ping -c1 -W2 $IP_B" \
	2>"$TMP/generic.err"
rc=$?
syms=$(jq -r 'select(.kernel) | .kernel.symbol' "$F" 2>/dev/null | sort -u | tr '\n' ' ')
types=$(jq -r 'select(.kernel) | .kernel.probe_type' "$F" 2>/dev/null | sort -u | tr '\n' ' ')
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	if [ "$rc" -eq 0 ] && grep -q 'net:net_dev_start_xmit' <<<"$syms" &&
		grep -qw 'ip_rcv' <<<"$syms" && grep -qw 'icmp_rcv' <<<"$syms" &&
		grep -qw 'kprobe' <<<"$types"; then
		pass generic_no_kprobes
	else
		fail generic_no_kprobes "rc=$rc symbols='$syms' $(head -c 600 "$TMP/generic.err")"
	fi
elif [ "$rc" -eq 0 ] && [ "$(grep -c 'skipping 19 probe(s) that cannot run here' "$TMP/generic.err")" -eq 1 ] &&
	grep -q "kprobe:skb_scrub_packet: this kernel has no kprobes" "$TMP/generic.err" &&
	grep -q 'net:net_dev_start_xmit' <<<"$syms" && ! grep -q 'kprobe' <<<"$types"; then
	pass generic_no_kprobes
else
	fail generic_no_kprobes "rc=$rc symbols='$syms' $(head -c 600 "$TMP/generic.err")"
fi

# The seed README's example: -p generic collect -f 'udp port 53 and host ...', a DNS query
# (to a host with no resolver: the query dies at NO_SOCKET), followed through the stack.
F=$TMP/dns.json
q='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01'
"$RETE" -P "$PROFILES" -p generic collect -f "udp port 53 and host $IP_B" -o "$F" \
	--cmd "printf '$q' | ip netns exec $NS_A socat -u - UDP:$IP_B:53; ip netns exec $NS_A ping -c1 -W2 $IP_B; sleep 0.3" \
	2>"$TMP/dns.err"
rc=$?
ids=$(jq -r 'select(.kernel) | .["skb-tracking"] | "\(.timestamp)-\(.orig_head)"' "$F" 2>/dev/null | sort -u)
syms=$(jq -r 'select(.kernel) | .kernel.symbol' "$F" 2>/dev/null | sort -u | tr '\n' ' ')
other=$("$RETE" print --format single-line "$F" 2>/dev/null | grep ' proto ' | grep -vc '\.53 ')
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	if [ "$rc" -eq 0 ] && [ "$(grep -c . <<<"$ids")" -eq 1 ] && [ "$other" -eq 0 ] &&
		grep -qw 'udp_rcv' <<<"$syms" && grep -qw 'ip_rcv' <<<"$syms" &&
		grep -qw 'ip_output' <<<"$syms" && grep -q 'net:netif_receive_skb' <<<"$syms"; then
		pass generic_dns_journey
	else
		fail generic_dns_journey "rc=$rc ids='$ids' symbols='$syms' $other other packets: $(head -c 400 "$TMP/dns.err")"
	fi
elif [ "$rc" -eq 0 ] && [ "$(grep -c . <<<"$ids")" -eq 1 ] && [ "$other" -eq 0 ] &&
	grep -q 'net:netif_receive_skb' <<<"$syms"; then
	pass generic_dns_journey
else
	fail generic_dns_journey "rc=$rc ids='$ids' symbols='$syms' $other other packets: $(head -c 400 "$TMP/dns.err")"
fi

# nft-dropmon without kprobes: its second entry, nftables traces alone (tests/func/test_nft.sh
# runs it on traffic).
if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
	out=$("$RETE" -P "$PROFILES" -p nft-dropmon collect --cmd true 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "entry 'kprobe' skipped (kprobe:__nft_trace_packet/stack: this kernel has no kprobes" <<<"$out" &&
		grep -q "Applying profile nft-dropmon (nftrace): --collectors nft,skb,dev,ns --nft-verdicts drop$" <<<"$out"; then
		pass nft_dropmon_fallback
	else
		fail nft_dropmon_fallback "rc=$rc: $out"
	fi
else
	skip nft_dropmon_fallback "this kernel has kprobes (its first entry runs)"
fi

# Profile arguments come first: the user's single-value options win.
out=$("$RETE" -p "$TMP/extra/my-drops.yaml" collect --format single-line --stop-after 1 \
	--cmd "echo hello | ip netns exec $NS_A socat -u - UDP:$IP_B:9999" 2>&1 >"$TMP/user.txt")
if grep -q 'Collector(s) started: skb, skb-drop$' <<<"$out" && [ "$(grep -c . "$TMP/user.txt")" -eq 1 ]; then
	pass profile_user_args_win
else
	fail profile_user_args_win "$out / $(head -c 300 "$TMP/user.txt")"
fi
