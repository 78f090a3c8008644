#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/TandemFuzz) and runs each for a bounded time on its committed corpus.
#
#   Fuzz/run.sh                 # every target, 20 s each
#   SECONDS_PER_TARGET=600 Fuzz/run.sh path response   # longer, on chosen targets
#
# New inputs that add coverage go to a scratch corpus (not the committed one: add the interesting ones by hand
# with `-merge=1`, see Documentation/Security.md). A crash leaves its input in Fuzz/artifacts/ and fails the run;
# turn each into a regression test. CI runs this briefly (FUZZ_SECONDS in .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SECONDS_PER_TARGET:-20}
# FUZZ_SEED makes a run repeatable (CI sets it, so a brief run there explores the same inputs every time); without
# it libFuzzer picks a new seed each run, which is what longer exploratory runs want.
seed_flag=()
[ -z "${FUZZ_SEED:-}" ] || seed_flag=(-seed="$FUZZ_SEED")
all=(path response request cookie query schema signed json multipart origin address fields)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

export TANDEM_FUZZ=1
build_log=$(mktemp)
if ! swift build --sanitize=fuzzer --product tandem-fuzz --scratch-path .build-fuzz >"$build_log" 2>&1; then
  grep -E "error" "$build_log" | head -n 20 >&2
  exit 1
fi
tail -n 1 "$build_log"
binary=$(swift build --sanitize=fuzzer --product tandem-fuzz --scratch-path .build-fuzz --show-bin-path)/tandem-fuzz

# The Swift runtime's backtracer takes seconds per crash and prints nothing libFuzzer needs.
export SWIFT_BACKTRACE=enable=no
mkdir -p Fuzz/artifacts
# FUZZ_JOBS targets at once (each runs on one core; CI sets it to the machine's cores). Their reports are printed
# in the order of the targets, each when its run ended.
jobs=${FUZZ_JOBS:-1}
reports=$(mktemp -d)

# Runs one target; its report goes to $reports/TARGET, and its status is the run's.
fuzz_target() {
  local target=$1 corpus="Fuzz/corpus/$1" scratch
  scratch=$(mktemp -d)
  echo "fuzz: $target for ${seconds}s"
  if ! TANDEM_FUZZ_TARGET=$target "$binary" "$scratch" "$corpus" "${seed_flag[@]}" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="Fuzz/artifacts/$target-" -print_final_stats=1 >"$scratch.log" 2>&1; then
    echo "fuzz: $target FAILED"
    grep -E "Fatal error|ERROR|SUMMARY|Test unit written|Precondition" "$scratch.log" | head -n 20
    rm -rf "$scratch" "$scratch.log"
    return 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$scratch.log" | tr '\n' ' '
  echo
  rm -rf "$scratch" "$scratch.log"
}

for target in "${targets[@]}"; do
  [ -d "Fuzz/corpus/$target" ] || { echo "fuzz: no corpus for $target" >&2; exit 2; }
done
status=0
running=()
for target in "${targets[@]}"; do
  fuzz_target "$target" >"$reports/$target" 2>&1 &
  running+=($!)
  if [ "${#running[@]}" -ge "$jobs" ]; then
    wait "${running[0]}" || status=1
    running=("${running[@]:1}")
  fi
done
for pid in "${running[@]}"; do wait "$pid" || status=1; done
for target in "${targets[@]}"; do cat "$reports/$target"; done
rm -rf "$reports"
exit $status
