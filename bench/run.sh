#!/usr/bin/env bash
# rete benchmark suite: what tracing costs, side by side with the floor and the peers.
#
#   bench/run.sh [overhead] [pipeline] [startup] [memory] [postproc]   (no argument: all five)
#   bench/run.sh attach    kprobe/fentry attach and detach times, inside the full-kernel lane
#                          (tests/lane/, qemu; about 8 minutes; not run by default)
#
# Prints one table on stdout (progress on stderr), appends one JSON line to
# bench/results/history.jsonl and writes bench/results/latest.json. Never fails on a number:
# the exit status is non-zero only when the benchmark could not run (not root, build failed).
# Method and anchors: ../shared/docs/benchmark-method.md; how to read the figures: bench/README.md.
#
# Settings (environment):
#   BENCH_QUICK=1          one round, 2 s loads, short pipeline sweep (for iterating)
#   BENCH_RUNS=N           rounds of every configuration (default 3)
#   BENCH_SECONDS=S        length of each load (default 3)
#   BENCH_STATS_RUNS=N     rounds of the bpf_stats phase (default 2)
#   BENCH_CONFIGS="..."    overhead configurations to run (default: all, see CONFIGS below)
#   BENCH_LOADS="udp tcp"  overhead loads
#   BENCH_PIPE_RATES="..." pipeline sender rates in packets/s ("max" = unpaced)
#   BENCH_NO_INSTALL=1     never apt-get install a missing peer tool (skip it instead)
#   BENCH_POSTPROC_EVENTS=N  events in the generated post-processing file (default 1000000;
#                          quick: 200000); BENCH_POSTPROC_RUNS=N rounds (default 1: ~90 s each)
#   BENCH_ATTACH_KERNELS="LABEL:PACKAGE ..."  lane kernels for attach (default 6.12 and 6.1)
#   BENCH_NO_RECORD=1      do not write bench/results/
#   BENCH_RETE=path        benchmark this rete binary instead of $BUILD/rete (not rebuilt)
#   BENCH_COMMIT=id        label the results with this commit (default: git HEAD, -dirty if so)
#   BUILD=dir              build directory (default build)
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	RUNS=${BENCH_RUNS:-1}
	LOAD_S=${BENCH_SECONDS:-2}
	PIPE_RATES=${BENCH_PIPE_RATES:-"100000 max"}
else
	RUNS=${BENCH_RUNS:-3}
	LOAD_S=${BENCH_SECONDS:-3}
	PIPE_RATES=${BENCH_PIPE_RATES:-"50000 100000 150000 200000 300000 max"}
fi
STATS_RUNS=${BENCH_STATS_RUNS:-2}
PIPE_SMALL_RING=${BENCH_PIPE_SMALL_RING:-128k}
CONFIGS=${BENCH_CONFIGS:-"none floor emit emit_json rete_null rete_file rete_stack rete_filter rete_ct_off rete_ct bt_printf perf tcpdump"}
LOADS=${BENCH_LOADS:-"udp tcp"}
STATS_CONFIGS="floor emit emit_json rete_null rete_file rete_stack rete_filter rete_ct_off rete_ct bt_printf"
# The ct pair runs with conntrack switched on in both namespaces (an nftables table using ct),
# with the default collectors but ct (rete_ct_off) and with ct too (rete_ct): the difference is
# what the ct section costs.
CT_COLLECTORS="skb-tracking,skb,skb-drop,dev,ns"
CT_PROBES="-p tp:net:netif_receive_skb -p tp:net:net_dev_start_xmit"	# named collectors: no default probes
# Filter cost per evaluation (issue 3), bpf_stats phase only, when rete_filter runs: none of
# them matches the benchmark's UDP datagrams to port 9.
FILTER_CONFIGS="rete_f_icmp rete_f_tcp80 rete_f_10"
TEN_CLAUSES="tcp port 80 or tcp port 443 or udp port 53 or icmp or arp or host 203.0.113.7 or net 198.51.100.128/25 or udp port 123 or tcp port 22 or vlan"
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
# A filter that matches none of the benchmark's packets (UDP goes to port 9, TCP to 5201).
NOMATCH_FILTER='udp port 7'
BT_PROG='tracepoint:net:netif_receive_skb, tracepoint:net:net_dev_start_xmit { printf("%d %s %d\n", nsecs, comm, ((struct sk_buff *)args->skbaddr)->len); }'

