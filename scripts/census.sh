#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel threads after boot, pristine vs series: boot each kernel
# CENSUS_BOOTS times (default 3) with a short plan, take the census the
# guest prints as init starts, and compare.  Every rescuer that only the
# pristine kernel has must belong to a legacy queue that the series
# converted without WQ_MEM_RECLAIM; the report names the patch, and a
# rescuer it cannot account for fails the run.  Report: $OUT/census.txt.
#
# Usage: census.sh KSRC PRISTINE_BUILD SERIES_BUILD PLAN SERIES_FILE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 5 ] || die "$EX_USAGE" "usage: census.sh KSRC PRISTINE_BUILD SERIES_BUILD PLAN SERIES_FILE"
ksrc=$1 pristine=$2 series=$3 plan=$4 series_file=$5
boots=${CENSUS_BOOTS:-3}
report=$OUT/census.txt
runs=()

for variant in pristine series; do
	build=${!variant}
	extra=()
	[ "$variant" = series ] || extra=(harness.allow_missing=1)
	for i in $(seq "$boots"); do
		log "$variant boot $i of $boots"
		"$HARNESS_TOP/scripts/run.sh" "$ksrc" "$build" "$plan" "census-$variant-$i" \
			"${extra[@]}" >/dev/null ||
			die "$EX_TEST" "census boot $i of the $variant kernel failed: $(readlink -f "$OUT/runs/latest")/summary.txt"
		runs+=("$variant=$(readlink -f "$OUT/runs/latest")")
	done
done

python3 - "$report" "$(dirname "$series_file")" "$series_file" "$ksrc" "${runs[@]}" <<'PY' || die "$EX_TEST" "rescuers the series does not account for; see $report"
import json, os, re, statistics, subprocess, sys

report, top, series_file, ksrc = sys.argv[1:5]
census = {'pristine': [], 'series': []}
for arg in sys.argv[5:]:
	variant, rundir = arg.split('=', 1)
	with open(os.path.join(rundir, 'results.json')) as f:
		c = json.load(f)['census']
	if 'rescuer_names' not in c:
		sys.exit(f'{rundir}: the guest printed no census')
	census[variant].append(c)

out = [f'Kernel threads right after boot, {len(census["series"])} boots of each kernel',
       '(FLAVOUR=census: the harness config plus converted code built in)', '']
out.append(f'{"":10} {"kthreads":>14} {"kworkers":>14} {"rescuers":>14}')
for variant, cs in census.items():
	cells = []
	for key in ('kthreads', 'kworkers', 'rescuers'):
		v = sorted(int(c[key]) for c in cs)
		cells.append(f'{statistics.median(v):g} ({v[0]}-{v[-1]})')
	out.append(f'{variant:10} ' + ' '.join(f'{c:>14}' for c in cells))
out.append('')

# The rescuer set of a kernel does not vary between boots; say so if it does.
names = {}
for variant, cs in census.items():
	sets = {tuple(c['rescuer_names']) for c in cs}
	if len(sets) != 1:
		out.append(f'warning: {variant} rescuers differ between boots')
	names[variant] = set().union(*map(set, sets))

# Which patch removed the legacy call that named each queue?  The name
# is the call's first argument: a string literal, or an identifier that
# the pristine tree defines (through a few #defines) as one.
legacy = re.compile(r'^-(?!\s*#).*\bcreate_(?:singlethread_|freezable_)?workqueue\((.*)')
def resolve(arg, where, depth=0):
	arg = arg.strip()
	m = re.match(r'"([^"%]*)"', arg)
	if m:
		return m.group(1)
	m = re.match(r'[A-Za-z_]\w*', arg)
	if not m or depth > 3:
		return None
	ident = m.group(0)
	found = subprocess.run(['git', '-C', ksrc, 'grep', '-h', '-E',
				rf'(#define[[:space:]]+{ident}[[:space:]]|\b{ident}[[:space:]]*(\[\])?[[:space:]]*=)',
				'cmwq-base', '--', where], capture_output=True, text=True).stdout
	for line in found.splitlines()[:5]:
		m = re.search(rf'(?:#define\s+{ident}\s+|{ident}\s*(?:\[\])?\s*=\s*)(.+?);?\s*$', line)
		if m and (v := resolve(m.group(1), where, depth + 1)):
			return v
	return None

def patches_by_queue():
	queues = {}
	patches = [l.strip() for l in open(series_file) if l.strip() and not l.startswith('#')]
	for p in patches:
		path = None
		for line in open(os.path.join(top, 'patches', p), errors='replace'):
			if line.startswith('--- a/'):
				path = line[6:].strip()
			m = legacy.match(line)
			if m and path and path.endswith('.c'):
				name = resolve(m.group(1), os.path.dirname(path))
				if name:
					queues.setdefault(name, []).append(p)
	return queues

gone = sorted(names['pristine'] - names['series'])
new = sorted(names['series'] - names['pristine'])
bad = 0
by_queue = patches_by_queue() if gone else {}
out.append(f'rescuers only on pristine ({len(gone)}):')
for n in gone:
	p = ', '.join(by_queue.get(n, []))
	bad += not p
	out.append(f'  {n:24} {p or "NOT ACCOUNTED FOR by any patch that removes a legacy call"}')
out.append(f'rescuers only on the series ({len(new)}):' + ('' if new else ' none'))
for n in new:
	bad += 1
	out.append(f'  {n:24} unexpected: the series adds no WQ_MEM_RECLAIM queue')
common = sorted(names['pristine'] & names['series'])
out.append(f'rescuers on both ({len(common)}): ' + ' '.join(common))
out.append('')
out.append('runs: ' + ' '.join(os.path.basename(a.split('=', 1)[1]) for a in sys.argv[5:]))
with open(report, 'w') as f:
	f.write('\n'.join(out) + '\n')
print('\n'.join(out))
sys.exit(1 if bad else 0)
PY
log "report: $report"
