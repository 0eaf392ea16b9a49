#!/usr/bin/env bash
# Soak test: wrk with mixed traffic (70% establishment reads, 20% searches, 10% durable
# intervention writes) at 512 connections for a long time, sampling the server's resident
# memory, open file descriptors and threads every 10 s. Prints the samples as a table,
# then requests a second, p50/p99 latency and errors, and whether memory and descriptors
# stayed flat. Not part of `make check`.
# Usage: bench/soak.sh [PATH/TO/constat] [SECONDS]     (default build/constat, 600 s)
# Environment: SOAK_SCALE (demo scale, default small), SOAK_CONNS (default 512),
# SOAK_INTERVAL (sampling period, default 10 s).
set -euo pipefail
constat=${1:-build/constat}
secs=${2:-600}
scale=${SOAK_SCALE:-small}
conns=${SOAK_CONNS:-512}
interval=${SOAK_INTERVAL:-10}
for tool in wrk sqlite3; do
	command -v "$tool" >/dev/null || { echo "soak: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/constat-soak-XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
db=$work/soak.db

echo "preparing the $scale demo database..." >&2
"$constat" demo --db "$db" --scale "$scale" >/dev/null 2>&1
agent=$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'demo.login.agent'")
TOKEN=$("$constat" token create --db "$db" --login "$agent" --label soak)
SIRETS=$work/sirets
DAY=$(date -u +%F)
export TOKEN SIRETS DAY
sqlite3 "$db" "SELECT printf('%014d', siret) FROM intervention WHERE siret IS NOT NULL
               GROUP BY siret ORDER BY siret LIMIT 5000" >"$SIRETS"
n0=$(sqlite3 "$db" "SELECT count(*) FROM intervention")

cat >"$work/mixed.lua" <<'EOF'
-- Mixed traffic as the demo control agent: reads, searches, writes (70/20/10).
local sirets = {}
for line in io.lines(os.getenv("SIRETS")) do sirets[#sirets + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
local day = os.getenv("DAY")
local words = {"boulangerie", "garage", "sarl martin", "lyon", "restaurant du port",
	"batiment", "transports", "boulangrie", "75011", "pharmacie"}
local counter = 0
request = function()
	counter = counter + 1
	local r = math.random(100)
	local s = sirets[math.random(#sirets)]
	if r <= 70 then
		return wrk.format("GET", "/api/v1/establishments/" .. s, {["Authorization"] = auth})
	elseif r <= 90 then
		local q = words[math.random(#words)]:gsub(" ", "+")
		return wrk.format("GET", "/api/v1/establishments?limit=10&q=" .. q,
			{["Authorization"] = auth})
	end
	local body = '{"date": "' .. day .. '", "kind": "controle_site", "siret": "' .. s ..
		'", "themes": ["ss_chutes_hauteur"], "note": "Soak ' .. counter .. '",' ..
		' "followups": [{"kind": "lettre_observations", "date": "' .. day ..
		'", "provisions": ["R.4323-58"]}]}'
	return wrk.format("POST", "/api/v1/interventions",
		{["Authorization"] = auth, ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
	io.write(string.format("p50_ms %.2f\np99_ms %.2f\nmax_ms %.2f\n",
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
EOF

"$constat" serve --db "$db" --listen 127.0.0.1:0 --no-releases --max-connections 2048 --max-per-ip 2048 \
	>"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 300); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")
for _ in $(seq 600); do grep -q 'search index ready' "$work/serve.err" && break; sleep 0.1; done

sample() { # elapsed: prints "elapsed rss_mb fds threads"
	local rss fds thr
	rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
	thr=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
	fds=$(ls "/proc/$pid/fd" | wc -l)
	printf '%8s %10s %6s %8s\n' "$1" "$rss" "$fds" "$thr"
}
echo "soak: $conns connections for ${secs}s against $scale ($(nproc) cores)" >&2
printf '%8s %10s %6s %8s\n' "time_s" "rss_mb" "fds" "threads" | tee "$work/samples"
sample 0 | tee -a "$work/samples"
wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$work/mixed.lua" \
	"http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
wpid=$!
start=$(date +%s)
while kill -0 "$wpid" 2>/dev/null; do
	sleep "$interval"
	kill -0 "$wpid" 2>/dev/null || break
	sample $(($(date +%s) - start)) | tee -a "$work/samples"
done
wait "$wpid" || true
sleep 2
sample "idle" | tee -a "$work/samples"

out=$(cat "$work/wrk.out")
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
total=$(awk '/requests in/ {print $1}' <<<"$out")
p50=$(awk '$1 == "p50_ms" {print $2}' <<<"$out")
p99=$(awk '$1 == "p99_ms" {print $2}' <<<"$out")
pmax=$(awk '$1 == "max_ms" {print $2}' <<<"$out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
sockerr=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
s5xx=$(grep -cE 'http [A-Z]+ [^ ]+ 5[0-9][0-9] ' "$work/serve.err" || true)
written=$(( $(sqlite3 "$db" "SELECT count(*) FROM intervention") - n0 ))
echo
echo "requests: ${total:-0} (${rps:-0}/s), p50 ${p50:-?} ms, p99 ${p99:-?} ms, max ${pmax:-?} ms"
echo "errors: non-2xx ${non2xx:-0}, socket errors ${sockerr:-0}, 5xx in the server log $s5xx"
echo "interventions written: $written"
{ grep -E 'http [A-Z]+ [^ ]+ 5[0-9][0-9] ' "$work/serve.err" || true; } |
	awk '{print $3, $4, $5}' | sort | uniq -c | sort -rn | head -5 | sed 's/^/  5xx: /'
# Flat: after the warm-up (the first two busy samples), the mean of the second half of the
# samples within 10% (memory) and 16 (descriptors) of the mean of the first half.
awk 'NR > 3 && $1 != "idle" {t[++n] = $1; m[n] = $2; f[n] = $3} END {
	if (n < 4) { print "too few samples to judge flatness"; exit }
	h = int(n / 2)
	for (i = 1; i <= n; i++) if (i <= h) { m1 += m[i]; f1 += f[i] } else { m2 += m[i]; f2 += f[i] }
	m1 /= h; f1 /= h; m2 /= n - h; f2 /= n - h
	printf "memory %s (mean %.1f MB over %s-%ss, %.1f MB over %s-%ss), fds %s (%.0f, %.0f)\n",
		(m2 - m1 <= m1 * 0.10 ? "flat" : "GROWING"), m1, t[1], t[h], m2, t[h + 1], t[n],
		(f2 - f1 <= 16 ? "flat" : "GROWING"), f1, f2 }' "$work/samples"
kill -TERM "$pid"
wait "$pid" && echo "clean shutdown" || echo "shutdown exit code $?"
pid=
echo "integrity: $(sqlite3 "$db" "PRAGMA integrity_check")"
