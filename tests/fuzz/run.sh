#!/bin/sh
# Runs each libFuzzer target given for SECONDS, JOBS at a time, on a working copy of its seed
# corpus (tests/fuzz/corpus/NAME, kept small in git; build/fuzz/corpus/NAME grows). Prints one
# line per target with libFuzzer's count of executions; a crash leaves its input in
# build/fuzz/artifacts/ and fails the run.
#   usage: tests/fuzz/run.sh SECONDS JOBS build/fuzz/fuzz_NAME...
seconds=$1 jobs=$2
shift 2
mkdir -p build/fuzz/artifacts build/fuzz/logs
for t in "$@"; do echo "$t"; done | xargs -P "$jobs" -I{} sh -c '
    t={} name=$(basename {}) seconds='"$seconds"'
    mkdir -p build/fuzz/corpus/$name
    ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=1024 -artifact_prefix=build/fuzz/artifacts/$name- \
        build/fuzz/corpus/$name tests/fuzz/corpus/$name > build/fuzz/logs/$name.log 2>&1
    echo $? > build/fuzz/logs/$name.rc'
failed=""
for t in "$@"; do
    name=$(basename "$t")
    rc=$(cat "build/fuzz/logs/$name.rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/logs/$name.log")
    printf 'fuzz %-20s %ss %10s execs  %s\n' "${name#fuzz_}" "$seconds" "${execs:-?}" \
        "$([ "$rc" = 0 ] && echo ok || echo FAILED)"
    if [ "$rc" != 0 ]; then
        failed="$failed $name"
        tail -n 40 "build/fuzz/logs/$name.log"
    fi
done
[ -z "$failed" ] || { echo "fuzz: crashes in:$failed (inputs in build/fuzz/artifacts/)"; exit 1; }
