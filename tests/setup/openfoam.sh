#!/usr/bin/env bash
# Installs Debian's OpenFOAM (openfoam, openfoam-examples: interFoam and the damBreak tutorial) for the external
# simulator tests. Skips quickly where present or where apt is unavailable; the tests then say why they skip.
set -euo pipefail
if [ -d /usr/share/doc/openfoam-examples/examples/multiphase/interFoam/laminar/damBreak ] && command -v interFoam >/dev/null 2>&1; then
  echo "OpenFOAM present"
  exit 0
fi
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the OpenFOAM tests will skip"
  exit 0
fi
apt_install openfoam openfoam-examples
echo "OpenFOAM installed: $(ls -d /usr/share/doc/openfoam-examples/examples/multiphase/interFoam/laminar/damBreak 2>/dev/null || echo 'damBreak not found')"
