#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fresh-machine check ("make fresh-check"): does scripts/deps.sh
# install every command that the image step, and the kernel targets it
# calls, need?  A developer's machine or a reused CI machine may have a
# package installed by hand (rsync was one) that a fresh Debian machine
# does not have.
#
# A minbase Debian root of this machine's release is made with mmdebstrap
# from this machine's own apt sources (no host name is written anywhere)
# and cached as a tarball in $DL_DIR/fresh-root/.  Each run unpacks it
# afresh and, in a private mount namespace, chroots into it with the
# repository and $OUT bind-mounted read-only at their own paths, the
# ccache dir read-write, and the build directory as an overlay (the run
# writes into the overlay only; the kselftest objects and installed
# headers are dropped in it, so that they are built again with the root's
# own tools).  Inside, scripts/deps.sh installs what it lists, and then
# scripts/mkinitramfs.sh runs with the arguments "make image" gives it.
# A command that is missing fails the check, naming it.  Downloaded
# packages are kept in $DL_DIR/fresh-apt/; logs are left in $OUT/fresh/.
#
# The kernel must be built already ("make build" or "make test"): this
# script never builds it.
#
# Usage: fresh-machine.sh KSRC BUILD_DIR PLAN OUTPUT   (as root)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DL_DIR=${DL_DIR:-$OUT/dl}
CCACHE_DIR=${CCACHE_DIR:-$OUT/ccache}
# Days after which the cached root is made again from the archive.
ROOT_MAX_AGE=${ROOT_MAX_AGE:-30}
logs=$OUT/fresh
scratch=$logs/run

