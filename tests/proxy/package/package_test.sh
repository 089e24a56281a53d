#!/usr/bin/env bash
# The Debian package of emnet-proxy, end to end: build it from a build tree
# (scripts/build-proxy-deb.sh), check its metadata and contents, install
# it, check the installed example configuration with --check-config, start
# the service, pass bytes through one Wisp connection to a TCP echo server,
# stop it (SIGTERM: exit 0 within seconds) and remove it.
#
#   package_test.sh --build-dir DIR [--node NODE]
#
# Where it installs:
#   CI=true and root (a throwaway CI machine): dpkg -i into this system, so
#   the maintainer scripts run (the account emnet-proxy, the directory
#   override, the unit's enablement), and dpkg --purge at the end, checked
#   to leave nothing behind. Anywhere else: dpkg -x into a scratch folder;
#   the maintainer scripts do not run, and the proxy runs as nobody (as
#   root) or as the calling user instead of emnet-proxy.
# How it starts the service: under systemd when it is the running init
# (/run/systemd/system) and the package is installed for real; otherwise by
# start_like_unit.sh, which runs the installed unit's ExecStartPre and
# ExecStart as its User= (see there). The output says which.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

build_dir=
node=node
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    *) echo "package_test: unknown argument '$1'"; exit 2 ;;
  esac
done
[ -n "$build_dir" ] || { echo "usage: package_test.sh --build-dir DIR [--node NODE]"; exit 2; }
build_dir=$(cd "$build_dir" && pwd)

started=$SECONDS
failures=0
ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

work=$build_dir/tests/proxy/package/work
rm -rf "$work"
mkdir -p "$work"
chmod 0755 "$work"

real_install=0
if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then real_install=1; fi
systemd=0
if [ "$real_install" = 1 ] && [ -d /run/systemd/system ]; then systemd=1; fi

echo_pid=
proxy_pid=
installed=0
dropin=/run/systemd/system/emnet-proxy.service.d/sanitizer-build.conf
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  [ -z "$proxy_pid" ] || kill -KILL "$proxy_pid" 2>/dev/null
  [ -z "$echo_pid" ] || kill -TERM "$echo_pid" 2>/dev/null
  if [ "$installed" = 1 ]; then
    [ "$systemd" = 0 ] || systemctl stop emnet-proxy.service 2>/dev/null
    dpkg --purge emnet-proxy >/dev/null 2>&1
  fi
  if [ "$systemd" = 1 ] && [ -f "$dropin" ]; then
    rm -rf "$(dirname "$dropin")"
    systemctl daemon-reload
  fi
}
trap cleanup EXIT

# ---- build the package ----
deb=$("$ROOT/scripts/build-proxy-deb.sh" --build-dir "$build_dir" --no-build --out "$work" 2>"$work/build.log" | tail -n1)
if [ ! -f "$deb" ]; then
  fail "build the package"; cat "$work/build.log"; echo "1 checks failed"; exit 1
fi
ok "built $(basename "$deb") in $((SECONDS - started)) s"

