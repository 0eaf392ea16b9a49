#!/bin/sh
# search.sh: benchmarks the establishment search (quality, latency, build, size, memory)
# side by side with baselines fed the same normalised text and the same queries: SQLite
# FTS5 (unicode61 with prefix indexes, and trigram) and PostgreSQL pg_trgm (GIN,
# word_similarity), on a generated database.
#
#   bench/search.sh small                 # constat generate --scale small --seed 42
#   bench/search.sh national              # /tmp/national.db (generated once, reused)
#   BUILD=build-Q PER=1000 SEED=1 ENGINES=constat,fts5,trigram,pg bench/search.sh small
#
# The search index is built by 'constat search --build-index' in its own process
# (/usr/bin/time gives its time and peak memory); the baselines are built by the bench
# program from the same normalised text. pg_trgm needs PostgreSQL (Debian: apt-get
# install postgresql libpq-dev): the script creates a cluster in $WORK/SCALE/pg, starts
# it on 127.0.0.1:$PGPORT (as the postgres user when run as root: initdb refuses root)
# and stops it at the end; without PostgreSQL it says so and runs the others. Work files
# go to $WORK (default /tmp/bench-search); REBUILD=1 rebuilds every engine.
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-small}
BUILD=${BUILD:-build}
WORK=${WORK:-/tmp/bench-search}
PER=${PER:-1000}
SEED=${SEED:-1}
ENGINES=${ENGINES:-constat,fts5,trigram,pg}
PGPORT=${PGPORT:-55432}
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

# the bench program; with libpq when there is one
PGFLAGS=
PGLIBS=
if pkg-config --exists libpq 2>/dev/null; then
	PGFLAGS="-DBENCH_PG -I$(pkg-config --variable=includedir libpq)"
	PGLIBS=$(pkg-config --libs libpq)
fi
# shellcheck disable=SC2046,SC2086
cc -O2 -std=c17 -Wall -Wextra -Wno-format-truncation -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Isrc -I"$BUILD" $PGFLAGS bench/search/bench-search.c "$BUILD/libconstat.a" \
	$(pkg-config --libs sqlite3 jansson libsodium libutf8proc libmicrohttpd cairo xlsxwriter) \
	$PGLIBS -lglpk -lm -lpthread -o "$WORK/bench-search"

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
	: >"$ERR"
	T0=$(date +%s.%N)
	"$BIN" serve --db "$DB" --index "$IX" --listen 127.0.0.1:0 --no-releases >"$ERR" 2>&1 &
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

# PostgreSQL for pg_trgm: a cluster of our own, on loopback, stopped on exit
PGDIR="$WORK/$SCALE/pg"
PGBIN=
PG_STARTED=0
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && PGBIN=$d
done
pg_stop() {
	if [ "$PG_STARTED" = 1 ]; then
		$AS "$PGBIN/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null || true
	fi
}
case ",$ENGINES," in
*,pg,*)
	if [ -z "$PGBIN" ] || [ -z "$PGLIBS" ]; then
		echo "pg_trgm: PostgreSQL or libpq not installed (apt-get install postgresql" \
			"libpq-dev): skipped"
	else
		AS=
		if [ "$(id -u)" = 0 ]; then
			AS="runuser -u postgres --"
		fi
		if [ "${REBUILD:-0}" = 1 ]; then
			rm -rf "$PGDIR" "$PGDIR.built"
		fi
		if [ ! -f "$PGDIR/PG_VERSION" ]; then
			mkdir -p "$PGDIR"
			[ -n "$AS" ] && chown postgres "$PGDIR"
			$AS "$PGBIN/initdb" -D "$PGDIR" -A trust -U postgres -E UTF8 >/dev/null
		fi
		if [ ! -f "$PGDIR.built" ]; then
			export BENCH_PG_BUILD=1 # the bench program loads and indexes the table
		fi
		[ -n "$AS" ] && touch "$PGDIR.log" && chown postgres "$PGDIR.log"
		# no durability needed for a benchmark; sockets in the cluster directory
		$AS "$PGBIN/pg_ctl" -D "$PGDIR" -l "$PGDIR.log" -w -o "-c listen_addresses=127.0.0.1 \
-p $PGPORT -k $PGDIR -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off \
-c max_wal_size=8GB -c jit=off" start >/dev/null
		PG_STARTED=1
		trap pg_stop EXIT INT TERM
		export BENCH_PG="host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres"
	fi
	;;
esac

BUILD_FTS=
if [ ! -f "$WORK/$SCALE/fts5-unicode61.db" ] || [ "${REBUILD:-0}" = 1 ]; then
	BUILD_FTS=--build-fts
fi
echo "== bench (machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ))"
"$WORK/bench-search" --db "$DB" --index "$IX" --fts-dir "$WORK/$SCALE" $BUILD_FTS \
	--engines "$ENGINES" --per "$PER" --seed "$SEED"
if [ "$PG_STARTED" = 1 ]; then
	touch "$PGDIR.built"
fi
if [ "$PG_STARTED" = 1 ]; then
	# the PostgreSQL server's own resident memory (its processes together)
	PGPID=$(head -1 "$PGDIR/postmaster.pid")
	echo "pg_trgm server: $(ps --ppid "$PGPID" -p "$PGPID" -o rss= | awk '{s += $1} END {printf "%.0f", s / 1024}') MB resident (postmaster and backends, shared buffers counted once per process)"
fi
