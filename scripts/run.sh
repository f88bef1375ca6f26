#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One test run: a new directory under $OUT/runs (also reachable as
# $OUT/runs/latest) with the .config, the series applied, the exact QEMU
# command, the guest's output, results.json and summary.txt; then boot
# and judge.  The exit status is the verdict's (see scripts/lib.sh).
#
# Usage: run.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]
# Environment: INITRD (default BUILD_DIR/initramfs.cpio.gz)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "$EX_USAGE" "usage: run.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]"
ksrc=$1 build=$2 plan=$3 name=$4
shift 4
rundir=$OUT/runs/$(date +%Y%m%d-%H%M%S)-$name
mkdir -p "$rundir"
ln -sfn "${rundir##*/}" "$OUT/runs/latest"
cp "$build/.config" "$rundir/config"
cp "$plan" "$rundir/plan"
git -C "$ksrc" log --format='%h %s' cmwq-base..HEAD >"$rundir/series.txt"
log "artifacts: $rundir"

"$HARNESS_TOP/scripts/boot.sh" "$build/arch/x86/boot/bzImage" "${INITRD:-$build/initramfs.cpio.gz}" \
	"$rundir" "$@" || true
python3 "$HARNESS_TOP/scripts/verdict.py" "$rundir" --plan "$plan" --ksrc "$ksrc"
