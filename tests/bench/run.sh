#!/bin/sh
# `make bench`: starts the fixture, asks each question of sqlsof, the floor and the peers
# (lsof, ss, lsfd, psutil) through build/bench/runner, and writes tests/bench/RESULTS.md.
#
#   tests/bench/run.sh            N=1000 processes x M=100 fds, K=20 namespaces, 5 runs + 1 warm-up
#   QUICK=1 tests/bench/run.sh    N=100 x M=50, K=4, 3 runs + 1 warm-up (a check, not a
#                                 measurement), written to build/bench/RESULTS-quick.md
#
# Run from the top of the tree, as root, after `make` has built build/sqlsof and build/bench/*.
set -eu

B=build/bench
# A quick run is a check, not a measurement: it leaves tests/bench/RESULTS.md alone.
if [ -n "${QUICK:-}" ] && [ "$QUICK" != 0 ]; then
    N=100 M=50 K=4 S=2000 RUNS=3 WARM=1 MODE="QUICK=1"
    OUT=${RESULTS:-$B/RESULTS-quick.md}
else
    N=1000 M=100 K=20 S=12000 RUNS=5 WARM=1 MODE="full"
    OUT=${RESULTS:-tests/bench/RESULTS.md}
fi
SQLSOF=build/sqlsof
PY=/usr/bin/python3
PSUTIL="$PY tests/bench/psutil_q.py"
LOG=$B/stderr.log
: > "$LOG"