# ---- what is in it ----
version=$(sed -n 's/^project(emnet VERSION \([0-9][0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
field() { dpkg-deb --field "$deb" "$1"; }
check "Package: emnet-proxy" test "$(field Package)" = emnet-proxy
check "Version: $version-1 (the project's)" test "$(field Version)" = "$version-1"
depends=$(field Depends)
for dep in libc6 libwebsockets17 libngtcp2-9 libngtcp2-crypto-gnutls2 libnghttp3-3 libgnutls30 passwd; do
  check "Depends names $dep" grep -q "\(^\|, \)$dep\( \|,\|$\)" <<<"$depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./conffiles >"$work/conffiles" 2>/dev/null
check "conffiles: /etc/emnet-proxy/emnet-proxy.conf" grep -qx /etc/emnet-proxy/emnet-proxy.conf "$work/conffiles"
dpkg-deb --contents "$deb" >"$work/contents"
for f in ./usr/bin/emnet-proxy ./etc/emnet-proxy/emnet-proxy.conf ./usr/lib/systemd/system/emnet-proxy.service \
         ./usr/share/man/man8/emnet-proxy.8.gz ./usr/share/doc/emnet-proxy/README.md \
         ./usr/share/doc/emnet-proxy/copyright ./usr/share/doc/emnet-proxy/emnet-proxy.conf.example; do
  check "contains $f" grep -q " $f\$" "$work/contents"
done
check "every file owned by root" test -z "$(awk '$2 != "root/root"' "$work/contents")"
check "the binary is the only executable" \
  test "$(awk '$1 ~ /^-..x/ { print $6 }' "$work/contents")" = ./usr/bin/emnet-proxy
mkdir -p "$work/ctrl"
dpkg-deb --control "$deb" "$work/ctrl"
for s in postinst prerm postrm; do
  check "$s is a POSIX shell script" sh -n "$work/ctrl/$s"
done

# ---- install ----
if [ "$real_install" = 1 ]; then
  echo "# installing into this system (CI=true, root): dpkg -i"
  if dpkg -s emnet-proxy >/dev/null 2>&1; then
    fail "emnet-proxy is already installed here: not touching it"; echo "$failures checks failed"; exit 1
  fi
  if dpkg -i "$deb" >"$work/dpkg-install.log" 2>&1; then
    installed=1; ok "dpkg -i"
  else
    fail "dpkg -i"; cat "$work/dpkg-install.log"; echo "$failures checks failed"; exit 1
  fi
  prefix=
  run_user=emnet-proxy
  check "postinst made the system user emnet-proxy" sh -c "getent passwd emnet-proxy >/dev/null"
  uid=$(id -u emnet-proxy 2>/dev/null || echo 0)
  check "a system account (uid $uid below 1000) with no login shell" \
    test "$uid" -gt 0 -a "$uid" -lt 1000 -a "$(getent passwd emnet-proxy | cut -d: -f7)" = /usr/sbin/nologin
  check "/etc/emnet-proxy is root:emnet-proxy 0750" test "$(stat -c '%U:%G %a' /etc/emnet-proxy)" = "root:emnet-proxy 750"
  if command -v deb-systemd-helper >/dev/null; then
    check "the unit is enabled (multi-user.target.wants)" \
      test -L /etc/systemd/system/multi-user.target.wants/emnet-proxy.service
  fi
  check "the man page is found by man" sh -c 'man -w emnet-proxy >/dev/null 2>&1 || ! command -v man >/dev/null'
else
  echo "# not CI=true as root: unpacking with dpkg -x into $work/root (no maintainer scripts run)"
  prefix=$work/root
  dpkg -x "$deb" "$prefix"
  chmod 0755 "$prefix"
  if [ "$(id -u)" -eq 0 ]; then run_user=nobody; else run_user=$(id -un); fi
  echo "# the account emnet-proxy is made by postinst, which did not run: the proxy runs as $run_user"
fi
bin=$prefix/usr/bin/emnet-proxy
conf=$prefix/etc/emnet-proxy/emnet-proxy.conf
unit=$prefix/usr/lib/systemd/system/emnet-proxy.service
check "the unit's ExecStart is the installed binary with the installed configuration" \
  grep -qx 'ExecStart=/usr/bin/emnet-proxy --config /etc/emnet-proxy/emnet-proxy.conf --drain-timeout 20' "$unit"
check "the unit runs as User=emnet-proxy" grep -qx 'User=emnet-proxy' "$unit"
as_user() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid="$run_user" --regid="$(id -gn "$run_user")" --init-groups -- "$@"
  else "$@"; fi
}

# ---- the example configuration passes --check-config ----
if as_user "$bin" --config "$conf" --check-config >"$work/check.out" 2>&1; then
  ok "emnet-proxy --check-config on the installed example configuration (as $run_user)"
else
  fail "emnet-proxy --check-config on the installed example configuration (as $run_user)"; cat "$work/check.out"
