#!/usr/bin/env bash
# Installs Debian's OpenFOAM (openfoam, openfoam-examples: interFoam and the damBreak tutorial) for the external
# simulator tests. Skips where present or where apt is unavailable; the tests then say why they skip.
set -euo pipefail
if [ -d /usr/share/doc/openfoam-examples/examples/multiphase/interFoam/laminar/damBreak ] && command -v interFoam >/dev/null 2>&1; then
  echo "OpenFOAM present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: the OpenFOAM tests will skip"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends openfoam openfoam-examples >/dev/null
echo "OpenFOAM installed: $(ls -d /usr/share/doc/openfoam-examples/examples/multiphase/interFoam/laminar/damBreak 2>/dev/null || echo 'damBreak not found')"
