#!/bin/sh
# Removes the AppArmor profile the package installed (see after-install.sh).
set -e
PROFILE=/etc/apparmor.d/switchboard
if [ -f "$PROFILE" ]; then
  if command -v apparmor_parser >/dev/null 2>&1; then
    apparmor_parser --remove "$PROFILE" || true
  fi
  rm -f "$PROFILE"
fi
