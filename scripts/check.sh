#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check the series as a maintainer receives it: the series file and
# patches/ list the same patches, every patch applies in order to the
# pinned tree, and scripts/checkpatch.pl --strict reports no error and no
# warning on any patch.
#
# Usage: check.sh KSRC SERIES_FILE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "$EX_USAGE" "usage: check.sh KSRC SERIES_FILE"
ksrc=$1 series=$2
pdir=$(dirname "$series")/patches
bad=0

listed=$(sed 's/#.*//' "$series" | awk 'NF { print $1 }')
dups=$(printf '%s\n' "$listed" | sort | uniq -d)
[ -z "$dups" ] || { log "series lists twice: $dups"; bad=1; }
for p in "$pdir"/*.patch; do
	[ -e "$p" ] || continue
	# a here-string, not a pipe: grep -q leaving early would fail the
	# pipeline (SIGPIPE under pipefail) for a patch that is listed
	grep -qxF "${p##*/}" <<<"$listed" || { log "${p##*/}: in patches/ but not in series"; bad=1; }
done
[ $bad -eq 0 ] || die "$EX_CHECK" "series and patches/ disagree"
log "series: $(printf '%s\n' "$listed" | grep -c .) patches, all in patches/"

"$HARNESS_TOP/scripts/apply-series.sh" "$ksrc" "$series" || exit $?

while read -r name; do
	[ -n "$name" ] || continue
	# Debian's python3 first: checkpatch runs spdxcheck.py, which needs python3-ply.
	out=$(cd "$ksrc" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --showfile --color=never "$pdir/$name" 2>&1) || true
	total=$(printf '%s\n' "$out" | sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1 \2 \3/p')
	read -r e w c <<<"${total:-? ? ?}"
	printf '%s: checkpatch: %s errors, %s warnings, %s checks\n' "$name" "$e" "$w" "$c"
	if [ "$e" != 0 ] || [ "$w" != 0 ]; then
		printf '%s\n' "$out" | sed 's/^/    /'
		bad=1
	fi
done <<<"$listed"
[ $bad -eq 0 ] || die "$EX_CHECK" "checkpatch --strict found errors or warnings"
log "all patches apply and pass checkpatch --strict"
