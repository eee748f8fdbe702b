# sqlsof — SQL over a Linux host's processes, open files and sockets.
#
#   make            build build/sqlsof.so, build/libsqlsof.a and build/sqlsof
#   make test       install missing Debian packages, build, run every test
#   make run        print the processes holding the most descriptors (Q="SQL" for another query)
#
# Every target that builds installs its own Debian dependencies first (see `deps`).

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror
PKGS     := sqlite3 libmnl
CPPFLAGS += -D_GNU_SOURCE -Iext
ALL_CFLAGS = -std=gnu11 -fPIC -fvisibility=hidden $(WARN) $(CFLAGS) $(CPPFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS       = $(PKG_LIBS) -lpthread

B := build

# Debian packages the build and the tests need; `deps` installs the missing ones.
DEPS := gcc make pkg-config libsqlite3-dev sqlite3 libmnl-dev libcmocka-dev \
        lsof iproute2 strace util-linux procps

EXT_SRC   := $(wildcard ext/*.c)
SO_OBJ    := $(EXT_SRC:ext/%.c=$(B)/so/%.o)
CORE_OBJ  := $(EXT_SRC:ext/%.c=$(B)/core/%.o)
SHELL_SRC := $(wildcard shell/*.c)
SHELL_OBJ := $(SHELL_SRC:shell/%.c=$(B)/shell/%.o)
TLIB_SRC  := $(wildcard tests/lib/*.c)
TLIB_OBJ  := $(TLIB_SRC:tests/lib/%.c=$(B)/tests/lib/%.o)
TEST_SRC  := $(wildcard tests/unit/test_*.c) $(wildcard tests/live/test_*.c) \
             $(wildcard tests/shell/test_*.c)
TEST_BIN  := $(foreach t,$(TEST_SRC),$(B)/tests/$(basename $(notdir $(t))))

.PHONY: all deps test run clean format

all: $(B)/sqlsof.so $(B)/libsqlsof.a $(B)/sqlsof

deps:
	@missing=""; \
	for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "sqlsof: missing packages; run as root: apt-get install -y$$missing" >&2; exit 1; \
	  fi; \
	  echo "sqlsof: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null \
	    || { echo "sqlsof: apt-get install failed:$$missing" >&2; exit 1; }; \
	fi

# The loadable extension: ext/ compiled against sqlite3ext.h's API table.
$(B)/so/%.o: ext/%.c ext/*.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# The static library: the same sources calling SQLite directly.
$(B)/core/%.o: ext/%.c ext/*.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -DSQLITE_CORE -c $< -o $@

$(B)/sqlsof.so: $(SO_OBJ)
	$(CC) -shared $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libmnl) -lpthread

$(B)/libsqlsof.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The command embeds sql/*.sql so that it runs from anywhere.
$(B)/shell/sql_files.c: $(wildcard sql/*.sql) shell/embed-sql.sh
	@mkdir -p $(@D)
	sh shell/embed-sql.sh $(wildcard sql/*.sql) > $@

$(B)/shell/%.o: shell/%.c shell/*.h ext/sqlsof.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Ishell -c $< -o $@

$(B)/shell/sql_files.o: $(B)/shell/sql_files.c
	$(CC) $(ALL_CFLAGS) -Ishell -c $< -o $@

$(B)/sqlsof: $(SHELL_OBJ) $(B)/shell/sql_files.o $(B)/libsqlsof.a
	$(CC) $(CFLAGS) -o $@ $(SHELL_OBJ) $(B)/shell/sql_files.o $(B)/libsqlsof.a $(LIBS)

# Tests: each tests/*/test_NAME.c is one cmocka program, build/tests/test_NAME.
$(B)/tests/lib/%.o: tests/lib/%.c tests/lib/*.h | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests/lib -c $< -o $@

define test_rule
$(B)/tests/$(basename $(notdir $(1))): $(1) $(TLIB_OBJ) $(B)/libsqlsof.a tests/lib/*.h ext/*.h
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(PKG_CFLAGS) -Itests/lib -o $$@ $(1) $(TLIB_OBJ) $(B)/libsqlsof.a $$(LIBS) -lcmocka
endef
$(foreach t,$(TEST_SRC),$(eval $(call test_rule,$(t))))

test: all $(TEST_BIN)
	@sh tests/run.sh $(TEST_BIN)

Q ?= SELECT pid, name, user, threads, rss / 1048576 AS rss_mib, cmdline FROM processes \
     ORDER BY rss DESC, pid LIMIT 15
run: all
	@$(B)/sqlsof "$(Q)"

format:
	clang-format -i ext/*.[ch] shell/*.[ch] tests/*/*.[ch]

clean:
	rm -rf $(B)
