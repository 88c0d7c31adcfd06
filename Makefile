# abc — one flat Makefile.  Generated lexer/parser C is produced by the build
# into $(BUILD)/gen (never committed).  Targets: all test check fuzz bench
# install clean deps demo golden-update.
CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
VERSION := 0.2.1

PKGS    := yaml-0.1 libcurl libcjson gsl
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN    += -Werror
endif
OPT     ?= -O2 -g
SAN     ?=
CPPFLAGS := -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE -DABC_VERSION=\"$(VERSION)\" \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/mariadb
CFLAGS  := -std=c11 $(OPT) $(SAN) -MMD -MP
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmariadbd -lz -ldl -lm -lpthread -lssl -lcrypto

# ---- sources, by phase ----------------------------------------------------
GEN_C   := $(if $(wildcard grammar/parser.y),$(BUILD)/gen/lexer.c $(BUILD)/gen/parser.c)
LIB_SRC := $(sort $(wildcard src/base/*.c src/front/*.c src/sema/*.c src/ir/*.c \
             src/spec/*.c src/fmt/*.c src/sql/*.c src/plan/*.c src/stats/*.c src/analysis/*.c \
             src/gb/*.c src/wh/*.c src/config/*.c src/synth/*.c src/run/*.c \
             src/report/*.c src/cli/cmd_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_C:.c=.o)
MAIN_OBJ := $(BUILD)/src/cli/main.o
LIB     := $(BUILD)/libabc.a
BIN     := $(BUILD)/abc
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test check fuzz bench install clean deps demo golden golden-update unit integration report-shots
all: $(BIN) abc

abc: $(BIN)
	@ln -sf $(BIN) abc

$(BUILD)/gen/lexer.c: grammar/lexer.re $(BUILD)/gen/parser.c
	@mkdir -p $(dir $@)
	re2c -W --no-generation-date -o $@ $<

# lemon: conflicts fail the build (-q quiet report, grep the count).
$(BUILD)/gen/parser.c: grammar/parser.y
	@mkdir -p $(dir $@)
	cp grammar/parser.y $(BUILD)/gen/parser.y
	cd $(BUILD)/gen && lemon -q -T/usr/share/lemon/lempar.c parser.y > lemon.out 2>&1; \
	  st=$$?; cat lemon.out; test $$st -eq 0 && ! grep -q conflict lemon.out
	@rm -f $(BUILD)/gen/parser.out

$(BUILD)/gen/parser.h: $(BUILD)/gen/parser.c

# The compile command's flags, kept in a file rewritten only when they change
# (VERSION, OPT, SAN, a package's cflags): every object depends on it, so a
# changed flag rebuilds what it compiled.
FLAGS_FILE := $(BUILD)/compile-flags
COMPILE_FLAGS := $(CC) $(CPPFLAGS) $(CFLAGS) $(WARN)
$(FLAGS_FILE): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(COMPILE_FLAGS)' | cmp -s - $@ || printf '%s\n' '$(COMPILE_FLAGS)' > $@

.PHONY: FORCE
FORCE:

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(FLAGS_FILE)
	$(CC) $(CPPFLAGS) -Isrc/front $(CFLAGS) -w -c -o $@ $<

$(BUILD)/%.o: %.c $(FLAGS_FILE) | $(GEN_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LIB) -lcriterion $(LDLIBS)

# ---- dependencies (idempotent) ---------------------------------------------
DEB_PKGS := build-essential pkg-config re2c lemon libyaml-dev libcurl4-openssl-dev \
            libcjson-dev libmariadbd-dev libgsl-dev mariadb-server libcriterion-dev \
            clang libclang-rt-14-dev python3 python3-scipy python3-numpy python3-statsmodels \
            chromium
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# ---- tests -------------------------------------------------------------------
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ABC_BIN=$(BIN) $$t --jobs 2 --short-filename; done

golden: $(BIN)
	@set -e; for t in $(sort $(wildcard tests/golden/*.sh)); do echo "== $$t"; ABC=$(BIN) bash $$t; done

# Rewrite generated/ and the golden expectations from the current compiler;
# review the diff before committing it.
golden-update: $(BIN)
	$(BIN) compile --dialect all specs/*.ab
	@set -e; for t in tests/golden/sql.sh tests/golden/diag.sh tests/golden/cli.sh; do echo "== UPDATE=1 $$t"; UPDATE=1 ABC=$(BIN) bash $$t; done

integration: $(BIN)
	@set -e; for t in $(sort $(wildcard tests/integration/*.sh)); do echo "== $$t"; ABC=$(BIN) bash $$t; done

# The results pages of tests/integration/report_browser.sh, photographed by
# headless chromium at 1400 and 390 px: build/report-shots/*.png.
report-shots: $(BIN)
	@rm -rf $(BUILD)/report-shots
	REPORT_SHOTS=$(BUILD)/report-shots REPORT_REQUIRE_BROWSER=1 ABC=$(BIN) bash tests/integration/report_browser.sh
	@ls $(BUILD)/report-shots

test: deps
	$(MAKE) all
	$(MAKE) unit golden integration
	$(MAKE) check

# The golden specs that compile (a spec with a .stderr golden must be refused).
TSAN_SPECS = $(filter-out $(patsubst %.stderr,%.ab,$(wildcard tests/golden/sql/*.stderr)),\
  $(sort $(wildcard tests/golden/sql/k_*.ab tests/golden/sql/o_*.ab)))

# The whole suite again under ASan + UBSan + LeakSanitizer; the parallel
# compiler and a run's second warehouse connection (run_threads.sh) under
# ThreadSanitizer.
check: deps
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  ABC_SANITIZED=1 build-asan/abc unit-asan
	$(MAKE) BUILD=build-tsan OPT="-O1 -g" SAN="-fsanitize=thread" build-tsan/abc
	@rm -rf build-tsan/out && TSAN_OPTIONS=halt_on_error=1 build-tsan/abc compile -j 4 \
	  --dialect all -o build-tsan/out specs/*.ab $(TSAN_SPECS) \
	  && echo "== abc compile -j 4 under ThreadSanitizer: ok"
	ABC=build-tsan/abc bash tests/integration/run_threads.sh

unit-asan: $(UNIT_BIN)
	@set -e; export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp; \
	for t in $(UNIT_BIN); do echo "== $$t (sanitized)"; ABC_BIN=$(BIN) $$t --jobs 2 --short-filename; done; \
	for t in $(sort $(wildcard tests/golden/*.sh)); do echo "== $$t (sanitized)"; ABC=$(BIN) bash $$t; done

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g" SAN="-fsanitize=address,undefined,fuzzer-no-link" build-fuzz/libabc.a
	@set -e; for f in $(FUZZ_TARGETS); do \
	  clang -Iinclude -Ibuild-fuzz/gen -D_GNU_SOURCE -DABC_VERSION=\"$(VERSION)\" \
	    $$(pkg-config --cflags $(PKGS)) -I/usr/include/mariadb \
	    -std=c11 -O1 -g -fsanitize=address,undefined,fuzzer \
	    -o build-fuzz/$$f tests/fuzz/$$f.c build-fuzz/libabc.a $(LDLIBS); \
	  mkdir -p build-fuzz/corpus-$$f build-fuzz/artifacts-$$f; \
	  dict=""; case $$f in fuzz_dsl|fuzz_yaml) dict=-dict=tests/fuzz/dsl.dict;; esac; \
	  echo "== fuzzing $$f for $(FUZZ_SECONDS)s"; \
	  if ! build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	       $$dict -artifact_prefix=build-fuzz/artifacts-$$f/ \
	       build-fuzz/corpus-$$f $$(cat tests/fuzz/$$f.seeds 2>/dev/null) > build-fuzz/$$f.log 2>&1; then \
	    tail -30 build-fuzz/$$f.log; echo "fuzz: $$f found a problem (see build-fuzz/artifacts-$$f/)"; exit 1; \
	  fi; \
	  grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" build-fuzz/$$f.log | tail -1; \
	done

# what the benchmarks compare against (pandas over the same server) and
# measure with (GNU time), besides the test dependencies
BENCH_PKGS := python3-pandas python3-pymysql time
bench: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BENCH_PKGS)"
	$(MAKE) all
	@bash bench/run.sh

# The main job end to end on the embedded warehouse: synthetic data with
# known effects, `abc run --all` against the GrowthBook snapshot, the memo.
demo: deps
	$(MAKE) all
	@ABC=$(CURDIR)/$(BIN) bash examples/demo.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/abc
	install -m 0644 docs/abc.1 $(DESTDIR)$(PREFIX)/share/man/man1/abc.1
	install -d $(DESTDIR)$(PREFIX)/share/doc/abc
	install -m 0644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/abc/

clean:
	rm -rf build build-asan build-tsan build-fuzz abc

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# benchmark programs: bench/<name>.c linked against the library
$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LIB) $(LDLIBS)
