#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot two kernels, A and B, BOOTS times each (default 5), interleaved
# A B A B ..., with the bench plan and the same QEMU settings (boot.sh:
# ACCEL, SMP, MEM, NODES), then compare them with bench-report.py.  Each
# boot is an ordinary run directory under $OUT/runs; the report goes to
# $OUT/bench/DATE-A-vs-B/ (also $OUT/bench/latest): results.json,
# results.md, ratios.png, and runs.txt naming the boots.  A boot that
# fails (the guest did not finish, or an item failed) stops the run: its
# numbers would not be comparable.
#
# Usage: bench.sh KSRC PLAN "NAME_A BUILD_A [GUEST_ARG...]" "NAME_B BUILD_B [GUEST_ARG...]"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || die "$EX_USAGE" "usage: bench.sh KSRC PLAN 'NAME_A BUILD_A [ARG...]' 'NAME_B BUILD_B [ARG...]'"
ksrc=$1 plan=$2
read -r -a kernel_a <<<"$3"
read -r -a kernel_b <<<"$4"
[ ${#kernel_a[@]} -ge 2 ] && [ ${#kernel_b[@]} -ge 2 ] || die "$EX_USAGE" "each kernel is 'NAME BUILD [ARG...]'"
boots=${BOOTS:-5}
[[ $boots =~ ^[1-9][0-9]*$ ]] || die "$EX_USAGE" "BOOTS=$boots: a number of boots, 1 or more"
for k in kernel_a kernel_b; do
	declare -n kk=$k
	[ -f "${kk[1]}/initramfs.cpio.gz" ] || die "$EX_IMAGE" "${kk[1]}: no image; make image FLAVOUR=bench first"
done

dir=$OUT/bench/$(date +%Y%m%d-%H%M%S)-${kernel_a[0]}-vs-${kernel_b[0]}
mkdir -p "$dir"
ln -sfn "${dir##*/}" "$OUT/bench/latest"
start=$SECONDS
runs=()
for i in $(seq "$boots"); do
	for side in A B; do
		if [ $side = A ]; then k=("${kernel_a[@]}"); else k=("${kernel_b[@]}"); fi
		log "boot $i of $boots of $side (${k[0]}), $(elapsed $start) so far"
		"$HARNESS_TOP/scripts/run.sh" "$ksrc" "${k[1]}" "$plan" "bench-$side$i-${k[0]}" \
			"${k[@]:2}" >"$dir/boot-$side$i.log" 2>&1 ||
			die "$EX_TEST" "boot $i of $side (${k[0]}) failed: $(readlink -f "$OUT/runs/latest")/summary.txt"
		runs+=("$side=$(readlink -f "$OUT/runs/latest")")
		echo "$side ${k[0]} $(readlink -f "$OUT/runs/latest")" >>"$dir/runs.txt"
	done
done
log "$((boots * 2)) boots in $(elapsed $start)"
# Debian's python3, whose python3-matplotlib draws the plot
py=/usr/bin/python3
[ -x $py ] || py=python3
"$py" "$HARNESS_TOP/scripts/bench-report.py" "$dir" --a "${kernel_a[0]}" --b "${kernel_b[0]}" "${runs[@]}" ||
	die "$EX_TEST" "bench-report.py failed"
log "report: $dir/results.md, $dir/results.json, $dir/ratios.png"
