# Shared helpers for the end-to-end scripts: assertions that count, a temporary folder
# removed at exit, and the closing "N passed, N failed" line.
passed=0
failed=0
tmp=$(mktemp -d /tmp/constat-e2e-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

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

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
