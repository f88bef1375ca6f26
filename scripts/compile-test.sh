#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compile exactly the C files the series touches, with W=1 and sparse
# (C=1), once on the series and once on the base, and report every
# warning the series adds.
#
# Sparse runs only if the tree accepts the installed one: since 7.1 the
# kernel needs a sparse that knows __typeof_unqual__
# (scripts/checker-valid.sh), which Debian's 0.6.4 does not, and Kbuild
# then turns C=1 off with a warning that the series and the base logs
# share, so nothing would show that sparse never ran.  The checks made are
# written to $OUT/compile-test/checks.txt, which commit messages quote.
#
# Each file is tried on the configurations in config/compile-test/, in
# order (x86_64 allmodconfig first, then cross builds with Debian's cross
# compilers), until one of them builds its object; the report says which
# configuration covered each file, and lists any file none covered.
# tools/testing/nvdimm is built as the external module it is.
#
# Usage: compile-test.sh KSRC
# Output: $OUT/compile-test/report.txt; exit 0 only if every file was
# compiled and no new warning appeared.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compile-lib.sh"

[ $# -eq 1 ] || die "$EX_USAGE" "usage: compile-test.sh KSRC"
ksrc=$(realpath "$1")
work=$OUT/compile-test
base=$work/base-tree
mkdir -p "$work"
report=$work/report.txt
jobs=${JOBS:-$(nproc)}

if [ "$(sh "$ksrc/scripts/checker-valid.sh" sparse -m64 2>/dev/null)" = 1 ]; then
	checksrc=C=1
	echo 'W=1 and sparse (C=1)' >"$work/checks.txt"
else
	checksrc=
	echo 'W=1' >"$work/checks.txt"
	log "sparse ($(sparse --version 2>/dev/null || echo not installed)) cannot check this tree:" \
		"scripts/checker-valid.sh refuses it; compiling with W=1 only"
fi

mapfile -t files < <(git -C "$ksrc" diff --name-only --diff-filter=M cmwq-base..HEAD -- '*.c')
[ ${#files[@]} -gt 0 ] || die "$EX_USAGE" "the series touches no C file"
log "${#files[@]} C files touched by the series"

# A checkout of the base next to the series, for the warnings it already has.
if [ ! -d "$base" ]; then
	git -C "$ksrc" worktree add -q --detach "$base" cmwq-base
fi

# build TREE DIR ARCH CONFIG OBJ...: configure DIR (once) and compile the
# objects, logging to DIR/objs.log.
build() {
	local tree=$1 dir=$2 arch=$3 cfg=$4
	shift 4
	local mk=(kmake "$tree" "$dir" "$arch" -k ${checksrc:+"$checksrc"})
	if [ ! -f "$dir/.config" ]; then
		mkdir -p "$dir"
		# the .config file beside a .conf forces its symbols
		"${mk[@]}" ${cfg:+KCONFIG_ALLCONFIG="$cfg"} allmodconfig >"$dir/config.log" 2>&1 ||
			die "$EX_CONFIG" "$arch: allmodconfig failed; see $dir/config.log"
		"${mk[@]}" prepare >>"$dir/config.log" 2>&1 ||
			die "$EX_BUILD" "$arch: make prepare failed; see $dir/config.log"
	fi
	# compile them afresh: the log must carry every warning they have
	local o
	for o in "$@"; do
		rm -f "$dir/$o"
	done
	"${mk[@]}" "$@" >"$dir/objs.log" 2>&1 || true
}

# record FILE LABEL BASE_LOG SERIES_LOG: report FILE as compiled on LABEL,
# with the warnings the series log has beyond the base log, if any.
record() {
	local added
	added=$(comm -13 <(warnings "$3" "$1") <(warnings "$4" "$1"))
	if [ -n "$added" ]; then
		echo "$1: $2: NEW WARNINGS" >>"$report"
		printf '%s\n' "$added" | sed 's/^/    /' >>"$report"
		newwarn=$((newwarn + 1))
	else
		echo "$1: $2" >>"$report"
	fi
}

: >"$report"
left=("${files[@]}")
newwarn=0
for conf in "$HARNESS_TOP"/config/compile-test/*.conf; do
	[ ${#left[@]} -gt 0 ] || break
	name=$(basename "$conf" .conf)
	arch=$(conf_arch "$name")
	cfg=${conf%.conf}.config
	[ -f "$cfg" ] || cfg=
	cross=$(cc_for "$arch")
	if [ -n "$cross" ] && ! command -v "${cross}gcc" >/dev/null; then
		log "$name: ${cross}gcc not installed, skipped"
		continue
	fi
	objs=()
	for f in "${left[@]}"; do
		case $f in
		tools/*) continue ;;
		esac
		objs+=("$(obj_for "$f")")
	done
	[ ${#objs[@]} -gt 0 ] || continue
	log "$name: compiling ${#objs[@]} objects (series)"
	start=$SECONDS
	build "$ksrc" "$work/$name" "$arch" "$cfg" "${objs[@]}"
	still=()
	done_here=()
	for f in "${left[@]}"; do
		o=$work/$name/$(obj_for "$f")
		if [ "${f#tools/}" = "$f" ] && [ -f "$o" ] && [ "$o" -nt "$work/$name/config.log" ]; then
			done_here+=("$f")
		else
			still+=("$f")
		fi
	done
	left=("${still[@]}")
	[ ${#done_here[@]} -gt 0 ] || continue
	log "$name: compiling ${#done_here[@]} objects (base)"
	bobjs=()
	for f in "${done_here[@]}"; do
		bobjs+=("$(obj_for "$f")")
	done
	build "$base" "$work/base-$name" "$arch" "$cfg" "${bobjs[@]}"
	for f in "${done_here[@]}"; do
		record "$f" "$name" "$work/base-$name/objs.log" "$work/$name/objs.log"
	done
	log "$name: ${#done_here[@]} files compiled in $(elapsed $start)"
done

# tools/testing/nvdimm is an external module build against x86_64.
for f in "${left[@]}"; do
	case $f in
	tools/testing/nvdimm/*) ;;
	*) continue ;;
	esac
	if ! nvdimm_build "$ksrc" "$work/10-x86_64-allmodconfig" "$work/nvdimm-series.log" "$f" ||
		! nvdimm_build "$base" "$work/base-10-x86_64-allmodconfig" "$work/nvdimm-base.log" "$f"; then
		continue
	fi
	record "$f" "10-x86_64-allmodconfig, M=tools/testing/nvdimm" \
		"$work/nvdimm-base.log" "$work/nvdimm-series.log"
	left=("${left[@]/$f/}")
done

missing=0
for f in "${left[@]}"; do
	[ -n "$f" ] || continue
	echo "$f: NOT COMPILED" >>"$report"
	missing=$((missing + 1))
done
sort -o "$report" "$report"
log "report: $report"
echo "$(grep -c . "$report") files: $missing not compiled, $newwarn with new warnings"
[ $missing -eq 0 ] && [ $newwarn -eq 0 ]
