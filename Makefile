# whepfan: one Makefile for the libraries, the appliance, the benchmark and
# the tests.  Every dependency comes from pkg-config except Intel ipsec-mb,
# whose Debian package ships no .pc file (docs/building.md).
#
#   make            build/whepfan and build/whepfan-bench
#   make test       build and run every test; last line "N passed, N failed"
#   make asan       the same tests built with AddressSanitizer and UBSan
#   make demo       serve a test stream to a browser on this machine
#   make deps       install the Debian packages that are missing
#   make fuzz       build the libFuzzer targets with clang and run each for
#                   FUZZ_SECONDS (default 60); docs/reliability.md
#   make soak       whepfan under churning WHEP viewers for SOAK_MINUTES
#                   (default 30; SOAK_ASAN=1: the ASan build); docs/reliability.md

BUILD   ?= build
CC      ?= cc
SAN     ?=
WERROR  ?=

PKGS     := libsrtp2 libconfig libmicrohttpd openssl
DPDK_PKG := libdpdk

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wno-missing-field-initializers \
               -D_GNU_SOURCE -fno-strict-aliasing -MMD -MP -Ilib -Iapp
ifneq ($(WERROR),)
CFLAGS_BASE += -Werror
endif
ifneq ($(SAN),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_SAN := -fsanitize=address,undefined
endif

# pkg-config is only asked once deps are there (the deps target runs first).
pc = $(shell pkg-config $(1) $(2) 2>/dev/null)
LIB_CFLAGS  = $(CFLAGS_BASE) $(call pc,--cflags,$(PKGS))
LIB_LIBS    = $(call pc,--libs,$(PKGS)) -lIPSec_MB -lpthread -lm
# DPDK's .pc adds -march=corei7 (SSE4.2, Debian's DPDK baseline): only app/
# code sees it; the crypto paths are picked at run time by ipsec-mb.
APP_CFLAGS  = $(LIB_CFLAGS) $(call pc,--cflags,$(DPDK_PKG)) -DALLOW_EXPERIMENTAL_API
APP_LIBS    = $(call pc,--libs,$(DPDK_PKG)) $(LIB_LIBS)

LIB_SRCS   := $(wildcard lib/*/*.c)
# app/: the rooms (docs/architecture.md "Rooms") and the composition root
APP_ROOMS  := core fast slow whep ops
APP_SRCS   := $(filter-out app/main.c,$(wildcard app/*.c $(APP_ROOMS:%=app/%/*.c)))
BENCH_SRCS := $(wildcard app/bench/*.c)
TCOM_SRCS  := $(wildcard tests/common/*.c)
TEST_SRCS  := $(filter-out tests/common/%,$(wildcard tests/*/test_*.c))

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
APP_OBJS   := $(APP_SRCS:%.c=$(BUILD)/obj/%.o)
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o)
TCOM_OBJS  := $(TCOM_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS  := $(TEST_SRCS:%.c=$(BUILD)/%)

# Fuzz targets: tests/fuzz/fuzz_<t>.c (named so the test_*.c wildcard above
# leaves them out), each linking the libraries FUZZ_LIBS_<t> lists
# (tests/fuzz/fuzz.mk) and, for targets that drive the appliance's own code,
# the app/ files FUZZ_APP_<t> lists (names without .c; such a target is
# linked with DPDK).  Every target is built twice: by the project's
# compiler with tests/fuzz/driver.c as build/tests/fuzz/test_fuzz_<t>, the
# regression run over its corpus that `make test` and `make asan` pick up;
# and by `make fuzz` with clang and libFuzzer as build/fuzz/fuzz_<t>.
-include tests/fuzz/fuzz.mk
FUZZ_TARGETS  ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REG_BINS := $(patsubst %,$(BUILD)/tests/fuzz/test_fuzz_%,$(FUZZ_TARGETS))

LIBWF    := $(BUILD)/libwf.a
LIBWFAPP := $(BUILD)/libwfapp.a
LIBWFT   := $(BUILD)/libwftest.a

BINS := $(if $(wildcard app/main.c),$(BUILD)/whepfan) \
        $(if $(BENCH_SRCS),$(BUILD)/whepfan-bench) $(BUILD)/whepfan-load

.PHONY: all deps test test-run asan demo clean tests fuzz fuzz-build soak
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build-all

.PHONY: build-all
build-all: $(BINS) $(TEST_BINS) $(FUZZ_REG_BINS)

deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory build-all
	@scripts/run-tests.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 build-all
	@WF_SAN=1 scripts/run-tests.sh build/asan

demo: deps
	@$(MAKE) --no-print-directory build-all
	@if [ -x scripts/demo.sh ]; then scripts/demo.sh $(BUILD); else \
		echo "make demo: not available yet (it needs WHEP, issue 5); see README.md"; exit 1; fi

clean:
	rm -rf build

# ---- The soak (scripts/soak.sh, docs/reliability.md) ------------------------------
# whepfan and build/whepfan-load in a private network namespace for
# SOAK_MINUTES; samples, plot and verdict in build/soak/.
SOAK_MINUTES ?= 30
SOAK_ASAN    ?=
SOAK_BUILD   := $(if $(SOAK_ASAN),build/asan,$(BUILD))

soak: deps
	@$(MAKE) --no-print-directory $(if $(SOAK_ASAN),BUILD=build/asan SAN=1) \
		$(SOAK_BUILD)/whepfan $(SOAK_BUILD)/whepfan-load
	@SOAK_ASAN=$(SOAK_ASAN) scripts/soak.sh $(SOAK_BUILD) $(SOAK_MINUTES)

# ---- Fuzzing with libFuzzer (clang) ------------------------------------------
# The libraries are compiled again by clang with coverage instrumentation
# into their own object tree, never mixed with the gcc objects of $(BUILD).
FUZZ_CC      ?= clang
FUZZ_DIR     := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(LIB_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Itests
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
fuzz_lib_objs = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(wildcard $(foreach l,$(1),lib/$(l)/*.c)))
app_objs      = $(patsubst %,$(BUILD)/obj/app/%.o,$(1))
fuzz_app_objs = $(patsubst %,$(FUZZ_DIR)/obj/app/%.o,$(1))
fuzz_libs     = $(if $(FUZZ_APP_$(1)),$(APP_LIBS),$(LIB_LIBS))

fuzz:
	@scripts/deps.sh clang libfuzzer-14-dev
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

# Harnesses and app/ files see DPDK's headers, as in the gcc build.
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pc,--cflags,$(DPDK_PKG)) -DALLOW_EXPERIMENTAL_API -c $< -o $@

$(BUILD)/obj/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(APP_CFLAGS) -Itests -c $< -o $@

$(BUILD)/obj/app/%.o: app/%.c
	@mkdir -p $(dir $@)
	$(CC) $(APP_CFLAGS) -c $< -o $@

$(LIBWF): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBWFAPP): $(APP_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBWFT): $(TCOM_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# app objects are linked whole (not from the archive): telemetry.c is only
# reached through its RTE_INIT constructor.
$(BUILD)/whepfan: $(BUILD)/obj/app/main.o $(APP_OBJS) $(LIBWF)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(APP_LIBS)

$(BUILD)/whepfan-bench: $(BENCH_OBJS) $(APP_OBJS) $(LIBWF)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(APP_LIBS)

# A test under tests/X/ links only lib/X (and the libraries listed in
# TEST_LIBS_X, set in tests/X/test.mk), so each library is tested alone and a
# half-written neighbour cannot break its build.  tests/app/ links the app.
-include $(wildcard tests/*/test.mk)
test_dir  = $(firstword $(subst /, ,$(1)))
lib_objs  = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(foreach l,$(1),lib/$(l)/*.c)))
test_objs = $(if $(filter app,$(call test_dir,$(1))),$(LIBWFAPP) $(LIBWF),\
              $(call lib_objs,$(or $(TEST_LIBS_$(call test_dir,$(1))),$(call test_dir,$(1)))))

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIBWFT) $$(call test_objs,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(APP_LIBS)

$(FUZZ_REG_BINS): $(BUILD)/tests/fuzz/test_fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
		$(BUILD)/obj/tests/fuzz/driver.o $$(call lib_objs,$$(FUZZ_LIBS_$$*)) \
		$$(call app_objs,$$(FUZZ_APP_$$*))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(call fuzz_libs,$*)

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o \
		$$(call fuzz_lib_objs,$$(FUZZ_LIBS_$$*)) $$(call fuzz_app_objs,$$(FUZZ_APP_$$*))
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(call fuzz_libs,$*)

# The load tool (the soak's viewers and source): the test helpers and the
# libraries the end-to-end tests link.
$(BUILD)/whepfan-load: $(BUILD)/obj/tests/load/whepfan_load.o $(LIBWFT) \
		$(call lib_objs,$(TEST_LIBS_e2e))
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(APP_LIBS)

-include $(shell find $(BUILD)/obj $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
