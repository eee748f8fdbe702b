# The tables of tests/bench/RESULTS.md, from the runner's output: $B/q-KEY.tsv, one line per
# answer: name, median ms, median ratio to the question's first answer, median max RSS (KiB),
# exit status, lines printed. Environment: B, HAVE_SOCKETS, HAVE_LSOF, PID, FD, PORT.

function load(key,    file, line, f) {
    file = ENVIRON["B"] "/q-" key ".tsv"
    while ((getline line < file) > 0) {
        split(line, f, "\t")
        have[key, f[1]] = 1
        ms[key, f[1]] = f[2]
        ratio[key, f[1]] = f[3]
        rss[key, f[1]] = f[4]
        status[key, f[1]] = f[5]
        lines[key, f[1]] = f[6]
    }
    close(file)
}

function fmtms(v) {
    if (v == "timeout") return "timeout"
    return v < 100 ? sprintf("%.1f ms", v) : sprintf("%.0f ms", v)
}

# A cell: the time, and the ratio that the column stands for when sqlsof ran.
function cell(key, tool) {
    if (!((key, tool) in have)) return "—"
    if (ms[key, tool] == "timeout") return "timeout"
    if (!((key, "sqlsof") in have)) return fmtms(ms[key, tool])
    if (tool == "sqlsof") return "**" fmtms(ms[key, tool]) "**"
    if (tool == "floor") return sprintf("%s · %.3g×", fmtms(ms[key, tool]), 1 / ratio[key, tool])
    return sprintf("%s · %.1f×", fmtms(ms[key, tool]), ratio[key, tool])
}

function row(label, key, missing,    t, out) {
    out = "| " label " |"
    if (missing != "") out = out " " missing " |"
    for (t = (missing != "" ? 2 : 1); t <= ntools; t++) out = out " " cell(key, tools[t]) " |"
    print out
}

function mib(kib) {
    return sprintf("%.1f MiB", kib / 1024)
}

function target(what, value, ok, shown) {
    printf "| %s | %s | %s |\n", what, shown, ok ? "met" : "**missed**"
}

# A row of the fds sources table: the BPF source, /proc (SQLSOF_FDS_SOURCE=proc), the floor, as ratios.
function sourceRow(label, key, floorName) {
    if (!((key, "sqlsof") in have) || !((key, "sqlsof-proc") in have)) return
    printf "| %s | **%s** | %s · %.2f× | %s · %.2f× |\n", label, fmtms(ms[key, "sqlsof"]), \
        fmtms(ms[key, "sqlsof-proc"]), ratio[key, "sqlsof-proc"], fmtms(ms[key, "floor"]), \
        1 / ratio[key, "floor"]
}

function sqlsofMissing(key) {
    return (key, "sqlsof") in have ? "" : "not measured: sockets table not merged yet"
}

# The scale section (tests/bench/scale.sh): $B/scale.tsv, a line a question: key, population,
# command, seconds, max RSS (KiB), check, ok|FAIL. One run each, under GNU time.
function scaleSection(    file, line, f, n) {
    file = ENVIRON["B"] "/scale.tsv"
    print "## Scale"
    print ""
    print "One population at a time (tests/bench/scale.c), one run of each question under GNU time"
    print "(wall time, peak RSS), its answer checked against /proc. The churn row is the slowest of"
    print "`SELECT * FROM fds` run again and again while the processes start and end."
    print ""
    print "| question | population | time | peak RSS | check | |"
    print "|---|---|---|---|---|---|"
    while ((getline line < file) > 0) {
        split(line, f, "\t")
        printf "| %s | %s | %s s | %s | %s | %s |\n", f[3], f[2], f[4], mib(f[5]), f[6], \
            f[7] == "ok" ? "ok" : "**FAIL**"
        n++
    }
    close(file)
    if (!n) print "| (not run) | | | | | |"
    print ""
}

