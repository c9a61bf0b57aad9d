# Shared setup for scripts/run and scripts/test. Safe to run again: every step checks first.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '\033[1;31m▍\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages given that are not installed yet.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

BUILD_PACKAGES=(build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev)
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus-x11 dbus gnome-keyring libsecret-tools
  imagemagick x11-apps git bat)

# npm dependencies and the built UI (ui/dist).
build_ui() {
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  cd "$REPO/ui"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing UI dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  log "building the UI"
  npm run --silent build
  cd "$REPO"
}

build_app() {
  log "building Redline (debug)"
  cargo build -p redline --locked
}
