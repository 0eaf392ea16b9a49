#!/usr/bin/env bash
# End-to-end test of the statistics dashboards: a demo database with releases, a real
# server, managers and an analyst through the browser flow. Checks the scope rules (a
# manager sees their subtree only, an agent nothing), that the CSV and XLSX exports carry
# exactly the cells of the JSON API ("secret" where it says secret: true, "par trimestre"
# where it also says by_quarter: true, never 0), the breakdowns of small units published
# by quarter only (a note and a link to the quarter on the dashboard), the parameter
# errors, and that every page passes `tidy -q -e` without errors.
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

# section_of NAME ID: the <section> of id s-ID of page NAME into page NAME-ID (for has)
section_of() {
	sed -n "/<h2 id=\"s-$2\">/,/<\/section>/p" "$tmp/$1.html" >"$tmp/$1-$2.html"
	[ -s "$tmp/$1-$2.html" ] && ok || ko "$1: no section s-$2"
}
# quarter_link NAME: the link of the first « par trimestre » note of page NAME, unescaped
quarter_link() {
	grep -o '<p class="stats-quarter"[^>]*>[^<]*<a href="[^"]*"' "$tmp/$1.html" | head -1 |
		sed 's/.*<a href="//; s/"$//; s/&amp;/\&/g'
}

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
# honest counting: the interventions on an action without a point checked, and their share
section_of a1 chiffres-cles
has a1-chiffres-cles '<th scope="row">Interventions sur action prioritaire sans point vérifié</th><td class="num">'
has a1-chiffres-cles '<th scope="row">Interventions sur action sans point vérifié (%)</th>'
# completeness of the activity and headcount breakdowns: the national « ZZ » and « NN »
# cells over the national interventions, as released
cell() {
	sqlite3 "$db" "SELECT CASE status WHEN 'published' THEN value ELSE 'secret' END
		FROM stats_release_cell WHERE release_id = $rel2 AND period = '$m2' AND tbl = '$1'
		AND geo = 'FR' AND cat = '$2'"
}
act=$(cell activite _)
for share in 'activite_naf ZZ Interventions sans activité (NAF) connue' \
	"activite_effectif NN Interventions sans tranche d&#39;effectif connue"; do
	set -- $share
	tbl=$1 cat=$2
	shift 2
	v=$(cell "$tbl" "$cat")
	case "$v$act" in
	*secret*) want=secret ;;
	*) want=$(awk -v a="$v" -v b="$act" 'BEGIN { printf "%.1f", 100 * a / b }' | tr . ,) ;;
	esac
	has a1-chiffres-cles "<th scope=\"row\">$* (%)</th><td class=\"num\">$want</td>"
done
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
# a control unit of the demo has fewer than 20 agents: its breakdowns (here by nature) are
# published for the quarter only, and said so, while its totals are monthly figures
section_of u1 nature
has u1-nature '<td class="quarterly">par trimestre</td>'
hasnt u1-nature '<td class="num">'
hasnt u1-nature '<td class="secret">'
has u1-nature 'svg-quarterly-label'
has u1-nature 'class="stats-quarter" role="note"'
has u1-nature 'ne l&#39;est que pour le trimestre'
# no quarter is released yet (January and February only): no link, the month that brings it
has u1-nature "Aucun trimestre n'est encore publié : le prochain le sera avec la publication de mars 2026."
hasnt u1-nature 'periode=trimestre'
section_of u1 chiffres-cles
has u1-chiffres-cles '<th scope="row">Interventions</th><td class="num">'
has u1-chiffres-cles '<th scope="row">Suites (toutes natures)</th><td class="quarterly">'
# the region manager sees the region and its units
expect_eq "region manager" 200 "$(fetch r1 "$rm_" /statistiques)"
has r1 'Par département'
# the region is large enough: its breakdowns are monthly figures, without the note
section_of r1 nature
has r1-nature '<td class="num">'
hasnt r1-nature 'class="quarterly"'
hasnt r1-nature 'class="stats-quarter"'
section_of r1 suites
hasnt r1-suites 'class="quarterly"'
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
# check_export JAR SCOPE TABLE DIMTABLE [RELEASE MONTH PERIODE PERIOD]: the CSV (by
# default of February's month, version 1) vs the JSON API; $tmp/cmp gets "cells secrets
# by_quarter", the secrets not counting the cells published by quarter only
check_export() {
	local jar=$1 scope=$2 table=$3 labels=$4 rel=${5:-$rel2} month=${6:-$m2}
	local periode=${7:-mois} period=${8:-$m2} name
	name=x-$table-$scope-$period
	expect_eq "CSV $table $scope $period" 200 "$(fetch "$name" "$jar" \
		"/statistiques/export?table=$table&format=csv&echelon=$scope&mois=$month&version=1&periode=$periode")"
	expect_match "CSV type" '^text/csv' "$(hdr "$name" Content-Type)"
	expect_match "CSV file name" "attachment; filename=\"constat-$table-$scope-$period.csv\"" \
		"$(hdr "$name" Content-Disposition)"
	expect_eq "API $table $scope $period" 200 "$(fetch "$name-api" "$jar" \
		"/api/v1/stats/releases/$rel/tables/$table?scope=$scope&period=$period")"
	sqlite3 -separator '	' "$db" "SELECT code, label FROM $labels" >"$tmp/labels.tsv"
	python3 - "$tmp/$name.html" "$tmp/$name-api.html" "$tmp/labels.tsv" >"$tmp/cmp" 2>&1 <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
api = json.load(open(sys.argv[2], encoding="utf-8"))
labels = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[3], encoding="utf-8"))
labels["aucun"] = "Aucun thème renseigné"
head, body = rows[0], {r[0]: r for r in rows[1:]}
dim = [k for k in api["cells"][0]["dims"] if k not in ("org", "period")][0]
n = secret = design = 0
for c in api["cells"]:
    # a hidden cell carries no value; by_quarter only ever on a hidden cell
    if ("value" in c) == bool(c.get("secret")) or (c.get("by_quarter") and not c.get("secret")):
        print("malformed cell", c); sys.exit(1)
    row = body.get(c["dims"]["org"])
    col = head.index(labels.get(c["dims"][dim], c["dims"][dim]))
    if c.get("secret"):
        want = "par trimestre" if c.get("by_quarter") else "secret"
    else:
        want = str(c["value"])
    if row is None or row[col] != want:
        print("mismatch", c, row and row[col]); sys.exit(1)
    n += 1
    design += bool(c.get("by_quarter"))
    secret += bool(c.get("secret")) and not c.get("by_quarter")
