#!/usr/bin/env bash
# entry-time.sh: the entry-time benchmark of the intervention form (bench/entry-time.js) in
# Debian's Chromium against the real server on an ephemeral port and a demo database.
#   bench/entry-time.sh [PATH/TO/constat]        (default build/constat)
#   RUNS=5 bench/entry-time.sh build-browser/constat
# Needs /usr/bin/chromium and `npm ci` in tests/browser (playwright-core, axe-core).
set -u
cd "$(dirname "$0")/.." || exit 1
constat=$(realpath "${1:-build/constat}")
[ -x "$constat" ] || { echo "entry-time.sh: $constat is not built" >&2; exit 2; }
[ -x /usr/bin/chromium ] || { echo "entry-time.sh: apt-get install -y chromium" >&2; exit 77; }
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	(cd tests/browser && npm ci --no-audit --no-fund >/dev/null) || exit 77
fi
tmp=$(mktemp -d /tmp/constat-entry-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
"$constat" demo --db "$tmp/demo.db" --scale tiny >/dev/null 2>"$tmp/demo.err" ||
	{ cat "$tmp/demo.err" >&2; exit 1; }
"$constat" serve --db "$tmp/demo.db" --listen 127.0.0.1:0 --threads 2 --no-releases >"$tmp/stdout" \
	2>"$tmp/serve.log" &
pid=$!
port=
for _ in $(seq 1 200); do
	port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/stdout")
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "entry-time.sh: no port: $(head -c 300 "$tmp/serve.log")" >&2; exit 1; }
for _ in $(seq 1 150); do
	grep -q 'search index ready' "$tmp/serve.log" && break
	sleep 0.1
done
echo "$(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
CONSTAT_BASE_URL=http://127.0.0.1:$port CONSTAT_DB=$tmp/demo.db CONSTAT_SERVER_PID=$pid \
	node bench/entry-time.js
