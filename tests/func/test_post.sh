#!/usr/bin/env bash
# Post-processing on stored events, no root needed: print (several files, FILE.N.., stdin,
# sorted files), sort (layout, -o against Retis's sorted sample, --max-buffer), stats (text
# and JSON), filters (-f, -m) and their errors, bad input, closed pipes, default file.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh
SHARED=${RETE_SHARED:-../shared}
REF=$SHARED/reference/retis-events
EV=$REF/test_events.json
PK=$REF/test_events_packets.json
SORTED=$REF/test_events_sorted.json

ALL=(help_sort help_stats print_several print_rotated print_rotated_missing print_stdin
	print_sorted_file print_default_rotated print_closed_pipe sort_layout sort_series_count
	sort_o_structure sort_o_stdout sort_o_tracking sort_o_resort sort_max_buffer sort_print_needs_out
	sort_in_place stats_text stats_json stats_lost_not_recorded stats_utc filter_meta_drop
	filter_meta_dev filter_meta_comm filter_meta_ct filter_meta_netns filter_packet_icmp
	filter_packet_and_meta filter_sort filter_stats filter_meta_error filter_packet_error
	bad_line_print bad_line_sort bad_line_stats)

if [ ! -x "$RETE" ]; then
	for t in "${ALL[@]}"; do skip "$t" "$RETE not built"; done
	exit 0
fi
if [ ! -r "$PK" ] || [ ! -r "$EV" ]; then
	for t in "${ALL[@]}"; do skip "$t" "$REF not found (set RETE_SHARED)"; done
	exit 0
fi
have_jq=1
command -v jq >/dev/null || have_jq=0

# Event headers in text output (multi-line or single-line): lines starting with a timestamp.
headers() { grep -cE '^([ ]+↳ )?[0-9]{6,} \(' || true; }
# Run a command; stderr goes to $TMP/err, stdout to $TMP/out; the exit code is echoed.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	echo $?
}

# --- help ------------------------------------------------------------------------------
check help_sort bash -c "'$RETE' sort --help | grep -q 'Examples:'"
check help_stats bash -c "'$RETE' stats --help | grep -q 'Examples:'"

# --- print: inputs ----------------------------------------------------------------------
rc=$(run "$RETE" print --format single-line "$EV" "$PK")
n=$(headers <"$TMP/out")
if [ "$rc" -eq 0 ] && [ "$n" -eq 30 ] && [ ! -s "$TMP/err" ]; then
	pass print_several
else
	fail print_several "rc=$rc, $n headers (want 4+26), stderr: $(head -c 300 "$TMP/err")"
fi

# Rotated set: the packets sample cut in three files, each with its startup line (and a
# gap after .2, so .4 is not read).
head -1 "$PK" >"$TMP/startup.json"
tail -n +2 "$PK" >"$TMP/body.json"
split -l 10 -d -a 1 "$TMP/body.json" "$TMP/part."
for i in 0 1 2; do cat "$TMP/startup.json" "$TMP/part.$i" >"$TMP/cap.json.$i"; done
cp "$TMP/cap.json.0" "$TMP/cap.json.4"
rc=$(run "$RETE" print --format single-line "$TMP/cap.json.0..")
n=$(headers <"$TMP/out")
if [ "$rc" -eq 0 ] && [ "$n" -eq 26 ]; then
	pass print_rotated
else
	fail print_rotated "rc=$rc, $n headers (want 26), stderr: $(head -c 300 "$TMP/err")"
fi
rc=$(run "$RETE" print "$TMP/cap.json.3..")
if [ "$rc" -eq 1 ] && grep -q "cap.json.3: No such file or directory" "$TMP/err" &&
	[ "$(grep -c . "$TMP/err")" -eq 1 ]; then
	pass print_rotated_missing
else
	fail print_rotated_missing "rc=$rc, stderr: $(cat "$TMP/err")"
fi

rc=$(run bash -c "cat '$PK' | '$RETE' print --format single-line -")
n=$(headers <"$TMP/out")
if [ "$rc" -eq 0 ] && [ "$n" -eq 26 ]; then pass print_stdin; else fail print_stdin "rc=$rc n=$n"; fi

# A sorted file prints in the series layout.
rc=$(run "$RETE" print "$SORTED")
if [ "$rc" -eq 0 ] && [ "$(headers <"$TMP/out")" -eq 4 ] && grep -q '^  ↳ .* n 1$' "$TMP/out"; then
	pass print_sorted_file
