#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Record in each commit message of FROM..series how the C files it touches
# were compile-tested, from the compile-test report.  Only messages change:
# trees stay as they are, so nothing needs rebuilding.  Export afterwards.
#
# Usage: note-compile-test.sh KSRC REPORT FROM
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "$EX_USAGE" "usage: note-compile-test.sh KSRC REPORT FROM"
ksrc=$1
REPORT=$(realpath "$2")
export REPORT
FILTER_BRANCH_SQUELCH_WARNING=1 git -C "$ksrc" filter-branch -f \
	--msg-filter "python3 $HARNESS_TOP/scripts/note-compile-test.py" "$3^..series"
