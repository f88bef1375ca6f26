#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two kernels' benchmark boots: the report of "make bench".

Each boot's run directory (scripts/run.sh) holds tests.log, where the
guest's bench plan printed "KEY=VALUE" lines (the benchmark module's
results through wq_bench.sh, the settled census and the dm-crypt
workload), and results.json, where the verdict put the census the guest
took as init started.  Every numeric value is a sample of a metric.

Per metric: the median of A and of B, the range (min-max) of each, the
ratio of the medians B/A, which direction is better, and one verdict:
"better" or "worse" for B only when the two ranges are apart by at least
the width of the wider one, otherwise "no measurable difference".  Ranges
that overlap are never a difference; ranges apart by less than their own
width are listed as leads, not findings.  Documentation/bench.md says why.

Writes into OUTDIR: results.json (every sample of both sides, and the
rows), results.md (the table) and ratios.png (each ratio with the spread
of the ratio the ranges allow), which needs matplotlib; without it the
PNG is left out and the report says so.

Usage:
  bench-report.py OUTDIR --a NAME --b NAME A=RUNDIR B=RUNDIR ...
  bench-report.py OUTDIR --from results.json    (the report again)
"""

import argparse
import json
import os
import re
import statistics
import sys
from typing import Dict, List, Optional, Tuple

from verdict import sections  # the plan items' parts of the test channel

# "# KEY=VALUE", as wq_bench.sh and the guest scripts print them (the
# kselftest runner may add another "# " in front).
KV = re.compile(r'^(?:# )+([a-z][A-Za-z0-9_]*)=(-?\d+(?:\.\d+)?)\s*$')

# Values that describe the run rather than measure it: they must be equal
# on both sides, and are listed, not compared.
PARAMETERS = {
	'online_cpus', 'samples', 'sleepers', 'items_per_cpu', 'queueing_cpu', 'other_cpu',
	'sleeping_load_cpu', 'sleeping_load_items', 'flush_one_item_cpu', 'flush_one_item_samples',
	'dmcrypt_size_mb',
}
# Values that describe one boot and may differ: neither compared nor listed.
INFO = {'settled_after_s'}

# Which way is better, by the metric's name; the first match wins.
DIRECTIONS = [
	(re.compile(r'(_per_sec|_kBps|_iops)$'), 'higher'),
	(re.compile(r'_ns$'), 'lower'),
	# thread counts: the series' claim is fewer threads; peak concurrency
	# is the workers the sleeping load needed
	(re.compile(r'(kthreads|kworkers|workers|rescuers|_idle|idle_kworkers|concurrency)(_\d+)?$'),
	 'lower'),
]

NMD = 'no measurable difference'

# Order of the table: the benchmark module's measurements, the workload,
# then thread counts; alphabetical within each group.
GROUPS = ['latency_', 'throughput_', 'sleeping_', 'flush_', 'dmcrypt_', 'boot_', 'settled_',
	  'pool_', 'census_']


def order(metric: str) -> Tuple[int, str]:
	for n, prefix in enumerate(GROUPS):
		if metric.startswith(prefix):
			return n, metric
	return len(GROUPS), metric


def direction(metric: str) -> str:
	for regex, better in DIRECTIONS:
		if regex.search(metric):
			return better
	return 'lower'


def extract(rundir: str) -> Dict[str, float]:
	"""The KEY=VALUE numbers one boot printed, and its census at init.
	A key printed twice in one item (the module's census, before and
	after its measurements) gets _2 on its second report."""
	values: Dict[str, float] = {}
	try:
		with open(os.path.join(rundir, 'results.json')) as f:
			census = json.load(f).get('census', {})
	except FileNotFoundError:
		census = {}
	for key in ('kthreads', 'kworkers', 'rescuers'):
		if key in census:
			values[f'boot_{key}'] = float(census[key])
	with open(os.path.join(rundir, 'tests.log'), errors='replace') as f:
		lines = [line.rstrip('\r\n') for line in f]
	for section in sections(lines).values():
		seen: Dict[str, int] = {}
		for m in filter(None, map(KV.match, section)):
			key = m.group(1)
			seen[key] = seen.get(key, 0) + 1
			if seen[key] > 1:
				key = f'{key}_{seen[key]}'
			values[key] = float(m.group(2))
	return values


def compare(a: List[Dict[str, float]], b: List[Dict[str, float]]) -> Tuple[List[dict], List[str]]:
	"""The rows of the report, and notes about what could not be compared."""
	rows, notes = [], []
	keys = sorted(set().union(*a, *b), key=order)
	if min(len(a), len(b)) < 5:
		notes.append(f'{min(len(a), len(b))} boots on the smaller side: a range of so few boots can be '
			     'apart from the other by chance; use 5 or more')
	for key in keys:
		if key in INFO:
			continue
		va = [s[key] for s in a if key in s]
		vb = [s[key] for s in b if key in s]
		if key in PARAMETERS:
			if set(va) != set(vb):
				notes.append(f'parameter {key} differs: A {sorted(set(va))}, B {sorted(set(vb))}')
			continue
		if len(va) != len(a) or len(vb) != len(b):
			notes.append(f'{key}: in {len(va)} of {len(a)} A boots and {len(vb)} of {len(b)} B boots; '
				     'not compared')
			continue
		ma, mb = statistics.median(va), statistics.median(vb)
		better = direction(key)
		# how far apart the ranges are (not above 0 when they overlap),
		# against how far one side's own boots are apart
		gap = max(min(vb) - max(va), min(va) - max(vb))
		spread = max(max(va) - min(va), max(vb) - min(vb))
		if gap <= 0 or gap < spread:
			verdict = NMD
		elif (min(vb) > max(va)) == (better == 'higher'):
			verdict = 'better'
		else:
			verdict = 'worse'
		rows.append({
			'metric': key, 'better': better,
			'a_median': ma, 'a_min': min(va), 'a_max': max(va),
			'b_median': mb, 'b_min': min(vb), 'b_max': max(vb),
			'ratio': mb / ma if ma else None,
			# the lowest and highest ratio of a B boot to an A boot
			'ratio_low': min(vb) / max(va) if max(va) else None,
			'ratio_high': max(vb) / min(va) if min(va) else None,
			'verdict': verdict,
			'lead': verdict == NMD and gap > 0,
		})
	return rows, notes


def num(v: float) -> str:
	return f'{v:.0f}' if abs(v) >= 100 or v == int(v) else f'{v:.3g}'


def table(data: dict) -> str:
	a, b = data['a'], data['b']
	out = [f'# make bench: B ({b["name"]}) against A ({a["name"]})', '',
	       f'{len(a["runs"])} boots of A, {len(b["runs"])} of B, interleaved. '
	       'Median (min-max) of each; B/A is the ratio of the medians. '
	       '"better" or "worse" only when the ranges are apart by at least the width of the wider one, '
	       f'otherwise "{NMD}".', '',
	       '| metric | better | A | B | B/A | verdict |',
	       '|---|---|---|---|---|---|']
	for r in data['rows']:
		ratio = f'{r["ratio"]:.3f}' if r['ratio'] is not None else 'n/a'
		out.append(f'| {r["metric"]} | {r["better"]} '
			   f'| {num(r["a_median"])} ({num(r["a_min"])}-{num(r["a_max"])}) '
			   f'| {num(r["b_median"])} ({num(r["b_min"])}-{num(r["b_max"])}) '
			   f'| {ratio} | {r["verdict"]} |')
	counts = {v: sum(r['verdict'] == v for r in data['rows']) for v in ('better', 'worse', NMD)}
	out += ['', f'{counts["better"]} better, {counts["worse"]} worse, '
		f'{counts[NMD]} {NMD}, of {len(data["rows"])} metrics.']
	leads = [r['metric'] for r in data['rows'] if r.get('lead')]
	if leads:
		out += ['', 'Ranges apart by less than their width (leads for more boots, not findings): ' +
			', '.join(leads) + '.']
	if data['parameters']:
		out += ['', 'Parameters (equal on both sides unless noted): ' +
			', '.join(f'{k}={num(v)}' for k, v in sorted(data['parameters'].items()))]
	out += [f'- {n}' for n in data['notes']]
	out += ['', f'A runs: {" ".join(os.path.basename(r) for r in a["runs"])}',
		f'B runs: {" ".join(os.path.basename(r) for r in b["runs"])}']
	return '\n'.join(out) + '\n'


def plot(data: dict, path: str) -> Optional[str]:
	"""Each ratio B/A as a point, and the spread the ranges allow as a
	bar; None if written, else why not."""
	try:
		import matplotlib
		matplotlib.use('Agg')
		import matplotlib.pyplot as plt
	except ImportError:
		return 'matplotlib is not installed (Debian package python3-matplotlib)'
	rows = [r for r in data['rows'] if r['ratio'] is not None and r['ratio_low'] is not None
		and r['ratio_high'] is not None]
	colour = {'better': 'tab:green', 'worse': 'tab:red', NMD: 'tab:gray'}
	fig, ax = plt.subplots(figsize=(9, 0.28 * len(rows) + 1.5))
	for y, r in enumerate(rows):
		ax.plot([r['ratio_low'], r['ratio_high']], [y, y], color=colour[r['verdict']], lw=2)
		ax.plot(r['ratio'], y, 'o', color=colour[r['verdict']])
	ax.axvline(1.0, color='black', lw=0.8)
	ax.set_yticks(range(len(rows)))
	ax.set_yticklabels([f'{r["metric"]} ({r["better"]} is better)' for r in rows], fontsize=7)
	ax.invert_yaxis()
	ax.set_xscale('log')
	ax.set_xlabel('B/A: median ratio (dot), lowest to highest boot ratio (bar); '
		      'green better, red worse, grey no measurable difference', fontsize=7)
	ax.set_title(f'B ({data["b"]["name"]}) / A ({data["a"]["name"]})', fontsize=9)
	fig.tight_layout()
	fig.savefig(path, dpi=100)
	plt.close(fig)
	return None


def report(outdir: str, data: dict) -> dict:
	a = [s['values'] for s in data['a']['samples']]
	b = [s['values'] for s in data['b']['samples']]
	if not a or not b:
		sys.exit('bench-report.py: no boots of A or of B')
	data['rows'], data['notes'] = compare(a, b)
	data['parameters'] = {k: v for s in a + b for k, v in s.items() if k in PARAMETERS}
	os.makedirs(outdir, exist_ok=True)
	png = os.path.join(outdir, 'ratios.png')
	why = plot(data, png)
	if why:
		data['notes'].append(f'no {os.path.basename(png)}: {why}')
	md = table(data)
	with open(os.path.join(outdir, 'results.json'), 'w') as f:
		json.dump(data, f, indent=1)
	with open(os.path.join(outdir, 'results.md'), 'w') as f:
		f.write(md)
	print(md, end='')
	return data


def main() -> int:
	ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
	ap.add_argument('outdir')
	ap.add_argument('--a', default='A', help='name of kernel A')
	ap.add_argument('--b', default='B', help='name of kernel B')
	ap.add_argument('--from', dest='source', help='results.json of an earlier report')
	ap.add_argument('runs', nargs='*', help='A=RUNDIR or B=RUNDIR, one a boot')
	args = ap.parse_intermixed_args()
	if args.source:
		with open(args.source) as f:
			data = json.load(f)
	else:
		data = {'a': {'name': args.a, 'runs': [], 'samples': []},
			'b': {'name': args.b, 'runs': [], 'samples': []}}
		for arg in args.runs:
			side, _, rundir = arg.partition('=')
			if side not in ('A', 'B') or not rundir:
				ap.error(f'{arg}: expected A=RUNDIR or B=RUNDIR')
			d = data[side.lower()]
			d['runs'].append(rundir)
			d['samples'].append({'run': os.path.basename(rundir), 'values': extract(rundir)})
	report(args.outdir, data)
	return 0


if __name__ == '__main__':
	sys.exit(main())
