# Helpers for bench/run.sh (sourced): processes, namespaces, loads, tracers, samples.
# Every process started here is tracked by PID and stopped by PID; nothing is matched by name.

# --- small utilities -----------------------------------------------------------------------------

log() { printf '[bench] %s\n' "$*" >&2; }

# NOW: wall clock in microseconds (no fork; callers read $NOW after calling now_us).
now_us() { NOW=${EPOCHREALTIME/./}; }

# Sleep without forking: read -t on a fifo nobody writes (NAP_FIFO, opened read-write).
nap() { read -rt "$1" <>"$NAP_FIFO" 2>/dev/null || true; }

# PSTATE: state letter of a process ("" when gone; Z = exited, not yet reaped). No fork.
proc_state() {
	local s=
	PSTATE=
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 0
	s=${s##*) }
	PSTATE=${s%% *}
}

alive() { proc_state "$1"; [ -n "$PSTATE" ] && [ "$PSTATE" != Z ]; }

# utime + stime of a process (all its threads), in clock ticks.
cpu_ticks() {
	local s=
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || { echo 0; return; }
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo $((${12} + ${13}))
}

# cpu_snap FILE: the per-CPU lines of /proc/stat.
cpu_snap() { grep '^cpu[0-9]' /proc/stat >"$1"; }

# cpu_busy BEFORE AFTER: "busy% of CPU 0, busy% of CPU 1, steal% (all CPUs)" between two snaps.
cpu_busy() {
	awk 'NR == FNR { for (i = 2; i <= 9; i++) a[$1, i] = $i; next }
	     { t = 0; for (i = 2; i <= 9; i++) { d[i] = $i - a[$1, i]; t += d[i] }
	       busy[$1] = t ? 100 * (t - d[5] - d[6]) / t : 0; st += d[9]; tt += t }
	     END { printf "%.1f %.1f %.1f\n", busy["cpu0"], busy["cpu1"], tt ? 100 * st / tt : 0 }' "$1" "$2"
}

# ksoftirqd/0's PID: softirq work deferred off the data path's CPU is charged to it.
ksoftirqd0() {
	local d c
	for d in /proc/[0-9]*; do
		{ read -r c <"$d/comm"; } 2>/dev/null || continue
		[ "$c" = ksoftirqd/0 ] && { echo "${d#/proc/}"; return; }
	done
}

# Time a task has run, in ns (first field of /proc/PID/schedstat; 0 when unknown).
sched_ns() {
	local a=0 b
	[ -n "$1" ] && { read -r a b <"/proc/$1/schedstat"; } 2>/dev/null
	echo "${a:-0}"
}

vm_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# --- process tracking and cleanup ---------------------------------------------------------------

PIDS=()
track() { PIDS+=("$1"); }
untrack() {
	local i
	for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" = "$1" ] && unset "PIDS[$i]"; done
}

# spawn OUT ERR CMD...: start CMD in the background with SIGINT at its default disposition (a
# non-interactive shell makes background jobs ignore SIGINT: a tool that relies on the default
# action would not stop). Sets SPAWNED to the PID of CMD itself (exec: no shell in between, so
# the signals reach the tool, not a wrapper).
spawn() {
	local out=$1 err=$2
	shift 2
	(exec env --default-signal=INT,QUIT "$@" >"$out" 2>"$err") &
	SPAWNED=$!
	track "$SPAWNED"
}

# reap PID TIMEOUT_S: wait (polling every 2 ms) for PID to exit; past TIMEOUT_S send SIGTERM,
# 5 s later SIGKILL. Sets REAP_RC (exit status), REAP_NOTE (escalation, if any) and REAP_END
# (microsecond clock when the exit was seen).
reap() {
	local pid=$1 limit=$(($2 * 1000000)) t0 stage=0
	now_us
	t0=$NOW
	REAP_NOTE=
	while alive "$pid"; do
		now_us
		if ((stage == 0 && NOW - t0 > limit)); then
			REAP_NOTE="did not exit within $2 s: SIGTERM"
			kill -TERM "$pid" 2>/dev/null
			stage=1
		elif ((stage == 1 && NOW - t0 > limit + 5000000)); then
			REAP_NOTE="$REAP_NOTE, SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			stage=2
		elif ((stage == 2 && NOW - t0 > limit + 10000000)); then
			break
		fi
		nap 0.002
	done
	now_us
	REAP_END=$NOW
	wait "$pid" 2>/dev/null
	REAP_RC=$?
	untrack "$pid"
}

# stop PID: SIGINT, then reap (30 s grace).
stop() {
	kill -INT "$1" 2>/dev/null
	reap "$1" "${STOP_TIMEOUT:-30}"
}

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$pid" || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[ -n "${NS_A:-}" ] && ip netns del "$NS_A" 2>/dev/null
	[ -n "${NS_B:-}" ] && ip netns del "$NS_B" 2>/dev/null
	if [ -n "${SAVED_BPF_STATS:-}" ]; then
		sysctl -qw kernel.bpf_stats_enabled="$SAVED_BPF_STATS" >/dev/null 2>&1
	fi
	[ "${TRACEFS_MOUNTED:-0}" = 1 ] && umount /sys/kernel/tracing 2>/dev/null
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}

