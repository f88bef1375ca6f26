#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a run directory's guest output into a verdict.

The guest prints the plan its image carries before it runs it, and
announces every plan item on the channel its KTAP appears on (see
qemu/guest/init).  A guest that ran another plan than the one given is
not judged: the run fails with an error naming both.  Otherwise each
item's section is cut into KTAP documents, which the tree's own
kunit_parser parses.  The kernel console is also scanned for reports of
kernel trouble; any such report fails the run.

Writes RUNDIR/results.json and RUNDIR/summary.txt, prints the summary,
and, when it judged the run, ends with the line "N passed, N failed,
N skipped".  Exit status:
0 all passed, 15 the guest ran another plan (its image was made for
another), 16 the guest did not finish its plan, 17 a test failed or the
console shows trouble.  Output of a guest that did not print its plan
(an image made before it did) is judged, saying the plan was not checked.
"""

import argparse
import functools
import hashlib
import inspect
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

# kunit_parser.parse_run_tests() with the printer bound; set in main().
PARSE_RUN: Any = None

EX_IMAGE = 15
EX_BOOT = 16
EX_TEST = 17

# Reports of kernel trouble, matched against console lines with the
# printk timestamp removed.  Each is anchored at the start of the
# message, so test names and log text that merely mention a word match
# nothing.
BADNESS = [
	('warning', r'WARNING:'),
	('bug', r'(?:\S+: )?BUG:'),
	('bug', r'kernel BUG at'),
	('oops', r'Oops'),
	('oops', r'general protection fault'),
	('panic', r'Kernel panic'),
	('debugobjects', r'ODEBUG:'),
	('hung-task', r'INFO: task \S+ blocked for more than'),
	('rcu-stall', r'(?:rcu: )?INFO: rcu_\w+ (?:detected stalls|self-detected stall)'),
	('lockdep', r'INFO: lockdep is turned off'),
	('ubsan', r'UBSAN:'),
	('workqueue', r'workqueue: .* hogged CPU'),
]
BADNESS_RE = [(kind, re.compile('^' + pattern)) for kind, pattern in BADNESS]
PRINTK_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ?')
DOC_START = re.compile(r'^(?:K?TAP version \d+)\s*$')
BEGIN = re.compile(r'^(?:# )?harness: begin (\w+) (\S+)')
SKIP = re.compile(r'^(?:# )?harness: skip (\w+) (\S+): (.*)')
END = re.compile(r'^(?:# )?harness: end (\w+) (\S+)')
GUEST_PLAN = re.compile(r'^# harness: plan ([0-9a-f]+)\s*$')
GUEST_PLAN_ITEM = re.compile(r'^# harness: plan-item (.*)$')
# What the guest did about modules a kselftest left loaded.
NOTE = re.compile(r'^# harness: ((?:unloaded|could not unload) module .*)')
# The kselftest runner's result for a test its time limit killed.
TIMEOUT = re.compile(r'^not ok \d+ (.*?)\s*# TIMEOUT (\d+) seconds')
# The first line of a lockdep report, and how far after it the locks it
# names are looked for.
LOCKDEP_REPORT = re.compile(r'^WARNING: possible (?:recursive locking|circular locking dependency) detected')
LOCKDEP_REPORT_LINES = 40


@dataclass
class Item:
	kind: str
	name: str
	status: str = 'missing'
	passed: int = 0
	failed: int = 0
	skipped: int = 0
	errors: List[str] = field(default_factory=list)
	failures: List[str] = field(default_factory=list)
	notes: List[str] = field(default_factory=list)
	results: List[dict] = field(default_factory=list)
	# lockdep-report=LOCK: the item provokes a lockdep report naming LOCK
	expect_lockdep: Optional[str] = None


def plan_items(path: str) -> List[str]:
	"""A plan's item lines, as qemu/guest/plan-items prints them: comment
	and blank lines dropped, words separated by one space."""
	with open(path) as f:
		return [' '.join(words) for words in map(str.split, f)
			if words and not words[0].startswith('#')]


def plan_digest(items: List[str]) -> str:
	"""What the guest prints: sha256 of plan-items' output, 16 digits."""
	return hashlib.sha256(''.join(i + '\n' for i in items).encode()).hexdigest()[:16]


