#!/bin/sh
# Runs each test program given and totals cmocka's results; exits non-zero if any failed.
# Programs under build/san/ are the sanitized build: they run with ASan/UBSan set to fail hard
# and use build/san/sqlsof.
passed=0 failed=0 broken=""
for t in "$@"; do
    case "$t" in
    build/san/*) out=$(SQLSOF_BUILD=build/san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t" 2>&1) ;;
    *) out=$("$t" 2>&1) ;;
    esac
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); broken="$broken $t"; fi
    [ "$rc" -ne 0 ] && [ -n "$f" ] && broken="$broken $t"
done
[ -n "$broken" ] && echo "failing programs:$broken"
echo "sqlsof: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
