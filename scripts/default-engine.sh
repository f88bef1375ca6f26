#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The workqueue engine "make" builds when ENGINE is not given: the
# series' own (cmwq) when the patches to apply, the whole series or its
# first UPTO, include the one that adds CONFIG_WQ_ENGINE_CMWQ; upstream's
# for the pristine tree and for a prefix of the series without it.
#
# Usage: default-engine.sh SERIES_FILE|none [UPTO]   (prints the name)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
series=${1:-none} upto=${2:-}
if [ "$series" = none ] || [ ! -r "$series" ]; then
	echo upstream
	exit 0
fi
pdir=$(dirname "$series")/patches
files=()
while read -r _ name; do
	files+=("$pdir/$name")
done < <(series_lines "$series")
# a bad UPTO is apply-series.sh's to refuse
[[ ! $upto =~ ^[0-9]+$ ]] || files=("${files[@]:0:$upto}")
if [ ${#files[@]} -gt 0 ] && grep -qs '^+config WQ_ENGINE_CMWQ$' "${files[@]}"; then
	echo cmwq
else
	echo upstream
fi
