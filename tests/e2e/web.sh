#!/usr/bin/env bash
# End-to-end test of the web interface: a demo database, a real server on an ephemeral
# port, and the browser flows through curl (login with the CSRF flow, search, the
# establishment page, the one-screen intervention form and its errors, activity, roles,
# account administration, static assets). Every HTML page fetched must pass `tidy -q -e`
# without errors.
# Usage: web.sh PATH/TO/constat      (needs curl, sqlite3 and tidy)
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/demo.db
log=$tmp/serve.log
require curl sqlite3 tidy

expect_status "demo database" 0 "$constat" demo --db "$db" --scale tiny
# The demo releases the closed months of the year (of the last one in early January), in
# order, one line each; run again, it releases nothing more.
cp "$tmp/out" "$tmp/demo.out"
nrel=$(sqlite3 "$db" "SELECT count(*) FROM stats_release")
relyear=$(sqlite3 "$db" "SELECT substr(min(month), 1, 4) FROM stats_release")
expect_match "demo: months released" '^[1-9][0-9]*$' "$nrel"
expect_eq "demo: months 1 to N of one year, in order" \
	"$(seq -f "$relyear-%02g" 1 "$nrel" | tr '\n' ' ')" \
	"$(sqlite3 "$db" "SELECT month FROM stats_release ORDER BY id" | tr '\n' ' ')"
expect_eq "demo: one line per month released" "$nrel" \
	"$(grep -cE "^  $relyear-[0-9]{2}  release [0-9]+, version 1: [0-9]+ cells, [0-9]+ secret" "$tmp/demo.out")"
expect_eq "demo: each release audited" "$nrel" \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'stats.release'")"
expect_status "demo again" 0 "$constat" demo --db "$db" --scale tiny
expect_eq "demo again: nothing more released" "$nrel" "$(sqlite3 "$db" "SELECT count(*) FROM stats_release")"
if grep -q "released already" "$tmp/out"; then ok; else ko "demo again: says the months are released already"; fi
agent=$(login_of agent)
manager=$(login_of unit_manager)
admin=$(login_of admin)
password=demo-constat
[ -n "$agent" ] && [ -n "$manager" ] && [ -n "$admin" ] && ok || ko "demo logins in meta"

start_server "$db"
# The search index is built in the background: wait until it answers.
for _ in $(seq 1 100); do
	grep -q 'search index ready' "$log" && break
	sleep 0.1
done

body() { cat "$tmp/$1.html"; }

# --- anonymous
anon=$tmp/anon.jar
: >"$anon"
expect_eq "anonymous home" 303 "$(fetch a1 "$anon" /)"
expect_eq "to the login page" /connexion "$(hdr a1 Location)"
expect_eq "anonymous page" 303 "$(fetch a2 "$anon" /mon-activite)"
expect_eq "login keeps the page" "/connexion?suite=/mon-activite" "$(hdr a2 Location)"
expect_eq "anonymous form post" 303 "$(fetch a3 "$anon" /interventions -d x=1)"
expect_eq "login page" 200 "$(fetch a4 "$anon" "/connexion?suite=/mon-activite")"
has a4 '<html lang="fr">'
has a4 '<title>Connexion'
has a4 'value="/mon-activite"'
has a4 'for="f-login"'
expect_eq "unknown page is HTML" 404 "$(fetch a5 "$anon" /nulle/part)"
expect_match "404 content type" '^text/html' "$(hdr a5 Content-Type)"
has a5 'Page introuvable'
expect_eq "API stays JSON" 401 "$(fetch a6 "$anon" /api/v1/me)"
expect_match "API error type" '^application/json' "$(hdr a6 Content-Type)"
expect_eq "wrong password" 422 "$(fetch a7 "$anon" /connexion -d "login=$agent&password=nope")"
has a7 'Identifiant ou mot de passe incorrect.'
expect_eq "unknown login, same answer" 422 "$(fetch a8 "$anon" /connexion -d 'login=nobody.here&password=nope')"
has a8 'Identifiant ou mot de passe incorrect.'
expect_eq "open redirect refused" 303 "$(fetch a9 "$anon" /connexion \
	--data-urlencode "login=$agent" --data-urlencode "password=$password" -d 'suite=//evil.example/')"
expect_eq "redirect stays local" / "$(hdr a9 Location)"

