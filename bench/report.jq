# Turns bench/run.sh's raw samples into figures and goal verdicts (bench/results/latest.json).
# Input: {date, commit, machine, settings, samples: [...]}; output: the same plus .figures, .goals.

def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[(length - 1) / 2]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stat: map(select(. != null)) | if length == 0 then null
	else {median: median, min: min, max: max, n: length} end;
def rnd(d): if . == null then null else (. * pow(10; d) | round) / pow(10; d) end;
def sum: reduce .[] as $x (0; . + ($x // 0));

def order: ["none", "floor", "emit", "emit_json", "rete_null", "rete_file", "rete_stack",
	"rete_filter", "rete_f_icmp", "rete_f_tcp80", "rete_f_10", "rete_ct_off", "rete_ct", "bt_printf",
	"perf", "tcpdump"];

.samples as $s
| ($s | map(select(.family == "overhead"))) as $o

# --- overhead: one entry per configuration and load -----------------------------------------------
| (reduce ("udp", "tcp") as $load ({};
	($o | map(select(.phase == "main" and .load == $load and .config == "none" and .value != null))) as $none
	| ($none | map(.value) | median) as $base
	| ($none | map(select(.dp_cpu_ns != null and .received > 0) | .dp_cpu_ns / .received) | median) as $dpbase
	| .[$load] = [order[] as $cfg
		| ($o | map(select(.phase == "main" and .config == $cfg and (.load == $load or .skipped != null)))) as $all
		| select($all | length > 0)
		| ($all | map(select(.value != null))) as $ok
		| ($ok | map(.value) | stat) as $v
		| ($ok | map(select(.dp_cpu_ns != null and .received > 0) | .dp_cpu_ns / .received) | stat) as $dp
		| ($ok | map(select(.delivered != null and .seconds != null and .seconds > 0)
			| .delivered / .seconds) | median) as $eps
		| ($ok | map(.lost) | map(select(. != null))) as $lost
		| {config: $cfg,
		   skipped: ($all | map(.skipped // empty) | first),
		   errors: ($all | map(.error // empty) | unique),
		   notes: ($ok | map(.note // empty | select(. != "")) | unique),
		   value: ($v | if . then (.median |= rnd(3)) | (.min |= rnd(3)) | (.max |= rnd(3)) else null end),
		   ratio: (if $v and $base then $v.median / $base | rnd(3) else null end),
		   epp: ($ok | map(.epp) | first),
		   ns_per_event: (if $load == "udp" and $v and $base and $cfg != "none"
			then (1e9 / $v.median - 1e9 / $base) / ($ok[0].epp // 2) | rnd(1) else null end),
		   dp_ns_per_packet: ($dp | if . then (.median |= rnd(0)) | (.min |= rnd(0)) | (.max |= rnd(0)) else null end),
		   ratio_cpu: (if $dp and $dpbase then $dpbase / $dp.median | rnd(3) else null end),
		   ns_per_event_cpu: (if $dp and $dpbase and $cfg != "none"
			then ($dp.median - $dpbase) / ($ok[0].epp // 2) | rnd(1) else null end),
		   events_per_s: ($eps | rnd(0)),
		   lost: (if ($lost | length) > 0 then {total: ($lost | sum), runs_with_loss: ($lost | map(select(. > 0)) | length),
			pct_max: ($ok | map(select(.lost != null and .delivered != null and (.lost + .delivered) > 0)
				| 100 * .lost / (.lost + .delivered)) | max | rnd(3))} else null end),
		   consumer_cpu_pct: ($ok | map(.cpu_pct) | stat | if . then .median else null end),
		   cpu1_busy_pct: ($ok | map(.cpu1_busy_pct) | stat | if . then .median else null end),
		   steal_pct: ($ok | map(.steal_pct) | stat | if . then .max else null end),
		   vmhwm_kb: ($ok | map(.vmhwm_kb) | stat)}
		| with_entries(select(.value != null and .value != []))]
	| .[$load + "_base"] = $base | .[$load + "_dp_base"] = $dpbase)) as $ov

# --- bpf_stats phase: average program run time ------------------------------------------------------
| ([order[] as $cfg
	| ($o | map(select(.phase == "stats" and .config == $cfg and .bpf != null and .bpf.run_cnt > 0))) as $st
	| select($st | length > 0)
	| {config: $cfg,
	   ns_per_run: ($st | map(.bpf.run_time_ns / .bpf.run_cnt) | stat | .median |= rnd(1) | .min |= rnd(1) | .max |= rnd(1)),
	   programs: ($st | last | .bpf.programs | map({name, ns_per_run: (if .run_cnt > 0 then .run_time_ns / .run_cnt | rnd(1) else null end), run_cnt})),
	   pps_during: ($st | map(.value) | stat)}]) as $bpf

# --- pipeline ----------------------------------------------------------------------------------------
| ($s | map(select(.family == "pipeline")) | map(
	if .error then {point, error} else
	{point, rate, probes, pps: (.pps | rnd(0)),
	 offered_eps: (.hits / .seconds | rnd(0)),
	 delivered_eps: (.file_events / .seconds | rnd(0)),
	 lost_eps: (.lost / .seconds | rnd(0)),
	 loss_pct: (if .hits > 0 then 100 * .lost / .hits | rnd(3) else 0 end),
	 hits, file_events, collected, lost, balanced, cpu1_busy_pct, note} end)) as $pipe
| ($pipe | map(select(.error == null))) as $pall
| ($pall | map(select(.point | test("ring=") | not))) as $pok
| {points: $pipe,
   max_offered_eps: ($pok | map(.offered_eps) | max),
   max_lossless_eps: ($pok | map(select(.lost == 0) | .offered_eps) | max),
   min_lossy_eps: ($pok | map(select(.lost > 0) | .offered_eps) | min),
   all_balanced: (if ($pall | length) > 0 then ($pall | all(.balanced)) else null end)} as $pl

# --- startup -----------------------------------------------------------------------------------------
| ($s | map(select(.family == "startup")) | group_by(.case) | map({
	case: .[0].case, probes: (map(.probes) | map(select(. != null)) | first),
	start_ms: (map(.start_ms) | stat), stop_ms: (map(.stop_ms) | stat),
	errors: (map(.error // empty) | unique)})
	| sort_by(.probes // 0)) as $su

# --- memory ------------------------------------------------------------------------------------------
| ([$o[] | select(.phase == "main" and .load == "udp" and .vmhwm_kb != null)] | group_by(.config)
	| map({config: .[0].config, load: .[0].load, vmhwm_mib: (map(.vmhwm_kb / 1024) | stat
		| .median |= rnd(1) | .min |= rnd(1) | .max |= rnd(1))})) as $mem

# --- post-processing ---------------------------------------------------------------------------------
| ($s | map(select(.family == "postproc")) | group_by(.cmd) | map({
	cmd: .[0].cmd, events: .[0].events, seconds: (map(.seconds) | stat),
	events_per_s: (map(.events_per_s) | stat), rss_mib: (map(.rss_kb / 1024) | stat
		| if . then (.median |= rnd(1) | .min |= rnd(1) | .max |= rnd(1)) else . end),
	errors: (map(.error // empty) | unique)})) as $pp

# --- attach (full-kernel lane) -----------------------------------------------------------------------
| ($s | map(select(.family == "attach" and .mode != null))
	| map({kernel, mode, probes, load_ms, attach_ms, detach_ms, left_out,
		start_ms: (.load_ms + .attach_ms)})
	| sort_by(.kernel, .mode, .probes)) as $at

# --- goals (issue 6) ---------------------------------------------------------------------------------
| def cfg($load; $c): ($ov[$load] // []) | map(select(.config == $c)) | first;
  def bpfns($c): $bpf | map(select(.config == $c)) | first | if . then .ns_per_run.median else null end;
  def ppcmd($c): $pp | map(select(.cmd == $c)) | first;
  def verdict(cond): if cond == null then "n/a" elif cond then "met" else "NOT met" end;
  cfg("udp"; "rete_file") as $rf | cfg("udp"; "emit") as $em | cfg("udp"; "perf") as $pf
| ($su | map(select(.case == "named-tps")) | first) as $s30
# Zero loss: every rete -o FILE run counts, the pipeline sweep and the overhead rounds alike
# (offered = (delivered + lost) / load seconds), except the deliberately undersized ring.
| (($pok | map({eps: .offered_eps, lost}))
   + ($o | map(select(.phase == "main" and .config == "rete_file" and .lost != null and .delivered != null
		and .seconds != null and .seconds > 0) | {eps: ((.delivered + .lost) / .seconds), lost}))) as $zr
| {runs: ($zr | length), offered: ($zr | map(.eps) | max | rnd(0)),
   lossless: ($zr | map(select(.lost == 0) | .eps) | max | rnd(0)),
   lossy: ($zr | map(select(.lost > 0) | .eps) | min | rnd(0))} as $zl
| def ratio2($a; $b): if $a != null and $b != null and $b != 0 then $a / $b | rnd(3) else null end;
  def atleast($x; $t): if $x == null then null else $x >= $t end;
  def cost($r; $e): if $r == null or $e == null then null
	else {rete: $r, emit: $e, x: (if $e > 0 then $r / $e | rnd(2) else null end)} end;
  def costv($r; $e): if $r == null or $e == null then "n/a"
	elif $e <= 0 then "n/a (emitter measured no slower than untraced: noise)"
	else verdict($r <= 2 * $e) end;
[
   {goal: "rete -o FILE keeps >= 90 % of the emitter's packet rate (pps)",
    measured: ratio2($rf.value.median; $em.value.median), unit: "x emitter",
    verdict: verdict(atleast(ratio2($rf.value.median; $em.value.median); 0.9))},
   {goal: "... same, data-path CPU time per packet (robust to a busy machine)",
    measured: ratio2($em.dp_ns_per_packet.median; $rf.dp_ns_per_packet.median), unit: "x emitter",
    verdict: verdict(atleast(ratio2($em.dp_ns_per_packet.median; $rf.dp_ns_per_packet.median); 0.9))},
   {goal: "rete -o FILE beats perf record on the same probes (pps)",
    measured: (if $rf.ratio and $pf.ratio then {rete: $rf.ratio, perf: $pf.ratio} else null end),
    unit: "x untraced",
    verdict: verdict(if $rf.ratio and $pf.ratio then $rf.ratio > $pf.ratio else null end)},
   {goal: "... same, data-path CPU time per packet",
    measured: (if $rf.ratio_cpu and $pf.ratio_cpu then {rete: $rf.ratio_cpu, perf: $pf.ratio_cpu} else null end),
    unit: "x untraced",
    verdict: verdict(if $rf.ratio_cpu and $pf.ratio_cpu then $rf.ratio_cpu > $pf.ratio_cpu else null end)},
   {goal: "rete's added cost per event <= 2x the emitter's (pps)",
    measured: cost($rf.ns_per_event; $em.ns_per_event), unit: "ns/event",
    verdict: costv($rf.ns_per_event; $em.ns_per_event)},
   {goal: "... same, data-path CPU time per packet",
    measured: cost($rf.ns_per_event_cpu; $em.ns_per_event_cpu), unit: "ns/event",
    verdict: costv($rf.ns_per_event_cpu; $em.ns_per_event_cpu)},
   {goal: "... same, BPF program run time (bpf_stats)",
    measured: cost(bpfns("rete_file"); bpfns("emit")), unit: "ns/run",
    verdict: costv(bpfns("rete_file"); bpfns("emit"))},
   {goal: "zero loss up to >= 1,000,000 events/s (rete -o FILE)",
    measured: {max_lossless_eps: $zl.lossless, min_lossy_eps: $zl.lossy, max_offered_eps: $zl.offered,
	runs: $zl.runs},
    unit: "events/s",
    verdict: (if $zl.runs == 0 then "n/a"
	elif $zl.lossy != null and $zl.lossy < 1e6 then "NOT met"
	elif ($zl.lossless // 0) >= 1e6 then "met"
	else "not shown" end)},
   {goal: "exact loss accounting: delivered + lost == probe hits",
    measured: (if ($pall | length) > 0 then {balanced: ($pall | map(select(.balanced)) | length), points: ($pall | length),
	lossy_points: ($pall | map(select(.lost > 0)) | length)} else null end),
    unit: "points",
    verdict: verdict($pl.all_balanced)},
   (ppcmd("jq") as $jq | ("print", "sort", "pcap") as $c | ppcmd($c) as $x
    | {goal: "rete \($c) at least as fast as jq -c . on the same file",
       measured: (if $x and $jq and $x.events_per_s and $jq.events_per_s then
		{rete: $x.events_per_s.median, jq: $jq.events_per_s.median} else null end),
       unit: "events/s",
       verdict: verdict(if $x and $jq and $x.events_per_s and $jq.events_per_s then
		$x.events_per_s.median >= $jq.events_per_s.median else null end)}),
   (ppcmd("sort") as $big | ppcmd("sort_tenth") as $small
    | {goal: "sort's peak memory bounded by --max-buffer, not by file size",
       measured: (if $big and $small and $big.rss_mib and $small.rss_mib then
		{full_mib: $big.rss_mib.median, tenth_mib: $small.rss_mib.median,
		 full_events: $big.events, tenth_events: $small.events} else null end),
       unit: "MiB",
       verdict: verdict(if $big and $small and $big.rss_mib and $small.rss_mib then
		$big.rss_mib.median <= 1.5 * $small.rss_mib.median + 2 else null end)}),
   (($at | map(select(.mode == "default" and .probes == 1000 and .kernel == "6.12")) | first) as $m1k
   | {goal: "(issue 7) 1,000 kprobes loaded and attached in under 1 s with kprobe.multi (6.12 lane, ~10x slower than hardware)",
      measured: (if $m1k then {start_ms: $m1k.start_ms, probes: 1000} else null end),
      unit: "ms",
      verdict: verdict(if $m1k then $m1k.start_ms < 1000 else null end)}),
   {goal: "(issue 3) a non-matching -f costs < 10 % of the untraced packet rate",
    measured: (cfg("udp"; "rete_filter") | if . and .ratio then .ratio else null end), unit: "x untraced",
    verdict: verdict(cfg("udp"; "rete_filter") | if . and .ratio then .ratio >= 0.9 else null end)},
   # Program time per event delivered, with ct and without (the free tracepoints' runs are the
   # same in both and cancel out). Half the events carry a connection: the sender's transmit
   # (after its conntrack output hook); the receiver's netif_receive_skb runs before conntrack.
   # So one ct section costs twice the difference.
   (def nspe($c): $o | map(select(.phase == "stats" and .config == $c and .bpf != null
		and (.delivered // 0) > 0) | .bpf.run_time_ns / .delivered) | median;
    nspe("rete_ct") as $on | nspe("rete_ct_off") as $off
    | (if $on != null and $off != null then {per_ct_event: (2 * ($on - $off) | rnd(1)),
	bpf_ns_per_event_with_ct: ($on | rnd(1)), bpf_ns_per_event_without: ($off | rnd(1))}
	else null end) as $ct
   | {goal: "(issue 15) the ct section costs < 100 ns per event (bpf_stats, conntracked UDP)",
      measured: $ct, unit: "ns/event",
      verdict: verdict(if $ct then $ct.per_ct_event < 100 else null end)}),
   {goal: "startup under 200 ms for 30 tracepoints",
    measured: (if $s30 and $s30.start_ms then {probes: $s30.probes, start_ms: $s30.start_ms.median} else null end),
    unit: "ms",
    verdict: verdict(if $s30 and $s30.start_ms then $s30.start_ms.median < 200 else null end)}
  ] as $goals

| . + {figures: {overhead: {udp: $ov.udp, tcp: $ov.tcp, udp_untraced_pps: $ov.udp_base,
	udp_untraced_dp_ns_per_packet: ($ov.udp_dp_base | rnd(0)),
	tcp_untraced_gbps: $ov.tcp_base, bpf_stats: $bpf},
	pipeline: $pl, startup: $su, memory: $mem, postproc: $pp, attach: $at}, goals: $goals}
