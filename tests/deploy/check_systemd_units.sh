#!/usr/bin/env bash
# Checks deploy/systemd/ offline (docs/DEPLOY.md, "How CI checks these files"):
#   systemd-analyze verify on the three units, any complaint fails (it also
#     checks that the ExecStart programs exist: the copies checked here run
#     this build's salesopsd and salesctl and the tree's backup script);
#   systemd-analyze security --offline: each service's exposure at most 2.0;
#   the settings docs/DEPLOY.md promises are there.
#
#   check_systemd_units.sh SOURCE_DIR SALESOPSD SALESCTL
set -euo pipefail
src="$1"
salesopsd="$2"
salesctl="$3"
units="$src/deploy/systemd"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$units/salesopsd.service" "$units/salesops-backup.service" "$units/salesops-backup.timer" "$work/"
sed -i "s|^ExecStart=/usr/local/bin/salesopsd |ExecStart=$salesopsd |" "$work/salesopsd.service"
sed -i -e "s|^ExecStart=/usr/local/bin/salesops-backup.sh |ExecStart=$src/deploy/backup/salesops-backup.sh |" \
  -e "s|--salesctl=/usr/local/bin/salesctl|--salesctl=$salesctl|" "$work/salesops-backup.service"
for unit in salesopsd.service salesops-backup.service; do
  grep -q "^ExecStart=/usr/local/bin" "$work/$unit" && { echo "FAIL: $unit: ExecStart not rewritten for the check" >&2; exit 1; }
done

failed=0
cd "$work"
if ! out="$(systemd-analyze verify --man=no ./salesopsd.service ./salesops-backup.service ./salesops-backup.timer 2>&1)" ||
  [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify:" >&2
  echo "$out" >&2
  failed=1
fi
for unit in salesopsd.service salesops-backup.service; do
  if ! out="$(systemd-analyze security --offline=yes --threshold=20 "./$unit" 2>&1)"; then
    echo "FAIL: systemd-analyze security $unit: exposure above 2.0:" >&2
    echo "$out" | grep -E "✗|Overall" >&2
    failed=1
  fi
done

for setting in Type=notify DynamicUser=yes StateDirectory=salesops ConfigurationDirectory=salesops \
  ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes CapabilityBoundingSet= \
  LimitNOFILE=65536 Restart=on-failure RestartPreventExitStatus=2 TimeoutStopSec=90s; do
  grep -qx "$setting" salesopsd.service || { echo "FAIL: salesopsd.service lacks $setting" >&2; failed=1; }
done
for setting in OnCalendar= Persistent=true; do
  grep -q "^$setting" salesops-backup.timer || { echo "FAIL: salesops-backup.timer lacks $setting" >&2; failed=1; }
done

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "systemd units: verify clean, exposure at most 2.0 (20 on its 0..100 scale), settings present"
