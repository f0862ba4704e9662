#!/bin/sh
# Bad-input cases for `offerscan label`: each directory under CASES holds
#   cmd            one shell command line, run in a scratch copy of the
#                  directory with offerscan on PATH and $RULES set to the
#                  small test rule set; its standard output is the output
#   generate       (optional) a shell script run first in the scratch copy,
#                  for inputs too big to keep in the repository
#   records        how many records the input holds: the output must have
#                  exactly this many lines, each one JSON object
#   errors         (optional) how many of them must carry an "error"; 0 when absent
#   rc             (optional) the exit code; 5 when errors > 0, else 0
#   expect         (optional) strings that must each appear in the output, one a line
#   reject         (optional) strings that must not appear in the output
#   expect_stderr  (optional) strings that must each appear on standard error
# The scratch copies go under WORK_DIR and are removed when a case passes.
# Add a case by adding a directory: no C needed.
# Usage: run_badinput.sh OFFERSCAN_BINARY CASES_DIR RULES_DIR WORK_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cases=$(cd "$2" && pwd)
rules=$(cd "$3" && pwd)
work=$4
mkdir -p "$work/bin" && ln -sf "$bin" "$work/bin/offerscan"
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1
passed=0 failed=0

fail() {
    echo "FAIL $name: $*"
    failed=$((failed + 1))
    ok=0
}

# Prints lines of file $1 that are not blank.
lines_of() {
    grep -v '^[[:space:]]*$' "$1" 2>/dev/null || true
}

for dir in "$cases"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/cmd" ] || continue
    scratch="$work/$name"
    rm -rf "$scratch" && mkdir -p "$scratch" && cp -R "$dir". "$scratch"/
    ok=1
    if [ -f "$scratch/generate" ] && ! (cd "$scratch" && sh ./generate); then
        fail "generate failed"
        continue
    fi
    (cd "$scratch" && PATH="$work/bin:$PATH" RULES="$rules" NO_COLOR=1 sh ./cmd) >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    want_records=$(cat "$dir/records")
    want_errors=0
    [ -f "$dir/errors" ] && want_errors=$(cat "$dir/errors")
    want_rc=0
    [ "$want_errors" -gt 0 ] && want_rc=5
    [ -f "$dir/rc" ] && want_rc=$(cat "$dir/rc")
    got_records=$(wc -l <"$work/$name.out" | tr -d ' ')
    got_errors=$(grep -c '"error":"' "$work/$name.out")
    [ "$rc" = "$want_rc" ] || fail "exit code $rc, expected $want_rc"
    [ "$got_records" = "$want_records" ] || fail "$got_records records out, $want_records in"
    [ "$got_errors" = "$want_errors" ] || fail "$got_errors records with an error, expected $want_errors"
    if [ "$have_python" = 1 ] && ! python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    if not isinstance(json.loads(line), dict):
        sys.exit("line %d is not a JSON object" % n)
' "$work/$name.out" 2>"$work/$name.json"; then
        fail "output is not JSON Lines: $(tail -1 "$work/$name.json")"
    fi
    lines_of "$dir/expect" | while IFS= read -r s; do
        grep -qF -- "$s" "$work/$name.out" || echo "missing in output: $s"
    done >"$work/$name.check"
    lines_of "$dir/reject" | while IFS= read -r s; do
        grep -qF -- "$s" "$work/$name.out" && echo "must not be in output: $s"
    done >>"$work/$name.check"
    lines_of "$dir/expect_stderr" | while IFS= read -r s; do
        grep -qF -- "$s" "$work/$name.err" || echo "missing on stderr: $s"
    done >>"$work/$name.check"
    [ -s "$work/$name.check" ] && fail "$(cat "$work/$name.check")"
    if [ "$ok" = 1 ]; then
        passed=$((passed + 1))
        rm -rf "$scratch" "$work/$name".*
    else
        sed 's/^/    stderr: /' "$work/$name.err" | head -5
    fi
done
echo "bad input ($cases): $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
