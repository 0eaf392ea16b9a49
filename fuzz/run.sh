#!/usr/bin/env bash
# Builds and runs every libFuzzer target for FUZZ_SECONDS each (default 60), one after
# the other, with its dictionary and seed corpus (fuzz/NAME/). New inputs go to
# OUTDIR/corpus/NAME (the seeds are never modified); a crash leaves its reproducer in
# OUTDIR/artifacts/NAME/ and makes the script fail. Usage: fuzz/run.sh [TARGET...]
# Environment: FUZZ_SECONDS, FUZZ_BUILD (default build-fuzz), FUZZ_JOBS (parallel
# workers per target, default 1).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
fuzz/build.sh "$out" || exit 1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for h in fuzz/fuzz-*.c; do targets+=("$(basename "$h" .c)"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
	t=${t#fuzz-}
	dir=fuzz/$t
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192
		-artifact_prefix="$out/artifacts/$t/" -print_final_stats=1)
	[ -f "$dir/dict" ] && args+=(-dict="$dir/dict")
	[ "$jobs" -gt 1 ] && args+=(-fork="$jobs")
	echo "== fuzz-$t: $secs s"
	if ! "$out/fuzz-$t" "${args[@]}" "$out/corpus/$t" "$dir/corpus" >"$out/fuzz-$t.log" 2>&1; then
		failed+=("$t")
		echo "   CRASH: see $out/fuzz-$t.log and $out/artifacts/$t/" >&2
		grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$out/fuzz-$t.log" >&2
	else
		grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$out/fuzz-$t.log" | tail -1
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: crashes in: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, no crash"
