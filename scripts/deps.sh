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
{ apt-get update -q && $cmd; } >"${TMPDIR:-/tmp}/cmwq-deps.log" 2>&1 ||
	die "$EX_DEPS" "apt-get failed; see ${TMPDIR:-/tmp}/cmwq-deps.log"
