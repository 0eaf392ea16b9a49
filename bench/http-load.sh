#!/usr/bin/env bash
# Benchmark: wrk on loopback against the small demo database. Establishment reads and
# durable intervention writes at 64 and 512 connections, first at saturation (each
# connection sends its next request as soon as the last is answered: the most the server
# can do, and the latency of a queue that never empties), then paced just above the
# issue's floors (READ_RATE reads, default 5,250, and WRITE_RATE writes, default 1,050, a
# second offered in random arrivals, bench/http-pace.lua; 5 % above 5,000 and 1,000 so
# that what a run achieves, start-up included, is not below them): the latency a user
# sees at that load. Prints requests a second, p50, p99 and errors as one table.
# Usage: bench/http-load.sh [PATH/TO/constat] [SECONDS]
set -euo pipefail
constat=${1:-build/constat}
secs=${2:-20}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d /tmp/constat-bench-XXXXXX)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/small.db
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_DIR=$here
read_rate=${READ_RATE:-5250}
write_rate=${WRITE_RATE:-1050}

echo "preparing the small database (200,000 establishments)..." >&2
"$constat" demo --db "$db" --scale small >/dev/null 2>&1
agent=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'demo.login.agent'")
export TOKEN=$("$constat" token create --db "$db" --login "$agent" --label bench)
export SIRETS=$work/sirets
export DAY=$(date -u +%F)
sqlite3 "$db" "SELECT printf('%014d', siret) FROM intervention WHERE siret IS NOT NULL
               GROUP BY siret ORDER BY siret LIMIT 5000" >"$SIRETS"

"$constat" serve --db "$db" --listen 127.0.0.1:0 --no-releases --max-connections 4096 --max-per-ip 4096 \
	>"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 300); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")

printf '%-22s %6s %8s %12s %10s %10s %8s\n' test conns offered "requests/s" "p50 ms" "p99 ms" errors
run() {
	local name=$1 script=$2 conns=$3 rate=${4:-} out
	out=$(RATE=$rate THREADS=2 wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/$script" \
		"http://127.0.0.1:$port" 2>&1)
	local rps p50 p99 errs
	rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	errs=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
	printf '%-22s %6s %8s %12s %10s %10s %8s\n' "$name" "$conns" "${rate:-max}" "$rps" "$p50" "$p99" "$errs"
}
# Reads first: every write adds to the history the read returns.
for c in 64 512; do run "establishment read" http-read.lua "$c"; done
for c in 64 512; do run "establishment read" http-read.lua "$c" "$read_rate"; done
for c in 64 512; do run "intervention write" http-write.lua "$c"; done
for c in 64 512; do run "intervention write" http-write.lua "$c" "$write_rate"; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
