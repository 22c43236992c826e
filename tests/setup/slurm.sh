#!/usr/bin/env bash
# Installs Debian's Slurm (slurmctld, slurmd, the client commands) and munge for the cluster-executor tests, which
# generate a one-node configuration bound to localhost and start and stop the daemons themselves. Skips quickly where
# they are present.
set -euo pipefail
if command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; then
  echo "Slurm present"
  exit 0
fi
. "$(dirname "$0")/apt.bash"
if ! apt_available; then
  echo "no apt-get: the Slurm tests will skip"
  exit 0
fi
apt_install slurmctld slurmd slurm-client munge
# The packages may try to start their services; the tests run their own daemons.
$apt_sudo service slurmctld stop >/dev/null 2>&1 || true
$apt_sudo service slurmd stop >/dev/null 2>&1 || true
echo "Slurm installed: $(slurmctld -V)"