# --- static assets
expect_eq "stylesheet" 200 "$(fetch css "$anon" /static/app.css)"
expect_eq "css type" "text/css; charset=utf-8" "$(hdr css Content-Type)"
expect_eq "css cached" "public, max-age=86400" "$(hdr css Cache-Control)"
etag=$(hdr css ETag)
expect_match "etag" '^"[0-9a-f]{16}"$' "$etag"
expect_eq "not modified" 304 "$(fetch css2 "$anon" /static/app.css -H "If-None-Match: $etag")"
expect_eq "script" 200 "$(fetch js "$anon" /static/app.js)"
expect_eq "js type" "text/javascript; charset=utf-8" "$(hdr js Content-Type)"
expect_eq "icon" 200 "$(fetch ico "$anon" /static/favicon.svg)"
expect_eq "svg type" "image/svg+xml" "$(hdr ico Content-Type)"
expect_eq "unknown asset" 404 "$(fetch s1 "$anon" /static/app.c)"
expect_eq "traversal" 404 "$(fetch s2 "$anon" /static/..%2F..%2Fmeson.build)"
expect_eq "traversal 2" 404 "$(fetch s3 "$anon" /static/../meson.build --path-as-is)"

# --- a control agent
jar=$tmp/agent.jar
login "$jar" "$agent"
expect_eq "home" 200 "$(fetch home "$jar" /)"
has home 'autofocus'
has home 'Nouvelle intervention'
has home 'Se déconnecter'
has home 'Agent de contrôle'
has home 'href="#contenu"'
has home '<main id="contenu"'
expect_match "CSP" "script-src 'self'" "$(hdr home Content-Security-Policy)"
if grep -qE '<script>|style="| on[a-z]+="' "$tmp/home.html"; then ko "inline script or style"; else ok; fi

