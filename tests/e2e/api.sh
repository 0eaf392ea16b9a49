#!/usr/bin/env bash
# End-to-end test of the JSON API: the real server on an ephemeral port with a temporary
# demo database, driven with curl. Usage: api.sh PATH/TO/constat
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/api.db
export CONSTAT_TODAY=2026-06-30

"$constat" demo --db "$db" --scale tiny --seed 3 >"$tmp/demo.out" 2>/dev/null || {
	echo "demo failed"; exit 1; }
agent=$(login_of agent)
manager=$(login_of unit_manager)
analyst=$(login_of analyst)
admin=$(login_of admin)
# Another control agent of the same region, with a password.
other=$(sqlite3 "$db" "SELECT login FROM agent WHERE role = 'agent' AND login <> '$agent'
                       AND id IN (SELECT author_id FROM intervention) LIMIT 1")
printf 'demo-constat\n' | "$constat" user passwd --db "$db" --login "$other" --password-stdin >/dev/null

start_server "$db"

# call NAME METHOD PATH [BODY]: as the user whose cookie jar is $tmp/NAME.jar; sets
# $status and $body.
call() {
	local who=$1 method=$2 path=$3 data=${4-} csrf=""
	[ -f "$tmp/$who.csrf" ] && csrf=$(cat "$tmp/$who.csrf")
	local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$method" -b "$tmp/$who.jar"
		-c "$tmp/$who.jar" -H "X-CSRF-Token: $csrf")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	status=$(curl "${args[@]}" "$base$path")
	body=$(cat "$tmp/body")
}
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)" <<<"$body"; }
login() {
	: >"$tmp/$1.jar"
	rm -f "$tmp/$1.csrf"
	call "$1" POST /api/v1/session "{\"login\": \"$2\", \"password\": \"demo-constat\"}"
	[ "$status" = 200 ] && json 'd["csrf"]' >"$tmp/$1.csrf"
}

# --- sessions
login agent "$agent"
expect_eq "login" 200 "$status"
expect_match "cookie is HttpOnly and SameSite=Strict" "HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly" \
	"$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
		--data '{"login": "'"$agent"'", "password": "demo-constat"}' "$base/api/v1/session" |
		grep -i '^set-cookie')"
call anon POST /api/v1/session '{"login": "'"$agent"'", "password": "wrong-password"}'
expect_eq "wrong password" 401 "$status"
call anon POST /api/v1/session '{"login": "nobody.here", "password": "wrong-password"}'
expect_eq "unknown login, same answer" 401 "$status"
expect_match "one message for both" "wrong login or password" "$body"
call anon POST /api/v1/session '{"login": "x"'
expect_eq "malformed JSON" 400 "$status"
call anon POST /api/v1/session '{"login": "x", "password": "y", "extra": 1}'
expect_eq "unknown field" 422 "$status"
expect_eq "unknown field is named" extra "$(json 'd["error"]["field"]')"
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data 'x' \
	"$base/api/v1/session")
expect_eq "wrong content type" 415 "$status"
call anon GET /api/v1/me
expect_eq "anonymous refused" 401 "$status"
call agent GET /api/v1/me
expect_eq "me" 200 "$status"
expect_eq "me is the agent" "$agent" "$(json 'd["login"]')"

