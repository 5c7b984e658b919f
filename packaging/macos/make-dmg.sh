#!/usr/bin/env bash
# Make dist/Tandem-<version>.dmg from dist/Tandem.app (built by packaging/tandem.spec), on macOS.
#
#   packaging/macos/make-dmg.sh [APP] [OUT_DIR]
#       APP      the .app bundle (default: dist/Tandem.app)
#       OUT_DIR  where the .dmg goes (default: dist)
#   Environment:
#       TANDEM_CODESIGN_IDENTITY  "Developer ID Application: ..." to sign the app and the dmg
#                                 (unset: ad-hoc signature, fine for local testing only)
#       TANDEM_NOTARY_PROFILE     a `xcrun notarytool store-credentials` profile: notarize and
#                                 staple the dmg (needs a signing identity)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
APP="${1:-$ROOT/dist/Tandem.app}"
OUT="${2:-$ROOT/dist}"

die() { echo "make-dmg: $*" >&2; exit 1; }

[ "$(uname -s)" = "Darwin" ] || die "hdiutil exists on macOS only; run this on a Mac."
[ -d "$APP/Contents/MacOS" ] || die "no app at $APP (run pyinstaller packaging/tandem.spec first)."
VERSION="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$APP/Contents/Info.plist")"

IDENTITY="${TANDEM_CODESIGN_IDENTITY:--}"
codesign --force --deep --options runtime --timestamp=none --sign "$IDENTITY" "$APP" \
    || die "codesign failed for $APP."
codesign --verify --deep --strict "$APP" || die "the signature of $APP does not verify."

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/tandem-dmg.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/Tandem.app"
ln -s /Applications "$STAGE/Applications"     # drag Tandem onto Applications

mkdir -p "$OUT"
DMG="$OUT/Tandem-$VERSION.dmg"
rm -f "$DMG"
hdiutil create -volname "Tandem $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO \
    -imagekey zlib-level=9 -ov "$DMG" >/dev/null
hdiutil verify "$DMG" >/dev/null || die "hdiutil could not verify $DMG."

if [ "$IDENTITY" != "-" ]; then
    codesign --sign "$IDENTITY" --timestamp "$DMG"
    if [ -n "${TANDEM_NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$TANDEM_NOTARY_PROFILE" --wait
        xcrun stapler staple "$DMG"
    fi
fi
echo "$DMG"
