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

# spatch_tree COMMIT DIR: the listed files as of COMMIT in DIR, reported
# on, one spatch per file; its exit status and messages are kept beside
# the file (FILE.rc, FILE.err) so that a file spatch failed on is named.
# spatch is given Debian's python3 for its Python rules: left alone it
# asks whatever "python3" PATH finds (pyenv, a venv) where its library is,
# and on a minimal Debian root it then finds none.
spatch_tree() {
	local commit=$1 dir=$2 f
	while read -r f; do
		git -C "$ksrc" cat-file -e "$commit:$f" 2>/dev/null || continue
		mkdir -p "$dir/$(dirname "$f")"
		git -C "$ksrc" show "$commit:$f" >"$dir/$f"
	done <"$work/files"
	(cd "$dir" && find . -name '*.[ch]' -printf '%P\n' | sort |
		xargs -r -P "$(nproc)" -I{} sh -c \
			'spatch --very-quiet --python /usr/bin/python3 -D report --no-includes --include-headers \
				--macro-file "$1" --cocci-file "$2" "$3" >"$3.out" 2>"$3.err"
			echo $? >"$3.rc"' - "$HARNESS_TOP/config/cocci-macros.h" \
			"$work/legacy_workqueue.cocci" {})
	find "$dir" -name '*.rc' -printf '%P\n' | sort | while read -r f; do
		[ "$(cat "$dir/$f")" = 0 ] || echo "${f%.rc}"
	done >"$dir.failed"
	find "$dir" -name '*.out' -print0 | sort -z | xargs -0 -r cat >"$dir.report"
	{ grep -o '^[^ :]*:[0-9]*:[0-9-]*: WARNING: create_[a-z_]*workqueue()' "$dir.report" ||
		true; } | cut -d: -f1,2 | sort -u
}

# spatch_failed DIR: name the files spatch exited non-zero on, with the
# start of its messages.
spatch_failed() {
	local dir=$1 f
	[ -s "$dir.failed" ] || return 0
	log "spatch failed on $(wc -l <"$dir.failed") files of $(basename "$dir"):"
	while read -r f; do
		echo "  $f (exit $(cat "$dir/$f.rc")): $(head -c 300 "$dir/$f.err" | tr '\n' ' ')" >&2
	done <"$dir.failed"
	return 1
}

spatch_tree cmwq-base "$work/base" >"$work/reported-base"
spatch_tree "$before" "$work/before" >"$work/reported-before"

fail=0
spatch_failed "$work/base" || fail=1
spatch_failed "$work/before" || fail=1
missed=$(comm -23 "$work/expected" "$work/reported-base")
extra=$(comm -13 "$work/expected" "$work/reported-base")
nexp=$(wc -l <"$work/expected")
nrep=$(wc -l <"$work/reported-base")
log "base tree: git grep finds $nexp legacy calls in $nfiles files; spatch reports $nrep"
if [ -n "$missed" ]; then
	log "spatch missed these calls on the base tree:"
	printf '%s\n' "$missed" | while IFS=: read -r f line; do
		echo "  $f:$line; spatch said: $(head -c 300 "$work/base/$f.err" | tr '\n' ' ')" >&2
	done
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
