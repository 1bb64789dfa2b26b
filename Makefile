# rete: one non-recursive Makefile.
#
#   make            build build/rete
#   make check      install missing packages, build, run every test suite
#   make collect    install missing packages, build, run `build/rete collect`
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      benchmark suite (never fails on a number)

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
LLVM_STRIP ?= llvm-strip

# Root is needed for apt-get and for tests that load BPF; use sudo when we are not root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wundef -Wmissing-prototypes \
	-Wstrict-prototypes -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -I$(BUILD) -Iinclude -Isrc \
	-DRETE_VERSION='"$(VERSION)"' -DRETE_GIT_REV='"$(GIT_REV)"' \
	-DRETE_DATADIR='"$(PREFIX)/share/rete"' -DRETE_PYTHON='"$(PY)"' -DRETE_PYSITE='"$(PY_SITE)"'
LDLIBS := -lbpf -lelf -lz -lpcap -ljson-c -lyaml -lnftnl -lmnl

ARCH := x86
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(BUILD) -Iinclude -Ibpf/include -Isrc -I/usr/include/x86_64-linux-gnu

BPF_PROBES := $(wildcard bpf/probes/*.bpf.c)
BPF_OBJS := $(patsubst bpf/probes/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_PROBES))
SKELS := $(patsubst bpf/probes/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_PROBES))
BPF_DEPS := $(wildcard bpf/include/*.h src/collectors/*/*.bpf.h include/uapi/*.h)
# BPF programs of the unit tests (run with BPF_PROG_TEST_RUN, never attached): not in `all`.
TEST_BPF := $(wildcard tests/bpf/*.bpf.c)
TEST_SKELS := $(patsubst tests/bpf/%.bpf.c,$(BUILD)/%.skel.h,$(TEST_BPF))

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c src/collectors/*/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst src/%.c,$(BUILD)/asan/%.o,$(LIB_SRCS))
HDRS := $(wildcard src/*.h src/*/*.h src/collectors/*/*.h include/uapi/*.h)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
ASAN_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests-asan/%,$(UNIT_SRCS))
UNIT_HELPERS := $(wildcard tests/unit/helpers/*.c)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The Python module (python/): rete/__init__.py and its C extension rete/_rete over the
# library built position-independent. Debian's python3, whatever python3 is first on PATH.
PY ?= /usr/bin/python3
PY_INC := $(patsubst -I%,-isystem %,$(shell $(PY)-config --includes 2>/dev/null))
PY_EXT := $(shell $(PY)-config --extension-suffix 2>/dev/null || echo .so)
PY_VER := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Where Debian's python3 looks: /usr/lib/python3/dist-packages, /usr/local/lib/python3.X/dist-packages.
PY_SITE ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VER)/dist-packages)
PIC_OBJS := $(patsubst src/%.c,$(BUILD)/pic/%.o,$(LIB_SRCS))
PYMOD := $(BUILD)/python/rete/_rete$(PY_EXT)
PYPKG := $(BUILD)/python/rete/__init__.py

# libFuzzer harnesses (tests/fuzz/): the library rebuilt with clang, coverage and sanitizers.
FUZZ_CC ?= clang
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_OBJS := $(patsubst src/%.c,$(BUILD)/fuzz-obj/%.o,$(LIB_SRCS))
FUZZ_SAN := address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60

# V=1 shows full commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

.PHONY: python all deps check collect install install-retis-alias clean unit unit-asan bench format \
	fuzz fuzz-build

all: $(SKELS) $(BUILD)/rete python

# Keep generated BPF objects and skeletons (they are not throwaway intermediates).
.SECONDARY: $(BPF_OBJS) $(SKELS) $(TEST_SKELS) $(BUILD)/vmlinux.h \
	$(patsubst tests/bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(TEST_BPF))

deps:
	@scripts/install-deps.sh

$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/probes/%.bpf.c $(BUILD)/vmlinux.h $(BPF_DEPS)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BUILD)/bpf/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h $(BPF_DEPS)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name rete_$(subst -,_,$*) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: src/%.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -O1 -c $< -o $@

$(BUILD)/librete.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/pic/%.o: src/%.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -fPIC -c $< -o $@

$(BUILD)/librete-pic.a: $(PIC_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(PYMOD): python/_rete.c $(BUILD)/librete-pic.a $(HDRS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(PY_INC) -fPIC -shared python/_rete.c $(BUILD)/librete-pic.a \
		$(LDLIBS) -o $@

$(PYPKG): python/rete/__init__.py
	@mkdir -p $(@D)
	$(Q)cp $< $@

python: $(PYMOD) $(PYPKG)

$(BUILD)/librete-asan.a: $(ASAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/rete: src/main.c $(BUILD)/librete.a $(HDRS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) src/main.c $(BUILD)/librete.a $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELPERS) $(BUILD)/librete.a $(HDRS) $(TEST_SKELS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(UNIT_HELPERS) $(BUILD)/librete.a $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests-asan/%: tests/unit/%.c $(UNIT_HELPERS) $(BUILD)/librete-asan.a $(HDRS) $(TEST_SKELS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -O1 -Itests/unit $< $(UNIT_HELPERS) $(BUILD)/librete-asan.a \
		$(LDLIBS) -lcmocka -o $@

$(BUILD)/fuzz-obj/%.o: src/%.c $(HDRS) $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(FUZZ_CC) $(CFLAGS) -O1 -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(BUILD)/librete-fuzz.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/librete-fuzz.a $(HDRS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(FUZZ_CC) $(CFLAGS) -O1 -fsanitize=fuzzer,$(FUZZ_SAN) $< $(BUILD)/librete-fuzz.a \
		$(LDLIBS) -o $@

unit: $(UNIT_BINS)
unit-asan: $(ASAN_BINS)
fuzz-build: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS from its committed corpus; new inputs go to
# $(BUILD)/fuzz/new/NAME (merge them into tests/fuzz/corpus/NAME with -merge=1 to keep them).
fuzz: fuzz-build
	@for h in $(FUZZ_BINS); do n=$$(basename $$h); mkdir -p $(BUILD)/fuzz/new/$$n; \
		echo "== $$n ($(FUZZ_SECONDS) s)"; \
		$$h -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(BUILD)/fuzz/new/$$n tests/fuzz/corpus/$$n 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::peak_rss|#[0-9]+ +DONE)|ERROR|SUMMARY' \
			|| true; \
	done

check: deps
	@$(MAKE) --no-print-directory all unit unit-asan fuzz-build
	@$(SUDO) env BUILD=$(BUILD) tests/run.sh

collect: deps
	@$(MAKE) --no-print-directory all
	$(SUDO) $(BUILD)/rete collect $(ARGS)

bench: deps
	@$(MAKE) --no-print-directory all bench-tools
	$(SUDO) env BUILD=$(BUILD) bench/run.sh

# Man pages and the bash completion come from the binary's own option tables.
install: $(BUILD)/rete python
	install -D -m 0755 $(BUILD)/rete $(DESTDIR)$(PREFIX)/bin/rete
	install -D -m 0644 $(PYPKG) $(DESTDIR)$(PY_SITE)/rete/__init__.py
	install -D -m 0644 $(PYMOD) $(DESTDIR)$(PY_SITE)/rete/$(notdir $(PYMOD))
	install -d $(DESTDIR)$(PREFIX)/share/rete/profiles
	install -m 0644 profiles/*.yaml $(DESTDIR)$(PREFIX)/share/rete/profiles/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	for p in $$($(BUILD)/rete man --list); do \
		$(BUILD)/rete man $$p > $(DESTDIR)$(PREFIX)/share/man/man1/$$p.1 || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(BUILD)/rete sh-complete --shell bash > \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rete

# rete under Retis's name: a drop-in (messages say retis, default file retis.data, Retis's
# profile directories first).
install-retis-alias: install
	ln -sf rete $(DESTDIR)$(PREFIX)/bin/retis

format:
	clang-format -i $(wildcard src/*.c src/*/*.c src/*.h src/*/*.h bpf/*/*.c bpf/*/*.h include/uapi/*.h)

clean:
	rm -rf $(BUILD)

-include bench/bench.mk
