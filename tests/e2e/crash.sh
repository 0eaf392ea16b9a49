#!/usr/bin/env bash
# End-to-end durability test: a client writes interventions through the API as fast as
# it can while the server is killed with SIGKILL at random moments (CRASH_KILLS times,
# default 25) and restarted each time. Afterwards every write the server acknowledged
# (201 with its id) must be there, whole (its themes, follow-up and provisions too), no
# write may be there in part, PRAGMA integrity_check must say "ok", the audit chain must
# verify, and the server must serve. Usage: crash.sh PATH/TO/constat
set -u
constat=$(realpath "$1")
. "$(dirname "$0")/lib.sh"
db=$tmp/crash.db
kills=${CRASH_KILLS:-25}
pid=
cpid=
export CONSTAT_TODAY=2026-06-30

require curl sqlite3 python3
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$constat" demo --db "$db" --scale tiny --seed 7 >/dev/null 2>&1 || { echo "demo failed"; exit 1; }
agent=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'demo.login.agent'")
token=$("$constat" token create --db "$db" --login "$agent" --label crash)
siret=$(sqlite3 "$db" "SELECT siret FROM establishment WHERE state = 'A' LIMIT 1")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
n_before=$(sqlite3 "$db" "SELECT count(*) FROM intervention")

# start: runs the server on the fixed port and waits until it answers (at most 10 s).
start() {
	"$constat" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --no-releases >>"$tmp/serve.out" \
		2>>"$tmp/serve.err" &
	pid=$!
	for _ in $(seq 1 200); do
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && return 0
		sleep 0.05
	done
	return 1
}

# The writer: each intervention carries a unique note; acknowledged ids go to acked.txt
# (flushed after each line); errors and refused connections are retried.
cat >"$tmp/writer.py" <<'EOF'
import http.client, json, os, sys, time
port, token, siret, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
acked = open(out, "a", buffering=1)
n = sent = 0
while not os.path.exists(stop):
    n += 1
    body = json.dumps({"date": "2026-06-20", "kind": "controle_site", "siret": siret,
                       "note": "crash-%d" % n, "themes": ["ss_chutes_hauteur", "ds_duree"],
                       "followups": [{"kind": "lettre_observations", "date": "2026-06-25",
                                      "provisions": ["R.4323-58", "L.4121-1"]}]})
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("POST", "/api/v1/interventions", body,
                  {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        r = c.getresponse()
        data = r.read()
        sent += 1
        if r.status == 201:
            acked.write("%d crash-%d\n" % (json.loads(data)["id"], n))
        elif r.status not in (503,):
            print("unexpected status %d: %s" % (r.status, data[:200]), file=sys.stderr)
        c.close()
    except (OSError, http.client.HTTPException, ValueError):
        time.sleep(0.02)
print("sent %d" % sent, file=sys.stderr)
EOF

start || { ko "server did not start: $(tail -3 "$tmp/serve.err")"; finish; exit 1; }
python3 "$tmp/writer.py" "$port" "$token" "$siret" "$tmp/acked.txt" "$tmp/stop" 2>"$tmp/writer.err" &
cpid=$!
started_ok=0
for i in $(seq 1 "$kills"); do
	# 0.1 to 1.5 s of writing, then SIGKILL in the middle of whatever it is doing.
	sleep "$(python3 -c 'import random; print(round(random.uniform(0.1, 1.5), 2))')"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	pid=
	if start; then started_ok=$((started_ok + 1)); else
		ko "restart $i failed: $(tail -3 "$tmp/serve.err")"
		break
	fi
done
sleep 0.5
touch "$tmp/stop"
wait "$cpid"
cpid=
expect_eq "restarted after each of the $kills kills" "$kills" "$started_ok"
acked=$(wc -l <"$tmp/acked.txt")
echo "    $acked writes acknowledged across $kills kills ($(cat "$tmp/writer.err" | tr '\n' ' '))"
expect_match "the client got writes through" '^[1-9][0-9]*$' "$acked"
expect_eq "no unexpected status" 0 "$(grep -c unexpected "$tmp/writer.err")"

# The server still serves, and reads an acknowledged record back.
last=$(tail -1 "$tmp/acked.txt" | cut -d' ' -f1)
st=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $token" \
	"http://127.0.0.1:$port/api/v1/interventions/$last")
expect_eq "serves after the last restart" 200 "$st"
kill -TERM "$pid"
wait "$pid"
expect_eq "clean shutdown at the end" 0 "$?"
pid=

expect_eq "integrity" ok "$(sqlite3 "$db" "PRAGMA integrity_check")"
expect_status "audit chain intact" 0 "$constat" audit-verify --db "$db"
# Every acknowledged write is there with its note.
sqlite3 "$db" "SELECT id || ' ' || note FROM intervention WHERE note LIKE 'crash-%' ORDER BY id" \
	>"$tmp/stored.txt"
missing=$(sort "$tmp/acked.txt" | comm -23 - <(sort "$tmp/stored.txt") | wc -l)
expect_eq "every acknowledged write survived" 0 "$missing"
# Writes in flight at a kill may be there without an acknowledgement (committed, then
# killed before the reply); they must be whole, as must every other.
extra=$(sort "$tmp/stored.txt" | comm -13 <(sort "$tmp/acked.txt") - | wc -l)
echo "    $extra writes committed but not acknowledged (killed before the reply)"
expect_eq "no write in part (themes)" 0 "$(sqlite3 "$db" "SELECT count(*) FROM intervention i
	WHERE note LIKE 'crash-%' AND (SELECT count(*) FROM intervention_theme t
	WHERE t.intervention_id = i.id) <> 2")"
expect_eq "no write in part (follow-ups and provisions)" 0 "$(sqlite3 "$db" "SELECT count(*)
	FROM intervention i WHERE note LIKE 'crash-%' AND (SELECT count(*) FROM followup f
	JOIN followup_provision p ON p.followup_id = f.id WHERE f.intervention_id = i.id) <> 2")"
expect_eq "no duplicate note" 0 "$(sqlite3 "$db" "SELECT count(*) FROM (SELECT note FROM
	intervention WHERE note LIKE 'crash-%' GROUP BY note HAVING count(*) > 1)")"
expect_eq "count adds up" "$((n_before + $(wc -l <"$tmp/stored.txt")))" \
	"$(sqlite3 "$db" "SELECT count(*) FROM intervention")"
finish
