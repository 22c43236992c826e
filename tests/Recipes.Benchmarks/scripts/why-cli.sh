#!/usr/bin/env bash
# Whole-process times of `recipes why` on a 10,000-sample sweep (render -> simulate with a shell command -> one csv
# dataset shard; 20,001 nodes), beside `recipes status` on the same sweep as the baseline, in the same run, for the
# tool as packaged (ReadyToRun). The goal: `why` answers in under 1 s.
# Run from the repository root: bash tests/Recipes.Benchmarks/scripts/why-cli.sh [RUNS] [SAMPLES]
set -euo pipefail
runs=${1:-7}
samples=${2:-10000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish "$root/tool" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:RecipesBundleLibTorch=false \
  -o "$work/r2r" -v q -nologo >/dev/null
r2r="$work/r2r/recipes.dll"

mkdir -p "$work/sweep/base"
printf '{}\n' > "$work/sweep/.recipes.json"
printf 'a={{ a }} b={{ b }}\n' > "$work/sweep/base/input.txt.sbn"
cat > "$work/sweep/recipe.yaml" <<YAML
recipe: sweep
seed: 3
base_case:
  dir: base/
parameters:
  sampler: random
  samples: $samples
  space:
    a: { uniform: [0, 1] }
    b: { choice: [x, y, z] }
stages:
  simulate:
    solver: exec
    command: 'cat input.txt > out.txt && echo "{\"value\": 1}" > result.json'
    outputs: [out.txt, result.json]
  dataset:
    format: csv
YAML
start=$(date +%s.%N)
(cd "$work/sweep" && dotnet "$r2r" build recipe.yaml --json | tail -1)
echo "first build: $(echo "$(date +%s.%N) - $start" | bc) s"

# The median of N wall times of one command, in seconds (its exit status must be 0).
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    (cd "$work/sweep" && "$@" >/dev/null)
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

last=$(printf '%06d' $((samples - 1)))
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(dotnet --version)"
echo "median of $runs, whole process, seconds:"
echo "  status (baseline)                             $(median dotnet "$r2r" status recipe.yaml)"
echo "  why a CSV row (shard-0000.csv#100)            $(median dotnet "$r2r" why out/sweep/dataset/shard-0000.csv#100)"
echo "  why a sample's file (samples/$last/...)    $(median dotnet "$r2r" why "out/sweep/samples/$last/simulate/result.json")"
echo "  why the same, --json                          $(median dotnet "$r2r" why "out/sweep/samples/$last/simulate/result.json" --json)"
echo "  why the whole shard (10,000 samples upstream) $(median dotnet "$r2r" why out/sweep/dataset/shard-0000.csv)"
echo "  why --downstream the template (every node)    $(median dotnet "$r2r" why --downstream base/input.txt.sbn)"
echo "  export-provenance (whole build)               $(median dotnet "$r2r" export-provenance recipe.yaml -o "$work/prov.json")"
