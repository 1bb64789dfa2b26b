# Benchmark tools (bench/run.sh): included from the main Makefile with `-include bench/bench.mk`.
#
#   make bench-tools    $(BUILD)/bench/anchor (floor + minimal emitter) and $(BUILD)/bench/flood
#   make $(BUILD)/bench/kprobe_attach   kprobe attach/detach times (run it where kprobes exist)

ifndef RETE_BENCH_MK
RETE_BENCH_MK := 1

BENCH_OUT := $(BUILD)/bench
BENCH_TOOLS := $(BENCH_OUT)/anchor $(BENCH_OUT)/flood

.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)

.SECONDARY: $(BENCH_OUT)/anchor.bpf.o $(BENCH_OUT)/anchor.skel.h

$(BENCH_OUT)/anchor.bpf.o: bench/anchor.bpf.c bench/anchor.h $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BENCH_OUT)/anchor.skel.h: $(BENCH_OUT)/anchor.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name anchor_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_OUT)/anchor: bench/anchor.c bench/anchor.h $(BENCH_OUT)/anchor.skel.h
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_OUT) -Ibench $< -lbpf -lelf -lz -o $@

$(BENCH_OUT)/flood: bench/flood.c
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

# Attach and detach time of N kprobes, kprobe.multi vs single links (kernels with kprobes).
$(BENCH_OUT)/kprobe_attach: bench/kprobe_attach.c $(BUILD)/librete.a $(HDRS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $< $(BUILD)/librete.a $(LDLIBS) -o $@

endif