# missing_commands LOG...: the commands that a shell or make could not find.
missing_commands() {
	sed -nE \
		-e 's/^make(\[[0-9]+\])?: ([^ :]+): (No such file or directory|Command not found)$/\2/p' \
		-e 's/^.*: ([^ :]+): command not found$/\1/p' \
		-e 's/^.*: [0-9]+: ([^ :]+): not found$/\1/p' \
		"$@" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------
# Inside the private mount namespace: mount, chroot, run the two steps.
# ---------------------------------------------------------------------
if [ "${1:-}" = --inside ]; then
	shift
	ksrc=$1 build=$2 plan=$3 output=$4
	root=$scratch/root
	ro_bind() {
		mkdir -p "$root$1"
		mount --bind "$1" "$root$1"
		mount -o remount,bind,ro "$root$1"
	}
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --rbind /dev "$root/dev"
	ro_bind "$HARNESS_TOP"
	case $OUT/ in "$HARNESS_TOP"/*) ;; *) ro_bind "$OUT" ;; esac
	case $ksrc/ in "$HARNESS_TOP"/* | "$OUT"/*) ;; *) ro_bind "$ksrc" ;; esac
	mkdir -p "$CCACHE_DIR" "$DL_DIR/fresh-apt/partial" "$root$CCACHE_DIR" "$root/var/cache/apt/archives"
	mount --bind "$CCACHE_DIR" "$root$CCACHE_DIR"
	mount --bind "$DL_DIR/fresh-apt" "$root/var/cache/apt/archives"
	mount -t overlay overlay \
		-o "lowerdir=$build,upperdir=$scratch/upper,workdir=$scratch/work" "$root$build"
	rm -rf "$root$build/kselftest" "$root$build/usr/include"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

	env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		HOME=/root LANG=C.UTF-8 TERM=dumb OUT="$OUT" DL_DIR="$DL_DIR" CCACHE_DIR="$CCACHE_DIR")
	for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
		[ -z "${!v:-}" ] || env+=("$v=${!v}")
	done
	in_root() { chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c 'cd "$1" && shift && "$@"' - "$HARNESS_TOP" "$@"; }

	set +e
	t=$SECONDS
	in_root scripts/deps.sh 2>&1 | tee "$logs/deps.out"
	rc=${PIPESTATUS[0]}
	cp "$root/tmp/cmwq-deps.log" "$logs/deps.log" 2>/dev/null
	[ "$rc" -eq 0 ] || exit 100
	log "scripts/deps.sh in the fresh root: done ($(elapsed $t))"
	in_root scripts/mkinitramfs.sh "$ksrc" "$build" "$plan" "$output" 2>&1 | tee "$logs/image.out"
	rc=${PIPESTATUS[0]}
	cp "$root$build/initramfs.log" "$logs/initramfs.log" 2>/dev/null
	[ "$rc" -eq 0 ] || exit 101
	[ -s "$root$output" ] || exit 102
	# Keep the package cache to what the archive still serves.
	in_root apt-get -q autoclean >/dev/null 2>&1
	exit 0
fi

[ $# -eq 4 ] || die "$EX_USAGE" "usage: fresh-machine.sh KSRC BUILD_DIR PLAN OUTPUT"
[ "$(id -u)" = 0 ] || die "$EX_USAGE" "the fresh-machine check needs root (mmdebstrap, mounts, chroot)"
command -v mmdebstrap >/dev/null || die "$EX_DEPS" "mmdebstrap missing (Debian package mmdebstrap; make fresh-check installs it)"
ksrc=$(realpath "$1") build=$(realpath "$2") plan=$(realpath "$3") output=$4
case $output in /*) ;; *) output=$PWD/$output ;; esac
[ -f "$build/.config" ] && [ -f "$build/arch/x86/boot/bzImage" ] ||
	die "$EX_IMAGE" "no kernel built in $build; run 'make build' (or 'make test') with the same SERIES and FLAVOUR first"
case $build/ in "$OUT"/*) ;; *) die "$EX_USAGE" "$build is not under OUT=$OUT" ;; esac
case $output in "$build"/*) ;; *) die "$EX_USAGE" "$output is not in $build" ;; esac
start=$SECONDS

# ---------------------------------------------------------------------
# The root: a minbase tarball of this machine's release, from its own
# apt sources, cached until they change or it is $ROOT_MAX_AGE days old.
# ---------------------------------------------------------------------
codename=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "$EX_DEPS" "/etc/os-release names no release codename"
mkdir -p "$logs" "$DL_DIR/fresh-root"
src=$logs/sources
rm -rf "$src"
mkdir -p "$src"
# The binary entries that serve this release, its updates and its security
# updates, from deb822 stanzas and one-line entries alike.
apt_entries "$src/fresh" deb "" -updates -security ||
	die "$EX_DEPS" "no apt source for '$codename' in /etc/apt; cannot make a $codename root"
mirrors=("$src"/fresh.*)
# The machine's own Acquire settings that a fresh machine of this kind
# would have too: proxies and release-file date checks.
apt-config dump Acquire |
	grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' >"$src/apt.conf" || true
include=()
! grep -qs 'https://' "${mirrors[@]}" || include+=(--include=ca-certificates)

key=$(cat "${mirrors[@]}" "$src/apt.conf" <(printf '%s\n' minbase "${include[@]}") | sha256sum | cut -c1-12)
tarball=$DL_DIR/fresh-root/$codename-minbase-$key.tar.gz
if [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime +"$ROOT_MAX_AGE")" ]; then
	log "cached root $tarball is older than $ROOT_MAX_AGE days; making it again"
	rm -f "$tarball"
fi
make_root() {
	local t=$SECONDS
	log "making a minbase $codename root with mmdebstrap (log: $logs/mmdebstrap.log)"
	find "$DL_DIR/fresh-root" -maxdepth 1 -name '*.tar.gz*' -delete
	mmdebstrap --mode=root --variant=minbase "${include[@]}" \
		--aptopt="$src/apt.conf" --dpkgopt=force-unsafe-io \
		--format=tar "$codename" "${tarball%.tar.gz}.tmp.tar.gz" "${mirrors[@]}" \
		</dev/null >"$logs/mmdebstrap.log" 2>&1 ||
		die "$EX_DEPS" "mmdebstrap failed; see $logs/mmdebstrap.log"
	mv "${tarball%.tar.gz}.tmp.tar.gz" "$tarball"
	log "root $tarball: $(du -h "$tarball" | cut -f1) ($(elapsed $t))"
}
made_root=0
if [ ! -f "$tarball" ]; then
	make_root
	made_root=1
else
	log "root: $tarball (cached)"
fi

# ---------------------------------------------------------------------
# A fresh copy of the root, then the two steps in a private mount
# namespace: every mount goes away with it, whatever happens.
# ---------------------------------------------------------------------
clean_scratch() {
	if grep -qF " $scratch/" /proc/self/mountinfo; then
		die "$EX_USAGE" "something is mounted under $scratch; not removing it"
	fi
	rm -rf "$scratch"
}
# run_steps: unpack the root afresh and run the two steps in it; sets rc.
run_steps() {
	clean_scratch
	mkdir -p "$scratch/root" "$scratch/upper" "$scratch/work"
	rm -f "$logs"/*.out "$logs"/deps.log "$logs"/initramfs.log
	local t=$SECONDS
	tar -C "$scratch/root" --numeric-owner -xzf "$tarball"
	log "root unpacked in $scratch/root ($(elapsed $t))"
	log "running scripts/deps.sh and the image step in the fresh root"
	set +e
	DL_DIR=$DL_DIR CCACHE_DIR=$CCACHE_DIR \
		unshare --mount --propagation private -- "$HARNESS_TOP/scripts/${0##*/}" --inside \
		"$ksrc" "$build" "$plan" "$output" </dev/null
	rc=$?
	set -e
	clean_scratch
}
run_steps
# A root cached by an earlier run may no longer agree with what the
# archive serves; one made now does.  A failure in a root made by this
# run is the script's own.
if [ "$rc" = 100 ] && [ "$made_root" = 0 ]; then
	log "scripts/deps.sh failed in the cached root; making the root again and trying once more"
	make_root
	run_steps
fi

case $rc in
0)
	log "a fresh $codename machine has every command the image step needs ($(elapsed $start))"
	exit 0 ;;
100)
	missing=$(missing_commands "$logs/deps.out" "$logs/deps.log")
	[ -z "$missing" ] ||
		die "$EX_DEPS" "on a fresh $codename root, scripts/deps.sh needs '$missing', which it does not install (see $logs/deps.out)"
	die "$EX_DEPS" "scripts/deps.sh failed on a fresh $codename root; see $logs/deps.out and $logs/deps.log" ;;
101)
	missing=$(missing_commands "$logs/image.out" "$logs/initramfs.log")
	[ -z "$missing" ] ||
		die "$EX_IMAGE" "on a fresh $codename root after scripts/deps.sh, the image step needs '$missing', which scripts/deps.sh does not install (see $logs/initramfs.log)"
	die "$EX_IMAGE" "the image step failed on a fresh $codename root after scripts/deps.sh; see $logs/image.out and $logs/initramfs.log" ;;
102)
	die "$EX_IMAGE" "the image step left no $output in the fresh root" ;;
*)
	die "$EX_IMAGE" "setting up the fresh root failed (exit $rc)" ;;
esac