# A search with a typo: take a real name from the registry and change one letter.
read -r siret name < <(sqlite3 -separator ' ' "$db" "SELECT e.siret, l.name FROM establishment e
	JOIN legal_unit l ON l.siren = e.siren WHERE e.state = 'A' AND length(l.name) >= 12
	AND l.name GLOB '[A-Z]*' AND l.name NOT GLOB '*[^A-Z ]*' ORDER BY e.siret LIMIT 1")
word=$(printf '%s' "$name" | awk '{ for (i = 1; i <= NF; i++) if (length($i) >= 6) { print $i; exit } }')
typo=$(printf '%s' "$word" | sed 's/^\(...\)\(.\)\(.\)/\1\3\2/' | tr 'A-Z' 'a-z')
expect_eq "search" 200 "$(fetch search "$jar" "/recherche?q=$typo")"
has search "<mark>$word</mark>"
has search 'résultat'
has search "/etablissements/"
has search "/interventions/nouvelle?siret="
# A SIRET with one wrong digit is corrected, and said so.
bad=$(printf '%s' "$siret" | sed 's/^\(.\{5\}\)\(.\)/\1X/')
d=${siret:5:1}
bad=${bad/X/$(((d + 1) % 10))}
expect_eq "search with a wrong SIRET digit" 200 "$(fetch search2 "$jar" "/recherche?q=$bad")"
has search2 'SIRET corrigé'
has search2 "$siret"

expect_eq "establishment page" 200 "$(fetch est "$jar" "/etablissements/$siret")"
has est 'Identité'
has est 'Effectif'
has est 'Interventions dans cet établissement'
expect_eq "bad SIRET page" 404 "$(fetch est2 "$jar" /etablissements/12345678901234)"

# The one-screen form, prefilled with the SIRET.
expect_eq "new form" 200 "$(fetch new "$jar" "/interventions/nouvelle?siret=$siret")"
has new "value=\"$siret\""
has new 'value="controle_site" data-onsite="1" selected'
has new 'id="f-on_site" name="on_site" value="1" checked'
has new 'name="themes"'
has new 'name="fu_kind"'
csrf=$(csrf_of new)
[ -n "$csrf" ] && ok || ko "the form holds the CSRF token"
today=$(date -u +%F)
expect_eq "submit" 303 "$(fetch post "$jar" /interventions --data-urlencode "csrf=$csrf" \
	-d "siret=$siret" -d "date=$today" -d kind=controle_site -d on_site=1 \
	-d themes=ss_chutes_hauteur -d themes=ss_amiante -d action= -d co_agents= \
	-d fu_id= -d fu_kind=mise_en_demeure -d "fu_date=$today" \
	--data-urlencode 'fu_prov=L.4121-1, R.4323-58' \
	-d fu_id= -d fu_kind= -d fu_date= -d fu_prov= \
	--data-urlencode 'note=Échafaudage sans garde-corps.
<script>alert(1)</script>')"
loc=$(hdr post Location)
expect_match "to the intervention page" '^/interventions/[0-9]+\?enregistree=1$' "$loc"
expect_eq "intervention page" 200 "$(fetch iv "$jar" "$loc")"
has iv 'Intervention enregistrée.'
has iv 'Chutes de hauteur'
has iv 'Amiante'
has iv 'Mise en demeure'
has iv 'L.4121-1, R.4323-58'
has iv '&lt;script&gt;alert(1)&lt;/script&gt;'
hasnt iv '<script>alert(1)</script>'
ivpath=${loc%%\?*}
expect_eq "history lists it" 200 "$(fetch est3 "$jar" "/etablissements/$siret")"
has est3 "href=\"$ivpath\""

# Errors: a future date and no kind; everything typed comes back.
expect_eq "invalid submission" 422 "$(fetch bad "$jar" /interventions --data-urlencode "csrf=$csrf" \
	-d "siret=$siret" -d date=2999-01-01 -d kind= -d themes=rc_cse -d themes=ss_rps \
	-d co_agents=personne -d fu_id= -d fu_kind=proces_verbal -d fu_date= \
	--data-urlencode 'fu_prov=L.8221-1' --data-urlencode 'note=Note à <garder> & "citer"')"
has bad 'class="error-summary"'
has bad 'href="#f-date"'
has bad 'id="f-date-err"'
has bad 'aria-describedby="f-date-err"'
has bad 'value="2999-01-01"'
has bad "value=\"$siret\""
has bad 'value="rc_cse" checked'
has bad 'value="ss_rps" checked'
has bad 'value="personne"'
has bad 'value="proces_verbal" selected'
has bad 'value="L.8221-1"'
has bad 'Note à &lt;garder&gt; &amp; &quot;citer&quot;</textarea>'
hasnt bad 'id="f-on_site" name="on_site" value="1" checked'
has bad '<title>Erreur'
# The same with a valid date: the missing kind is named beside its field.
expect_eq "missing kind" 422 "$(fetch bad2 "$jar" /interventions --data-urlencode "csrf=$csrf" \
	-d "siret=$siret" -d "date=$today" -d kind=)"
has bad2 'href="#f-kind"'
has bad2 'aria-describedby="f-kind-err"'
# A follow-up before the intervention's date is named on its row.
expect_eq "follow-up error" 422 "$(fetch bad3 "$jar" /interventions --data-urlencode "csrf=$csrf" \
	-d "siret=$siret" -d "date=$today" -d kind=controle_pieces \
	-d fu_id= -d fu_kind= -d fu_date= -d fu_prov= \
	-d fu_id= -d fu_kind=lettre_observations -d fu_date=2000-01-01 -d fu_prov=)"
has bad3 'href="#f-fu-1-date"'
has bad3 'aria-describedby="f-fu-1-date-err"'

# CSRF: a form without the token is refused, with a French page.
expect_eq "no CSRF token" 403 "$(fetch nocsrf "$jar" /interventions -d "siret=$siret" \
	-d "date=$today" -d kind=controle_site)"
has nocsrf 'jeton de sécurité'
expect_eq "wrong CSRF token" 403 "$(fetch nocsrf2 "$jar" /interventions -d csrf=abc \
	-d "siret=$siret" -d "date=$today" -d kind=controle_site)"

# Editing: the form comes back filled; a change is saved.
expect_eq "edit form" 200 "$(fetch edit "$jar" "$ivpath/modifier")"
has edit 'value="ss_amiante" checked'
has edit 'value="mise_en_demeure" selected'
csrf=$(csrf_of edit)
fuid=$(grep -o 'name="fu_id" value="[0-9][0-9]*"' "$tmp/edit.html" | head -1 | sed 's/.*value="//; s/"//')
expect_eq "save changes" 303 "$(fetch edpost "$jar" "$ivpath" --data-urlencode "csrf=$csrf" \
	-d "siret=$siret" -d "date=$today" -d kind=controle_site -d on_site=1 -d themes=ss_amiante \
	-d "fu_id=$fuid" -d fu_kind=mise_en_demeure -d "fu_date=$today" -d 'fu_prov=L.4121-1' \
	-d fu_id= -d fu_kind=proces_verbal -d "fu_date=$today" -d fu_prov= -d 'note=Revu.')"
expect_eq "after the change" 200 "$(fetch iv2 "$jar" "$(hdr edpost Location)")"
has iv2 'Modifications enregistrées.'
has iv2 'Procès-verbal'
hasnt iv2 'Chutes de hauteur'

expect_eq "my activity" 200 "$(fetch act "$jar" /mon-activite)"
has act 'Interventions du mois'
has act 'Exporter en CSV'
has act "href=\"$ivpath\""
has act 'Mois précédent'
# On a priority action with no control point checked, an intervention counts for no action:
# the agent's own page marks it in the list and counts such records in the summary.
aid=$(grep -o '<select id="f-action"[^§]*</select>' "$tmp/new.html" | grep -o 'option value="[0-9][0-9]*"' |
	head -1 | grep -o '[0-9][0-9]*')
expect_match "the form offers an action" '^[0-9]+$' "$aid"
expect_eq "on an action, no point checked" 303 "$(fetch post2 "$jar" /interventions \
	--data-urlencode "csrf=$csrf" -d "siret=$siret" -d "date=$today" -d kind=controle_site \
	-d on_site=1 -d themes=ss_amiante -d "action=$aid" -d co_agents= -d fu_id= -d fu_kind= \
	-d fu_date= -d fu_prov= -d note=)"
expect_eq "my activity, again" 200 "$(fetch act4 "$jar" /mon-activite)"
loc2=$(hdr post2 Location)
if grep -F "href=\"${loc2%%\?*}\"" "$tmp/act4.html" | grep -qF 'class="tag warn"'; then ok; else
	ko "act4: the new record is not marked"; fi
tags=$(grep -o 'class="tag warn">action sans point vérifié<' "$tmp/act4.html" | wc -l)
expect_match "the record is marked" '^[1-9][0-9]*$' "$tags"
has act4 "<p class=\"label\">Sur action prioritaire sans point vérifié</p><p class=\"value\">$tags</p>"
has act4 'ne comptent pour aucune action'
expect_eq "another month" 200 "$(fetch act2 "$jar" "/mon-activite?mois=2020-02")"
has act2 'février 2020'
expect_eq "bad month" 422 "$(fetch act3 "$jar" "/mon-activite?mois=2020-13")"
has act 'Relevé PDF du mois'
expect_eq "monthly report as PDF" "200 application/pdf %PDF" "$(curl -s -b "$jar" -o "$tmp/r.pdf" \
	-w '%{http_code} %{content_type}' "$base/mon-activite.pdf?mois=$(date -u +%Y-%m)") $(head -c 4 "$tmp/r.pdf")"
expect_eq "yearly report as PDF" 200 "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' \
	"$base/mon-activite.pdf?annee=$(date -u +%Y)")"
expect_eq "bad period for the PDF" 422 "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' \
	"$base/mon-activite.pdf?annee=20x6")"
expect_eq "no other agent's activity" 200 "$(fetch act4 "$jar" "/mon-activite?agent=2&agent_id=2")"
# --- the same for a whole year: page, CSV and PDF, errors in French naming the parameter
year=$(date -u +%Y)
has act "href=\"/mon-activite?annee=$year\">Toute l'année $year</a>"
expect_eq "my year" 200 "$(fetch acty "$jar" "/mon-activite?annee=$year")"
has acty "<title>Mon activité – année $year – Constat</title>"
has acty "<h1>Mon activité – année $year</h1>"
has acty 'Interventions de l'"'"'année'
has acty "href=\"$ivpath\""
has acty '<h2 id="month-h">Par mois</h2>'
has acty "href=\"/mon-activite?mois=$year-01\""
has acty "href=\"/api/v1/me/activity?year=$year&amp;format=csv\" download>Exporter en CSV</a>"
has acty "href=\"/mon-activite.pdf?annee=$year\" download>Relevé PDF de l'année</a>"
has acty "href=\"/mon-activite?annee=$((year - 1))\" rel=\"prev\">← Année précédente</a>"
hasnt acty 'Année suivante'
hasnt acty 'Relevé PDF du mois'
# the year's total is the sum of its months in the "Par mois" table, and the big figure
expect_eq "the months add up to the year" "$(sed -n 's|.*<p class="label">Interventions</p><p class="value big">\([0-9]*\)</p>.*|\1|p' \
	"$tmp/acty.html")" "$(grep -o '</a></th><td class="num">[0-9]*</td>' "$tmp/acty.html" |
	sed 's/[^0-9]//g' | awk '{ s += $1 } END { print s + 0 }')"
