#!/usr/bin/env bash
# heat2d steady states per second as a recipe build runs them: N samples of 64² (the heat-diffusion sampling) through
# the simulate stage alone, fresh cache, --jobs 2, for each scheme and preview scale, and a floor with trivial 8² solves.
# Prints the build's own time, steady states/s and the median node time from the action entries.
# Run from the repository root: bash tests/Recipes.Benchmarks/scripts/heat-recipe.sh [SAMPLES]
set -euo pipefail
samples=${1:-1000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build "$root/tool" -c Release -v q -nologo >/dev/null
recipes="$root/tool/bin/Release/net10.0/recipes.dll"
cat > "$work/recipe.yaml" <<YAML
recipe: heat-throughput
seed: 7
base_case:
  params: { size: 64 }
parameters:
  samples: $samples
  sampler: random
  space:
    sources: { int: [1, 5] }
stages:
  simulate:
    solver: heat2d
    radius: 0.05
    temperature: 1.0
    centre_range: [0.2, 0.8]
YAML

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-48s %8s %10s %12s\n' "build of $samples nodes" "seconds" "per second" "median node"
# run SLUG LABEL [--set ...]
run() {
  local name=$1 label=$2; shift 2
  (cd "$work" && dotnet "$recipes" build recipe.yaml --jobs 2 --cache "cache-$name" --out "out-$name" "$@" >"$name.log" 2>&1)
  local seconds
  seconds=$(grep -o 'cached in [0-9.]* s' "$work/$name.log" | awk '{print $3}')
  local median
  median=$(/usr/bin/python3 - "$work/cache-$name/ac" <<'PY'
import glob, json, statistics, sys
times = []
for path in glob.glob(sys.argv[1] + "/*/*"):
    try:
        entry = json.load(open(path))
    except (ValueError, OSError):
        continue
    if entry.get("stage") == "simulate":
        times.append(entry["seconds"])
print(f"{statistics.median(times) * 1000:.1f} ms")
PY
)
  printf '%-48s %8s %10.0f %12s\n' "$label" "$seconds" "$(echo "$samples / $seconds" | bc -l)" "$median"
}
run mg4 "multigrid, preview_scale 4 (defaults)"
run sor4 "sor, preview_scale 4" --set stages.simulate.scheme=sor
run mg1 "multigrid, preview_scale 1" --set stages.simulate.preview_scale=1
run sor1 "sor, preview_scale 1" --set stages.simulate.scheme=sor --set stages.simulate.preview_scale=1
run floor "floor: 8^2, preview_scale 1" --set stages.simulate.preview_scale=1 --set base_case.params.size=8 --set stages.simulate.radius=0.2
