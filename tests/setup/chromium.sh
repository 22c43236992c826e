#!/usr/bin/env bash
# Installs Debian's chromium for the report tests, which open `recipes report`'s HTML in a real headless browser
# (no console errors, a screenshot that is not blank). Skips quickly where chromium is present or apt is not available.
set -euo pipefail
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    echo "chromium present"
    exit 0
  fi
done
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the report's browser tests will skip"
  exit 0
fi
apt_install chromium fonts-dejavu-core
chromium --version