else
	fail print_sorted_file "rc=$rc, stderr: $(head -c 300 "$TMP/err")"
fi

# No FILE, no rete.data: rete.data.0.. is read.
mkdir -p "$TMP/def"
cp "$TMP/cap.json.0" "$TMP/def/rete.data.0"
cp "$TMP/cap.json.1" "$TMP/def/rete.data.1"
rc=$(cd "$TMP/def" && run "$RETE" print --format single-line)
if [ "$rc" -eq 0 ] && [ "$(headers <"$TMP/out")" -eq 20 ]; then
	pass print_default_rotated
else
	fail print_default_rotated "rc=$rc, $(headers <"$TMP/out") headers (want 20), $(cat "$TMP/err")"
fi

# A reader going away (| head) ends the command quietly.
for i in $(seq 1 300); do tail -n +2 "$PK"; done >"$TMP/many.json"
out=$( (set -o pipefail; "$RETE" print "$TMP/many.json" 2>"$TMP/pipe.err" | head -1 >/dev/null); echo $?)
if [ ! -s "$TMP/pipe.err" ] && { [ "$out" -eq 0 ] || [ "$out" -eq 141 ]; }; then
	pass print_closed_pipe
else
	fail print_closed_pipe "status $out, stderr: $(head -c 300 "$TMP/pipe.err")"
fi

# --- sort -------------------------------------------------------------------------------
rc=$(run "$RETE" sort "$PK")
if [ "$rc" -eq 0 ] && grep -qE '^[0-9]+ \(6\) \[ping\] 11330 \[tp\] net:net_dev_start_xmit #[0-9a-f]+ \(skb [0-9a-f]+\) n 0$' "$TMP/out" &&
	grep -qE '^  ↳ [0-9]+ \(6\) \[ping\] 11330 \[tp\] net:netif_receive_skb #[0-9a-f]+ \(skb [0-9a-f]+\) n 1$' "$TMP/out" &&
	grep -qE '^      192\.168\.125\.10 > 192\.168\.125\.11 ' "$TMP/out" && [ "$(headers <"$TMP/out")" -eq 26 ]; then
	pass sort_layout
else
	fail sort_layout "rc=$rc, stderr: $(head -c 300 "$TMP/err"), out: $(head -c 600 "$TMP/out")"
fi
# Series are separated by one blank line: startup + 6 packets = 7 blocks.
blocks=$(awk 'BEGIN{n=0; inb=0} /^$/{inb=0; next} {if(!inb){n++; inb=1}} END{print n}' "$TMP/out")
if [ "$blocks" -eq 7 ]; then pass sort_series_count; else fail sort_series_count "$blocks blocks (want 7)"; fi

rc=$(run "$RETE" sort -o "$TMP/sorted.json" "$EV")
if [ "$have_jq" -eq 0 ]; then
	skip sort_o_structure "jq missing"
elif [ "$rc" -eq 0 ] && [ ! -s "$TMP/out" ] &&
	diff <(jq -cS 'map(del(.skb))' "$SORTED") <(jq -cS 'map(del(.skb))' "$TMP/sorted.json") >/dev/null &&
	diff <(jq -c 'map(keys)' "$SORTED") <(jq -c 'map(keys)' "$TMP/sorted.json") >/dev/null; then
	# Retis 1.6 empties the pre-1.5 flat skb section of this old file; rete keeps it.
	pass sort_o_structure
else
	fail sort_o_structure "rc=$rc, $(diff <(jq -cS 'map(del(.skb))' "$SORTED") <(jq -cS 'map(del(.skb))' "$TMP/sorted.json") | head -5)"
fi

# -o - : the sorted JSON on standard output, the same as in a file; not with --print.
"$RETE" sort -o - "$EV" >"$TMP/stdout-sorted.json" 2>"$TMP/err"
rc=$?
"$RETE" sort -o - --print "$EV" >/dev/null 2>"$TMP/err2"
rc2=$?
if [ "$rc" -eq 0 ] && cmp -s "$TMP/stdout-sorted.json" "$TMP/sorted.json" && [ ! -e ./- ] &&
	[ "$rc2" -eq 2 ] && grep -q 'would both write to standard output' "$TMP/err2"; then
	pass sort_o_stdout
else
	fail sort_o_stdout "rc=$rc rc2=$rc2: $(cat "$TMP/err" "$TMP/err2")"
fi

rc=$(run "$RETE" sort -o "$TMP/psorted.json" "$PK")
if [ "$have_jq" -eq 0 ]; then
	skip sort_o_tracking "jq missing"