# --- registry and search
call agent GET "/api/v1/establishments?q=boulangerie&limit=3"
expect_eq "search" 200 "$status"
siret=$(json 'd["results"][0]["siret"]')
expect_match "search gives a SIRET" '^[0-9]{14}$' "$siret"
expect_eq "limit respected" 3 "$(json 'len(d["results"])')"
# luhn_complete DIGITS: DIGITS and the check digit that makes them pass the Luhn check
luhn_complete() {
	python3 -c '
import sys
def luhn_ok(x):
    t = 0
    for i, ch in enumerate(reversed(x)):
        d = int(ch) * (2 if i % 2 else 1)
        t += d - 9 if d > 9 else d
    return t % 10 == 0
print(next(sys.argv[1] + str(k) for k in range(10) if luhn_ok(sys.argv[1] + str(k))))' "$1"
}
# A registry update made by another process while the server runs (import-sirene) is
# searchable within a moment, without a restart.
newsiret=$(luhn_complete "$(luhn_complete 98765432)0001")
{
	echo "siren,siret,nic,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,etablissementSiege,numeroVoieEtablissement,indiceRepetitionEtablissement,typeVoieEtablissement,libelleVoieEtablissement,complementAdresseEtablissement,codePostalEtablissement,libelleCommuneEtablissement,codeCommuneEtablissement,enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,denominationUsuelleEtablissement,activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,etatAdministratifEtablissement"
	echo "${newsiret:0:9},$newsiret,${newsiret:9},O,2026-01-01,11,true,4,,RUE,DES TESTS,,35000,RENNES,35238,ZYGOMORPHE TRANSPORTS,,,,49.41A,NAFv2,A"
} >"$tmp/new.csv"
expect_status "import while the server runs" 0 "$constat" import-sirene --db "$db" "$tmp/new.csv"
found=
for _ in $(seq 1 50); do
	call agent GET "/api/v1/establishments?q=zygomorphe+transports&limit=3"
	found=$(printf '%s' "$body" | grep -o "$newsiret" | head -1)
	[ -n "$found" ] && break
	sleep 0.1
done
expect_eq "the imported establishment is found by the running server" "$newsiret" "$found"
call agent GET "/api/v1/establishments?q=x&limit=0"
expect_eq "bad limit" 422 "$status"
call agent GET "/api/v1/establishments?q=a&q=b"
expect_eq "repeated parameter" 422 "$status"
call agent GET "/api/v1/establishments/$siret"
expect_eq "establishment" 200 "$status"
expect_match "establishment has a NAF label" '.' "$(json 'd["naf_label"]')"
call agent GET "/api/v1/establishments/12345678901234"
expect_eq "invalid SIRET" 422 "$status"

# --- create an intervention (201), errors name their field, nothing written in part
n0=$(sqlite3 "$db" "SELECT count(*) FROM intervention")
good='{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'",
 "themes": ["ss_chutes_hauteur", "ds_duree"], "note": "<script>alert(1)</script> échafaudage",
 "followups": [{"kind": "lettre_observations", "date": "2026-06-25",
                "provisions": ["R.4323-58", "L.4121-1"]}]}'
call agent POST /api/v1/interventions "$good"
expect_eq "create" 201 "$status"
id=$(json 'd["id"]')
call agent GET "/api/v1/interventions/$id"
expect_eq "read back" 200 "$status"
expect_eq "note kept as typed" "<script>alert(1)</script> échafaudage" "$(json 'd["note"]')"
expect_eq "on site by default for a control on site" True "$(json 'd["on_site"]')"
expect_eq "two themes" 2 "$(json 'len(d["themes"])')"
expect_eq "follow-up provisions" "L.4121-1 R.4323-58" "$(json '" ".join(d["followups"][0]["provisions"])')"
for case in \
	'date|{"date": "2026-07-20", "kind": "controle_site", "siret": "'$siret'"}' \
	'date|{"date": "2026-02-30", "kind": "controle_site", "siret": "'$siret'"}' \
	'kind|{"date": "2026-06-20", "siret": "'$siret'"}' \
	'kind|{"date": "2026-06-20", "kind": "nope", "siret": "'$siret'"}' \
	'siret|{"date": "2026-06-20", "kind": "controle_site", "siret": "12345678901234"}' \
	'siret|{"date": "2026-06-20", "kind": "controle_site", "siret": "10000000000008"}' \
	'themes[1]|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "themes": ["ss_amiante", "nope"]}' \
	'followups[0].date|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "followups": [{"kind": "mise_en_demeure", "date": "2026-06-01"}]}' \
	'followups[0].kind|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "followups": [{"kind": "nope", "date": "2026-06-21"}]}' \
	'on_site|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "on_site": "yes"}' \
	'note|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "note": 12}' \
	'co_agents[0]|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "co_agents": ["nobody"]}' \
	'priority_action_id|{"date": "2026-06-20", "kind": "controle_site", "siret": "'$siret'", "priority_action_id": 99999}' \
	'worksite_id|{"date": "2026-06-20", "kind": "controle_site", "worksite_id": -3}'; do
	field=${case%%|*}
	call agent POST /api/v1/interventions "${case#*|}"
	expect_eq "bad $field: 422" 422 "$status"
	expect_eq "bad $field: named" "$field" "$(json 'd["error"]["field"]')"
