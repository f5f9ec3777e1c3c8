# sonde — plain Makefile. `make`, `make check`, `make san` (ASan+UBSan build
# in build-san/, `make check` runs the suite on both, then the fuzz targets
# of `make fuzz` a few seconds each), `make install`.
CC      ?= gcc
PREFIX  ?= /usr/local
VERSION := 0.1.0

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1
else
BUILD   ?= build
SANFLAGS :=
OPT     := -O2
endif

CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -Isrc -Isrc/proto -D_GNU_SOURCE -DSONDE_VERSION='"$(VERSION)"' -MMD -MP
LDLIBS  := -ldw -lelf -lzstd -liberty -lz -lpthread -lm
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(filter-out src/sonde.c,$(wildcard src/*/*.c src/*/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/sonde sonde-link

# ./sonde always points at the last build, so tests and users find it.
sonde-link: $(BUILD)/sonde
	@ln -sf $(BUILD)/sonde sonde

$(BUILD)/sonde: $(BUILD)/src/sonde.o $(BUILD)/libsonde.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libsonde.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Unit tests and fuzz targets of runtime code link the runtime's objects,
# built again with the tests' flags (sanitized in build-san): RT_UNIT_<test>
# lists a test's runtime files.
RT_UNIT_test_mc_insn := runtime/memcheck/mc_insn
RT_UNIT_test_mc_leak := runtime/memcheck/mc_mark
RT_UNIT_test_rt_info := runtime/base/rt_info
RT_UNIT_test_rt_ptrmap := runtime/base/rt_ptrmap
RT_UNIT_test_heap_order := runtime/base/rt_ptrmap
RT_UNIT_test_mc_blocks := runtime/memcheck/mc_guard runtime/memcheck/mc_freed runtime/memcheck/mc_redzone \
	runtime/memcheck/mc_slab
RT_UNIT_test_mc_slab := runtime/memcheck/mc_slab
RT_UNIT_test_mc_describe := runtime/memcheck/mc_describe runtime/memcheck/mc_freed runtime/memcheck/mc_slab \
	runtime/base/rt_ptrmap
RT_UNIT_fuzz_mc_insn := runtime/memcheck/mc_insn
RT_UNIT_fuzz_coz_table := runtime/coz/coz_table
RT_UNIT_test_coz_linetab := runtime/coz/coz_table
RT_UNIT_test_coz_table := runtime/coz/coz_table
rt_unit_obj = $(RT_UNIT_$(1):%=$(BUILD)/rtunit/%.o)

$(BUILD)/rtunit/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RT_LAYERS:%=-Iruntime/%) -Iruntime/coz -c -o $@ $<
.PRECIOUS: $(BUILD)/rtunit/%.o

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsonde.a tests/unit/unit.h $$(call rt_unit_obj,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(RT_LAYERS:%=-Iruntime/%) -Iruntime/coz -o $@ $< $(call rt_unit_obj,$*) \
		$(BUILD)/libsonde.a $(LDFLAGS) $(LDLIBS)

unit: $(UNIT_BIN) $(BUILD)/tools/tui_demo

# Test programs the e2e tests drive (tests/tools/), built with the unit tests.
$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libsonde.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libsonde.a $(LDFLAGS) $(LDLIBS)

# `make check` runs the suite on the normal build and on the ASan+UBSan
# build; `make check-fast` on the normal build only.
# Both also run each fuzz target for FUZZ_SECONDS (default 5; check-fast: 0,
# skipped) on its corpus in tests/fuzz/corpus/; without clang's libFuzzer
# they are skipped.
check: all unit
	$(MAKE) SAN=1 all unit
	@if tests/fuzz/have-libfuzzer >/dev/null; then $(MAKE) fuzz; \
	else echo "make check: $$(tests/fuzz/have-libfuzzer): the fuzz targets are skipped"; fi
	BUILD=$(CURDIR)/$(BUILD) BUILDS="$(CURDIR)/$(BUILD) $(CURDIR)/build-san" tests/run

check-fast: all unit
	BUILD=$(CURDIR)/$(BUILD) FUZZ_SECONDS=$${FUZZ_SECONDS:-0} tests/run

san:
	$(MAKE) SAN=1

# Fuzz targets (libFuzzer, clang): `make fuzz` builds them into build-fuzz/fuzz/
# (again only what changed); run one with its corpus:
#   build-fuzz/fuzz/fuzz_format -max_total_time=60 NEW_DIR tests/fuzz/corpus/fuzz_format
# (tests/fuzz/README.md: the corpora, how to refresh them).
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined" $(FUZZ_BIN)

build-fuzz/fuzz/%: tests/fuzz/%.c build-fuzz/libsonde.a $$(call rt_unit_obj,$$*)
	@mkdir -p $(dir $@)
	clang $(ALL_CFLAGS) $(RT_LAYERS:%=-Iruntime/%) -Iruntime/coz -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(call rt_unit_obj,$*) build-fuzz/libsonde.a $(LDLIBS)

# what each target includes
-include $(wildcard build-fuzz/fuzz/*.d)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/sonde
	install -m 755 $(BUILD)/sonde $(DESTDIR)$(PREFIX)/bin/sonde
	install -d $(DESTDIR)$(PREFIX)/lib/sonde
	install -m 644 $(BUILD)/libsonde-rt.so $(BUILD)/libsonde-mcstr.so $(BUILD)/libsonde-cg.so $(BUILD)/libsonde-coz.so \
		$(DESTDIR)$(PREFIX)/lib/sonde/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/sonde/

clean:
	rm -rf build build-san build-fuzz sonde


.PHONY: all sonde-link unit check check-fast san fuzz install clean

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/sonde.d $(UNIT_BIN:=.d) $(BUILD)/tools/tui_demo.d $(wildcard $(BUILD)/rtunit/runtime/*/*.d)

# The README's first command: profile the bundled demo into flamegraph.svg.
$(BUILD)/demo: examples/demo.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fno-omit-frame-pointer -o $@ $<

demo: all $(BUILD)/demo
	./sonde flamegraph --keep-data demo.data -o flamegraph.svg -- $(BUILD)/demo
	./sonde report -i demo.data --no-children --percent-limit 5 -g none
	@echo "open flamegraph.svg in a browser: click a frame to zoom, Ctrl-F to search"


.PHONY: demo

# ---- libsonde-rt.so: the heap-tracing runtime `sonde heap` preloads ----
# (docs/heap-runtime.md). libc only, never sanitized: it runs inside the
# target. The CFI parser, tables and unwind steps of src/binary are linked
# in as they are (they take their allocator from struct cfi_env).
# The runtime's layers, each a folder included by name: base (no mode),
# core (threads, the stream, the process), hooks (the interposed
# functions), and the two modes behind struct rt_ops.
RT_LAYERS := base core hooks heap memcheck
RT_BINARY := src/binary/cfi.c src/binary/cfi_table.c src/binary/dwarf_expr.c src/binary/unwind_step.c
RT_SRC := $(filter-out runtime/coz/%,$(wildcard runtime/*/*.c)) $(RT_BINARY)
RT_OBJ := $(RT_SRC:%.c=$(BUILD)/rt/%.o)
RT_CFLAGS := -std=gnu11 -O2 -g -fPIC -fvisibility=hidden -fno-omit-frame-pointer \
	-ftls-model=initial-exec -fno-builtin-malloc -fno-builtin-free -fno-builtin-calloc \
	-fno-builtin-realloc -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Isrc -Isrc/proto $(RT_LAYERS:%=-Iruntime/%) -D_GNU_SOURCE -MMD -MP

all: runtime

runtime: $(BUILD)/libsonde-rt.so $(BUILD)/libsonde-mcstr.so

$(BUILD)/libsonde-rt.so: $(RT_OBJ)
	$(CC) -shared -Wl,--no-undefined -Wl,-z,relro,-z,now -o $@ $^

# memcheck mode's string functions (overlap checks), preloaded only by
# `sonde memcheck`; the copy loops must not become calls to themselves.
NO_LOOP_CALLS := $(shell $(CC) -fno-tree-loop-distribute-patterns -E -x c /dev/null >/dev/null 2>&1 && \
	echo -fno-tree-loop-distribute-patterns)
$(BUILD)/libsonde-mcstr.so: runtime/memcheck/strcheck/mc_string.c src/proto/heap_protocol.h
	$(CC) $(filter-out -MMD -MP,$(RT_CFLAGS)) -fno-builtin $(NO_LOOP_CALLS) \
		-shared -Wl,-z,relro,-z,now -o $@ $< -ldl

$(BUILD)/rt/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

.PHONY: runtime

-include $(RT_OBJ:.o=.d)

# ---- libsonde-coz.so: the causal-profiling runtime `sonde coz run` ----
# preloads (docs/coz.md). libc only, never sanitized, and apart from
# libsonde-rt.so: it interposes no allocator, so it shares nothing with it.
COZ_RT_SRC := $(wildcard runtime/coz/*.c)
COZ_RT_OBJ := $(COZ_RT_SRC:%.c=$(BUILD)/rt/%.o)

runtime: $(BUILD)/libsonde-coz.so

$(BUILD)/libsonde-coz.so: $(COZ_RT_OBJ)
	$(CC) -shared -Wl,--no-undefined -Wl,-z,relro,-z,now -o $@ $^

$(BUILD)/rt/runtime/coz/%.o: runtime/coz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -Iruntime/coz -c -o $@ $<

-include $(COZ_RT_OBJ:.o=.d)

# ---- libsonde-cg.so: the cachegrind engine, a qemu-user TCG plugin ----
# (plugin/, API v1). libc only, never sanitized: it runs inside qemu.
PLUGIN_SRC := $(wildcard plugin/*.c) src/cachesim/cachesim.c
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(BUILD)/plugin-obj/%.o)
PLUGIN_CFLAGS := -std=gnu11 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Isrc -Isrc/proto -Iplugin -D_GNU_SOURCE -MMD -MP

all: $(BUILD)/libsonde-cg.so

$(BUILD)/libsonde-cg.so: $(PLUGIN_OBJ)
	$(CC) -shared -Wl,-z,relro,-z,now -o $@ $^ -lpthread

$(BUILD)/plugin-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PLUGIN_CFLAGS) -c -o $@ $<

-include $(PLUGIN_OBJ:.o=.d)
