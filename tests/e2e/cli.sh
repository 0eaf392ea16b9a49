#!/usr/bin/env bash
# End-to-end test of the command-line tool: runs the real binary on temporary databases.
# Usage: cli.sh PATH/TO/constat
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/t.db

# --- help, version, usage errors
expect_status "help" 0 "$constat" help
expect_status "version" 0 "$constat" version
expect_match "version text" '^constat [0-9]+\.[0-9]+\.[0-9]+ \(schema [0-9]+\)' "$(cat "$tmp/out")"
expect_status "no command" 2 "$constat"
expect_status "unknown command" 2 "$constat" frobnicate
for c in init generate import-sirene user demo; do
	expect_status "$c --help" 0 "$constat" "$c" --help
	expect_match "$c --help prints usage" "^Usage: constat $c" "$(head -1 "$tmp/out")"
done
expect_status "init without --db" 2 "$constat" init
expect_match "usage error names the option" "--db FILE is required" "$(cat "$tmp/err")"
expect_status "init with unknown option" 2 "$constat" init --db "$db" --bogus

# --- init
expect_status "init" 0 "$constat" init --db "$db"
expect_status "init again" 0 "$constat" init --db "$db"
expect_eq "communes loaded" 1 "$(sqlite3 "$db" "SELECT count(*) > 30000 FROM commune")"
expect_eq "journal mode" wal "$(sqlite3 "$db" "PRAGMA journal_mode")"
expect_status "init in a missing folder" 1 "$constat" init --db "$tmp/missing/x.db"
expect_match "error names the file" "cannot open" "$(cat "$tmp/err")"

# --- accounts
printf 'correct horse battery\n' >"$tmp/pw"
expect_status "user add admin" 0 "$constat" user add --db "$db" --login admin --name Admin \
	--role admin --password-stdin <"$tmp/pw"
expect_match "stored as argon2id" '^\$argon2id\$' \
	"$(sqlite3 "$db" "SELECT password_hash FROM agent WHERE login = 'admin'")"
expect_status "duplicate login" 1 "$constat" user add --db "$db" --login admin --name X --role admin
expect_match "conflict message" "login" "$(cat "$tmp/err")"
expect_status "bad role" 3 "$constat" user add --db "$db" --login bob --name Bob --role boss
expect_match "bad role names the field" "^constat user: role: " "$(cat "$tmp/err")"
expect_status "agent needs a unit" 3 "$constat" user add --db "$db" --login bob --name Bob --role agent
expect_status "bad login" 3 "$constat" user add --db "$db" --login 'Bob Smith' --name Bob --role analyst
printf 'short\n' >"$tmp/short"
expect_status "short password" 3 "$constat" user passwd --db "$db" --login admin --password-stdin <"$tmp/short"
expect_eq "nothing written on a refused password" 1 \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action LIKE 'account.%'")"
expect_status "passwd" 0 "$constat" user passwd --db "$db" --login admin --password-stdin <"$tmp/pw"
expect_status "disable" 0 "$constat" user disable --db "$db" --login admin
expect_status "disable unknown" 1 "$constat" user disable --db "$db" --login nobody
expect_status "list" 0 "$constat" user list --db "$db"
expect_match "list shows the state" "^admin +admin +disabled +Admin" "$(cat "$tmp/out")"
expect_eq "every change audited" 3 \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action LIKE 'account.%'")"
expect_eq "no password in the audit" 0 \
	"$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE detail LIKE '%horse%'")"

# --- generate (tiny), determinism, refusal to generate twice
g1=$tmp/g1.db
g2=$tmp/g2.db
expect_status "generate tiny" 0 "$constat" generate --db "$g1" --scale tiny --seed 7 \
	--today 2026-06-30 --sirene-out "$tmp/sirene"
expect_status "generate tiny again, same seed" 0 "$constat" generate --db "$g2" --scale tiny \
	--seed 7 --today 2026-06-30
digest() {
	sqlite3 "$1" "SELECT siret, nic, state, naf, postcode FROM establishment ORDER BY siret;
	              SELECT date, kind, siret, author_id FROM intervention ORDER BY id;" | md5sum
}
expect_eq "same seed, same data" "$(digest "$g1")" "$(digest "$g2")"
expect_status "generate into a full database" 1 "$constat" generate --db "$g1" --scale tiny --seed 7
expect_status "bad scale" 2 "$constat" generate --db "$tmp/x.db" --scale huge --seed 1

