# SPDX-License-Identifier: GPL-2.0
"""The harness's own failure paths: each bad input must give its named
error and its exit code (scripts/lib.sh), and leave nothing half done.

Most cases run on small made-up inputs.  Those that need the pinned tree
(Kconfig) or a built kernel (a guest that panics or hangs) use $OUT's;
with HARNESS_NEED_KERNEL=1 (set by .ci/run) their absence is a failure,
otherwise a skip that says what is missing.
"""

import gzip
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(TOP, 'scripts')
OUT = os.environ.get('OUT', os.path.join(TOP, 'out'))
KSRC = os.path.join(OUT, 'linux')
# a kernel "make test" built: the default engine's, else upstream's
KERNEL = next((k for k in (os.path.join(OUT, 'build', d, 'arch', 'x86', 'boot', 'bzImage')
			   for d in ('series-debug-cmwq', 'series-debug')) if os.path.exists(k)),
	      os.path.join(OUT, 'build', 'series-debug-cmwq', 'arch', 'x86', 'boot', 'bzImage'))
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
NEED_KERNEL = os.environ.get('HARNESS_NEED_KERNEL') == '1'

EX_TREE, EX_APPLY, EX_CONFIG, EX_IMAGE, EX_BOOT, EX_TEST, EX_CHECK = 11, 12, 13, 15, 16, 17, 18


def run(*cmd, env=None, cwd=None):
	e = dict(os.environ)
	e.update(env or {})
	return subprocess.run(cmd, env=e, cwd=cwd, capture_output=True, text=True)


def git(repo, *args):
	subprocess.run(['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t.invalid',
			*args], check=True, capture_output=True)


def cpio_gz(root, path):
	"""Pack the directory ROOT as mkinitramfs.sh does, into PATH."""
	files = subprocess.run('find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet', shell=True,
			       cwd=root, capture_output=True, check=True).stdout
	with gzip.open(path, 'wb') as f:
		f.write(files)
	return path


def verdict_module():
	spec = importlib.util.spec_from_file_location('verdict', os.path.join(SCRIPTS, 'verdict.py'))
	mod = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(mod)
	return mod


def need(path, what):
	if os.path.exists(path):
		return
	if NEED_KERNEL:
		raise AssertionError(f'{what} missing: {path}')
	raise unittest.SkipTest(f'{what} missing: {path} (run make test first)')


class Tmp(unittest.TestCase):
	def setUp(self):
		self.tmp = tempfile.mkdtemp(prefix='harness-test-')
		self.addCleanup(shutil.rmtree, self.tmp)
		self.tree = os.path.join(self.tmp, 'tree')

	def write(self, name, text):
		path = os.path.join(self.tree, name)
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with open(path, 'w') as f:
			f.write(text)

	def base_tree(self, files):
		"""A repository standing in for the kernel tree: FILES (name: text)
		committed and tagged cmwq-base, as make tree leaves it."""
		for name, text in files.items():
			self.write(name, text)
		git(self.tree, 'init', '-q')
		git(self.tree, 'add', '.')
		git(self.tree, 'commit', '-q', '-m', 'base')
		git(self.tree, 'tag', 'cmwq-base')


class CocciCheck(Tmp):
	"""cocci-check.sh on a small tree with the series' semantic patch."""

	HEADER = ('#define create_workqueue(name) alloc_workqueue(name, 0, 1)\n'
		  '#define create_singlethread_workqueue(name) alloc_ordered_workqueue(name, 0)\n')
	A = 'int f(void)\n{\n\tq = create_workqueue("a");\n\treturn 0;\n}\n'
	# spatch 1.1.1 skips a function using scoped_guard() without the
	# harness's macro file, and the call in it with it.
	B = ('/* create_singlethread_workqueue() in a comment */\n'
	     'void g(struct s *s)\n{\n\tscoped_guard(spinlock, &s->lock) {\n\t\ts->n++;\n\t}\n'
	     '\ts->q = create_singlethread_workqueue("b");\n}\n')

	def setUp(self):
		super().setUp()
		if not shutil.which('spatch'):
			if NEED_KERNEL:
				raise AssertionError('spatch missing (make deps installs coccinelle)')
			raise unittest.SkipTest('spatch missing (make deps installs coccinelle)')
		self.base_tree({'include/linux/workqueue.h': self.HEADER, 'a.c': self.A, 'b.c': self.B})
		patch = [n for n in os.listdir(os.path.join(TOP, 'patches')) if 'coccinelle' in n]
		self.assertEqual(len(patch), 1, patch)
		r = run('git', '-C', self.tree, 'apply',
			'--include=scripts/coccinelle/api/legacy_workqueue.cocci',
			os.path.join(TOP, 'patches', patch[0]))
		self.assertEqual(r.returncode, 0, r.stderr)
		self.commit('add the semantic patch')

	def commit(self, msg):
		git(self.tree, 'add', '-A')
		git(self.tree, 'commit', '-q', '-m', msg)

	def convert(self, name, old, new):
		with open(os.path.join(self.tree, name)) as f:
			text = f.read()
		self.write(name, text.replace(old, new))
		self.commit('convert ' + name)

	def remove(self, env=None):
		self.write('include/linux/workqueue.h', '')
		self.commit('remove the constructors')
		return run(os.path.join(SCRIPTS, 'cocci-check.sh'), self.tree,
			   env={'OUT': os.path.join(self.tmp, 'out'), **(env or {})})

	def test_every_call_reported_and_none_left(self):
		self.convert('a.c', 'create_workqueue("a")', 'alloc_workqueue("a", 0, 1)')
		self.convert('b.c', 's->q = create_singlethread_workqueue("b")',
			     's->q = alloc_ordered_workqueue("b", 0)')
		r = self.remove()
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertIn('git grep finds 2 legacy calls in 3 files; spatch reports 2', r.stderr)
		self.assertIn('spatch reports 0', r.stderr)

	def test_file_spatch_fails_on_is_named(self):
		# A spatch that fails on b.c only, as one without its Python would.
		bindir = os.path.join(self.tmp, 'bin')
		os.makedirs(bindir)
		with open(os.path.join(bindir, 'spatch'), 'w') as f:
			f.write('#!/bin/sh\nfor a; do last=$a; done\n'
				'[ "$last" != b.c ] || { echo "no Python here" >&2; exit 3; }\n'
				'exec %s "$@"\n' % shutil.which('spatch'))
		os.chmod(os.path.join(bindir, 'spatch'), 0o755)
		self.convert('a.c', 'create_workqueue("a")', 'alloc_workqueue("a", 0, 1)')
		self.convert('b.c', 's->q = create_singlethread_workqueue("b")',
			     's->q = alloc_ordered_workqueue("b", 0)')
		r = self.remove({'PATH': bindir + os.pathsep + os.environ['PATH']})
		self.assertEqual(r.returncode, EX_CHECK, r.stderr)
		self.assertIn('spatch failed on 1 files of base', r.stderr)
		self.assertIn('b.c (exit 3): no Python here', r.stderr)
		self.assertIn('b.c:7; spatch said: no Python here', r.stderr)

	def test_call_left_before_the_removal_is_named(self):
		self.convert('a.c', 'create_workqueue("a")', 'alloc_workqueue("a", 0, 1)')
		r = self.remove()
		self.assertEqual(r.returncode, EX_CHECK, r.stderr)
		self.assertIn('legacy calls left before the removal patch', r.stderr)
		self.assertIn('b.c:7', r.stderr)