fi
check "  ... read from $conf" grep -qx "# read from $conf" "$work/check.out"
check "  ... its defaults: listen = 127.0.0.1:8080, every target denied" \
  sh -c "grep -qx 'listen = 127.0.0.1:8080' '$work/check.out' && grep -q '^# allow = .*every target is denied' '$work/check.out'"

# ---- the man page describes every key --check-config knows, every option ----
man_text=$(zcat "$prefix/usr/share/man/man8/emnet-proxy.8.gz" | sed 's/\\-/-/g')
missing=
# shellcheck disable=SC2013  # one key a line, no spaces in keys
for key in $(sed -n 's/^#\{0,1\} \{0,1\}\([a-z_]*\) =.*/\1/p' "$work/check.out"); do
  grep -q "\(^\.BI \|fP\)${key}[ \"]" <<<"$man_text" || missing="$missing $key"
done
for opt in --config --check-config --drain-timeout --help --version; do
  grep -q -- "$opt" <<<"$man_text" || missing="$missing $opt"
done
check "emnet-proxy(8) describes every configuration key and option${missing:+ (missing:$missing)}" test -z "$missing"

# ---- configure it as an administrator would: a port, one allowed target ----
"$node" "$HERE/wisp_echo.js" serve >"$work/echo.out" 2>&1 &
echo_pid=$!
for _ in $(seq 50); do grep -q '^echo ' "$work/echo.out" && break; sleep 0.1; done
echo_port=$(sed -n 's/^echo //p' "$work/echo.out")
[ -n "$echo_port" ] || { fail "the echo server starts"; echo "$failures checks failed"; exit 1; }
proxy_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  echo
  echo "# added by the package test"
  echo "listen = 127.0.0.1:$proxy_port"
  echo "allow = 127.0.0.1:$echo_port"
} >>"$conf"
# shellcheck disable=SC2317  # called through check
check_config_quietly() { as_user "$bin" --config "$conf" --check-config >"$work/check2.out" 2>&1; }
check "the edited configuration passes --check-config" check_config_quietly

# ---- start the service ----
: >"$work/proxy.log"
if [ "$systemd" = 1 ]; then
  echo "# starting under systemd: systemctl restart emnet-proxy"
  if objdump -p "$bin" | grep -q 'NEEDED.*libasan'; then
    # A sanitizer build needs system calls the unit's filter refuses (ptrace
    # for the leak check, setrlimit); for it only, a runtime drop-in lifts
    # the filter and the W^X rule. A release build runs with the unit as is.
    echo "# the binary is a sanitizer build: drop-in $dropin lifts SystemCallFilter= and MemoryDenyWriteExecute="
    mkdir -p "$(dirname "$dropin")"
    printf '[Service]\nSystemCallFilter=\nMemoryDenyWriteExecute=no\n' >"$dropin"
  fi
  systemctl daemon-reload
  check "systemctl restart emnet-proxy" systemctl restart emnet-proxy.service
  proxy_pid=$(systemctl show -p MainPID --value emnet-proxy.service)
else
  echo "# systemd is not the running init here (or the package is only unpacked): starting it with"
  echo "# start_like_unit.sh, the installed unit's ExecStartPre and ExecStart as its user"
  start_args=("$unit")
  [ "$real_install" = 1 ] || start_args+=(--root "$prefix" --user "$run_user")
  "$HERE/start_like_unit.sh" "${start_args[@]}" >"$work/proxy.log" 2>&1 &
  proxy_pid=$!
fi
listening=0
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$proxy_port") 2>/dev/null; then listening=1; break; fi
  sleep 0.1
done
check "the proxy listens on 127.0.0.1:$proxy_port" test "$listening" = 1
[ "$systemd" = 1 ] || check "it printed 'listening 127.0.0.1:$proxy_port'" grep -qx "listening 127.0.0.1:$proxy_port" "$work/proxy.log"
check "the proxy (pid $proxy_pid) runs as $run_user" test "$(ps -o user= -p "$proxy_pid" | tr -d ' ')" = "$run_user"
check "the proxy is the installed binary" test "$(readlink -f "/proc/$proxy_pid/exe")" = "$(readlink -f "$bin")"

