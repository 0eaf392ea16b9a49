#!/usr/bin/env bash
# bench/import-sirene.sh: builds a large synthetic StockEtablissement.csv (INSEE's column
# set and shape, valid SIRETs in siret order) and times `constat import-sirene` on it
# into a fresh database: rows per second and peak resident memory.
#
# Usage: bench/import-sirene.sh [CONSTAT] [ROWS]
#   CONSTAT    the constat binary (default build/constat; `make bench-import` passes it)
#   ROWS       establishments to generate (default 2000000)
# Environment: BENCH_DIR (default /tmp/constat-bench-sirene) holds the CSV and database;
# KEEP=1 keeps them afterwards. Needs a C compiler; uses /usr/bin/time when present.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
constat=$(realpath "${1:-$root/build/constat}")
rows=${2:-2000000}
dir=${BENCH_DIR:-/tmp/constat-bench-sirene}

if [[ ! -x $constat ]]; then
	echo "bench: $constat not found; build first (make build)" >&2
	exit 1
fi
mkdir -p "$dir"
csv="$dir/StockEtablissement.csv"
db="$dir/bench.db"
gen="$dir/gen-sirene"

# ---- The generator: deterministic, about 330 bytes a row as in INSEE's file --------------
cat >"$dir/gen-sirene.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long st = 88172645463325252ULL;
static unsigned rnd(unsigned n) { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return (unsigned)(st % n); }

static int luhn_digit(const char *s, int n) /* digit to append to s[0..n) */
{
	for (int d = 0; d < 10; d++) {
		int sum = 0;
		for (int i = 0; i <= n; i++) {
			int v = (i == n) ? d : s[i] - '0';
			if ((n - i) % 2 == 1) { v *= 2; if (v > 9) v -= 9; }
			sum += v;
		}
		if (sum % 10 == 0) return d;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
	static const char *naf[] = {"56.10A", "47.11D", "62.01Z", "43.21A", "86.21Z", "68.20A", "41.20A", "85.59A"};
	static const char *band[] = {"NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53"};
	static const char *type[] = {"RUE", "AV", "BD", "PL", "CHE", "RTE", "ALL", "IMP"};
	static const char *street[] = {"DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR", "DES ECOLES", "DE LA GARE", "DU MOULIN"};
	static const struct { const char *code, *cp, *name; } com[] = {
		{"75056", "75011", "PARIS"}, {"69123", "69003", "LYON"}, {"13055", "13001", "MARSEILLE"},
		{"35238", "35000", "RENNES"}, {"2A004", "20000", "AJACCIO"}, {"01001", "01400", "L'ABERGEMENT-CLEMENCIAT"}};
	long r = 0;
	unsigned long prefix = 10000000; /* 8 digits, then the siren's check digit */

	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	fputs("siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,"
	      "anneeEffectifsEtablissement,activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,"
	      "etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,numeroVoieEtablissement,"
	      "indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,indiceRepetitionDernierNumeroVoieEtablissement,"
	      "typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
	      "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,codeCommuneEtablissement,"
	      "codeCedexEtablissement,libelleCedexEtablissement,codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
	      "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,coordonneeLambertOrdonneeEtablissement,"
	      "complementAdresse2Etablissement,numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,"
	      "libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,"
	      "libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,codeCommune2Etablissement,"
	      "codeCedex2Etablissement,libelleCedex2Etablissement,codePaysEtranger2Etablissement,"
	      "libellePaysEtranger2Etablissement,dateDebut,etatAdministratifEtablissement,enseigne1Etablissement,"
	      "enseigne2Etablissement,enseigne3Etablissement,denominationUsuelleEtablissement,"
	      "activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement\n",
	      stdout);
	while (r < rows) {
		char siren[10], siret[15];
		int n_est = 1 + (rnd(10) < 3) + (rnd(10) < 1);

		snprintf(siren, sizeof siren, "%08lu", prefix++);
		siren[8] = (char)('0' + luhn_digit(siren, 8));
		siren[9] = '\0';
		for (int k = 0; k < n_est && r < rows; k++, r++) {
			const char *diff = rnd(100) < 3 ? "P" : "O";
			int nd = diff[0] == 'P';
			int c = (int)rnd(6);
			char num[8];
			snprintf(num, sizeof num, "%u", 1 + rnd(200));
			snprintf(siret, sizeof siret, "%s%04d", siren, (k + 1) * 10 % 10000);
			siret[13] = (char)('0' + luhn_digit(siret, 13));
			siret[14] = '\0';
			printf("%s,%.5s,%s,%s,%04u-%02u-%02u,%s,2022,,2024-03-01T10:%02u:00,%s,%u,%s,%s,%s,,,%s,%s,%s,%s,"
			       ",,%s,,,,,,%s,%s,,,,,,,,,,,,,,,%04u-01-01,%s,%s,,,%s,%s,NAFv2,%s\n",
			       siren, siret + 9, siret, diff, 1950 + rnd(74), 1 + rnd(12), 1 + rnd(28), band[rnd(16)],
			       rnd(60), k == 0 ? "true" : "false", 1 + rnd(4),
			       rnd(10) == 0 ? "\"BATIMENT B, ESCALIER 2\"" : "",
			       nd ? "[ND]" : num, rnd(20) == 0 ? "B" : "", type[rnd(8)], nd ? "[ND]" : street[rnd(8)],
			       nd ? "[ND]" : com[c].cp, nd ? "[ND]" : com[c].name, com[c].code,
			       nd ? "[ND]" : "652154.3", nd ? "[ND]" : "6862275.1", 2000 + rnd(24),
			       rnd(10) < 2 ? "F" : "A", rnd(5) == 0 ? "\"CHEZ \"\"MARCEL\"\", BISTROT\"" : "",
			       rnd(7) == 0 ? "ENSEIGNE USUELLE" : "", naf[rnd(8)], rnd(2) ? "O" : "N");
		}
	}
	return 0;
}
EOF
cc -O2 -o "$gen" "$dir/gen-sirene.c"

echo "bench: generating $rows establishments into $csv"
"$gen" "$rows" >"$csv"
ls -l "$csv" | awk '{printf "bench: %.0f MB\n", $5 / 1e6}'

rm -f "$db" "$db-wal" "$db-shm"
"$constat" init --db "$db" >/dev/null

echo "bench: importing"
timefile="$dir/time.txt"
status=0
start=$(date +%s.%N)
if [[ -x /usr/bin/time ]]; then
	/usr/bin/time -v -o "$timefile" "$constat" import-sirene --db "$db" \
		--rejects "$dir/rejects.txt" "$csv" || status=$?
else
	"$constat" import-sirene --db "$db" --rejects "$dir/rejects.txt" "$csv" || status=$?
fi
end=$(date +%s.%N)
echo "bench: exit status $status, $(wc -l <"$dir/rejects.txt") rejects"
awk -v r="$rows" -v s="$start" -v e="$end" \
	'BEGIN { printf "bench: %d rows in %.1f s wall (process, with database close): %.0f rows/s\n", r, e - s, r / (e - s) }'
if [[ -f $timefile ]]; then
	grep -E "Maximum resident|Elapsed|User time|System time" "$timefile" | sed 's/^\s*/bench: /'
fi
ls -l "$db" | awk '{printf "bench: database %.0f MB\n", $5 / 1e6}'
echo "bench: machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
if [[ ${KEEP:-0} != 1 ]]; then
	rm -f "$csv" "$db" "$db-wal" "$db-shm" "$gen" "$dir/gen-sirene.c" "$dir/rejects.txt" "$timefile"
	rmdir "$dir" 2>/dev/null || true
fi
exit "$status"