class MailBatches(unittest.TestCase):
	"""How mail-batches.py names the tree a patch goes to."""

	def setUp(self):
		spec = importlib.util.spec_from_file_location('mb', os.path.join(SCRIPTS, 'mail-batches.py'))
		self.mb = importlib.util.module_from_spec(spec)
		spec.loader.exec_module(self.mb)

	def test_tree_is_named_by_owner_and_repository(self):
		scm = ['git git://git.kernel.org/pub/scm/linux/kernel/git/s390/linux.git, '
		       'git git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git']
		self.assertEqual(self.mb.tree_name(scm), 's390-linux')

	def test_mainline_alone_is_no_tree(self):
		scm = ['git git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git']
		self.assertEqual(self.mb.tree_name(scm), 'no-tree')
		self.assertEqual(self.mb.tree_name([]), 'no-tree')


class FetchTree(Tmp):
	def setUp(self):
		super().setUp()
		self.pin = {}
		with open(os.path.join(TOP, 'config', 'pinned-tree')) as f:
			for line in f:
				if '=' in line and not line.startswith('#'):
					k, v = line.rstrip('\n').split('=', 1)
					self.pin[k] = v

	def kernel_src(self, version, patchlevel, sublevel):
		src = os.path.join(self.tmp, 'src')
		os.makedirs(src)
		with open(os.path.join(src, 'Makefile'), 'w') as f:
			f.write(f'VERSION = {version}\nPATCHLEVEL = {patchlevel}\n'
				f'SUBLEVEL = {sublevel}\nEXTRAVERSION =\nNAME = x\n')
		return src

	def test_bad_checksum_is_named_and_tarball_kept(self):
		dl = os.path.join(self.tmp, 'dl')
		os.makedirs(dl)
		tarball = os.path.join(dl, self.pin['TARBALL'])
		with open(tarball, 'wb') as f:
			f.write(b'not the pinned tarball')
		r = run(os.path.join(SCRIPTS, 'fetch-tree.sh'),
			env={'OUT': os.path.join(self.tmp, 'out'), 'DL_DIR': dl})
		self.assertEqual(r.returncode, EX_TREE, r.stderr)
		self.assertIn(tarball, r.stderr)
		self.assertIn('does not match ' + self.pin['SHA256'][:8], r.stderr)
		self.assertTrue(os.path.exists(tarball))
		self.assertFalse(os.path.exists(os.path.join(self.tmp, 'out', 'linux')))

	def test_older_kernel_version_is_refused(self):
		src = self.kernel_src(6, 11, 0)
		r = run(os.path.join(SCRIPTS, 'fetch-tree.sh'),
			env={'OUT': os.path.join(self.tmp, 'out'), 'KERNEL_SRC': src})
		self.assertEqual(r.returncode, EX_TREE, r.stderr)
		self.assertIn(f"tree is Linux 6.11.0, the series needs {self.pin['VERSION']} or newer",
			      r.stderr)
		self.assertFalse(os.path.exists(os.path.join(self.tmp, 'out', 'linux')))

	def test_newer_kernel_src_is_taken_with_a_warning(self):
		src = self.kernel_src(99, 1, 0)
		out = os.path.join(self.tmp, 'out')
		r = run(os.path.join(SCRIPTS, 'fetch-tree.sh'), env={'OUT': out, 'KERNEL_SRC': src})
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertIn(f"is Linux 99.1.0, the series is made for {self.pin['VERSION']}", r.stderr)
		tag = subprocess.run(['git', '-C', os.path.join(out, 'linux'), 'rev-parse', 'cmwq-base'],
				     capture_output=True, text=True)
		self.assertEqual(tag.returncode, 0, tag.stderr)


class Deps(Tmp):
	"""scripts/deps.sh as root, with apt-get and dpkg-query stood in for."""

	def setUp(self):
		super().setUp()
		self.bin = os.path.join(self.tmp, 'bin')
		os.makedirs(self.bin)
		self.calls = os.path.join(self.tmp, 'calls')
		self.tool('dpkg-query', 'exit 1')
		self.tool('id', '[ "$1" = -u ] && echo 0 || exec /usr/bin/id "$@"')

	def tool(self, name, body):
		path = os.path.join(self.bin, name)
		with open(path, 'w') as f:
			f.write(f'#!/bin/bash\n{body}\n')
		os.chmod(path, 0o755)

	def deps(self, install_fails):
		# install fails the first INSTALL_FAILS times, then works
		self.tool('apt-get', f"""
args=" $* "
case $args in
*' update '*) echo update >>{self.calls} ;;
*' clean '*) echo clean >>{self.calls} ;;
*' install '*)
	echo install >>{self.calls}
	n=$(grep -c install {self.calls})
	if [ "$n" -le {install_fails} ]; then
		echo 'Err:1 http://mirror.invalid/debian bookworm/main amd64 flex amd64 2.6.4-8.2'
		echo '  404  Not Found'
		echo 'E: Failed to fetch http://mirror.invalid/debian/pool/main/f/flex/flex_2.6.4-8.2_amd64.deb  404  Not Found'
		exit 100
	fi ;;
esac""")
		r = run('bash', os.path.join(SCRIPTS, 'deps.sh'),
			env={'PATH': f"{self.bin}:{os.environ['PATH']}", 'TMPDIR': self.tmp})
		with open(self.calls) as f:
			return r, f.read().split()

	def test_apt_failure_prints_apts_errors(self):
		r, calls = self.deps(install_fails=2)
		self.assertEqual(r.returncode, 10, r.stderr)
		self.assertEqual(calls, ['update', 'install', 'clean', 'update', 'install'])
		self.assertIn('deps.sh:   E: Failed to fetch http://mirror.invalid/debian/pool/main/f/flex/', r.stderr)
		self.assertIn('deps.sh:   Err:1 http://mirror.invalid/', r.stderr)
		self.assertEqual(r.stderr.count('E: Failed to fetch'), 1, 'the second try\'s errors only')
		self.assertIn(f"apt-get failed twice; see {self.tmp}/cmwq-deps.log", r.stderr)

	def test_apt_failing_once_is_tried_again(self):
		r, calls = self.deps(install_fails=1)
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertEqual(calls, ['update', 'install', 'clean', 'update', 'install'])
		self.assertIn('trying again', r.stderr)
		self.assertNotIn('E: Failed', r.stderr)


class AptEntries(Tmp):
	"""apt_entries (lib.sh): the machine's entries for its own release,
	written again with another type and suite, from both formats."""

	def derive(self, *args):
		etc = os.path.join(self.tmp, 'etc')
		os.makedirs(os.path.join(etc, 'sources.list.d'))
		with open(os.path.join(etc, 'sources.list.d', 'm.sources'), 'w') as f:
			f.write('Types: deb\nURIs: http://m.invalid/debian\n'
				f'Suites: {self.release} {self.release}-updates\nComponents: main\n\n'
				'Types: deb\nURIs: http://m.invalid/off\nSuites: {0}\nEnabled: no\n\n'
				.format(self.release) +
				'Types: deb-src\nURIs: http://m.invalid/src\nSuites: {0}\n'.format(self.release))
		with open(os.path.join(etc, 'sources.list'), 'w') as f:
			f.write(f'deb [signed-by=/k.gpg] http://m.invalid/one {self.release} main contrib\n'
				f'deb http://m.invalid/sec {self.release}-security main\n')
		prefix = os.path.join(self.tmp, 'out')
		r = subprocess.run(['bash', '-c', f'. {SCRIPTS}/lib.sh && apt_entries "$@"', '-',
				    prefix, *args], capture_output=True, text=True,
				   env=dict(os.environ, APT_ETC=etc))
		out = {}
		for ext in ('sources', 'list'):
			if os.path.exists(f'{prefix}.{ext}'):
				with open(f'{prefix}.{ext}') as f:
					out[ext] = f.read()
		return r, out

	def setUp(self):
		super().setUp()
		self.release = subprocess.run(['sh', '-c', '. /etc/os-release && echo $VERSION_CODENAME'],
					      capture_output=True, text=True).stdout.strip()
		if not self.release:
			self.skipTest('/etc/os-release names no codename')

	def test_deb_src_for_another_suite(self):
		r, out = self.derive('deb-src', 'sid')
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertEqual(out['sources'], 'Types: deb-src\nSuites: sid\n'
				 'URIs: http://m.invalid/debian\nComponents: main\n\n')
		self.assertEqual(out['list'],
				 'deb-src [signed-by=/k.gpg] http://m.invalid/one sid main contrib\n')

	def test_release_and_its_updates(self):
		r, out = self.derive('deb', '', '-updates', '-security')
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertIn(f'Suites: {self.release} {self.release}-updates\n', out['sources'])
		self.assertNotIn('m.invalid/off', out['sources'])
		self.assertNotIn('m.invalid/src', out['sources'])
		self.assertIn(f'http://m.invalid/sec {self.release}-security main', out['list'])