elif [ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/psorted.json")" -eq 7 ] &&
	[ "$(jq -s 'map(length) | add' "$TMP/psorted.json")" -eq 27 ] &&
	[ "$(jq -s 'map(to_entries | all(.value.tracking == null or .value.tracking.idx == .key)) | all' "$TMP/psorted.json")" = true ] &&
	[ "$(jq -s 'map(select(.[0].tracking) | map(.tracking.skb.orig_head) | unique | length == 1) | all' "$TMP/psorted.json")" = true ]; then
	pass sort_o_tracking
else
	fail sort_o_tracking "rc=$rc, $(head -c 300 "$TMP/err")"
fi

# Sorting a sorted file changes nothing.
rc=$(run "$RETE" sort -o "$TMP/psorted2.json" "$TMP/psorted.json")
if [ "$rc" -eq 0 ] && cmp -s "$TMP/psorted.json" "$TMP/psorted2.json"; then
	pass sort_o_resort
else
	fail sort_o_resort "rc=$rc, $(head -c 300 "$TMP/err")"
fi

# 300 copies of the sample interleave 300 x 6 series sharing 6 ids: with --max-buffer 2
# series come out split (warned), every event still comes out once.
rc=$(run "$RETE" sort --max-buffer 2 -o "$TMP/mb.json" "$TMP/many.json")
if [ "$have_jq" -eq 0 ]; then
	skip sort_max_buffer "jq missing"
elif [ "$rc" -eq 0 ] && [ "$(jq -s 'map(length) | add' "$TMP/mb.json")" -eq 7800 ] &&
	grep -q 'raise --max-buffer' "$TMP/err"; then
	pass sort_max_buffer
else
	fail sort_max_buffer "rc=$rc, $(head -c 300 "$TMP/err")"
fi

rc=$(run "$RETE" sort --print "$PK")
if [ "$rc" -eq 2 ] && grep -q -- '--print only makes sense with -o' "$TMP/err"; then
	pass sort_print_needs_out
else
	fail sort_print_needs_out "rc=$rc $(cat "$TMP/err")"
fi
cp "$PK" "$TMP/inplace.json"
rc=$(run "$RETE" sort -o "$TMP/inplace.json" "$TMP/inplace.json")
if [ "$rc" -eq 2 ] && grep -q 'in place' "$TMP/err" && cmp -s "$PK" "$TMP/inplace.json"; then
	pass sort_in_place
else
	fail sort_in_place "rc=$rc $(cat "$TMP/err")"
fi

# --- stats ------------------------------------------------------------------------------
rc=$(run "$RETE" stats "$PK")
if [ "$rc" -eq 0 ] && grep -qE '^Events: +26$' "$TMP/out" && grep -qE '^Tracked packets: +6 ' "$TMP/out" &&
	grep -qE '^ +8 +30\.8%  raw_tracepoint/net:netif_receive_skb$' "$TMP/out" &&
	grep -qE '^ +2 100\.0%  NO_SOCKET$' "$TMP/out" &&
	grep -qE 'veth-ns01 \(ifindex 11, netns 4026532741\)$' "$TMP/out" &&
	grep -qE '^Duration: +1\.009611823 s$' "$TMP/out"; then
	pass stats_text
else
	fail stats_text "rc=$rc, out: $(head -c 600 "$TMP/out")"
fi
rc=$(run "$RETE" stats --json "$PK")
if [ "$have_jq" -eq 0 ]; then
	skip stats_json "jq missing"
elif [ "$rc" -eq 0 ] && [ "$(jq .events "$TMP/out")" -eq 26 ] &&
	[ "$(jq '.probes["raw_tracepoint/skb:kfree_skb"]' "$TMP/out")" -eq 2 ] &&
	[ "$(jq '.drop_reasons.NO_SOCKET' "$TMP/out")" -eq 2 ] &&
	[ "$(jq '.devices | length' "$TMP/out")" -eq 4 ] &&
	[ "$(jq '.netns | map(.events) | add' "$TMP/out")" -eq 26 ] &&
	[ "$(jq .tracked_packets "$TMP/out")" -eq 6 ]; then
	pass stats_json
else
	fail stats_json "rc=$rc, out: $(head -c 600 "$TMP/out")"
fi
if grep -q '^Lost events: *not recorded' <("$RETE" stats "$PK") &&
	{ [ "$have_jq" -eq 0 ] || [ "$("$RETE" stats --json "$PK" | jq .lost)" = null ]; }; then
	pass stats_lost_not_recorded
