# sqlsof — SQL over a Linux host's processes, open files and sockets.
#
#   make            build build/sqlsof.so, build/libsqlsof.a and build/sqlsof
#   make test       install missing Debian packages, build, run every test
#   make run        print the processes holding the most descriptors (Q="SQL" for another query)
#   make install    install under PREFIX (/usr/local), DESTDIR honoured; `make uninstall` undoes it
#   make deb        Debian packages sqlsof and libsqlsof-dev in build/deb/ (dpkg-buildpackage,
#                   then lintian)
#   make BPF=0      build without the BPF source of the fds table (no clang, bpftool, libbpf-dev)
#   make bench      sqlsof against the floor, lsof, ss, lsfd and psutil on a fixture of 1,000
#                   processes, then the scale section (1 M fds, 1,000 netns, churn) (~6 min;
#                   QUICK=1: a small one, ~25 s); writes tests/bench/RESULTS.md
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

# The fds table's BPF iterator source (ext/fd/bpf/, ext/fd/fd_bpf.c): a CO-RE program compiled by
# clang against the running kernel's BTF and embedded as a bpftool skeleton. On by default where
# the kernel has BTF; BPF=0 builds without it (the table then reads /proc only).
BPF ?= $(if $(wildcard /sys/kernel/btf/vmlinux),1,0)
ifeq ($(BPF),1)
CPPFLAGS += -DSQLSOF_BPF -I$(B)/bpf
DEPS_BPF := clang bpftool libbpf-dev
endif

# The version is written once, in ext/sqlsof.h; the .pc file and the man page take it from there.
VERSION := $(shell sed -n 's/^.define SQLSOF_VERSION "\(.*\)"$$/\1/p' ext/sqlsof.h)

# Debian packages the build and the tests need; `deps` installs the missing ones.
DEPS := gcc make pkg-config libsqlite3-dev sqlite3 libmnl-dev libcmocka-dev \
        lsof iproute2 strace util-linux procps python3 clang-format binutils $(DEPS_BPF)
# ... and those only `make test` needs: the embedding tests (Python, and g++ for better-sqlite3's
# native module), the man page check, the HTML report rendered in headless Chromium
# (its graph drawn by Graphviz's dot), the fleet
# (a real Prometheus and node_exporter; promtool checks metrics and rules), the Debian
# package's test (systemd-analyze verifies the units; DEPS_DEB builds the package), locale
# sources for localedef (a test runs the SQL functions under an ISO-8859-1 locale), and a real
# container (podman with runc, a root file system made from busybox-static), and Docker (docker.io:
# its dockerd, started by test_docker where none runs).
DEPS_TEST := python3 g++ groff-base man-db chromium graphviz prometheus prometheus-node-exporter \
             systemd locales podman runc busybox-static docker.io
# ... and those only `make bench` needs: the peers it is measured against (lsof, ss and lsfd are
# in DEPS already) and GNU time.
DEPS_BENCH := python3 python3-psutil time
# ... and those only `make deb` needs: Debian's packaging tools.
DEPS_DEB := dpkg-dev debhelper lintian

