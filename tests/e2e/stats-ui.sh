#!/usr/bin/env bash
# End-to-end test of the statistics dashboards: a demo database with releases, a real
# server, managers and an analyst through the browser flow. Checks the scope rules (a
# manager sees their subtree only, an agent nothing), that the CSV and XLSX exports carry
# exactly the cells of the JSON API ("secret" where it says secret: true, never 0), the
# parameter errors, and that every page passes `tidy -q -e` without errors.
# Usage: stats-ui.sh PATH/TO/constat      (needs curl, sqlite3, tidy and python3)
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/demo.db
log=$tmp/serve.log
require curl sqlite3 tidy python3

# The data is made as of a fixed day, so that the months released are always the same.
export CONSTAT_TODAY=2026-03-31
expect_status "demo database" 0 "$constat" demo --db "$db" --scale tiny --no-release
agent=$(login_of agent)
umanager=$(login_of unit_manager)
rmanager=$(login_of region_manager)
analyst=$(login_of analyst)
password=demo-constat
scope_of() {
	sqlite3 "$db" "SELECT o.code FROM agent a JOIN org_unit o ON o.id = a.scope_unit_id
	               WHERE a.login = '$1'"
}
uscope=$(scope_of "$umanager")
rscope=$(scope_of "$rmanager")
[ -n "$uscope" ] && [ -n "$rscope" ] && ok || ko "manager scopes ($uscope, $rscope)"
# A unit outside the unit manager's subtree.
other=$(sqlite3 "$db" "SELECT code FROM org_unit WHERE level = 'unit' AND code != '$uscope'
                       ORDER BY code LIMIT 1")

start_server "$db"

an=$tmp/an.jar; um=$tmp/um.jar; rm_=$tmp/rm.jar; ag=$tmp/ag.jar
login "$an" "$analyst"
login "$um" "$umanager"
login "$rm_" "$rmanager"
login "$ag" "$agent"

# --- before any release: said plainly
expect_eq "dashboard without release" 200 "$(fetch n1 "$an" /statistiques)"
has n1 "Aucune statistique n'a encore été publiée"
expect_eq "export without release" 404 "$(fetch n2 "$an" "/statistiques/export?format=xlsx")"

# --- January and February released, in order
m1=2026-01
m2=2026-02
expect_status "release $m1" 0 "$constat" release --db "$db" --month "$m1" --quiet
expect_status "release $m2" 0 "$constat" release --db "$db" --month "$m2" --quiet
rel2=$(sqlite3 "$db" "SELECT id FROM stats_release WHERE month = '$m2'")

# --- agents have no statistics
expect_eq "agent dashboard" 403 "$(fetch ag1 "$ag" /statistiques)"
expect_eq "agent table" 403 "$(fetch ag2 "$ag" "/statistiques/tableau?table=activite")"
expect_eq "agent export" 403 "$(fetch ag3 "$ag" "/statistiques/export?table=activite&format=csv")"

# --- the analyst: national dashboard, any unit
expect_eq "analyst dashboard" 200 "$(fetch a1 "$an" /statistiques)"
has a1 '<h1>Statistiques'
has a1 'Chiffres clés'
has a1 '<svg'
has a1 'role="img"'
has a1 '<title>'
has a1 'class="stats-legend"'
has a1 'Un secret n&#39;est jamais un zéro.'
has a1 'Par région'
has a1 'Avancement des actions prioritaires'
has a1 'Suites par thème'
has a1 'Interventions sans thème renseigné'
hasnt a1 'style='
hasnt a1 '<script>'
expect_eq "analyst, a unit" 200 "$(fetch a2 "$an" "/statistiques?echelon=$uscope")"
expect_eq "analyst, older month" 200 "$(fetch a3 "$an" "/statistiques?mois=$m1")"
expect_eq "analyst, a version" 200 "$(fetch a4 "$an" "/statistiques?mois=$m1&version=1")"
has a4 'version 1'
expect_eq "analyst, full table" 200 \
	"$(fetch a5 "$an" "/statistiques/tableau?table=activite_theme&periode=cumul")"
has a5 '<caption>'
has a5 'scope="col"'
# every catalogue table has its page
for t in $(sqlite3 "$db" "SELECT DISTINCT tbl FROM stats_release_cell WHERE release_id = $rel2"); do
	expect_eq "table page $t" 200 "$(fetch tp "$an" "/statistiques/tableau?table=$t&echelon=$rscope")"
done

# --- the unit manager: own unit only
expect_eq "manager dashboard" 200 "$(fetch u1 "$um" /statistiques)"
has u1 "($uscope)"
expect_eq "manager, national" 403 "$(fetch u2 "$um" "/statistiques?echelon=FR")"
expect_eq "manager, another unit" 403 "$(fetch u3 "$um" "/statistiques?echelon=$other")"
expect_eq "manager, another unit's table" 403 \
	"$(fetch u4 "$um" "/statistiques/tableau?table=activite&echelon=$other")"
expect_eq "manager, another unit's export" 403 \
	"$(fetch u5 "$um" "/statistiques/export?table=activite&format=csv&echelon=$other")"
hasnt u1 "<option value=\"$other\""
# the region manager sees the region and its units
expect_eq "region manager" 200 "$(fetch r1 "$rm_" /statistiques)"
has r1 'Par département'
expect_eq "region manager, a unit" 200 "$(fetch r2 "$rm_" "/statistiques?echelon=$uscope")"

# --- versions: a second version of the month (made here by copying the release with one
# changed cell: the pages only read releases) is shown by default, the first stays readable
v1=$(sqlite3 "$db" "SELECT value FROM stats_release_cell WHERE release_id = $rel2
	AND period = '$m2' AND tbl = 'activite' AND geo = 'FR' AND cat = '_'")
sqlite3 "$db" "INSERT INTO stats_release (month, version, created_at, data_stamp, status,
	n_cells, n_secret) SELECT month, 2, created_at, data_stamp, status, n_cells, n_secret
	FROM stats_release WHERE id = $rel2;
	INSERT INTO stats_release_cell SELECT (SELECT max(id) FROM stats_release), period, tbl,
	geo, cat, CASE WHEN tbl = 'activite' AND geo = 'FR' AND cat = '_' AND period = '$m2'
	THEN 987654 ELSE value END, status, sensitive, reason FROM stats_release_cell
	WHERE release_id = $rel2"
expect_eq "newest version by default" 200 "$(fetch v2 "$an" /statistiques)"
has v2 "<th scope=\"row\">Interventions</th><td class=\"num\">987$(printf '\342\200\257')654</td>"
has v2 'version 2 (affichée)'
hasnt v2 'version antérieure'
expect_eq "first version" 200 "$(fetch v1 "$an" "/statistiques?mois=$m2&version=1")"
has v1 "<th scope=\"row\">Interventions</th><td class=\"num\">$v1</td>"
hasnt v1 "987$(printf '\342\200\257')654"
has v1 'version antérieure'
expect_eq "first version, full table" 200 \
	"$(fetch v3 "$an" "/statistiques/tableau?table=activite&mois=$m2&version=1")"
hasnt v3 "987$(printf '\342\200\257')654"

# --- parameter errors, in French, naming the parameter
expect_eq "bad month" 400 "$(fetch e1 "$an" "/statistiques?mois=2026-13")"
has e1 '« mois »'
expect_eq "bad version" 400 "$(fetch e2 "$an" "/statistiques?mois=$m2&version=x")"
has e2 '« version »'
expect_eq "unknown version" 404 "$(fetch e3 "$an" "/statistiques?mois=$m2&version=9")"
expect_eq "bad echelon" 400 "$(fetch e4 "$an" "/statistiques?echelon=%3Cb%3E")"
has e4 '« echelon »'
expect_eq "unknown echelon" 404 "$(fetch e5 "$an" "/statistiques?echelon=ZZ99")"
expect_eq "no table" 400 "$(fetch e6 "$an" "/statistiques/tableau")"
has e6 '« table »'
expect_eq "unknown table" 404 "$(fetch e7 "$an" "/statistiques/tableau?table=nope")"
expect_eq "bad period" 400 "$(fetch e8 "$an" "/statistiques/tableau?table=activite&periode=D1")"
has e8 '« periode »'
expect_eq "bad format" 400 "$(fetch e9 "$an" "/statistiques/export?table=activite&format=pdf")"
has e9 '« format »'
expect_eq "twice the same parameter" 400 "$(fetch e10 "$an" "/statistiques?mois=$m2&mois=$m1")"

# --- exports carry exactly the API's cells
# check_export JAR SCOPE TABLE DIMTABLE: CSV of the month vs the JSON API
check_export() {
	local jar=$1 scope=$2 table=$3 labels=$4 name
	name=x-$table-$scope
	expect_eq "CSV $table $scope" 200 "$(fetch "$name" "$jar" \
		"/statistiques/export?table=$table&format=csv&echelon=$scope&mois=$m2&version=1")"
	expect_match "CSV type" '^text/csv' "$(hdr "$name" Content-Type)"
	expect_match "CSV file name" "attachment; filename=\"constat-$table-$scope-$m2.csv\"" \
		"$(hdr "$name" Content-Disposition)"
	expect_eq "API $table $scope" 200 "$(fetch "$name-api" "$jar" \
		"/api/v1/stats/releases/$rel2/tables/$table?scope=$scope&period=$m2")"
	sqlite3 -separator '	' "$db" "SELECT code, label FROM $labels" >"$tmp/labels.tsv"
	python3 - "$tmp/$name.html" "$tmp/$name-api.html" "$tmp/labels.tsv" >"$tmp/cmp" 2>&1 <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
api = json.load(open(sys.argv[2], encoding="utf-8"))
labels = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[3], encoding="utf-8"))
labels["aucun"] = "Aucun thème renseigné"
head, body = rows[0], {r[0]: r for r in rows[1:]}
dim = [k for k in api["cells"][0]["dims"] if k not in ("org", "period")][0]
n = secret = 0
for c in api["cells"]:
    row = body.get(c["dims"]["org"])
    col = head.index(labels.get(c["dims"][dim], c["dims"][dim]))
    want = "secret" if c.get("secret") else str(c["value"])
    if row is None or row[col] != want:
        print("mismatch", c, row and row[col]); sys.exit(1)
    n += 1; secret += bool(c.get("secret"))
