#!/usr/bin/env bash
# bench/stats-pages.sh: times the statistics pages (dashboards, a full table, the ILO
# report page) served from frozen releases, as each demo role sees them. Usage:
# bench/stats-pages.sh CONSTAT DB [RUNS]   (RUNS requests per page, default 21)
# INDEX=FILE (optional): the search index of DB (serve --index), so that the server does
# not build one at start (about 90 s on national data).
# DB must have releases (bench/stats-release.sh leaves none behind: release a copy with
# constat release). The script works on a copy of DB (the server writes sessions and the
# audit trail), sets a bench password on the demo accounts of the copy, starts the server
# on a loopback port without its release job, logs in through the form as a browser does,
# and prints, per page, the min / median / max of curl's time_total and the page size.
# Needs curl and sqlite3. The 2-core machine is shared: compare runs made side by side.
set -eu
constat=$1
db=$2
runs=${3:-21}
# the end-to-end helpers: a folder removed at exit ($tmp), start_server (sets $pid and
# $base), require; the server is stopped at exit
. "$(dirname "$0")/../tests/e2e/lib.sh"
require curl sqlite3
work=$tmp
cp "$db" "$work/db"
! test -f "$db.key" || cp "$db.key" "$work/db.key"
password=bench-constat-pages
meta() { sqlite3 "$work/db" "SELECT value FROM meta WHERE key = 'demo.login.$1'"; }
for role in unit_manager region_manager analyst; do
	login=$(meta "$role")
	[ -n "$login" ] || { echo "bench: no demo.login.$role in $db" >&2; exit 1; }
	printf '%s\n' "$password" |
		"$constat" user passwd --db "$work/db" --login "$login" --password-stdin >/dev/null
done
# without a saved index the server builds one first (about 90 s on national data)
START_SECONDS=300 start_server "$work/db" ${INDEX:+--index "$INDEX"}

# login ROLE: a cookie jar logged in as the role's demo account
login() {
	jar=$work/$1.jar
	curl -s -c "$jar" -b "$jar" -o "$work/form.html" "$base/connexion"
	curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "login=$(meta "$1")" \
		--data-urlencode "password=$password" -d suite=/ "$base/connexion"
}

# page LABEL ROLE PATH: RUNS requests, then "| label | min | median | max | size |"
page() {
	jar=$work/$2.jar
	code=$(curl -s -b "$jar" -o "$work/page" -w '%{http_code}' "$base$3")
	[ "$code" = 200 ] || { echo "bench: $3 as $2: HTTP $code" >&2; exit 1; }
	size=$(wc -c <"$work/page")
	i=0
	: >"$work/times"
	while [ "$i" -lt "$runs" ]; do
		curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$base$3" >>"$work/times"
		i=$((i + 1))
	done
	sort -n "$work/times" | awk -v label="$1" -v size="$size" '
		{ t[NR] = $1 * 1000 }
		END { printf "| %s | %.1f ms | %.1f ms | %.1f ms | %d KB |\n", label, t[1],
		      t[int((NR + 1) / 2)], t[NR], size / 1000 }'
}

echo "bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(basename "$db"), $runs requests a page"
for role in unit_manager region_manager analyst; do
	login "$role"
done
echo "| page | min | median | max | size |"
echo "| --- | --- | --- | --- | --- |"
page "/statistiques, unit manager" unit_manager /statistiques
page "/statistiques, region manager" region_manager /statistiques
page "/statistiques, analyst (national)" analyst /statistiques
page "/statistiques/tableau?table=activite_theme, analyst (every unit)" analyst \
	"/statistiques/tableau?table=activite_theme"
page "/statistiques/tableau?table=suites&periode=cumul, region manager" region_manager \
	"/statistiques/tableau?table=suites&periode=cumul"
year=$(sqlite3 "$work/db" "SELECT substr(max(month), 1, 4) FROM stats_release")
page "/rapport-oit?annee=$year, analyst (floor 5 s)" analyst "/rapport-oit?annee=$year"
