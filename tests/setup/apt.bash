# Sourced by the set-up steps (not a step itself: tests/run.sh runs *.sh only). apt_install installs Debian packages
# quietly, refreshing the package lists at most once per test run (the first step that needs a package pays for it,
# the others reuse the lists), and says so where apt is not available.
apt_sudo=""
if [ "$(id -u)" -ne 0 ]; then apt_sudo="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive

# Succeeds when apt-get can be used here.
apt_available() {
  command -v apt-get >/dev/null 2>&1
}

# apt_install PACKAGE... — the packages that are not installed yet, with one `apt-get update` per run at most.
apt_install() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local stamp="${RECIPES_APT_STAMP:-/tmp/recipes-apt-updated}"
  if [ ! -e "$stamp" ]; then
    $apt_sudo apt-get update -qq && touch "$stamp"
  fi
  $apt_sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
