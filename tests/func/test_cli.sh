#!/usr/bin/env bash
# Command line: errors are one sentence with a non-zero exit; print renders Retis files.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh
SHARED=${RETE_SHARED:-../shared}
REF=$SHARED/reference/retis-events

if [ ! -x "$RETE" ]; then
	skip cli "$RETE not built"
	exit 0
fi

# expect_err NAME EXIT-CODE REGEX CMD...: stderr is one line matching REGEX.
expect_err() {
	local name=$1 code=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	local last
	last=$(grep -v '^Collector(s) started\|^No probe' <<<"$out")
	if [ "$rc" -eq "$code" ] && [ "$(grep -c . <<<"$last")" -eq 1 ] && grep -qE -- "$re" <<<"$last"; then
		pass "$name"
	else
		fail "$name" "rc=$rc (want $code), stderr: $out"
	fi
}

if kernel_independent usage_errors; then
	expect_err unknown_command 2 "unknown command 'colect' \(did you mean 'collect'\?\)" "$RETE" colect
	expect_err no_command 2 "no command given" "$RETE"
	expect_err unknown_option 2 "unknown option '--prob' \(did you mean '--probe'\?\)" "$RETE" collect --prob x
	expect_err missing_value 2 "option '--stop-after' needs a value" "$RETE" collect --stop-after
	expect_err bad_stop_after 2 "--stop-after expects a positive number, got 'abc'" "$RETE" collect --stop-after abc
	expect_err bad_format 2 "invalid format 'json'" "$RETE" collect --format json
	expect_err bad_log_level 2 "invalid log level 'loud'" "$RETE" --log-level loud collect
	expect_err bad_collector 2 "unknown collector 'skb-drops' \(did you mean 'skb-drop'\?\)" "$RETE" collect -c skb-drops
	expect_err bad_skb_section 2 "unknown skb section 'metas'" "$RETE" collect --skb-sections metas
	# --print without --out is accepted (events are printed anyway), as in Retis: parsing
	# goes on to the next error.
	expect_err print_without_out 2 "invalid packet filter 'udp \(\(\('" "$RETE" collect --print -f 'udp ((('
	# Retis's old header sections are accepted, with one warning each.
	out=$("$RETE" collect --skb-sections eth,meta,tcp -f 'udp (((' 2>&1 >/dev/null)
	if [ "$(grep -c "skb section '[a-z]*' is deprecated and ignored" <<<"$out")" = 2 ] &&
		grep -q "invalid packet filter" <<<"$out"; then
		pass skb_sections_deprecated
	else
		fail skb_sections_deprecated "$out"
	fi
	expect_err print_missing_file 1 "cannot open /nonexistent/x: No such file" "$RETE" print /nonexistent/x
	# Installed as retis (a symlink named retis): messages and the default file say retis.
	ln -s "$RETE" "$TMP/retis"
	expect_err retis_alias_prefix 2 "^retis: error: unknown command 'colect'" "$TMP/retis" colect
	expect_err retis_alias_default_file 1 "^retis: error: cannot open retis.data" \
		sh -c "cd '$TMP' && ./retis print"
	expect_err rete_default_file 1 "^rete: error: cannot open rete.data" \
		sh -c "cd '$TMP' && '$RETE' print"
fi

