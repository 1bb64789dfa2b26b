#!/usr/bin/env bash
# run-in-kernel.sh - run one command as root inside a throw-away qemu guest booting a stock
# Debian kernel (kprobes, fentry/fexit, BTF, modules), and return the command's exit status.
#
#   usage: tests/lane/run-in-kernel.sh [--prepare] [--] COMMAND [ARG...]
#   e.g.   tests/lane/run-in-kernel.sh build/rete inspect
#          LANE_KERNEL=linux-image-6.12-amd64 tests/lane/run-in-kernel.sh tests/lane/guest.sh
#          tests/lane/run-in-kernel.sh --prepare        # install, download, build; no boot
#
# The guest sees the host's root filesystem read-only (9p) under a tmpfs overlay, so every
# program and library of the host (bash, iproute2, jq, the rete built on the host) runs there
# unchanged; /tmp, /run and /var/tmp are fresh tmpfs. LANE_SHARE (default: the current
# directory) is mounted read-write at the same path, and the command runs as root in the current
# directory. The guest kernel's modules are at /lib/modules (modprobe works); proc, sys, dev,
# debugfs, tracefs, bpffs and cgroup2 are mounted; lo is up; there is no other network.
# Software emulation (TCG) runs everything about 10x slower than the host: build on the host.
#
# Needs root (apt-get, the cache) the first time. Installs qemu-system-x86, busybox-static,
# kmod and xz-utils when missing; downloads the kernel package with apt-get download (never
# installed on the host) into LANE_CACHE, with an initramfs built from busybox.
#
# Environment:
#   LANE_KERNEL   Debian kernel package, meta or real [linux-image-amd64 = 6.1;
#                 linux-image-6.12-amd64 = 6.12 from bookworm-security]
#   LANE_CACHE    kernel packages and initramfs       [/var/cache/rete-lane]
#   LANE_SHARE    host directory mounted read-write   [$PWD]
#   LANE_ACCEL    auto|kvm|tcg (auto: kvm only when /dev/kvm is writable and the CPU has
#                 vmx or svm; the nested PVM "kvm" of some cloud VMs cannot boot stock kernels)
#   LANE_MEM, LANE_SMP   guest memory and CPUs    [2G, 2]
#   LANE_TCG_THREAD  single|multi: TCG runs every vCPU in one host thread, or one thread per
#                 vCPU [single; multi panics the guest now and then, see below]
#   LANE_TIMEOUT  seconds before the guest is killed  [900]
#   LANE_ENV      names of host variables passed to the command
#   LANE_APPEND   extra kernel command line;  LANE_QEMU_ARGS  extra qemu arguments
#   LANE_VERBOSE=1  print the whole guest console after the run (else only on failure)
#
# The command gets no stdin; its stdout and stderr are streamed to stdout. Exit status:
#   the command's own,
#   77  the lane cannot run here (not root, tools not installable, download failed, ...):
#       one line "rete-lane: cannot run: REASON" on stderr; only before the guest boots,
#   124 the guest timed out, 125 the guest never reported a status (boot failure, panic);
#       the whole guest console is printed then, and the result line says whether the guest
#       kernel crashed: "guest kernel crashed: Oops: int3 ... at RIP: sk_skb_reason_drop+0x30".
set -euo pipefail

LANE_KERNEL=${LANE_KERNEL:-linux-image-amd64}
LANE_CACHE=${LANE_CACHE:-/var/cache/rete-lane}
LANE_SHARE=${LANE_SHARE:-$PWD}
LANE_ACCEL=${LANE_ACCEL:-auto}
LANE_MEM=${LANE_MEM:-2G}
LANE_SMP=${LANE_SMP:-2}
LANE_TCG_THREAD=${LANE_TCG_THREAD:-single}
LANE_TIMEOUT=${LANE_TIMEOUT:-900}
LANE_ENV=${LANE_ENV:-}
LANE_APPEND=${LANE_APPEND:-}
LANE_QEMU_ARGS=${LANE_QEMU_ARGS:-}
LANE_VERBOSE=${LANE_VERBOSE:-0}
INITRD_REV=2 # bump when the initramfs (modules, /init) below changes

log() { echo "rete-lane: $*" >&2; }
cannot() {
	echo "rete-lane: cannot run: $*" >&2
	exit 77
}