# ---- one Wisp connection through it ----
if "$node" "$HERE/wisp_echo.js" client "$proxy_port" "$echo_port" >"$work/wisp.out" 2>&1; then
  sed 's/^/  /' "$work/wisp.out"; ok "Wisp v1 echo through the installed proxy"
else
  sed 's/^/  /' "$work/wisp.out"; fail "Wisp v1 echo through the installed proxy"
fi

# ---- stop: SIGTERM, drained and gone promptly, exit 0 ----
stop_started=$(date +%s%N)
if [ "$systemd" = 1 ]; then
  check "systemctl stop emnet-proxy" systemctl stop emnet-proxy.service
  status=$(systemctl show -p ExecMainStatus --value emnet-proxy.service)
else
  kill -TERM "$proxy_pid"
  status=timeout
  for _ in $(seq 100); do
    if ! kill -0 "$proxy_pid" 2>/dev/null; then wait "$proxy_pid"; status=$?; break; fi
    sleep 0.1
  done
fi
stop_ms=$(( ($(date +%s%N) - stop_started) / 1000000 ))
check "SIGTERM: the proxy exits 0 (status $status) in $stop_ms ms (under 5 s)" test "$status" = 0 -a "$stop_ms" -lt 5000
proxy_pid=
if [ "$systemd" = 0 ]; then
  check "its log has the drain and the exit" grep -q 'event=exit' "$work/proxy.log"
  check "no sanitizer report" sh -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error:' '$work/proxy.log'"
fi
kill -TERM "$echo_pid" 2>/dev/null
echo_pid=

# ---- remove ----
if [ "$real_install" = 1 ]; then
  # Remove first: the program goes, the configuration and the account stay.
  if dpkg -r emnet-proxy >"$work/dpkg-remove.log" 2>&1; then
    ok "dpkg -r emnet-proxy"
  else
    fail "dpkg -r emnet-proxy"; cat "$work/dpkg-remove.log"
  fi
  check "after remove: no binary, the configuration kept" test ! -e /usr/bin/emnet-proxy -a -f "$conf"
  check "after remove: the account kept" sh -c "getent passwd emnet-proxy >/dev/null"
  if dpkg --purge emnet-proxy >"$work/dpkg-purge.log" 2>&1; then
    installed=0; ok "dpkg --purge emnet-proxy"
  else
    fail "dpkg --purge emnet-proxy"; cat "$work/dpkg-purge.log"
  fi
  check "no package left" sh -c '! dpkg -s emnet-proxy >/dev/null 2>&1'
  check "no binary, unit or man page left" \
    test ! -e /usr/bin/emnet-proxy -a ! -e /usr/lib/systemd/system/emnet-proxy.service -a ! -e /usr/share/man/man8/emnet-proxy.8.gz
  check "no /etc/emnet-proxy left" test ! -e /etc/emnet-proxy
  check "no account emnet-proxy left" sh -c '! getent passwd emnet-proxy >/dev/null && ! getent group emnet-proxy >/dev/null'
  check "no directory override left" sh -c '! dpkg-statoverride --list /etc/emnet-proxy >/dev/null'
  check "no unit enablement or mask left" sh -c '! ls /etc/systemd/system/*/emnet-proxy.service /etc/systemd/system/emnet-proxy.service \
    /var/lib/systemd/deb-systemd-helper-*/*emnet-proxy* /var/lib/systemd/deb-systemd-helper-*/*/*emnet-proxy* >/dev/null 2>&1'
else
  rm -rf "$prefix"
  ok "removed the unpacked tree"
fi

echo "# run time: $((SECONDS - started)) s"
if [ "$failures" -eq 0 ]; then echo "all checks passed"; exit 0; fi
echo "$failures checks failed"
exit 1