if [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	expect_err probe_bad_type 2 "unknown probe type 'tpp' in 'tpp:net:x' \(did you mean 'tp'\?\)" \
		"$RETE" collect -p tpp:net:x
	expect_err probe_bad_option 2 "unknown option 'stak' in probe 'tp:skb:kfree_skb/stak' \(did you mean 'stack'\?\)" \
		"$RETE" collect -p tp:skb:kfree_skb/stak
	expect_err probe_unknown_tp 1 "tracepoint 'net:netif_recieve_skb' does not exist on this kernel \(did you mean 'tp:net:netif_receive_skb'\?\)" \
		"$RETE" collect -p tp:net:netif_recieve_skb
	expect_err probe_no_skb 1 "tracepoint 'sched:sched_switch' has no argument rete understands" \
		"$RETE" collect -p tp:sched:sched_switch
	if [ -e /sys/bus/event_source/devices/kprobe ]; then
		expect_err probe_kprobe 1 "kernel function 'ip_rvc' does not exist on this kernel \(did you mean 'ip_rcv'\?\)" \
			"$RETE" collect -p kprobe:ip_rvc
	else
		expect_err probe_kprobe 1 "this kernel has no kprobes \(built without CONFIG_KPROBES\)" \
			"$RETE" collect -p kprobe:ip_rcv
	fi
	# Without tracefs: in a mount namespace of our own where it (and debugfs, whose tracing/
	# is tracefs) is unmounted, when this machine has it mounted.
	without_tracefs() {
		unshare -m --propagation private sh -c 'umount -a -l -t tracefs,debugfs; exec "$@"' sh "$@"
	}
	if ! grep -q ' tracefs ' /proc/mounts || without_tracefs true 2>/dev/null; then
		expect_err wildcard_no_tracefs 1 "tracefs is not mounted, and wildcard probes need" \
			without_tracefs "$RETE" collect -p 'tp:skb:*'
		out=$(without_tracefs sh -c "timeout $(slow 20) '$RETE' collect -p 'tp:skb:*' \
			--allow-system-changes --cmd true 2>&1; echo tracefs mounts: \$(grep -c ' tracefs ' /proc/mounts)")
		if grep -q 'probe(s) loaded' <<<"$out" && grep -q 'tracefs mounts: 0$' <<<"$out"; then
			pass wildcard_mounts_tracefs
		else
			fail wildcard_mounts_tracefs "$out"
		fi
	else
		skip wildcard_no_tracefs "tracefs is mounted here and unshare -m does not work"
		skip wildcard_mounts_tracefs "tracefs is mounted here and unshare -m does not work"
	fi
	# With the system's tracefs: used as it is, and left mounted.
	if grep -q ' tracefs ' /proc/mounts; then
		out=$(timeout "$(slow 20)" "$RETE" collect -p 'tp:skb:*' --allow-system-changes --cmd true 2>&1)
		if grep -q 'probe(s) loaded' <<<"$out" && ! grep -q 'Mounted tracefs' <<<"$out" &&
			grep -q ' tracefs ' /proc/mounts; then
			pass wildcard_system_tracefs
		else
			fail wildcard_system_tracefs "$out; mounts: $(grep tracefs /proc/mounts)"
		fi
	else
		skip wildcard_system_tracefs "tracefs is not mounted on this machine"
	fi
else
	for t in probe_bad_type probe_bad_option probe_unknown_tp probe_no_skb probe_kprobe \
		wildcard_no_tracefs wildcard_mounts_tracefs wildcard_system_tracefs; do
		skip "$t" "needs root and kernel BTF"
	done
fi

# Help, version, print: the same whatever the kernel.
if kernel_independent help_and_print; then
	# Help and version.
	check help_collect bash -c "'$RETE' collect --help | grep -q 'Examples:'"
	check help_print bash -c "'$RETE' print --help | grep -q 'Examples:'"
	check version bash -c "'$RETE' --version | grep -q '^rete '"

	# Without privileges: which capabilities are missing, before anything is loaded.
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$RETE" collect --cmd true 2>&1)
		rc=$?
		if [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then
			skip unprivileged_collect "an unprivileged user cannot run $RETE here (its directory is private)"
		elif [ "$rc" -eq 1 ] && [ "$(grep -c . <<<"$out")" -eq 1 ] &&
			grep -q 'rete collect needs CAP_BPF and CAP_PERFMON .* run it as root' <<<"$out"; then
			pass unprivileged_collect
		else
			fail unprivileged_collect "rc=$rc: $out"
		fi
	else
		skip unprivileged_collect "needs root and setpriv to drop to an unprivileged user"
	fi

	# print renders every Retis sample event without error.
	if [ -d "$REF" ]; then
		for f in "$REF"/*.json; do
			name=print_$(basename "$f" .json)
			out=$("$RETE" print "$f" 2>&1 >"$TMP/out.txt")
			rc=$?
			events=$(grep -c . "$f")
			headers=$(grep -cE '^[0-9]+ ' "$TMP/out.txt")
			if [ "$rc" -eq 0 ] && [ -z "$out" ] && [ "$headers" -ge $((events - 1)) ]; then
				pass "$name"
			else
				fail "$name" "rc=$rc, $headers event headers for $events lines, stderr: $out"
			fi
		done
	else
		skip print_retis_samples "$REF not found (set RETE_SHARED)"
	fi

	# A malformed line is reported with its number and skipped; the rest still prints.
	f=$TMP/bad.json
	ev='{"common":{"timestamp":1000},"kernel":{"symbol":"net:netif_rx","probe_type":"raw_tracepoint"}}'
	printf '%s\n{"common": \n%s\n' "$ev" "$ev" >"$f"
	out=$("$RETE" print "$f" 2>&1 >"$TMP/out.txt")
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q "bad.json:2: " <<<"$out" && [ "$(grep -cE '^[0-9]+ ' "$TMP/out.txt")" -eq 2 ]; then
		pass print_bad_line
	else
		fail print_bad_line "rc=$rc stderr=$out"
	fi
fi
