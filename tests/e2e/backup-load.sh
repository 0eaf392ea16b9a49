#!/usr/bin/env bash
# End-to-end test of backups under load: `constat backup` runs (several times) while a
# client writes interventions through the API at full speed; each backup is then restored
# into a new file with `constat restore`, and must be consistent: integrity ok, the audit
# chain verifies with its key, the schema is current, and its interventions are a prefix of
# the live ones by id (nothing later than a missing one, no note changed).
# Usage: backup-load.sh PATH/TO/constat
set -u
constat=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
db=$tmp/live.db
rounds=${BACKUP_ROUNDS:-4}
pid=
cpid=
export CONSTAT_TODAY=2026-06-30

require curl sqlite3 python3
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$constat" demo --db "$db" --scale tiny --seed 11 >/dev/null 2>&1 || { echo "demo failed"; exit 1; }
agent=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'demo.login.agent'")
token=$("$constat" token create --db "$db" --login "$agent" --label backup)
siret=$(sqlite3 "$db" "SELECT siret FROM establishment WHERE state = 'A' LIMIT 1")

start_server "$db"

cat >"$tmp/writer.py" <<'EOF'
import http.client, json, os, sys
port, token, siret, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
acked = open(out, "a", buffering=1)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
n = bad = 0
while not os.path.exists(stop):
    n += 1
    body = json.dumps({"date": "2026-06-20", "kind": "controle_site", "siret": siret,
                       "note": "load-%d" % n, "themes": ["ss_chutes_hauteur"],
                       "followups": [{"kind": "lettre_observations", "date": "2026-06-25",
                                      "provisions": ["L.4121-1"]}]})
    c.request("POST", "/api/v1/interventions", body,
              {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    r = c.getresponse()
    data = r.read()
    if r.status == 201:
        acked.write("%d load-%d\n" % (json.loads(data)["id"], n))
    else:
        bad += 1
        print("status %d: %s" % (r.status, data[:200]), file=sys.stderr)
print("non-201: %d" % bad, file=sys.stderr)
EOF
python3 "$tmp/writer.py" "$port" "$token" "$siret" "$tmp/acked.txt" "$tmp/stop" 2>"$tmp/writer.err" &
cpid=$!
sleep 0.5
for i in $(seq 1 "$rounds"); do
	expect_status "backup $i while writing" 0 "$constat" backup --db "$db" --out "$tmp/b$i.db"
	[ -f "$tmp/b$i.db.key" ] && ok || ko "backup $i: no key file next to it"
	sleep 0.3
done
touch "$tmp/stop"
wait "$cpid"
cpid=
echo "    $(wc -l <"$tmp/acked.txt") writes during $rounds backups; $(tail -1 "$tmp/writer.err")"
expect_eq "every write acknowledged" "non-201: 0" "$(tail -1 "$tmp/writer.err")"
kill -TERM "$pid"
wait "$pid"
pid=
expect_eq "live database integrity" ok "$(sqlite3 "$db" "PRAGMA integrity_check")"
sqlite3 "$db" "SELECT id || '|' || note FROM intervention ORDER BY id" >"$tmp/live.txt"

prev=0
for i in $(seq 1 "$rounds"); do
	r=$tmp/r$i.db
	expect_status "restore $i" 0 "$constat" restore --from "$tmp/b$i.db" --db "$r"
	expect_eq "restore $i: integrity" ok "$(sqlite3 "$r" "PRAGMA integrity_check")"
	expect_eq "restore $i: foreign keys" "" "$(sqlite3 "$r" "PRAGMA foreign_key_check")"
	expect_status "restore $i: audit chain verifies" 0 "$constat" audit-verify --db "$r"
	expect_eq "restore $i: schema as live" "$(sqlite3 "$db" "PRAGMA user_version")" \
		"$(sqlite3 "$r" "PRAGMA user_version")"
	sqlite3 "$r" "SELECT id || '|' || note FROM intervention ORDER BY id" >"$tmp/r$i.txt"
	n=$(wc -l <"$tmp/r$i.txt")
	expect_eq "restore $i: its interventions are a prefix of the live ones" \
		"$(head -n "$n" "$tmp/live.txt" | md5sum)" "$(md5sum <"$tmp/r$i.txt")"
	expect_eq "restore $i: no write in part" 0 "$(sqlite3 "$r" "SELECT count(*) FROM intervention i
		WHERE note LIKE 'load-%' AND ((SELECT count(*) FROM intervention_theme t
		WHERE t.intervention_id = i.id) <> 1 OR (SELECT count(*) FROM followup f
		JOIN followup_provision p ON p.followup_id = f.id WHERE f.intervention_id = i.id) <> 1)")"
	if [ "$n" -ge "$prev" ]; then ok; else ko "restore $i is older than restore $((i - 1))"; fi
	echo "    backup $i: $n interventions"
	prev=$n
done
expect_status "restore refuses an existing file" 1 "$constat" restore --from "$tmp/b1.db" --db "$tmp/r2.db"
: >"$tmp/broken.db"
head -c 50000 "$tmp/b1.db" >"$tmp/broken.db"
cp "$tmp/b1.db.key" "$tmp/broken.db.key"
"$constat" restore --from "$tmp/broken.db" --db "$tmp/r-broken.db" >/dev/null 2>&1
st=$?
if [ "$st" -ne 0 ] && [ ! -s "$tmp/r-broken.db" ]; then ok; else
	ko "restore of a truncated backup: exit $st, file $(ls -l "$tmp/r-broken.db" 2>&1)"
fi
finish