expect_eq "an earlier year" 200 "$(fetch acty2 "$jar" "/mon-activite?annee=2020")"
has acty2 'Mon activité – année 2020'
has acty2 'Aucune intervention cette année.'
has acty2 'href="/mon-activite?annee=2021" rel="next">Année suivante →</a>'
expect_eq "bad year" 422 "$(fetch acty3 "$jar" "/mon-activite?annee=20x6")"
has acty3 '« annee »'
expect_eq "year out of range" 422 "$(fetch acty4 "$jar" "/mon-activite?annee=1850")"
expect_eq "month and year together" 422 "$(fetch acty5 "$jar" "/mon-activite?annee=$year&mois=$year-01")"
has acty5 'pas les deux'
expect_eq "year twice" 422 "$(fetch acty6 "$jar" "/mon-activite?annee=$year&annee=2020")"
has acty6 '« annee »'
expect_eq "yearly CSV" "200 text/csv" "$(curl -s -b "$jar" -o "$tmp/y.csv" -D "$tmp/y.h" \
	-w '%{http_code} %{content_type}' "$base/api/v1/me/activity?year=$year&format=csv" | cut -d';' -f1)"
expect_eq "yearly CSV header" 'date,kind,on_site,siret,worksite,target,themes,priority_action,followups,status' \
	"$(head -1 "$tmp/y.csv" | tr -d '\r')"