ALL_FAMILIES="overhead pipeline startup memory postproc"
FAMILIES=${*:-$ALL_FAMILIES}
for f in $FAMILIES; do
	case " $ALL_FAMILIES attach " in
	*" $f "*) ;;
	*)
		echo "usage: bench/run.sh [${ALL_FAMILIES// /] [}] [attach]" >&2
		exit 2
		;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: needs root (BPF, network namespaces); try: sudo bench/run.sh" >&2
	exit 1
fi
for c in jq bpftool ip taskset env; do
	PATH="$PATH:/usr/sbin:/sbin" command -v $c >/dev/null 2>&1 ||
		{ echo "bench/run.sh: $c is missing (make deps installs it)" >&2; exit 1; }
done

TMP=$(mktemp -d /var/tmp/rete-bench.XXXXXX) || exit 1
trap cleanup EXIT
trap 'log "interrupted: cleaning up"; exit 130' INT TERM
NAP_FIFO="$TMP/nap"
mkfifo "$NAP_FIFO"
SAMPLES="$TMP/samples.jsonl"
: >"$SAMPLES"
declare -A SKIP=()
BEGIN_S=$SECONDS

# --- build and snapshot the binaries (the tree may be rebuilt while we run) -----------------------

build_tools() {
	local mk=(make -C "$ROOT" --no-print-directory BUILD="$BUILD")
	# Works before and after the main Makefile includes bench/bench.mk (the file guards itself).
	grep -q 'bench/bench.mk' "$ROOT/Makefile" 2>/dev/null || mk+=(-f Makefile -f bench/bench.mk)
	# With BENCH_RETE, rete itself is not (re)built.
	"${mk[@]}" $([ -z "${BENCH_RETE:-}" ] && echo all) bench-tools >"$TMP/build.log" 2>&1 || {
		cat "$TMP/build.log" >&2
		echo "bench/run.sh: build failed" >&2
		exit 1
	}
	mkdir -p "$TMP/bin"
	cp "${BENCH_RETE:-$BUILD/rete}" "$TMP/bin/rete" || exit 1
	cp "$BUILD/bench/anchor" "$BUILD/bench/flood" "$TMP/bin/" || exit 1
	RETE="$TMP/bin/rete"
	ANCHOR="$TMP/bin/anchor"
	FLOOD="$TMP/bin/flood"
}

log "building"
build_tools
# The commit the binaries were built from (read now: the tree may move while we run).
if [ -n "${BENCH_COMMIT:-}" ]; then
	commit=$BENCH_COMMIT
else
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit-dirty"
fi
netns_up || { echo "bench/run.sh: cannot create the network namespaces" >&2; exit 1; }
CLK_TCK=$(getconf CLK_TCK)
KSOFTIRQD0=$(ksoftirqd0)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- configurations --------------------------------------------------------------------------------

# tracer_setup CONFIG OUT: sets T_CMD (empty for none), T_OUT/T_ERR (the command's stdout and
# stderr), T_READY (regex meaning "attached", or "nonempty" for a non-empty OUT), T_READY_FILE,
# T_KIND (how to read its counts), T_EPP (events per packet), T_PROGS (program names, bpf_stats).
tracer_setup() {
	local cfg=$1 out=$2
	T_CMD=() T_OUT="$TMP/t.out" T_ERR="$TMP/t.err" T_READY_FILE="$TMP/t.err"
	T_READY= T_KIND= T_EPP=2 T_PROGS= T_CT=
	case $cfg in
	none) ;;
	floor | emit | emit_json)
		case $cfg in
		floor) T_CMD=("$ANCHOR" empty) ;;
		emit) T_CMD=("$ANCHOR" emit) ;;
		emit_json) T_CMD=("$ANCHOR" emit -o "$out") ;;
		esac
		T_READY='attached' T_KIND=anchor T_PROGS='^(raw_)?(empty|emit)_(rx|tx)$'
		;;
	rete_*)
		T_CMD=("$RETE" --log-level debug collect)
		case $cfg in
		rete_null) T_CMD+=(-o /dev/null) ;;
		rete_file) T_CMD+=(-o "$out") ;;
		rete_stack) T_CMD+=(-o /dev/null --stack) ;;
		rete_filter) T_CMD+=(-o /dev/null -f "$NOMATCH_FILTER") ;;
		rete_f_icmp) T_CMD+=(-o /dev/null -f icmp) ;;
		rete_f_tcp80) T_CMD+=(-o /dev/null -f 'tcp port 80') ;;
		rete_f_10) T_CMD+=(-o /dev/null -f "$TEN_CLAUSES") ;;
		rete_ct_off) T_CMD+=(-o /dev/null -c "$CT_COLLECTORS" $CT_PROBES) T_CT=1 ;;
		rete_ct) T_CMD+=(-o /dev/null -c "ct,$CT_COLLECTORS" $CT_PROBES) T_CT=1 ;;
		esac
		T_READY='probe\(s\) loaded' T_KIND=rete T_PROGS='^rete_'
		;;
	bt_printf)
		T_CMD=(bpftrace -e "$BT_PROG")
		T_OUT=$out T_READY_FILE=$out T_READY='^Attaching' T_KIND=bpftrace
		T_PROGS='^(netif_receive_s|net_dev_start_x)$'
		;;
	perf)
		T_CMD=(perf record -e net:netif_receive_skb -e net:net_dev_start_xmit -a -o "$out")
		T_READY_FILE=$out T_READY=nonempty T_KIND=perf
		;;
	tcpdump)
		T_CMD=(ip netns exec "$NS_A" tcpdump -Z root -i "$VA" -s 256 -w "$out" -C 2000 -W 1)
		T_READY='listening on' T_KIND=tcpdump T_EPP=1
		;;
	*) return 1 ;;
	esac
}

