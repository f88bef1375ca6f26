#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check that the series bisects: check out every commit of the series in
# turn and compile the C files that commit adds or changes, on the
# configuration that compile-test.sh found covers each of them.
#
# A commit passes when each of its objects is built and has no W=1
# warning that the compile-test of the whole series did not already see
# for that file (compile-test.sh has checked those against the base).
# Commits that touch no C file are listed as such.
#
# Usage: bisect-compile.sh KSRC
# Needs: $OUT/compile-test/report.txt and the logs beside it, from a
# compile-test of the same series.
# Output: $OUT/bisect/report.txt; exit 0 if every commit passed, else
# 14 (EX_BUILD).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compile-lib.sh"

[ $# -eq 1 ] || die "$EX_USAGE" "usage: bisect-compile.sh KSRC"
ksrc=$(realpath "$1")
ct=$OUT/compile-test
ctreport=$ct/report.txt
work=$OUT/bisect
tree=$work/tree
report=$work/report.txt
jobs=${JOBS:-$(nproc)}

[ -f "$ctreport" ] || die "$EX_USAGE" "$ctreport: missing; run 'make compile-test' first"
mapfile -t commits < <(git -C "$ksrc" rev-list --reverse cmwq-base..HEAD)
[ ${#commits[@]} -gt 0 ] || die "$EX_USAGE" "$ksrc: no commit on top of cmwq-base"
mkdir -p "$work"

# The tree the commits are checked out in: a worktree of KSRC, so that
# KSRC itself stays on the series tip.
if [ ! -e "$tree/.git" ]; then
	rm -rf "$tree"
	git -C "$ksrc" worktree prune
	git -C "$ksrc" worktree add -q --detach "$tree" cmwq-base
fi
git -C "$tree" reset -q --hard
git -C "$tree" clean -q -fdx

# conf_for FILE: the compile-test configuration that covered FILE; files
# the series adds are not in that report and are built on the first one.
conf_for() {
	local c confs
	c=$(awk -v f="$1:" '$1 == f { sub(/^[^ ]* /, ""); print }' "$ctreport")
	case $c in
	*'NOT COMPILED'* | *'NEW WARNINGS'*)
		die "$EX_CHECK" "$1: $ctreport says '$c'; fix compile-test first" ;;
	'') confs=("$HARNESS_TOP"/config/compile-test/*.conf)
		basename "${confs[0]}" .conf ;;
	*) echo "${c%%,*}" ;;
	esac
}

# make_in NAME ARG...: kmake in the checked-out tree for configuration NAME.
make_in() {
	local name=$1
	shift
	kmake "$tree" "$work/$name" "$(conf_arch "$name")" "$@"
}

# configure NAME COMMIT: an O= directory for NAME, configured again when
# a Kconfig file changed since it was last configured, so that symbols a
# commit adds get their allmodconfig value.  The kernel release does not
# follow the commit, or every checkout would touch utsrelease.h.
configure() {
	local name=$1 c=$2 cfg=$HARNESS_TOP/config/compile-test/$1.config all=$work/$1.allconfig
	local stamp=$work/$1/.bisect-configured-at
	if [ -f "$work/$name/.config" ] && [ -f "$stamp" ] &&
		git -C "$tree" diff --quiet "$(cat "$stamp")" "$c" -- '*Kconfig*'; then
		return
	fi
	mkdir -p "$work/$name"
	{ [ -f "$cfg" ] && cat "$cfg"; echo "# CONFIG_LOCALVERSION_AUTO is not set"; } >"$all"
	log "$name: configuring $work/$name at $(git -C "$tree" log -1 --format=%h "$c")"
	if make_in "$name" KCONFIG_ALLCONFIG="$all" allmodconfig >"$work/$name/config.log" 2>&1 &&
		make_in "$name" prepare >>"$work/$name/config.log" 2>&1; then
		echo "$c" >"$stamp"
	else
		rm -f "$stamp"
		die "$EX_BUILD" "$name: configuring failed; see $work/$name/config.log"
	fi
}

# compile NAME FILE...: build the files' objects on NAME; print a line
# per failed file.
compile() {
	local name=$1 f o objs=() log
	shift
	log=$work/logs/$(git -C "$tree" log -1 --format=%h)-$name.log
	for f in "$@"; do
		o=$(obj_for "$f")
		rm -f "$work/$name/$o"
		objs+=("$o")
	done
	make_in "$name" "${objs[@]}" >"$log" 2>&1 || true
	for f in "$@"; do
		if [ ! -f "$work/$name/$(obj_for "$f")" ]; then
			echo "$f: not built on $name; see $log"
		elif [ -n "$(comm -13 <(warnings "$ct/$name/objs.log" "$f") <(warnings "$log" "$f"))" ]; then
			echo "$f: warnings on $name that the series tip does not have; see $log"
		fi
	done
}

# external FILE: build tools/testing/nvdimm, which FILE is in, as
# compile-test.sh does; print a line if FILE was not built.
external() {
	local log
	log=$work/logs/$(git -C "$tree" log -1 --format=%h)-nvdimm.log
	nvdimm_build "$tree" "$work/10-x86_64-allmodconfig" "$log" "$1" ||
		echo "$1: external module not built; see $log"
}

mkdir -p "$work/logs"
: >"$report"
failed=0
n=0
start=$SECONDS
for c in "${commits[@]}"; do
	n=$((n + 1))
	git -C "$tree" checkout -q --detach "$c"
	subject=$(git -C "$tree" log -1 --format='%h %s')
	mapfile -t files < <(git -C "$tree" diff-tree --no-commit-id --name-only -r \
		--diff-filter=AM "$c" -- '*.c')
	if [ ${#files[@]} -eq 0 ]; then
		printf '%3d %s: no C file\n' "$n" "$subject" >>"$report"
		continue
	fi
	declare -A byconf=()
	problems=()
	built=0
	for f in "${files[@]}"; do
		case $f in
		tools/testing/nvdimm/*)
			configure 10-x86_64-allmodconfig "$c"
			mapfile -t -O ${#problems[@]} problems < <(external "$f")
			built=$((built + 1))
			continue ;;
		tools/* | Documentation/* | scripts/*) continue ;;
		esac
		name=$(conf_for "$f")
		byconf[$name]+="$f "
		built=$((built + 1))
	done
	for name in "${!byconf[@]}"; do
		configure "$name" "$c"
		# shellcheck disable=SC2086 # a list of paths without spaces
		mapfile -t -O ${#problems[@]} problems < <(compile "$name" ${byconf[$name]})
	done
	unset byconf
	if [ ${#problems[@]} -gt 0 ]; then
		failed=$((failed + 1))
		printf '%3d %s: FAILED\n' "$n" "$subject" >>"$report"
		printf '    %s\n' "${problems[@]}" >>"$report"
		log "$n/${#commits[@]} $subject: FAILED"
	else
		printf '%3d %s: %d of %d C files built\n' "$n" "$subject" $built ${#files[@]} >>"$report"
		log "$n/${#commits[@]} $subject: ok"
	fi
done
git -C "$tree" checkout -q --detach cmwq-base
log "report: $report ($(elapsed $start))"
echo "${#commits[@]} commits: $failed failed"
[ $failed -eq 0 ] || exit "$EX_BUILD"
