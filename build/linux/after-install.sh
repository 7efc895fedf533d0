#!/bin/sh
# Ubuntu >= 24.04 restricts unprivileged user namespaces unless an AppArmor profile allows them;
# Chromium's sandbox needs them. Allow them for Switchboard's binary only, where AppArmor has the
# userns rule (abi 4.0); elsewhere nothing changes.
set -e
PROFILE=/etc/apparmor.d/switchboard
if [ -d /etc/apparmor.d ] && [ -f /etc/apparmor.d/abi/4.0 ]; then
  cat > "$PROFILE" <<'PROFILE_END'
abi <abi/4.0>,
include <tunables/global>

profile switchboard "/opt/Switchboard/switchboard" flags=(unconfined) {
  userns,

  include if exists <local/switchboard>
}
PROFILE_END
  if command -v apparmor_parser >/dev/null 2>&1; then
    apparmor_parser --replace --write-cache --skip-read-cache "$PROFILE" || true
  fi
fi
