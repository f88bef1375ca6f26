#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove the test suite can fail: apply each mutant in selftests/mutants/
# to the series tree, rebuild, run the mutant plan RUNS times (default 1),
# and expect the verdict to fail every time.  The tree is restored after
# each mutant (and on exit).  The report gives, per mutant, the runs that
# failed out of RUNS and what failed in each.
#
# Usage: [RUNS=N] [GUEST_ENV=WORDS] mutants.sh KSRC BUILD_DIR [MUTANT...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "$EX_USAGE" "usage: mutants.sh KSRC BUILD_DIR [MUTANT...]"
ksrc=$1 build=$2
shift 2
runs=$(runs_count 1)
# the mutants of the engine the kernel is built with (ENGINE=cmwq: cmwq/)
mdir=$HARNESS_TOP/selftests/mutants${MUTANTS_ENGINE:+/$MUTANTS_ENGINE}
plan=$HARNESS_TOP/selftests/mutants/plan
if [ $# -eq 0 ]; then
	set -- "$mdir"/*.patch
fi
# A mutant is a file, or the name of one in $mdir (with or without .patch).
mutants=()
for m in "$@"; do
	for f in "$m" "$mdir/$m" "$mdir/$m.patch"; do
		[ -f "$f" ] && break
	done
	[ -f "$f" ] || die "$EX_USAGE" "mutant $m: no such file, nor $mdir/$m.patch"
	mutants+=("$(realpath "$f")")
done
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
# caught_by RESULTS_JSON: what failed in a run, on one line.
caught_by() {
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = []
if r['boot'] != 'done':
	by.append('boot ' + r['boot'])
for i in r['items']:
	if i['status'] != 'pass':
		names = i['failures'] or i['errors'] or [i['status']]
		# a guest that hung leaves the cases after it with no name
		named = [n for n in names if not n.endswith('.')]
		if len(named) < len(names):
			named.append(f'{len(names) - len(named)} more without a result')
		by.append(f"{i['kind']} {i['name']}: {', '.join(named)}")
if r['console']:
	by.append('console: ' + ', '.join(sorted({c['kind'] for c in r['console']})))
print('; '.join(by))
PY
}

caught=0 survived=0
report=$OUT/mutants.txt
: >"$report"
engine_src=kernel/workqueue.c
[ -z "${MUTANTS_ENGINE:-}" ] || engine_src=kernel/workqueue/
for m in "${mutants[@]}"; do
	name=$(basename "$m" .patch)
	git -C "$ksrc" apply --check "$m" 2>/dev/null ||
		die "$EX_APPLY" "$m does not apply to the series; rewrite it against $engine_src"
	git -C "$ksrc" apply "$m"
	applied=$m
	log "mutant $name: $(head -1 "$m")"
	"$HARNESS_TOP/scripts/build.sh" "$ksrc" "$build"
	# A mutant is caught only if every one of its RUNS runs fails: a
	# test that catches it by luck of timing would let it through some
	# day, and that must show here.
	failed=0 whys=()
	for run in $(seq "$runs"); do
		rc=0
		# shellcheck disable=SC2086 # GUEST_ENV is a list of words
		"$HARNESS_TOP/scripts/run.sh" "$ksrc" "$build" "$plan" "mutant-$name-$run" \
			harness.env.WQ_TORTURE_DURATION=20 ${GUEST_ENV:-} >/dev/null || rc=$?
		# Only a failed test or a guest that did not finish catch a
		# mutant; any other failure (a guest that ran another plan,
		# say) proves nothing.
		case $rc in
		0)
			whys+=("run $run: every test passed")
			;;
		"$EX_BOOT" | "$EX_TEST")
			failed=$((failed + 1))
			whys+=("run $run: $(caught_by "$OUT/runs/latest/results.json")")
			;;
		*)
			die "$rc" "mutant $name, run $run: the run failed with exit $rc, which is no verdict on the mutant"
			;;
		esac
	done
	if [ "$failed" -eq "$runs" ]; then
		line="$name: caught $failed/$runs"
		caught=$((caught + 1))
	else
		line="$name: SURVIVED, caught $failed/$runs"
		survived=$((survived + 1))
	fi
	line="$line$(printf '\n    %s' "${whys[@]}")"
	echo "$line" | tee -a "$report"
	restore
done
echo "mutants: report in $report"
echo "$caught passed, $survived failed"
[ "$survived" -eq 0 ]
