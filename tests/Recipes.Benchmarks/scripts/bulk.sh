#!/usr/bin/env bash
# The bulk-generation benchmark (docs/BENCHMARKS.md, "Bulk generation"): nodes per second of N in-process nodes that
# write 1, 3 and 10 files of 64 B and one of 1 MB, beside the raw floor, then system calls and fsyncs per node from
# strace -f -c (one run each of the engine and of the floor).
#   bash tests/Recipes.Benchmarks/scripts/bulk.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-2000}
dotnet build tests/Recipes.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=tests/Recipes.Benchmarks/bin/Release/net10.0/Recipes.Benchmarks
for shape in "1 64" "3 64" "10 64" "1 1048576"; do
  set -- $shape
  count=$n
  [ "$2" -gt 65536 ] && count=$(( n / 4 ))
  "$bench" bulk "$count" "$1" "$2" 3
done
if command -v strace >/dev/null; then
  for part in engine-only floor-only; do
    log=$(mktemp)
    strace -f -c -o "$log" "$bench" bulk "$n" 1 64 1 "--$part" >/dev/null
    total=$(awk '$NF == "total" { print $4 }' "$log")
    syncs=$(awk '$NF ~ /^(fsync|fdatasync|sync_file_range|syncfs)$/ { s += $4 } END { print s + 0 }' "$log")
    echo "$part under strace: $total system calls ($(( total / n )) per node), $syncs fsyncs ($(awk -v s="$syncs" -v n="$n" 'BEGIN { printf "%.2f", s / n }') per node)"
    sort -k4 -n -r "$log" | awk 'NF >= 5 && $NF != "total" && $NF != "syscall" { print "  " $NF, $4 }' | head -12
    rm -f "$log"
  done
else
  echo "strace not found: no system-call counts"
fi
