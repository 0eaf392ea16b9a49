#!/usr/bin/env bash
# End-to-end test of the ILO annual report: a demo database with two months released, a
# real server; the analyst gets the page (tidy clean), the PDF, XLSX and CSV exports and
# writes item (a) (shown escaped, audited); managers and agents get 403; bad parameters
# get 422; the released figure and the CSV agree; the command line writes the same.
# Usage: ilo.sh PATH/TO/constat      (needs curl, sqlite3 and tidy)
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/demo.db
log=$tmp/serve.log
require curl sqlite3 tidy

expect_status "demo database" 0 "$constat" demo --db "$db" --scale tiny --no-release
agent=$(login_of agent)
umanager=$(login_of unit_manager)
rmanager=$(login_of region_manager)
analyst=$(login_of analyst)
admin=$(login_of admin)
password=demo-constat

# January and February of the year two months ago are closed (the demo data covers the
# last twelve months).
m2=$(date -d "$(date +%Y-%m-15) -2 month" +%Y-%m)
year=${m2%-*}
if [ "$((10#${m2#*-}))" -ge 2 ]; then last=2; else last=1; fi
for m in $(seq -f "$year-%02g" 1 "$last"); do
	expect_status "release $m" 0 "$constat" release --db "$db" --month "$m" --quiet
