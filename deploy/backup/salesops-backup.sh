#!/usr/bin/env bash
# salesops-backup.sh: an online backup of a running salesopsd, with rotation
# (docs/DEPLOY.md, "Backup and restore").
#
#   salesops-backup.sh [--keep=N] [--timeout=D] [--salesctl=PATH] [--token-file=FILE]
#                      BACKUP_ROOT [SALESCTL_FLAG...]
#
# Asks the server for a checkpoint of its whole database (Admin.Backup, as
# `salesctl admin backup`) in BACKUP_ROOT/salesops-<UTC time>, writes
# BACKUP_ROOT/salesops-<UTC time>.info with the backup's log position and
# chain digest once it is complete, then removes all but the newest N
# complete backups (--keep, default 7; 0 keeps all) and whatever a backup
# that did not complete left behind. Writes go on meanwhile.
#
# BACKUP_ROOT is absolute and names the same directory for the server and
# for this script: run it on the server's machine (or with a volume both
# see), as a user who may delete what the server writes there. It is created
# when missing; a lock in it keeps two runs from overlapping.
#
# The token's member must hold ADMIN: $SALESOPS_TOKEN, or the first line of
# --token-file (the token never appears on a command line). SALESCTL_FLAGs
# (--server=HOST:PORT, --tls-ca=FILE, --tls-server-name=NAME, ...) are passed
# to salesctl as they are; $SALESOPS_SERVER and $SALESOPS_TLS_* work as for
# salesctl (docs/CLI.md). --timeout bounds the call (default 30m: across
# file systems the server copies every table file).
#
# Restore: stop salesopsd and start it with --data-dir=BACKUP_ROOT/salesops-<time>
# (or a copy of it) and the same tokens file.
#
# Exit status: 0 done; 64 usage; 75 another backup holds the lock; otherwise
# salesctl's (the gRPC code of the failed call: 7 PERMISSION_DENIED, 14
# UNAVAILABLE, ...).
set -euo pipefail

usage() {
  echo "usage: $0 [--keep=N] [--timeout=D] [--salesctl=PATH] [--token-file=FILE] BACKUP_ROOT [SALESCTL_FLAG...]" >&2
  exit 64
}
fail() {
  echo "salesops-backup: $*" >&2
  exit 64
}

keep=7
timeout=30m
salesctl=salesctl
token_file=
while [ $# -gt 0 ]; do
  case "$1" in
    --keep=*) keep="${1#*=}" ;;
    --timeout=*) timeout="${1#*=}" ;;
    --salesctl=*) salesctl="${1#*=}" ;;
    --token-file=*) token_file="${1#*=}" ;;
    -h | --help) usage ;;
    -*) fail "unknown option $1 (salesctl's flags go after BACKUP_ROOT)" ;;
    *) break ;;
  esac
  shift
done
[ $# -ge 1 ] || usage
root="${1%/}"
shift
salesctl_flags=("$@")

case "$keep" in '' | *[!0-9]*) fail "--keep must be a number (got '$keep')" ;; esac
case "$root" in /*) ;; *) fail "BACKUP_ROOT must be absolute, as the server sees it (got '$root')" ;; esac
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || fail "cannot read --token-file $token_file"
  IFS= read -r SALESOPS_TOKEN <"$token_file" || [ -n "${SALESOPS_TOKEN:-}" ] || fail "--token-file $token_file is empty"
  export SALESOPS_TOKEN
fi

mkdir -p "$root"
exec 9>"$root/.lock"
if ! flock -n 9; then
  echo "salesops-backup: another backup into $root is running" >&2
  exit 75
fi

# salesops-YYYYmmddTHHMMSSZ sorts by time; a second run within the same
# second gets -2, -3, ...
base="salesops-$(date -u +%Y%m%dT%H%M%SZ)"
name="$base"
n=1
while [ -e "$root/$name" ] || [ -e "$root/$name.info" ]; do
  n=$((n + 1))
  name="$base-$n"
done

status=0
out="$("$salesctl" --timeout="$timeout" "${salesctl_flags[@]}" admin backup "$root/$name")" || status=$?
if [ "$status" -ne 0 ]; then
  echo "salesops-backup: the backup into $root/$name failed (salesctl exit status $status)" >&2
  exit "$status"
fi
printf '%s\ntime: %s\n' "$out" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$root/$name.info.tmp"
mv "$root/$name.info.tmp" "$root/$name.info"
printf '%s\n' "$out"

# Rotation. Complete backups (a directory and its .info), newest first
# (-V: a -10 run within one second is newer than its -9).
shopt -s nullglob
complete=()
for info in "$root"/salesops-*.info; do
  [ -d "${info%.info}" ] && complete+=("$(basename "${info%.info}")")
done
if [ "${#complete[@]}" -gt 0 ]; then
  mapfile -t complete < <(printf '%s\n' "${complete[@]}" | LC_ALL=C sort -r -V)
fi
remove=()
if [ "$keep" -gt 0 ] && [ "${#complete[@]}" -gt "$keep" ]; then
  remove+=("${complete[@]:$keep}")
fi
# Leftovers: a directory without .info (a backup that failed or was cut
# short), an .info without its directory.
for dir in "$root"/salesops-*/; do
  dir="$(basename "$dir")"
  [ -e "$root/$dir.info" ] || remove+=("$dir")
done
for info in "$root"/salesops-*.info; do
  [ -d "${info%.info}" ] || rm -f -- "$info"
done
for old in "${remove[@]}"; do
  # The .info first: a removal cut short leaves a leftover, never a
  # "complete" backup with files missing.
  rm -f -- "$root/$old.info"
  rm -rf -- "${root:?}/$old"
  echo "removed: $root/$old"
done