prepare_only=0
[ "${1:-}" = --prepare ] && { prepare_only=1; shift; }
[ "${1:-}" = -- ] && shift
if [ "$prepare_only" = 0 ] && [ $# -eq 0 ]; then
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
fi

# ---- 1. host tools -----------------------------------------------------------------------
[ "$(uname -m)" = x86_64 ] || cannot "the lane boots x86_64 kernels, this machine is $(uname -m)"
export PATH=$PATH:/usr/sbin:/sbin
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# a static busybox (the initramfs has no libc) with switch_root
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1 ||
	! /bin/busybox --list 2>/dev/null | grep -x switch_root >/dev/null; then # no -q: pipefail
	need+=(busybox-static)
fi
command -v depmod >/dev/null || need+=(kmod)
command -v xz >/dev/null || need+=(xz-utils) # modules are .ko.xz on 6.12
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || cannot "${need[*]} missing, and installing needs root"
	command -v apt-get >/dev/null || cannot "${need[*]} missing, and there is no apt-get"
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	err=$(apt-get install -y -qq --no-install-recommends "${need[@]}" 2>&1 >/dev/null) ||
		cannot "apt-get install ${need[*]} failed: $(tail -1 <<<"$err")"
fi
qemu-system-x86_64 --version >/dev/null 2>&1 || cannot "qemu-system-x86_64 does not start"

# ---- 2. kernel package: downloaded once, never installed on the host ----------------------
if ! mkdir -p "$LANE_CACHE" 2>/dev/null || [ ! -w "$LANE_CACHE" ]; then
	cannot "cache $LANE_CACHE is not writable (run as root or set LANE_CACHE)"
fi
exec 9>"$LANE_CACHE/.lock"
flock 9 # one builder at a time; released before the boot
pkg=$LANE_KERNEL
resolved=$LANE_CACHE/resolved-$pkg # meta -> real package, looked up again once a day
if [ -s "$resolved" ] && [ -z "$(find "$resolved" -mmin +1440)" ]; then
	pkg=$(cat "$resolved")
else
	apt-cache show "$pkg" >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1 || true
	# follow meta packages: linux-image-amd64 -> linux-image-6.1.0-NN-amd64
	for _ in 1 2 3; do
		real=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }') || true
		[ -n "$real" ] || break
		pkg=$real
	done
	if apt-cache show "$pkg" >/dev/null 2>&1; then
		previous=$(cat "$resolved" 2>/dev/null) || true
		echo "$pkg" >"$resolved"
	elif [ -s "$resolved" ]; then
		pkg=$(cat "$resolved") # offline: keep yesterday's answer
	else
		cannot "no package $pkg in the apt sources (linux-image-6.12-amd64 needs bookworm-security)"
	fi
fi
kdir=$LANE_CACHE/$pkg
if [ ! -e "$kdir/.done" ]; then
	log "downloading $pkg"
	rm -rf "$kdir"
	mkdir -p "$kdir"
	err=$(cd "$kdir" && apt-get download "$pkg" 2>&1) || true
	debs=("$kdir"/*.deb)
	[ -f "${debs[0]}" ] || cannot "apt-get download $pkg failed: $(grep -v unsandboxed <<<"$err" | tail -1)"
	dpkg -x "${debs[0]}" "$kdir/root"
	rm -f "${debs[@]}"
	kvers=("$kdir"/root/lib/modules/*)
	depmod -b "$kdir/root" "${kvers[0]##*/}" # the package ships no modules.dep
	touch "$kdir/.done"
	# a newer kernel replaces the one cached for this meta package
	[ -z "${previous:-}" ] || [ "$previous" = "$pkg" ] || rm -rf "${LANE_CACHE:?}/$previous"
fi
kvers=("$kdir"/root/lib/modules/*)
kver=${kvers[0]##*/}
vmlinuz=$kdir/root/boot/vmlinuz-$kver
mods=$kdir/root/lib/modules/$kver