# --- SIRENE round trip: export of g1, import into a fresh database
expect_eq "export files" "StockEtablissement.csv StockUniteLegale.csv" \
	"$(cd "$tmp/sirene" 2>/dev/null && ls | tr '\n' ' ' | sed 's/ $//')"
r=$tmp/r.db
"$constat" init --db "$r" >/dev/null
expect_status "import-sirene" 0 "$constat" import-sirene --db "$r" \
	"$tmp/sirene/StockEtablissement.csv" "$tmp/sirene/StockUniteLegale.csv"
expect_eq "same establishments after the round trip" \
	"$(sqlite3 "$g1" "SELECT siret, siren, nic, state, naf, postcode, commune_code, enseigne1
	                  FROM establishment ORDER BY siret" | md5sum)" \
	"$(sqlite3 "$r" "SELECT siret, siren, nic, state, naf, postcode, commune_code, enseigne1
	                 FROM establishment ORDER BY siret" | md5sum)"
# The real header, a good row, then the same row with a wrong check digit (line 3).
head -2 "$tmp/sirene/StockEtablissement.csv" >"$tmp/bad.csv"
sed -n 2p "$tmp/sirene/StockEtablissement.csv" |
	awk -F, -v OFS=, '{ $3 = substr($3, 1, 13) ($3 ~ /0$/ ? "1" : "0"); print }' >>"$tmp/bad.csv"
expect_status "rejected rows give exit 3" 3 "$constat" import-sirene --db "$r" "$tmp/bad.csv"
expect_match "reject names line and field" "bad.csv:3: (siret|nic): " "$(cat "$tmp/err")"
printf 'siret,etatAdministratifEtablissement\n12345678901234,A\n' >"$tmp/short.csv"
expect_status "missing columns are refused" 1 "$constat" import-sirene --db "$r" "$tmp/short.csv"
expect_match "the missing columns are named" "siren, nic" "$(cat "$tmp/err")"

# --- the audit trail: intact, then tampered with in three ways
expect_status "audit-verify" 0 "$constat" audit-verify --db "$db"
expect_match "entries counted" "intact: [0-9]+ entries" "$(cat "$tmp/out")"
expect_eq "audit key beside the database, private" 600 "$(stat -c %a "$db.key")"
cp "$db" "$tmp/t1.db"; cp "$db.key" "$tmp/t1.db.key"
sqlite3 "$tmp/t1.db" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'x' WHERE id = 2"
expect_status "a changed entry is found" 3 "$constat" audit-verify --db "$tmp/t1.db"
expect_match "the changed entry is named" "entry 2 " "$(cat "$tmp/err")"
cp "$db" "$tmp/t2.db"; cp "$db.key" "$tmp/t2.db.key"
sqlite3 "$tmp/t2.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2"
expect_status "a removed entry is found" 3 "$constat" audit-verify --db "$tmp/t2.db"
cp "$db" "$tmp/t3.db"; cp "$db.key" "$tmp/t3.db.key"
sqlite3 "$tmp/t3.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)"
expect_status "a removed last entry is found" 3 "$constat" audit-verify --db "$tmp/t3.db"
rm -f "$tmp/t3.db.key"
expect_status "a missing key is an error" 1 "$constat" audit-verify --db "$tmp/t3.db"

# --- backup and restore
expect_status "backup" 0 "$constat" backup --db "$g1" --out "$tmp/g1.bak"
expect_status "backup over an existing file refused" 1 "$constat" backup --db "$g1" --out "$tmp/g1.bak"
expect_status "restore" 0 "$constat" restore --from "$tmp/g1.bak" --db "$tmp/restored.db"
expect_eq "restored copy is identical" "$(digest "$g1")" "$(digest "$tmp/restored.db")"
expect_status "restore over an existing file refused" 1 "$constat" restore --from "$tmp/g1.bak" \
	--db "$tmp/restored.db"
printf 'not a database' >"$tmp/junk.bak"
expect_status "a broken backup is refused" 1 "$constat" restore --from "$tmp/junk.bak" --db "$tmp/x2.db"