done
expect_eq "nothing written by refused requests" $((n0 + 1)) \
	"$(sqlite3 "$db" "SELECT count(*) FROM intervention")"
csrf_save=$(cat "$tmp/agent.csrf")
echo wrong >"$tmp/agent.csrf"
call agent POST /api/v1/interventions "$good"
expect_eq "CSRF refused" 403 "$status"
echo "$csrf_save" >"$tmp/agent.csrf"
call agent GET /api/v1/interventions/999999
expect_eq "unknown id" 404 "$status"
call agent GET /api/v1/interventions/abc
expect_eq "non-numeric id" 404 "$status"

# --- edit, follow-ups
call agent PATCH "/api/v1/interventions/$id" '{"themes": ["ss_machines"], "note": "Revu."}'
expect_eq "patch" 200 "$status"
expect_eq "patched themes" ss_machines "$(json '" ".join(d["themes"])')"
call agent PATCH "/api/v1/interventions/$id" '{"date": "2026-06-28"}'
expect_eq "date after a follow-up refused" 422 "$status"
call agent POST "/api/v1/interventions/$id/followups" '{"kind": "proces_verbal", "date": "2026-06-29", "status": "issued", "provisions": ["L.8221-1"]}'
expect_eq "add follow-up" 201 "$status"
fid=$(json 'd["id"]')
call agent PATCH "/api/v1/interventions/$id/followups/$fid" '{"kind": "proces_verbal", "date": "2026-06-29", "status": "under_appeal"}'
expect_eq "patch follow-up" 200 "$status"
call agent POST "/api/v1/interventions/$id/followups" '{"kind": "proces_verbal", "date": "2026-01-01"}'
expect_eq "follow-up before the intervention" 422 "$status"
expect_eq "follow-up error names its own field" date "$(json 'd["error"]["field"]')"
call agent GET "/api/v1/interventions/$id/followups"
expect_eq "two follow-ups" 2 "$(json 'len(d["followups"])')"

# --- permissions: another agent of the region reads (audited), cannot edit
login other "$other"
call other GET "/api/v1/interventions/$id"
expect_eq "colleague reads" 200 "$status"
expect_eq "the read is audited for the author" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit
	WHERE action = 'case.read' AND object_id = '$id'
	AND owner_id = (SELECT id FROM agent WHERE login = '$agent')")"
call other PATCH "/api/v1/interventions/$id" '{"note": "x"}'
expect_eq "colleague cannot edit" 403 "$status"
call agent GET /api/v1/me/reads
expect_eq "who read my records" 200 "$status"
expect_eq "the colleague's read is listed" "$id" "$(json 'd["reads"][0]["intervention_id"]')"
expect_match "with the reader's name" '.' "$(json 'd["reads"][0]["reader"]["name"]')"
call other GET /api/v1/me/reads
expect_eq "the reader does not see it in their own list" 0 \
	"$(json 'len([r for r in d["reads"] if r["intervention_id"] == "'$id'"])')"
for who in manager analyst admin; do
	login "$who" "$(login_of "$( [ $who = manager ] && echo unit_manager || echo $who)")"
	expect_eq "$who logs in" 200 "$status"
	call "$who" GET "/api/v1/interventions/$id"
	expect_eq "$who cannot read a case record" 403 "$status"
	call "$who" POST /api/v1/interventions "$good"
	expect_eq "$who cannot create one" 403 "$status"
	call "$who" GET "/api/v1/me/activity?month=2026-06"
	expect_eq "$who has no activity report" 403 "$status"
	call "$who" GET /api/v1/me/reads
	expect_eq "$who lists no reads" 403 "$status"
	call "$who" GET "/api/v1/establishments/$siret"
	expect_eq "$who reads the registry" 200 "$status"
	expect_eq "$who sees no history" False "$(json '"interventions" in d')"
