#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one image RUNS times in a row with the same plan and judge them
# together: a test whose verdict depends on timing fails some of the runs.
# Each run keeps its own artifact directory, as "make test" does; the
# stress directory holds each run's output and summary.txt, a line per
# run (its verdict, its artifacts, what failed) and the count.
#
# Usage: RUNS=N stress.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]
# Exit status: 0 if every run passed, EX_TEST otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "$EX_USAGE" "usage: RUNS=N stress.sh KSRC BUILD_DIR PLAN NAME [EXTRA_CMDLINE...]"
ksrc=$1 build=$2 plan=$3 name=$4
shift 4
runs=$(runs_count 20)

dir=$OUT/runs/$(date +%Y%m%d-%H%M%S)-stress-$name
mkdir -p "$dir"
summary=$dir/summary.txt
log "stress: $runs runs of $plan; summary in $summary"
start=$SECONDS passed=0
for i in $(seq "$runs"); do
	rc=0
	t=$SECONDS
	"$HARNESS_TOP/scripts/run.sh" "$ksrc" "$build" "$plan" "$name-stress-$i" "$@" \
		>"$dir/run-$i.log" 2>&1 || rc=$?
	artifacts=$(sed -n 's/^run.sh: artifacts: //p' "$dir/run-$i.log")
	verdict=$(tail -n 1 "$dir/run-$i.log")
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		what=pass
	else
		what="FAIL (exit $rc)"
	fi
	printf 'run %d: %s in %ds: %s; %s\n' "$i" "$what" $((SECONDS - t)) "$verdict" \
		"${artifacts:-no artifacts}" >>"$summary"
	grep -E '^    (failed|TIMEOUT|console\.log line)' "$dir/run-$i.log" | sed 's/^/  /' >>"$summary" || true
	log "run $i of $runs: $what ($verdict)"
done
elapsed=$((SECONDS - start))
printf '%d of %d runs passed in %dm%02ds\n' "$passed" "$runs" $((elapsed / 60)) $((elapsed % 60)) |
	tee -a "$summary"
[ "$passed" -eq "$runs" ] || exit "$EX_TEST"
