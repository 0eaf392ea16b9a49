#!/usr/bin/env bash
# Benchmark: a registry update while the server runs. Starts `constat serve --index` on
# a generated database, imports N changed establishments (their enseigne becomes a word
# new to the registry, "ZEBULONhhmmss", and their SIRET) with `constat import-sirene`,
# and searches through the API every 0.5 s meanwhile: latency of an ordinary query, how
# many of the imported names the word finds (at most 50), the server's resident memory;
# until the follower's rebuilt index is in service.
# Changes the database (the enseignes of N establishments).
# Usage: bench/search-live-update.sh CONSTAT DB INDEX [N]
set -euo pipefail
constat=$1 db=$2 index=$3 n=${4:-20000}
work=$(mktemp -d /tmp/constat-live-XXXXXX)
word=ZEBULON$(date +%H%M%S)
trap 'kill "${pid:-}" "${searcher:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
agent=$(sqlite3 "$db" "SELECT login FROM agent WHERE role = 'agent' AND disabled = 0 LIMIT 1")
token=$("$constat" token create --db "$db" --login "$agent" --label bench-live)
{
	echo "siren,siret,nic,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,etablissementSiege,numeroVoieEtablissement,indiceRepetitionEtablissement,typeVoieEtablissement,libelleVoieEtablissement,complementAdresseEtablissement,codePostalEtablissement,libelleCommuneEtablissement,codeCommuneEtablissement,enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,denominationUsuelleEtablissement,activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,etatAdministratifEtablissement"
	sqlite3 -csv "$db" "SELECT printf('%09d', siren), printf('%014d', siret), nic, diffusion,
		created_on, headcount_band, CASE head_office WHEN 1 THEN 'true' ELSE 'false' END,
		street_number, street_repeat, street_type, street_name, address_extra, postcode,
		commune_name, commune_code, '$word ' || siret, enseigne2, enseigne3,
		usual_name, naf, naf_nomenclature, state
		FROM establishment WHERE siret % 97 = 5 AND state = 'A'
		AND coalesce(enseigne1, '') NOT LIKE 'ZEBULON%' LIMIT $n"
} >"$work/update.csv"

"$constat" serve --db "$db" --index "$index" --listen 127.0.0.1:0 --no-releases \
	>"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 600); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")
base=http://127.0.0.1:$port/api/v1/establishments
(
	printf '%-12s %10s %14s %10s\n' time "search ms" "imported found" "RSS MB"
	while :; do
		t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" \
			"$base?q=boulangerie+lyon&limit=10")
		found=$(curl -s -H "Authorization: Bearer $token" "$base?q=$word&limit=50" |
			grep -o "$word" | wc -l || true)
		rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
		printf '%-12s %10.1f %14s %10s\n' "$(date +%T.%N | cut -c1-12)" \
			"$(echo "$t * 1000" | bc)" "$found" "$rss"
		sleep 0.5
	done
) &
searcher=$!
sleep 2
echo "import of $n changed establishments at $(date +%T.%N | cut -c1-12)"
"$constat" import-sirene --db "$db" "$work/update.csv" | tail -1
for _ in $(seq 600); do grep -q "rebuilt index is in service" "$work/serve.err" && break; sleep 1; done
sleep 3
kill "$searcher"
wait "$searcher" 2>/dev/null || true
kill -TERM "$pid"
wait "$pid" || true
grep -E "search:" "$work/serve.err"
echo "machine: $(nproc) cores; $(date -u +%F)"
