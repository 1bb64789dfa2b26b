#!/usr/bin/env bash
# rete pcap: pcapng from stored events, read back by tcpdump and tshark, the same packets as
# Retis's own pcap of its sample; and collect --out-rotate end to end (root).
cd "$(dirname "$0")/../.."
. tests/func/lib.sh
SHARED=${RETE_SHARED:-../shared}
REF=$SHARED/reference/retis-events
JSON=$REF/test_events_packets.json
RPCAP=$REF/test_events_packets.pcap

if [ ! -x "$RETE" ]; then
	skip pcap "$RETE not built"
	exit 0
fi

have() { command -v "$1" >/dev/null 2>&1; }

# Run a reader; its stderr, minus the lines every run prints, must be empty.
# quiet_read NAME CMD...
tshark_noise='^Running as user "root"'
tcpdump_noise='^reading from file'
quiet_read() {
	local name=$1 err
	shift
	err=$("$@" 2>&1 >/dev/null | grep -v -e "$tshark_noise" -e "$tcpdump_noise")
	if [ -z "$err" ]; then pass "$name"; else fail "$name" "$err"; fi
}

# Byte offset where the blocks after the section header and the schema block start.
after_schema() { echo $((28 + $(od -An -tu4 -j32 -N4 "$1" | tr -d ' '))); }

# Packets as tcpdump sees them: ns timestamps, lengths, every byte.
tcpdump_dump() { tcpdump -nn -tt --nano -xx -r "$1" 2>/dev/null; }
# ... and as tshark does, with interfaces and comments.
tshark_fields() {
	tshark -r "$1" -Y eth -T fields -e frame.time_epoch -e frame.len -e frame.cap_len \
		-e frame.interface_name -e frame.comment -E separator='|' 2>/dev/null
}

if ! kernel_independent pcap_from_files; then
	: # sample_convert ... out_mode: the same whatever the kernel
elif [ ! -r "$JSON" ] || [ ! -r "$RPCAP" ]; then
	for t in sample_convert sample_same_blocks sample_tcpdump sample_tcpdump_same \
		sample_tshark sample_tshark_verbose sample_tshark_same schema_block probe_select \
		probe_select_tracepoint probe_select_kretprobe probe_wildcard probe_not_found \
		probe_bad list_probes stdout_pipe stdin_input no_packet_count bad_line closed_pipe \
		out_mode; do
		skip "$t" "$REF not found (set RETE_SHARED)"
	done