EXT_SRC   := $(wildcard ext/*.c ext/*/*.c)
# ... and those generated from the system's headers at build time, under $(B)/gen.
GEN_SRC   := $(B)/gen/proc/syscall_names.c
SO_OBJ    := $(EXT_SRC:ext/%.c=$(B)/so/%.o) $(GEN_SRC:$(B)/gen/%.c=$(B)/so/%.o)
CORE_OBJ  := $(EXT_SRC:ext/%.c=$(B)/core/%.o) $(GEN_SRC:$(B)/gen/%.c=$(B)/core/%.o)
SHELL_SRC := $(wildcard shell/*.c shell/*/*.c)
SHELL_OBJ := $(SHELL_SRC:shell/%.c=$(B)/shell/%.o)
TLIB_SRC  := $(wildcard tests/lib/*.c)
TLIB_OBJ  := $(TLIB_SRC:tests/lib/%.c=$(B)/tests/lib/%.o)
TEST_SRC  := $(wildcard tests/unit/test_*.c) $(wildcard tests/live/test_*.c) \
             $(wildcard tests/shell/test_*.c) $(wildcard tests/embed/test_*.c)
TEST_BIN  := $(foreach t,$(TEST_SRC),$(B)/tests/$(basename $(notdir $(t))))

.PHONY: all check deps deps-test deps-bench deps-deb deb test sanitized valgrind run bench clean format install \
        uninstall

all: $(B)/sqlsof.so $(B)/libsqlsof.a $(B)/sqlsof $(B)/sqlsof.1

# Installs the Debian packages of $(1) that are missing.
define apt_missing
	@missing=""; \
	for p in $(1); do \
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
endef

deps:
	$(call apt_missing,$(DEPS))

# Node.js may come from Debian (nodejs + npm) or from a package that bundles npm: ask for the
# commands, not the package names.
DEPS_NODE = $(if $(shell command -v node),,nodejs) $(if $(shell command -v npm),,npm)
deps-test: deps
	$(call apt_missing,$(DEPS_TEST) $(DEPS_DEB) $(DEPS_NODE))

# better-sqlite3 for the Node.js embedding test, from the npm registry, once (it builds a native
# module, which takes a minute).
NODE_MODULE := $(B)/node/node_modules/better-sqlite3/build/Release/better_sqlite3.node
$(NODE_MODULE): | deps-test
	@mkdir -p $(B)/node
	cd $(B)/node && npm install --prefix . --no-audit --no-fund --loglevel=error better-sqlite3@12

# The loadable extension: ext/ compiled against sqlite3ext.h's API table.
$(B)/so/%.o: ext/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# The static library: the same sources calling SQLite directly.
$(B)/core/%.o: ext/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -DSQLITE_CORE -MMD -MP -c $< -o $@

# The names of the build architecture's system calls (the threads table's syscall column), from
# the <asm/unistd.h> that this compiler sees.
$(B)/gen/proc/syscall_names.c: ext/proc/syscall_names.sh | deps
	@mkdir -p $(@D)
	sh ext/proc/syscall_names.sh $(CC) $(CPPFLAGS) $(CFLAGS) > $@.tmp && mv $@.tmp $@

$(B)/so/%.o: $(B)/gen/%.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/core/%.o: $(B)/gen/%.c
	$(CC) $(ALL_CFLAGS) -DSQLITE_CORE -MMD -MP -c $< -o $@

# The BPF program: vmlinux.h from the kernel's BTF (CO-RE relocates it wherever it loads), the
# object, and the light skeleton that embeds it in fd_bpf.c (loaded with bare bpf(2) calls:
# libbpf-dev gives headers only, nothing is linked).
$(B)/bpf/vmlinux.h: | deps
	@mkdir -p $(@D)
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# One object and skeleton per program (fds_full, fds_ids, fds_sock: see fds.bpf.c), so that a
# connection loads only the programs its statements walk with (each costs ~3 ms to load).
BPF_PROGS := full ids sock
$(B)/bpf/fds_%.bpf.o: ext/fd/bpf/fds.bpf.c ext/fd/bpf/fds_record.h $(B)/bpf/vmlinux.h
	clang -g -O2 -Wall -Werror -target bpf -I$(B)/bpf -Iext/fd/bpf -DFDS_PROG_$* -c $< -o $@

$(B)/bpf/fds_%.lskel.h: $(B)/bpf/fds_%.bpf.o
	bpftool gen skeleton -L $< name fds_$*_bpf > $@.tmp && mv $@.tmp $@

# The endpoints table's programs, one object each way they walk (ep_scan; ep_describe and
# ep_match: see endpoints.bpf.c), with fds.bpf.c's helpers included; and ep_scan once more with
# the running kernel's own offsets (EP_FIXED: no CO-RE relocation to resolve at each load),
# which fd_peers.c loads only on the kernel that ep_kernel.h names.
EP_PROGS := scan file scanfixed
EP_SRC := ext/fd/bpf/endpoints.bpf.c ext/fd/bpf/endpoints_record.h ext/fd/bpf/fds.bpf.c \
          ext/fd/bpf/fds_record.h $(B)/bpf/vmlinux.h
$(B)/bpf/ep_kernel.h: ext/fd/bpf/ep_kernel.sh $(B)/bpf/vmlinux.h
	sh ext/fd/bpf/ep_kernel.sh > $@.tmp && mv $@.tmp $@

$(B)/bpf/endpoints_%.bpf.o: $(EP_SRC)
	clang -g -O2 -Wall -Werror -target bpf -I$(B)/bpf -Iext/fd/bpf -DEP_PROG_$* -c $< -o $@

$(B)/bpf/endpoints_scanfixed.bpf.o: $(EP_SRC) $(B)/bpf/ep_kernel.h
	clang -g -O2 -Wall -Werror -target bpf -I$(B)/bpf -Iext/fd/bpf -DEP_PROG_scan -DEP_FIXED -c $< -o $@

$(B)/bpf/endpoints_%.lskel.h: $(B)/bpf/endpoints_%.bpf.o
	bpftool gen skeleton -L $< name endpoints_$*_bpf > $@.tmp && mv $@.tmp $@

ifeq ($(BPF),1)
$(B)/so/fd/fd_bpf.o $(B)/core/fd/fd_bpf.o: $(BPF_PROGS:%=$(B)/bpf/fds_%.lskel.h)
$(B)/so/fd/fd_peers.o $(B)/core/fd/fd_peers.o: $(EP_PROGS:%=$(B)/bpf/endpoints_%.lskel.h) \
                                             $(B)/bpf/ep_kernel.h
endif

$(B)/sqlsof.so: $(SO_OBJ)
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libmnl) -lpthread

$(B)/libsqlsof.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The command embeds sql/*.sql so that it runs from anywhere: the views it loads at start, and
# sql/report.sql, the sections of `sqlsof --html`, and sql/metrics.sql, the metrics of --prom.
VIEW_SQL := $(filter-out sql/report.sql sql/metrics.sql,$(wildcard sql/*.sql))
$(B)/shell/sql_files.c: $(wildcard sql/*.sql) shell/embed-sql.sh
	@mkdir -p $(@D)
	sh shell/embed-sql.sh sqlFiles $(VIEW_SQL) > $@
	sh shell/embed-sql.sh reportFiles sql/report.sql >> $@
	sh shell/embed-sql.sh metricFiles sql/metrics.sql >> $@

$(B)/shell/%.o: shell/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Ishell -MMD -MP -c $< -o $@

$(B)/shell/sql_files.o: $(B)/shell/sql_files.c
	$(CC) $(ALL_CFLAGS) -Ishell -c $< -o $@

$(B)/sqlsof: $(SHELL_OBJ) $(B)/shell/sql_files.o $(B)/libsqlsof.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SHELL_OBJ) $(B)/shell/sql_files.o $(B)/libsqlsof.a $(LIBS)

# Tests: each tests/*/test_NAME.c is one cmocka program, build/tests/test_NAME.
$(B)/tests/lib/%.o: tests/lib/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests/lib -MMD -MP -c $< -o $@

# Tests may also call the command's parts (the lsof option parser, the printers).
SHELL_PARTS := $(filter-out $(B)/shell/main.o,$(SHELL_OBJ)) $(B)/shell/sql_files.o
define test_rule
$(B)/tests/$(basename $(notdir $(1))): $(1) $(TLIB_OBJ) $(SHELL_PARTS) $(B)/libsqlsof.a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(PKG_CFLAGS) -Itests/lib -Ishell -MMD -MP -o $$@ $(1) $(TLIB_OBJ) $(SHELL_PARTS) $(B)/libsqlsof.a $$(LIBS) -lcmocka
endef
$(foreach t,$(TEST_SRC),$(eval $(call test_rule,$(t))))

# make-fd KIND,...: one descriptor of each kind (tests/lib/make_fd.h), held until a signal.
$(B)/tests/make-fd: tests/tools/make_fd.c $(B)/tests/lib/make_fd.o
	$(CC) $(ALL_CFLAGS) -Itests/lib -o $@ $^

# The whole suite, then the library, command and their tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer (leak detection on). The embedding, HTML and Debian package tests
# check packaging and run only once.
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_TESTS = $(filter-out %/test_embed %/test_install %/test_html %/test_deb,$(TEST_BIN:$(B)/%=build/san/%))

test: all check $(TEST_BIN) $(B)/tests/make-fd deps-test $(NODE_MODULE) sanitized fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_TEST_SECONDS) 2 $(FUZZ_BIN)
	@sh tests/run.sh $(TEST_BIN) $(SAN_TESTS)

