#!/usr/bin/env bash
# Pushforward against plain training on recipes/dam-break/ci.yaml, three seeds (docs/dam-break.md, "Pushforward
# training"). A training node's seed derives from its settings: validate_every 1000/1001/1002 moves only when it
# validates, so it stands in for three seeds. Prints rollout MSE and LagrangeBench's MSE20 per run.
#   bash tests/Recipes.Benchmarks/scripts/pushforward.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
cp -r "$repo/recipes/dam-break/." "$work/"
dotnet build "$repo/tool" -c Release -nologo -clp:ErrorsOnly >/dev/null
recipes="$repo/tool/bin/Release/net10.0/recipes"
cd "$work"
for v in 1000 1001 1002; do
  for pf in off on; do
    extra=()
    if [ "$pf" = on ]; then
      extra=(--set "stages.train.pushforward_steps=[0, 500, 1000]" --set "stages.train.pushforward_unrolls=[0, 1, 2]" --set "stages.train.pushforward_probs=[18, 2, 1]")
    fi
    "$recipes" build ci.yaml --cache cache --out "out-$v-$pf" --set "stages.train.validate_every=$v" "${extra[@]}" > "log-$v-$pf.txt" 2>&1
    python3 -c "
import json, sys
m = json.load(open('out-$v-$pf/dam-break-ci/evaluate/metrics.json'))
print('$v', '$pf', 'rollout', m['rollout_mse'], 'mse20', m['model']['lagrangebench']['mse20'], 'best baseline', m['baselines'][m['best_baseline']]['rollout_mse'])"
  done
done
echo "runs kept in $work"
