#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Export the tree's series branch (cmwq-base..series) back into patches/
# and the series file with git format-patch.  Patches are written with a
# zero "From" hash and no signature, so that an unchanged commit exports
# to an unchanged file.
#
# Usage: export-series.sh KSRC REPO
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "$EX_USAGE" "usage: export-series.sh KSRC REPO"
ksrc=$1 repo=$(realpath "$2")
[ -z "$(git -C "$ksrc" status --porcelain --untracked-files=no)" ] ||
	die "$EX_APPLY" "$ksrc has uncommitted changes; commit them first"
n=$(git -C "$ksrc" rev-list --count cmwq-base..series)
rm -f "$repo"/patches/*.patch
mkdir -p "$repo/patches"
git -C "$ksrc" format-patch -q -N --zero-commit --no-signature -o "$repo/patches" cmwq-base..series
(cd "$repo/patches" && ls -1 -- *.patch 2>/dev/null || true) >"$repo/series"
# The branch now is what applying the exported series gives.
mapfile -t patches < <(sed "s|^|$repo/patches/|" "$repo/series")
printf '%s %s\n' "$(series_stamp "${patches[@]}")" "$(git -C "$ksrc" rev-parse series)" \
	>"$(git -C "$ksrc" rev-parse --absolute-git-dir)/cmwq-applied"
log "exported $n patches to $repo/patches; run 'make check'"
