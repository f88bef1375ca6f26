#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exercise the series' semantic patch (scripts/coccinelle/api/
# legacy_workqueue.cocci, added by the series) with Debian's spatch in
# report mode, on the files that call the legacy workqueue constructors
# on the base tree (git grep names them, so this stays fast):
#
#  - on the base tree it must report every call git grep finds there,
#    comments and the macros' own definitions aside, and nothing else;
#  - on the tree just before the patch that removes the constructors it
#    must report none in those same files.
#
# config/cocci-macros.h tells spatch the shape of macros it cannot parse
# (a function it cannot parse is skipped with every call in it).
# Reports and the lists compared are kept in $OUT/cocci/.
#
# Usage: cocci-check.sh KSRC
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "$EX_USAGE" "usage: cocci-check.sh KSRC"
ksrc=$1
command -v spatch >/dev/null || die "$EX_DEPS" "spatch not found; run make deps (Debian package coccinelle)"
cocci_path=scripts/coccinelle/api/legacy_workqueue.cocci
re='\bcreate_(singlethread_|freezable_)?workqueue[[:space:]]*\('

git -C "$ksrc" cat-file -e "HEAD:$cocci_path" 2>/dev/null ||
	die "$EX_CHECK" "$ksrc: HEAD has no $cocci_path; apply the whole series first"
# The removal patch is the commit that deletes the constructors' definition.
removal=$(git -C "$ksrc" log -1 --format=%H -G'define create_workqueue\(' cmwq-base..HEAD -- \
	include/linux/workqueue.h)
[ -n "$removal" ] || die "$EX_CHECK" "$ksrc: no commit after cmwq-base removes create_workqueue()"
before=$(git -C "$ksrc" rev-parse "$removal^")

work=$OUT/cocci
rm -rf "$work"
mkdir -p "$work/base" "$work/before"
git -C "$ksrc" show "HEAD:$cocci_path" >"$work/legacy_workqueue.cocci"
# Every line git grep finds (FILE:LINE:TEXT); the files to run spatch on
# are theirs, and the calls it must report are those lines but comments
# and #defines.
git -C "$ksrc" grep -n -E "$re" cmwq-base -- '*.c' '*.h' | sed 's/^cmwq-base://' >"$work/grep"
cut -d: -f1 "$work/grep" | sort -u >"$work/files"
nfiles=$(wc -l <"$work/files")
[ "$nfiles" -gt 0 ] || die "$EX_CHECK" "git grep finds no legacy call on cmwq-base"
awk -F: '{ text = $0; sub(/^[^:]*:[^:]*:/, "", text) }
	text !~ /^[ \t]*(\/\*|\*|\/\/|#[ \t]*define)/ { print $1 ":" $2 }' "$work/grep" |
	sort -u >"$work/expected"

# spatch_tree COMMIT DIR: the listed files as of COMMIT in DIR, reported on.
spatch_tree() {
	local commit=$1 dir=$2 f
	while read -r f; do
		git -C "$ksrc" cat-file -e "$commit:$f" 2>/dev/null || continue
		mkdir -p "$dir/$(dirname "$f")"
		git -C "$ksrc" show "$commit:$f" >"$dir/$f"
	done <"$work/files"
	(cd "$dir" && find . -name '*.[ch]' -printf '%P\n' | sort |
		xargs -r -P "$(nproc)" -n 1 spatch --very-quiet -D report --no-includes \
			--include-headers --macro-file "$HARNESS_TOP/config/cocci-macros.h" \
			--cocci-file "$work/legacy_workqueue.cocci" 2>"$dir.err") >"$dir.report" || true
	{ grep -o '^[^ :]*:[0-9]*:[0-9-]*: WARNING: create_[a-z_]*workqueue()' "$dir.report" ||
		true; } | cut -d: -f1,2 | sort -u
}

spatch_tree cmwq-base "$work/base" >"$work/reported-base"
spatch_tree "$before" "$work/before" >"$work/reported-before"

fail=0
missed=$(comm -23 "$work/expected" "$work/reported-base")
extra=$(comm -13 "$work/expected" "$work/reported-base")
nexp=$(wc -l <"$work/expected")
nrep=$(wc -l <"$work/reported-base")
log "base tree: git grep finds $nexp legacy calls in $nfiles files; spatch reports $nrep"
if [ -n "$missed" ]; then
	log "spatch missed these calls on the base tree (spatch's errors: $work/base.err):"
	printf '%s\n' "$missed" | sed 's/^/  /' >&2
	fail=1
fi
if [ -n "$extra" ]; then
	log "spatch reported these lines, where git grep finds no call:"
	printf '%s\n' "$extra" | sed 's/^/  /' >&2
	fail=1
fi
nbefore=$(wc -l <"$work/reported-before")
log "before the removal ($(git -C "$ksrc" log -1 --format='%h %s' "$before")): spatch reports $nbefore"
if [ "$nbefore" -ne 0 ]; then
	log "legacy calls left before the removal patch:"
	sed 's/^/  /' "$work/reported-before" >&2
	fail=1
fi
[ $fail -eq 0 ] || die "$EX_CHECK" "the semantic patch check failed; reports in $work"
log "ok: every legacy call reported on the base tree, none before the removal"
