#!/bin/sh
# Runs golden test cases: each directory under CASES holds
#   cmd       one shell command line, run in that directory with offerscan on PATH
#   expected  what it must print on standard output, exactly
#   rc        (optional) the exit code it must return; 0 when absent
# Add a case by adding a directory: no C needed.
# Usage: run_golden.sh OFFERSCAN_BINARY CASES_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cases=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" && ln -s "$bin" "$tmp/bin/offerscan"
passed=0 failed=0
for dir in "$cases"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/cmd" ] || continue
    want_rc=0
    [ -f "$dir/rc" ] && want_rc=$(cat "$dir/rc")
    (cd "$dir" && PATH="$tmp/bin:$PATH" NO_COLOR=1 sh ./cmd) >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name: exit code $rc, expected $want_rc"; sed 's/^/    stderr: /' "$tmp/err" | head -5
        failed=$((failed + 1))
    elif ! cmp -s "$tmp/out" "$dir/expected"; then
        echo "FAIL $name: output differs from $dir/expected:"
        diff "$dir/expected" "$tmp/out" | head -20 | sed 's/^/    /'
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "golden ($cases): $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
