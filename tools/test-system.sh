#!/usr/bin/env bash
# `make test-system`: the tests under tests/system/ against the real thing, not a stand-in:
# the Secret Service of GNOME Keyring (each test starts its own gnome-keyring-daemon, with its
# own keyring folder and test password, on a private D-Bus session bus from dbus-run-session)
# and a real X server (Xvfb). The developer's own session bus and keyring are never touched.
# Screenshots of the X server go to build/system-shots/ (or $TANDEM_SYSTEM_SHOTS).
#
# Debian packages it needs are listed in PACKAGES. Missing ones are installed with apt-get when
# run as root (CI, a fresh machine), and the output says so; otherwise it stops and names them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

PACKAGES=(
    dbus dbus-x11 gnome-keyring libsecret-tools                    # the Secret Service
    xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 # an X server, Qt's xcb
    libxkbcommon-x11-0 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-xfixes0
    libxcb-xkb1 libx11-xcb1                                        # (Qt's list for xcb)
)
# dbus-x11 is listed so that apt satisfies gnome-keyring's "a D-Bus session bus" with it rather
# than with dbus-user-session, which would pull systemd into a container.
COMMANDS=(dbus-run-session gnome-keyring-daemon secret-tool Xvfb)

say() { echo "test-system: $*"; }

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done
}

if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]})); then
        if [[ $(id -u) -eq 0 ]]; then
            say "installing the missing Debian packages with apt-get: ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
            say "installed: ${missing[*]}"
        else
            say "these Debian packages are needed and not installed: ${missing[*]}"
            say "install them (sudo apt-get install ${missing[*]}) or run as root, then try again."
            exit 1
        fi
    fi
else
    for c in "${COMMANDS[@]}"; do
        if ! command -v "$c" >/dev/null; then
            say "this needs D-Bus (dbus-run-session), GNOME Keyring (gnome-keyring-daemon),"
            say "libsecret's secret-tool and Xvfb; '$c' is not installed. Install them, then try again."
            exit 1
        fi
    done
fi

# The tests see a throwaway home; no DISPLAY or Wayland of the developer's (Xvfb is started by
# the test that needs one); a private session bus for the whole run.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/run" "$scratch/home"
# A session bus that starts no service by itself (no D-Bus activation): only the daemons the
# tests start own names on it, so a stopped keyring stays stopped.
cat >"$scratch/session.conf" <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
say "running tests/system/ on a private D-Bus session bus"
env -u DISPLAY -u WAYLAND_DISPLAY -u GNOME_KEYRING_CONTROL -u PYTHON_KEYRING_BACKEND \
    HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" TANDEM_SYSTEM_TESTS=1 \
    TANDEM_SYSTEM_SHOTS="${TANDEM_SYSTEM_SHOTS:-$PWD/build/system-shots}" \
    dbus-run-session --config-file="$scratch/session.conf" -- "$PY" -m pytest -q -m system tests/system "$@"