def guest_plan(lines: List[str]) -> Optional[Tuple[str, List[str]]]:
	"""The digest and items of the plan the guest says it runs, or None
	if it said nothing."""
	digest = None
	items = []
	for line in lines:
		m = GUEST_PLAN.match(line)
		if m and digest is None:
			digest = m.group(1)
			continue
		m = GUEST_PLAN_ITEM.match(line)
		if m and digest is not None:
			items.append(m.group(1))
	return (digest, items) if digest is not None else None


def read_plan(path: str) -> List[Item]:
	"""The plan's items.  A kunit item may carry lockdep-report=LOCK: it
	is expected to provoke one lockdep report naming LOCK, which is then
	its result and not console trouble; since the report turns lockdep
	off for the rest of the boot, such an item must be the last."""
	items = []
	lines = plan_items(path)
	for n, line in enumerate(lines):
		words = line.split()
		if words[0] not in ('kunit', 'kselftest', 'script') or len(words) < 2:
			sys.exit(f'{path}: bad plan line: {line}')
		item = Item(words[0], words[1])
		for opt in words[2:]:
			key, _, value = opt.partition('=')
			if words[0] == 'kunit' and key == 'lockdep-report' and value:
				item.expect_lockdep = value
			elif words[0] == 'kselftest' and opt.startswith('timeout='):
				pass
			else:
				sys.exit(f'{path}: bad option {opt!r} in plan line: {line}')
		if item.expect_lockdep and n != len(lines) - 1:
			sys.exit(f'{path}: {line}: an item expecting a lockdep report must be the last '
				 '(the report turns lockdep off)')
		items.append(item)
	return items


def read_lines(path: str) -> List[str]:
	try:
		with open(path, errors='replace') as f:
			return [line.rstrip('\r\n') for line in f]
	except FileNotFoundError:
		return []


def strip_printk(lines: List[str]) -> List[str]:
	return [PRINTK_PREFIX.sub('', line) for line in lines]


Ranges = Dict[Tuple[str, str], List[Tuple[int, int]]]


def section_ranges(lines: List[str]) -> Ranges:
	"""Map (kind, item) to the line indexes of each of its sections: its
	begin marker and the end marker, the next begin marker, or len(lines)
	if the guest stopped inside it."""
	out: Ranges = {}
	cur = None
	for i, line in enumerate(lines):
		m = BEGIN.match(line)
		if m or END.match(line):
			if cur is not None:
				out[cur][-1] = (out[cur][-1][0], i)
			cur = None
		if m:
			cur = (m.group(1), m.group(2))
			out.setdefault(cur, []).append((i, len(lines)))
	return out


def sections(lines: List[str], ranges: Optional[Ranges] = None) -> Dict[Tuple[str, str], List[str]]:
	"""Map (kind, item) to the lines between its begin and end markers
	(RANGES: section_ranges(LINES), if already known)."""
	if ranges is None:
		ranges = section_ranges(lines)
	return {key: [line for b, e in spans for line in lines[b + 1:e]]
		for key, spans in ranges.items()}


def expected_lockdep(item: Item, console: List[str], ranges: Ranges,
		     reports: List[dict]) -> List[dict]:
	"""Take out of REPORTS the lockdep reports ITEM is expected to provoke:
	inside its section of the console (RANGES), naming its lock.  If there
	is none, the item fails.  Returns the reports left."""
	taken = []
	for r in reports:
		i = r['line'] - 1
		span = next(((b, e) for b, e in ranges.get((item.kind, item.name), []) if b < i < e), None)
		if not (span and LOCKDEP_REPORT.match(console[i])):
			continue
		block = console[i:min(i + LOCKDEP_REPORT_LINES, span[1])]
		if any(item.expect_lockdep in line for line in block):
			taken.append(r)
			item.notes.append(f'the expected lockdep report, naming {item.expect_lockdep}, '
					  f'at console.log line {r["line"]}')
	if not taken:
		item.errors.append(f'expected a lockdep report naming {item.expect_lockdep} in its '
				   'console output; there is none')
		item.failed += 1
		item.status = 'fail'
	return [r for r in reports if r not in taken]


def documents(lines: List[str]) -> List[List[str]]:
	"""Cut a section at each top-level (K)TAP version line."""
	docs: List[List[str]] = []
	for line in lines:
		if DOC_START.match(line):
			docs.append([])
		if docs:
			docs[-1].append(line)
	return docs


