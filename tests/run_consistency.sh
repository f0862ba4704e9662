#!/bin/sh
# The same input must give the same output however it is run:
#   1. with the Hyperscan prefilter and with PCRE2 alone;
#   2. with 1 worker thread and with 4, also for records that cannot be
#      read (with 4 on a machine of fewer cores the workers parse the
#      lines, with 1 the reading thread does);
#   3. split into shards by GNU parallel (--pipepart) and in one run
#      (compared without "source", whose line numbers restart per shard);
#   4. with the prefilter compiled, written to a --cache folder, read back
#      from it, and compiled again over a damaged cache file.
# Usage: run_consistency.sh OFFERSCAN GOLD.jsonl...
set -u
bin=$1; shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$@" > "$tmp/in.jsonl"
records=$(wc -l < "$tmp/in.jsonl")
passed=0 failed=0
check() { # name file-a file-b
    if cmp -s "$2" "$3" && [ "$(wc -l < "$2")" -eq "$records" ]; then
        passed=$((passed + 1)); echo "ok   $1 ($records records)"
    else
        failed=$((failed + 1)); echo "FAIL $1"; diff "$2" "$3" | head -5
    fi
}
"$bin" label -q "$tmp/in.jsonl" > "$tmp/a" || exit 1
"$bin" label -q --no-prefilter "$tmp/in.jsonl" > "$tmp/b" || exit 1
check "prefilter vs PCRE2 alone" "$tmp/a" "$tmp/b"
"$bin" label -q -j1 "$tmp/in.jsonl" > "$tmp/c" || exit 1
"$bin" label -q -j4 "$tmp/in.jsonl" > "$tmp/d" || exit 1
check "1 thread vs 4 threads" "$tmp/c" "$tmp/d"
printf '%s\n' '{"id": "b1", "text": 5}' 'not json' '{"id": "b2", "text": "boat tonight"}' '[1]' '{"id": 3}' > "$tmp/bad.jsonl"
"$bin" label -q -j1 "$tmp/bad.jsonl" > "$tmp/c" 2> "$tmp/c.err"; rc1=$?
"$bin" label -q -j4 "$tmp/bad.jsonl" > "$tmp/d" 2> "$tmp/d.err"; rc4=$?
if cmp -s "$tmp/c" "$tmp/d" && cmp -s "$tmp/c.err" "$tmp/d.err" && [ "$rc1" = 5 ] && [ "$rc4" = 5 ] &&
   [ "$(grep -c '"error"' "$tmp/d")" -eq 4 ] && [ "$(wc -l < "$tmp/d")" -eq 5 ]; then
    passed=$((passed + 1)); echo "ok   1 thread vs 4 threads, 4 unreadable records of 5 (exit code 5): $(cat "$tmp/d.err")"
else
    failed=$((failed + 1)); echo "FAIL 1 thread vs 4 threads on unreadable records (exit codes $rc1, $rc4)"; diff "$tmp/c" "$tmp/d" | head -5
fi
if command -v parallel >/dev/null 2>&1; then
    strip() { sed 's/,"source":{[^}]*}}$/}/' "$1"; }
    "$bin" label -q - < "$tmp/in.jsonl" > "$tmp/e" || exit 1
    parallel --will-cite --pipepart -a "$tmp/in.jsonl" --block 20k -k "$bin" label -q -j1 - > "$tmp/f" || exit 1
    strip "$tmp/e" > "$tmp/e2"; strip "$tmp/f" > "$tmp/f2"
    check "GNU parallel shards vs one run" "$tmp/e2" "$tmp/f2"
else
    echo "skip GNU parallel is not installed"
fi
"$bin" label -q --cache "$tmp/cache" "$tmp/in.jsonl" > "$tmp/g" || exit 1
db=$(ls "$tmp/cache"/prefilter-*.hsdb 2>/dev/null | head -1)
inode=$(ls -i "$db" 2>/dev/null)
"$bin" label -q --cache "$tmp/cache" "$tmp/in.jsonl" > "$tmp/h" || exit 1
check "no cache vs a new cache" "$tmp/a" "$tmp/g"
check "no cache vs the cache read back" "$tmp/a" "$tmp/h"
if [ -n "$db" ]; then
    if [ "$(ls -i "$db")" = "$inode" ]; then  # a rewrite would rename a new file into place
        passed=$((passed + 1)); echo "ok   the second run read the cache file and did not rewrite it"
    else
        failed=$((failed + 1)); echo "FAIL the second run rewrote the cache file"
    fi
    head -c 100 "$db" > "$tmp/short" && cat "$tmp/short" > "$db"   # a truncated file
    "$bin" label -q --cache "$tmp/cache" "$tmp/in.jsonl" > "$tmp/i" || exit 1
    check "no cache vs a damaged cache file" "$tmp/a" "$tmp/i"
    if [ "$(wc -c < "$db")" -gt 100 ]; then
        passed=$((passed + 1)); echo "ok   the damaged cache file was compiled again and replaced"
    else
        failed=$((failed + 1)); echo "FAIL the damaged cache file was left as it was"
    fi
else
    echo "skip no cache file: built without Hyperscan"
fi
if "$bin" label -q --cache "$tmp/in.jsonl" "$tmp/in.jsonl" > /dev/null 2> "$tmp/err"; then
    failed=$((failed + 1)); echo "FAIL a file given as the cache folder was accepted"
elif grep -q "cannot use $tmp/in.jsonl as the cache folder" "$tmp/err"; then
    passed=$((passed + 1)); echo "ok   a file given as the cache folder is refused: $(cat "$tmp/err")"
else
    failed=$((failed + 1)); echo "FAIL unclear message for a bad cache folder: $(cat "$tmp/err")"
fi
echo "consistency: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
