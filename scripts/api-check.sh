#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compare the workqueue engine's interface with that of the base release:
# every non-static function (with its prototype), every non-static
# variable, and every export (with its license and namespace).
#
# Both sides are compiled with the flags kbuild used for kernel/workqueue.o
# in BUILD, plus -aux-info (gcc's list of the prototypes a file defines):
#   - the base: kernel/workqueue.c, kernel/workqueue_internal.h and
#     include/linux/workqueue.h as they are at the tag cmwq-base, put in
#     front of the tree's own;
#   - the engine: FILE... of TREE as they are (default kernel/workqueue.c;
#     an engine split over several files lists them all).
# Both as a kernel without KUnit, so that what the configuration builds
# only for the tests (VISIBLE_IF_KUNIT, EXPORT_SYMBOL_IF_KUNIT) is not
# counted as interface.  api-check.py compares the two and names every
# difference; exit 0 when there is none, EX_CHECK otherwise.
#
# Usage: api-check.sh TREE BUILD [FILE...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "$EX_USAGE" "usage: api-check.sh TREE BUILD [FILE...]"
tree=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
shift 2
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(kernel/workqueue.c)
git -C "$tree" rev-parse -q --verify cmwq-base >/dev/null || die "$EX_TREE" "$tree: no cmwq-base tag"

work=$build/api-check
rm -rf "$work"
mkdir -p "$work/base/kernel" "$work/base/include/linux" "$work/engine"
printf '/* a kernel without KUnit: no test-only interface */\n#undef CONFIG_KUNIT\n#undef CONFIG_KUNIT_MODULE\n' \
	>"$work/nokunit.h"
for f in kernel/workqueue.c kernel/workqueue_internal.h include/linux/workqueue.h; do
	git -C "$tree" show "cmwq-base:$f" >"$work/base/$f" || die "$EX_TREE" "cmwq-base has no $f"
done

# kbuild's compiler command for OBJ (its .cmd file), without ccache, the
# dependency output, the object and source, or what runs after (objtool)
cmd_of() {
	local cmd=$build/$(dirname "$1")/.$(basename "$1").cmd
	[ -r "$cmd" ] || die "$EX_BUILD" "$cmd missing: build $1 first (make build)"
	sed -n '1s/^savedcmd_[^ ]* := //p' "$cmd" |
		sed -E 's/^ccache //; s/ -Wp,-MMD,[^ ]+//; s/ -c -o [^ ]+ [^ ;]+ *(;.*)?$//'
}

# compile SIDE NAME SRC OBJ [FLAG...]: SRC to $work/SIDE/NAME.o and .aux,
# with FLAGs before kbuild's (an -I there comes before the tree's)
compile() {
	local side=$1 name=$2 src=$3 obj=$4 cmd
	shift 4
	cmd=$(cmd_of "$obj")
	[[ $cmd == gcc\ * ]] || die "$EX_BUILD" "no gcc command for $obj in $build"
	# kbuild runs its commands in the object directory
	(cd "$build" && eval "gcc $* ${cmd#gcc } -include $work/nokunit.h -aux-info $work/$side/$name.aux \
		-c -o $work/$side/$name.o $src") >"$work/$side/$name.log" 2>&1 ||
		die "$EX_BUILD" "$src did not compile for the interface check; see $work/$side/$name.log"
}

# a kernel built with the series' engine has no kernel/workqueue.o: the
# base is compiled with the flags of the engine's first file instead
base_obj=kernel/workqueue.o
[ -r "$build/kernel/.workqueue.o.cmd" ] || base_obj=${files[0]%.c}.o
compile base workqueue "$work/base/kernel/workqueue.c" "$base_obj" -I"$work/base/include"
args=()
for f in "${files[@]}"; do
	[ -f "$tree/$f" ] || die "$EX_USAGE" "$tree/$f: no such engine file"
	name=${f//\//_}
	compile engine "${name%.c}" "$tree/$f" "${f%.c}.o"
	args+=("$f=$work/engine/${name%.c}")
done
python3 "$HARNESS_TOP/scripts/api-check.py" "kernel/workqueue.c=$work/base/workqueue" -- "${args[@]}" ||
	exit "$EX_CHECK"