def failed_names(test, path: str) -> List[str]:
	"""Dotted names of the failed leaf tests under test."""
	from kunit_parser import TestStatus
	out = []
	for sub in test.subtests:
		name = f'{path}.{sub.name}' if path else sub.name
		if sub.subtests:
			out += failed_names(sub, name)
		elif sub.status in (TestStatus.FAILURE, TestStatus.TEST_CRASHED):
			out.append(name)
	return out


def judge_item(item: Item, lines: Optional[List[str]]) -> None:
	import kunit_json
	if lines is None:
		item.errors.append('never started (guest stopped before it)')
		item.failed = 1
		return
	item.notes += [m.group(1) for m in map(NOTE.match, lines) if m]
	lines = [line for line in lines if not NOTE.match(line)]
	# The parser takes "# TIMEOUT" for a comment; say which test its
	# time limit killed.
	item.errors += [f'{m.group(1)}: TIMEOUT {m.group(2)} seconds (killed by its time limit)'
			for m in map(TIMEOUT.match, lines) if m]
	docs = documents(lines)
	if not docs:
		item.errors.append('produced no KTAP output')
		item.failed = 1
		item.status = 'fail'
		return
	for doc in docs:
		test = PARSE_RUN(doc)
		c = test.counts
		item.passed += c.passed
		item.skipped += c.skipped
		item.failed += c.failed + c.crashed
		if c.errors:
			item.errors.append(f'{c.errors} KTAP parse error(s)')
			item.failed += 1 if not (c.failed or c.crashed) else 0
		if c.total() == 0 and not c.errors:
			item.errors.append('KTAP document with no results')
			item.failed += 1
		item.failures += failed_names(test, '')
		meta = kunit_json.Metadata(arch='x86_64')
		item.results.append(json.loads(kunit_json.get_json_result(test, meta)))
	item.status = 'fail' if item.failed else 'pass'


def plan_mismatch(rundir: str, boot: str, path: str, given: List[str],
		  ran: Tuple[str, List[str]]) -> int:
	"""The guest ran another plan than the one given: its output answers
	other questions, so none of it is judged."""
	digest = plan_digest(given)
	out = [f'boot: {boot}',
	       'plan: the guest ran another plan than the one given; nothing is judged',
	       f'  given, {path} (digest {digest}):']
	out += ['    ' + i for i in given or ['(no items)']]
	out.append(f'  the guest ran, from its image (digest {ran[0]}):')
	out += ['    ' + i for i in ran[1] or ['(no items)']]
	out.append('  the image was made for another plan: make one for this plan '
		   '(scripts/mkinitramfs.sh) and boot that')
	results = {
		'boot': boot,
		'plan': {'given': digest, 'ran': ran[0], 'given_items': given, 'ran_items': ran[1]},
		'error': 'plan mismatch',
		'items': [], 'console': [], 'census': {},
		'passed': 0, 'failed': 0, 'skipped': 0,
	}
	with open(os.path.join(rundir, 'results.json'), 'w') as f:
		json.dump(results, f, indent=1)
	with open(os.path.join(rundir, 'summary.txt'), 'w') as f:
		f.write('\n'.join(out) + '\n')
	print('\n'.join(out))
	print(f'{os.path.basename(sys.argv[0])}: error: the guest ran plan {ran[0]}, not the plan given '
	      f'({path}, {digest}); its image was made for another plan', file=sys.stderr)
	return EX_IMAGE


def scan_console(lines: List[str], context: int = 4) -> List[dict]:
	reports = []
	skip_until = -1
	for i, line in enumerate(lines):
		if i <= skip_until:
			continue
		for kind, regex in BADNESS_RE:
			if regex.match(line):
				excerpt = lines[max(0, i - 1):i + 1 + context]
				reports.append({'kind': kind, 'line': i + 1, 'text': excerpt})
				skip_until = i + context
				break
	return reports