sanitized: | deps
	@$(MAKE) --no-print-directory -j2 B=build/san CFLAGS="-O1 -g $(SANITIZE)" \
	  build/san/sqlsof $(SAN_TESTS)

# libFuzzer targets, one per parser (tests/fuzz/fuzz_NAME.c), built with clang under ASan+UBSan
# and linked with the parsers' sources only. `make fuzz FUZZ_SECONDS=60` runs each for that long;
# `make test` runs each for FUZZ_TEST_SECONDS, two at a time.
DEPS_FUZZ    := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 5
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_PARSERS := ext/proc/proc_parse.c ext/proc/maps_parse.c ext/fd/fd_link.c ext/fd/fd_info.c \
                ext/fd/fd_kind.c \
                ext/fd/fd_locks.c ext/fd/fd_bpf.c ext/fd/fd_sockproto.c ext/util/buf.c \
                shell/lsof/lsof_args.c $(wildcard ext/diag/*.c) ext/container/container_cgroup.c \
                ext/container/container_state.c ext/util/json_scan.c ext/proc/mountinfo.c \
                ext/sock/sock_inuse.c ext/sock/sock_filter.c ext/util/keyset.c \
                ext/proc/thread_parse.c shell/utf8.c shell/memory.c
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all $(WARN) -D_GNU_SOURCE -Iext -Ishell -Itests/fuzz

.PHONY: fuzz deps-fuzz fuzz-build
deps-fuzz:
	$(call apt_missing,$(DEPS_FUZZ))

# The parsers are compiled once and linked into every target (and kept: not intermediate).
FUZZ_OBJ := $(FUZZ_PARSERS:%.c=build/fuzz/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)
build/fuzz/obj/%.o: %.c | deps-fuzz deps
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ) | deps-fuzz deps
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -MMD -MP -o $@ $< $(FUZZ_OBJ) $(shell pkg-config --libs libmnl)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) 2 $(FUZZ_BIN)

# The live tests under valgrind's memcheck; any error or definite leak fails.
LIVE_TESTS = $(filter $(foreach t,$(wildcard tests/live/test_*.c),%/$(basename $(notdir $(t)))),$(TEST_BIN))
valgrind: all $(LIVE_TESTS)
	@command -v valgrind >/dev/null || $(MAKE) --no-print-directory deps DEPS=valgrind
	@for t in $(LIVE_TESTS); do \
	  valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	    --show-leak-kinds=definite $$t || exit 1; \
	done

# The benchmark (tests/bench/): a fixture population, the bare-syscall floor, the runner that
# times answers interleaved. Not part of `make test`: it takes minutes.
BENCH_BIN := $(B)/bench/fixture $(B)/bench/floor $(B)/bench/runner $(B)/bench/inproc \
             $(B)/bench/scale
$(B)/bench/%: tests/bench/%.c | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -o $@ $<

# inproc loads the extension into SQLite, as an embedding program does.
$(B)/bench/inproc: tests/bench/inproc.c | deps
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -o $@ $< $(PKG_LIBS)

deps-bench: deps
	$(call apt_missing,$(DEPS_BENCH))

bench: all $(BENCH_BIN) deps-bench
	@QUICK=$(QUICK) sh tests/bench/run.sh

Q ?= SELECT p.pid, p.name, p.user, count(*) AS fds, sum(f.type IN ('IPv4', 'IPv6')) AS inet, \
       p.rss / 1048576 AS rss_mib FROM processes p JOIN fds f ON f.pid = p.pid \
     GROUP BY p.pid ORDER BY fds DESC, p.pid LIMIT 15
run: all
	@$(B)/sqlsof "$(Q)"

# Installation. INSTALLED lists every file `install` puts, and `uninstall` removes exactly those.
PREFIX     ?= /usr/local
bindir     := $(PREFIX)/bin
libdir     := $(PREFIX)/lib
includedir := $(PREFIX)/include
datadir    := $(PREFIX)/share/sqlsof
man1dir    := $(PREFIX)/share/man/man1
SQL_ALL    := $(shell find sql -name '*.sql' | sort)
SQL_DIRS   := $(shell find sql -mindepth 1 -type d | sort -r)
INSTALLED  := $(bindir)/sqlsof $(libdir)/sqlsof.so $(libdir)/libsqlsof.a \
              $(includedir)/sqlsof.h $(libdir)/pkgconfig/sqlsof.pc $(man1dir)/sqlsof.1 \
              $(SQL_ALL:sql/%=$(datadir)/%)

# The man page carries the version in its footer.
$(B)/sqlsof.1: shell/sqlsof.1 ext/sqlsof.h
	@mkdir -p $(@D)
	sed 's/@VERSION@/$(VERSION)/g' shell/sqlsof.1 > $@

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir)/pkgconfig $(DESTDIR)$(includedir) \
	  $(DESTDIR)$(man1dir) $(DESTDIR)$(datadir)
	install -m 755 $(B)/sqlsof $(DESTDIR)$(bindir)/sqlsof
	install -m 644 $(B)/sqlsof.so $(B)/libsqlsof.a $(DESTDIR)$(libdir)/
	install -m 644 ext/sqlsof.h $(DESTDIR)$(includedir)/sqlsof.h
	install -m 644 $(B)/sqlsof.1 $(DESTDIR)$(man1dir)/sqlsof.1
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' ext/sqlsof.pc.in \
	  > $(DESTDIR)$(libdir)/pkgconfig/sqlsof.pc
	chmod 644 $(DESTDIR)$(libdir)/pkgconfig/sqlsof.pc
	for f in $(SQL_ALL:sql/%=%); do \
	  install -D -m 644 sql/$$f $(DESTDIR)$(datadir)/$$f || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	for d in $(addprefix $(DESTDIR)$(datadir)/,$(SQL_DIRS:sql/%=%)) $(DESTDIR)$(datadir); do \
	  [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d || exit 1; \
	done

# The Debian packages. dist/debian/ holds the packaging; a staging tree under build/deb/ is what
# dpkg-buildpackage sees (the sources, debian/ with the changelog for this version and the
# systemd units of dist/systemd/), so the repository's top level stays as it is.
DEB_STAGE := $(B)/deb/sqlsof-$(VERSION)
deps-deb: deps
	$(call apt_missing,$(DEPS_DEB))

deb: deps-deb
	rm -rf $(B)/deb
	mkdir -p $(DEB_STAGE)
	cp -a Makefile LICENSE README.md ext shell sql dist $(DEB_STAGE)/
	cp -a dist/debian $(DEB_STAGE)/debian
	rm $(DEB_STAGE)/debian/changelog.in
	sed -e 's/@VERSION@/$(VERSION)/' -e "s/@DATE@/$$(date -R)/" dist/debian/changelog.in \
	  > $(DEB_STAGE)/debian/changelog
	cp dist/systemd/sqlsof-prom.service $(DEB_STAGE)/debian/sqlsof.sqlsof-prom.service
	cp dist/systemd/sqlsof-prom.timer $(DEB_STAGE)/debian/sqlsof.sqlsof-prom.timer
	cd $(DEB_STAGE) && dpkg-buildpackage -b -us -uc -j2 > ../build.log 2>&1 \
	  || { tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error $(B)/deb/sqlsof_$(VERSION)_*.changes
	@ls $(B)/deb/*.deb

# The structural rules (tests/check/structure.py: layers, no call cycle between files, comment
# lines) over the loadable build's objects, and clang-format on every C file.
check: $(B)/sqlsof.so $(B)/sqlsof | deps
	@python3 tests/check/structure.py $(CC) $(CPPFLAGS) $(PKG_CFLAGS) -- $(SO_OBJ)
	@clang-format --dry-run -Werror $(FORMAT_SRC)
	@echo "sqlsof: make check passed (layers, cycles, comments, format)"

FORMAT_SRC := $(wildcard ext/*.[ch] ext/*/*.[ch] ext/*/*/*.[ch] shell/*.[ch] shell/*/*.[ch] tests/*/*.[ch])
format:
	clang-format -i $(FORMAT_SRC)

clean:
	rm -rf $(B)

# Header dependencies, written by the compiler (-MMD -MP) beside each object.
-include $(wildcard $(B)/*/*.d $(B)/*/*/*.d $(B)/*/*/*/*.d build/fuzz/*.d build/fuzz/obj/*/*.d build/fuzz/obj/*/*/*.d)
