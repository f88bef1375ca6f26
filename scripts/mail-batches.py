#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mail-batches.py - the series as batches a maintainer can take.

Usage: mail-batches.py KSRC MAILDIR

MAILDIR holds the whole series as mail-prep.sh left it: re-signed by the
sender, one NNNN-*.patch a commit.  Each patch goes to the batch of the
tree that takes it:

  workqueue   the test suite and the semantic patch (the workqueue tree)
  net-next    netdev patches (not wireless), at most 15 a batch
  scsi, drm, media, sound
  others      one batch per tree get_maintainer.pl names first (--scm),
              "no-tree" for patches whose files name no tree but mainline
  removal     the removal of the constructors, last: it waits for all

Each batch is applied with git am, in series order, on a branch from
cmwq-base in a worktree beside KSRC (KSRC/../.NAME.mail), enrolled with
b4 prep, given a cover letter that says what it depends on, addressed
with b4's --auto-to-cc (scripts/get_maintainer.pl) and written with
"b4 send -o" into MAILDIR/batches/NN-NAME/.  b4 does the addressing, the
cover letter, the change-id and the message files; this script only
sorts the patches and writes the covers.  MAILDIR/batches/ORDER lists the
batches in the order to apply them.

Then it checks its work: every batch, in that order, applied with git am
onto cmwq-base, must give the tree of the series, and git send-email
--dry-run must accept each batch.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

NET_BATCH = 15
LISTS = [
	('scsi', 'linux-scsi@vger.kernel.org'),
	('drm', 'dri-devel@lists.freedesktop.org'),
	('drm', 'amd-gfx@lists.freedesktop.org'),
	('media', 'linux-media@vger.kernel.org'),
	('sound', 'linux-sound@vger.kernel.org'),
	('sound', 'alsa-devel@alsa-project.org'),
]


def die(msg, code=12):
	print(f'mail-batches.py: error: {msg}', file=sys.stderr)
	sys.exit(code)


def log(msg):
	print(f'mail-batches.py: {msg}', file=sys.stderr)


def run(*cmd, cwd=None, env=None, inp=None):
	r = subprocess.run(cmd, cwd=cwd, env=env, input=inp, capture_output=True, text=True)
	if r.returncode:
		die(f'{" ".join(cmd)} failed:\n{r.stderr.strip()}')
	return r.stdout


def subject_of(path):
	with open(path) as f:
		for line in f:
			if line.startswith('Subject: '):
				s = line[len('Subject: '):].rstrip('\n')
				for more in f:
					if not more.startswith((' ', '\t')):
						break
					s += more.rstrip('\n')
				return re.sub(r'^\[PATCH[^\]]*\]\s*', '', s)
	die(f'{path}: no Subject')


def tree_name(scm):
	"""A short name for the first git tree get_maintainer.pl names."""
	for entry in ', '.join(scm).split(', '):
		m = re.match(r'git (\S+)', entry.strip())
		if m and 'torvalds/linux.git' not in m.group(1):
			# "…/git/OWNER/REPO.git": many trees are called linux.git
			path = m.group(1).split('/git/', 1)[-1].removesuffix('.git')
			return '-'.join(path.split('/')[-2:])
	return 'no-tree'


def addresses_of(path):
	"""The To: and Cc: that mail-prep.sh gave the patch (get_maintainer.pl's)."""
	with open(path) as f:
		head = f.read().split('\n\n', 1)[0]
	return ' '.join(re.findall(r'^(?:To|Cc): (.*(?:\n[ \t].*)*)', head, re.M))


def classify(ksrc, patch):
	subj = subject_of(patch)
	if subj.startswith('workqueue: remove the legacy'):
		return 'removal'
	if re.match(r'(workqueue|selftests: workqueue|coccinelle): ', subj):
		return 'workqueue'
	addrs = addresses_of(patch)
	if 'netdev@vger.kernel.org' in addrs and 'linux-wireless@vger.kernel.org' not in addrs:
		return 'net-next'
	for name, lst in LISTS:
		if lst in addrs:
			return name
	# only the tree is missing from the addresses
	out = run('perl', 'scripts/get_maintainer.pl', '--no-git', '--no-git-fallback',
		  '--no-r', '--no-l', '--no-s', '--scm', patch, cwd=ksrc)
	return tree_name(out.splitlines())