# Conntrack on in both namespaces (for the ct pair), and off again.
ct_up() {
	local ns
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" nft -f - <<-EOF
			table ip rbench_ct {
				chain out {
					type filter hook output priority filter;
					ct state new counter
				}
				chain pre {
					type filter hook prerouting priority filter;
					ct state new counter
				}
			}
		EOF
	done
}
ct_down() {
	local ns
	for ns in "$NS_A" "$NS_B"; do ip netns exec "$ns" nft delete table ip rbench_ct 2>/dev/null; done
	return 0
}

# Decide once which configurations can run here; SKIP[cfg] holds the reason otherwise.
preflight() {
	local cfg
	for cfg in $CONFIGS; do
		case $cfg in
		bt_printf) need_tool bpftrace bpftrace || SKIP[$cfg]="bpftrace not installed" ;;
		perf) need_tool perf linux-perf || SKIP[$cfg]="perf not installed" ;;
		tcpdump) need_tool tcpdump tcpdump || SKIP[$cfg]="tcpdump not installed" ;;
		rete_ct_off | rete_ct)
			need_tool nft nftables || SKIP[$cfg]="nft not installed"
			;;
		rete_filter)
			if ! timeout 60 "$RETE" collect -f "$NOMATCH_FILTER" -o /dev/null --cmd true \
				>/dev/null 2>"$TMP/filter.err"; then
				SKIP[$cfg]="not available: $(grep -m1 -i 'error' "$TMP/filter.err" | head -c 160)"
			fi
			;;
		esac
	done
	case " $LOADS " in *" tcp "*) need_tool iperf3 iperf3 || SKIP[tcp]="iperf3 not installed" ;; esac
	for cfg in "${!SKIP[@]}"; do log "skipping $cfg: ${SKIP[$cfg]}"; done
}

# tracer_start CONFIG OUT: start the tracer and wait until it is attached, plus 0.5 s.
# Sets T_PID (empty for none); returns 1 with T_NOTE when it did not start.
tracer_start() {
	local cfg=$1 out=$2 t0
	T_PID= T_NOTE=
	tracer_setup "$cfg" "$out"
	[ -n "$T_CT" ] && ct_up
	[ ${#T_CMD[@]} -eq 0 ] && return 0
	: >"$T_OUT"
	: >"$T_ERR"
	spawn "$T_OUT" "$T_ERR" "${T_CMD[@]}"
	T_PID=$SPAWNED
	now_us
	t0=$NOW
	while :; do
		if [ "$T_READY" = nonempty ]; then
			[ -s "$T_READY_FILE" ] && break
		elif grep -Eq "$T_READY" "$T_READY_FILE" 2>/dev/null; then
			break
		fi
		now_us
		if ! alive "$T_PID" || ((NOW - t0 > 60000000)); then
			T_NOTE="did not start: $(grep -v -m2 'debug' "$T_ERR" | tr '\n' ' ' | head -c 200)"
			stop "$T_PID"
			T_PID=
			return 1
		fi
		nap 0.02
	done
	nap 0.5
}

# tracer_counts CONFIG LOAD: after the stop, read what the tracer delivered and lost.
# Sets C_DELIVERED, C_LOST, C_HITS (kernel-side hits where the tool counts them), C_NOTE.
tracer_counts() {
	local cfg=$1 load=$2 line
	C_DELIVERED=null C_LOST=null C_HITS=null C_NOTE=
	case $T_KIND in
	anchor)
		line=$(sed -n 's/.*events=\([0-9]*\) lost=\([0-9]*\).*/\1 \2/p' "$T_ERR")
		[ -n "$line" ] && { C_DELIVERED=${line% *}; C_LOST=${line#* }; }
		;;
	rete)
		rete_counts "$T_ERR" skb:consume_skb
		;;
	bpftrace)
		C_DELIVERED=$(grep -c '^-\{0,1\}[0-9]' "$T_OUT")
		C_LOST=$(grep -o 'Lost [0-9]* events' "$T_OUT" "$T_ERR" | awk '{ s += $2 } END { print s + 0 }')
		;;
	perf)
		line=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$T_ERR" | tail -1)
		[ -n "$line" ] && C_DELIVERED=$line
		if [ "$load" = udp ] && [ -n "$line" ]; then
			C_LOST=$((2 * L_SENT - line))
			((C_LOST < 0)) && C_LOST=0
		fi
		grep -q 'lost' "$T_ERR" && C_NOTE=$(grep -m1 'lost' "$T_ERR" | head -c 120)
		;;
	tcpdump)
		line=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$T_ERR")
		[ -n "$line" ] && C_DELIVERED=$line
		line=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$T_ERR")
		[ -n "$line" ] && C_LOST=$line
		;;
	esac
}

