#!/usr/bin/env bash
# Installs what headsplat needs on a fresh Debian 12 + Node 20 machine, idempotently:
#   - pnpm (through npm; corepack's download fails on these machines)
#   - a CPU Vulkan driver for WebGPU in Node (Mesa lavapipe from bookworm-backports)
#   - optionally Debian's chromium (for browser tests and the SwiftShader driver): HEADSPLAT_WITH_CHROMIUM=1
# It never writes a mirror host: the backports suite reuses the URI already configured
# in /etc/apt/sources.list.d/debian.sources.
set -euo pipefail

log() { printf '[headsplat setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
  else return 126; fi
}

# --- pnpm ---------------------------------------------------------------
PNPM_VERSION=9.15.9
if ! command -v pnpm >/dev/null 2>&1; then
  log "installing pnpm@${PNPM_VERSION} with npm"
  if ! npm install -g "pnpm@${PNPM_VERSION}" >/dev/null 2>&1; then
    # not root: install into a user prefix
    mkdir -p "$HOME/.local"
    npm install -g --prefix "$HOME/.local" "pnpm@${PNPM_VERSION}" >/dev/null
    export PATH="$HOME/.local/bin:$PATH"
  fi
fi

# --- Vulkan CPU driver --------------------------------------------------
LVP_ICD=/usr/share/vulkan/icd.d/lvp_icd.json
need_apt=()
lvp_ok=0
if [ -f "$LVP_ICD" ] && ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  # bookworm's own Mesa 22.3 lavapipe is rejected by Dawn: require 23+
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
  major=${v%%.*}; major=${major##*:}
  if [ "${major:-0}" -ge 23 ] 2>/dev/null; then lvp_ok=1; fi
fi
if [ "$lvp_ok" = 0 ]; then need_apt+=(lavapipe); fi
if [ "${HEADSPLAT_WITH_CHROMIUM:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi

if [ ${#need_apt[@]} -gt 0 ]; then
  if ! as_root true 2>/dev/null; then
    log "missing: ${need_apt[*]}. Run as root (or with sudo) once, or install by hand:"
    log "  add the bookworm-backports suite to /etc/apt/sources.list.d/debian.sources, then"
    log "  apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1   (and 'chromium' for browser tests)"
    exit 1
  fi
  src=/etc/apt/sources.list.d/debian.sources
  bp=/etc/apt/sources.list.d/headsplat-backports.sources
  if [[ " ${need_apt[*]} " == *" lavapipe "* ]] && [ ! -f "$bp" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(awk '/^URIs:/ && !/security/ {print $2; exit}' "$src")
    if [ -z "$uri" ]; then log "cannot find the Debian URI in $src"; exit 1; fi
    log "adding the bookworm-backports suite (same URI as $src)"
    as_root tee "$bp" >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  as_root apt-get update -qq >/dev/null
  if [[ " ${need_apt[*]} " == *" lavapipe "* ]]; then
    log "installing mesa-vulkan-drivers (lavapipe) and libvulkan1 from bookworm-backports"
    as_root apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  fi
  if [[ " ${need_apt[*]} " == *" chromium "* ]]; then
    log "installing chromium"
    as_root apt-get install -y -qq chromium >/dev/null
  fi
fi
log "environment ready"