cells = sum(1 for r in rows[1:] for v in r[3:] if v != "")
if cells != n:
    print("CSV has", cells, "cells, API", n); sys.exit(1)
print(n, secret)
EOF
	if [ $? -eq 0 ]; then ok; else ko "CSV $table $scope differs from the API: $(cat "$tmp/cmp")"; fi
}
check_export "$rm_" "$rscope" activite_nature intervention_kind
check_export "$um" "$uscope" suites followup_kind
check_export "$an" FR activite_theme theme
secrets=$(cut -d' ' -f2 "$tmp/cmp")
expect_eq "full table page" 200 \
	"$(fetch ft "$an" "/statistiques/tableau?table=activite_theme&echelon=FR&mois=$m2&version=1")"
expect_eq "HTML secrets as in the API" "$secrets" "$(grep -o 'class="secret"' "$tmp/ft.html" | wc -l)"

# XLSX of the same table: a zip whose cells say "secret" as often as the API
expect_eq "XLSX" 200 "$(fetch xl "$an" \
	"/statistiques/export?table=activite_theme&format=xlsx&echelon=FR&mois=$m2&version=1")"
expect_match "XLSX type" 'spreadsheetml' "$(hdr xl Content-Type)"
expect_match "XLSX file name" 'filename="constat-activite_theme-FR-.*\.xlsx"' "$(hdr xl Content-Disposition)"
got=$(python3 - "$tmp/xl.html" <<'EOF'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = re.findall(r"<si><t[^>]*>(.*?)</t></si>", z.read("xl/sharedStrings.xml").decode())
sheet = z.read("xl/worksheets/sheet1.xml").decode()
idx = [m for m in re.findall(r'<c r="[D-Z]+\d+"[^>]*t="s"[^>]*><v>(\d+)</v>', sheet)]
print(sum(1 for i in idx if strings[int(i)] == "secret"))
EOF
)
expect_eq "XLSX secrets as in the API" "$secrets" "$got"
# the whole dashboard, one sheet per table
expect_eq "dashboard XLSX" 200 "$(fetch xd "$rm_" "/statistiques/export?format=xlsx")"
sheets=$(python3 -c 'import re,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]);
print(len(re.findall("<sheet ", z.read("xl/workbook.xml").decode())))' "$tmp/xd.html")
expect_match "dashboard sheets" '^([5-9]|1[0-9])$' "$sheets"
expect_eq "CSV needs a table" 400 "$(fetch xc "$an" "/statistiques/export?format=csv")"
expect_eq "exports are audited" 1 "$(sqlite3 "$db" "SELECT count(*) > 0 FROM audit
	WHERE action = 'export.stats'")"

finish
