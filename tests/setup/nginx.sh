#!/usr/bin/env bash
# Installs Debian's nginx (with the WebDAV module) for the remote-cache tests, which start their own instance on
# 127.0.0.1 with a config they write. Skips quickly where nginx is present or apt is not available.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  echo "nginx present"
  exit 0
fi
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the remote-cache tests will skip"
  exit 0
fi
# nginx-core carries the WebDAV module; the package's service is not needed and is stopped if it started.
apt_install nginx-core
$apt_sudo service nginx stop >/dev/null 2>&1 || true
/usr/sbin/nginx -V 2>&1 | grep -q http_dav_module && echo "nginx installed with WebDAV"