else
	out=$TMP/sample.pcapng
	err=$("$RETE" pcap -o "$out" "$JSON" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] || ! grep -q '26 packet(s) written' <<<"$err"; then
		fail sample_convert "rc=$rc: $err"
	else
		pass sample_convert
	fi

	# Everything after the schema block is byte-identical to what Retis wrote.
	if cmp -s <(tail -c +$(($(after_schema "$out") + 1)) "$out") \
		<(tail -c +$(($(after_schema "$RPCAP") + 1)) "$RPCAP"); then
		pass sample_same_blocks
	else
		fail sample_same_blocks "interface/packet blocks differ from $RPCAP"
	fi

	if have tcpdump; then
		quiet_read sample_tcpdump tcpdump -nnr "$out"
		if [ "$(tcpdump_dump "$out" | md5sum)" = "$(tcpdump_dump "$RPCAP" | md5sum)" ] &&
			[ "$(tcpdump_dump "$out" | grep -c '^[0-9]')" -eq 26 ]; then
			pass sample_tcpdump_same
		else
			fail sample_tcpdump_same "tcpdump -xx output differs from Retis's pcap"
		fi
	else
		skip sample_tcpdump "tcpdump not installed"
		skip sample_tcpdump_same "tcpdump not installed"
	fi

	if have tshark; then
		quiet_read sample_tshark tshark -r "$out"
		quiet_read sample_tshark_verbose tshark -V -r "$out"
		a=$(tshark_fields "$out")
		b=$(tshark_fields "$RPCAP")
		if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(grep -c . <<<"$a")" -eq 26 ]; then
			pass sample_tshark_same
		else
			fail sample_tshark_same "$(diff <(echo "$a") <(echo "$b") | head -5)"
		fi
	else
		skip sample_tshark "tshark not installed"
		skip sample_tshark_verbose "tshark not installed"
		skip sample_tshark_same "tshark not installed"
	fi

	# The first custom block is the event schema, laid out as Retis's Wireshark plugin reads it.
	if tail -c +41 "$out" | head -c $(($(after_schema "$out") - 44)) | tr -d '\0' |
		jq -e '.title and .properties.packet and ."$defs".PacketEvent' >/dev/null; then
		pass schema_block
	else
		fail schema_block "first custom block is not the event schema"
	fi

	# -p keeps one probe: as many packets as that probe has events, one interface.
	probe_check() {
		local name=$1 probe=$2 type=$3 symbol=$4 want got ifs
		want=$(jq -c --arg t "$type" --arg s "$symbol" \
			'select(.kernel.probe_type == $t and .kernel.symbol == $s)' "$JSON" |
			grep -c .)
		"$RETE" pcap -p "$probe" -o "$TMP/p.pcapng" "$JSON" 2>/dev/null
		got=$(tcpdump -nnr "$TMP/p.pcapng" 2>/dev/null | grep -c .)
		ifs="$type/$symbol"
		if have tshark; then
			ifs=$(tshark -r "$TMP/p.pcapng" -Y eth -T fields -e frame.interface_name \
				2>/dev/null | sort -u)
		fi
		if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ] && [ "$ifs" = "$type/$symbol" ]; then
			pass "$name"
		else
			fail "$name" "want $want packets of $type/$symbol, got $got on '$ifs'"
		fi
	}
	probe_check probe_select tp:net:netif_receive_skb raw_tracepoint net:netif_receive_skb
	probe_check probe_select_tracepoint skb:kfree_skb raw_tracepoint skb:kfree_skb
	probe_check probe_select_kretprobe kr:ovs_dp_upcall kretprobe ovs_dp_upcall

	got=$("$RETE" pcap -p 'tp:openvswitch:*' "$JSON" 2>/dev/null | tcpdump -nnr - 2>/dev/null |
		grep -c .)
	want=$(jq -c 'select(.kernel.symbol // "" | startswith("openvswitch:"))' "$JSON" |
		grep -c .)
	if [ "$got" -eq "$want" ] && [ "$want" -gt 0 ]; then pass probe_wildcard; else
		fail probe_wildcard "got $got, want $want"; fi

	err=$("$RETE" pcap -p tp:net:nope -o "$TMP/n.pcapng" "$JSON" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "probe 'tp:net:nope' not found in the events" <<<"$err"; then
		pass probe_not_found
	else
		fail probe_not_found "rc=$rc: $err"
	fi
	err=$("$RETE" pcap -p tpp:net:x "$JSON" 2>&1 >/dev/null)
	if [ $? -eq 2 ] && grep -q "unknown probe type 'tpp'" <<<"$err"; then pass probe_bad; else
		fail probe_bad "$err"; fi

	# -l lists probes with packets, as Retis does for this file.
	want='kretprobe:ovs_dp_upcall
raw_tracepoint:net:net_dev_start_xmit
raw_tracepoint:net:netif_receive_skb
raw_tracepoint:openvswitch:ovs_do_execute_action
raw_tracepoint:openvswitch:ovs_dp_upcall
raw_tracepoint:skb:kfree_skb'
	got=$("$RETE" pcap -l "$JSON" 2>/dev/null)
	if [ "$got" = "$want" ]; then pass list_probes; else fail list_probes "$got"; fi

	# Standard output and standard input.
	got=$("$RETE" pcap "$JSON" 2>/dev/null | tcpdump -nnr - 2>/dev/null | grep -c .)
	if [ "$got" -eq 26 ]; then pass stdout_pipe; else fail stdout_pipe "$got packets"; fi
	got=$(cat "$JSON" | "$RETE" pcap - 2>/dev/null | tcpdump -nnr - 2>/dev/null | grep -c .)
	if [ "$got" -eq 26 ]; then pass stdin_input; else fail stdin_input "$got packets"; fi

	# -f and -m keep the same packets as tcpdump's own filter, and as jq on the events.
	want=$("$RETE" pcap "$JSON" 2>/dev/null | tcpdump -nnr - 'icmp[icmptype] == icmp-echoreply' 2>/dev/null | grep -c .)
	got=$("$RETE" pcap -f 'icmp[icmptype] == icmp-echoreply' "$JSON" 2>/dev/null | tcpdump -nnr - 2>/dev/null | grep -c .)
	if [ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && [ "$got" -lt 26 ]; then pass filter_packet
	else fail filter_packet "$got packets, tcpdump's filter keeps $want"; fi
	want=$(jq -c 'select(.kernel.symbol == "skb:kfree_skb" and .packet)' "$JSON" | wc -l)
	got=$("$RETE" pcap -m 'kernel.symbol == "skb:kfree_skb"' "$JSON" 2>/dev/null | tcpdump -nnr - 2>/dev/null | grep -c .)
	if [ "$got" -eq "$want" ] && [ "$got" -gt 0 ]; then pass filter_meta
	else fail filter_meta "$got packets, jq finds $want"; fi
	err=$("$RETE" pcap -f 'tcp portt 80' "$JSON" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(grep -c . <<<"$err")" -eq 1 ] && grep -q -- '-f' <<<"$err"; then
		pass filter_bad
	else
		fail filter_bad "rc=$rc: $err"
	fi

	# Events without packet data are counted and reported.
	{
		head -1 "$JSON"
		sed -n 2p "$JSON" | jq -c 'del(.packet)'
		sed -n 3p "$JSON"
	} >"$TMP/np.json"
	err=$("$RETE" pcap -o "$TMP/np.pcapng" "$TMP/np.json" 2>&1)
	rc=$?
	got=$(tcpdump -nnr "$TMP/np.pcapng" 2>/dev/null | grep -c .)
	if [ "$rc" -eq 0 ] && [ "$got" -eq 1 ] &&
		grep -q '1 event(s) skipped: no packet data' <<<"$err"; then
		pass no_packet_count
	else
		fail no_packet_count "rc=$rc, $got packets: $err"
	fi

	# A bad line is reported with file and line; the other packets are still written.
	{ sed -n 1,3p "$JSON"; echo '{"common": '; sed -n 4,5p "$JSON"; } >"$TMP/bad.json"
	err=$("$RETE" pcap -o "$TMP/bad.pcapng" "$TMP/bad.json" 2>&1)
	rc=$?
	got=$(tcpdump -nnr "$TMP/bad.pcapng" 2>/dev/null | grep -c .)
	if [ "$rc" -eq 1 ] && [ "$got" -eq 4 ] && grep -q 'bad.json:4: ' <<<"$err"; then
		pass bad_line
	else
		fail bad_line "rc=$rc, $got packets: $err"
	fi

	# A reader that goes away early: no error storm.
	for _ in $(seq 200); do sed -n '2,$p' "$JSON"; done >"$TMP/big.json"
	"$RETE" pcap "$TMP/big.json" 2>"$TMP/pipe.err" | head -c 100 >/dev/null
	err=$(cat "$TMP/pipe.err")
	if [ -z "$err" ]; then
		pass closed_pipe
	else
		fail closed_pipe "$err"
	fi

	# The file holds packet data: private.
	if [ "$(stat -c %a "$out")" = 600 ]; then pass out_mode; else
		fail out_mode "mode $(stat -c %a "$out")"; fi
fi

# ---- collect --out-rotate end to end ----
rot_tests=(rotate_collect rotate_count rotate_startup rotate_size rotate_lines rotate_mode
	rotate_pcap)
if ! require_bpf "${rot_tests[@]}"; then
	exit 0
fi
if ! setup_hosts; then
	for t in "${rot_tests[@]}"; do skip "$t" "cannot create test network namespaces"; done
	exit 0
fi
out=$TMP/rot/cap.json
mkdir -p "$TMP/rot"
err=$(timeout 120 "$RETE" collect -o "$out" --out-rotate 64k --out-rotate-count 2 \
	--cmd "ip netns exec $NS_A ping -q -c 600 -i 0.002 $IP_B" 2>&1)
rc=$?
files=$(cd "$TMP/rot" && ls cap.json.* 2>/dev/null | sort -t. -k3 -n)
nfiles=$(grep -c . <<<"$files")
if [ "$rc" -eq 0 ] && [ -n "$files" ]; then pass rotate_collect; else
	fail rotate_collect "rc=$rc: $err"; fi

last=$(tail -1 <<<"$files" | sed 's/.*\.//')
first=$(head -1 <<<"$files" | sed 's/.*\.//')
if [ "$nfiles" -eq 2 ] && [ "$last" -ge 2 ] && [ "$first" -eq $((last - 1)) ]; then
	pass rotate_count
else
	fail rotate_count "files: $(tr '\n' ' ' <<<"$files")"
fi

ok=1
for f in $files; do
	n=${f##*.}
	head -1 "$TMP/rot/$f" | jq -e --argjson n "$n" \
		'.startup.split_file == {id: $n, policy: {kind: "size", limit: 65536}}' \
		>/dev/null || ok=0
	[ "$(grep -c '"startup"' "$TMP/rot/$f")" -eq 1 ] || ok=0
done
if [ "$ok" -eq 1 ]; then pass rotate_startup; else
	fail rotate_startup "$(for f in $files; do head -c 300 "$TMP/rot/$f"; echo; done)"; fi

ok=1
for f in $files; do
	[ "$(stat -c %s "$TMP/rot/$f")" -le 65536 ] || ok=0
done
# Full files: the last event of a file plus the next would not fit.
if [ "$ok" -eq 1 ] && [ "$(stat -c %s "$TMP/rot/$(head -1 <<<"$files")")" -gt 60000 ]; then
	pass rotate_size
else
	fail rotate_size "$(for f in $files; do stat -c '%n %s' "$TMP/rot/$f"; done)"
fi

ok=1
for f in $files; do
	json_lines_ok "$TMP/rot/$f" || ok=0
	[ "$(tail -c 1 "$TMP/rot/$f" | od -An -c | tr -d ' ')" = '\n' ] || ok=0
done
if [ "$ok" -eq 1 ]; then pass rotate_lines; else fail rotate_lines "a file has a partial line"; fi

ok=1
for f in $files; do [ "$(stat -c %a "$TMP/rot/$f")" = 600 ] || ok=0; done
if [ "$ok" -eq 1 ]; then pass rotate_mode; else
	fail rotate_mode "$(stat -c '%n %a' "$TMP/rot"/*)"; fi

# The rotated set reads back as one input.
events=$(cat "$TMP/rot"/cap.json.* | grep -c '"packet"')
got=$("$RETE" pcap "$out.$first.." 2>/dev/null | tcpdump -nnr - 2>/dev/null | grep -c .)
if [ "$got" -eq "$events" ] && [ "$got" -gt 0 ]; then pass rotate_pcap; else
	fail rotate_pcap "$got packets for $events events"; fi