done
rel=$(sqlite3 "$db" "SELECT id FROM stats_release ORDER BY month DESC, version DESC LIMIT 1")
period="$year-C$(printf '%02d' "$last")"
visits=$(sqlite3 "$db" "SELECT CASE status WHEN 'published' THEN value ELSE 'secret' END
                        FROM stats_release_cell WHERE release_id = $rel AND period = '$period'
                        AND tbl = 'visites' AND geo = 'FR' AND cat = '_'")
[ -n "$visits" ] && ok || ko "the release has a national visits cell"

start_server "$db"

an=$tmp/an.jar; ad=$tmp/ad.jar; um=$tmp/um.jar; rm_=$tmp/rm.jar; ag=$tmp/ag.jar
login "$an" "$analyst"
login "$ad" "$admin"
login "$um" "$umanager"
login "$rm_" "$rmanager"
login "$ag" "$agent"

# --- the analyst: the page, its items, the edit form
expect_eq "analyst page" 200 "$(fetch p1 "$an" "/rapport-oit?annee=$year")"
has p1 "Rapport annuel à l'OIT"
has p1 'id="point-a"'
has p1 'id="point-g"'
has p1 'LAI_VIST_NOC_NB_A'
has p1 'LAI_VDIN_NOC_RT_A'
has p1 'LAI_INDE_NOC_RT_A'
has p1 'Dispositions légales citées'
has p1 'Procès-verbaux par année'
has p1 'seulement'
has p1 'name="texte"'
has p1 'href="/rapport-oit"'
hasnt p1 '<script>'
expect_eq "analyst, default year" 200 "$(fetch p0 "$an" /rapport-oit)"
has p0 "$year"

# --- exports
expect_eq "pdf" 200 "$(fetch x1 "$an" "/rapport-oit/export?annee=$year&format=pdf")"
expect_eq "pdf type" "application/pdf" "$(hdr x1 content-type)"
expect_eq "pdf magic" "%PDF" "$(head -c 4 "$tmp/x1.html")"
expect_match "pdf name" "rapport-oit-$year.pdf" "$(hdr x1 content-disposition)"
expect_eq "xlsx" 200 "$(fetch x2 "$an" "/rapport-oit/export?annee=$year&format=xlsx")"
expect_match "xlsx type" "spreadsheetml" "$(hdr x2 content-type)"
expect_eq "xlsx is a zip" "504b0304" "$(head -c 4 "$tmp/x2.html" | od -An -tx1 | tr -d ' \n')"
expect_eq "csv" 200 "$(fetch x3 "$an" "/rapport-oit/export?annee=$year&format=csv")"
expect_match "csv type" "text/csv" "$(hdr x3 content-type)"
has x3 'annee,tableau,ligne,colonne,valeur'
# the CSV carries the released national visits (or "secret"), never another value
csv_visits() {
	grep -F "Visites d'inspection (sur site),Valeur," "$1" | head -1 | sed 's/.*,//; s/\r$//'
}
got=$(csv_visits "$tmp/x3.html")
expect_eq "visits in the CSV = released cell" "$visits" "$got"
expect_eq "admin export" 200 "$(fetch x4 "$ad" "/rapport-oit/export?annee=$year&format=csv")"

# --- bad parameters
expect_eq "bad year" 422 "$(fetch b1 "$an" "/rapport-oit?annee=26")"
expect_eq "bad year, export" 422 "$(fetch b2 "$an" "/rapport-oit/export?annee=abcd&format=pdf")"
expect_eq "bad format" 422 "$(fetch b3 "$an" "/rapport-oit/export?annee=$year&format=docx")"
expect_eq "no format" 422 "$(fetch b4 "$an" "/rapport-oit/export?annee=$year")"
expect_eq "repeated year" 422 "$(fetch b5 "$an" "/rapport-oit?annee=$year&annee=2020")"

# --- managers and agents: not this national report
for who in um rm_ ag; do
	jar=${!who}
	expect_eq "$who page" 403 "$(fetch d1 "$jar" "/rapport-oit?annee=$year")"
	expect_eq "$who export" 403 "$(fetch d2 "$jar" "/rapport-oit/export?annee=$year&format=csv")"
	hasnt d2 'annee,tableau'
done
expect_eq "manager, no link" 200 "$(fetch h1 "$um" /)"
hasnt h1 'href="/rapport-oit"'

# --- item (a): saved, shown escaped, audited; refused without CSRF, too long, by others
csrf=$(csrf_of p1)
[ -n "$csrf" ] && ok || ko "the page holds the CSRF token"
text='Code du travail <b>L.8112-1</b> & "décret" 2022-771'
expect_eq "save item a" 303 "$(fetch s1 "$an" /rapport-oit --data-urlencode "csrf=$csrf" \
	-d "annee=$year" --data-urlencode "texte=$text")"
expect_match "redirected to the year" "/rapport-oit\\?annee=$year" "$(hdr s1 location)"
expect_eq "page after save" 200 "$(fetch s2 "$an" "/rapport-oit?annee=$year&enregistre=1")"
has s2 'Code du travail &lt;b&gt;L.8112-1&lt;/b&gt; &amp; &quot;décret&quot; 2022-771'
hasnt s2 '<b>L.8112-1</b>'
has s2 'Le point a) est enregistré'
expect_eq "audited" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'ilo.text'
                                       AND object_id = '$year'")"
expect_eq "admin sees it" 200 "$(fetch s3 "$ad" "/rapport-oit?annee=$year")"
has s3 'L.8112-1'
expect_eq "no CSRF" 403 "$(fetch s4 "$an" /rapport-oit -d "annee=$year" -d "texte=x")"
long=$(head -c 20001 /dev/zero | tr '\0' 'x')
expect_eq "too long" 422 "$(fetch s5 "$an" /rapport-oit --data-urlencode "csrf=$csrf" \
	-d "annee=$year" --data-urlencode "texte=$long")"
expect_eq "bad year on save" 422 "$(fetch s6 "$an" /rapport-oit --data-urlencode "csrf=$csrf" \
	-d "annee=20x6" -d "texte=x")"
csrf_ag=$(csrf_of h1)
expect_eq "manager cannot save" 403 "$(fetch s7 "$um" /rapport-oit \
	--data-urlencode "csrf=$csrf_ag" -d "annee=$year" -d "texte=x")"
expect_eq "still one audit entry" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit
                                        WHERE action = 'ilo.text'")"
expect_eq "text unchanged" "$text" "$(sqlite3 "$db" "SELECT text FROM ilo_text WHERE year = $year")"

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# --- the command line
expect_status "cli csv" 0 "$constat" ilo-report --db "$db" --year "$year" --format csv \
	--out "$tmp/cli.csv" --quiet
got=$(csv_visits "$tmp/cli.csv")
expect_eq "cli visits = released cell" "$visits" "$got"
expect_status "cli pdf" 0 "$constat" ilo-report --db "$db" --year "$year" --format pdf \
	--out "$tmp/cli.pdf" --quiet
expect_eq "cli pdf magic" "%PDF" "$(head -c 4 "$tmp/cli.pdf")"
expect_status "cli html" 0 "$constat" ilo-report --db "$db" --year "$year" --out "$tmp/cli.html" \
	--quiet
if tidy -q -e "$tmp/cli.html" >"$tmp/cli.tidy" 2>&1 || ! grep -q 'Error:' "$tmp/cli.tidy"; then
	ok
else
	ko "tidy errors in the command's HTML: $(grep Error: "$tmp/cli.tidy" | head -3)"
fi
expect_status "cli bad year" 2 "$constat" ilo-report --db "$db" --year 26 --out "$tmp/x"
expect_status "cli bad format" 2 "$constat" ilo-report --db "$db" --year "$year" --format doc \
	--out "$tmp/x"
expect_status "cli missing out" 2 "$constat" ilo-report --db "$db" --year "$year"
[ ! -e "$tmp/x" ] && ok || ko "a refused command wrote a file"

finish
