#!/usr/bin/env bash
# Installs Debian's chromium for the report tests, which open `recipes report`'s HTML in a real headless browser
# (no console errors, a screenshot that is not blank). Skips quietly where chromium is present or apt is not available.
set -euo pipefail
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    echo "chromium present: $("$candidate" --version 2>/dev/null || echo "$candidate")"
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: the report's browser tests will skip"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
