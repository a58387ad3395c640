# Makefile — the one build of dangjian: library, binary with the embedded UI, tests, checks, install.
# The README's two commands are `make run` and `make test`.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium inih libzip expat xlsxwriter pangocairo libqrencode
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wcast-qual -Wpointer-arith -Wno-missing-field-initializers
CFLAGS_COMMON = -std=c11 -D_GNU_SOURCE -Iinclude -MMD -MP $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
OPT     ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
WEB_SRC  := $(shell find web/src web/index.html web/vite.config.* web/package.json -type f 2>/dev/null)

# Output trees: build/ (release), build/asan/ (ASan+UBSan, used by tests), build/fuzz/ (clang libFuzzer).
REL  := build/rel
ASAN := build/asan
FUZZ := build/fuzz

docs/openapi.json: build/dangjian
	build/dangjian openapi > $@

docs: docs/openapi.json

.PHONY: test-pg docs all deps web run test test-quick check lint format install clean bench fuzz soak test-unit test-api test-e2e test-fuzz
.DEFAULT_GOAL := all

all: build/dangjian

# ---- dependencies ---------------------------------------------------------------------------
build/.deps-ok: scripts/deps.sh $(wildcard web/package-lock.json tests/package-lock.json)
	@bash scripts/deps.sh
	@mkdir -p build && touch $@

deps:
	@bash scripts/deps.sh
	@mkdir -p build && touch build/.deps-ok

# ---- web UI, embedded -----------------------------------------------------------------------
web/dist/index.html: $(WEB_SRC) web/package-lock.json | build/.deps-ok
	cd web && npm run build --silent

build/embed: tools/embed.c | build/.deps-ok
	@mkdir -p build
	$(CC) -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Wall -Wextra -Werror tools/embed.c -o $@

build/gen/assets.c: build/embed web/dist/index.html
	@mkdir -p build/gen
	build/embed web/dist $@

web: web/dist/index.html

# The code lists are embedded with .incbin: rebuild when a data file changes.
$(REL)/lib/model/codes.o $(ASAN)/lib/model/codes.o $(FUZZ)/lib/model/codes.o: $(wildcard data/codelists/*.tsv)

# ---- release build --------------------------------------------------------------------------
REL_OBJ := $(LIB_SRC:%.c=$(REL)/%.o) $(REL)/build/gen/assets.o
$(REL)/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_COMMON) $(OPT) -c $< -o $@
$(REL)/libdj.a: $(REL_OBJ)
	ar rcs $@ $^
build/dangjian: $(CLI_SRC:%.c=$(REL)/%.o) $(REL)/libdj.a
	$(CC) $(OPT) $^ $(LIBS) -o $@

# ---- sanitizer build (make check; tests run on it) ----------------------------------------
ASAN_OBJ := $(LIB_SRC:%.c=$(ASAN)/%.o) $(ASAN)/build/gen/assets.o
$(ASAN)/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	@$(CC) $(CFLAGS_COMMON) -O1 -g $(SAN) -c $< -o $@
$(ASAN)/libdj.a: $(ASAN_OBJ)
	ar rcs $@ $^
$(ASAN)/dangjian: $(CLI_SRC:%.c=$(ASAN)/%.o) $(ASAN)/libdj.a
	$(CC) -g $(SAN) $^ $(LIBS) -o $@
$(ASAN)/tests/unit/%: $(ASAN)/tests/unit/%.o $(ASAN)/libdj.a
	$(CC) -g $(SAN) $^ $(LIBS) $(shell pkg-config --libs cmocka) -o $@

UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(ASAN)/tests/unit/%)
check: $(ASAN)/dangjian $(UNIT_BINS)

# ---- fuzz targets (clang, libFuzzer) ---------------------------------------------------------
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -O1 -g
$(FUZZ)/%.o: %.c | build/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC-FUZZ $<"
	@clang $(CFLAGS_COMMON) -Wno-unused-command-line-argument $(FUZZ_FLAGS) -c $< -o $@
$(FUZZ)/libdj.a: $(LIB_SRC:%.c=$(FUZZ)/%.o) $(FUZZ)/build/gen/assets.o
	ar rcs $@ $^
$(FUZZ)/fuzz_%: $(FUZZ)/tests/fuzz/fuzz_%.o $(FUZZ)/libdj.a
	clang -fsanitize=fuzzer,address,undefined $^ $(LIBS) -o $@
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ)/%)

# ---- the README's two commands ---------------------------------------------------------------
run: build/dangjian
	@bash scripts/run.sh

test: build/.deps-ok build/dangjian check $(FUZZ_BINS)
	@bash scripts/test.sh all

# The API tests against PostgreSQL 15 (a throwaway server on loopback) and the two-server scale-out test.
test-pg: build/.deps-ok build/dangjian
	@bash scripts/test-pg.sh

test-quick: build/.deps-ok check
	@bash scripts/test.sh quick

fuzz: $(FUZZ_BINS)
	@bash scripts/fuzz.sh $${FUZZ_SECONDS:-60}

# ---- quality ---------------------------------------------------------------------------------
lint: build/.deps-ok
	@bash scripts/lint.sh

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(FUZZ_SRC) $(wildcard include/dj/*.h lib/*/*.h)

# ---- install ---------------------------------------------------------------------------------
install: build/dangjian
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/dangjian $(DESTDIR)/lib/systemd/system
	install -m 0755 build/dangjian $(DESTDIR)$(PREFIX)/bin/dangjian
	install -m 0640 etc/dangjian.ini $(DESTDIR)/etc/dangjian/dangjian.ini.sample
	sed 's|@PREFIX@|$(PREFIX)|g' etc/dangjian.service > $(DESTDIR)/lib/systemd/system/dangjian.service
	chmod 0644 $(DESTDIR)/lib/systemd/system/dangjian.service

bench: build/dangjian
	@bash bench/run.sh

soak: build/dangjian
	@bash scripts/soak.sh

clean:
	rm -rf build web/dist

-include $(shell find build -name '*.d' 2>/dev/null)
