#!/usr/bin/env bash
# Whole-process no-op times as a user sees them: `recipes --version`, `recipes status` and a no-op `recipes build` of
# a 1,000-sample sweep (render -> simulate with a shell command -> csv dataset; 2,001 nodes), for the tool as packaged
# (ReadyToRun) and as `dotnet run` builds it (JIT), beside Snakemake (Debian's 7.21, when installed) doing the same
# sweep with the same shell command: `snakemake -n` for status and a no-op `snakemake --cores 2`.
# Run from the repository root: bash tests/Recipes.Benchmarks/scripts/noop-cli.sh [RUNS]
set -euo pipefail
runs=${1:-9}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build "$root/tool" -c Release -v q -nologo >/dev/null
dotnet publish "$root/tool" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:RecipesBundleLibTorch=false \
  -o "$work/r2r" -v q -nologo >/dev/null
jit="$root/tool/bin/Release/net10.0/recipes.dll"
r2r="$work/r2r/recipes.dll"

mkdir -p "$work/sweep/base"
printf 'a={{ a }} b={{ b }}\n' > "$work/sweep/base/input.txt.sbn"
cat > "$work/sweep/recipe.yaml" <<'YAML'
recipe: sweep1k
seed: 3
base_case:
  dir: base/
parameters:
  sampler: random
  samples: 1000
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
mkdir -p "$work/snake"
cat > "$work/snake/Snakefile" <<'SNAKE'
import random
random.seed(3)
SAMPLES = [f"{i:06d}" for i in range(1000)]
PARAMS = {s: (random.random(), random.choice("xyz")) for s in SAMPLES}

rule all:
    input: "out/dataset.csv"

rule render:
    output: "work/{s}/input.txt"
    run:
        with open(output[0], "w") as f:
            f.write(f"a={PARAMS[wildcards.s][0]} b={PARAMS[wildcards.s][1]}\n")

rule simulate:
    input: "work/{s}/input.txt"
    output: "work/{s}/out.txt", "work/{s}/result.json"
    shell: "cat {input} > {output[0]} && echo '{{\"value\": 1}}' > {output[1]}"

rule dataset:
    input: expand("work/{s}/result.json", s=SAMPLES)
    output: "out/dataset.csv"
    shell: "cat {input} > {output}"
SNAKE

# The median of N wall times of one command, in seconds.
median() {
  local dir=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && "$@" >/dev/null 2>&1)
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

(cd "$work/sweep" && dotnet "$r2r" build recipe.yaml >/dev/null 2>&1)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); runs per row: $runs (median)"
printf '%-40s %8s\n' "command" "seconds"
baseline=$(median "$work/sweep" dotnet "$r2r" --version)
printf '%-40s %8.3f\n' "recipes --version (ReadyToRun)" "$baseline"
for flavour in r2r jit; do
  dll=$r2r; [ "$flavour" = jit ] && dll=$jit
  label=$([ "$flavour" = r2r ] && echo "ReadyToRun, as packaged" || echo "JIT, dotnet run")
  printf '%-40s %8.3f\n' "recipes status ($label)" "$(median "$work/sweep" dotnet "$dll" status recipe.yaml)"
  printf '%-40s %8.3f\n' "recipes build, no-op ($label)" "$(median "$work/sweep" dotnet "$dll" build recipe.yaml)"
done
if command -v snakemake >/dev/null; then
  (cd "$work/snake" && snakemake --cores 2 --quiet >/dev/null 2>&1)
  printf '%-40s %8.3f\n' "snakemake $(snakemake --version) -n" "$(median "$work/snake" snakemake -n --quiet)"
  printf '%-40s %8.3f\n' "snakemake --cores 2, no-op" "$(median "$work/snake" snakemake --cores 2 --quiet)"
else
  echo "snakemake not installed (apt-get install snakemake): no comparison"
fi
