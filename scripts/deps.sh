#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the Debian packages the harness uses are installed.  As root,
# missing ones are installed with apt-get; otherwise the exact command is
# printed and the run stops.
#
# Usage: deps.sh [PACKAGE...]   (extra packages for optional targets)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# rsync: the kselftest install target (tools/testing/selftests/lib.mk)
# copies the tests with it.  "make fresh-check" runs this script and the
# image step in a minimal Debian root, where a command missing here fails.
# coccinelle: "make cocci-check" runs the series' semantic patch (spatch).
# dmsetup, ioping: the bench plan's dm-crypt workload runs them in the
# guest (its image copies them with their libraries).
pkgs=(build-essential flex bison bc libelf-dev libssl-dev python3 python3-ply python3-git perl git
	xz-utils cpio kmod ccache qemu-system-x86 busybox-static bash-static rsync coccinelle
	dmsetup ioping "$@")
missing=()
for p in "${pkgs[@]}"; do
	[[ $(dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null) == *'install ok installed'* ]] ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	die "$EX_DEPS" "missing Debian packages; run: sudo apt-get update && sudo $cmd"
fi
log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A mirror that is being synced or a connection that drops fails one
# fetch: apt retries each fetch, and the whole step is tried once more
# after the package cache (which may hold a truncated download) is
# cleaned.  When it still fails, apt's own error lines are printed, so the
# reason is in the run's output and not only in a log a CI machine keeps.
apt_log=${TMPDIR:-/tmp}/cmwq-deps.log
apt=(apt-get -q -o Acquire::Retries=3)
: >"$apt_log"
for try in 1 2; do
	from=$(($(wc -l <"$apt_log") + 1))
	{ "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } \
		>>"$apt_log" 2>&1 && exit 0
	[ "$try" = 2 ] || { log "apt-get failed; cleaning its cache and trying again"; apt-get clean >>"$apt_log" 2>&1 || true; }
done
# the second try's errors
tail -n +"$from" "$apt_log" | grep -E '^(E: |W: |Err:)' | tail -n 12 | sed 's/^/deps.sh:   /' >&2 || true
die "$EX_DEPS" "apt-get failed twice; see $apt_log"
