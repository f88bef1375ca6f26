#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One test run: a new directory under $OUT/runs (also reachable as
# $OUT/runs/latest) with the .config, the series applied, the exact QEMU
# command, the guest's output, results.json and summary.txt; then boot
# and judge.  The exit status is the verdict's (see scripts/lib.sh).
#
# The guest runs the plan its image carries (mkinitramfs.sh puts it in
# etc/harness/plan), not PLAN.  A PLAN whose items differ from the image's
# is refused before booting (exit 15), naming both; make an image for it
# first.  The verdict checks the plan the guest prints as well, for images
# this cannot read.
#
# Usage: run.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]
# Environment: INITRD (default BUILD_DIR/initramfs.cpio.gz)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "$EX_USAGE" "usage: run.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]"
ksrc=$1 build=$2 plan=$3 name=$4
shift 4
initrd=${INITRD:-$build/initramfs.cpio.gz}
[ -r "$plan" ] || die "$EX_USAGE" "$plan: test plan not readable"

# image_plan INITRD: the plan the image carries, or nothing if it carries
# none or cannot be read (not a gzip'd cpio archive).
image_plan() {
	command -v cpio >/dev/null || return 0
	{ gzip -dc "$1" | cpio -i --quiet --to-stdout etc/harness/plan ./etc/harness/plan; } \
		2>/dev/null || true
}

items=$HARNESS_TOP/qemu/guest/plan-items
if [ -f "$initrd" ]; then
	carried=$(image_plan "$initrd")
	if [ -z "$carried" ]; then
		log "$initrd carries no plan this can read; the verdict checks the plan the guest prints"
	else
		given=$(sh "$items" "$plan")
		carried=$(printf '%s\n' "$carried" | sh "$items" -)
		[ "$given" = "$carried" ] || die "$EX_IMAGE" "$(
			echo "the image carries another plan than the one given, and the guest runs the image's"
			echo "  given, $plan:"
			printf '%s\n' "${given:-(no items)}" | sed 's/^/    /'
			echo "  the image's, $initrd:"
			printf '%s\n' "${carried:-(no items)}" | sed 's/^/    /'
			echo "  make an image for the plan given and name it in INITRD:"
			printf '    %s %s %s %s %s\n' "$HARNESS_TOP/scripts/mkinitramfs.sh" "$ksrc" "$build" \
				"$plan" "$build/initramfs-$name.cpio.gz"
			printf '    INITRD=%s %s\n' "$build/initramfs-$name.cpio.gz" "$0 $ksrc $build $plan $name ...")"
	fi
fi

rundir=$OUT/runs/$(date +%Y%m%d-%H%M%S)-$name
mkdir -p "$rundir"
ln -sfn "${rundir##*/}" "$OUT/runs/latest"
cp "$build/.config" "$rundir/config"
cp "$plan" "$rundir/plan"
git -C "$ksrc" log --format='%h %s' cmwq-base..HEAD >"$rundir/series.txt"
log "artifacts: $rundir"

"$HARNESS_TOP/scripts/boot.sh" "$build/arch/x86/boot/bzImage" "$initrd" "$rundir" "$@" || true
python3 "$HARNESS_TOP/scripts/verdict.py" "$rundir" --plan "$plan" --ksrc "$ksrc"