# --- a statistical release (the full rules are tested in test-stats-*)
expect_status "release January" 0 env CONSTAT_TODAY=2026-06-30 "$constat" release --db "$g1" \
	--month 2026-01 --quiet
expect_eq "the release is audited" 1 "$(sqlite3 "$g1" "SELECT count(*) FROM audit
	WHERE action = 'stats.release' AND detail = '2026-01'")"
expect_status "a month not closed yet is refused" 1 env CONSTAT_TODAY=2026-06-30 "$constat" \
	release --db "$g1" --month 2026-06 --quiet

# --- retention, with dates moved in time
total=$(sqlite3 "$g1" "SELECT count(*) FROM intervention")
expect_status "purge today removes nothing" 0 "$constat" purge --db "$g1"
expect_eq "nothing removed" "$total" "$(sqlite3 "$g1" "SELECT count(*) FROM intervention")"
expect_status "dry run in 2033" 0 env CONSTAT_TODAY=2033-01-01 "$constat" purge --db "$g1" --dry-run
expect_match "dry run reports" "would remove" "$(cat "$tmp/out")"
expect_eq "dry run removes nothing" "$total" "$(sqlite3 "$g1" "SELECT count(*) FROM intervention")"
pv_old=$(sqlite3 "$g1" "SELECT count(DISTINCT i.id) FROM intervention i JOIN followup f
	ON f.intervention_id = i.id WHERE f.kind = 'proces_verbal' AND i.date < '2027-01-01'")
appeal=$(sqlite3 "$g1" "SELECT count(DISTINCT i.id) FROM intervention i JOIN followup f
	ON f.intervention_id = i.id WHERE f.status = 'under_appeal' AND i.date < '2027-01-01'
	AND NOT EXISTS (SELECT 1 FROM followup g WHERE g.intervention_id = i.id
	                AND g.kind = 'proces_verbal')")
expect_status "purge in 2033" 0 env CONSTAT_TODAY=2033-01-01 "$constat" purge --db "$g1"
expect_eq "records with a procès-verbal kept 10 years" "$pv_old" "$(sqlite3 "$g1" "SELECT
	count(DISTINCT i.id) FROM intervention i JOIN followup f ON f.intervention_id = i.id
	WHERE f.kind = 'proces_verbal' AND i.date < '2027-01-01'")"
expect_eq "nothing older than 6 years without a PV or an appeal" 0 "$(sqlite3 "$g1" "SELECT
	count(*) FROM intervention i WHERE i.date < '2027-01-01' AND NOT EXISTS (SELECT 1
	FROM followup f WHERE f.intervention_id = i.id AND (f.kind = 'proces_verbal'
	OR f.status = 'under_appeal'))")"
expect_eq "records under appeal kept" "$appeal" "$(sqlite3 "$g1" "SELECT count(DISTINCT i.id)
	FROM intervention i JOIN followup f ON f.intervention_id = i.id
	WHERE f.status = 'under_appeal' AND i.date < '2027-01-01' AND NOT EXISTS (SELECT 1
	FROM followup g WHERE g.intervention_id = i.id AND g.kind = 'proces_verbal')")"
expect_eq "no orphan follow-up" 0 "$(sqlite3 "$g1" "SELECT count(*) FROM followup f
	WHERE NOT EXISTS (SELECT 1 FROM intervention i WHERE i.id = f.intervention_id)")"
expect_status "purge in 2040" 0 env CONSTAT_TODAY=2040-01-01 "$constat" purge --db "$g1"
expect_match "staff who left 10 years ago made anonymous" "staff made anonymous +[1-9]" \
	"$(cat "$tmp/out")"
expect_status "audit trail still intact after purges" 0 "$constat" audit-verify --db "$g1"

# --- demo
expect_status "demo (tiny)" 0 "$constat" demo --db "$tmp/demo.db" --scale tiny
expect_match "demo prints the logins" "control agent" "$(cat "$tmp/out")"
expect_eq "demo accounts have a password" 5 \
	"$(sqlite3 "$tmp/demo.db" "SELECT count(*) FROM agent WHERE password_hash IS NOT NULL")"

finish
