#!/usr/bin/env bash
# The BPF programs' stack frames leave room for an injected filter. The verifier adds a
# program's frame (rounded up to 32 bytes) to the frame of each function it calls and refuses
# more than 512 bytes in all; a packet filter's frame is 160 bytes (6.1 refused the kprobe
# program with "combined stack size of 2 calls is 544" when its frame grew from 352 to 360
# bytes). Checked on the objects, so it holds on the host, where kprobes cannot load.
cd "$(dirname "$0")/../.."
. tests/func/lib.sh

BUILD=${BUILD:-build}
BUDGET=$((512 - 160))
if ! command -v llvm-objdump >/dev/null; then
	skip bpf_stack "llvm-objdump is missing (Debian package llvm)"
	exit 0
fi
objs=("$BUILD"/bpf/raw_tp.bpf.o "$BUILD"/bpf/kprobe.bpf.o "$BUILD"/bpf/fentry.bpf.o)
for o in "${objs[@]}"; do
	if [ ! -f "$o" ]; then
		skip bpf_stack "$o not built"
		exit 0
	fi
done
# Deepest r10 offset per function symbol (LBB labels are blocks, not functions).
frames=$(for o in "${objs[@]}"; do
	llvm-objdump -d --no-show-raw-insn "$o" | awk -v obj="${o##*/}" '
		/^[0-9a-f]+ <[^L][^>]*>:/ { fn = $2; gsub(/[<>:]/, "", fn); seen[fn] = 1 }
		/r10 - [0-9]+/ { match($0, /r10 - [0-9]+/); v = substr($0, RSTART + 6, RLENGTH - 6) + 0
			if (v > m[fn]) m[fn] = v }
		END { for (f in seen) if (f !~ /^rete_filter_/) print obj, f, m[f] + 0 }'
done)
n=$(wc -l <<<"$frames")
over=$(awk -v b=$BUDGET '{ r = int(($3 + 31) / 32) * 32; if (r > b) print $1 ":" $2 " " $3 " bytes" }' <<<"$frames")
if [ "$n" -ge 6 ] && [ -z "$over" ]; then
	pass bpf_stack
else
	fail bpf_stack "frames over $BUDGET bytes: ${over:-none}; $n programs found"
fi