class ApplySeries(Tmp):
	"""A tiny repository standing in for the kernel tree."""

	def setUp(self):
		super().setUp()
		self.repo = os.path.join(self.tmp, 'repo')
		os.makedirs(os.path.join(self.repo, 'patches'))
		self.base_tree({'a.c': ''.join(f'line {i}\n' for i in range(1, 21))})
		# Two patches made against the base: the second one then
		# conflicts with the first.
		for n, (old, new) in enumerate((('line 5\n', 'five\n'), ('line 5\n', 'FIVE\n')), 1):
			git(self.tree, 'checkout', '-q', '--detach', 'cmwq-base')
			self.edit('a.c', old, new)
			git(self.tree, 'commit', '-q', '-a', '-m', f'patch {n}')
			git(self.tree, 'format-patch', '-q', '-1', '--start-number', str(n),
				'-o', os.path.join(self.repo, 'patches'))
		git(self.tree, 'checkout', '-q', '--detach', 'cmwq-base')
		self.patches = sorted(os.listdir(os.path.join(self.repo, 'patches')))

	def edit(self, name, old, new):
		with open(os.path.join(self.tree, name)) as f:
			text = f.read()
		self.write(name, text.replace(old, new))

	def apply(self, names, *extra):
		series = os.path.join(self.repo, 'series')
		with open(series, 'w') as f:
			f.write('# test series\n' + ''.join(n + '\n' for n in names))
		return run(os.path.join(SCRIPTS, 'apply-series.sh'), self.tree, series, *extra)

	def head_subjects(self):
		r = subprocess.run(['git', '-C', self.tree, 'log', '--format=%s', 'cmwq-base..HEAD'],
				   capture_output=True, text=True, check=True)
		return r.stdout.split('\n')[:-1]

	def test_good_patch_applies_as_one_commit(self):
		r = self.apply(self.patches[:1])
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertEqual(self.head_subjects(), ['patch 1'])

	def test_failing_patch_is_named_with_file_and_hunk(self):
		r = self.apply(self.patches)
		self.assertEqual(r.returncode, EX_APPLY, r.stderr)
		self.assertIn(self.patches[1], r.stderr)
		self.assertIn('series line 3', r.stderr)
		self.assertIn('a.c, hunk at line', r.stderr)
		self.assertIn('tree left at base + 1 patches', r.stderr)
		# Exactly what the message says: base plus the first patch,
		# no git am in progress, nothing uncommitted.
		self.assertEqual(self.head_subjects(), ['patch 1'])
		self.assertFalse(os.path.exists(os.path.join(self.tree, '.git', 'rebase-apply')))
		st = run('git', '-C', self.tree, 'status', '--porcelain', '--untracked-files=no')
		self.assertEqual(st.stdout, '')

	def test_reapplying_leaves_unchanged_files_alone(self):
		# A third patch that only adds a file: applying patch 1 and then
		# patches 1 and 3 must not rewrite a.c, so make would not rebuild
		# what includes it.
		git(self.tree, 'checkout', '-q', '--detach', 'cmwq-base')
		self.write('c.c', 'new\n')
		git(self.tree, 'add', 'c.c')
		git(self.tree, 'commit', '-q', '-m', 'patch 3')
		git(self.tree, 'format-patch', '-q', '-1', '--start-number', '3',
			'-o', os.path.join(self.repo, 'patches'))
		git(self.tree, 'checkout', '-q', '--detach', 'cmwq-base')
		third = sorted(os.listdir(os.path.join(self.repo, 'patches')))[2]
		r = self.apply(self.patches[:1])
		self.assertEqual(r.returncode, 0, r.stderr)
		a = os.path.join(self.tree, 'a.c')
		os.utime(a, (1000, 1000))
		r = self.apply([self.patches[0], third])
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertEqual(self.head_subjects(), ['patch 3', 'patch 1'])
		self.assertEqual(os.stat(a).st_mtime, 1000)
		self.assertTrue(os.path.exists(os.path.join(self.tree, 'c.c')))

	def test_upto_stops_early(self):
		r = self.apply(self.patches, '1')
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertEqual(self.head_subjects(), ['patch 1'])

	def test_missing_patch_names_series_line(self):
		r = self.apply(['0009-nonexistent.patch'])
		self.assertEqual(r.returncode, EX_APPLY, r.stderr)
		self.assertIn('series:2:', r.stderr)
		self.assertIn('0009-nonexistent.patch does not exist', r.stderr)

	def test_dirty_tree_is_refused(self):
		self.edit('a.c', 'line 7\n', 'seven\n')
		r = self.apply(self.patches[:1])
		self.assertEqual(r.returncode, EX_APPLY, r.stderr)
		self.assertIn('uncommitted changes', r.stderr)

	def test_local_commits_are_kept_on_a_backup_branch(self):
		self.assertEqual(self.apply(self.patches[:1]).returncode, 0)
		self.edit('a.c', 'line 9\n', 'nine\n')
		git(self.tree, 'commit', '-q', '-a', '-m', 'local work')
		r = self.apply(self.patches[:1])
		self.assertEqual(r.returncode, 0, r.stderr)
		self.assertIn('kept them on branch series-backup-', r.stderr)
		branches = run('git', '-C', self.tree, 'branch', '--list', 'series-backup-*').stdout
		self.assertTrue(branches.strip())


class KConfig(Tmp):
	def test_dropped_symbol_fails_by_name(self):
		need(os.path.join(KSRC, 'Makefile'), 'pinned tree')
		frag = os.path.join(self.tmp, 'bad.config')
		with open(frag, 'w') as f:
			f.write('CONFIG_X86_32=y\nCONFIG_CMWQ_NO_SUCH_SYMBOL=y\n')
		r = run(os.path.join(SCRIPTS, 'kconfig.sh'), KSRC, os.path.join(self.tmp, 'build'),
			os.path.join(TOP, 'config', 'base.config'), frag)
		self.assertEqual(r.returncode, EX_CONFIG, r.stderr)
		self.assertIn('CONFIG_X86_32=y requested, final .config has it unset', r.stderr)
		self.assertIn('CONFIG_CMWQ_NO_SUCH_SYMBOL=y requested', r.stderr)
		self.assertIn('2 requested config symbol(s) dropped', r.stderr)


