#!/usr/bin/env bash
# End-to-end test of `constat serve`: a real server on an ephemeral port over a temporary
# database; status codes, headers, bounds, the access log, and a draining shutdown.
# Usage: http.sh PATH/TO/constat      (needs curl and the sqlite3 command-line shell)
set -u
constat=$1
. "$(dirname "$0")/lib.sh"
db=$tmp/t.db
log=$tmp/serve.log
require curl sqlite3

# --- refusals before start
expect_status "serve without --db" 2 "$constat" serve
expect_status "serve on a missing database" 1 "$constat" serve --db "$tmp/none.db"
expect_match "missing database named" "does not exist" "$(cat "$tmp/err")"
expect_status "serve with a bad --listen" 2 "$constat" serve --db "$db" --listen localhost
expect_status "serve --help" 0 "$constat" serve --help

expect_status "init" 0 "$constat" init --db "$db"
cp "$db" "$tmp/old.db"
sqlite3 "$tmp/old.db" "PRAGMA user_version = 1" >/dev/null
expect_status "serve on an old schema" 1 "$constat" serve --db "$tmp/old.db"
expect_match "schema named" "schema" "$(cat "$tmp/err")"

# --- start on port 0 and read the port
start_server "$db" --max-body 4096

# status URL [CURL ARGS...]: prints the status code
status() {
	local url=$1
	shift
	curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$@" "$url"
}
header() { grep -i "^$1:" "$tmp/headers" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }

# --- endpoints
expect_eq "healthz" 200 "$(status "$base/healthz")"
expect_eq "healthz body" '{"status":"ok"}' "$(cat "$tmp/body")"
expect_eq "json charset" "application/json; charset=utf-8" "$(header Content-Type)"
expect_eq "home asks to log in" 303 "$(status "$base/")"
expect_eq "login page" 200 "$(status "$base/connexion")"
expect_eq "html charset" "text/html; charset=utf-8" "$(header Content-Type)"
expect_match "login page in French" '<html lang="fr">' "$(cat "$tmp/body")"
expect_eq "csp" "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" "$(header Content-Security-Policy)"
expect_eq "nosniff" nosniff "$(header X-Content-Type-Options)"
expect_eq "referrer" no-referrer "$(header Referrer-Policy)"
expect_eq "frame options" DENY "$(header X-Frame-Options)"
expect_eq "no-store" no-store "$(header Cache-Control)"
expect_eq "HEAD" 200 "$(status "$base/healthz" -I)"

# --- errors
expect_eq "unknown page" 404 "$(status "$base/nothing/here")"
expect_match "404 page in French" 'Page introuvable' "$(cat "$tmp/body")"
expect_eq "unknown API path" 404 "$(status "$base/api/v1/nothing")"
expect_match "API 404 body" '"code":"not_found"' "$(cat "$tmp/body")"
expect_eq "404 carries the headers too" nosniff "$(header X-Content-Type-Options)"
expect_eq "wrong method" 405 "$(status "$base/healthz" -X DELETE)"
expect_eq "Allow" "GET, HEAD" "$(header Allow)"
head -c 10000 /dev/zero >"$tmp/big"
expect_eq "oversized body" 413 "$(status "$base/healthz" -X POST --data-binary @"$tmp/big")"
expect_eq "oversized chunked body" 413 "$(status "$base/healthz" -X POST \
	-H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big")"
expect_eq "body within the cap" 405 "$(status "$base/healthz" -X POST --data-binary 'x=1')"
expect_eq "bad percent-encoding" 400 "$(status "$base/healthz?q=%zz")"
long=$(head -c 5000 /dev/zero | tr '\0' a)
expect_eq "long URL" 414 "$(status "$base/healthz?q=$long")"

# --- the access log: one line per request, never the query string
expect_eq "query accepted" 200 "$(status "$base/healthz?token=SECRET123&q=x")"
sleep 0.2
expect_match "access log line" 'http GET /healthz 200 [0-9]+ms user=0' "$(cat "$log")"
if grep -q 'SECRET123' "$log"; then ko "the query string reached the log"; else ok; fi

# --- a keep-alive loop: 200 requests on one connection
urls=()
for _ in $(seq 1 200); do urls+=(-o /dev/null "$base/healthz"); done
start=$(date +%s%N)
n200=$(curl -s -w '%{http_code}\n' "${urls[@]}" | grep -c '^200$')
end=$(date +%s%N)
expect_eq "200 sequential requests" 200 "$n200"
echo "info: 200 keep-alive requests in $(((end - start) / 1000000)) ms" >&2

