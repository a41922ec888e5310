#!/usr/bin/env bash
# Compile installer/windows/guichet.nsi with makensis (Debian package "nsis") against a placeholder payload: this
# Linux machine cannot build the Windows bundle, but the script, its pages, shortcuts, icons and uninstaller are
# checked here. Prints the path of the installer made (it installs placeholder files, nothing that runs).
#
#   installer/windows/build_placeholder.sh [OUT_DIR]        (default: build/windows-placeholder)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/windows-placeholder}
python=${PYTHON:-.venv/bin/python}
command -v makensis >/dev/null || { echo "makensis introuvable : apt-get install nsis" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
payload="$out/payload/guichet"
mkdir -p "$payload/_internal/icons"
"$python" installer/make_icons.py "$out/icons" >/dev/null
cp "$out"/icons/ico/*.ico "$payload/_internal/icons/"
for exe in guichet.exe guichetw.exe; do
  printf 'Guichet : fichier de remplacement (paquet de test)\n' >"$payload/$exe"
done
printf 'remplacement\n' >"$payload/_internal/base_library.zip"
version=$("$python" -c "import sys; sys.path.insert(0, 'installer'); import bundle; print(bundle.version())")
makensis -V2 -WX -INPUTCHARSET UTF8 -DVERSION="$version" -DPAYLOAD="$payload" -DOUTDIR="$out" \
  installer/windows/guichet.nsi >&2
echo "$out/Guichet-$version-installation.exe"