cells = sum(1 for r in rows[1:] for v in r[3:] if v != "")
if cells != n:
    print("CSV has", cells, "cells, API", n); sys.exit(1)
print(n, secret, design)
EOF
	if [ $? -eq 0 ]; then ok; else ko "CSV $table $scope differs from the API: $(cat "$tmp/cmp")"; fi
}
check_export "$rm_" "$rscope" activite_nature intervention_kind
check_export "$um" "$uscope" suites followup_kind
# the unit's breakdown: every cell by quarter only
read -r n secrets designs <"$tmp/cmp"
expect_eq "the unit's follow-ups all by quarter only ($n cells)" "$n" "$designs"
check_export "$an" FR activite_theme theme
read -r n secrets designs <"$tmp/cmp"
# the API's by_quarter cells are the release's design cells, and there are some
expect_eq "API by_quarter = design cells" "$(sqlite3 "$db" "SELECT count(*)
	FROM stats_release_cell WHERE release_id = $rel2 AND period = '$m2'
	AND tbl = 'activite_theme' AND status = 'secret' AND reason = 'design'")" "$designs"
expect_match "some cells by quarter only" '^[1-9][0-9]*$' "$designs"
expect_eq "full table page" 200 \
	"$(fetch ft "$an" "/statistiques/tableau?table=activite_theme&echelon=FR&mois=$m2&version=1")"
expect_eq "HTML secrets as in the API" "$secrets" "$(grep -o 'class="secret"' "$tmp/ft.html" | wc -l)"
expect_eq "HTML « par trimestre » as in the API" "$designs" \
	"$(grep -o '<td class="quarterly">par trimestre</td>' "$tmp/ft.html" | wc -l)"
# the full table says why, and that no quarter is released yet
has ft 'class="stats-quarter" role="note"'
has ft 'le prochain le sera avec la publication de mars 2026'
# totals are never by quarter only; the API's legend is the page's, word for word
expect_eq "API totals" 200 "$(fetch tot "$an" \
	"/api/v1/stats/releases/$rel2/tables/activite?scope=FR&period=$m2")"
python3 - "$tmp/tot.html" "$tmp/ft.html" >"$tmp/cmp" 2>&1 <<'EOF'
import html, json, re, sys
api = json.load(open(sys.argv[1], encoding="utf-8"))
page = open(sys.argv[2], encoding="utf-8").read()
if not api["cells"] or any(c.get("by_quarter") for c in api["cells"]):
    print("totals:", api["cells"][:3]); sys.exit(1)
aside = re.search(r'<aside class="stats-legend".*?</aside>', page, re.S).group(0)
paras = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", aside, re.S)]
if api["legend"]["secret"] != paras[0] + " " + paras[1]:
    print("legends differ:", api["legend"]["secret"], "|", paras[:2]); sys.exit(1)