done

# --- own activity, JSON and CSV, and no way to ask for someone else's
call agent GET "/api/v1/me/activity?month=2026-06"
expect_eq "activity" 200 "$status"
expect_match "activity counts" '^[1-9][0-9]*$' "$(json 'd["counts"]["total"]')"
expect_eq "on an action without a point checked: counted, at most the total" True \
	"$(json '0 <= d["counts"]["action_unchecked"] <= d["counts"]["total"]')"
call agent GET "/api/v1/me/activity?month=2026-06&agent=1"
expect_eq "extra parameters change nothing" "$(json 'd["counts"]["total"]')" \
	"$(curl -s -b "$tmp/agent.jar" "$base/api/v1/me/activity?month=2026-06" |
		python3 -c 'import sys, json; print(json.load(sys.stdin)["counts"]["total"])')"
call agent GET "/api/v1/me/activity?month=2026-13"
expect_eq "bad month" 422 "$status"
expect_match "CSV export" '^date,kind,on_site,siret' \
	"$(curl -s -b "$tmp/agent.jar" "$base/api/v1/me/activity?month=2026-06&format=csv" | head -1)"
expect_eq "the export is audited" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit
	WHERE action = 'export.activity' AND detail = 'csv'")"

# --- own activity for a year: the sum of its months, the same in CSV, clear errors
call agent GET "/api/v1/me/activity?year=2026"
expect_eq "yearly activity" 200 "$status"
expect_eq "the year is named" "2026 2026-01-01 2026-12-31 False" \
	"$(json 'd["year"], d["from"], d["to"], "month" in d' | tr -d "(),'")"
ytotal=$(json 'd["counts"]["total"]')
ylist=$(json 'len(d["interventions"])')
expect_match "yearly counts" '^[1-9][0-9]*$' "$ytotal"
expect_eq "every intervention of the year listed" 1 \
	"$(json 'int(all(i["date"].startswith("2026-") for i in d["interventions"]))')"
msum=0
mlist=0
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	call agent GET "/api/v1/me/activity?month=2026-$m"
	msum=$((msum + $(json 'd["counts"]["total"]')))
	mlist=$((mlist + $(json 'len(d["interventions"])')))
done
expect_eq "the year is the sum of its months" "$msum $mlist" "$ytotal $ylist"
call agent GET "/api/v1/me/activity?year=2025"
expect_eq "another year" 200 "$status"
expect_eq "another year's interventions only" 1 \
	"$(json 'int(all(i["date"].startswith("2025-") for i in d["interventions"]))')"
curl -s -b "$tmp/agent.jar" -D "$tmp/ycsv.h" -o "$tmp/ycsv" \
	"$base/api/v1/me/activity?year=2026&format=csv"
expect_match "yearly CSV" '^date,kind,on_site,siret' "$(head -1 "$tmp/ycsv")"
expect_eq "yearly CSV: one line per intervention" "$ylist" "$(($(python3 -c '
import csv, sys
print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' "$tmp/ycsv") - 1))"
expect_match "yearly CSV file name" 'filename="activite-2026\.csv"' \
	"$(grep -i '^content-disposition:' "$tmp/ycsv.h")"
expect_eq "the yearly export is audited" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit
	WHERE action = 'export.activity' AND object_type = 'year' AND object_id = '2026'
	AND detail = 'csv'")"
call agent GET "/api/v1/me/activity?year=2026&agent=1&agent_id=1&author=1"
expect_eq "no parameter names another agent" "$ytotal" "$(json 'd["counts"]["total"]')"
# bad values: 422 naming the parameter
for q in year=26 year=20x6 year=1899 year= year=2026-01 "year=2026&month=2026-06"; do
	call agent GET "/api/v1/me/activity?$q"
	expect_eq "bad period $q" 422 "$status"
	expect_eq "bad period $q: named" year "$(json 'd["error"]["field"]')"
