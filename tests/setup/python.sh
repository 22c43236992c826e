#!/usr/bin/env bash
# Installs Debian's python3-numpy for the tests that open the dataset stages' files with numpy (as the gns package
# does). Skips quietly where numpy is already importable or apt is not available; those tests then skip themselves.
set -euo pipefail
for python in "${RECIPES_PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$python" ] && "$python" -c "import numpy" >/dev/null 2>&1; then
    echo "numpy present: $("$python" -c "import numpy, sys; print(sys.executable, numpy.__version__)")"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: the numpy tests will skip"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
/usr/bin/python3 -c "import numpy; print('numpy installed:', numpy.__version__)"