# ---- 3. initramfs: static busybox, the 9p and overlay modules, /init ----------------------
initrd=$kdir/initrd-$INITRD_REV.img
if [ ! -e "$initrd" ]; then
	log "building the initramfs for $kver"
	rm -f "$kdir"/initrd-*.img # older revisions
	ird=$(mktemp -d)
	trap 'rm -rf "$ird"' EXIT
	mkdir -p "$ird"/{bin,dev,proc,sys,mods,lower,rw,newroot}
	cp /bin/busybox "$ird/bin/busybox"
	# The modules we need and their dependencies, in load order, from modules.dep.
	declare -A seen=()
	order=()
	add_mod() { # $1: path relative to $mods, as modules.dep writes it
		local rel=$1 d deps
		[ -n "${seen[$rel]:-}" ] && return
		seen[$rel]=1
		read -ra deps < <(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$mods/modules.dep") || true
		for d in ${deps[@]+"${deps[@]}"}; do
			add_mod "$d"
		done
		order+=("$rel")
	}
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		rel=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", n);
			gsub(/-/, "_", n) } n == m { print $1; exit }' "$mods/modules.dep")
		[ -z "$rel" ] || add_mod "$rel" # not found: built in
	done
	: >"$ird/mods/order"
	for rel in "${order[@]}"; do
		b=${rel##*/}
		b=${b%.xz}
		b=${b%.zst}
		b=${b%.gz}
		case $rel in
		*.xz) xz -dc "$mods/$rel" >"$ird/mods/$b" ;;
		*.zst) zstd -qdc "$mods/$rel" >"$ird/mods/$b" ;;
		*.gz) gzip -dc "$mods/$rel" >"$ird/mods/$b" ;;
		*) cp "$mods/$rel" "$ird/mods/$b" ;;
		esac
		echo "$b" >>"$ird/mods/order"
	done
	# Stage 1 (busybox): mount the host's root under a tmpfs overlay and the shares, then
	# switch_root into it so that PID 1, and with it the kernel's usermode helpers
	# (request_module -> /sbin/modprobe), see the host's userspace. A chroot is not enough:
	# "ip link add type veth" then fails with "Unknown device type".
	cat >"$ird/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
