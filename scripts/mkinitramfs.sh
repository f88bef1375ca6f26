#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the guest's initramfs: busybox-static and bash-static from Debian,
# the wrappers and init in qemu/guest/, the modules of the build, and the
# kselftest collections the plan names, installed with the tree's own
# "make -C tools/testing/selftests install", and the guest scripts it
# names.  Shared libraries that the installed test programs need are
# copied from this machine.
#
# Usage: mkinitramfs.sh KSRC BUILD_DIR PLAN OUTPUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || die "$EX_USAGE" "usage: mkinitramfs.sh KSRC BUILD_DIR PLAN OUTPUT"
ksrc=$(realpath "$1") build=$(realpath "$2") plan=$(realpath "$3") output=$4
guest=$HARNESS_TOP/qemu/guest
stage=$build/initramfs
start=$SECONDS

for f in /bin/busybox /bin/bash-static; do
	[ -x "$f" ] || die "$EX_IMAGE" "$f missing (Debian packages busybox-static, bash-static)"
done
! ldd /bin/busybox >/dev/null 2>&1 ||
	die "$EX_IMAGE" "/bin/busybox is not static; install busybox-static"
[ -r "$plan" ] || die "$EX_IMAGE" "$plan: test plan not readable"

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,root,etc/harness}
cp /bin/busybox "$stage/bin/busybox"
for applet in $("$stage/bin/busybox" --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
cp /bin/bash-static "$stage/bin/bash"
install -m 755 "$guest/timeout" "$stage/usr/bin/timeout"
install -m 755 "$guest/modprobe" "$stage/sbin/modprobe"
install -m 755 "$guest/plan-items" "$stage/usr/bin/plan-items"
install -m 755 "$guest/init" "$stage/init"
cp "$plan" "$stage/etc/harness/plan"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

if grep -q '^CONFIG_MODULES=y' "$build/.config"; then
	make -s -C "$ksrc" O="$build" ARCH=x86_64 INSTALL_MOD_PATH="$stage" \
		INSTALL_MOD_STRIP=1 modules_install >"$build/initramfs.log" 2>&1 ||
		die "$EX_IMAGE" "modules_install failed; see $build/initramfs.log"
fi

targets=
for t in $(awk '$1 == "kselftest" { sub(/:.*/, "", $2); print $2 }' "$plan" | sort -u); do
	if [ -d "$ksrc/tools/testing/selftests/$t" ]; then
		targets="$targets $t"
	else
		log "kselftest collection $t is not in this tree"
	fi
done
targets=${targets# }
if [ -n "$targets" ]; then
	log "installing kselftests: $targets"
	make -s -C "$ksrc" O="$build" ARCH=x86_64 headers >>"$build/initramfs.log" 2>&1 ||
		die "$EX_IMAGE" "make headers failed; see $build/initramfs.log"
	make -C "$ksrc/tools/testing/selftests" O="$build" ARCH=x86_64 \
		TARGETS="$targets" KSFT_INSTALL_PATH="$stage/kselftest" -j"$(nproc)" \
		install >>"$build/initramfs.log" 2>&1 ||
		die "$EX_IMAGE" "kselftest install of '$targets' failed; see $build/initramfs.log"
fi

# The harness's own guest scripts the plan names ("script NAME" lines),
# from qemu/guest/scripts/, and the programs each one names on a
# "# harness-needs: PATH..." line, copied from this machine.
needed=()
for s in $(awk '$1 == "script" { print $2 }' "$plan" | sort -u); do
	[ -f "$guest/scripts/$s" ] || die "$EX_IMAGE" "$plan names script $s; there is no $guest/scripts/$s"
	install -D -m 755 "$guest/scripts/$s" "$stage/usr/lib/harness/$s"
	for prog in $(sed -n 's/^# harness-needs://p' "$guest/scripts/$s"); do
		[ -x "$prog" ] || die "$EX_IMAGE" "$prog missing; guest script $s needs it (make deps)"
		install -D -m 755 "$prog" "$stage$prog"
		needed+=("$stage$prog")
	done
done

# Shared libraries (and the loader) of every dynamic program installed.
{ [ ! -d "$stage/kselftest" ] || find "$stage/kselftest" -type f -perm -u+x; printf '%s\n' "${needed[@]}"; } |
	while read -r prog; do
		{ ldd "$prog" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^\t\// { print $1 }'
	done | sort -u | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$output.tmp"
mv "$output.tmp" "$output"
log "initramfs $output: $(du -h "$output" | cut -f1) ($(elapsed $start))"
