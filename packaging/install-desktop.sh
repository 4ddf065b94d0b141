#!/usr/bin/env bash
# Installs IVR Studio's launcher entry, icons, the .ivrflow file type and AppStream metadata for the
# current user (under ~/.local/share), so the app appears in the launcher and .ivrflow files open in it.
# Usage: packaging/install-desktop.sh [PATH-TO-ivr-studio]   (default: the one on PATH or in .venv)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
appid=app.ivrstudio.IVRStudio
data="${XDG_DATA_HOME:-$HOME/.local/share}"

exe="${1:-}"
if [ -z "$exe" ]; then
  if [ -x "$repo/.venv/bin/ivr-studio" ]; then exe="$repo/.venv/bin/ivr-studio"
  else exe="$(command -v ivr-studio || true)"; fi
fi
if [ -z "$exe" ] || [ ! -x "$exe" ]; then
  echo "ivr-studio is not installed; run 'make setup' first or pass its path" >&2
  exit 1
fi

mkdir -p "$data/applications" "$data/mime/packages" "$data/metainfo"
sed "s|^Exec=ivr-studio|Exec=\"$exe\"|" "$here/linux/$appid.desktop" > "$data/applications/$appid.desktop"
cp "$here/linux/$appid.xml" "$data/mime/packages/$appid.xml"
cp "$here/linux/$appid.metainfo.xml" "$data/metainfo/$appid.metainfo.xml"
for dir in "$repo"/resources/icons/hicolor/*/; do
  size="$(basename "$dir")"
  mkdir -p "$data/icons/hicolor/$size/apps" "$data/icons/hicolor/$size/mimetypes"
  cp "$dir/ivr-studio.png" "$data/icons/hicolor/$size/apps/$appid.png"
  cp "$dir/ivrflow-document.png" "$data/icons/hicolor/$size/mimetypes/application-x-ivrflow.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps" "$data/icons/hicolor/scalable/mimetypes"
cp "$repo/resources/icons/ivr-studio.svg" "$data/icons/hicolor/scalable/apps/$appid.svg"
cp "$repo/resources/icons/ivrflow-document.svg" "$data/icons/hicolor/scalable/mimetypes/application-x-ivrflow.svg"

command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Installed IVR Studio for $(id -un): launcher entry, icons and the .ivrflow file type ($data)"