class Verdict(Tmp):
	"""Recorded guest output in fixtures/, judged by verdict.py."""

	def judge(self, fixture, plan, tests_log_extra='', console_edit=None):
		need(os.path.join(KSRC, 'tools', 'testing', 'kunit', 'kunit_parser.py'), 'pinned tree')
		rundir = os.path.join(self.tmp, fixture)
		shutil.copytree(os.path.join(FIXTURES, fixture), rundir)
		if console_edit:
			path = os.path.join(rundir, 'console.log')
			with open(path) as f:
				text = console_edit(f.read())
			with open(path, 'w') as f:
				f.write(text)
		with open(os.path.join(rundir, 'tests.log'), 'a') as f:
			f.write(tests_log_extra)
		planfile = os.path.join(self.tmp, 'plan')
		with open(planfile, 'w') as f:
			f.write(plan)
		r = run('python3', os.path.join(SCRIPTS, 'verdict.py'), rundir, '--plan', planfile,
			'--ksrc', KSRC)
		try:
			with open(os.path.join(rundir, 'results.json')) as f:
				results = json.load(f)
		except FileNotFoundError:
			results = None	# a bad plan: nothing judged
		return r, results

	PLAN = 'kunit cpumask_kunit\nkselftest cpu-hotplug\n'

	# fixtures/lockdep: the lockdep flush test module's section of a real
	# run, with its expected report
	LOCKDEP_PLAN = 'kunit workqueue_lockdep_kunit lockdep-report=(wq_completion)wqld_rescuer\n'

	def test_expected_lockdep_report_is_the_items_result(self):
		r, res = self.judge('lockdep', self.LOCKDEP_PLAN)
		self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
		self.assertIn('note: the expected lockdep report, naming (wq_completion)wqld_rescuer, '
			      'at console.log line 16', r.stdout)
		self.assertIn('console: clean', r.stdout)
		# 2 KUnit cases, the boot and the console
		self.assertEqual(r.stdout.splitlines()[-1], '4 passed, 0 failed, 0 skipped')

	def test_lockdep_report_not_expected_is_console_trouble(self):
		r, res = self.judge('lockdep', 'kunit workqueue_lockdep_kunit\n')
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertEqual([c['kind'] for c in res['console']], ['warning'])
		self.assertIn('WARNING: possible recursive locking detected', res['console'][0]['text'])

	def test_lockdep_report_naming_another_lock_is_not_the_expected_one(self):
		r, res = self.judge('lockdep', 'kunit workqueue_lockdep_kunit lockdep-report=wqld_other\n')
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('error: expected a lockdep report naming wqld_other in its console output; '
			      'there is none', r.stdout)
		self.assertEqual(len(res['console']), 1)

	def test_expected_lockdep_report_missing_fails_the_item(self):
		def drop_report(text):
			return ''.join(line for line in text.splitlines(True)
				       if 'possible recursive locking' not in line)
		r, res = self.judge('lockdep', self.LOCKDEP_PLAN, console_edit=drop_report)
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('kunit workqueue_lockdep_kunit: fail (2 passed, 1 failed', r.stdout)
		self.assertIn('console: clean', r.stdout)

	def test_item_expecting_a_lockdep_report_must_be_last(self):
		r, _ = self.judge('lockdep', self.LOCKDEP_PLAN + 'kunit cpumask_kunit\n')
		self.assertNotEqual(r.returncode, 0)
		self.assertIn('an item expecting a lockdep report must be the last', r.stderr)

	def test_unknown_plan_option_is_refused(self):
		r, _ = self.judge('lockdep', 'kunit workqueue_lockdep_kunit timeout=40\n')
		self.assertNotEqual(r.returncode, 0)
		self.assertIn("bad option 'timeout=40'", r.stderr)

	def test_clean_run_passes(self):
		r, res = self.judge('pass', self.PLAN)
		self.assertEqual(r.returncode, 0, r.stdout)
		self.assertEqual(r.stdout.splitlines()[-1], f'{res["passed"]} passed, 0 failed, 0 skipped')
		# 6 KUnit cases, 1 kselftest, the boot and the console
		self.assertEqual(res['passed'], 9)
		# recorded before the guest printed its plan
		self.assertIn('plan: not checked (the guest did not print it', r.stdout)
		self.assertIsNone(res['plan']['ran'])

	def test_script_item_is_judged_by_its_ktap(self):
		# a "script NAME" item: the harness's own guest script, KTAP on
		# the test channel (the bench plan's census-settled, dmcrypt)
		extra = ('# harness: begin script dmcrypt\nTAP version 13\n1..1\n# dmcrypt_seq_write_kBps=1\n'
			 'not ok 1 dmcrypt\n# harness: end script dmcrypt\n')
		r, res = self.judge('pass', self.PLAN + 'script dmcrypt\n', tests_log_extra=extra)
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('script dmcrypt: fail (0 passed, 1 failed', r.stdout)
		shutil.rmtree(os.path.join(self.tmp, 'pass'))
		r, res = self.judge('pass', self.PLAN + 'script dmcrypt\n',
				    tests_log_extra=extra.replace('not ok', 'ok'))
		self.assertEqual(r.returncode, 0, r.stdout)

	# what the guests of fixtures/plan-pass and fixtures/timeout ran
	PASS_PLAN = ('# comments and spacing are not part of a plan\n'
		     'kunit cpumask_kunit\nkselftest cpu-hotplug\n\n'
		     'kselftest\tcgroup:test_freezer\nkselftest cgroup:test_cpuset  \n')
	TIMEOUT_PLAN = 'kselftest cpu-hotplug\nkselftest workqueue timeout=40\n'

	def test_guest_that_ran_the_plan_given_passes(self):
		r, res = self.judge('plan-pass', self.PASS_PLAN)
		self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
		self.assertIn('plan: the guest ran the plan given (4 items, digest 957faecf9b621a23)', r.stdout)
		self.assertEqual(res['plan'], {'given': '957faecf9b621a23', 'ran': '957faecf9b621a23'})
		# 6 KUnit cases, 3 kselftests, the boot and the console
		self.assertEqual(r.stdout.splitlines()[-1], '11 passed, 0 failed, 0 skipped')

	def test_guest_that_ran_another_plan_is_not_judged(self):
		# The case: a one-line plan given, the image's own run.
		given = 'kselftest workqueue:wq_torture.sh timeout=900\n'
		r, res = self.judge('timeout', given)
		self.assertEqual(r.returncode, EX_IMAGE, r.stdout + r.stderr)
		self.assertIn('error: the guest ran plan 7a0b11a66054f493, not the plan given', r.stderr)
		self.assertIn('plan: the guest ran another plan than the one given; nothing is judged', r.stdout)
		self.assertRegex(r.stdout, r'given, \S+/plan \(digest \w+\):\n'
				 r'    kselftest workqueue:wq_torture.sh timeout=900\n')
		self.assertIn('the guest ran, from its image (digest 7a0b11a66054f493):\n'
			      '    kselftest cpu-hotplug\n    kselftest workqueue timeout=40\n', r.stdout)
		self.assertNotIn('never started', r.stdout)
		self.assertNotRegex(r.stdout, r'\d+ passed, \d+ failed')
		self.assertEqual(res['items'], [])
		self.assertEqual(res['error'], 'plan mismatch')

	def test_plan_differing_in_an_option_is_another_plan(self):
		r, res = self.judge('plan-pass', self.PASS_PLAN.replace('test_cpuset', 'test_cpuset timeout=900'))
		self.assertEqual(r.returncode, EX_IMAGE, r.stdout + r.stderr)
		self.assertIn('    kselftest cgroup:test_cpuset timeout=900\n', r.stdout)

	def test_kselftest_killed_by_its_time_limit_is_named(self):
		# wq_torture.sh (60 s) killed at 40 s; the guest unloaded the
		# torture modules it left, and wq_freezer.sh then passed.
		r, res = self.judge('timeout', self.TIMEOUT_PLAN)
		self.assertEqual(r.returncode, EX_TEST, r.stdout + r.stderr)
		self.assertIn('kselftest workqueue: fail (2 passed, 1 failed, 0 skipped)\n'
			      '    failed: selftests: workqueue: wq_torture.sh\n'
			      '    error: selftests: workqueue: wq_torture.sh: TIMEOUT 40 seconds'
			      ' (killed by its time limit)\n'
			      '    note: unloaded module workqueue_torture, left loaded by workqueue:wq_torture.sh\n'
			      '    note: unloaded module torture, left loaded by workqueue:wq_torture.sh\n',
			      r.stdout)
		self.assertIn('kselftest cpu-hotplug: pass (1 passed, 0 failed, 0 skipped)', r.stdout)
		self.assertEqual(r.stdout.splitlines()[-1], '5 passed, 1 failed, 0 skipped')

	def test_ktap_not_ok_fails(self):
		r, res = self.judge('not-ok', self.PLAN)
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('failed: cpumask.test_cpumask_weight', r.stdout)
		self.assertTrue(r.stdout.splitlines()[-1].endswith('1 failed, 0 skipped'))

	def test_console_warning_fails_with_lines_shown(self):
		r, res = self.judge('warning', self.PLAN)
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('report(s) of kernel trouble (warning)', r.stdout)
		self.assertIn('WARNING: CPU: 1 PID: 52 at kernel/workqueue.c', r.stdout)
		self.assertEqual(res['console'][0]['kind'], 'warning')

	def test_item_without_ktap_fails(self):
		r, res = self.judge('pass', self.PLAN + 'kselftest timers\n')
		self.assertEqual(r.returncode, EX_TEST, r.stdout)
		self.assertIn('kselftest timers: missing', r.stdout)
		self.assertIn('never started', r.stdout)

	def test_item_missing_from_pristine_tree_is_skipped(self):
		# what the guest says with harness.allow_missing=1 (SERIES=none)
		r, res = self.judge('pass', self.PLAN + 'kselftest workqueue\n',
				    '# harness: skip kselftest workqueue: not in this tree\n')
		self.assertEqual(r.returncode, 0, r.stdout)
		self.assertIn('kselftest workqueue: skip (0 passed, 0 failed, 1 skipped)', r.stdout)
		self.assertEqual(r.stdout.splitlines()[-1], '9 passed, 0 failed, 1 skipped')

	def test_panicked_guest_is_a_boot_failure(self):
		r, res = self.judge('panic', self.PLAN)
		self.assertEqual(r.returncode, EX_BOOT, r.stdout)
		self.assertEqual(res['boot'], 'panic')
		self.assertIn('boot: panic', r.stdout)
		self.assertIn('Kernel panic - not syncing: Fatal exception', r.stdout)
		# the items that did report keep their results
		self.assertIn('kunit cpumask_kunit: pass (6 passed', r.stdout)


