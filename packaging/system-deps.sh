#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages IVR Studio needs, when it can (root or password-less sudo);
# otherwise prints the exact apt line and stops.  Safe to run again: it installs only what is missing.
#   packaging/system-deps.sh        what the app needs
#   packaging/system-deps.sh test   plus what the test suite needs (recordings, desktop-file checkers)
#   packaging/system-deps.sh bench  plus what the benchmarks need (make bench)
set -euo pipefail

PACKAGES=(
  # Qt (PySide6 wheels) on X11, Wayland or offscreen
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 fonts-dejavu-core
  # audio devices (sounddevice needs PortAudio)
  libportaudio2
  # python venv support on Debian/Ubuntu
  python3-venv
  # Graphviz's dot lays flows out (Flow > Auto layout); without it the built-in layout is used
  graphviz
)
if [ "${1:-}" = "test" ]; then
  PACKAGES+=(
    # real human recordings used by the speech tests
    pocketsphinx-testdata
    # checkers for the desktop entry and AppStream metadata
    desktop-file-utils appstream
    # ALSA's configuration, for the tests that play through a null ALSA device
    libasound2-data
  )
fi
if [ "${1:-}" = "bench" ]; then
  PACKAGES+=(
    # the HTTP load generator benchmarks/handler_load.py drives gunicorn with
    wrk
  )
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "IVR Studio needs these system packages. Please run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
