#!/usr/bin/env bash
# Installs Debian's python3-numpy, python3-torch, python3-h5py and python3-prov for the tests that open the dataset
# stages' files with numpy (as the gns package does) and h5py (as LagrangeBench does), that train the PyTorch example
# (recipes/heat-diffusion/pytorch.yaml) and that read `recipes export-provenance` with an independent PROV reader.
# Skips quickly where all four import already or apt is not available; those tests then skip themselves and say why.
set -euo pipefail
for python in "${RECIPES_PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$python" ] && "$python" -c "import numpy, torch, h5py, prov" >/dev/null 2>&1; then
    echo "numpy, torch, h5py and prov present"
    exit 0
  fi
done
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the numpy, h5py, PyTorch and PROV tests will skip"
  exit 0
fi
apt_install python3-numpy python3-torch python3-h5py python3-prov
/usr/bin/python3 -c "import numpy, torch, h5py, prov; print('numpy', numpy.__version__, 'torch', torch.__version__, 'h5py', h5py.__version__, 'prov', prov.__version__, 'installed')"
