#!/usr/bin/env bash
# Installs Debian's Slurm (slurmctld, slurmd, the client commands) and munge for the cluster-executor tests, which
# generate a one-node configuration bound to localhost and start and stop the daemons themselves.
set -euo pipefail
if command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 && command -v munged >/dev/null 2>&1; then
  echo "Slurm present: $(slurmctld -V)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get: the Slurm tests will skip"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
# The packages may try to start their services; the tests run their own daemons.
$sudo service slurmctld stop >/dev/null 2>&1 || true
$sudo service slurmd stop >/dev/null 2>&1 || true
echo "Slurm installed: $(slurmctld -V)"
