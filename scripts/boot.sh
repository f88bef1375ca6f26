#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel and initramfs in QEMU and wait for the guest to finish.
#
# Writes into RUNDIR: qemu-cmd (the exact command), console.log (ttyS0,
# the kernel console), tests.log (ttyS1, the test channel), qemu.log
# (QEMU's own messages) and boot-status, one word:
#   done          the guest ran its plan and powered off
#   panic         the kernel panicked (panic=-1 -no-reboot ends QEMU)
#   exited        QEMU ended before the guest said it was done
#   boot-timeout  init did not start within BOOT_TIMEOUT seconds
#   hang          the guest did not finish within TIMEOUT seconds
#   qemu-error    QEMU could not start
# Exit status: 0 for done, 16 (boot) otherwise.
#
# Usage: boot.sh KERNEL INITRD RUNDIR [EXTRA_CMDLINE...]
# Environment: ACCEL=auto|kvm|tcg SMP=4 MEM=2G NODES=2 BOOT_TIMEOUT=120 TIMEOUT=2400
#
# The guest has NODES NUMA nodes, each a socket with SMP/NODES CPUs and
# MEM/NODES of memory, so that what unbound workqueues do per node is
# exercised.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$HARNESS_TOP/qemu/x86_64.conf"

[ $# -ge 3 ] || die "$EX_USAGE" "usage: boot.sh KERNEL INITRD RUNDIR [EXTRA_CMDLINE...]"
kernel=$1 initrd=$2 rundir=$3
shift 3
[ -f "$kernel" ] || die "$EX_BOOT" "$kernel: no kernel image"
[ -f "$initrd" ] || die "$EX_BOOT" "$initrd: no initramfs"
command -v "$QEMU" >/dev/null || die "$EX_DEPS" "$QEMU not found (Debian package qemu-system-x86)"
mkdir -p "$rundir"

ACCEL=${ACCEL:-auto}
SMP=${SMP:-4}
MEM=${MEM:-2G}
NODES=${NODES:-2}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
TIMEOUT=${TIMEOUT:-2400}

# kvm_works: boot the kernel with no initramfs under KVM; it works if the
# kernel gets as far as failing to mount a root file system.  Nested KVM
# can abort or hang instead, hence the short time limit.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	local probe=$rundir/kvm-probe.log
	(timeout -k 2 "${KVM_PROBE_TIMEOUT:-15}" "$QEMU" $QEMU_MACHINE -accel kvm -cpu host \
		-m 512M -smp 1 -display none -nodefaults -no-reboot \
		-kernel "$kernel" -append "console=ttyS0 panic=-1" \
		-serial "file:$probe" </dev/null >/dev/null 2>&1; :) 2>/dev/null
	grep -q 'Kernel panic\|VFS: Unable to mount' "$probe" 2>/dev/null
}

case $ACCEL in
auto)
	if kvm_works; then
		ACCEL=kvm
	else
		ACCEL=tcg
	fi
	;;
kvm | tcg) ;;
*) die "$EX_USAGE" "ACCEL=$ACCEL: expected auto, kvm or tcg" ;;
esac
if [ "$ACCEL" = kvm ]; then
	accel=(-accel kvm -cpu host)
	cmdline="$QEMU_CMDLINE $*"
else
	accel=(-accel tcg,thread=multi -cpu max)
	cmdline="$QEMU_CMDLINE $QEMU_TCG_CMDLINE $*"
fi

# guest_shape: QEMU's -smp and, for NODES > 1, options for NODES nodes
# that split the CPUs and memory evenly; the memory size in MiB goes to
# mem_mib.
guest_shape() {
	local n cpn
	case $MEM in
	*[gG]) mem_mib=$((${MEM%[gG]} * 1024)) ;;
	*[mM]) mem_mib=${MEM%[mM]} ;;
	*) die "$EX_USAGE" "MEM=$MEM: expected a size in M or G" ;;
	esac
	[[ $NODES =~ ^[1-9][0-9]*$ ]] && [ $((SMP % NODES)) -eq 0 ] && [ $((mem_mib % NODES)) -eq 0 ] ||
		die "$EX_USAGE" "NODES=$NODES must divide SMP=$SMP and MEM=$MEM"
	shape=(-smp "$SMP")
	[ "$NODES" -gt 1 ] || return 0
	# A socket a node: CPUs that share a last-level cache are on one node,
	# or the kernel warns that the topology is not sane.
	cpn=$((SMP / NODES))
	shape=(-smp "$SMP,sockets=$NODES,cores=$cpn,threads=1")
	for ((n = 0; n < NODES; n++)); do
		shape+=(-object "memory-backend-ram,id=mem$n,size=$((mem_mib / NODES))M"
			-numa "node,nodeid=$n,cpus=$((n * cpn))-$((n * cpn + cpn - 1)),memdev=mem$n")
	done
}
guest_shape

console=$rundir/console.log tests=$rundir/tests.log
rm -f "$console" "$tests" "$rundir/boot-status"
cmd=("$QEMU" $QEMU_MACHINE "${accel[@]}" -m "${mem_mib}M" "${shape[@]}"
	-display none -nodefaults -no-reboot
	-kernel "$kernel" -initrd "$initrd"
	-append "$cmdline"
	-serial "file:$console" -serial "file:$tests")
printf '%q ' "${cmd[@]}" >"$rundir/qemu-cmd"
echo >>"$rundir/qemu-cmd"
log "booting (${accel[1]}, $SMP cpus, $NODES nodes); console in $console"

"${cmd[@]}" </dev/null >"$rundir/qemu.log" 2>&1 &
pid=$!
start=$SECONDS booted= status= last=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
	sleep 1
	if [ -z "$booted" ] && grep -q 'harness: init started' "$console" 2>/dev/null; then
		booted=$SECONDS
		log "init started after $((booted - start)) s"
	fi
	if [ -z "$booted" ] && [ $((SECONDS - start)) -ge "$BOOT_TIMEOUT" ]; then
		status=boot-timeout
	elif [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
		status=hang
	fi
	if [ -n "$status" ]; then
		kill "$pid" 2>/dev/null
		break
	fi
	if [ $((SECONDS - last)) -ge 30 ]; then
		last=$SECONDS
		log "running $(elapsed $start): $(grep -c '^ok ' "$tests" 2>/dev/null) ok," \
			"$(grep -c '^not ok ' "$tests" 2>/dev/null) not ok so far"
	fi
done
wait "$pid" 2>/dev/null && rc=0 || rc=$?

if [ -z "$status" ]; then
	if grep -q 'Kernel panic - not syncing' "$console" 2>/dev/null; then
		status=panic
	elif grep -q '^# harness: done' "$tests" 2>/dev/null; then
		status=done
	elif [ ! -s "$console" ]; then
		status=qemu-error
	else
		status=exited
	fi
fi
echo "$status" >"$rundir/boot-status"
case $status in
done) log "guest finished in $(elapsed $start)"; exit 0 ;;
panic) die "$EX_BOOT" "guest kernel panicked: $(grep -m1 -o 'Kernel panic.*' "$console" | tr -d '\r')" ;;
boot-timeout) die "$EX_BOOT" "guest hung: init did not start within $BOOT_TIMEOUT s (see $console)" ;;
hang) die "$EX_BOOT" "guest hung: not finished within $TIMEOUT s (see $console)" ;;
qemu-error) die "$EX_BOOT" "QEMU failed (exit $rc): $(head -c 300 "$rundir/qemu.log")" ;;
*) die "$EX_BOOT" "guest stopped before finishing its plan (QEMU exit $rc; see $console)" ;;
esac
