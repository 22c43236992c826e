#!/usr/bin/env bash
# Installs Debian's python3-numpy, python3-torch and python3-h5py for the tests that open the dataset stages' files with
# numpy (as the gns package does) and h5py (as LagrangeBench does) and that train the PyTorch example
# (recipes/heat-diffusion/pytorch.yaml). Skips quickly where
# all three import already or apt is not available; those tests then skip themselves and say why.
set -euo pipefail
for python in "${RECIPES_PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$python" ] && "$python" -c "import numpy, torch, h5py" >/dev/null 2>&1; then
    echo "numpy, torch and h5py present"
    exit 0
  fi
done
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the numpy, h5py and PyTorch tests will skip"
  exit 0
fi
apt_install python3-numpy python3-torch python3-h5py
/usr/bin/python3 -c "import numpy, torch, h5py; print('numpy', numpy.__version__, 'torch', torch.__version__, 'h5py', h5py.__version__, 'installed')"