# --- shutdown while a request is in flight: a slow upload must complete
head -c 3000 /dev/zero >"$tmp/slow"
curl -s -o "$tmp/slowbody" -w '%{http_code}' -X POST --limit-rate 1000 \
	--data-binary @"$tmp/slow" "$base/healthz" >"$tmp/slowstatus" &
cpid=$!
sleep 1
kill -TERM "$pid"
wait "$cpid"
expect_eq "in-flight request answered during shutdown" 405 "$(cat "$tmp/slowstatus")"
wait "$pid"
expect_eq "clean exit" 0 "$?"
pid=
expect_match "shutdown logged" 'serve: stopped' "$(cat "$log")"
expect_eq "integrity" ok "$(sqlite3 "$db" 'PRAGMA integrity_check')"
expect_eq "WAL checkpointed" 0 "$(stat -c %s "$db-wal" 2>/dev/null || echo 0)"

# --- TLS: HTTPS with HSTS, Secure cookies, nothing in clear on the TLS port
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
		-days 2 -subj /CN=localhost 2>/dev/null
	"$constat" serve --db "$db" --listen 127.0.0.1:0 --no-releases --tls-cert "$tmp/cert.pem" \
		--tls-key "$tmp/key.pem" >"$tmp/tls.out" 2>"$tmp/tls.err" &
	pid=$!
	for _ in $(seq 50); do grep -q listening "$tmp/tls.out" 2>/dev/null && break; sleep 0.1; done
	expect_match "announces https" '^listening on https://' "$(cat "$tmp/tls.out")"
	tport=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$tmp/tls.out")
	expect_eq "https healthz" 200 "$(status "https://127.0.0.1:$tport/healthz" -k)"
	expect_eq "HSTS" "max-age=31536000" "$(header Strict-Transport-Security)"
	expect_eq "no clear HTTP on the TLS port" 000 \
		"$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$tport/healthz")"
	status "https://127.0.0.1:$tport/api/v1/session" -k -H 'Content-Type: application/json' \
		--data '{"login": "nobody", "password": "nothing"}' >/dev/null
	kill -TERM "$pid"
	wait "$pid"
	expect_eq "TLS server stops cleanly" 0 "$?"
	pid=
	expect_eq "a key without a certificate is refused" 2 \
		"$("$constat" serve --db "$db" --listen 127.0.0.1:0 --tls-key "$tmp/key.pem" \
			>/dev/null 2>&1; echo $?)"
	printf 'nope' >"$tmp/bad.pem"
	expect_eq "a file that is not PEM is refused" 3 \
		"$("$constat" serve --db "$db" --listen 127.0.0.1:0 --tls-cert "$tmp/bad.pem" \
			--tls-key "$tmp/key.pem" >/dev/null 2>&1; echo $?)"
else
	echo "info: openssl missing, TLS checks skipped" >&2
fi

# --- The release job: a server left to itself releases the closed months in order
# (CONSTAT_TODAY 2026-03-31: January and February of 2026 are closed, March is not), each
# in the audit trail; a second start finds nothing new to do.
rdb=$tmp/rel.db
expect_status "generate tiny" 0 "$constat" generate --db "$rdb" --scale tiny --seed 3
(
	export CONSTAT_TODAY=2026-03-31
	"$constat" serve --db "$rdb" --listen 127.0.0.1:0 --threads 1 >"$tmp/rel.out" \
		2>"$tmp/rel.err" &
	rpid=$!
	for _ in $(seq 1 600); do
		grep -q 'jobs: release done' "$tmp/rel.err" && break
		sleep 0.1
	done
	kill -TERM "$rpid"
	wait "$rpid"
)
expect_match "the job ran" 'statistical release\(s\) made' "$(cat "$tmp/rel.err")"
expect_eq "2026: January and February released, not March" "2026-01 2026-02" \
	"$(sqlite3 "$rdb" "SELECT group_concat(month, ' ') FROM (SELECT month FROM stats_release
	                   WHERE month LIKE '2026-%' ORDER BY month)")"
expect_eq "every release in the audit trail" \
	"$(sqlite3 "$rdb" "SELECT count(*) FROM stats_release")" \
	"$(sqlite3 "$rdb" "SELECT count(*) FROM audit WHERE action = 'stats.release'")"
expect_eq "no version 2 without late entries" 0 \
	"$(sqlite3 "$rdb" "SELECT count(*) FROM stats_release WHERE version > 1")"

finish
