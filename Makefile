# Constat: the top-level entry points. Meson + Ninja do the building; this file only
# installs what is missing, configures and calls them.
BUILD    ?= build
ASAN     ?= build-asan
MESON    ?= meson
NINJA    ?= ninja
DEMO_DB  ?= demo.db

CLANG    ?= build-clang

.PHONY: all deps build check lint asan clang demo clean bench-generate bench-import \
	bench-entry bench-http valgrind \
	fuzz fuzz-short soak attack-small

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

lint:
	@scripts/checksrc

check: build lint
	$(MESON) test -C $(BUILD) --print-errorlogs --num-processes 2
	FUZZ_SECONDS=10 fuzz/run.sh

$(ASAN)/build.ninja:
	$(MESON) setup $(ASAN) --buildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfortify=false

asan: deps $(ASAN)/build.ninja
	$(NINJA) -C $(ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		$(MESON) test -C $(ASAN) --print-errorlogs --num-processes 2

# Unit and end-to-end tests under valgrind (slow: not part of make check).
valgrind: build
	scripts/valgrind-e2e $(BUILD)

# The same sources with clang, warnings as errors (build only).
$(CLANG)/build.ninja:
	CC=clang $(MESON) setup $(CLANG) --buildtype=debugoptimized

clang: deps $(CLANG)/build.ninja
	$(NINJA) -C $(CLANG)

demo: build
	@scripts/demo $(BUILD)/constat $(DEMO_DB)

bench-generate: build
	bench/generate-national.sh $(BUILD)/constat

bench-import: build
	bench/import-sirene.sh $(BUILD)/constat

bench-entry: build
	bench/entry-time.sh $(BUILD)/constat

bench-http: build
	bench/http-load.sh $(BUILD)/constat

clean:
	rm -rf $(BUILD) $(ASAN) $(CLANG)

# libFuzzer targets (fuzz/): clang with ASan and UBSan, built in build-fuzz by fuzz/build.sh;
# each target runs FUZZ_SECONDS (60 by default; fuzz-short: 10). A crash leaves its
# reproducer in build-fuzz/artifacts/NAME/ and fails the target.
FUZZ_SECONDS ?= 60

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

fuzz-short:
	FUZZ_SECONDS=10 fuzz/run.sh

# Soak test: mixed wrk traffic at 512 connections, memory and descriptors sampled every
# 10 s (SOAK_SECONDS, default 600). Long: not part of check.
SOAK_SECONDS ?= 600

# The attacker test on the small synthetic data (about 4 minutes; make check runs the tiny
# one).
attack-small: build
	$(MESON) test -C $(BUILD) --setup slow --suite slow --print-errorlogs

soak: build
	bench/soak.sh $(BUILD)/constat $(SOAK_SECONDS)