BEGIN {
    ntools = split("sqlsof floor lsof ss lsfd psutil", tools, " ")
    nkeys = split("all ids paths ljoin listen tcp one onelsof port plisten pestab pproc psock pends pjoin slisten sestab sproc ssock sport sjoin prom threads", keys, " ")
    for (k = 1; k <= nkeys; k++) load(keys[k])
    nper = split("plisten pestab pproc psock pends pjoin", per, " ")
    for (k = 1; k <= nper; k++) load(per[k] "100")
    sockfd = ENVIRON["SOCKFD"]
    pid = ENVIRON["PID"]; fd = ENVIRON["FD"]; port = ENVIRON["PORT"]
    lsofMissing = (("onelsof", "sqlsof") in have) ? "" : \
        "not measured: lsof views (with the sockets table) not merged yet"

    print "## Medians"
    print ""
    print "Median wall time of each answer. A floor cell adds **sqlsof's time ÷ the floor's**"
    print "(1.00× is the floor itself); a peer cell adds **the peer's time ÷ sqlsof's** (how many"
    print "times faster sqlsof is). Ratios are medians of the per-round ratios of this run."
    print ""
    print "| question | sqlsof | floor | lsof | ss | lsfd | psutil |"
    print "|---|---|---|---|---|---|---|"
    row("all fds (`SELECT * FROM fds` / `lsof -n -P` / `lsfd` / psutil `open_files()`)", "all", "")
    row("fd list, ids only (`SELECT pid, fd, inode FROM fds`)", "ids", "")
    row("listening TCP with owners (`SELECT * FROM listening WHERE protocol = 'tcp'` / `lsof -n -P -iTCP -sTCP:LISTEN` / `ss -tlnp`)", \
        "listen", sqlsofMissing("listen"))
    row("all TCP with owners (the join / `lsof -n -P -iTCP` / `ss -tanp` / psutil `net_connections`)", \
        "tcp", sqlsofMissing("tcp"))
    row("one fd of one pid, SQL (`SELECT * FROM fds WHERE pid = " pid " AND fd = " fd "`)", "one", "")
    row("one fd of one pid, lsof mode (`sqlsof -n -P -d " fd " -a -p " pid "` / `lsof -n -P -d " fd " -a -p " pid "`)", \
        "onelsof", lsofMissing)
    row("who uses a port (`sqlsof -n -P -i:" port "` / `lsof -n -P -i:" port "` / `ss -tanp sport = :" port " or dport = :" port "`)", \
        "port", lsofMissing)
    out = "| peak memory of the all-fds query (max RSS; sqlsof: `SELECT 1` in brackets) | **" \
        mib(rss["all", "sqlsof"]) "** (" mib(rss["all", "empty"]) ") | " mib(rss["all", "floor"]) " | " \
        mib(rss["all", "lsof"]) " | — | " mib(rss["all", "lsfd"]) " | " mib(rss["all", "psutil"]) " |"
    print out
    print ""
    print "— : the tool has no answer of that shape. ss lists sockets only. lsfd (util-linux 2.38)"
    print "has no socket state, address or port columns, so it cannot answer the listening and port"
    print "questions (its TCP row lists TCP sockets with owners, without addresses); lsof and lsfd"
    print "have no cheaper ids-only listing than the full one. psutil's `open_files()` lists regular"
    print "files only. ss answers in its own network namespace only; sqlsof, the floor, lsof and"
    print "psutil read every process, and sqlsof and the floor dump every namespace."
    print ""

    print "## Per-process questions"
    print ""
    print "What a user types about one worker (pid " pid ", " ENVIRON["M"] " descriptors, TCP among them; fd " sockfd " is a"
    print "TCP socket), on the host of the table above and again on one a tenth its size (100"
    print "processes, 2 namespaces): the cost must follow the process, not the host. lsof cells add"
    print "**lsof's time ÷ sqlsof's**. The join row is the statement's time inside one process"
    print "(tests/bench/inproc.c: the extension loaded into SQLite), without a command's start."
    print ""
    print "| question | sqlsof, " ENVIRON["N"] " processes | lsof, " ENVIRON["N"] " processes | sqlsof, 100 processes | " ENVIRON["N"] " ÷ 100 |"
    print "|---|---|---|---|---|"
    label["plisten"] = "`-n -P -i -sTCP:LISTEN -a -p " ENVIRON["QUIET"] "` (the quiet process's listener)"
    label["pestab"] = "`-n -P -i -sTCP:ESTABLISHED -a -p " pid "`"
    label["pproc"] = "`-n -P -p " pid "`"
    label["psock"] = "`-n -P -d " sockfd " -a -p " pid "` (a TCP socket)"
    label["pends"] = "`SELECT * FROM endpoints WHERE pid = " pid "` (its other ends)"
    label["pjoin"] = "`SELECT f.fd, s.* FROM fds f JOIN sockets s USING(inode) WHERE f.pid = ? AND f.fd = ?` (in-process)"
    for (k = 1; k <= nper; k++) {
        key = per[k]
        if (!((key, "sqlsof") in have)) continue
        small = (key "100", "sqlsof") in have ? fmtms(ms[key "100", "sqlsof"]) : "—"
        growth = (key "100", "sqlsof") in have ? sprintf("%.2f×", ms[key, "sqlsof"] / ms[key "100", "sqlsof"]) : "—"
        printf "| %s | **%s** | %s | %s | %s |\n", label[key], fmtms(ms[key, "sqlsof"]), cell(key, "lsof"), small, growth
    }
    print ""

    server = ENVIRON["SERVER"]; sport = ENVIRON["SPORT"]
    print "## The busy server"
    print ""
    print "The process users ask about most: pid " server ", one listener on port " sport " holding its"
    print "accepted connections (the manifest's server_connections), whose client is one other process."
    print "lsof and `ls -l /proc/PID/fd` cells add **their time ÷ sqlsof's**; the cost per descriptor"
    print "is sqlsof's time over the server's descriptors (the lines of `-p`, less the header)."
    print ""
    nfd = ("sproc", "sqlsof") in have ? lines["sproc", "sqlsof"] - 1 : 0
    print "| question | sqlsof | lsof | `ls -l /proc/" server "/fd` | lines | µs per descriptor |"
    print "|---|---|---|---|---|---|"
    slabel["slisten"] = "`-n -P -i -sTCP:LISTEN -a -p " server "`"
    slabel["sestab"] = "`-n -P -i -sTCP:ESTABLISHED -a -p " server "`"
    slabel["sproc"] = "`-n -P -p " server "`"
    slabel["ssock"] = "`-n -P -d " ENVIRON["SSOCKFD"] " -a -p " server "` (its listener)"
    nsrv = split("slisten sestab sproc ssock", srv, " ")
    for (k = 1; k <= nsrv; k++) {
        key = srv[k]
        if (!((key, "sqlsof") in have)) continue
        printf "| %s | **%s** | %s | %s | %s | %.2f |\n", slabel[key], fmtms(ms[key, "sqlsof"]), \
            cell(key, "lsof"), cell(key, "ls"), lines[key, "sqlsof"], \
            (nfd > 0 ? 1000 * ms[key, "sqlsof"] / nfd : 0)
    }
    print ""
    print "| question | sqlsof | peers |"
    print "|---|---|---|"
    if (("sport", "sqlsof") in have)
        printf "| who uses the server's port (`-n -P -i:%s`, %s lines) | **%s** | lsof %s; `ss -tanp sport or dport` %s; the same SQL (`lsof_sockets` by either port) %s |\n", \
            sport, lines["sport", "sqlsof"], fmtms(ms["sport", "sqlsof"]), cell("sport", "lsof"), \
            cell("sport", "ss"), cell("sport", "sql")
    if (("sjoin", "sqlsof") in have)
        printf "| `SELECT * FROM fds f JOIN sockets s USING(inode) WHERE f.pid = %s` | **%s** | with `f.type IN ('IPv4', 'IPv6', 'unix')`: %s |\n", \
            server, fmtms(ms["sjoin", "sqlsof"]), cell("sjoin", "typed")
    if (("prom", "sqlsof") in have)
        printf "| `sqlsof --prom` | **%s** | `SELECT * FROM fds`: %s |\n", fmtms(ms["prom", "sqlsof"]), \
            cell("prom", "fds")
    print ""

    print "## The fds table's sources"
    print ""
    print "The BPF iterator (the default where it loads) against the /proc walk (`SQLSOF_FDS_SOURCE=proc`:"
    print "its time ÷ the BPF source's) and the floor (the BPF source's time ÷ the floor's)."
    print ""
    print "| question | BPF | /proc | floor |"
    print "|---|---|---|---|"
    sourceRow("`SELECT * FROM fds` (floor `all`)", "all")
    sourceRow("`SELECT pid, fd, inode FROM fds` (floor `inode`)", "ids")
    sourceRow("`SELECT pid, fd, inode, path FROM fds` (floor `links`: readdir + readlink)", "paths")
    sourceRow("`fds JOIN sockets USING(inode) WHERE state = 'LISTEN'` (floor `listen`)", "ljoin")
    print ""

    scaleSection()

    print "## Targets"
    print ""
    print "| target | measured | |"
    print "|---|---|---|"
    if (("ids", "sqlsof") in have)
        target("ids-only fd scan ≤ 1.2× floor", 0, 1 / ratio["ids", "floor"] <= 1.2, \
               sprintf("%.2f×", 1 / ratio["ids", "floor"]))
    target("all fds ≥ 8× faster than `lsof -n -P`", 0, ratio["all", "lsof"] >= 8, \
           sprintf("%.1f×", ratio["all", "lsof"]))
    if (("threads", "sqlsof") in have)
        target("`SELECT * FROM threads` ≤ 1.5× `SELECT * FROM processes` (one thread each)", 0, \
               1 / ratio["threads", "floor"] <= 1.5, sprintf("%.2f×", 1 / ratio["threads", "floor"]))
    if (("paths", "sqlsof") in have)
        target("`SELECT pid, fd, inode, path FROM fds` ≤ 0.4× the readdir + readlink floor", 0, \
               1 / ratio["paths", "floor"] <= 0.4, sprintf("%.2f×", 1 / ratio["paths", "floor"]))
    if (("ljoin", "sqlsof") in have)
        target("`fds JOIN sockets USING(inode) WHERE state = 'LISTEN'` ≤ 0.5× the /proc floor", 0, \
               1 / ratio["ljoin", "floor"] <= 0.5, sprintf("%.2f×", 1 / ratio["ljoin", "floor"]))
    if (("listen", "sqlsof") in have) {
        target("listening with owners ≤ 1.3× floor", 0, 1 / ratio["listen", "floor"] <= 1.3, \
               sprintf("%.2f×", 1 / ratio["listen", "floor"]))
        target("listening with owners faster than `ss -tlnp`", 0, ratio["listen", "ss"] > 1, \
               sprintf("%.2f× (ss ÷ sqlsof)", ratio["listen", "ss"]))
        target("listening with owners ≥ 5× faster than lsof", 0, ratio["listen", "lsof"] >= 5, \
               sprintf("%.1f×", ratio["listen", "lsof"]))
    } else {
        print "| listening with owners: ≤ 1.3× floor, faster than `ss -tlnp`, ≥ 5× faster than lsof | not measured: sockets table not merged yet | |"
    }
    target("one fd of one pid (SQL) ≤ 2× floor", 0, 1 / ratio["one", "floor"] <= 2, \
           sprintf("%.2f×", 1 / ratio["one", "floor"]))
    target("one fd of one pid (SQL) ≥ 20× faster than lsof", 0, ratio["one", "lsof"] >= 20, \
           sprintf("%.1f×", ratio["one", "lsof"]))
    if (lsofMissing == "") {
        target("one fd of one pid (lsof mode) ≤ 2× floor", 0, 1 / ratio["onelsof", "floor"] <= 2, \
               sprintf("%.2f×", 1 / ratio["onelsof", "floor"]))
        target("one fd of one pid (lsof mode) ≥ 20× faster than lsof", 0, \
               ratio["onelsof", "lsof"] >= 20, sprintf("%.1f×", ratio["onelsof", "lsof"]))
    } else {
        print "| one fd of one pid (lsof mode): ≤ 2× floor, ≥ 20× faster than lsof | " lsofMissing " | |"
    }
    for (k = 1; k <= nper - 1; k++) {
        key = per[k]
        if (!((key, "sqlsof") in have)) continue
        target(label[key] " ≤ 20 ms at " ENVIRON["N"] " processes", 0, ms[key, "sqlsof"] <= 20, fmtms(ms[key, "sqlsof"]))
        if ((key, "lsof") in have)
            target(label[key] " ≥ 25× faster than lsof", 0, ratio[key, "lsof"] >= 25, sprintf("%.1f×", ratio[key, "lsof"]))
        if ((key "100", "sqlsof") in have)
            target(label[key] " within 1.5× of its time at 100 processes", 0, \
                   ms[key, "sqlsof"] <= 1.5 * ms[key "100", "sqlsof"], \
                   sprintf("%.2f×", ms[key, "sqlsof"] / ms[key "100", "sqlsof"]))
    }
    if (("pjoin", "sqlsof") in have)
        target("the fds/sockets join for one socket fd ≤ 5 ms in-process", 0, ms["pjoin", "sqlsof"] <= 5, \
               fmtms(ms["pjoin", "sqlsof"]))
    if (("port", "ss") in have && ("port", "sqlsof") in have)
        target("who uses a port ≥ 3× faster than `ss -tanp` (sport or dport)", 0, \
               ratio["port", "ss"] >= 3, sprintf("%.2f×", ratio["port", "ss"]))
    for (k = 1; k <= nsrv; k++) {
        key = srv[k]
        if (!((key, "sqlsof") in have)) continue
        target(slabel[key] " ≥ 15× faster than lsof", 0, ratio[key, "lsof"] >= 15, \
               sprintf("%.1f×", ratio[key, "lsof"]))
        target(slabel[key] " no slower than `ls -l /proc/PID/fd`", 0, ratio[key, "ls"] >= 1, \
               sprintf("%.2f× (ls ÷ sqlsof)", ratio[key, "ls"]))
    }
    if (("sport", "ss") in have && ("sport", "sqlsof") in have) {
        target("who uses the busy port ≥ 4× faster than `ss -tanp` (sport or dport)", 0, \
               ratio["sport", "ss"] >= 4, sprintf("%.2f×", ratio["sport", "ss"]))
        target("who uses the busy port: lsof mode within 1.2× of the same SQL", 0, \
               ratio["sport", "sql"] >= 1 / 1.2, sprintf("%.2f× (lsof mode ÷ SQL)", 1 / ratio["sport", "sql"]))
    }
    if (("sjoin", "typed") in have)
        target("the server's pid join without a type filter within 4× of the typed one", 0, \
               1 / ratio["sjoin", "typed"] <= 4, sprintf("%.2f×", 1 / ratio["sjoin", "typed"]))
    if (("prom", "fds") in have)
        target("`sqlsof --prom` ≤ 1.5× `SELECT * FROM fds`", 0, 1 / ratio["prom", "fds"] <= 1.5, \
               sprintf("%.2f×", 1 / ratio["prom", "fds"]))
    d = rss["all", "sqlsof"] - rss["all", "empty"]
    target("all-fds peak RSS within 16 MiB of an empty query's", 0, d <= 16 * 1024, \
           sprintf("+%s (%s vs %s)", mib(d), mib(rss["all", "sqlsof"]), mib(rss["all", "empty"])))
    print ""

    print "## Answers (lines printed in the warm-up run, exit status)"
    print ""
    print "A check that the answers compared are of the same size; headers count as lines."
    print ""
    print "| question | sqlsof | floor | lsof | ss | lsfd | psutil |"
    print "|---|---|---|---|---|---|---|"
    for (k = 1; k <= nkeys; k++) {
        out = "| " keys[k] " |"
        for (t = 1; t <= ntools; t++) {
            c = (keys[k], tools[t]) in have && lines[keys[k], tools[t]] != "-" ? \
                lines[keys[k], tools[t]] " (" status[keys[k], tools[t]] ")" : "—"
            out = out " " c " |"
        }
        print out
    }
}