class GuestWrappers(Tmp):
	"""The busybox wrappers in qemu/guest/, run with busybox's own sh."""
	GUEST = os.path.join(TOP, 'qemu', 'guest')

	def sh(self, script, *args, env=None):
		return run('/bin/busybox', 'sh', os.path.join(self.GUEST, script), *args, env=env)

	def test_timeout_takes_foreground_and_reports_124(self):
		r = self.sh('timeout', '--foreground', '1', '/bin/busybox', 'sleep', '5')
		self.assertEqual(r.returncode, 124)
		self.assertEqual(self.sh('timeout', '--foreground', '5', '/bin/busybox', 'true').returncode, 0)

	def test_plan_items_reads_a_plan_as_the_verdict_does(self):
		plan = os.path.join(self.tmp, 'plan')
		with open(plan, 'w') as f:
			f.write('# a comment\n\n  kunit\tcpumask_kunit  \r\n\t# indented comment\n'
				'kselftest   workqueue:wq_torture.sh timeout=900\nkselftest cpu-hotplug # why\n')
		want = ['kunit cpumask_kunit', 'kselftest workqueue:wq_torture.sh timeout=900',
			'kselftest cpu-hotplug # why']
		verdict = verdict_module()
		self.assertEqual(verdict.plan_items(plan), want)
		# in the guest (busybox) and on the host (run.sh)
		for r in (self.sh('plan-items', plan), run('sh', os.path.join(self.GUEST, 'plan-items'), plan)):
			self.assertEqual(r.returncode, 0, r.stderr)
			self.assertEqual(r.stdout.splitlines(), want)
			# the digest the guest prints: sha256sum | cut -c1-16
			self.assertEqual(hashlib.sha256(r.stdout.encode()).hexdigest()[:16],
					 verdict.plan_digest(want))

	def test_modprobe_dry_run_answers_from_modules_dep(self):
		moddir = os.path.join(self.tmp, 'modules')
		os.makedirs(moddir)
		with open(os.path.join(moddir, 'modules.dep'), 'w') as f:
			f.write('kernel/lib/cpumask_kunit.ko:\nkernel/drivers/x/foo-bar.ko: kernel/lib/cpumask_kunit.ko\n')
		with open(os.path.join(moddir, 'modules.builtin'), 'w') as f:
			f.write('kernel/lib/builtin_thing.ko\n')
		env = {'MODPROBE_DIR': moddir}
		for name, rc in (('cpumask_kunit', 0), ('cpumask-kunit', 0), ('foo_bar', 0),
				 ('builtin_thing', 0), ('cpumask', 1), ('nosuch', 1)):
			self.assertEqual(self.sh('modprobe', '-q', '-n', name, env=env).returncode, rc, name)


class RunPlan(Tmp):
	"""run.sh refuses, before booting, a plan its image was not made with."""
	IMAGE_PLAN = '# the default plan\nkunit cpumask_kunit\nkselftest workqueue\n'

	def run_sh(self, plan):
		root = os.path.join(self.tmp, 'root')
		os.makedirs(os.path.join(root, 'etc', 'harness'))
		with open(os.path.join(root, 'etc', 'harness', 'plan'), 'w') as f:
			f.write(self.IMAGE_PLAN)
		initrd = cpio_gz(root, os.path.join(self.tmp, 'initramfs.cpio.gz'))
		build = os.path.join(self.tmp, 'build')
		os.makedirs(build)
		with open(os.path.join(build, '.config'), 'w') as f:
			f.write('CONFIG_MODULES=y\n')
		planfile = os.path.join(self.tmp, 'plan')
		with open(planfile, 'w') as f:
			f.write(plan)
		self.out = os.path.join(self.tmp, 'out')
		return run(os.path.join(SCRIPTS, 'run.sh'), KSRC, build, planfile, 't',
			   env={'OUT': self.out, 'INITRD': initrd})

	def test_plan_the_image_was_not_made_with_is_refused(self):
		r = self.run_sh('kselftest workqueue:wq_torture.sh timeout=900\n')
		self.assertEqual(r.returncode, EX_IMAGE, r.stderr)
		self.assertIn('run.sh: error: the image carries another plan than the one given', r.stderr)
		self.assertRegex(r.stderr, r'given, \S+/plan:\n    kselftest workqueue:wq_torture.sh timeout=900\n')
		self.assertRegex(r.stderr, r'the image\'s, \S+/initramfs.cpio.gz:\n'
				 r'    kunit cpumask_kunit\n    kselftest workqueue\n')
		self.assertIn('mkinitramfs.sh', r.stderr)
		# refused before anything was booted or recorded
		self.assertFalse(os.path.exists(os.path.join(self.out, 'runs')))

	def test_plan_differing_in_an_option_is_refused(self):
		r = self.run_sh('kunit cpumask_kunit\nkselftest workqueue timeout=900\n')
		self.assertEqual(r.returncode, EX_IMAGE, r.stderr)

	def test_plan_the_image_carries_is_booted(self):
		need(os.path.join(KSRC, 'tools', 'testing', 'kunit', 'kunit_parser.py'), 'pinned tree')
		# other comments and spacing; the stand-in build has no kernel
		r = self.run_sh('kunit  cpumask_kunit\n\n# the series\' own\nkselftest workqueue\n')
		self.assertEqual(r.returncode, EX_BOOT, r.stderr)
		self.assertNotIn('another plan', r.stderr)
		self.assertIn('no kernel image', r.stderr)
		self.assertTrue(os.path.exists(os.path.join(self.out, 'runs', 'latest', 'plan')))