# --- tools ----------------------------------------------------------------------------------------

# need_tool CMD PACKAGE: 0 when CMD is there (installing PACKAGE with apt-get if allowed).
need_tool() {
	PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 && return 0
	[ "${BENCH_NO_INSTALL:-0}" = 1 ] && return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	log "installing $2 (for $1)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >"$TMP/apt.log" 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$TMP/apt.log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >>"$TMP/apt.log" 2>&1; }
	PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1
}

tracefs_mounted() { [ -e /sys/kernel/tracing/events ]; }

# Peers (bpftrace, perf) resolve tracepoints through tracefs: mount it while they run.
tracefs_up() {
	tracefs_mounted && return 0
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null && TRACEFS_MOUNTED=1
}
tracefs_down() {
	[ "${TRACEFS_MOUNTED:-0}" = 1 ] && umount /sys/kernel/tracing 2>/dev/null && TRACEFS_MOUNTED=0
	return 0
}

# --- namespaces and loads -------------------------------------------------------------------------

IP_A=192.0.2.1
IP_B=192.0.2.2
UDP_PORT=9
TCP_PORT=5201

netns_up() {
	NS_A="rbench-a-$$"
	NS_B="rbench-b-$$"
	VA="rbva$$"
	VB="rbvb$$"
	ip netns add "$NS_A" && ip netns add "$NS_B" &&
		ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B" &&
		ip -n "$NS_A" addr add "$IP_A/24" dev "$VA" &&
		ip -n "$NS_B" addr add "$IP_B/24" dev "$VB" &&
		ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
		ip -n "$NS_A" link set "$VA" up && ip -n "$NS_B" link set "$VB" up || return 1
	# Resolve the neighbour once so the loads measure only their own packets.
	ip netns exec "$NS_A" ping -c1 -W2 "$IP_B" >/dev/null 2>&1
}

# load_udp [RATE]: 64-byte UDP flood for LOAD_S seconds, both ends on CPU 0.
# Sets L_VALUE (received packets/s), L_SENT, L_RECV, L_SECS, L_CPU_NS (data-path CPU time:
# sender + receiver + ksoftirqd/0); returns 1 on failure (L_NOTE).
load_udp() {
	local out k0 k1 cpu_us=
	L_VALUE= L_SENT= L_RECV= L_SECS= L_NOTE= L_CPU_NS=
	k0=$(sched_ns "$KSOFTIRQD0")
	out=$("$FLOOD" --src-ns "$NS_A" --dst-ns "$NS_B" --dst "$IP_B" --port "$UDP_PORT" \
		--seconds "$LOAD_S" --cpu 0 --size 64 --batch 32 ${1:+--rate "$1"} 2>"$TMP/flood.err") ||
		{ L_NOTE="flood failed: $(head -c 200 "$TMP/flood.err")"; return 1; }
	k1=$(sched_ns "$KSOFTIRQD0")
	for kv in $out; do
		case $kv in
		sent=*) L_SENT=${kv#sent=} ;;
		received=*) L_RECV=${kv#received=} ;;
		seconds=*) L_SECS=${kv#seconds=} ;;
		pps=*) L_VALUE=${kv#pps=} ;;
		cpu_us=*) cpu_us=${kv#cpu_us=} ;;
		esac
	done
	[ -n "$cpu_us" ] && L_CPU_NS=$((cpu_us * 1000 + k1 - k0))
	[ -n "$L_VALUE" ]
}

