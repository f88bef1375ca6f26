#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the patches a quilt series file lists, in order, with git am onto
# the base commit (tag cmwq-base) of TREE: one commit per patch, on the
# branch "series".
#
# A patch that does not apply stops the run naming the patch, its series
# line and the file and hunk git reports; git am is then aborted, so the
# tree is left at the base plus the patches before it, and the message
# says so.  A tree with uncommitted changes is refused.  Commits on the
# branch that are not the last applied series are kept on a backup
# branch before the branch is reset.  The patches are applied in a
# worktree beside TREE (TREE/../.NAME.am), so that TREE itself only sees
# the files that differ from what it had.
#
# With SERIES_FILE "none" the base commit itself is checked out (detached),
# leaving the series branch as it is.
#
# Usage: apply-series.sh TREE SERIES_FILE|none [UPTO]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "$EX_USAGE" "usage: apply-series.sh TREE SERIES_FILE|none [UPTO]"
tree=$1 series=$2 upto=${3:-}
git -C "$tree" rev-parse -q --verify cmwq-base >/dev/null ||
	die "$EX_APPLY" "$tree: no cmwq-base tag; run 'make tree' first"
if [ "$series" = none ]; then
	[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
		die "$EX_APPLY" "$tree has uncommitted changes; commit or stash them first"
	git -C "$tree" checkout -q --detach cmwq-base
	log "pristine tree: cmwq-base checked out"
	exit 0
fi
pdir=$(dirname "$series")/patches
[ -r "$series" ] || die "$EX_APPLY" "$series: series file not readable"

# The patches to apply, in order, with the series line of each.
patches=() lines=()
while read -r n name; do
	[ -f "$pdir/$name" ] || die "$EX_APPLY" "$series:$n: $pdir/$name does not exist"
	patches+=("$pdir/$name")
	lines+=("$n")
done < <(series_lines "$series")
if [ -n "$upto" ]; then
	[[ $upto =~ ^[0-9]+$ ]] && [ "$upto" -le ${#patches[@]} ] ||
		die "$EX_USAGE" "UPTO=$upto: the series has ${#patches[@]} patches"
	patches=("${patches[@]:0:$upto}")
fi

stamp=$(series_stamp "${patches[@]}")
state=$(git -C "$tree" rev-parse --absolute-git-dir)/cmwq-applied
base=$(git -C "$tree" rev-parse cmwq-base)
tip=$(git -C "$tree" rev-parse -q --verify series || echo "$base")

[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$EX_APPLY" "$tree has uncommitted changes; commit them (and 'make export') or stash them first"
[ ! -d "$(git -C "$tree" rev-parse --absolute-git-dir)/rebase-apply" ] ||
	die "$EX_APPLY" "$tree: a git am is in progress; finish it or run 'git -C $tree am --abort'"

# The same series applied last time: just make sure it is checked out.
old_stamp= old_tip=$base
[ ! -f "$state" ] || read -r old_stamp old_tip <"$state"
if [ "$old_stamp" = "$stamp" ] && [ "$old_tip" = "$tip" ]; then
	git -C "$tree" checkout -q series
	log "series already applied (${#patches[@]} patches, HEAD $(git -C "$tree" rev-parse --short HEAD))"
	exit 0
fi
if [ "$tip" != "$old_tip" ]; then
	backup=series-backup-$(date +%Y%m%d-%H%M%S)
	git -C "$tree" branch -f "$backup" "$tip"
	log "branch series had commits that are not the applied series; kept them on branch $backup"
fi
rm -f "$state"
# git am needs a committer; use the harness's when the user has none.
if ! git -C "$tree" config user.email >/dev/null; then
	export GIT_COMMITTER_NAME="cmwq harness" GIT_COMMITTER_EMAIL="harness@cmwq.invalid"
fi

# The patches are applied in a second worktree of the same repository, kept
# between runs, and the tree then checks out the result: files the new
# series leaves as the old one had them keep their timestamps, so a change
# to one patch rebuilds what that patch touches, not what every patch does.
am=$(dirname "$tree")/.$(basename "$tree").am
if ! git -C "$am" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$am"
	git -C "$tree" worktree prune
	git -C "$tree" worktree add -q --detach "$am" cmwq-base
fi
git -C "$am" am --abort >/dev/null 2>&1 || true
git -C "$am" checkout -q -f --detach cmwq-base

# Check out in the tree what the worktree holds, on the branch series.
take_result() {
	git -C "$tree" checkout -q -B series "$(git -C "$am" rev-parse HEAD)"
}

i=0
for p in "${patches[@]}"; do
	if ! out=$(git -C "$am" am -q --no-3way "$(realpath "$p")" 2>&1); then
		git -C "$am" am --abort >/dev/null 2>&1 || true
		take_result
		where=$(printf '%s\n' "$out" | sed -n 's/^error: patch failed: \(.*\):\([0-9]*\)$/\1, hunk at line \2/p;
			s/^error: \(.*\): does not exist in index$/\1 (file does not exist)/p;
			s/^error: \(.*\): already exists in index$/\1 (file already exists)/p' | head -3 | paste -sd';')
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		die "$EX_APPLY" "${p##*/} (series line ${lines[$i]}) does not apply: ${where:-see git am output above};" \
			"tree left at base + $i patches ($(git -C "$tree" rev-parse --short HEAD)) on branch series"
	fi
	i=$((i + 1))
done
take_result
printf '%s %s\n' "$stamp" "$(git -C "$tree" rev-parse HEAD)" >"$state"
log "applied ${#patches[@]} patches onto cmwq-base; HEAD $(git -C "$tree" rev-parse --short HEAD)"