class Guest(Tmp):
	"""Boot the built kernel with a one-line init that misbehaves."""

	def initramfs(self, init):
		root = os.path.join(self.tmp, 'root')
		os.makedirs(os.path.join(root, 'bin'))
		shutil.copy('/bin/busybox', os.path.join(root, 'bin', 'busybox'))
		os.symlink('busybox', os.path.join(root, 'bin', 'sh'))
		with open(os.path.join(root, 'init'), 'w') as f:
			f.write('#!/bin/sh\n' + init + '\n')
		os.chmod(os.path.join(root, 'init'), 0o755)
		files = subprocess.run('find . | cpio -o -H newc -R 0:0 --quiet', shell=True,
				       cwd=root, capture_output=True, check=True).stdout
		path = os.path.join(self.tmp, 'initramfs.cpio.gz')
		with gzip.open(path, 'wb') as f:
			f.write(files)
		return path

	def boot(self, init, **env):
		need(KERNEL, 'built kernel')
		rundir = os.path.join(self.tmp, 'run')
		r = run(os.path.join(SCRIPTS, 'boot.sh'), KERNEL, self.initramfs(init), rundir,
			env={'SMP': '2', **env})
		with open(os.path.join(rundir, 'boot-status')) as f:
			return r, f.read().strip()

	def test_guest_that_panics(self):
		# init exiting makes the kernel panic: "Attempted to kill init!"
		r, status = self.boot('exit 1')
		self.assertEqual(r.returncode, EX_BOOT, r.stderr)
		self.assertEqual(status, 'panic')
		self.assertIn('guest kernel panicked: Kernel panic - not syncing: Attempted to kill init', r.stderr)

	def test_guest_that_hangs(self):
		r, status = self.boot('/bin/busybox mount -t devtmpfs dev /dev\n'
				      'echo "harness: init started" >/dev/kmsg\n'
				      '/bin/busybox sleep 600',
				      TIMEOUT='30', BOOT_TIMEOUT='25')
		self.assertEqual(r.returncode, EX_BOOT, r.stderr)
		self.assertEqual(status, 'hang')
		self.assertIn('guest hung: not finished within 30 s', r.stderr)

	def test_guest_that_never_starts_init(self):
		r, status = self.boot('/bin/busybox sleep 600', BOOT_TIMEOUT='15')
		self.assertEqual(r.returncode, EX_BOOT, r.stderr)
		self.assertEqual(status, 'boot-timeout')
		self.assertIn('init did not start within 15 s', r.stderr)


class MailPrep(Tmp):
	"""mail-prep.sh on a one-commit tree with a stand-in get_maintainer.pl."""
	PROJECT = 'cmwq project <cmwq@project.invalid>'
	SENDER = 'A Sender <sender@example.org>'

	def setUp(self):
		super().setUp()
		self.base_tree({'MAINTAINERS': 'stand-in\n', 'kernel/workqueue.c': '/* wq */\n',
				'a.c': 'one\n',
				'scripts/get_maintainer.pl':
				'#!/usr/bin/perl\nmy $a = join(" ", @ARGV);\n'
				'print $a =~ /--no-l/ ? "Maint One <maint\\@example.org>\\n"'
				' : "a-list\\@example.org\\n";\n'})
		git(self.tree, 'checkout', '-q', '-b', 'series')
		self.write('a.c', 'two\n')
		git(self.tree, '-c', 'user.name=cmwq project', '-c', 'user.email=cmwq@project.invalid',
		    'commit', '-q', '-a', '-m', f'a: change it\n\nBecause.\n\nSigned-off-by: {self.PROJECT}')
		self.out = os.path.join(self.tmp, 'mail')

	def prep(self, sender):
		return run(os.path.join(SCRIPTS, 'mail-prep.sh'), self.tree, TOP, self.out,
			   env={'SENDER': sender})

	def test_project_identity_cannot_send(self):
		r = self.prep(self.PROJECT)
		self.assertEqual(r.returncode, 2, r.stderr)
		self.assertIn("is the project's identity", r.stderr)
		self.assertFalse(os.path.exists(self.out))

	def test_address_that_cannot_receive_mail_is_refused(self):
		r = self.prep('Some One <someone@host.invalid>')
		self.assertEqual(r.returncode, 2, r.stderr)
		self.assertIn('cannot receive replies', r.stderr)

	def test_series_is_resigned_and_addressed(self):
		r = self.prep(self.SENDER)
		self.assertEqual(r.returncode, 0, r.stderr)
		files = sorted(os.listdir(self.out))
		self.assertEqual(len(files), 2, files)
		with open(os.path.join(self.out, files[1])) as f:
			patch = f.read()
		self.assertNotIn('project.invalid', patch)
		self.assertIn(f'\nFrom: {self.SENDER}\n', patch)
		self.assertIn(f'\nSigned-off-by: {self.SENDER}\n', patch)
		self.assertIn('\nTo: Maint One <maint@example.org>\n', patch)
		self.assertIn('a-list@example.org', patch.split('\n\n')[0])
		with open(os.path.join(self.out, files[0])) as f:
			cover = f.read()
		with open(os.path.join(TOP, 'Documentation', 'cover-letter.txt')) as f:
			subject = f.readline().strip()
		self.assertIn(subject, cover)
		self.assertNotIn('*** ', cover)
		self.assertNotIn('project.invalid', cover)
		self.assertNotIn('base-commit:', cover)

	def test_tree_at_upstream_tag_names_base_commit(self):
		with open(os.path.join(TOP, 'config', 'pinned-tree')) as f:
			version = [ln.split('=', 1)[1].strip() for ln in f if ln.startswith('VERSION=')][0]
		git(self.tree, 'tag', f'v{version}', 'cmwq-base')
		r = self.prep(self.SENDER)
		self.assertEqual(r.returncode, 0, r.stderr)
		with open(os.path.join(self.out, sorted(os.listdir(self.out))[0])) as f:
			cover = f.read()
		base = subprocess.run(['git', '-C', self.tree, 'rev-parse', 'cmwq-base'],
				      capture_output=True, text=True, check=True).stdout.strip()
		self.assertIn(f'base-commit: {base}', cover)


