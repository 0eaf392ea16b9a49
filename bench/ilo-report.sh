#!/bin/sh
# bench/ilo-report.sh: times the ILO annual report (constat ilo-report) on a database with
# releases, in each format, RUNS times (default 3; the first run may read from disk, the
# others from the page cache). Usage: bench/ilo-report.sh CONSTAT DB YEAR [RUNS]
# The report only reads, but opening the database brings its schema up to date first
# (migration 0006 builds an index over the registry once: about 15 s on 11 M
# establishments), so run it on a copy when the original must stay untouched.
# Prints wall and CPU (user + system) seconds: the 2-core machine is shared.
set -eu
constat=$1
db=$2
year=$3
runs=${4:-3}
out=$(mktemp -d /tmp/constat-bench-ilo-XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(basename "$db"), year $year"
for f in html pdf xlsx csv; do
	i=1
	while [ "$i" -le "$runs" ]; do
		/usr/bin/time -f "bench: $f run $i wall %e s, cpu %U + %S s, peak %M KiB" \
			"$constat" ilo-report --db "$db" --year "$year" --format "$f" \
			--out "$out/report.$f" --quiet
		i=$((i + 1))
	done
	echo "bench: $f $(wc -c <"$out/report.$f") bytes"
done
