#!/usr/bin/env bash
# Starts emnet-proxy the way its installed systemd unit would, for a machine
# where systemd is not the running init (containers): the unit's
# ExecStartPre (--check-config) first, then its ExecStart, as the unit's
# User= and Group=, with its UMask= and LimitNOFILE=. The command lines are
# read from the unit file itself, so what runs is what the unit says. Not
# reproduced: the unit's sandboxing (ProtectSystem=, SystemCallFilter=, ...).
#
#   start_like_unit.sh UNIT_FILE [--root DIR] [--user NAME]
#
#   --root DIR   the package was unpacked under DIR (dpkg -x): the unit's
#                /usr/bin/emnet-proxy and /etc/emnet-proxy/ are taken from
#                there
#   --user NAME  run as NAME instead of the unit's User= (and NAME's group),
#                for an unpacked package whose account was never made
# Ends by exec'ing the proxy, so that this script's PID is the proxy's.
set -euo pipefail

unit=$1
shift
root=
user=
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    *) echo "start_like_unit: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# The value of KEY= in the [Service] section (the last one given).
unit_value() {
  awk -v key="$1" '
    /^\[/ { service = ($0 == "[Service]") }
    service && index($0, key "=") == 1 { value = substr($0, length(key) + 2) }
    END { print value }' "$unit"
}

group=
if [ -z "$user" ]; then
  user=$(unit_value User)
  group=$(unit_value Group)
fi
[ -n "$user" ] || { echo "start_like_unit: the unit names no User=" >&2; exit 1; }
[ -n "$group" ] || group=$(id -gn "$user")
umask_value=$(unit_value UMask)
nofile=$(unit_value LimitNOFILE)
pre=$(unit_value ExecStartPre)
start=$(unit_value ExecStart)
[ -n "$start" ] || { echo "start_like_unit: the unit has no ExecStart=" >&2; exit 1; }

# The unit's paths, under the unpacked root.
relocate() {
  local line=$1
  if [ -n "$root" ]; then
    line=${line//\/usr\/bin\/emnet-proxy/$root/usr/bin/emnet-proxy}
    line=${line//\/etc\/emnet-proxy\//$root/etc/emnet-proxy/}
  fi
  printf '%s\n' "$line"
}

[ -z "$umask_value" ] || umask "$umask_value"
if [ -n "$nofile" ] && ! ulimit -n "$nofile" 2>/dev/null; then
  # A container may hold the hard limit below the unit's (systemd itself
  # would raise it): the most it allows.
  echo "start_like_unit: LimitNOFILE=$nofile not allowed here, using the hard limit $(ulimit -Hn)" >&2
  nofile=$(ulimit -Hn)
  ulimit -n "$nofile"
fi

# As the unit's user: setpriv when root (no PAM session, as systemd does
# for a system service), directly when that user is already this one.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  as_user=(setpriv --reuid="$user" --regid="$group" --init-groups --)
elif [ "$(id -un)" != "$user" ]; then
  echo "start_like_unit: must be root to run as $user" >&2
  exit 1
fi

echo "start_like_unit: as $user:$group, umask ${umask_value:-unchanged}, nofile ${nofile:-unchanged}" >&2
if [ -n "$pre" ]; then
  read -r -a pre_cmd <<<"$(relocate "$pre")"
  echo "start_like_unit: ExecStartPre: ${pre_cmd[*]}" >&2
  # systemd sends ExecStartPre's output to the journal: here to stderr.
  "${as_user[@]}" "${pre_cmd[@]}" >&2 || { echo "start_like_unit: ExecStartPre failed" >&2; exit 1; }
fi
read -r -a start_cmd <<<"$(relocate "$start")"
echo "start_like_unit: ExecStart: ${start_cmd[*]}" >&2
exec "${as_user[@]}" "${start_cmd[@]}"