[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, every process's fds)" >&2; exit 1; }

# The fixture reads a FIFO that this script holds open: when the script closes it, however it
# ends, the fixture sees EOF and kills its population. startFixture N M K S starts one (S: the
# busy server's connections).
start=$(date +%s)
FIXTURE=
stopFixture() {
    [ -n "$FIXTURE" ] || return 0
    exec 3>&-
    kill $FIXTURE 2>/dev/null
    wait $FIXTURE 2>/dev/null
    rm -f $B/ctl
    FIXTURE=
}
trap 'stopFixture; scaleStop' EXIT
scaleStop() { :; } # until scale.sh defines it
trap 'exit 130' INT TERM
startFixture() {
    rm -f $B/ctl $B/fixture.out $B/manifest.txt
    mkfifo $B/ctl
    $B/fixture -n $1 -m $2 -k $3 -s $4 -o $B/manifest.txt < $B/ctl > $B/fixture.out 2>> "$LOG" &
    FIXTURE=$!
    exec 3> $B/ctl
    i=0
    until grep -q '^ready$' $B/fixture.out 2>/dev/null; do
        kill -0 $FIXTURE 2>/dev/null || { echo "bench: fixture failed:" >&2; cat "$LOG" >&2; exit 1; }
        i=$((i + 1))
        [ $i -lt 1200 ] || { echo "bench: fixture not ready after 120 s" >&2; exit 1; }
        sleep 0.1
    done
    PID=$(m sample_pid) FD=$(m sample_fd) PORT=$(m quiet_port) QUIET=$(m quiet_pid)
    SERVER=$(m server_pid) SPORT=$(m server_port)
    # The sample worker's first TCP descriptor: the cheat-sheet's `-d FD -a -p PID` is a socket.
    SOCKFD=$(firstTcpFd $PID) SSOCKFD=$(firstTcpFd $SERVER)
}
# firstTcpFd PID: the lowest descriptor of PID that is a TCP socket.
firstTcpFd() {
    $PY -c 'import os, sys
d = "/proc/%s/fd" % sys.argv[1]
def proto(fd):
    try:
        return os.getxattr("%s/%d" % (d, fd), "system.sockprotoname").rstrip(b"\0")
    except OSError:
        return b""
print(min(fd for fd in map(int, os.listdir(d)) if proto(fd) == b"TCP"))' $1
}
# m KEY: the manifest's value (the main fixture's, once a second one has replaced it).
MANIFEST=$B/manifest.txt
m() { awk -v k="$1" '$1 == k { print $2; exit }' $MANIFEST; }
startFixture $N $M $K $S
echo "bench: fixture ready in $(m startup_seconds) s: $N processes x $M fds, $K namespaces" \
     "($(m tcp_connections) TCP connections); $RUNS runs + $WARM warm-up per question"

# What can sqlsof answer yet? The sockets table and the lsof views arrive with the sockets work.
HAVE_SOCKETS=0 HAVE_LSOF=0
$SQLSOF "SELECT 1 FROM sockets LIMIT 0" > /dev/null 2>&1 && HAVE_SOCKETS=1
$SQLSOF -n -P -a -p $$ -d 0 > /dev/null 2>&1 && HAVE_LSOF=1

# q KEY NAME CMD [NAME CMD ...]: one question, every answer interleaved, into $B/q-KEY.tsv.
q() {
    key=$1
    shift
    echo "bench: $key" >&2
    echo "== $key" >> "$LOG"
    $B/runner -r $RUNS -w $WARM -t 120 -e "$LOG" -- "$@" > $B/q-$key.tsv
}
# sq KEY NAME CMD ...: as q, with sqlsof's answer first when it can run (else the floor leads).
sq() {
    key=$1 ok=$2 sql=$3
    shift 3
    if [ "$ok" = 1 ]; then q "$key" sqlsof "$sql" "$@"; else q "$key" "$@"; fi
}

JOIN="SELECT p.name, f.pid, f.fd, s.netns, s.state, s.local_addr, s.local_port, s.remote_addr,
 s.remote_port FROM sockets s JOIN fds f USING(inode) JOIN processes p USING(pid)
 WHERE s.protocol = 'tcp'"

q all   sqlsof "$SQLSOF --csv 'SELECT * FROM fds'" \
        floor "$B/floor all" lsof "lsof -n -P" lsfd "lsfd" psutil "$PSUTIL files" \
        empty "$SQLSOF --csv 'SELECT 1'" sqlsof-proc "env SQLSOF_FDS_SOURCE=proc $SQLSOF --csv 'SELECT * FROM fds'"
q ids   sqlsof "$SQLSOF --csv 'SELECT pid, fd, inode FROM fds'" floor "$B/floor inode" \
        sqlsof-proc "env SQLSOF_FDS_SOURCE=proc $SQLSOF --csv 'SELECT pid, fd, inode FROM fds'"
# One row per thread against one per process (the fixture's processes have one thread each): the
# processes statement takes the floor's column, so the report shows threads ÷ processes.
q threads sqlsof "$SQLSOF --csv 'SELECT * FROM threads'" \
        floor "$SQLSOF --csv 'SELECT * FROM processes'"
# The fds table's two sources (the BPF iterator by default, /proc with SQLSOF_FDS_SOURCE=proc).
PATHS="SELECT pid, fd, inode, path FROM fds"
q paths sqlsof "$SQLSOF --csv '$PATHS'" floor "$B/floor links" \
        sqlsof-proc "env SQLSOF_FDS_SOURCE=proc $SQLSOF --csv '$PATHS'"
LJOIN="SELECT * FROM fds JOIN sockets USING(inode) WHERE state = 'LISTEN'"
sq ljoin $HAVE_SOCKETS "$SQLSOF --csv \"$LJOIN\"" floor "$B/floor listen" \
        sqlsof-proc "env SQLSOF_FDS_SOURCE=proc $SQLSOF --csv \"$LJOIN\""
sq listen $HAVE_SOCKETS "$SQLSOF --csv \"SELECT * FROM listening WHERE protocol = 'tcp'\"" \
        floor "$B/floor listen" lsof "lsof -n -P -iTCP -sTCP:LISTEN" ss "ss -tlnp" \
        psutil "$PSUTIL listen"
sq tcp  $HAVE_SOCKETS "$SQLSOF --csv \"$JOIN\"" \
        floor "$B/floor tcp" lsof "lsof -n -P -iTCP" ss "ss -tanp" \
        lsfd "lsfd -Q 'PROTONAME == \"TCP\"'" psutil "$PSUTIL tcp"
q one   sqlsof "$SQLSOF --csv 'SELECT * FROM fds WHERE pid = $PID AND fd = $FD'" \
        floor "$B/floor one $PID $FD" lsof "lsof -n -P -d $FD -a -p $PID" \
        lsfd "lsfd -p $PID -Q 'FD == $FD'" psutil "$PSUTIL one $PID $FD"
sq onelsof $HAVE_LSOF "$SQLSOF -n -P -d $FD -a -p $PID" \
        floor "$B/floor one $PID $FD" lsof "lsof -n -P -d $FD -a -p $PID"
sq port $HAVE_LSOF "$SQLSOF -n -P -i:$PORT" \
        floor "$B/floor port $PORT" lsof "lsof -n -P -i:$PORT" \
        ss "ss -tanp ( sport = :$PORT or dport = :$PORT )" psutil "$PSUTIL port $PORT"
# Per-process questions, as a user types them about one worker (M descriptors, TCP among them).
# inproc KEY SQL: the statement's own time inside one process (tests/bench/inproc.c), the
# median of RUNS after WARM, as the runner writes its lines.
inproc() {
    echo "bench: $1" >&2
    $B/inproc build/sqlsof.so 21 3 "$2" > $B/q-$1.tsv 2>> "$LOG"
}
# perProcess SUFFIX PEERS: the per-process rows into q-KEY$SUFFIX.tsv, lsof beside when PEERS=1.
perProcess() {
    sfx=$1 peers=$2
    # The worker has no listener: the LISTEN row asks the quiet process, which has one.
    for row in "plisten|-n -P -i -sTCP:LISTEN -a -p $QUIET" "pestab|-n -P -i -sTCP:ESTABLISHED -a -p $PID" \
               "pproc|-n -P -p $PID" "psock|-n -P -d $SOCKFD -a -p $PID"; do
        key=${row%%|*} args=${row#*|}
        if [ "$peers" = 1 ]; then
            sq "$key$sfx" $HAVE_LSOF "$SQLSOF $args" lsof "lsof $args"
        else
            q "$key$sfx" sqlsof "$SQLSOF $args"
        fi
    done
    inproc "pjoin$sfx" "SELECT f.fd, s.* FROM fds f JOIN sockets s USING(inode) WHERE f.pid = $PID AND f.fd = $SOCKFD"
    # The worker's other ends: its own pipes and socketpairs, its TCP peers in an acceptor, and
    # the stdin FIFO and stderr every worker inherited.
    q "pends$sfx" sqlsof "$SQLSOF --csv 'SELECT * FROM endpoints WHERE pid = $PID'"
}
perProcess "" 1
# The busy server (one listener, $(m server_connections) accepted connections): the process
# users ask about most. Beside lsof: `ls -l /proc/PID/fd`, what listing its fds costs at all.
for row in "slisten|-n -P -i -sTCP:LISTEN -a -p $SERVER" "sestab|-n -P -i -sTCP:ESTABLISHED -a -p $SERVER" \
           "sproc|-n -P -p $SERVER" "ssock|-n -P -d $SSOCKFD -a -p $SERVER"; do
    key=${row%%|*} args=${row#*|}
    sq "$key" $HAVE_LSOF "$SQLSOF $args" lsof "lsof $args" ls "ls -l /proc/$SERVER/fd"
done
SJOIN="SELECT * FROM fds f JOIN sockets s USING(inode) WHERE f.pid = $SERVER"
sq sport $HAVE_LSOF "$SQLSOF -n -P -i:$SPORT" lsof "lsof -n -P -i:$SPORT" \
        ss "ss -tanp ( sport = :$SPORT or dport = :$SPORT )" \
        sql "$SQLSOF --csv \"SELECT * FROM lsof_sockets WHERE local_port = $SPORT OR remote_port = $SPORT\""
q sjoin sqlsof "$SQLSOF --csv \"$SJOIN\"" \
        typed "$SQLSOF --csv \"$SJOIN AND f.type IN ('IPv4', 'IPv6', 'unix')\""
q prom  sqlsof "$SQLSOF --prom" fds "$SQLSOF --csv 'SELECT * FROM fds'"
# The same questions on a host a tenth the size: their cost must not follow the host's.
if [ -z "${QUICK:-}" ] || [ "$QUICK" = 0 ]; then
    PID1000=$PID SOCKFD1000=$SOCKFD QUIET1000=$QUIET SERVER1000=$SERVER SPORT1000=$SPORT \
        SSOCKFD1000=$SSOCKFD
    cp $B/manifest.txt $B/manifest-main.txt
    stopFixture
    startFixture $((N / 10)) $M 2 $((S / 10))
    echo "bench: fixture ready: $((N / 10)) processes x $M fds, 2 namespaces (per-process rows)"
    perProcess 100 0
    PID=$PID1000 SOCKFD=$SOCKFD1000 QUIET=$QUIET1000 SERVER=$SERVER1000 SPORT=$SPORT1000 \
        SSOCKFD=$SSOCKFD1000 MANIFEST=$B/manifest-main.txt
fi
# The scale section: one process with a million fds, a thousand namespaces, churn (scale.sh).
stopFixture
. tests/bench/scale.sh
elapsed=$(($(date +%s) - start))

# The report. Cells: median ms; floor cells add sqlsof's time / the floor's, peer cells the
# peer's time / sqlsof's (both medians of per-round ratios).
mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ver_lsof=$(lsof -v 2>&1 | awk '/revision/ { print $2; exit }')
ver_ss=$(ss -V 2>&1 | awk '{ print $NF }')
ver_lsfd=$(lsfd --version | awk '{ print $NF }')
ver_psutil=$($PY -c 'import psutil; print(psutil.__version__)')
export HAVE_SOCKETS HAVE_LSOF B PID FD PORT SOCKFD N M QUIET SERVER SPORT SSOCKFD MODE
{
    echo "# sqlsof benchmark results"
    echo
    echo "Written by \`make bench\` ($MODE run, $elapsed s). Do not edit by hand: the"
    echo "analysis below the tables is tests/bench/analysis.md, appended as it is."
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- host: $(nproc) CPUs ($cpu), $mem_total RAM, Linux $(uname -r)"
    echo "- fixture: $N processes x $M descriptors (file, pipe, socketpair, UDP, TCP), $K in"
    echo "  network namespaces of their own, $(m tcp_connections) TCP connections ($(m acceptors)"
    echo "  acceptor processes hold the accepted ends); ready in $(m startup_seconds) s"
    echo "- peers: lsof $ver_lsof, ss (iproute2) $ver_ss, lsfd (util-linux) $ver_lsfd,"
    echo "  psutil $ver_psutil on $($PY --version 2>&1)"
    echo "- each answer: $RUNS timed runs after $WARM warm-up, all answers of a question"
    echo "  interleaved round by round; stdout to /dev/null; sqlsof prints --csv (streamed)"
    echo
    awk -f tests/bench/report.awk
    echo
    cat tests/bench/analysis.md
} > "$OUT"
sed -n '/^| question/,/^$/p' "$OUT"
echo "bench: wrote $OUT ($elapsed s)"