# load_tcp: one iperf3 stream for LOAD_S seconds, client and server on CPU 0.
# Sets L_VALUE (receiver Gbit/s), L_SECS.
load_tcp() {
	local srv t0
	L_VALUE= L_SENT= L_RECV= L_SECS= L_NOTE= L_CPU_NS=
	spawn "$TMP/iperf3-s.out" "$TMP/iperf3-s.err" \
		ip netns exec "$NS_B" taskset -c 0 iperf3 -s -1 -B "$IP_B" -p "$TCP_PORT"
	srv=$SPAWNED
	now_us
	t0=$NOW
	until ip netns exec "$NS_B" ss -Hltn "sport = :$TCP_PORT" 2>/dev/null | grep -q .; do
		now_us
		if ! alive "$srv" || ((NOW - t0 > 5000000)); then
			kill -TERM "$srv" 2>/dev/null
			reap "$srv" 5
			L_NOTE="iperf3 server did not start"
			return 1
		fi
		nap 0.01
	done
	ip netns exec "$NS_A" taskset -c 0 iperf3 -c "$IP_B" -p "$TCP_PORT" -t "$LOAD_S" -J \
		>"$TMP/iperf3-c.json" 2>"$TMP/iperf3-c.err"
	kill -TERM "$srv" 2>/dev/null
	reap "$srv" 5
	L_VALUE=$(jq -r '(.end.sum_received.bits_per_second // empty) / 1e9' "$TMP/iperf3-c.json" 2>/dev/null)
	L_SECS=$(jq -r '.end.sum_received.seconds // empty' "$TMP/iperf3-c.json" 2>/dev/null)
	[ -n "$L_VALUE" ] || { L_NOTE="iperf3 failed: $(jq -r '.error // empty' "$TMP/iperf3-c.json" 2>/dev/null)"; return 1; }
}

# --- BPF program statistics -----------------------------------------------------------------------

# prog_ids: ids of the BPF programs loaded now (one per line).
prog_ids() { bpftool prog show -j 2>/dev/null | jq -r '.[].id' 2>/dev/null; }

# prog_stats BASELINE_FILE NAME_REGEX: run_time_ns and run_cnt summed over the programs loaded
# since BASELINE whose name matches; prints "TIME CNT NPROGS" and the per-program detail as JSON.
prog_stats() {
	bpftool prog show -j 2>/dev/null | jq -c --slurpfile base <(jq -R 'tonumber' "$1" | jq -s .) \
		--arg re "$2" '
		[ .[] | select((.id as $i | $base[0] | index($i)) | not)
		      | select(.name != null and (.name | test($re)))
		      | {id, name, run_time_ns: (.run_time_ns // 0), run_cnt: (.run_cnt // 0)} ] as $p
		| { run_time_ns: ([$p[].run_time_ns] | add // 0), run_cnt: ([$p[].run_cnt] | add // 0),
		    programs: $p }'
}

# --- samples --------------------------------------------------------------------------------------

# sample KEY=VALUE...: append one JSON object to the samples file. Values that look like
# numbers, true/false/null are stored as such; everything else as strings.
sample() {
	local args=() kv k v
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		if [[ $v =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ || $v == true || $v == false || $v == null ]]; then
			args+=(--argjson "$k" "$v")
		elif [[ $v == '{'* || $v == '['* ]] && jq -e . >/dev/null 2>&1 <<<"$v"; then
			args+=(--argjson "$k" "$v")
		else
			args+=(--arg "$k" "$v")
		fi
	done
	jq -nc '$ARGS.named' "${args[@]}" >>"$SAMPLES"
}
