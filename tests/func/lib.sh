# Shared helpers for functional tests: result lines, root/BPF checks, test hosts.
# Results: "PASS name", "FAIL name: why", "SKIP name: reason" (counted by tests/run.sh).
set -u
RETE=${RETE:-$PWD/build/rete}
TMP=$(mktemp -d /tmp/rete-func.XXXXXX)
NS_A="rete-a-$$"
NS_B="rete-b-$$"
VA="va$$"
VB="vb$$"
IP_A=192.0.2.1
IP_B=192.0.2.2
_cleanups=()

# Time limits and waits scale with RETE_TEST_SLOW (the full-kernel lane emulates its CPU and
# sets 10): slow SECONDS prints SECONDS times that factor.
SLOW=${RETE_TEST_SLOW:-1}
slow() { awk -v s="$1" -v k="$SLOW" 'BEGIN { print s * k }'; }
# wait_for FILE REGEX SECONDS: wait until a line of FILE matches REGEX, at most SECONDS (scaled).
wait_for() {
	local end=$(($(date +%s) + $(slow "$3" | cut -d. -f1) + 1))
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# In the full-kernel lane (tests/lane/, RETE_LANE=1) only what depends on the kernel runs: the
# rest is already run on the host. kernel_independent SECTION: 0 to run SECTION here, else one
# SKIP line for it and 1.
kernel_independent() {
	[ "${RETE_LANE:-}" = 1 ] || return 0
	echo "SKIP $1: kernel-independent, run on the host only (not in the full-kernel lane)"
	return 1
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "SKIP $1: $2"; }
# check NAME CONDITION-COMMAND... : pass if the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "'$*' failed"; fi
}

cleanup() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1; done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
on_exit() { _cleanups+=("$1"); }

# Why BPF tests cannot run here, or nothing.
bpf_unavailable() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root"; return 0; }
	[ -r /sys/kernel/btf/vmlinux ] || { echo "no kernel BTF"; return 0; }
	[ -x "$RETE" ] || { echo "$RETE not built"; return 0; }
	command -v ip >/dev/null || { echo "iproute2 missing"; return 0; }
	return 1
}

# Skip every named test with a reason when BPF cannot run; returns 1 then.
require_bpf() {
	local why
	if why=$(bpf_unavailable); then
		for t in "$@"; do skip "$t" "$why"; done
		return 1
	fi
	return 0
}

# Two test hosts: $NS_A ($IP_A on $VA) <-> $NS_B ($IP_B on $VB).
setup_hosts() {
	ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
	ip link add "$VA" netns "$NS_A" type veth peer name "$VB" netns "$NS_B" || return 1
	ip -n "$NS_A" addr add "$IP_A/24" dev "$VA"
	ip -n "$NS_B" addr add "$IP_B/24" dev "$VB"
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" link set "$VA" up
	ip -n "$NS_B" link set "$VB" up
	# Resolve neighbours once so later captures see only the traffic under test.
	ip netns exec "$NS_A" ping -c1 -W2 "$IP_B" >/dev/null 2>&1
}

# A third host behind $NS_B as a router (after setup_hosts):
# $NS_A -> $NS_B ($IP_B | 198.51.100.254, forwarding) -> $NS_C (198.51.100.2 on $VC).
NS_C="rete-c-$$" VC="vc$$" VCB="vcb$$"
setup_router() {
	ip netns add "$NS_C" || return 1
	on_exit "ip netns del $NS_C"
	ip link add "$VCB" netns "$NS_B" type veth peer name "$VC" netns "$NS_C" || return 1
	ip -n "$NS_B" addr add 198.51.100.254/24 dev "$VCB" &&
		ip -n "$NS_C" addr add 198.51.100.2/24 dev "$VC" &&
		ip -n "$NS_B" link set "$VCB" up && ip -n "$NS_C" link set "$VC" up &&
		ip -n "$NS_C" link set lo up &&
		ip -n "$NS_A" route add 198.51.100.0/24 via "$IP_B" &&
		ip -n "$NS_C" route add 192.0.2.0/24 via 198.51.100.254 &&
		ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1
}

# sigint_flood OUT ERR: rete collect -o OUT (stderr to ERR) while `ping -f` floods $NS_A ->
# $NS_B, stopped by SIGINT after a second (it detaches under traffic); returns rete's status.
sigint_flood() {
	local cpid fpid rc
	"$RETE" collect -o "$1" 2>"$2" &
	cpid=$!
	wait_for "$2" 'probe\(s\) loaded' 10 # a signal before that is another test
	ip netns exec "$NS_A" ping -f -c 20000 -W1 "$IP_B" >/dev/null 2>&1 &
	fpid=$!
	sleep 1
	kill -INT "$cpid"
	wait "$cpid"
	rc=$?
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
	return "$rc"
}

ns_inum() { stat -L -c %i "/run/netns/$1"; }
ifindex_in() { ip -n "$1" -o link show "$2" | cut -d: -f1; }

# IDs of loaded BPF programs named rete_* (to check nothing stays attached).
rete_progs() { bpftool prog show 2>/dev/null | grep -c 'name rete_' || true; }

# Every line of a JSON-lines file parses.
json_lines_ok() { jq -c . "$1" >/dev/null 2>&1; }
