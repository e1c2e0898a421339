#!/usr/bin/env bash
# The run report in a real browser. A kafka run with partitions writes store/latest/index.html;
# headless Chromium loads it (and the report of a real Maelstrom store directory) and the
# dumped DOM must show that the page's script ran without errors, fetched nothing, and shows the
# verdict, the plots with the partitions shaded, and the Lamport diagram with the partition and
# the messages it cut.
#   chromium_test.sh MILLPOND_BINARY FIXTURES_DIR
# Fails (never skips) when Chromium is missing: ./quickstart.sh installs Debian's chromium.
set -uo pipefail

millpond=$1
fixtures=$2
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || fail "chromium is not installed (apt-get install chromium; ./quickstart.sh does it)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/millpond_report_chromium.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# Loads file://$1 headless and writes the DOM after the load event to $2.
dump_dom() {
    local page=$1 dom=$2
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --disable-background-networking --no-first-run --no-default-browser-check \
        --user-data-dir="$dir/profile" --enable-logging=stderr --v=0 \
        --dump-dom "file://$page" > "$dom" 2> "$dom.log" \
        || { cat "$dom.log" >&2; fail "chromium could not load $page"; }
    if grep -E "Uncaught|ERROR:CONSOLE|console\\(.*error" "$dom.log" >&2; then
        fail "the page logged errors to the console: $page"
    fi
}

expect() {  # expect FILE PATTERN WHAT
    grep -q -- "$2" "$1" || fail "$3 (no '$2' in the DOM of $1)"
}

"$millpond" test -w kafka --backend owner --node-count 3 --time-limit 5 --rate 50 --latency 10 \
    --nemesis partition --nemesis-interval 1 --seed 7 --store "$dir/store" > "$dir/test.out" 2>&1 \
    || { cat "$dir/test.out" >&2; fail "millpond test failed"; }
page=$(readlink -f "$dir/store/latest")/index.html
[ -f "$page" ] || fail "millpond test wrote no store/latest/index.html"

dom="$dir/run.html"
dump_dom "$page" "$dom"
expect "$dom" 'data-scripts="ran"' "the page's script did not run"
expect "$dom" 'data-errors="0"' "the page raised errors: $(grep -o 'data-error-text="[^"]*"' "$dom")"
expect "$dom" 'data-resources="0"' "the page fetched resources (it must be self-contained)"
expect "$dom" 'id="verdict" class="verdict valid">Valid' "no verdict shown"
expect "$dom" 'class="plot latency-raw"' "no latency plot"
expect "$dom" 'class="plot rate"' "no throughput plot"
expect "$dom" 'class="nemesis nemesis-partition"' "no partition shaded in the plots"
expect "$dom" 'id="diagram-svg"><svg' "no Lamport diagram"
expect "$dom" 'class="edge band"' "the diagram does not show the partition"
expect "$dom" 'class="edge drop"' "the diagram does not show the messages the partition cut"
if grep -E '(src|href)="(https?:)?//' "$dom" >&2; then
    fail "the page links outside itself"
fi

# Real Maelstrom's store directory: no network journal, client operations only.
store=$(ls -d "$fixtures"/maelstrom/lin-kv/tattack99__ID2203-project__20260225* | head -1)
[ -d "$store" ] || fail "no lin-kv fixture under $fixtures"
"$millpond" report "$store" -o "$dir/maelstrom" > "$dir/report.out" 2>&1 \
    || { cat "$dir/report.out" >&2; fail "millpond report failed on $store"; }
dom="$dir/maelstrom.html"
dump_dom "$dir/maelstrom/index.html" "$dom"
expect "$dom" 'data-errors="0"' "the Maelstrom report raised errors"
expect "$dom" 'data-resources="0"' "the Maelstrom report fetched resources"
expect "$dom" 'id="verdict" class="verdict invalid">Invalid' "no verdict in the Maelstrom report"
expect "$dom" 'id="client-ops-only"' "the Maelstrom report does not say it shows client ops only"
expect "$dom" 'id="diagram-svg"><svg' "no diagram in the Maelstrom report"
echo "ok: both reports load in headless Chromium without errors and show verdict, plots and diagram"
