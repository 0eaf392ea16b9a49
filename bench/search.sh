#!/bin/sh
# search.sh: benchmarks the establishment search (quality, latency, build, size, memory)
# side by side with SQLite FTS5 baselines, on a generated database.
#
#   bench/search.sh small                 # constat generate --scale small --seed 42
#   bench/search.sh national              # /tmp/national.db (generated once, reused)
#   BUILD=build-search2 PER=1000 SEED=1 ENGINES=constat,fts5,trigram bench/search.sh small
#
# The search index is built by 'constat search --build-index' in its own process
# (/usr/bin/time gives its time and peak memory); the baselines are built by the bench
# program from the same normalised text. Work files go to $WORK (default /tmp/bench-search).
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-small}
BUILD=${BUILD:-build-search2}
WORK=${WORK:-/tmp/bench-search}
PER=${PER:-1000}
SEED=${SEED:-1}
ENGINES=${ENGINES:-constat,fts5,trigram}
mkdir -p "$WORK/$SCALE"
case "$SCALE" in
small) DB=${DB:-$WORK/small.db} ;;
national) DB=${DB:-/tmp/national.db} ;;
*) echo "usage: $0 small|national" >&2; exit 2 ;;
esac
ninja -C "$BUILD" -j1 constat >/dev/null
BIN="$BUILD/constat"
if [ ! -f "$DB" ]; then
	if [ "$SCALE" = small ]; then
		"$BIN" generate --db "$DB" --scale small --seed 42 >/dev/null
	else
		"$BIN" generate --db "$DB" --scale national --seed 1 >/dev/null
	fi
fi
# shellcheck disable=SC2046
cc -O2 -std=c17 -Wall -Wextra -Wno-format-truncation -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -I"$BUILD" \
	bench/search/bench-search.c "$BUILD/libconstat.a" \
	$(pkg-config --libs sqlite3 jansson libsodium libutf8proc libmicrohttpd cairo xlsxwriter) \
	-lglpk -lm -lpthread -o "$WORK/bench-search"
IX="$WORK/$SCALE/search.idx"
if [ ! -f "$IX" ] || [ "${REBUILD:-0}" = 1 ]; then
	echo "== constat search --build-index"
	/usr/bin/time -f "build: %e s elapsed, %M KB peak resident" \
		"$BIN" search --db "$DB" --build-index "$IX"
fi
ls -l "$IX"
if [ "${SERVE:-1}" = 1 ]; then
	# the server's start with the saved index, and its resident memory once up
	ERR="$WORK/$SCALE/serve.err"
	T0=$(date +%s.%N)
	"$BIN" serve --db "$DB" --index "$IX" --listen 127.0.0.1:0 >"$ERR" 2>&1 &
	PID=$!
	i=0
	while [ $i -lt 1200 ] && ! grep -q "listening on" "$ERR"; do
		sleep 0.05
		i=$((i + 1))
	done
	T1=$(date +%s.%N)
	echo "serve: listening after $(echo "$T1 - $T0" | bc) s; $(grep -o 'search index ready in [0-9.]* s' "$ERR")"
	grep -E "VmRSS|VmHWM" "/proc/$PID/status" | tr -s ' \t' ' ' | sed 's/^/serve: /'
	kill "$PID"
	wait "$PID" || true
fi
BUILD_FTS=
if [ ! -f "$WORK/$SCALE/fts5-unicode61.db" ] || [ "${REBUILD:-0}" = 1 ]; then
	BUILD_FTS=--build-fts
fi
echo "== bench (machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ))"
"$WORK/bench-search" --db "$DB" --index "$IX" --fts-dir "$WORK/$SCALE" $BUILD_FTS \
	--engines "$ENGINES" --per "$PER" --seed "$SEED"
