#!/bin/sh
# bench/stats-release.sh: times the protection and audit of monthly releases and reports
# the secret cells per level. Usage: bench/stats-release.sh CONSTAT DB MONTH... (the
# months of one year, in order, from January). The database is copied first: the
# original is left untouched. CONSTAT_TODAY must be past the last month + 15 days.
# Prints wall and CPU (user + system) seconds per month: the 2-core machine is shared.
set -eu
constat=$1
db=$2
shift 2
work=$(mktemp -d /tmp/constat-bench-stats-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$db" "$work/db"
# the audit key beside the database (the store refuses to write without it)
! test -f "$db.key" || cp "$db.key" "$work/db.key"
# open it once untimed: a database not yet at the current schema is migrated on its first
# open (0006 builds an index over the 11 M establishments: about 45 s on national data),
# which is not part of a release (the month 2999-12 is refused as not closed)
"$constat" release --db "$work/db" --month 2999-12 --quiet >/dev/null 2>&1 || true
echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(basename "$db")"
for m in "$@"; do
	/usr/bin/time -f "bench: $m wall %e s, cpu %U + %S s, peak %M KiB" \
		"$constat" release --db "$work/db" --month "$m" --quiet || echo "bench: $m refused"
done
