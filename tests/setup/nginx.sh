#!/usr/bin/env bash
# Installs Debian's nginx (with the WebDAV module) for the remote-cache tests, which start their own instance on
# 127.0.0.1 with a config they write. Skips quietly where nginx is present or apt is not available.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "nginx present: $(/usr/sbin/nginx -v 2>&1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: the remote-cache tests will skip"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# nginx-core carries the WebDAV module; the package's service is not needed and is stopped if it started.
$sudo apt-get install -y -qq --no-install-recommends nginx-core >/dev/null
$sudo service nginx stop >/dev/null 2>&1 || true
/usr/sbin/nginx -V 2>&1 | grep -q http_dav_module && echo "nginx installed with WebDAV"
