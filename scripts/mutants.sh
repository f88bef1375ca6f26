#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove the test suite can fail: apply each mutant in selftests/mutants/
# to the series tree, rebuild, run the mutant plan, and expect the verdict
# to fail.  The tree is restored after each mutant (and on exit).
#
# Usage: mutants.sh KSRC BUILD_DIR [MUTANT...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "$EX_USAGE" "usage: mutants.sh KSRC BUILD_DIR [MUTANT...]"
ksrc=$1 build=$2
shift 2
mdir=$HARNESS_TOP/selftests/mutants
plan=$mdir/plan
if [ $# -eq 0 ]; then
	set -- "$mdir"/*.patch
fi
[ -z "$(git -C "$ksrc" status --porcelain --untracked-files=no)" ] ||
	die "$EX_APPLY" "$ksrc has uncommitted changes"

applied=
restore() {
	[ -z "$applied" ] || git -C "$ksrc" apply -R "$applied"
	applied=
}
trap restore EXIT

export INITRD=$build/initramfs-mutants.cpio.gz TIMEOUT=${TIMEOUT:-900}
# Mutants only change built-in code: one image (modules, tests) serves all.
"$HARNESS_TOP/scripts/mkinitramfs.sh" "$ksrc" "$build" "$plan" "$INITRD"
caught=0 survived=0
report=$OUT/mutants.txt
: >"$report"
for m in "$@"; do
	m=$(realpath "$m")
	name=$(basename "$m" .patch)
	git -C "$ksrc" apply --check "$m" 2>/dev/null ||
		die "$EX_APPLY" "$m does not apply to the series; rewrite it against kernel/workqueue.c"
	git -C "$ksrc" apply "$m"
	applied=$m
	log "mutant $name: $(head -1 "$m")"
	"$HARNESS_TOP/scripts/build.sh" "$ksrc" "$build"
	rc=0
	"$HARNESS_TOP/scripts/run.sh" "$ksrc" "$build" "$plan" "mutant-$name" \
		harness.env.WQ_TORTURE_DURATION=20 >/dev/null || rc=$?
	# Only a failed test or a guest that did not finish catch a mutant;
	# any other failure (a guest that ran another plan, say) proves nothing.
	case $rc in
	0)
		line="$name: SURVIVED (every test passed)"
		survived=$((survived + 1))
		;;
	"$EX_BOOT" | "$EX_TEST")
		by=$(python3 - "$OUT/runs/latest/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = []
if r['boot'] != 'done':
	by.append('boot ' + r['boot'])
for i in r['items']:
	if i['status'] != 'pass':
		names = i['failures'] or i['errors'] or [i['status']]
		by.append(f"{i['kind']} {i['name']}: {', '.join(names)}")
if r['console']:
	by.append('console: ' + ', '.join(sorted({c['kind'] for c in r['console']})))
print('; '.join(by))
PY
)
		line="$name: caught by $by"
		caught=$((caught + 1))
		;;
	*)
		die "$rc" "mutant $name: the run failed with exit $rc, which is no verdict on the mutant"
		;;
	esac
	echo "$line" | tee -a "$report"
	restore
done
echo "mutants: report in $report"
echo "$caught passed, $survived failed"
[ "$survived" -eq 0 ]
