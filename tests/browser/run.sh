#!/usr/bin/env bash
# Browser tests: a demo database, the real server on an ephemeral port, and the *.test.js
# files of this folder run by node's test runner in Debian's Chromium (playwright-core,
# executablePath /usr/bin/chromium; never a browser download). Screenshots and the axe
# results go to SHOTS (default: browser-shots/ beside the binary).
# Usage: run.sh PATH/TO/constat [SHOTS] [TEST FILES...]
# Exit 77 (skipped, with a message) only when Chromium, node or the npm packages are
# missing and cannot be installed here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
constat=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shots=${2:-$(dirname "$constat")/browser-shots}
# Absolute: the tests run from this folder.
case $shots in /*) ;; *) shots=$PWD/$shots ;; esac
shift $(($# >= 2 ? 2 : $#))

skip() {
	echo "SKIP: browser tests: $*" >&2
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
}

chromium=${CONSTAT_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || skip "Debian's chromium is not installed at $chromium" \
	"(apt-get install -y chromium; scripts/install-deps does it)"
command -v node >/dev/null || skip "node is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
	(cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		skip "npm ci failed in tests/browser (no registry?)"
fi

tmp=$(mktemp -d /tmp/constat-browser-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

db=$tmp/demo.db
if ! "$constat" demo --db "$db" --scale tiny >"$tmp/demo.out" 2>&1; then
	echo "run.sh: demo database failed: $(tail -3 "$tmp/demo.out")" >&2
	exit 1
fi
"$constat" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --no-releases >"$tmp/stdout" 2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 200); do
	port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/stdout")
	[ -n "$port" ] && break
	sleep 0.05
done
if [ -z "$port" ]; then
	echo "run.sh: the server did not print its port: $(head -c 300 "$tmp/serve.log")" >&2
	exit 1
fi
# The search index is built in the background: wait until it answers.
for _ in $(seq 1 150); do
	grep -q 'search index ready' "$tmp/serve.log" && break
	sleep 0.1
done

rm -f "$shots"/*.png "$shots"/axe-*.json 2>/dev/null
mkdir -p "$shots"
export CONSTAT_BASE_URL=http://127.0.0.1:$port CONSTAT_DB=$db CONSTAT_SHOTS=$shots \
	CONSTAT_CHROMIUM=$chromium
cd "$here" || exit 1
if [ $# -gt 0 ]; then files=("$@"); else files=(*.test.js); fi
# One file at a time: one Chromium at a time on a small machine.
node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
rc=$?
echo "info: screenshots and axe results in $shots" >&2
exit $rc