class BisectCompile(Tmp):
	"""bisect-compile.sh on a made-up tree whose Makefile compiles X.o from
	X.c with gcc -Wall, as kbuild does for a single object."""
	MAKEFILE = ('O ?= .\nallmodconfig:\n\techo y >$(O)/.config\nprepare:\n\t@:\n'
		    '%.o: %.c\n\tgcc -Wall -c $< -o $(O)/$@\n')
	GOOD = 'int b(void)\n{\n\treturn 1;\n}\n'

	def setUp(self):
		super().setUp()
		self.out = os.path.join(self.tmp, 'out')
		self.base_tree({'Makefile': self.MAKEFILE, 'a.c': 'int a(void)\n{\n\treturn 0;\n}\n',
				'b.c': self.GOOD})
		ct = os.path.join(self.out, 'compile-test')
		os.makedirs(os.path.join(ct, '10-x86_64-allmodconfig'))
		with open(os.path.join(ct, 'report.txt'), 'w') as f:
			f.write('a.c: 10-x86_64-allmodconfig\nb.c: 10-x86_64-allmodconfig\n')
		self.tiplog = os.path.join(ct, '10-x86_64-allmodconfig', 'objs.log')
		with open(self.tiplog, 'w') as f:
			f.write('')

	def commit(self, name, text, subject):
		self.write(name, text)
		git(self.tree, 'add', name)
		git(self.tree, 'commit', '-q', '-m', subject)

	def bisect(self):
		r = run(os.path.join(SCRIPTS, 'bisect-compile.sh'), self.tree, env={'OUT': self.out})
		with open(os.path.join(self.out, 'bisect', 'report.txt')) as f:
			return r, f.read()

	def test_clean_series_passes(self):
		self.commit('a.c', 'int a(void)\n{\n\treturn 2;\n}\n', 'a: two')
		self.commit('README', 'text\n', 'README: add')
		r, report = self.bisect()
		self.assertEqual(r.returncode, 0, r.stderr + report)
		self.assertIn('2 commits: 0 failed', r.stdout)
		self.assertRegex(report, r'  1 \w+ a: two: 1 of 1 C files built')
		self.assertRegex(report, r'  2 \w+ README: add: no C file')

	def test_commit_that_does_not_build_is_named(self):
		self.commit('b.c', 'int b(void)\n{\n\treturn 1\n}\n', 'b: break it')
		self.commit('b.c', self.GOOD.replace('1', '3'), 'b: mend it')
		r, report = self.bisect()
		self.assertEqual(r.returncode, 14, r.stderr + report)
		self.assertIn('2 commits: 1 failed', r.stdout)
		self.assertRegex(report, r'  1 \w+ b: break it: FAILED\n    b.c: not built on 10-x86_64-allmodconfig')
		self.assertRegex(report, r'  2 \w+ b: mend it: 1 of 1 C files built')

	def test_warning_only_an_intermediate_commit_has_fails(self):
		unused = 'int b(void)\n{\n\tint x;\n\treturn 1;\n}\n'
		self.commit('b.c', unused, 'b: unused variable')
		self.commit('b.c', self.GOOD, 'b: use none')
		r, report = self.bisect()
		self.assertEqual(r.returncode, 14, r.stderr + report)
		self.assertRegex(report, r'b: unused variable: FAILED\n    b.c: warnings on ')
		# the same warning at the series tip was judged there, against the base
		with open(self.tiplog, 'w') as f:
			f.write("b.c:3:13: warning: unused variable 'x' [-Wunused-variable]\n")
		r, report = self.bisect()
		self.assertEqual(r.returncode, 0, r.stderr + report)


class ApiCheck(Tmp):
	"""api-check.sh on a stand-in tree whose "kbuild" command is a plain
	gcc line, as a .cmd file records it."""

	EXPORT = ('#define EXPORT(sym, lic) asm(".section .export_symbol,\\"a\\"\\n__export_symbol_" #sym ":\\n"'
		  ' ".asciz \\"" lic "\\"\\n.asciz \\"\\"\\n.balign 8\\n.quad " #sym "\\n.previous\\n")\n')
	HEADER = '#define WQ_OLD_FLAG 4\nint queue_it(int cpu);\n'
	ENGINE = ('#include <linux/workqueue.h>\n#include "workqueue_internal.h"\n'
		  'int queue_it(int cpu) { return cpu + WQ_OLD_FLAG; }\nEXPORT(queue_it, "");\n'
		  'long wq_helper(struct wq_x *x, void (*fn)(int)) { return x->a; }\nEXPORT(wq_helper, "GPL");\n'
		  'static int hidden(int a) { return a; }\nint wq_count;\n')

	def setUp(self):
		super().setUp()
		need('/usr/bin/gcc', 'gcc')
		self.base_tree({'include/linux/workqueue.h': self.EXPORT + self.HEADER,
				'kernel/workqueue_internal.h': 'struct wq_x { int a; };\n',
				'kernel/workqueue.c': self.ENGINE})
		self.build = os.path.join(self.tmp, 'build')
		os.makedirs(os.path.join(self.build, 'kernel'))
		with open(os.path.join(self.build, 'kernel', '.workqueue.o.cmd'), 'w') as f:
			f.write(f'savedcmd_kernel/workqueue.o := ccache gcc -Wp,-MMD,kernel/.workqueue.o.d '
				f'-I{self.tree}/include -DCONFIG_KUNIT=1 -c -o kernel/workqueue.o '
				f'{self.tree}/kernel/workqueue.c; ./tools/objtool/objtool --orc kernel/workqueue.o\n'
				'source_kernel/workqueue.o := kernel/workqueue.c\n')

	def check(self, engine, header=None):
		self.write('kernel/workqueue.c', engine)
		if header is not None:
			self.write('include/linux/workqueue.h', self.EXPORT + header)
		return run('bash', os.path.join(SCRIPTS, 'api-check.sh'), self.tree, self.build)

	def test_same_interface_passes(self):
		# parameter names, static functions and test-only exports are
		# not interface; the current header has lost the base's flag,
		# which the base must still compile with
		engine = (self.ENGINE.replace('int cpu)', 'int which)').replace('cpu +', 'which +')
			  .replace('WQ_OLD_FLAG', '4') + 'static int more(void) { return 1; }\n'
			  '#ifdef CONFIG_KUNIT\nint wq_test_hook(void) { return 2; }\nEXPORT(wq_test_hook, "");\n#endif\n')
		r = self.check(engine, header='int queue_it(int cpu);\n')
		self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
		self.assertIn('2 functions, 1 variables, 2 exports, identical', r.stdout)

	def test_every_difference_is_named(self):
		engine = (self.ENGINE.replace('long wq_helper(struct wq_x *x,', 'int wq_helper(struct wq_x *x,')
			  .replace('EXPORT(queue_it, "")', 'EXPORT(queue_it, "GPL")')
			  .replace('int wq_count;', 'int wq_new_count;'))
		r = self.check(engine)
		self.assertEqual(r.returncode, 18, r.stdout + r.stderr)
		self.assertIn('function wq_helper: base "extern long int wq_helper (struct wq_x *, void (*)(int))", '
			      'engine "extern int wq_helper (struct wq_x *, void (*)(int))"', r.stdout)
		self.assertIn('export queue_it: base "EXPORT_SYMBOL", engine "EXPORT_SYMBOL_GPL"', r.stdout)
		self.assertIn('variable wq_count: missing', r.stdout)
		self.assertIn('variable wq_new_count: not in the base', r.stdout)
		self.assertIn('4 differences from the base', r.stdout)

	def test_engine_that_does_not_compile_is_named(self):
		r = self.check(self.ENGINE + 'int broken(\n')
		self.assertEqual(r.returncode, 14)
		self.assertIn('kernel/workqueue.c did not compile', r.stderr)


