#!/bin/sh
# bench/stats-release.sh: times the protection and audit of monthly releases and reports
# the secret cells per level. Usage: bench/stats-release.sh CONSTAT DB MONTH... (the
# months of one year, in order, from January; with a database that has releases
# already, the months after its last one). The database is copied first: the original
# is left untouched. CONSTAT_TODAY must be past the last month + 15 days.
# LATE_EDITS=N (optional): then N final interventions of the last month, of N different
# agents, change kind and become office work (stamped after every release), and the last
# month is released again: the new version's secret cells per level compare with the
# first version's (needs the sqlite3 command).
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
last=
for m in "$@"; do
	/usr/bin/time -f "bench: $m wall %e s, cpu %U + %S s, peak %M KiB" \
		"$constat" release --db "$work/db" --month "$m" --quiet || echo "bench: $m refused"
	last=$m
done
n=${LATE_EDITS:-0}
case $n in
'' | *[!0-9]*) echo "bench: LATE_EDITS must be a number" >&2; exit 2 ;;
esac
if [ "$n" -gt 0 ] && [ -n "$last" ]; then
	sqlite3 "$work/db" "UPDATE intervention SET kind = CASE kind WHEN 'controle_pieces' \
THEN 'controle_site' ELSE 'controle_pieces' END, on_site = 0, updated_at = \
strftime('%Y-%m-%dT%H:%M:%SZ', max((SELECT max(updated_at) FROM intervention), \
(SELECT max(data_stamp) FROM stats_release)), '+1 second') WHERE id IN (SELECT min(id) FROM \
intervention WHERE date LIKE '$last%' AND status = 'final' GROUP BY author_id \
ORDER BY author_id LIMIT $n)"
	echo "bench: $n late edits in $last, new version"
	/usr/bin/time -f "bench: $last (new version) wall %e s, cpu %U + %S s, peak %M KiB" \
		"$constat" release --db "$work/db" --month "$last" --quiet ||
		echo "bench: $last (new version) refused"
fi