done
call agent GET "/api/v1/me/activity?year=2026&year=2025"
expect_eq "year twice" 422 "$status"
expect_eq "year twice: named" year "$(json 'd["error"]["field"]')"
call agent GET "/api/v1/me/activity"
expect_eq "no period" 422 "$status"
expect_match "no period: said" 'month=YYYY-MM or year=YYYY' "$(json 'd["error"]["message"]')"
call manager GET "/api/v1/me/activity?year=2026"
expect_eq "a manager has no yearly activity report" 403 "$status"

# --- API tokens
token=$("$constat" token create --db "$db" --login "$agent" --label e2e)
expect_match "token printed" '^cst_' "$token"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/me")
expect_eq "bearer token works" 200 "$status"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
	-H 'Content-Type: application/json' --data-binary "$good" "$base/api/v1/interventions")
expect_eq "a token needs no CSRF" 201 "$status"
tid=$("$constat" token list --db "$db" --login "$agent" | awk 'NR == 1 {print $1}')
"$constat" token revoke --db "$db" --login "$agent" --id "$tid" >/dev/null
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/me")
expect_eq "revoked token refused" 401 "$status"

# --- logout and throttling
call agent DELETE /api/v1/session
expect_eq "logout" 204 "$status"
call agent GET /api/v1/me
expect_eq "session ended" 401 "$status"
for i in 1 2 3 4 5; do call anon POST /api/v1/session '{"login": "'"$other"'", "password": "bad-'$i'"}'; done
call anon POST /api/v1/session '{"login": "'"$other"'", "password": "demo-constat"}'
expect_eq "throttled after 5 failures" 429 "$status"
expect_eq "failures audited" 5 "$(sqlite3 "$db" "SELECT count(*) FROM audit
	WHERE action = 'login.failure' AND object_id = '$other'")"
expect_eq "no password in the log" 0 "$(grep -c 'demo-constat\|bad-1' "$tmp/serve.err")"
expect_eq "no query string in the log" 0 "$(grep -c 'month=' "$tmp/serve.err")"

kill -TERM $pid
wait $pid
expect_eq "clean shutdown" 0 "$?"
expect_eq "integrity" ok "$(sqlite3 "$db" "PRAGMA integrity_check")"

# --- a saved search index older than the pruned change log is rebuilt at start
start_server "$db" --index "$tmp/search.idx"
expect_eq "index saved" 1 "$([ -s "$tmp/search.idx" ] && echo 1)"
kill -TERM $pid
wait $pid
newsiret2=$(luhn_complete "${newsiret:0:9}0002")
{
	head -1 "$tmp/new.csv"
	echo "${newsiret2:0:9},$newsiret2,${newsiret2:9},O,2026-02-01,11,false,8,,RUE,DES ESSAIS,,35000,RENNES,35238,ZYGOMORPHE LOGISTIQUE,,,,52.29A,NAFv2,A"
} >"$tmp/new2.csv"
expect_status "import while no server runs" 0 "$constat" import-sirene --db "$db" "$tmp/new2.csv"
# what a long-running server's follower does: prune the log past what the file has seen
sqlite3 "$db" "DELETE FROM search_change; INSERT OR REPLACE INTO meta (key, value)
	SELECT 'search.change_pruned', seq FROM sqlite_sequence WHERE name = 'search_change'"
token2=$("$constat" token create --db "$db" --login "$agent" --label e2e-index)
start_server "$db" --index "$tmp/search.idx"
expect_eq "stale index rebuilt" 1 "$(grep -c 'rebuilding the search index' "$tmp/serve.err")"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $token2" \
	"$base/api/v1/establishments?q=zygomorphe+logistique&limit=3")
expect_eq "search after the rebuild" 200 "$status"
expect_match "the establishment imported meanwhile is found" "$newsiret2" "$(cat "$tmp/body")"
kill -TERM $pid
wait $pid
finish
