# The scale section of `make bench`, sourced by run.sh (which sets B, LOG, SQLSOF, QUICK): each
# population of build/bench/scale in turn, one run of each question under GNU time (wall time,
# peak RSS), and a check of its answer against /proc. Writes $B/scale.tsv, one line a question:
#     key  population  command  seconds  max RSS (KiB)  check  ok|FAIL
# (report.awk prints it). Full: 1,000,000 fds, 1,000 namespaces, 5,000 churners; QUICK=1: a tenth.
if [ -n "${QUICK:-}" ] && [ "$QUICK" != 0 ]; then
    SCALE_FDS=100000 SCALE_NS=100 SCALE_CHURN=500 SCALE_ALIVE=50
else
    SCALE_FDS=1000000 SCALE_NS=1000 SCALE_CHURN=5000 SCALE_ALIVE=200
fi
SCALE= SCALEPID=
: > $B/scale.tsv

# scaleStart ARGS: build/bench/scale ARGS on a FIFO held on fd 4; SCALEPID: the pid it names.
scaleStart() {
    rm -f $B/scale-ctl $B/scale.out
    mkfifo $B/scale-ctl
    $B/scale "$@" < $B/scale-ctl > $B/scale.out 2>> "$LOG" &
    SCALE=$!
    exec 4> $B/scale-ctl
    i=0
    until grep -q '^ready$' $B/scale.out 2>/dev/null; do
        kill -0 $SCALE 2>/dev/null || { echo "bench: scale $1 failed:" >&2; tail -3 "$LOG" >&2; exit 1; }
        i=$((i + 1))
        [ $i -lt 1200 ] || { echo "bench: scale $1 not ready after 120 s" >&2; exit 1; }
        sleep 0.1
    done
    SCALEPID=$(awk '$1 == "pid" { print $2 }' $B/scale.out)
}
scaleStop() {
    [ -n "$SCALE" ] || return 0
    exec 4>&-
    kill $SCALE 2>/dev/null
    wait $SCALE 2>/dev/null
    rm -f $B/scale-ctl
    SCALE=
}

# timed KEY CMD...: one run of CMD under GNU time, its stdout through the filter $FILTER (an awk
# program) into $B/scale-KEY.out; sets SECS, RSS, and STATUS (0, or its exit status).
timed() {
    key=$1
    shift
    echo "bench: scale $key" >&2
    echo "== scale $key" >> "$LOG"
    /usr/bin/time -f '%e %M' -o $B/scale-$key.time "$@" 2>> "$LOG" | tr -d '\r' | awk "$FILTER" > $B/scale-$key.out
    STATUS=$(awk '/exited with non-zero status/ { print $NF; exit }' $B/scale-$key.time)
    STATUS=${STATUS:-0}
    set -- $(tail -n 1 $B/scale-$key.time)
    SECS=$1 RSS=$2
}
# row KEY POPULATION COMMAND CHECK OK: a line of the table.
row() {
    [ "$STATUS" = 0 ] || { set -- "$1" "$2" "$3" "$4 (exit $STATUS)" 0; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$SECS" "$RSS" "$4" \
        "$([ "${5:-}" = 1 ] && echo ok || echo FAIL)" >> $B/scale.tsv
}
procFds() { ls -U /proc/$1/fd | wc -l; } # unsorted: a million names

# (a) One process holding SCALE_FDS descriptors.
scaleStart fds $SCALE_FDS
P=$SCALEPID HAVE=$(procFds $SCALEPID)
POP="1 process, $HAVE fds"
[ "$HAVE" -ge "$SCALE_FDS" ] ||
    POP="$POP ($SCALE_FDS wanted: RLIMIT_NOFILE's hard limit is $(ulimit -Hn), no CAP_SYS_RESOURCE to raise it)"
FILTER='NR > 1 { n++ } END { print n + 0 }'
timed fdspid $SQLSOF --csv "SELECT * FROM fds WHERE pid = $P"
got=$(cat $B/scale-fdspid.out)
row fdspid "$POP" "\`SELECT * FROM fds WHERE pid = $P\`" "$got rows, /proc: $HAVE" $([ "$got" = "$HAVE" ] && echo 1)
FILTER='NR == 2 { print $1 }'
timed fdscount $SQLSOF --csv "SELECT count(*) FROM fds"
got=$(cat $B/scale-fdscount.out)
row fdscount "$POP" "\`SELECT count(*) FROM fds\`" "$got (the host's; $P's: $HAVE)" \
    $([ "$got" -ge "$HAVE" ] && echo 1)
# lsof writes a descriptor from 10000 on as '*' and its last three digits ('*005u').
FILTER="\$2 == $P && \$4 ~ /^([0-9]+|[*][0-9][0-9][0-9])[rwu]/ { n++ } END { print n + 0 }"
timed lsof $SQLSOF -n -P
got=$(cat $B/scale-lsof.out)
row lsof "$POP" "\`sqlsof -n -P\` (the whole host)" "$got fd lines of $P, /proc: $HAVE" \
    $([ "$got" = "$HAVE" ] && echo 1)
scaleStop

# (b) SCALE_NS processes, each in a network namespace of its own with a listener.
scaleStart netns $SCALE_NS $B/scale-netns.txt
FILTER='NR == 2'
timed sockets $SQLSOF --csv "SELECT count(*), count(DISTINCT netns) FROM sockets"
set -- $(tr ',' ' ' < $B/scale-sockets.out)
socks=${1:-0} seen=${2:-0}
ours=$($SQLSOF --csv "SELECT count(DISTINCT netns) FROM sockets WHERE netns IN ($(paste -sd, $B/scale-netns.txt))" | tr -d '\r' | sed -n 2p)
host=$( (for f in /proc/[0-9]*/ns/net; do readlink "$f" || :; done | tr -dc '0-9\n'
        for f in /run/netns/*; do stat -L -c %i "$f" || :; done) 2>/dev/null | sort -u | grep -c .)
row sockets "$SCALE_NS namespaces, a listener each" "\`SELECT count(*), count(DISTINCT netns) FROM sockets\`" \
    "$socks sockets in $seen namespaces; the host's (processes' and /run/netns): $host; ours: $ours of $SCALE_NS" \
    $([ "$ours" = "$SCALE_NS" ] && echo 1)
scaleStop

# (c) SCALE_CHURN processes starting and ending while `SELECT * FROM fds` runs, again and again.
FILTER='NR > 1 { n++ } END { print n + 0 }'
$B/scale churn $SCALE_CHURN $SCALE_ALIVE > $B/scale-churn.txt 2>> "$LOG" &
CHURN=$!
runs=0 bad=0 worst=0 worstRss=0
while [ $runs = 0 ] || kill -0 $CHURN 2>/dev/null; do
    timed churn $SQLSOF --csv "SELECT * FROM fds"
    runs=$((runs + 1))
    [ "$STATUS" = 0 ] || bad=$((bad + 1))
    worst=$(awk -v a=$SECS -v b=$worst 'BEGIN { print (a > b ? a : b) }')
    [ "$RSS" -le "$worstRss" ] || worstRss=$RSS
done
wait $CHURN || bad=$((bad + 1))
errs=$(awk '/^== scale churn/ { on = 1; next } /^==/ { on = 0 } on' "$LOG" | wc -l)
SECS=$worst RSS=$worstRss STATUS=0
row churn "$SCALE_CHURN short-lived processes ($(cat $B/scale-churn.txt))" "\`SELECT * FROM fds\` (the slowest of $runs runs)" \
    "$runs runs, $bad failed, $errs lines on stderr" $([ $bad = 0 ] && [ "$errs" = 0 ] && echo 1)
