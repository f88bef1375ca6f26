#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Message filter for git filter-branch: add how a commit's C files were
compile-tested, from the compile-test report, before its trailers.

Used by scripts/note-compile-test.sh; reads the message on stdin and the
commit in $GIT_COMMIT, writes the new message on stdout.  A commit that
touches no C file, or already says how it was compile-tested, is left as
it is.
"""

import os
import re
import subprocess
import sys


def coverage(report):
	cov = {}
	with open(report) as f:
		for line in f:
			m = re.match(r'^(\S+): (\S+?)(?:,.*)?$', line.rstrip())
			if m and 'NOT COMPILED' not in line and 'NEW WARNINGS' not in line:
				cov[m.group(1)] = m.group(2)
	return cov


def describe(name):
	"""The configuration's DESCRIPTION= from its .conf, else its name."""
	conf = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'config',
			    'compile-test', name + '.conf')
	try:
		with open(conf) as f:
			for line in f:
				if line.startswith('DESCRIPTION='):
					return line.split('=', 1)[1].strip()
	except OSError:
		pass
	return name


def main():
	msg = sys.stdin.read()
	if 'Compile-tested' in msg:
		sys.stdout.write(msg)
		return
	files = subprocess.run(['git', 'diff-tree', '--no-commit-id', '--name-only', '-r',
				os.environ['GIT_COMMIT'], '--', '*.c'],
			       capture_output=True, text=True, check=True).stdout.split()
	cov = coverage(os.environ['REPORT'])
	confs = sorted({describe(cov[f]) for f in files if f in cov})
	if not files or len(confs) == 0 or any(f not in cov for f in files):
		sys.stdout.write(msg)
		return
	# what compile-test.sh could run: sparse only if the tree accepted it
	try:
		with open(os.path.join(os.path.dirname(os.environ['REPORT']), 'checks.txt')) as f:
			checks = f.read().strip()
	except FileNotFoundError:
		checks = 'W=1'
	line = ('Compile-tested with ' + checks + ' on ' + ', '.join(confs) +
		': no warning that the base tree does not have.')
	words, out, cur = line.split(), [], ''
	for w in words:
		if cur and len(cur) + 1 + len(w) > 72:
			out.append(cur)
			cur = w
		else:
			cur = f'{cur} {w}' if cur else w
	out.append(cur)
	lines = msg.rstrip('\n').split('\n')
	i = len(lines)
	while i > 0 and re.match(r'^[A-Za-z-]+: ', lines[i - 1]):
		i -= 1
	body = lines[:i]
	while body and not body[-1].strip():
		body.pop()
	new = body + [''] + out + [''] + lines[i:]
	sys.stdout.write('\n'.join(new) + '\n')


if __name__ == '__main__':
	main()