COVER = {
	'workqueue': ('workqueue: a test suite for the workqueue API',
		      'The workqueue KUnit suite, torture and benchmark modules, a freezable-\n'
		      'workqueue probe, their kselftest target, and a semantic patch that\n'
		      'reports calls of the legacy workqueue constructors.  They depend on\n'
		      'nothing else in the series.'),
	'removal': ('workqueue: remove the legacy workqueue constructors',
		    'The last step: create_workqueue(), create_singlethread_workqueue(),\n'
		    'create_freezable_workqueue() and __WQ_LEGACY go.  This waits for every\n'
		    'batch listed below to be merged: the conversions, and the patches in\n'
		    'them that fix the flushed side of the flush dependencies the legacy\n'
		    'flag hid, without which check_flush_dependency() would warn.'),
}


def cover_for(name, part, parts, order):
	if name in COVER:
		title, text = COVER[name]
	else:
		where = 'net' if name == 'net-next' else name
		title = f'{where}: stop using the legacy workqueue constructors'
		text = ('create_workqueue(), create_singlethread_workqueue() and\n'
			'create_freezable_workqueue() are going away with __WQ_LEGACY, the flag\n'
			'that gives every such queue a rescuer and hides flush-dependency\n'
			'warnings.  Each patch here converts one driver or subsystem to\n'
			'alloc_workqueue() or alloc_ordered_workqueue(), saying in its message\n'
			'why the queue is ordered or not, keeps WQ_MEM_RECLAIM or drops it, and\n'
			'is per-CPU or unbound.  The patches stand alone: none depends on\n'
			'another patch, in this batch or elsewhere.')
	if parts > 1:
		title += f' (part {part} of {parts})'
	if name == 'removal':
		text += '\n\nIt waits for:\n' + ''.join(f'  {b}\n' for b in order if b != 'removal')
	return title + '\n\n' + text + '\n'