def main() -> int:
	ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
	ap.add_argument('rundir')
	ap.add_argument('--plan', required=True)
	ap.add_argument('--ksrc', required=True, help='kernel tree (for kunit_parser)')
	args = ap.parse_args()

	sys.path.insert(0, os.path.join(args.ksrc, 'tools/testing/kunit'))
	import kunit_parser
	import kunit_printer
	parse_log = open(os.path.join(args.rundir, 'parse.log'), 'w')
	# The parser's messages go to parse.log.  Newer trees take the printer
	# as an argument of parse_run_tests(); older ones read a module global.
	global PARSE_RUN
	printer = kunit_printer.Printer(output=parse_log)
	if 'printer' in inspect.signature(kunit_parser.parse_run_tests).parameters:
		PARSE_RUN = functools.partial(kunit_parser.parse_run_tests, printer=printer)
	else:
		kunit_parser.stdout = printer
		PARSE_RUN = kunit_parser.parse_run_tests

	console = strip_printk(read_lines(os.path.join(args.rundir, 'console.log')))
	tests = read_lines(os.path.join(args.rundir, 'tests.log'))
	try:
		with open(os.path.join(args.rundir, 'boot-status')) as f:
			boot = f.read().strip()
	except FileNotFoundError:
		boot = 'not-run'

	given = plan_items(args.plan)
	ran = guest_plan(tests)
	if ran and ran[0] != plan_digest(given):
		return plan_mismatch(args.rundir, boot, args.plan, given, ran)

	console_ranges = section_ranges(console)
	found = sections(console, console_ranges)
	found.update(sections(tests))
	skips = {(m.group(1), m.group(2)): m.group(3)
		 for m in map(SKIP.match, console + tests) if m}
	items = read_plan(args.plan)
	for item in items:
		if (item.kind, item.name) in skips:
			# only on a tree without the series (harness.allow_missing=1)
			item.status = 'skip'
			item.skipped = 1
			item.errors.append(skips[(item.kind, item.name)])
			continue
		judge_item(item, found.get((item.kind, item.name)))

	reports = scan_console(console)
	for item in items:
		if item.expect_lockdep and item.status != 'skip':
			reports = expected_lockdep(item, console, console_ranges, reports)
	census = {}
	for line in tests:
		if line.startswith('# harness: census '):
			census.update(w.split('=', 1) for w in line.split()[3:] if '=' in w)
		elif line.startswith('# harness: rescuers'):
			# workqueue names, for comparing two kernels (scripts/census.sh)
			census['rescuer_names'] = sorted(line.split()[3:])

	passed = sum(i.passed for i in items)
	failed = sum(i.failed for i in items)
	skipped = sum(i.skipped for i in items)
	# The boot and the console are checks of their own: they can fail
	# while every test that did report passed.
	passed += boot == 'done'
	failed += boot != 'done'
	passed += not reports
	failed += bool(reports)

	out = []
	out.append(f'boot: {boot}')
	if ran:
		n = len(given)
		out.append(f'plan: the guest ran the plan given ({n} item{"s" * (n != 1)}, digest {ran[0]})')
	else:
		out.append('plan: not checked (the guest did not print it: an image made before it did)')
	if census:
		out.append('census after boot: ' + ' '.join(f'{k}={v}' for k, v in census.items()
							     if k != 'rescuer_names'))
	for i in items:
		line = f'{i.kind} {i.name}: {i.status} ({i.passed} passed, {i.failed} failed, {i.skipped} skipped)'
		out.append(line)
		out += [f'    failed: {name}' for name in i.failures]
		out += [f'    {"skipped" if i.status == "skip" else "error"}: {e}' for e in i.errors]
		out += [f'    note: {n}' for n in i.notes]
	if reports:
		kinds = sorted({r['kind'] for r in reports})
		out.append(f'console: {len(reports)} report(s) of kernel trouble ({", ".join(kinds)}):')
		for r in reports[:10]:
			out.append(f'  console.log line {r["line"]}:')
			out += ['    ' + t for t in r['text']]
		if len(reports) > 10:
			out.append(f'  ... {len(reports) - 10} more in results.json')
	else:
		out.append('console: clean')
	out.append(f'{passed} passed, {failed} failed, {skipped} skipped')

	results = {
		'boot': boot,
		'plan': {'given': plan_digest(given), 'ran': ran[0] if ran else None},
		'items': [vars(i) for i in items],
		'console': reports,
		'census': census,
		'passed': passed, 'failed': failed, 'skipped': skipped,
	}
	with open(os.path.join(args.rundir, 'results.json'), 'w') as f:
		json.dump(results, f, indent=1)
	with open(os.path.join(args.rundir, 'summary.txt'), 'w') as f:
		f.write('\n'.join(out) + '\n')
	print('\n'.join(out))

	if boot != 'done':
		return EX_BOOT
	return EX_TEST if failed else 0


if __name__ == '__main__':
	sys.exit(main())
