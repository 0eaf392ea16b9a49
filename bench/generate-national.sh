#!/usr/bin/env bash
# bench/generate-national.sh: times `constat generate --scale national` into a fresh
# database and reports the elapsed seconds, the peak resident memory and the row counts.
#
# Usage: bench/generate-national.sh [CONSTAT] [SCALE]
#   CONSTAT  the constat binary (default build/constat; build it optimised)
#   SCALE    tiny, small or national (default national)
# Environment: BENCH_DIR (default /tmp/constat-bench-generate) holds the database;
# SEED (default 1) and TODAY (default 2026-01-15) fix the data; KEEP=1 keeps the database.
# Floors (docs/DATA-MODEL.md): national within 600 s and under 4 GiB resident.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
constat=$(realpath "${1:-$root/build/constat}")
scale=${2:-national}
dir=${BENCH_DIR:-/tmp/constat-bench-generate}
seed=${SEED:-1}
today=${TODAY:-2026-01-15}

if [[ ! -x $constat ]]; then
	echo "bench: $constat not found; build first" >&2
	exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
	echo "bench: /usr/bin/time is missing (apt-get install -y time)" >&2
	exit 1
fi
mkdir -p "$dir"
db="$dir/$scale.db"
rm -f "$db" "$db-wal" "$db-shm"
log="$dir/$scale.time"

echo "bench: constat generate --scale $scale --seed $seed --today $today"
echo "bench: machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' \
	/proc/meminfo), $(uname -sr), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
/usr/bin/time -v -o "$log" "$constat" generate --db "$db" --scale "$scale" --seed "$seed" \
	--today "$today"
elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
secs=$(awk -v t="$elapsed" 'BEGIN {n = split(t, p, ":"); s = 0;
	for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s}')
echo "bench: elapsed ${secs} s, peak RSS $((rss_kb / 1024)) MiB, database" \
	"$(du -h "$db" | cut -f1)"
if [[ $scale == national ]]; then
	awk -v s="$secs" -v r="$rss_kb" 'BEGIN {
		if (s > 600) print "bench: FLOOR MISSED: more than 600 s";
		if (r > 4 * 1048576) print "bench: FLOOR MISSED: more than 4 GiB resident" }'
fi
if [[ ${KEEP:-0} != 1 ]]; then
	rm -f "$db" "$db-wal" "$db-shm"
fi