class BenchReport(Tmp):
	"""bench-report.py on a recorded boot (fixtures/bench: the test
	channel of a real boot of the bench plan, and the census of its
	results.json)."""

	def boot(self, name, edit=None):
		rundir = os.path.join(self.tmp, name)
		shutil.copytree(os.path.join(FIXTURES, 'bench'), rundir)
		if edit:
			path = os.path.join(rundir, 'tests.log')
			with open(path) as f:
				text = f.read()
			with open(path, 'w') as f:
				f.write(edit(text))
		return rundir

	def report(self, a_boots, b_boots):
		out = os.path.join(self.tmp, 'report')
		r = run('python3', os.path.join(SCRIPTS, 'bench-report.py'), out, '--a', 'a', '--b', 'b',
			*[f'A={d}' for d in a_boots], *[f'B={d}' for d in b_boots])
		self.assertEqual(r.returncode, 0, r.stderr)
		with open(os.path.join(out, 'results.json')) as f:
			data = json.load(f)
		self.assertTrue(os.path.exists(os.path.join(out, 'results.md')))
		return {row['metric']: row for row in data['rows']}, data

	@staticmethod
	def scale(suffix, factor):
		"""An edit of tests.log: every KEY ending in SUFFIX times FACTOR."""
		def edit(text):
			return re.sub(rf'^((?:# )+\w+{suffix})=(\d+)$', lambda m: f'{m.group(1)}={int(m.group(2)) * factor}',
				      text, flags=re.M)
		return edit

	def test_identical_boots_differ_in_nothing(self):
		rows, data = self.report([self.boot('a1'), self.boot('a2')], [self.boot('b1'), self.boot('b2')])
		# the module's, the workload's, and the census at boot and settled
		for metric in ('latency_unbound_p50_ns', 'throughput_4cpu_items_per_sec',
			       'throughput_unbound_shared_4cpu_items_per_sec', 'dmcrypt_seq_write_kBps',
			       'dmcrypt_4k_rand_write_p99_ns',
			       'boot_rescuers', 'settled_kworkers', 'pool_0H_idle', 'census_kthreads_2'):
			self.assertIn(metric, rows)
		self.assertEqual({r['verdict'] for r in rows.values()}, {'no measurable difference'})
		self.assertEqual(len(data['a']['samples']), 2)
		self.assertNotIn('samples', rows)	# a parameter, not compared

	def test_shifted_boots_get_the_direction_right(self):
		faster = self.scale('_per_sec', 2)
		slower = self.scale('_ns', 3)
		a = [self.boot('a1'), self.boot('a2')]
		b = [self.boot('b1', lambda t: slower(faster(t))), self.boot('b2', lambda t: slower(faster(t)))]
		rows, _ = self.report(a, b)
		self.assertEqual(rows['throughput_1cpu_items_per_sec']['verdict'], 'better')
		self.assertAlmostEqual(rows['throughput_1cpu_items_per_sec']['ratio'], 2.0)
		self.assertEqual(rows['latency_percpu_same_cpu_p50_ns']['verdict'], 'worse')
		self.assertEqual(rows['latency_percpu_same_cpu_p50_ns']['better'], 'lower')
		self.assertEqual(rows['dmcrypt_seq_read_kBps']['verdict'], 'no measurable difference')

	def test_overlapping_ranges_are_no_measurable_difference(self):
		# B's median is higher, but one A boot is as fast as one B boot
		a = [self.boot('a1'), self.boot('a2', self.scale('_per_sec', 2))]
		b = [self.boot('b1', self.scale('_per_sec', 2)), self.boot('b2', self.scale('_per_sec', 3))]
		rows, _ = self.report(a, b)
		row = rows['throughput_1cpu_items_per_sec']
		self.assertGreater(row['ratio'], 1)
		self.assertEqual(row['verdict'], 'no measurable difference')

	def test_ranges_apart_by_less_than_their_width_are_a_lead(self):
		# every B boot is faster than every A boot, but the gap (6 to
		# 7 times the base) is narrower than A's own range (4 to 6)
		a = [self.boot('a1', self.scale('_per_sec', 4)), self.boot('a2', self.scale('_per_sec', 6))]
		b = [self.boot('b1', self.scale('_per_sec', 7)), self.boot('b2', self.scale('_per_sec', 8))]
		rows, data = self.report(a, b)
		row = rows['throughput_1cpu_items_per_sec']
		self.assertGreater(row['b_min'], row['a_max'])
		self.assertEqual(row['verdict'], 'no measurable difference')
		self.assertTrue(row['lead'])
		self.assertFalse(rows['latency_unbound_p50_ns']['lead'])
		with open(os.path.join(self.tmp, 'report', 'results.md')) as f:
			self.assertRegex(f.read(), r'not findings\): .*throughput_1cpu_items_per_sec')
		# apart by the wider range's width: a finding
		b = [self.boot('b3', self.scale('_per_sec', 8)), self.boot('b4', self.scale('_per_sec', 9))]
		rows, _ = self.report(a, b)
		self.assertEqual(rows['throughput_1cpu_items_per_sec']['verdict'], 'better')

	def test_default_a_is_the_last_test_suite_patch(self):
		with open(os.path.join(TOP, 'Makefile')) as f:
			upto = int(re.search(r'^BENCH_A \?= UPTO=(\d+)$', f.read(), re.M).group(1))
		with open(os.path.join(TOP, 'series')) as f:
			patches = [line.split()[0] for line in f if line.strip() and not line.startswith('#')]

		def subject(p):
			with open(os.path.join(TOP, 'patches', p)) as f:
				return re.search(r'^Subject: \[PATCH[^]]*\] (.*)', f.read(), re.M).group(1)
		suite = re.compile(r'(workqueue: add|selftests: workqueue)')
		self.assertRegex(subject(patches[upto - 1]), suite)
		self.assertNotRegex(subject(patches[upto]), suite)
		self.assertIn('coccinelle', subject(patches[upto]))


class Engine(unittest.TestCase):
	"""ENGINE= picks the workqueue engine; each engine has its mutants."""

	def vars(self, *args):
		r = subprocess.run(['make', '-s', '-C', TOP, 'bench-vars', 'FLAVOUR=bench', 'OUT=/nonexistent', *args],
				   capture_output=True, text=True)
		return r.returncode, r.stdout + r.stderr

	def test_cmwq_builds_apart_and_unknown_engine_is_refused(self):
		rc, out = self.vars('ENGINE=upstream')
		self.assertEqual(rc, 0)
		self.assertIn('series /nonexistent/build/series-bench ', out)
		rc, out = self.vars('ENGINE=cmwq')
		self.assertEqual(rc, 0)
		self.assertIn('series-cmwq /nonexistent/build/series-bench-cmwq', out)
		rc, out = self.vars('ENGINE=slab')
		self.assertNotEqual(rc, 0)
		self.assertIn('ENGINE=slab: known engines are upstream and cmwq', out)

	def test_default_engine_is_the_series_own_where_applied(self):
		# the engine is the series line that adds it; UPTO stops before or at it
		n = int(subprocess.run(['grep', '-n', '-m1', 'add-a-rewritten-engine', os.path.join(TOP, 'series')],
				       capture_output=True, text=True, check=True).stdout.split(':')[0])
		build = '/nonexistent/build/'
		for args, want in (((), ['series-cmwq', build + 'series-bench-cmwq']),
				   ((f'UPTO={n}',), [f'series-upto{n}-cmwq', build + f'series-upto{n}-bench-cmwq']),
				   ((f'UPTO={n - 1}',), [f'series-upto{n - 1}', build + f'series-upto{n - 1}-bench']),
				   (('SERIES=none',), ['pristine', build + 'pristine-bench'])):
			rc, out = self.vars(*args)
			self.assertEqual((rc, out.split()[:2]), (0, want), args)
		rc, out = self.vars('SERIES=none', 'ENGINE=cmwq')
		self.assertNotEqual(rc, 0)
		self.assertIn('ENGINE=cmwq: the pristine tree (SERIES=none) has only upstream', out)

	def test_every_mutant_has_a_counterpart_for_the_new_engine(self):
		mdir = os.path.join(TOP, 'selftests', 'mutants')
		ours = sorted(f for f in os.listdir(mdir) if f.endswith('.patch'))
		theirs = sorted(os.listdir(os.path.join(mdir, 'cmwq')))
		self.assertEqual(ours, theirs)
		for name in theirs:
			with open(os.path.join(mdir, 'cmwq', name)) as f:
				text = f.read()
			self.assertRegex(text.split('\n', 1)[0], r'^\S', name)
			self.assertIn('+++ b/kernel/workqueue/', text, name)
			self.assertNotIn('kernel/workqueue.c', text, name)

	def test_unknown_mutant_is_refused_by_name_before_building(self):
		env = {'HARNESS_TOP': TOP, 'OUT': '/nonexistent', 'MUTANTS_ENGINE': 'cmwq'}
		r = run('bash', os.path.join(TOP, 'scripts', 'mutants.sh'), '/nonexistent/linux',
			'/nonexistent/build', '20-idle-workers-never-reaped', '99-no-such', env=env)
		self.assertEqual(r.returncode, 2, r.stderr)
		self.assertIn('mutant 99-no-such: no such file, nor '
			      + os.path.join(TOP, 'selftests', 'mutants', 'cmwq', '99-no-such.patch'), r.stderr)


if __name__ == '__main__':
	unittest.main()