if not paras[1].startswith("« par trimestre » : ") or \
        "20 agents" not in api["legend"]["reasons"].get("design", ""):
    print("legend:", paras[1], api["legend"]["reasons"]); sys.exit(1)
EOF
if [ $? -eq 0 ]; then ok; else ko "totals or legend: $(cat "$tmp/cmp")"; fi

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
print(sum(1 for i in idx if strings[int(i)] == "secret"),
      sum(1 for i in idx if strings[int(i)] == "par trimestre"))
EOF
)
expect_eq "XLSX secrets and « par trimestre » as in the API" "$secrets $designs" "$got"
# the whole dashboard, one sheet per table
expect_eq "dashboard XLSX" 200 "$(fetch xd "$rm_" "/statistiques/export?format=xlsx")"
sheets=$(python3 -c 'import re,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]);
print(len(re.findall("<sheet ", z.read("xl/workbook.xml").decode())))' "$tmp/xd.html")
expect_match "dashboard sheets" '^([5-9]|1[0-9])$' "$sheets"
expect_eq "CSV needs a table" 400 "$(fetch xc "$an" "/statistiques/export?format=csv")"
expect_eq "exports are audited" 1 "$(sqlite3 "$db" "SELECT count(*) > 0 FROM audit
	WHERE action = 'export.stats'")"
# the unit manager's dashboard workbook: « par trimestre » cells, the legend saying why
expect_eq "unit dashboard XLSX" 200 "$(fetch xu "$um" "/statistiques/export?format=xlsx")"
got=$(python3 -c 'import sys, zipfile
s = zipfile.ZipFile(sys.argv[1]).read("xl/sharedStrings.xml").decode()
print(("<t>par trimestre</t>" in s) + ("« par trimestre » : dans une unité de moins de 20" in s))' \
	"$tmp/xu.html")
expect_eq "unit dashboard XLSX: par trimestre and its legend" 2 "$got"

# --- March, the end of the first quarter, released (on its release day): the quarter's
# breakdowns of every unit are published, and the notes link to them
CONSTAT_TODAY=2026-04-16 expect_status "release 2026-03" 0 "$constat" release --db "$db" \
	--month 2026-03 --quiet
rel3=$(sqlite3 "$db" "SELECT id FROM stats_release WHERE month = '2026-03'")
expect_eq "manager dashboard, March" 200 "$(fetch u6 "$um" /statistiques)"
section_of u6 nature
has u6-nature '<td class="quarterly">par trimestre</td>'
q=$(quarter_link u6-nature)
expect_eq "the note links to the unit's quarter" \
	"/statistiques/tableau?table=activite_nature&periode=trimestre&echelon=$uscope&mois=2026-03&version=1" "$q"
expect_eq "the quarter's table" 200 "$(fetch uq "$um" "$q")"
has uq 'aria-current="page">Trimestre</a>'
has uq 'trimestre 2026-Q1</caption>'
hasnt uq 'class="quarterly"'
hasnt uq 'class="stats-quarter"'
expect_match "the quarter has figures or secrets" '^[1-9][0-9]*$' \
	"$(grep -oE '<td class="(num|secret)">' "$tmp/uq.html" | wc -l)"
# ... exactly the API's cells of the quarter, none by quarter only
check_export "$um" "$uscope" activite_nature intervention_kind "$rel3" 2026-03 trimestre 2026-Q1
read -r n secrets designs <"$tmp/cmp"
expect_match "the unit's quarter has cells" '^[1-9][0-9]*$' "$n"
expect_eq "no cell of the quarter by quarter only ($n cells)" 0 "$designs"
# February now links to the quarter that holds it
expect_eq "manager dashboard, February" 200 "$(fetch u7 "$um" "/statistiques?mois=$m2")"
section_of u7 actions
has u7-actions '<td class="quarterly">par trimestre</td>'
expect_eq "February's note links to its quarter" \
	"/statistiques/tableau?table=action_prioritaire&periode=trimestre&echelon=$uscope&mois=2026-03&version=1" \
	"$(quarter_link u7-actions)"
# the region's full table of the month: its units by quarter only, a link to the quarter
expect_eq "region's full table, March" 200 "$(fetch rq "$rm_" \
	"/statistiques/tableau?table=suites&mois=2026-03")"
has rq '<td class="quarterly">par trimestre</td>'
expect_eq "the full table's note links to the quarter" \
	"/statistiques/tableau?table=suites&periode=trimestre&echelon=$rscope&mois=2026-03&version=1" \
	"$(quarter_link rq)"

finish
