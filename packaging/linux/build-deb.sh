#!/usr/bin/env bash
# Build tandem_<version>_<arch>.deb from the PyInstaller one-folder bundle, with dpkg-deb.
#
#   packaging/linux/build-deb.sh [BUNDLE_DIR] [OUT_DIR]
#       BUNDLE_DIR  the one-folder build (default: dist/tandem)
#       OUT_DIR     where the .deb goes (default: dist)
#   Environment: TANDEM_DEB_COMPRESSION (xz | zstd | gzip | none; default xz, readable by
#   every dpkg), TANDEM_VERSION (default: VERSION in main.py).
#
# Layout of the package:
#   /opt/tandem/                                  the bundle (tandem + _internal/)
#   /usr/bin/tandem                               launcher: exec /opt/tandem/tandem "$@"
#   /usr/share/applications/org.tandemsync.Tandem.desktop
#   /usr/share/metainfo/org.tandemsync.Tandem.metainfo.xml
#   /usr/share/icons/hicolor/<N>x<N>/apps/org.tandemsync.Tandem.png, scalable/apps/....svg
# The icon cache and desktop database are refreshed by the file triggers of
# hicolor-icon-theme and desktop-file-utils, so the package needs no maintainer scripts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="${1:-$ROOT/dist/tandem}"
OUT="${2:-$ROOT/dist}"
APP_ID="org.tandemsync.Tandem"
COMPRESSION="${TANDEM_DEB_COMPRESSION:-xz}"

die() { echo "build-deb: $*" >&2; exit 1; }

command -v dpkg-deb >/dev/null || die "dpkg-deb is not installed (Debian/Ubuntu: apt-get install dpkg)."
[ -x "$BUNDLE/tandem" ] || die "no bundle at $BUNDLE (run 'make package' or pyinstaller packaging/tandem.spec first)."

VERSION="${TANDEM_VERSION:-$(sed -n 's/^VERSION = "\(.*\)"$/\1/p' "$ROOT/main.py")}"
[ -n "$VERSION" ] || die "could not read VERSION from main.py."
ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
DATE="$(date -u +%Y-%m-%d)"

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/tandem-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/tandem"

install -d "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
    "$PKG/usr/share/metainfo" "$PKG/usr/share/icons/hicolor/scalable/apps" \
    "$PKG/usr/share/doc/tandem"
cp -a "$BUNDLE" "$PKG/opt/tandem"
# Only root may change what runs as the user's sync agent.
chmod -R u+rwX,go+rX,go-w "$PKG/opt/tandem"

cat > "$PKG/usr/bin/tandem" <<'LAUNCHER'
#!/bin/sh
# Tandem's launcher; the program lives in /opt/tandem.
exec /opt/tandem/tandem "$@"
LAUNCHER
chmod 0755 "$PKG/usr/bin/tandem"

install -m 0644 "$HERE/tandem.desktop" "$PKG/usr/share/applications/$APP_ID.desktop"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$DATE/" "$HERE/$APP_ID.metainfo.xml" \
    > "$PKG/usr/share/metainfo/$APP_ID.metainfo.xml"
chmod 0644 "$PKG/usr/share/metainfo/$APP_ID.metainfo.xml"
for size in 16 22 24 32 48 64 128 256 512; do
    install -d "$PKG/usr/share/icons/hicolor/${size}x${size}/apps"
    install -m 0644 "$ROOT/resources/icons/png/app-$size.png" \
        "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -m 0644 "$ROOT/resources/icons/tandem.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"

cat > "$PKG/usr/share/doc/tandem/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Tandem
Comment: Tandem bundles Python, Qt 6 (LGPLv3) through PyQt6 (GPLv3 or commercial), and the
 Python libraries listed in /opt/tandem/_internal/*.dist-info.
COPYRIGHT

SIZE_KB="$(du -sk "$PKG" --exclude=DEBIAN | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: tandem
Version: $VERSION
Architecture: $ARCH
Maintainer: The Tandem developers <tandem@localhost>
Installed-Size: $SIZE_KB
Section: utils
Priority: optional
Depends: libc6 (>= 2.31), libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0
Recommends: gnome-keyring | kwalletmanager | keepassxc
Description: Keep Outlook and Salesforce in step
 Tandem syncs contacts, calendar events and tasks between Microsoft Outlook
 (Microsoft Graph) and Salesforce. Every manual sync shows a preview first.
 Sign-ins are kept in the system keyring (Secret Service or KWallet).
CONTROL

mkdir -p "$OUT"
DEB="$OUT/tandem_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESSION" --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
