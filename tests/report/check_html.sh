#!/bin/sh
# check_html.sh: opens the HTML page of `offerscan report` in headless
# Chromium and checks that it renders, that the console shows no error, and
# that it has the expected number of charts (<svg class="chart">).
#
#     check_html.sh OFFERSCAN LABELLED.jsonl EXPECTED_CHARTS [REPORT OPTIONS...]
#
# It also checks that nothing from the records became markup: the test file
# carries <img>, <script> and "<b>" in ids and evidence texts, which must
# come out as text. Exits 77 (skipped) only when Chromium is not installed.
set -u
bin=$1 input=$2 want=$3
shift 3
chromium=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then chromium=$c; break; fi
done
if [ -z "$chromium" ]; then
    echo "SKIP: chromium is not installed (sh scripts/setup-debian.sh installs it)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" report --format html -o "$tmp/report.html" "$@" "$input" 2>"$tmp/report.err"
rc=$?
# 5: some records of the test file carry an "error" on purpose
[ "$rc" -eq 0 ] || [ "$rc" -eq 5 ] || { cat "$tmp/report.err"; fail "offerscan report exited $rc"; }

# The page as written: self-contained, no script, no external resource.
grep -qi '<script' "$tmp/report.html" && fail "the page holds a <script> element"
grep -Eqi '(src|href)="(https?:)?//' "$tmp/report.html" && fail "the page refers to an external resource"
grep -Eqi '@import|url\(' "$tmp/report.html" && fail "the style sheet loads something"

# run_chromium NAME ARGS...: a fresh profile per run, logging to stderr.
run_chromium() {
    profile="$tmp/profile-$1"
    shift
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-default-apps \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}
run_chromium dom --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/dom.err" ||
    { tail -5 "$tmp/dom.err"; fail "chromium --dump-dom failed"; }
run_chromium shot --window-size=1280,2000 --screenshot="$tmp/report.png" "file://$tmp/report.html" \
    >"$tmp/shot.out" 2>"$tmp/shot.err" || { tail -5 "$tmp/shot.err"; fail "chromium --screenshot failed"; }
[ -s "$tmp/report.png" ] || fail "no screenshot was written"

# It rendered: the DOM has the page's heading and sections.
grep -q '<h1>' "$tmp/dom.html" || fail "the rendered DOM has no <h1>"
grep -q 'id="records"' "$tmp/dom.html" || fail "the rendered DOM has no records section"
# No console error, no uncaught exception, no blocked resource. The page
# has no script, so any console line at all is a failure (Chromium logs
# them as "INFO:CONSOLE:1]" or "CONSOLE(1)" depending on its version).
if grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE[:(][0-9]+|Refused to|Content Security Policy' "$tmp/dom.err" "$tmp/shot.err"; then
    fail "the console shows errors"
fi
# The expected number of charts.
got=$(grep -o '<svg class="chart"' "$tmp/dom.html" | wc -l | tr -d ' ')
[ "$got" -eq "$want" ] || fail "$got charts, expected $want"
# Text from the records stayed text.
grep -Eqi '<img|<script|<b>bold' "$tmp/dom.html" && fail "text from a record became markup"
echo "ok: rendered, no console errors, $got charts"
exit 0