# rete_counts STDERR [TRACKING-ONLY-PROBE...]: parse rete's exit report (--log-level debug).
# C_DELIVERED = events collected, C_LOST = events lost, C_HITS = kernel hits of the probes
# that emit events (a tracking-only probe such as skb:consume_skb runs without emitting).
rete_counts() {
	local err=$1 line
	shift
	line=$(sed -n 's/.* \([0-9]*\) event(s) collected, \([0-9]*\) lost.*/\1 \2/p;s/^\([0-9]*\) event(s) collected, \([0-9]*\) lost.*/\1 \2/p' "$err" | tail -1)
	[ -n "$line" ] && { C_DELIVERED=${line% *}; C_LOST=${line#* }; }
	C_HITS=$(sed -n 's/.*probe \(.*\): \([0-9]*\) hits, \([0-9]*\) events, \([0-9]*\) lost.*/\1 \2 \3 \4/p' "$err" |
		awk -v skip=" $* " '{ if ($3 + $4 == 0 && index(skip, " " $1 " ")) next; h += $2 } END { print h + 0 }')
	C_PROBES=$(grep -c 'debug: probe .*hits' "$err")
}

# --- family 1: overhead -----------------------------------------------------------------------

# overhead_run PHASE CONFIG LOAD ROUND: one tracer session around one load; appends a sample.
overhead_run() {
	local phase=$1 cfg=$2 load=$3 round=$4 out="$TMP/out.$2" c0=0 c1=0 w0 w1 hwm=null
	local stats=null cpu=null note= busy
	[ "$phase" = stats ] && prog_ids >"$TMP/base.ids"
	if ! tracer_start "$cfg" "$out"; then
		ct_down
		sample family=overhead phase="$phase" config="$cfg" load="$load" round="$round" \
			error="$T_NOTE"
		log "  $cfg $load: $T_NOTE"
		rm -f "$out"*
		return
	fi
	[ -n "$T_PID" ] && c0=$(cpu_ticks "$T_PID")
	cpu_snap "$TMP/cpu0.snap"
	now_us
	w0=$NOW
	"load_$load" || note=$L_NOTE
	now_us
	w1=$NOW
	cpu_snap "$TMP/cpu1.snap"
	busy=($(cpu_busy "$TMP/cpu0.snap" "$TMP/cpu1.snap"))
	if [ -n "$T_PID" ]; then
		c1=$(cpu_ticks "$T_PID")
		cpu=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v us=$((w1 - w0)) 'BEGIN { printf "%.1f", 100 * t / hz / (us / 1e6) }')
		[ "$T_KIND" = rete ] && hwm=$(vm_hwm_kb "$T_PID")
		[ "$phase" = stats ] && stats=$(prog_stats "$TMP/base.ids" "$T_PROGS")
		stop "$T_PID"
		[ -n "$REAP_NOTE" ] && note="${note:+$note; }$REAP_NOTE"
	fi
	ct_down
	tracer_counts "$cfg" "$load"
	[ -n "$C_NOTE" ] && note="${note:+$note; }$C_NOTE"
	sample family=overhead phase="$phase" config="$cfg" load="$load" round="$round" \
		value="${L_VALUE:-null}" sent="${L_SENT:-null}" received="${L_RECV:-null}" \
		seconds="${L_SECS:-null}" dp_cpu_ns="${L_CPU_NS:-null}" epp="$T_EPP" \
		delivered="$C_DELIVERED" lost="$C_LOST" \
		hits="$C_HITS" cpu_pct="$cpu" cpu0_busy_pct="${busy[0]:-null}" \
		cpu1_busy_pct="${busy[1]:-null}" steal_pct="${busy[2]:-null}" vmhwm_kb="${hwm:-null}" \
		bpf="$stats" note="$note"
	log "  $(printf '%-11s %s %10.1f %-6s' "$cfg" "$load" "${L_VALUE:-0}" "$([ "$load" = udp ] && echo pps || echo Gbit/s)") delivered=$C_DELIVERED lost=$C_LOST tracer_cpu=${cpu}% cpu1_busy=${busy[1]:-?}%$([ -n "$L_CPU_NS" ] && [ "${L_RECV:-0}" -gt 0 ] && echo " data_path=$((L_CPU_NS / L_RECV))ns/pkt")${note:+  ($note)}"
	rm -f "$out"*
}

family_overhead() {
	local configs=() n r i cfg load
	preflight
	for cfg in $CONFIGS; do [ -z "${SKIP[$cfg]:-}" ] && configs+=("$cfg"); done
	for cfg in "${!SKIP[@]}"; do
		[ "$cfg" = tcp ] && continue
		sample family=overhead phase=main config="$cfg" skipped="${SKIP[$cfg]}"
	done
	n=${#configs[@]}
	# bpftrace and perf find tracepoints through tracefs.
	case " ${configs[*]} " in *" bt_printf "* | *" perf "*) tracefs_up ;; esac
	for ((r = 0; r < RUNS; r++)); do
		log "overhead: round $((r + 1))/$RUNS (${n} configurations x {$LOADS}, ${LOAD_S} s loads)"
		for ((i = 0; i < n; i++)); do
			cfg=${configs[$(((i + r) % n))]}
			for load in $LOADS; do
				[ "$load" = tcp ] && [ -n "${SKIP[tcp]:-}" ] && continue
				overhead_run main "$cfg" "$load" "$r"
			done
		done
	done

	# Program run time: a separate phase, since bpf_stats itself costs two clock reads per run.
	SAVED_BPF_STATS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
	if [ -n "$SAVED_BPF_STATS" ] && sysctl -qw kernel.bpf_stats_enabled=1 >/dev/null 2>&1; then
		local sconf=()
		for cfg in $STATS_CONFIGS; do
			case " ${configs[*]} " in *" $cfg "*) sconf+=("$cfg") ;; esac
		done
		case " ${configs[*]} " in *" rete_filter "*) for cfg in $FILTER_CONFIGS; do sconf+=("$cfg"); done ;; esac
		for ((r = 0; r < STATS_RUNS; r++)); do
			log "overhead: bpf_stats round $((r + 1))/$STATS_RUNS (kernel.bpf_stats_enabled=1)"
			for ((i = 0; i < ${#sconf[@]}; i++)); do
				overhead_run stats "${sconf[$(((i + r) % ${#sconf[@]}))]}" udp "$r"
			done
		done
		sysctl -qw kernel.bpf_stats_enabled="$SAVED_BPF_STATS" >/dev/null 2>&1
		SAVED_BPF_STATS=
	else
		log "overhead: cannot enable kernel.bpf_stats_enabled: no program run times"
	fi
	tracefs_down
}

# --- family 2: event pipeline -----------------------------------------------------------------

# pipeline_run NAME RATE TRACKING-ONLY -- RETE-ARGS...: rete -o FILE around a (paced) UDP flood.
pipeline_run() {
	local name=$1 rate=$2 tonly=$3 out="$TMP/pipe.json" pid file_events balanced note=
	shift 4
	: >"$TMP/p.err"
	spawn /dev/null "$TMP/p.err" "$RETE" --log-level debug collect "$@" -o "$out"
	pid=$SPAWNED
	now_us
	local t0=$NOW
	until grep -q 'probe(s) loaded' "$TMP/p.err"; do
		now_us
		if ! alive "$pid" || ((NOW - t0 > 60000000)); then
			stop "$pid"
			sample family=pipeline point="$name" error="did not start: $(grep -v -m1 debug "$TMP/p.err" | head -c 160)"
			return
		fi
		nap 0.02
	done
	nap 0.5
	cpu_snap "$TMP/cpu0.snap"
	load_udp "$([ "$rate" = max ] || echo "$rate")" || note=$L_NOTE
	cpu_snap "$TMP/cpu1.snap"
	local busy=($(cpu_busy "$TMP/cpu0.snap" "$TMP/cpu1.snap"))
	stop "$pid"
	[ -n "$REAP_NOTE" ] && note="${note:+$note; }$REAP_NOTE"
	C_DELIVERED=null C_LOST=null C_HITS=null
	# shellcheck disable=SC2086
	rete_counts "$TMP/p.err" $tonly
	# Events only: not the startup line (first) nor the "lost" record collect writes at exit.
	file_events=$(grep -v -c -e '"startup":' -e '"lost":{' "$out")
	balanced=false
	[ "$C_LOST" != null ] && [ $((file_events + C_LOST)) -eq "$C_HITS" ] &&
		[ "$file_events" -eq "$C_DELIVERED" ] && balanced=true
	sample family=pipeline point="$name" rate="$rate" probes="$C_PROBES" sent="${L_SENT:-null}" \
		dp_cpu_ns="${L_CPU_NS:-null}" \
		seconds="${L_SECS:-null}" pps="${L_VALUE:-null}" hits="$C_HITS" collected="$C_DELIVERED" \
		file_events="$file_events" lost="$C_LOST" balanced="$balanced" \
		cpu1_busy_pct="${busy[1]:-null}" note="$note"
	log "  $(printf '%-22s' "$name") hits=$C_HITS file=$file_events lost=$C_LOST balanced=$balanced${note:+ ($note)}"
	rm -f "$out"
}

family_pipeline() {
	local rate
	log "pipeline: rete -o FILE, default probes, sender paced at: $PIPE_RATES packets/s"
	for rate in $PIPE_RATES; do
		pipeline_run "default@$rate" "$rate" skb:consume_skb --
	done
	# Every skb tracepoint (several events per packet): the highest rate this setup can offer.
	log "pipeline: rete -o FILE -p 'tp:*:*', unpaced sender"
	pipeline_run "tp:*:*@max" max "" -- -p 'tp:*:*' --allow-system-changes
	# A ring too small on purpose: loss accounting must stay exact when events are lost.
	log "pipeline: rete -o FILE --buffer-size $PIPE_SMALL_RING, unpaced sender"
	pipeline_run "default@max ring=$PIPE_SMALL_RING" max skb:consume_skb -- --buffer-size "$PIPE_SMALL_RING"
}

# --- family 3: startup and shutdown -----------------------------------------------------------

stamp_lines() {
	local l
	while IFS= read -r l; do printf '%s %s\n' "${EPOCHREALTIME/./}" "$l"; done
}

# startup_run CASE RETE-ARGS...: start-to-"probe(s) loaded" and SIGINT-to-exit, idle system.
startup_run() {
	local name=$1 f="$TMP/s.err" pid t0 t1 loaded line n
	shift
	: >"$f"
	now_us
	t0=$NOW
	(exec env --default-signal=INT,QUIT "$RETE" collect "$@" -o /dev/null >/dev/null 2> >(stamp_lines >"$f")) &
	pid=$!
	track "$pid"
	until grep -q 'probe(s) loaded' "$f"; do
		now_us
		if ! alive "$pid" || ((NOW - t0 > 60000000)); then
			stop "$pid"
			sample family=startup case="$name" error="did not start: $(grep -v -m1 debug "$f" | cut -d' ' -f2- | head -c 160)"
			return
		fi
		nap 0.002
	done
	line=$(grep -m1 'probe(s) loaded' "$f")
	loaded=${line%% *}
	n=$(sed -n 's/^[0-9]* \([0-9]*\) probe(s) loaded.*/\1/p' "$f")
	nap 0.3
	now_us
	t1=$NOW
	stop "$pid"
	sample family=startup case="$name" probes="${n:-null}" \
		start_ms="$(awk -v a="$t0" -v b="$loaded" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" \
		stop_ms="$(awk -v a="$t1" -v b="$REAP_END" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" \
		note="$REAP_NOTE"
	log "  $(printf '%-12s' "$name") ${n:-?} probes: start $(((loaded - t0) / 1000)) ms, stop $(((REAP_END - t1) / 1000)) ms"
}

family_startup() {
	local r tps=() tp
	log "startup: start to 'probe(s) loaded' and SIGINT to exit, $RUNS run(s) each"
	# The 30 tracepoints: whatever the wildcard matches here, named one by one.
	timeout 60 "$RETE" --log-level debug collect -p 'tp:*:*' --allow-system-changes -o /dev/null \
		--cmd true >/dev/null 2>"$TMP/tps.err"
	while read -r tp; do tps+=(-p "tp:$tp"); done < <(sed -n 's/.*debug: probe \(.*\): [0-9]* hits.*/\1/p' "$TMP/tps.err")
	for ((r = 0; r < RUNS; r++)); do
		startup_run default
		[ ${#tps[@]} -gt 0 ] && startup_run named-tps "${tps[@]}"
		startup_run 'tp:*:*' -p 'tp:*:*' --allow-system-changes
	done
}

# --- family 5: memory -------------------------------------------------------------------------

family_memory() {
	local r
	# The overhead family already read rete's VmHWM after each flood; run only when it did not.
	if grep -q '"family":"overhead".*"config":"rete_file".*"vmhwm_kb":[0-9]' "$SAMPLES"; then
		return
	fi
	log "memory: rete collect -o FILE during the UDP flood, $RUNS run(s)"
	for ((r = 0; r < RUNS; r++)); do overhead_run main rete_file udp "$r"; done
}

# --- family 6: post-processing ---------------------------------------------------------------------

# postproc_run NAME FILE EVENTS CMD...: wall time and peak RSS of one command on FILE.
postproc_run() {
	local name=$1 file=$2 events=$3 secs rss rc
	shift 3
	/usr/bin/time -f '%e %M' -o "$TMP/pp.time" "$@" "$file" >/dev/null 2>"$TMP/pp.err"
	rc=$?
	read -r secs rss <"$TMP/pp.time" 2>/dev/null
	if [ "$rc" -ne 0 ] || [ -z "${secs:-}" ]; then
		sample family=postproc cmd="$name" events="$events" error="exit $rc: $(head -c 200 "$TMP/pp.err")"
		log "  $(printf '%-16s' "$name") failed (exit $rc)"
		return
	fi
	sample family=postproc cmd="$name" events="$events" seconds="$secs" rss_kb="$rss" \
		events_per_s="$(awk -v n="$events" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }')"
	log "  $(printf '%-16s' "$name") $events events in $secs s, peak RSS $((rss / 1024)) MiB"
}

family_postproc() {
	local n r small
	if [ "$QUICK" = 1 ]; then n=${BENCH_POSTPROC_EVENTS:-200000}; else n=${BENCH_POSTPROC_EVENTS:-1000000}; fi
	[ -x /usr/bin/time ] || { log "postproc: skipped (/usr/bin/time is missing: apt-get install time)"; return; }
	log "postproc: print, sort, pcap, stats on a generated $n-event file, next to jq -c ."
	awk -v n="$n" -f "$ROOT/bench/gen_events.awk" >"$TMP/pp.json" || return
	# A tenth of it: sort's peak memory must not grow with the file.
	small=$((n / 10))
	head -n $((small + 1)) "$TMP/pp.json" >"$TMP/pp-small.json"
	for ((r = 0; r < ${BENCH_POSTPROC_RUNS:-1}; r++)); do
		postproc_run jq "$TMP/pp.json" "$n" jq -c .
		postproc_run print "$TMP/pp.json" "$n" "$RETE" print
		postproc_run sort "$TMP/pp.json" "$n" "$RETE" sort
		postproc_run sort_json "$TMP/pp.json" "$n" "$RETE" sort -o /dev/null
		postproc_run pcap "$TMP/pp.json" "$n" "$RETE" pcap -o /dev/null
		postproc_run stats "$TMP/pp.json" "$n" "$RETE" stats
		postproc_run sort_tenth "$TMP/pp-small.json" "$small" "$RETE" sort
	done
	rm -f "$TMP/pp.json" "$TMP/pp-small.json"
}

# --- family 7: kernel function probe attach times, in the full-kernel lane ------------------------

family_attach() {
	local k label script out line kprobes mode load_ms attach_ms detach_ms left_out
	case $BUILD in "$ROOT"/*) ;; *)
		log "attach: skipped (the lane shares $ROOT only, and BUILD=$BUILD is outside it)"
		return ;;
	esac
	make -C "$ROOT" --no-print-directory BUILD="$BUILD" "$BUILD/bench/kprobe_attach" \
		>"$TMP/attach-build.log" 2>&1 || { log "attach: build failed"; return; }
	script="$BUILD/bench/attach-in-lane.sh"
	{
		echo '#!/bin/sh'
		echo "$BUILD/bench/kprobe_attach 10 100 1000"
		echo "$BUILD/bench/kprobe_attach --single 10 100 1000"
		echo "$BUILD/bench/kprobe_attach --fentry 10 100"
	} >"$script"
	chmod +x "$script"
	for k in ${BENCH_ATTACH_KERNELS:-6.12:linux-image-6.12-amd64 6.1:linux-image-amd64}; do
		label=${k%%:*}
		log "attach: kprobe.multi / single links / fentry for 10, 100, 1000 functions in the $label lane (qemu)"
		out=$(LANE_KERNEL=${k#*:} LANE_TIMEOUT=900 "$ROOT/tests/lane/run-in-kernel.sh" "$script" 2>&1)
		if ! grep -q '^kprobes=' <<<"$out"; then
			sample family=attach kernel="$label" error="$(tail -3 <<<"$out" | tr '\n' ' ' | head -c 300)"
			log "  $label: no figures (the lane could not run?)"
			continue
		fi
		while read -r line; do
			# kprobes=N mode=M load_ms=L attach_ms=A detach_ms=D left_out=O
			kprobes=$(sed -n 's/.*kprobes=\([0-9]*\).*/\1/p' <<<"$line")
			mode=$(sed -n 's/.*mode=\([a-z]*\).*/\1/p' <<<"$line")
			load_ms=$(sed -n 's/.*load_ms=\([0-9]*\).*/\1/p' <<<"$line")
			attach_ms=$(sed -n 's/.*attach_ms=\([0-9]*\).*/\1/p' <<<"$line")
			detach_ms=$(sed -n 's/.*detach_ms=\([0-9]*\).*/\1/p' <<<"$line")
			left_out=$(sed -n 's/.*left_out=\([0-9]*\).*/\1/p' <<<"$line")
			sample family=attach kernel="$label" mode="$mode" probes="$kprobes" load_ms="$load_ms" \
				attach_ms="$attach_ms" detach_ms="$detach_ms" left_out="$left_out"
			log "  $label $(printf '%-8s %5s' "$mode" "$kprobes"): load $load_ms ms, attach $attach_ms ms, detach $detach_ms ms"
		done < <(grep '^kprobes=' <<<"$out")
	done
	rm -f "$script"
}

# --- main ----------------------------------------------------------------------------------------

log "rete benchmark: families: $FAMILIES; $RUNS round(s), ${LOAD_S} s loads$([ "$QUICK" = 1 ] && echo ' (quick)')"
for f in $FAMILIES; do "family_$f"; done
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)

jq -n --slurpfile samples "$SAMPLES" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg commit "$commit" \
	--arg version "$(cat "$ROOT/VERSION" 2>/dev/null)" \
	--arg host "$(uname -n)" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--argjson mem_mb "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)" \
	--arg virt "$(systemd-detect-virt 2>/dev/null || echo unknown)" \
	--arg loadavg_start "$LOADAVG_START" --arg loadavg_end "$LOADAVG_END" \
	--arg families "$FAMILIES" --argjson runs "$RUNS" --argjson load_s "$LOAD_S" \
	--argjson stats_runs "$STATS_RUNS" --argjson quick "$([ "$QUICK" = 1 ] && echo true || echo false)" \
	--argjson elapsed_s "$((SECONDS - BEGIN_S))" \
	'{date: $date, commit: $commit, version: $version,
	  machine: {host: $host, kernel: $kernel, cpus: $cpus, cpu: $cpu, mem_mb: $mem_mb, virt: $virt,
	            loadavg_start: $loadavg_start, loadavg_end: $loadavg_end},
	  settings: {families: ($families | split(" ")), runs: $runs, load_s: $load_s,
	             stats_runs: $stats_runs, quick: $quick},
	  elapsed_s: $elapsed_s, samples: $samples}' >"$TMP/raw.json"
jq -f "$ROOT/bench/report.jq" "$TMP/raw.json" >"$TMP/latest.json" || {
	echo "bench/run.sh: report failed; raw samples:" >&2
	cat "$SAMPLES" >&2
	exit 1
}
jq -r -f "$ROOT/bench/table.jq" "$TMP/latest.json"
if [ "${BENCH_NO_RECORD:-0}" != 1 ]; then
	mkdir -p "$RESULTS"
	cp "$TMP/latest.json" "$RESULTS/latest.json"
	jq -c 'del(.samples)' "$TMP/latest.json" >>"$RESULTS/history.jsonl"
	log "results: $RESULTS/latest.json, appended to $RESULTS/history.jsonl"
fi
log "done in $((SECONDS - BEGIN_S)) s"
