#!/usr/bin/env bash
# Build Guichet for Linux: the PyInstaller bundle (dist/guichet/), its Debian package (dist/guichet_VERSION_ARCH.deb),
# then start both with installer/smoke_test.sh (offscreen: no screen needed).
#
#   installer/build_linux.sh              bundle + .deb + smoke test
#   installer/build_linux.sh --no-deb     bundle + smoke test
#   installer/build_linux.sh --no-smoke   no smoke test
#
# Uses the project's venv (.venv, or $VENV, made as ./dev makes it) and installs there the pinned build tools of
# installer/requirements-build.txt: the bundle holds exactly the versions the tests ran with. Build on the oldest
# Debian the sites run (here Debian 12): the bundle needs a glibc at least as recent as the build machine's.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
DIST=${DIST:-dist}
WORK=${WORK:-build/pyinstaller}
deb=1
smoke=1
for arg in "$@"; do
  case "$arg" in
    --no-deb) deb=0 ;;
    --no-smoke) smoke=0 ;;
    *) echo "option inconnue : $arg" >&2; exit 2 ;;
  esac
done

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import guichet, PySide6" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e .
fi
"$VENV/bin/python" -m pip install -q -r installer/requirements-build.txt

version=$("$VENV/bin/python" -c "import sys; sys.path.insert(0, 'installer'); import bundle; print(bundle.version())")
echo "== Guichet $version : construction du bundle (PyInstaller) =="
start=$(date +%s.%N)
rm -rf "$DIST/guichet"
"$VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$WORK" installer/guichet.spec
built=$(date +%s.%N)
size=$(du -sm "$DIST/guichet" | cut -f1)
files=$(find "$DIST/guichet" -type f | wc -l)
printf 'Bundle : %s (%s Mo, %s fichiers) construit en %.0f s\n' "$DIST/guichet" "$size" "$files" "$(awk "BEGIN { print $built - $start }")"

package=""
if [ "$deb" = 1 ]; then
  package=$(installer/linux/build_deb.sh "$DIST/guichet" "$DIST" "$version")
  done_at=$(date +%s.%N)
  printf 'Paquet : %s (%s Mo) fait en %.0f s\n' "$package" "$(du -m "$package" | cut -f1)" "$(awk "BEGIN { print $done_at - $built }")"
fi

if [ "$smoke" = 1 ]; then
  installer/smoke_test.sh "$DIST/guichet"
  if [ -n "$package" ]; then
    installer/smoke_test.sh "$package"
  fi
fi
