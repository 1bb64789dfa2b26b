# Renders bench/results/latest.json as the text table bench/run.sh prints (jq -r).

def lpad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
def rpad(n): tostring | if length >= n then . else . + (" " * (n - length)) end;
def fix(d): if . == null then "-" else
	(. * pow(10; d) | round) as $x | ($x | if . < 0 then -. else . end | tostring) as $s
	| ((("0" * (d + 1 - ($s | length))) // "") + $s)
	| (if d == 0 then . else .[0:length - d] + "." + .[length - d:] end)
	| (if $x < 0 then "-" + . else . end) end;
def si: if . == null then "-"
	elif (. | fabs) >= 1e6 then (. / 1e6 | fix(2)) + "M"
	elif (. | fabs) >= 1e4 then (. / 1e3 | fix(0)) + "k"
	elif (. | fabs) >= 1e3 then (. / 1e3 | fix(1)) + "k"
	else fix(0) end;
def spread(f): if . == null then "-" else "\(.median | f) (\(.min | f)-\(.max | f))" end;
def name: {none: "none (untraced)", floor: "floor: empty tp_btf x2", emit: "emit: 256 B ringbuf, count",
	emit_json: "emit, JSON lines to file", rete_null: "rete -o /dev/null", rete_file: "rete -o FILE",
	rete_stack: "rete -o /dev/null --stack", rete_filter: "rete -f (no match)", rete_f_icmp: "rete -f icmp (no match)",
	rete_f_tcp80: "rete -f 'tcp port 80' (no match)", rete_f_10: "rete -f 10 clauses (no match)",
	rete_ct_off: "conntrack on, rete without ct", rete_ct: "conntrack on, rete -c ct,...",
	bt_printf: "bpftrace printf", perf: "perf record -a", tcpdump: "tcpdump -w -s 256"}[.] // .;
def lost: if . == null then "-" elif .total == 0 then "0"
	else "\(.total | si) (\(.pct_max | fix(2))%)" end;

.figures as $f
| .machine as $m
| ($f.overhead.bpf_stats // []) as $bpf
| def bpfns($c): $bpf | map(select(.config == $c)) | first | if . then .ns_per_run.median else null end;

"rete benchmark  \(.date)  commit \(.commit)",
"machine: \($m.host), kernel \($m.kernel), \($m.cpus) CPUs (\($m.cpu)), \($m.virt); load average \($m.loadavg_start) -> \($m.loadavg_end)",
(($m.loadavg_start | split(" ") | .[0] | tonumber) as $la | if $la > ($m.cpus / 2) then
 "WARNING: the machine was busy when the benchmark started (1-min load average \($la) on \($m.cpus) CPUs): expect noisy figures; compare ratios, rerun when idle" else empty end),
"settings: \(.settings.runs) round(s) of every configuration, interleaved; \(.settings.load_s) s loads\(if .settings.quick then " (QUICK: indicative only)" else "" end); \(.elapsed_s) s in all",
"",
(if ($f.overhead.udp // []) | length > 0 then
 "1. Traced-path overhead: UDP flood, 64-byte datagrams, netns pa -> pb over veth, sender+receiver on CPU 0",
 "   \("configuration" | rpad(27)) \("rx pps median (min-max)" | rpad(23)) \("ratio" | lpad(5)) \("ns/ev" | lpad(6)) \("CPU ns/pkt" | lpad(10)) \("ratio" | lpad(5)) \("ns/ev" | lpad(6)) \("BPF ns" | lpad(6)) \("events/s" | lpad(9)) \("lost (worst)" | lpad(14)) \("CPU%" | lpad(4)) \("CPU1%" | lpad(5))",
 "   \("" | rpad(27)) \("packet rate" | rpad(23)) \("" | lpad(5)) \("(rate)" | lpad(6)) \("data path" | lpad(10)) \("(CPU)" | lpad(5)) \("(CPU)" | lpad(6)) \("/run" | lpad(6))",
 ($f.overhead.udp[] |
  if .skipped then "   \(.config | name | rpad(27)) skipped: \(.skipped)"
  elif .value == null then "   \(.config | name | rpad(27)) failed: \(.errors | join("; "))"
  else "   \(.config | name | rpad(27)) \(.value | spread(si) | rpad(23)) \(.ratio | fix(2) | lpad(5)) \(.ns_per_event | fix(0) | lpad(6)) \(.dp_ns_per_packet.median | fix(0) | lpad(10)) \(.ratio_cpu | fix(2) | lpad(5)) \(.ns_per_event_cpu | fix(0) | lpad(6)) \(bpfns(.config) | fix(0) | lpad(6)) \(.events_per_s | si | lpad(9)) \(.lost | lost | lpad(14)) \(.consumer_cpu_pct | fix(0) | lpad(4)) \(.cpu1_busy_pct | fix(0) | lpad(5))"
  end),
 "   ns/ev (rate) = (1/pps - 1/pps untraced) / events per packet (2; tcpdump: 1 capture)",
 "   CPU ns/pkt = data-path CPU time per packet (sender + receiver + ksoftirqd/0); ratio and ns/ev (CPU) from it:",
 "     unlike pps, it does not move when other work shares CPU 0. BPF ns/run: bpf_stats phase (program body only).",
 "   CPU% = the tracer's own CPU time; CPU1% = how busy CPU 1 (the tracer's CPU) was with everything: CPU1% far",
 "     above CPU% means other work competed with the tracer's consumer.",
 "",
 (if ($f.overhead.tcp // []) | map(select(.value != null)) | length > 0 then
  "   TCP stream (iperf3, one flow)",
  "   \("configuration" | rpad(27)) \("Gbit/s median (min-max)" | rpad(30)) \("ratio" | lpad(5)) \("events/s" | lpad(18)) \("lost (worst)" | lpad(14)) \("CPU%" | lpad(5)) \("CPU1%" | lpad(6))",
  ($f.overhead.tcp[] |
   if .skipped then empty
   elif .value == null then "   \(.config | name | rpad(27)) failed: \(.errors | join("; "))"
   else "   \(.config | name | rpad(27)) \(.value | spread(fix(1)) | rpad(30)) \(.ratio | fix(2) | lpad(5)) \(.events_per_s | si | lpad(18)) \(.lost | lost | lpad(14)) \(.consumer_cpu_pct | fix(0) | lpad(5)) \(.cpu1_busy_pct | fix(0) | lpad(6))"
   end),
  ""
 else empty end),
 (($f.overhead.udp + ($f.overhead.tcp // [])) | map(select(.notes | length > 0) | "   note \(.config): \(.notes | join("; "))") | unique | .[]),
 (if ($bpf | length) > 0 then
  "   Program run time (kernel.bpf_stats_enabled=1, UDP load, restored after): " +
  ($bpf | map("\(.config) \(.ns_per_run.median | fix(0)) ns") | join(", ")), ""
 else empty end)
else empty end),
(if ($f.pipeline.points | length) > 0 then
 "2. Event pipeline: rete -o FILE, offered (probe hits/s) vs delivered (lines in the file/s) vs lost",
 "   \("sender" | rpad(22)) \("probes" | lpad(6)) \("pps" | lpad(7)) \("offered ev/s" | lpad(13)) \("delivered ev/s" | lpad(15)) \("lost ev/s" | lpad(10)) \("loss %" | lpad(7)) \("CPU1%" | lpad(6))  delivered+lost == hits",
 ($f.pipeline.points[] |
  if .error then "   \(.point | rpad(22)) failed: \(.error)"
  else "   \(.point | rpad(22)) \(.probes | lpad(6)) \(.pps | si | lpad(7)) \(.offered_eps | si | lpad(13)) \(.delivered_eps | si | lpad(15)) \(.lost_eps | si | lpad(10)) \(.loss_pct | fix(2) | lpad(7)) \(.cpu1_busy_pct | fix(0) | lpad(6))  \(if .balanced then "yes" else "NO (\(.file_events) + \(.lost) vs \(.hits); collected \(.collected))" end)"
  end),
 "   highest offered rate with zero loss: \($f.pipeline.max_lossless_eps | si) events/s; lowest with loss: \($f.pipeline.min_lossy_eps | si) (ring=: undersized on purpose, not counted)",
 ""
else empty end),
(if ($f.startup | length) > 0 then
 "3. Startup and shutdown (idle system)",
 "   \("probes" | rpad(34)) \("start -> 'probe(s) loaded' ms" | rpad(30)) SIGINT -> exit ms",
 ($f.startup[] | "   \("\(.probes // "?") (\(.case))" | rpad(34)) \(.start_ms | spread(fix(0)) | rpad(30)) \(.stop_ms | spread(fix(0)))\(if (.errors | length) > 0 then "  errors: \(.errors | join("; "))" else "" end)"),
 ""
else empty end),
(if ($f.memory | length) > 0 then
 "4. Memory: rete's peak RSS (VmHWM) after the UDP flood",
 ($f.memory[] | "   \(.config | name | rpad(27)) \(.vmhwm_mib | spread(fix(1))) MiB"),
 ""
else empty end),
(if ($f.postproc // [] | length) > 0 then
 "5. Post-processing: a generated file (4-event ping series, 98-byte packets, 16 series interleaved)",
 "   \("command" | rpad(22)) \("events" | lpad(8)) \("seconds" | lpad(8)) \("events/s" | lpad(9)) \("peak RSS MiB" | lpad(13))",
 ($f.postproc[] | if .seconds == null then "   \(.cmd | rpad(22)) failed: \(.errors | join("; "))" else
  "   \({jq: "jq -c . (yardstick)", print: "rete print", sort: "rete sort", sort_json: "rete sort -o",
	pcap: "rete pcap -o", stats: "rete stats", sort_tenth: "rete sort, 1/10 file"}[.cmd] // .cmd | rpad(22)) \(.events | si | lpad(8)) \(.seconds.median | fix(1) | lpad(8)) \(.events_per_s.median | si | lpad(9)) \(.rss_mib.median | fix(1) | lpad(13))" end),
 ""
else empty end),
(if ($f.attach // [] | length) > 0 then
 "6. Kernel function probes: load + attach and detach in the full-kernel lane (qemu, software emulation: ~10x hardware)",
 "   \("kernel" | rpad(7)) \("mode" | rpad(34)) \("probes" | lpad(6)) \("load ms" | lpad(8)) \("attach ms" | lpad(10)) \("detach ms" | lpad(10)) \("left out" | lpad(9))",
 ($f.attach[] | "   \(.kernel | rpad(7)) \({default: "kprobe (kprobe.multi when there)", single: "kprobe, one link each", fentry: "fentry, one copy each"}[.mode] // .mode | rpad(34)) \(.probes | lpad(6)) \(.load_ms | fix(0) | lpad(8)) \(.attach_ms | fix(0) | lpad(10)) \(.detach_ms | fix(0) | lpad(10)) \(.left_out | lpad(9))"),
 ""
else empty end),
"Goals (issue 6)",
(.goals[] | (.verdict | sub(" \\(.*"; "")) as $v | (.verdict | if test(" \\(") then " " + sub("^[^(]*"; "") else "" end) as $why
 | "   \($v | rpad(8)) \(.goal | rpad(66)) \(
   if .measured == null then "-"
   elif (.measured | type) == "number" then "\(.measured | fix(2)) \(.unit)"
   elif .measured.perf != null then "rete \(.measured.rete | fix(2)) vs perf \(.measured.perf | fix(2)) \(.unit)"
   elif .measured.emit != null then "rete \(.measured.rete | fix(0)) vs emitter \(.measured.emit | fix(0)) \(.unit)\(if .measured.x then " (\(.measured.x | fix(2))x)" else "" end)"
   elif .measured.runs != null then "\(.measured.runs) runs: 0 lost up to \(.measured.max_lossless_eps | si) ev/s, loss from \(.measured.min_lossy_eps | si); max offered \(.measured.max_offered_eps | si)"
   elif .measured.balanced != null then "\(.measured.balanced)/\(.measured.points) \(.unit) balanced (\(.measured.lossy_points) with loss)"
   elif .measured.jq != null then "rete \(.measured.rete | si) vs jq \(.measured.jq | si) \(.unit)"
   elif .measured.full_mib != null then "\(.measured.full_mib | fix(1)) MiB for \(.measured.full_events | si) events, \(.measured.tenth_mib | fix(1)) MiB for \(.measured.tenth_events | si)"
   elif .measured.start_ms != null then "\(.measured.start_ms | fix(0)) ms for \(.measured.probes) probes"
   else .measured | tostring end)\($why)")
