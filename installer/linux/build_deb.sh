#!/usr/bin/env bash
# The Debian package of a built bundle: /opt/guichet (the bundle), /usr/bin/guichet, the menu entries of the desk,
# the kiosk, the call screen and the setup assistant, their icons. Prints the path of the .deb made.
#
#   installer/linux/build_deb.sh BUNDLE_DIR OUT_DIR VERSION
#
# Compressed with zstd: 5 s and 112 MB here, where xz took 110 s for 93 MB (dpkg reads zstd since Debian 12, which
# the bundle needs anyway for its glibc).
#
# Removing the package leaves every user's data (~/.local/share/guichet, ~/.config/guichet, the logs): dpkg only
# removes the files it installed.
set -euo pipefail
bundle=${1:?dossier du bundle (dist/guichet)}
out=${2:?dossier de sortie}
version=${3:?version}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
arch=$(dpkg --print-architecture)
maintainer=${MAINTAINER:-"SITIV <guichet@localhost>"}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/icons/hicolor/256x256/apps" \
  "$stage/usr/share/doc/guichet"
cp -a "$bundle" "$stage/opt/guichet"
ln -s ../../opt/guichet/guichet "$stage/usr/bin/guichet"
install -m 644 "$here"/*.desktop "$stage/usr/share/applications/"
install -m 644 "$root"/resources/icons/app/*.svg "$stage/usr/share/icons/hicolor/scalable/apps/"
if [ -d "$bundle/_internal/icons" ]; then
  install -m 644 "$bundle"/_internal/icons/*.png "$stage/usr/share/icons/hicolor/256x256/apps/"
fi
cat > "$stage/usr/share/doc/guichet/copyright" <<COPYRIGHT
Guichet — accueil unique des mairies (SITIV).
Licence : EUPL-1.2. Police DejaVu : voir /opt/guichet/_internal/resources/fonts/LICENSE-DejaVu.txt.
Qt et PySide6 : LGPL-3.0 ; bibliothèques Python : leurs licences respectives.
COPYRIGHT
find "$stage" -type d -exec chmod 755 {} +

installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: guichet
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: libc6 (>= 2.36), libgl1, libegl1, libdrm2, libxcb1, libfontconfig1
Recommends: speech-dispatcher, speech-dispatcher-espeak-ng
Suggests: cups
Section: misc
Priority: optional
Homepage: https://www.sitiv.fr/
Description: accueil unique des mairies : poste d'accueil, borne, écran d'appel
 Guichet enregistre chaque contact des usagers (accueil, téléphone, courrier,
 courriel, SMS, web), gère la file d'attente (borne de tickets, écran d'appel)
 et le suivi des demandes, sur une base SQLite locale synchronisée avec le
 serveur central du SITIV.
 .
 Les données des utilisateurs (base, réglages, journaux) restent dans leur
 dossier personnel quand le paquet est retiré.
CONTROL

mkdir -p "$out"
target="$out/guichet_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zzstd -z9 --build "$stage" "$target" >/dev/null
echo "$target"
