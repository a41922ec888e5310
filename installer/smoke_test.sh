#!/usr/bin/env bash
# Start a built Guichet the way a site would, without a screen (Qt "offscreen"), in a throwaway home:
#
#   installer/smoke_test.sh dist/guichet                       the bundle folder
#   installer/smoke_test.sh dist/guichet_0.1.0_amd64.deb       the package: unpacked (not installed), checked, started
#
# Each step is timed; the first failure stops the test (exit 1) with the program's output.
set -euo pipefail
target=${1:?bundle (dossier) ou paquet .deb}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

fail() { echo "ÉCHEC : $*" >&2; exit 1; }

if [ -d "$target" ]; then
  app="$(cd "$target" && pwd)/guichet"
else
  echo "== Paquet $(basename "$target") =="
  dpkg-deb --info "$target" >/dev/null || fail "paquet illisible"
  dpkg-deb -x "$target" "$scratch/root"
  for entry in desk kiosk display setup; do
    desktop="$scratch/root/usr/share/applications/fr.sitiv.guichet.$entry.desktop"
    [ -f "$desktop" ] || fail "menu absent : $desktop"
    if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "$desktop"; fi
    icon=$(sed -n 's/^Icon=//p' "$desktop")
    [ -f "$scratch/root/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "icône absente : $icon"
  done
  [ "$(readlink "$scratch/root/usr/bin/guichet")" = "../../opt/guichet/guichet" ] || fail "lien /usr/bin/guichet"
  app="$scratch/root/opt/guichet/guichet"
fi
[ -x "$app" ] || fail "programme introuvable : $app"

export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share"
export XDG_STATE_HOME="$scratch/home/.local/state" XDG_CACHE_HOME="$scratch/home/.cache"
export QT_QPA_PLATFORM=offscreen PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring LANG=C.UTF-8
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$HOME"
db="$scratch/site.sqlite3"

# step NAME EXPECTED COMMAND...: run, check that the output holds EXPECTED, print the time it took.
step() {
  local name=$1 expected=$2
  shift 2
  local start end out
  start=$(date +%s%N)
  if ! out=$(timeout 120 "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "$name"
  fi
  end=$(date +%s%N)
  if ! grep -q -- "$expected" <<<"$out"; then
    printf '%s\n' "$out" >&2
    fail "$name : « $expected » attendu"
  fi
  if grep -q -E "Traceback|introuvables" <<<"$out"; then
    printf '%s\n' "$out" >&2
    fail "$name : erreur dans la sortie"
  fi
  printf '  %-48s %6d ms\n' "$name" $(((end - start) / 1000000))
}

echo "== Démarrage de $app =="
step "version" "Guichet " "$app" --version
step "schéma de la base (migrations Alembic)" "schéma mis à jour" "$app" --db "$db" db upgrade
step "base de démonstration" "Base de démonstration créée" "$app" --db "$db" demo --no-gui
step "poste d'accueil (desk --startup-probe)" "^READY" "$app" --db "$db" desk --startup-probe
step "borne (kiosk)" "^READY" "$app" --db "$db" kiosk --site HDV --windowed --startup-probe
step "écran d'appel (display)" "^READY" "$app" --db "$db" display --site HDV --windowed --startup-probe
step "assistant de configuration (setup)" "^READY" "$app" setup --startup-probe
step "diagnostic" "Traductions de Qt : présentes" "$app" --db "$db" diagnostic

# The printer's test page through the network emulator: python-escpos, its data and Pillow are in the bundle.
"$app" printer-emulator --port 0 --out "$scratch/jobs" >"$scratch/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do grep -q "Imprimante simulée" "$scratch/emulator.log" && break; sleep 0.1; done
port=$(sed -n 's/.*Imprimante simulée sur 127.0.0.1:\([0-9]*\).*/\1/p' "$scratch/emulator.log")
[ -n "$port" ] || fail "imprimante simulée : $(cat "$scratch/emulator.log")"
printf '[printer]\nbackend = "network"\nhost = "127.0.0.1"\nport = %s\n' "$port" >"$scratch/printer.toml"
step "page de test de l'imprimante" "Page de test envoyée" "$app" --config "$scratch/printer.toml" printer test
kill "$emulator_pid" && wait "$emulator_pid" 2>/dev/null || true
emulator_pid=""
ls "$scratch/jobs"/*.bin >/dev/null 2>&1 || fail "l'imprimante simulée n'a rien reçu"
echo "Démarrages réussis."
