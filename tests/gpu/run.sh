#!/usr/bin/env bash
# The prepared GPU check: on a machine with an NVIDIA GPU, builds the tool and the benchmark harness, runs each ILGPU
# solver's CUDA path against its CPU path on a small problem (largest difference against the tests' tolerances) and
# times heat2d (64² and 256² batches), sph (2D dam break, 32,768-particle cube) and smoke2d (256²) on both, printing
# one Markdown table (also written to $OUT/gpu-check.md when OUT is set). Not part of .ci/run: CI has no GPU.
# Without a CUDA device it still runs and prints the CPU column. Pass --quick for smaller sizes (a dry run).
# Exit status: 0 when CPU and CUDA agree (or no device), 1 when a difference exceeds its tolerance.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi not found: the CUDA column will read 'no device'"
fi
start=$(date +%s)
dotnet build tool/Recipes.csproj -c Release -nologo -v q
dotnet build tests/Recipes.Benchmarks/Recipes.Benchmarks.csproj -c Release -nologo -v q
status=0
dotnet run -c Release --no-build --project tests/Recipes.Benchmarks -- gpu-check "$@" || status=$?
echo "gpu check: $(( $(date +%s) - start )) s in all"
exit "$status"
