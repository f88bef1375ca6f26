#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build bzImage and modules in an O= directory, through ccache when it is
# installed, printing a progress line every 30 s.  The full make output
# goes to BUILD_DIR/build.log; on failure its errors are shown.
#
# Usage: build.sh KSRC BUILD_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "$EX_USAGE" "usage: build.sh KSRC BUILD_DIR"
ksrc=$(realpath "$1") build=$(realpath "$2")
[ -f "$build/.config" ] || die "$EX_BUILD" "$build/.config missing; configure first"
jobs=${JOBS:-$(nproc)}
cc=gcc
if command -v ccache >/dev/null 2>&1 && [ "${CCACHE:-1}" != 0 ]; then
	cc="ccache gcc"
	export CCACHE_DIR=${CCACHE_DIR:-$OUT/ccache}
	# kernel builds embed the build dir and time; make hits independent of both
	export CCACHE_BASEDIR=$OUT CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
fi

start=$SECONDS
log "make -j$jobs bzImage modules in $build (CC='$cc')"
make -C "$ksrc" O="$build" ARCH=x86_64 CC="$cc" LOCALVERSION= -j"$jobs" bzImage modules \
	>"$build/build.log" 2>&1 &
pid=$!
until timeout 30 tail --pid="$pid" -f /dev/null; do
	log "building: $(grep -c '^  CC ' "$build/build.log" || true) objects compiled, $(elapsed $start)"
done
if ! wait "$pid"; then
	grep -E -m 20 'error:|ERROR:|Error [0-9]|\*\*\*' "$build/build.log" >&2 || tail -20 "$build/build.log" >&2
	die "$EX_BUILD" "kernel build failed; full log in $build/build.log"
fi
grep -E 'warning:' "$build/build.log" >"$build/warnings.log" || true
log "built $(cat "$build/include/config/kernel.release") in $(elapsed $start)," \
	"$(wc -l <"$build/warnings.log") warning line(s)"
