#!/usr/bin/env bash
# The test command of the README and of CI: installs what the tests need beyond the .NET SDK (each step skips itself
# where it cannot run), runs every test project with TRX results, and prints "N passed, N failed" as its last line.
# A quick local run can skip the long end-to-end cases: RECIPES_TEST_FILTER='Category!=Slow' bash tests/run.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for setup in tests/setup/*.sh; do
  [ -e "$setup" ] || continue
  echo "== $(basename "$setup")"
  bash "$setup" || echo "setup step $(basename "$setup") failed; the tests that need it will say why they skip"
done

results="$root/TestResults"
rm -rf "$results"
args=(test Recipes.sln -c Release --logger trx --results-directory "$results")
if [ -n "${RECIPES_TEST_FILTER:-}" ]; then args+=(--filter "$RECIPES_TEST_FILTER"); fi
dotnet "${args[@]}"
status=$?

# The tests that train run a second time as an older CPU would: libtorch picks kernels by instruction set (oneDNN
# honours DNNL_MAX_CPU_ISA, ATen ATEN_CPU_CAPABILITY), so a regression on either path fails CI whatever machine CI
# lands on. On a machine without AVX-512 the first pass already was that path.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  echo "== training tests again on the AVX2 path (DNNL_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2)"
  filter="Category=Training"
  if [ -n "${RECIPES_TEST_FILTER:-}" ]; then filter="($RECIPES_TEST_FILTER)&$filter"; fi
  avx2_status=0
  # The training unit tests whole, and the end-to-end tests that train.
  DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 dotnet test tests/Recipes.Training.Tests/Recipes.Training.Tests.csproj -c Release --no-build \
    --logger "trx;LogFileName=training-units-avx2.trx" --results-directory "$results" ${RECIPES_TEST_FILTER:+--filter "$RECIPES_TEST_FILTER"} || avx2_status=$?
  DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 dotnet test tests/Recipes.Tests/Recipes.Tests.csproj -c Release --no-build \
    --logger "trx;LogFileName=training-avx2.trx" --results-directory "$results" --filter "$filter" || avx2_status=$?
  if [ "$avx2_status" -ne 0 ]; then status=$avx2_status; fi
fi

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