else
	fail stats_lost_not_recorded "$("$RETE" stats "$PK" | grep -i lost)"
fi
if "$RETE" stats "$PK" | grep -qE '^First event: +30419169061793 \(2025-03-18 23:12:45\.860103793 UTC\)$'; then
	pass stats_utc
else
	fail stats_utc "$("$RETE" stats "$PK" | grep First)"
fi

# --- filters ----------------------------------------------------------------------------
# expect_count NAME WANT-HEADERS ARGS...: print with filters, single-line, count event lines.
expect_count() {
	local name=$1 want=$2 rc n
	shift 2
	rc=$(run "$RETE" print --format single-line "$@")
	n=$(grep -vc 'Retis version' "$TMP/out")
	if [ "$rc" -eq 0 ] && [ "$n" -eq "$want" ]; then
		pass "$name"
	else
		fail "$name" "rc=$rc, $n events (want $want), stderr: $(head -c 300 "$TMP/err")"
	fi
}
expect_count filter_meta_drop 2 -m 'skb-drop.drop_reason == "NO_SOCKET" and kernel.symbol == "skb:kfree_skb"' "$PK"
expect_count filter_meta_dev 6 -m 'dev.name == "veth-ns01"' "$PK"
expect_count filter_meta_comm 15 -m 'common.task.comm == "ping"' "$PK"
expect_count filter_meta_ct 1 -m 'ct.state == "new" && ct.orig.ip.src == "192.168.125.10"' "$PK"
expect_count filter_meta_netns 10 -m 'netns.inum != 4026531840' "$PK"
expect_count filter_packet_icmp 14 -f 'icmp[icmptype] == icmp-echoreply' "$PK"
expect_count filter_packet_and_meta 4 -f 'icmp[icmptype] == icmp-echoreply' -m 'dev.name == "veth-ns01"' "$PK"

rc=$(run "$RETE" sort -m 'kernel.symbol == "skb:kfree_skb" or dev.name == "veth-ns02"' "$PK")
if [ "$rc" -eq 0 ] && [ "$(headers <"$TMP/out")" -eq 6 ]; then
	pass filter_sort
else
	fail filter_sort "rc=$rc, $(headers <"$TMP/out") events (want 6)"
fi
rc=$(run "$RETE" stats --json -f icmp -m 'not skb-drop' "$PK")
if [ "$have_jq" -eq 0 ]; then
	skip filter_stats "jq missing"
elif [ "$rc" -eq 0 ] && [ "$(jq .events "$TMP/out")" -eq 24 ]; then
	pass filter_stats
else
	fail filter_stats "rc=$rc, $(head -c 300 "$TMP/out")"
fi
rc=$(run "$RETE" print -m 'devv.name == "x"' "$PK")
if [ "$rc" -eq 2 ] && [ "$(cat "$TMP/err")" = "rete: error: -m: unknown section 'devv' at column 1 (did you mean 'dev'?)" ]; then
	pass filter_meta_error
else
	fail filter_meta_error "rc=$rc, stderr: $(cat "$TMP/err")"
fi
rc=$(run "$RETE" sort -f 'tcp port' "$PK")
if [ "$rc" -eq 2 ] && grep -q "invalid packet filter 'tcp port'" "$TMP/err" && [ "$(grep -c . "$TMP/err")" -eq 1 ]; then
	pass filter_packet_error
else
	fail filter_packet_error "rc=$rc, stderr: $(cat "$TMP/err")"
fi

# --- bad input: reported once with file and line, the rest is processed -------------------
{ sed -n 1,3p "$PK"; echo 'not json'; sed -n 4,27p "$PK"; printf '{"common":'; } >"$TMP/bad.json"
for cmd in print sort stats; do
	rc=$(run "$RETE" "$cmd" "$TMP/bad.json")
	nerr=$(grep -c . "$TMP/err")
	ok=0
	if [ "$rc" -eq 1 ] && [ "$nerr" -eq 2 ] && grep -q 'bad.json:4: ' "$TMP/err" &&
		grep -q 'bad.json:29: truncated last line' "$TMP/err"; then
		case $cmd in
		stats) grep -qE '^Events: +26$' "$TMP/out" && ok=1 ;;
		*) [ "$(headers <"$TMP/out")" -eq 26 ] && ok=1 ;;
		esac
	fi
	if [ "$ok" -eq 1 ]; then
		pass "bad_line_$cmd"
	else
		fail "bad_line_$cmd" "rc=$rc, stderr: $(cat "$TMP/err")"
	fi
done