def main():
	if len(sys.argv) != 3:
		die('usage: mail-batches.py KSRC MAILDIR', 2)
	ksrc, maildir = (os.path.realpath(a) for a in sys.argv[1:])
	patches = sorted(p for p in os.listdir(maildir)
			 if re.match(r'\d{4}-.*\.patch$', p) and not p.startswith('0000-'))
	if not patches:
		die(f'{maildir}: no patches; run mail-prep.sh first')
	patches = [os.path.join(maildir, p) for p in patches]

	groups = {}
	for p in patches:
		groups.setdefault(classify(ksrc, p), []).append(p)
	batches = []
	first = ['workqueue', 'net-next', 'scsi', 'drm', 'media', 'sound']
	names = [n for n in first if n in groups]
	names += sorted(n for n in groups if n not in first and n != 'removal')
	names += ['removal'] if 'removal' in groups else []
	for name in names:
		ps = groups[name]
		size = NET_BATCH if name == 'net-next' else len(ps)
		chunks = [ps[i:i + size] for i in range(0, len(ps), size)]
		for i, c in enumerate(chunks, 1):
			label = name if len(chunks) == 1 else f'{name}-{i}'
			batches.append((label, name, i, len(chunks), c))

	outdir = os.path.join(maildir, 'batches')
	shutil.rmtree(outdir, ignore_errors=True)
	os.makedirs(outdir)
	wt = os.path.join(os.path.dirname(ksrc), '.' + os.path.basename(ksrc) + '.mail')
	if not os.path.isdir(wt):
		run('git', '-C', ksrc, 'worktree', 'prune')
		run('git', '-C', ksrc, 'worktree', 'add', '-q', '--detach', wt, 'cmwq-base')
	with open(patches[0]) as f:
		m = re.search(r'^From: (.*) <(.*)>$', f.read(), re.M)
	if not m:
		die(f'{patches[0]}: no From: line')
	name_, email_ = m.group(1), m.group(2)
	# b4 hands the "editor" a file holding the cover text alone (it keeps
	# its tracking data apart): copying ours over it is the whole edit
	cover = tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False)
	cover.close()
	env = dict(os.environ)
	env.update({
		'GIT_CONFIG_COUNT': '4',
		'GIT_CONFIG_KEY_3': 'core.editor', 'GIT_CONFIG_VALUE_3': f'cp {cover.name}',
		'GIT_CONFIG_KEY_0': 'user.name', 'GIT_CONFIG_VALUE_0': name_,
		'GIT_CONFIG_KEY_1': 'user.email', 'GIT_CONFIG_VALUE_1': email_,
		# b4 writes files with -o; without an SMTP server configured it
		# would plan to use its web endpoint and refuse unsigned mail
		'GIT_CONFIG_KEY_2': 'sendemail.smtpServer', 'GIT_CONFIG_VALUE_2': 'smtp.invalid',
		'GIT_COMMITTER_NAME': name_, 'GIT_COMMITTER_EMAIL': email_,
	})
	order = [b[0] for b in batches]
	try:
		with open(os.path.join(outdir, 'ORDER'), 'w') as order_file:
			for n, (label, name, part, parts, ps) in enumerate(batches, 1):
				branch = f'mail-{label}'
				run('git', 'checkout', '-q', '-f', '-B', branch, 'cmwq-base', cwd=wt, env=env)
				run('git', 'am', '-q', '--no-3way', *ps, cwd=wt, env=env)
				run('b4', 'prep', '-e', 'cmwq-base', cwd=wt, env=env)
				if name == 'net-next':
					run('b4', 'prep', '--set-prefixes', 'net-next', cwd=wt, env=env)
				with open(cover.name, 'w') as f:
					f.write(cover_for(name, part, parts, order))
				run('b4', 'prep', '--edit-cover', cwd=wt, env=env)
				run('b4', 'prep', '--auto-to-cc', cwd=wt, env=env)
				d = os.path.join(outdir, f'{n:02d}-{label}')
				run('b4', 'send', '-o', d, '--no-sign', '--not-me-too', cwd=wt, env=env)
				msgs = sorted(os.listdir(d))
				# one patch alone goes without a cover letter: b4 puts
				# the cover text under the patch's "---" line
				if len(msgs) != len(ps) + (len(ps) > 1):
					die(f'{d}: b4 wrote {len(msgs)} messages for {len(ps)} patches')
				order_file.write(f'{n:02d}-{label}\t{len(ps)} patches\n')
				log(f'{n:02d}-{label}: {len(ps)} patches')
	finally:
		os.unlink(cover.name)

	# The batches, in order, on the base, must give the series' tree.
	run('git', 'checkout', '-q', '-f', '--detach', 'cmwq-base', cwd=wt, env=env)
	for label in sorted(os.listdir(outdir)):
		d = os.path.join(outdir, label)
		if not os.path.isdir(d):
			continue
		msgs = sorted(os.path.join(d, m) for m in os.listdir(d) if not m.startswith('0000-'))
		run('git', 'am', '-q', '--no-3way', *msgs, cwd=wt, env=env)
	got = run('git', 'rev-parse', 'HEAD^{tree}', cwd=wt).strip()
	want = run('git', 'rev-parse', 'series^{tree}', cwd=ksrc).strip()
	if got != want:
		die(f'the batches applied in order give tree {got}, the series {want}')
	for label, *_ in batches:
		run('git', 'branch', '-D', f'mail-{label}', cwd=ksrc)
	# and git send-email takes every batch as it is
	for label in sorted(os.listdir(outdir)):
		d = os.path.join(outdir, label)
		if os.path.isdir(d):
			msgs = sorted(os.path.join(d, m) for m in os.listdir(d))
			run('git', 'send-email', '--dry-run', '--confirm=never', '--suppress-cc=all',
			    *msgs, cwd=d, env=env)
	log(f'{len(batches)} batches in {outdir}; applied in order they give the series\' tree')


if __name__ == '__main__':
	main()
