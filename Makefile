# sluice — top-level build. `make` builds build/sluiced, build/sluicectl,
# build/sluice-gen; `make test` and `make run` install what is missing first.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
B         := build

CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

WARN      := -Wall -Wextra -Werror
# CFLAGS/LDFLAGS are the user's (e.g. CFLAGS="-O1 -g -fsanitize=address");
# SL_CFLAGS adds what the build needs on top
CFLAGS    ?= -O2 -g
SL_CFLAGS := $(CFLAGS) -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc -I$(B)/skel -I$(B)/gen \
             -DSLUICE_VERSION='"$(VERSION)"' -MMD -MP
# BPF_PROG() hands every program an unused ctx argument: unused-parameter is noise there
BPF_CFLAGS := -target bpf -g -O2 -std=gnu11 $(WARN) -Wno-unused-parameter -D__TARGET_ARCH_$(ARCH) \
             -Iinclude -Ivmlinux -Ibpf -MMD -MP
LIBS      := -lbpf -lelf -lz -ljson-c -lcap -lsystemd -lmnl
# xdp mode loads a BPF program (libbpf) and asks rtnetlink for a neighbour (libmnl)
GEN_LIBS  := -ljson-c -lbpf -lelf -lz -lmnl

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# --- sources --------------------------------------------------------------
BPF_SRCS     := $(wildcard bpf/*.bpf.c)
BPF_OBJS     := $(BPF_SRCS:bpf/%.bpf.c=$(B)/bpf/%.bpf.o)
SKELS        := $(BPF_SRCS:bpf/%.bpf.c=$(B)/skel/%.skel.h)
TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(TEST_BPF_SRCS:tests/bpf/%.bpf.c=$(B)/bpf/%.bpf.o)
TEST_SKELS    := $(TEST_BPF_SRCS:tests/bpf/%.bpf.c=$(B)/skel/%.skel.h)

# code shared by the daemon and the CLI: grammar, command registry, JSON helpers
FEATURE_SRCS := $(wildcard src/features/*/*.c src/features/*/*/*.c)
COMMON_SRCS  := $(wildcard src/common/*.c)
# the command specs (src/features/*/cmds.c, and the core's src/core/cmds.c) name the daemon's
# handlers; see CTL_CMDS below
CMDS_SRCS    := $(filter %/cmds.c,$(FEATURE_SRCS)) src/core/cmds.c
# the daemon: feature-blind core, the helpers features share (src/lib), and
# one folder per feature
DAEMON_SRCS  := $(filter-out src/core/main.c src/core/cmds.c,$(wildcard src/core/*.c)) $(wildcard src/lib/*.c) \
                $(filter-out %/cmds.c,$(FEATURE_SRCS))
CTL_SRCS     := $(filter-out tools/sluicectl/main.c,$(wildcard tools/sluicectl/*.c))
# the ipset language (parsers, printers, ipset's command line) is userspace
# only: sluicectl links it too, for `set ...` and sluice-ipset
IPSET_SRCS   := $(wildcard src/features/sets/ipset/*.c)
GEN_SRCS     := $(filter-out tools/sluice-gen/main.c,$(wildcard tools/sluice-gen/*.c))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
COMMON_LIB := $(B)/lib/libsluice-common.a
DAEMON_LIB := $(B)/lib/libsluice-daemon.a
CTL_LIB    := $(B)/lib/libsluicectl.a
GEN_LIB    := $(B)/lib/libsluice-gen.a
# the command specs are built twice: with their handlers for the daemon
# (-DSL_DAEMON) and without for sluicectl (SL_HANDLER gives NULL), and each
# program links its copy as objects, never from an archive, so none picks up
# the other's
CTL_CMDS    := $(call obj,$(CMDS_SRCS))
DAEMON_CMDS := $(patsubst %.c,$(B)/obj/%.daemon.o,$(CMDS_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
# Criterion binaries that need a namespace and daemon a netns test sets
# up: built with the tests, run only by that script
ORACLE_SRCS := $(wildcard tests/oracle/test_*.c)
ORACLE_BINS := $(ORACLE_SRCS:tests/oracle/%.c=$(B)/tests/oracle/%)
BPFT_SRCS  := $(wildcard tests/bpf/test_*.c)
# the fixture runner and packet builders every BPF test links
BPFT_LIB_SRCS := $(filter-out tests/bpf/test_%,$(filter-out %.bpf.c,$(wildcard tests/bpf/*.c)))
BPFT_BINS  := $(BPFT_SRCS:tests/bpf/%.c=$(B)/tests/bpf/%)

.PHONY: all deps run test test-kernel check-unit check-bpf check-netns check-systemd check-fuzz bench fuzz fuzz-bins \
        vmlinux install uninstall clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(B)/sluiced $(B)/sluicectl $(B)/sluice-gen $(B)/sluice-ipset

# --- BPF --------------------------------------------------------------------
$(B)/bpf/%.bpf.o: bpf/%.bpf.c | $(B)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/bpf/%.bpf.o: tests/bpf/%.bpf.c | $(B)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/skel/%.skel.h: $(B)/bpf/%.bpf.o | $(B)/skel
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# --- userspace ----------------------------------------------------------------
# every userspace object may include a skeleton: generate them first
# (test skeletons only for the BPF tests, so `make all` builds no test BPF)
$(B)/obj/%.o: %.c | $(SKELS) $(B)/gen/default_config.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) -c $< -o $@

$(B)/obj/%.daemon.o: %.c | $(SKELS) $(B)/gen/default_config.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) -DSL_DAEMON -c $< -o $@

# the embedded default configuration is etc/sluice.conf as a C string
$(B)/gen/default_config.h: etc/sluice.conf mk/embed.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sh mk/embed.sh sl_default_config < $< > $@

$(B)/lib/%.a:
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(COMMON_LIB): $(call obj,$(COMMON_SRCS))
$(DAEMON_LIB): $(call obj,$(DAEMON_SRCS))
$(CTL_LIB):    $(call obj,$(CTL_SRCS) $(IPSET_SRCS))
# xdp mode's kernel probe (and the log it warns through) are the daemon's own
$(GEN_LIB):    $(call obj,$(GEN_SRCS) src/lib/kernel.c src/lib/rtnl.c src/core/log.c)

$(B)/sluiced: $(call obj,src/core/main.c) $(DAEMON_CMDS) $(DAEMON_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(B)/sluicectl: $(call obj,tools/sluicectl/main.c) $(CTL_CMDS) $(CTL_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ -ljson-c

# ipset's command line for scripts: sluicectl run by this name is `sluicectl set`
$(B)/sluice-ipset: $(B)/sluicectl
	$(call msg,LN,$@)
	$(Q)ln -sf sluicectl $@

$(B)/sluice-gen: $(call obj,tools/sluice-gen/main.c) $(GEN_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(GEN_LIBS)

# --- tests ------------------------------------------------------------------
$(B)/tests/unit/%: $(call obj,tests/unit/%.c) $(DAEMON_CMDS) $(DAEMON_LIB) $(CTL_LIB) $(GEN_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

$(B)/tests/oracle/%: $(call obj,tests/oracle/%.c) $(DAEMON_CMDS) $(DAEMON_LIB) $(CTL_LIB) $(GEN_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

$(call obj,$(BPFT_SRCS) $(BPFT_LIB_SRCS)): | $(TEST_SKELS)

$(B)/tests/bpf/%: $(call obj,tests/bpf/%.c $(BPFT_LIB_SRCS)) $(DAEMON_CMDS) $(DAEMON_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

# the ipset oracle's probe (tests/netns/test_sets_ipset_oracle.sh): frames
# through the daemon's pinned hook programs
PROBE := $(B)/tests/tools/sl-probe
$(PROBE): $(call obj,tests/tools/sl-probe.c tests/bpf/pkt.c tests/bpf/pkt_hdr.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

# a delay line on netfilter's queue: round trips for the tcp benchmark
DELAY := $(B)/tests/tools/sl-delay
$(DELAY): $(call obj,tests/tools/sl-delay.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ -lmnl

# a multihomed SCTP endpoint on libusrsctp (tests/netns/test_sctp_*.sh)
SCTP_PEER := $(B)/tests/tools/sctp-peer
$(SCTP_PEER): $(call obj,tests/tools/sctp-peer.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ -lusrsctp -lpthread

# an empty cgroup sendmsg hook: the floor of the send benchmark (section send)
HOOK_FLOOR := $(B)/tests/tools/sl-hook-floor
$(HOOK_FLOOR): $(call obj,tests/tools/sl-hook-floor.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ -lbpf -lelf -lz

deps:
	$(Q)sh mk/deps.sh

# make test also runs tests/kernel/subset in Debian 12's own kernel under
# qemu (the `kernel` suite): mk/kernel_deps.sh installs qemu and fetches it
test: deps
	$(Q)sh mk/kernel_deps.sh >/dev/null
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(BPFT_BINS) $(ORACLE_BINS) $(PROBE) $(SCTP_PEER)
	$(Q)$(MAKE) --no-print-directory fuzz
	$(Q)sh tests/run.sh $(B)

# the BPF fixtures and netns suites on Debian 12's own kernel (6.1) under
# qemu, beside this machine's kernel: a feature x kernel table
# (tests/kernel/matrix.sh); `make test` runs a subset of it in the guest.
# KERNEL_VERSION picks another linux-image (default: the one Debian 12's
# linux-image-amd64 is).
KERNEL_VERSION ?=
test-kernel: deps
	$(Q)$(MAKE) --no-print-directory all $(BPFT_BINS) $(ORACLE_BINS) $(PROBE) $(SCTP_PEER)
	$(Q)sh tests/kernel/matrix.sh $(B) $(KERNEL_VERSION)

check-unit: all $(UNIT_BINS)
	$(Q)sh tests/run.sh $(B) unit

check-bpf: all $(BPFT_BINS)
	$(Q)sh tests/run.sh $(B) bpf

check-netns: all $(ORACLE_BINS) $(PROBE) $(SCTP_PEER)
	$(Q)sh tests/run.sh $(B) netns

check-systemd:
	$(Q)sh tests/run.sh $(B) systemd

check-fuzz: fuzz
	$(Q)sh tests/run.sh $(B) fuzz

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(B)/sluiced

# benchmark programs: tests/bench/*.c, linked as the BPF tests (they reuse
# their fixtures), built by `make bench` only
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/bench/%)

$(B)/bench/%: $(call obj,tests/bench/%.c $(BPFT_LIB_SRCS)) $(DAEMON_CMDS) $(DAEMON_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS) $(B)/tests/bpf/test_xps_progs $(SCTP_PEER) $(HOOK_FLOOR) $(DELAY) \
		$(B)/bpf/xdp_pass.bpf.o
	$(Q)sh tests/bench/bench.sh $(B)

# libFuzzer targets (tests/fuzz/fuzz_*.c): the whole tree built again with
# clang and ASan/UBSan in $(B)/fuzz, so the code under test is instrumented.
# `make fuzz` builds them; tests/fuzz/run.sh runs each for a bounded time.
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS    = $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/%)

fuzz:
	$(Q)$(MAKE) --no-print-directory B=$(B)/fuzz CC=$(CLANG) \
		CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(B)/fuzz_%: $(call obj,tests/fuzz/fuzz_%.c) $(DAEMON_CMDS) $(DAEMON_LIB) $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIBS)

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	           $(DESTDIR)/etc/sluice $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0755 $(B)/sluiced $(DESTDIR)$(PREFIX)/sbin/sluiced
	install -m 0755 $(B)/sluicectl $(B)/sluice-gen $(DESTDIR)$(PREFIX)/bin/
	ln -sf sluicectl $(DESTDIR)$(PREFIX)/bin/sluice-ipset
	test -e $(DESTDIR)/etc/sluice/sluice.conf || \
	    install -m 0644 etc/sluice.conf $(DESTDIR)/etc/sluice/sluice.conf
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' systemd/sluiced.service.in > \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/sluiced.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/sluiced $(DESTDIR)$(PREFIX)/bin/sluicectl \
	      $(DESTDIR)$(PREFIX)/bin/sluice-gen $(DESTDIR)$(PREFIX)/bin/sluice-ipset \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/sluiced.service

$(B)/bpf $(B)/skel:
	$(Q)mkdir -p $@

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