die() { echo "rete-lane-init: $*" >/dev/console; poweroff -f; }
for m in $(cat /mods/order); do insmod /mods/$m || die "insmod $m failed"; done
o=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $o,ro,cache=loose hostroot /lower || die "9p hostroot"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || die overlay
R=/newroot
for d in tmp run var/tmp; do mkdir -p $R/$d; mount -t tmpfs -o mode=1777 tmpfs $R/$d; done
mkdir -p $R/lane && mount -t 9p -o $o lanectl $R/lane || die "9p lanectl"
. $R/lane/env.sh
mkdir -p "$R$LANE_SHARE" && mount -t 9p -o $o,cache=mmap laneshare "$R$LANE_SHARE" || die "9p laneshare"
mkdir -p $R/lib/modules && mount -t 9p -o $o,ro lanemods $R/lib/modules || die "9p lanemods"
mount --move /proc $R/proc; mount --move /sys $R/sys; mount --move /dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm; mount -t devpts devpts $R/dev/pts; mount -t tmpfs tmpfs $R/dev/shm
# what udev would add: bash's <(...) needs /dev/fd
ln -s /proc/self/fd $R/dev/fd; ln -s fd/0 $R/dev/stdin; ln -s fd/1 $R/dev/stdout; ln -s fd/2 $R/dev/stderr
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf $R/sys/fs/bpf
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup
ip link set lo up; hostname rete-lane; echo "127.0.1.1 rete-lane" >>$R/etc/hosts
cut -d" " -f1 $R/proc/uptime >$R/lane/booted
cat >$R/run/lane-stage2 <<'EOS'
#!/bin/busybox sh
cd "$LANE_CWD" && /bin/bash /lane/cmd.sh </dev/null >/lane/out.log 2>&1
echo $? >/lane/rc
sync
/bin/busybox poweroff -f
EOS
chmod +x $R/run/lane-stage2
exec switch_root $R /run/lane-stage2
EOF
	chmod +x "$ird/init"
	(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$ird"
	trap - EXIT
fi
flock -u 9
exec 9>&-
if [ "$prepare_only" = 1 ]; then
	log "$pkg ready ($kver)"
	exit 0
fi

# ---- 4. per-run control directory: the command, its environment, output and status --------
share=$(cd "$LANE_SHARE" && pwd -P)
case $share in *,*) cannot "qemu cannot share a path with a comma: $share" ;; esac
run=$(mktemp -d /tmp/rete-lane.XXXXXX)
qpid=""
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
{
	printf 'export LANE_SHARE=%q LANE_CWD=%q\n' "$share" "$(pwd -P)"
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root'
	echo 'export LANG=C.UTF-8 TERM=dumb RETE_LANE=1'
	for v in $LANE_ENV; do
		[ -z "${!v+x}" ] || printf 'export %s=%q\n' "$v" "${!v}"
	done
} >"$run/env.sh"
{
	echo '. /lane/env.sh'
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$run/cmd.sh"
: >"$run/out.log"
case $(pwd -P)/ in "$share"/*) ;; *) log "warning: $(pwd -P) is outside LANE_SHARE, read-only in the guest" ;; esac

# ---- 5. boot -----------------------------------------------------------------------------
accel=$LANE_ACCEL
if [ "$accel" = auto ]; then
	if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm; else accel=tcg; fi
fi
# TCG emulates "rep movsb/stosb" one byte at a time: without ERMS/FSRM the guest's kernel and
# libc copy and clear memory with plain moves instead, and everything runs about a third faster.
tcg_cpu=max,-erms,-fsrm
# Single-threaded TCG: with one host thread per vCPU (multi-threaded TCG), a vCPU can go on
# running a translation of kernel text that the other vCPU has just live-patched (x86
# text_poke: a tracepoint's static key switched when rete attaches or detaches under traffic)
# and hit the int3 of a patch that is already over: "Oops: int3" in the guest, about one lane
# run in two on 6.12 (tests/lane/detach-loop.sh reproduces it). One thread switches vCPUs only
# between translation blocks, so a vCPU never sees such a half-done patch; the two guests of
# a lane run already share the host's two cores, so the lane is no slower for it.
case $LANE_TCG_THREAD in single | multi) ;; *) cannot "LANE_TCG_THREAD must be single or multi" ;; esac
case $accel in
kvm) acc=(-accel kvm -cpu host) ;;
*) acc=(-accel "tcg,thread=$LANE_TCG_THREAD" -cpu "$tcg_cpu") ;;
esac
read -ra extra <<<"$LANE_QEMU_ARGS"
# Under TCG the kernel distrusts the TSC and falls back to the emulated HPET for every clock
# read, and page-table isolation flushes the emulated TLB at every system call: spare both.
boot_args="mitigations=off"
[ "$accel" = kvm ] || boot_args+=" tsc=reliable clocksource=tsc"
t0=$(date +%s.%N)
timeout -k 10 "$LANE_TIMEOUT" qemu-system-x86_64 "${acc[@]}" -m "$LANE_MEM" -smp "$LANE_SMP" \
	-nodefaults -display none -monitor none -serial "file:$run/console.log" -nic none -no-reboot \
	-kernel "$vmlinuz" -initrd "$initrd" ${extra[@]+"${extra[@]}"} \
	-append "console=ttyS0 panic=-1 quiet loglevel=5 $boot_args $LANE_APPEND" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$run",mount_tag=lanectl,security_model=none \
	-virtfs local,path="$share",mount_tag=laneshare,security_model=none,multidevs=remap \
	-virtfs local,path="$kdir/root/lib/modules",mount_tag=lanemods,security_model=none,readonly=on \
	>"$run/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -f --pid="$qpid" "$run/out.log" & # stream the command's output
qrc=0
wait "$qpid" || qrc=$?
qpid=""
wait # for tail to print the rest
t1=$(date +%s.%N)
rc=125
[ ! -s "$run/rc" ] || rc=$(cat "$run/rc")
[ "$qrc" != 124 ] || rc=124
case $rc in
124) why=" (timed out after ${LANE_TIMEOUT}s)" ;;
125) why=" (the guest never reported a status)" ;;
*) why="" ;;
esac
# A guest kernel crash is told apart from a failing test: its first oops line and where.
crash=$(grep -m1 -E 'Oops:|BUG:|general protection fault|Kernel panic - not syncing' \
	"$run/console.log" 2>/dev/null | sed 's/^\[ *[0-9.]*\] //') || true
if [ -n "$crash" ]; then
	rip=$(grep -m1 -o 'RIP: [0-9a-f]*:[^ ]*' "$run/console.log" | sed 's/RIP: [0-9a-f]*:/RIP: /') || true
	why+="; guest kernel crashed: $crash${rip:+ at $rip}"
fi
[ "$accel" = kvm ] || accel+=",thread=$LANE_TCG_THREAD"
log "$pkg, accel=$accel, booted at $(cat "$run/booted" 2>/dev/null || echo '?')s of guest uptime," \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s in all, exit $rc$why"
if [ "$LANE_VERBOSE" = 1 ] || [ "$rc" != 0 ]; then
	log "---- guest console ----"
	cat "$run/console.log" "$run/qemu.log" >&2
	log "---- end of guest console ----"
fi
exit "$rc"
