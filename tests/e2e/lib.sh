# Shared helpers for the end-to-end scripts: assertions that count, a temporary folder
# removed at exit, and the closing "N passed, N failed" line.
passed=0
failed=0
tmp=$(mktemp -d /tmp/constat-e2e-XXXXXX)
pid= # the server start_server started, stopped at exit if still running
trap 'if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi; rm -rf "$tmp"' EXIT

# require TOOL...: ends the script with a clear message when a tool is missing
require() {
	local tool
	for tool; do
		if ! command -v "$tool" >/dev/null; then
			echo "$(basename "$0"): $tool is required (apt-get install -y $tool)" >&2
			exit 1
		fi
	done
}

ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok; else ko "$1: expected '$2', got '$3'"; fi
}

# expect_match WHAT REGEX TEXT
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok; else ko "$1: '$3' does not match /$2/"; fi
}

# expect_status WHAT CODE COMMAND...: runs the command, compares its exit code
expect_status() {
	local what=$1 want=$2 got
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else
		ko "$what: exit $got, expected $want ($(head -c 300 "$tmp/err"))"
	fi
}

# start_server DB [ARGS...]: starts "$constat serve" on an ephemeral loopback port with two
# threads and sets pid, port and base. Standard output goes to $tmp/serve.out, the log to
# $log when the script set it, else $tmp/serve.err. Ends the script when no port shows
# within START_SECONDS (default 10), unless START_MAY_FAIL=1 (port is then empty).
start_server() {
	local d=$1
	shift
	"$constat" serve --db "$d" --listen 127.0.0.1:0 --threads 2 --no-releases "$@" \
		>"$tmp/serve.out" \
		2>"${log:-$tmp/serve.err}" &
	pid=$!
	port=
	for _ in $(seq 1 $((${START_SECONDS:-10} * 20))); do
		port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$tmp/serve.out")
		[ -n "$port" ] && break
		sleep 0.05
	done
	if [ -z "$port" ] && [ "${START_MAY_FAIL:-0}" = 1 ]; then
		return
	fi
	if [ -z "$port" ]; then
		ko "the server did not print its port ($(head -c 300 "${log:-$tmp/serve.err}"))"
		finish
		exit 1
	fi
	base=http://127.0.0.1:$port
}

# login_of ROLE: the demo login of a role ("agent", "unit_manager"...) in $db
login_of() { sqlite3 "$db" "SELECT value FROM meta WHERE key = 'demo.login.$1'"; }

# Browser helpers. fetch NAME JAR PATH [CURL ARGS...]: the reply into $tmp/NAME.html,
# its headers into $tmp/NAME.h, the cookies in JAR; prints the status. An HTML reply is
# checked with tidy (an error fails the test; warnings go to $tmp/warnings) and its path
# noted in $tmp/pages.
fetch() {
	local name=$1 jar=$2 path=$3 code
	shift 3
	code=$(curl -s -b "$jar" -c "$jar" -o "$tmp/$name.html" -D "$tmp/$name.h" \
		-w '%{http_code}' "$@" "$base$path")
	if grep -qi '^content-type: text/html' "$tmp/$name.h"; then
		echo "$path" >>"$tmp/pages"
		if tidy -q -e "$tmp/$name.html" >"$tmp/$name.tidy" 2>&1 ||
			! grep -q 'Error:' "$tmp/$name.tidy"; then
			ok
		else
			ko "tidy errors in $path: $(grep Error: "$tmp/$name.tidy" | head -3)"
		fi
		grep 'Warning:' "$tmp/$name.tidy" | sed 's/^line [0-9]* column [0-9]* - //' \
			>>"$tmp/warnings"
	fi
	printf '%s' "$code"
}
hdr() { grep -i "^$2:" "$tmp/$1.h" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$tmp/$1.html" | head -1 | sed 's/.*value="//; s/"$//'; }
has() { if grep -qF -- "$2" "$tmp/$1.html"; then ok; else ko "$1: no '$2' in the reply"; fi; }
hasnt() { if grep -qF -- "$2" "$tmp/$1.html"; then ko "$1: '$2' in the reply"; else ok; fi; }
# login JAR LOGIN [PASSWORD]: through the form, as a browser does ($password by default)
login() {
	: >"$1"
	expect_eq "login form ($2)" 200 "$(fetch loginform "$1" /connexion)"
	expect_eq "login ($2)" 303 "$(fetch loginpost "$1" /connexion \
		--data-urlencode "login=$2" --data-urlencode "password=${3:-$password}" -d suite=/)"
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