if grep -q "^$today," "$tmp/y.csv"; then ok; else ko "the yearly CSV holds today's intervention"; fi
if grep -qi '^content-disposition: attachment; filename="activite-'"$year"'.csv"' "$tmp/y.h"; then ok
else ko "yearly CSV file name"; fi
expect_eq "yearly PDF" "200 %PDF" "$(curl -s -b "$jar" -o "$tmp/y.pdf" -w '%{http_code}' \
	"$base/mon-activite.pdf?annee=$year") $(head -c 4 "$tmp/y.pdf")"
expect_eq "PDF: month and year together" 422 "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' \
	"$base/mon-activite.pdf?annee=$year&mois=$year-01")"
expect_eq "PDF: bad month" 422 "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' \
	"$base/mon-activite.pdf?mois=$year-13")"
# --- "qui a consulté mes dossiers": a colleague reads the record, the author sees it
colleague=$(sqlite3 "$db" "SELECT login FROM agent WHERE role = 'agent' AND disabled = 0
	AND login <> '$agent' AND id IN (SELECT agent_id FROM assignment WHERE end_date IS NULL)
	ORDER BY login LIMIT 1")
colleague_name=$(sqlite3 "$db" "SELECT display_name FROM agent WHERE login = '$colleague'")
printf '%s\n' "$password" | "$constat" user passwd --db "$db" --login "$colleague" \
	--password-stdin >/dev/null
cjar=$tmp/colleague.jar
login "$cjar" "$colleague"
expect_eq "a colleague reads the record" 200 "$(fetch cread "$cjar" "$ivpath")"
expect_eq "who read my records" 200 "$(fetch reads "$jar" /mes-consultations)"
has reads "$colleague_name"
has reads "href=\"$ivpath\""
expect_eq "the colleague's own list" 200 "$(fetch creads "$cjar" /mes-consultations)"
hasnt creads "href=\"$ivpath\""
expect_eq "accounts refused to an agent" 403 "$(fetch adm0 "$jar" /admin/comptes)"
has adm0 'Accès refusé'

# --- a manager: no case record, no activity report
mjar=$tmp/manager.jar
login "$mjar" "$manager"
expect_eq "manager home" 200 "$(fetch mhome "$mjar" /)"
has mhome 'statistiques publiées'
hasnt mhome 'Nouvelle intervention'
expect_eq "manager: intervention page refused" 403 "$(fetch m1 "$mjar" "$ivpath")"
has m1 'Accès refusé'
expect_eq "manager: the demo's dashboard" 200 "$(fetch mstats "$mjar" /statistiques)"
# a control unit of the demo has fewer than 20 agents: its breakdowns are published by
# quarter only (whether one of its few totals is secret depends on the month: the secrets
# are checked against the API in stats-ui.sh)
has mstats '<td class="quarterly">par trimestre</td>'
hasnt mstats "Aucune statistique n'a encore été publiée"
expect_eq "manager: activity refused" 403 "$(fetch m2 "$mjar" /mon-activite)"
expect_eq "manager: yearly activity refused" 403 "$(fetch m2y "$mjar" "/mon-activite?annee=$(date -u +%Y)")"
expect_eq "manager: no yearly CSV" 403 "$(curl -s -b "$mjar" -o /dev/null -w '%{http_code}' \
	"$base/api/v1/me/activity?year=$(date -u +%Y)&format=csv")"
expect_eq "manager: reads log refused" 403 "$(fetch m6 "$mjar" /mes-consultations)"
expect_eq "manager: no activity PDF" 403 "$(curl -s -b "$mjar" -o /dev/null -w '%{http_code}' \
	"$base/mon-activite.pdf")"
expect_eq "manager: new form refused" 403 "$(fetch m3 "$mjar" /interventions/nouvelle)"
expect_eq "manager: establishment without history" 200 "$(fetch m4 "$mjar" "/etablissements/$siret")"
hasnt m4 'Interventions dans cet établissement'
expect_eq "manager: accounts refused" 403 "$(fetch m5 "$mjar" /admin/comptes)"

# --- an administrator: create an account, disable it
ajar=$tmp/admin.jar
login "$ajar" "$admin"
expect_eq "accounts" 200 "$(fetch adm "$ajar" /admin/comptes)"
has adm "$agent"
csrf=$(csrf_of adm)
expect_eq "create account" 303 "$(fetch adm2 "$ajar" /admin/comptes --data-urlencode "csrf=$csrf" \
	-d login=nouvel.analyste -d 'name=Nouvel Analyste' -d role=analyst -d unit= \
	--data-urlencode 'password=un mot de passe assez long 42')"
expect_eq "account listed" 200 "$(fetch adm3 "$ajar" /admin/comptes)"
has adm3 'nouvel.analyste'
has adm3 'Nouvel Analyste'
expect_eq "audited" 1 "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'account.create'
	AND object_id = 'nouvel.analyste'")"
expect_eq "duplicate login" 422 "$(fetch adm4 "$ajar" /admin/comptes --data-urlencode "csrf=$csrf" \
	-d login=nouvel.analyste -d 'name=X' -d role=analyst \
	--data-urlencode 'password=un mot de passe assez long 42')"
has adm4 'existe déjà'
has adm4 'value="nouvel.analyste"'
njar=$tmp/new.jar
login "$njar" nouvel.analyste 'un mot de passe assez long 42'
expect_eq "disable" 303 "$(fetch adm5 "$ajar" /admin/comptes/nouvel.analyste/desactiver \
	--data-urlencode "csrf=$csrf")"
expect_eq "disabled account logged out" 303 "$(fetch n1 "$njar" /)"
expect_eq "enable" 303 "$(fetch adm6 "$ajar" /admin/comptes/nouvel.analyste/activer \
	--data-urlencode "csrf=$csrf")"
expect_eq "admin: intervention page refused" 403 "$(fetch adm7 "$ajar" "$ivpath")"

# --- logout
csrf=$(csrf_of home)
expect_eq "logout" 303 "$(fetch out "$jar" /deconnexion --data-urlencode "csrf=$csrf")"
expect_eq "logged out" 303 "$(fetch out2 "$jar" /)"

echo "info: $(wc -l <"$tmp/pages") HTML pages checked with tidy" >&2
if [ -s "$tmp/warnings" ]; then
	echo "info: tidy warnings (counted, not failures):" >&2
	sort "$tmp/warnings" | uniq -c | sort -rn >&2
fi
finish
