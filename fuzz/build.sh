#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz-*.c) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, compiling the sources they need directly (not through
# meson). Usage: fuzz/build.sh [OUTDIR] (default build-fuzz). Objects are rebuilt only
# when their source or a header under src/ changed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-${FUZZ_BUILD:-build-fuzz}}
cc=${FUZZ_CC:-clang}
mkdir -p "$out/obj"

if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc not found (apt-get install -y clang libclang-rt-14-dev)" >&2
	exit 1
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n); int LLVMFuzzerTestOneInput(const char *d, long n) { return (int)(d[0] + n) * 0; }' |
	"$cc" -x c -fsanitize=fuzzer - -o "$out/probe" 2>/dev/null; then
	echo "fuzz: the libFuzzer runtime is missing (apt-get install -y libclang-rt-14-dev)" >&2
	exit 1
fi

pkgs="sqlite3 jansson libsodium libutf8proc libmicrohttpd"
cflags=(-std=c17 -g -O1 -fno-omit-frame-pointer -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Isrc
	-Wall -Wextra -Wno-unused-function $(pkg-config --cflags $pkgs))
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
libs=($(pkg-config --libs $pkgs) -lm -lpthread)

# The embedded reference data and migrations, as meson builds them (same name=path list).
emb_args=$(python3 - <<'PY'
import re
pairs = []
for f in ("meson.build", "src/web/meson.build"):
    text = open(f, encoding="utf-8").read()
    for m in re.finditer(r"^\s*'(\w+)':\s*'([^']+)'", text, re.M):
        path = m.group(2) if m.group(2).startswith(("data/", "src/")) else "src/web/" + m.group(2)
        pairs.append("%s=%s" % (m.group(1), path))
print(" ".join(pairs))
PY
)
if [ ! -f "$out/embedded.c" ] || [ -n "$(find data src/store/migrations src/web/assets -newer "$out/embedded.c" -type f | head -1)" ]; then
	# shellcheck disable=SC2086
	python3 scripts/embed.py "$out/embedded.c" $emb_args
fi

# Sources linked into every target (an archive: each target pulls only what it uses).
# api-interventions.c and sirene-import.c are included by their harnesses instead.
srcs=(src/core/*.c src/domain/*.c src/store/store-sqlite.c src/store/store-search.c src/search/*.c
	src/http/request.c src/http/response.c src/http/router.c
	src/api/api-json.c src/api/auth.c src/api/case.c
	src/web/form.c src/web/html.c "$out/embedded.c")
[ -f src/sirene/sirene-columns.c ] && srcs+=(src/sirene/sirene-columns.c)
# stale OBJ: succeeds when the object is missing or older than a file its .d lists.
stale() {
	local o=$1 f
	[ -f "$o" ] && [ -f "${o%.o}.d" ] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "${o%.o}.d"); do
		[ "$f" -nt "$o" ] && return 0
	done
	return 1
}
objs=()
for s in "${srcs[@]}"; do
	o=$out/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
	objs+=("$o")
	if stale "$o"; then
		echo "  CC $s"
		"$cc" "${cflags[@]}" "${san[@]}" -fsanitize=fuzzer-no-link -MMD -MF "${o%.o}.d" \
			-c "$s" -o "$o"
		rm -f "$out/lib.a"
	fi
done
[ -f "$out/lib.a" ] || ar rcs "$out/lib.a" "${objs[@]}"

for h in fuzz/fuzz-*.c; do
	name=$(basename "$h" .c)
	if stale "$out/obj/$name.o" || [ "$out/lib.a" -nt "$out/$name" ] || [ ! -x "$out/$name" ]; then
		echo "  LD $name"
		"$cc" "${cflags[@]}" -Werror "${san[@]}" -fsanitize=fuzzer -MMD -MF "$out/obj/$name.d" \
			-c "$h" -o "$out/obj/$name.o"
		"$cc" "${san[@]}" -fsanitize=fuzzer "$out/obj/$name.o" "$out/lib.a" "${libs[@]}" \
			-o "$out/$name"
	fi
done
