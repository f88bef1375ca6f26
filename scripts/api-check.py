#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two sets of objects' interfaces: the report of api-check.sh.

Each side is one or more compiled files, given as SOURCE=PREFIX, where
PREFIX.o is the object and PREFIX.aux what gcc -aux-info wrote for it.
A side's interface is:
  - its non-static functions, each with its prototype: the definitions
    -aux-info lists (with the parameters' names taken out, since only
    their types are interface);
  - its non-static variables: the data symbols the object defines;
  - its exports: the __export_symbol_* entries of the object, each with
    the license ("GPL" or none) and namespace stored in the entry.
Prints each difference and exits 1 if there is one; otherwise prints
what was compared and exits 0.

Usage: api-check.py SOURCE=PREFIX... -- SOURCE=PREFIX...   (base, then engine)
"""

import os
import re
import subprocess
import sys
import tempfile
from typing import Dict, List, Tuple

# /* path:line:NF */ extern TYPE NAME (PARAMS); /* (names) K&R form */
AUX = re.compile(r'^/\* (?P<file>[^:]+):\d+:(?P<kind>[NO][CF]) \*/ (?P<decl>.*?);'
		 r'(?: /\* \((?P<names>[^)]*)\).*\*/)?\s*$')
EXPORT_PREFIX = '__export_symbol_'


def prototype(decl: str, names: str) -> Tuple[str, str]:
	"""The function's name and its prototype without parameter names:
	"extern int f (struct s *p, void (*fn) (int))" with names "p, fn"
	gives ("f", "extern int f (struct s *, void (*)(int))")."""
	m = re.match(r'^(?P<head>.*?\b(?P<name>\w+)) \((?P<params>.*)\)$', decl)
	if not m:
		raise ValueError(f'cannot read the prototype "{decl}"')
	params = m.group('params')
	for n in filter(None, (x.strip() for x in names.split(','))):
		params = re.sub(rf'(?<![\w.]){re.escape(n)}(?!\w)', '', params)
	params = re.sub(r'\s+', ' ', params)
	params = re.sub(r' ?([,)]) ?', r'\1', params).strip()
	params = re.sub(r',(?=\S)', ', ', params)
	return m.group('name'), f'{m.group("head")} ({params})'


def functions(aux_text: str) -> Dict[str, str]:
	"""Non-static functions defined in .c files, name -> prototype."""
	found = {}
	for line in aux_text.splitlines():
		m = AUX.match(line)
		if not m or m.group('kind')[1] != 'F' or not m.group('file').endswith('.c'):
			continue
		decl = m.group('decl')
		if decl.startswith('static '):
			continue
		name, proto = prototype(decl, m.group('names') or '')
		found[name] = proto
	return found


def symbols(obj: str) -> List[Tuple[str, str, int]]:
	"""(name, nm type, value) of every symbol the object defines."""
	out = subprocess.run(['nm', '--defined-only', obj], capture_output=True, text=True, check=True).stdout
	result = []
	for line in out.splitlines():
		parts = line.split()
		if len(parts) == 3:
			result.append((parts[2], parts[1], int(parts[0], 16)))
	return result


def export_section(obj: str) -> bytes:
	with tempfile.TemporaryDirectory() as tmp:
		path = os.path.join(tmp, 'section')
		r = subprocess.run(['objcopy', '-O', 'binary', '--only-section=.export_symbol', obj, path],
				   capture_output=True, text=True)
		if r.returncode != 0 or not os.path.exists(path):
			return b''
		with open(path, 'rb') as f:
			return f.read()


def cstring(data: bytes, at: int) -> Tuple[str, int]:
	end = data.index(b'\0', at)
	return data[at:end].decode(), end + 1


def interface(sources: List[Tuple[str, str]]) -> Dict[str, Dict[str, str]]:
	"""The three parts of one side's interface, each name -> description."""
	funcs: Dict[str, str] = {}
	variables: Dict[str, str] = {}
	exports: Dict[str, str] = {}
	for source, prefix in sources:
		with open(prefix + '.aux', errors='replace') as f:
			funcs.update(functions(f.read()))
		section = export_section(prefix + '.o')
		for name, kind, value in symbols(prefix + '.o'):
			if name.startswith(EXPORT_PREFIX):
				license, at = cstring(section, value)
				namespace, _ = cstring(section, at)
				exports[name[len(EXPORT_PREFIX):]] = (
					f'{"EXPORT_SYMBOL_GPL" if license == "GPL" else "EXPORT_SYMBOL"}'
					f'{f" in namespace {namespace}" if namespace else ""}')
			elif kind in 'BDGRS':
				variables[name] = f'variable ({source})'
	return {'function': funcs, 'variable': variables, 'export': exports}


def compare(base: Dict[str, Dict[str, str]], engine: Dict[str, Dict[str, str]]) -> List[str]:
	diffs = []
	for part in ('function', 'variable', 'export'):
		b, e = base[part], engine[part]
		for name in sorted(set(b) | set(e)):
			if name not in e:
				diffs.append(f'{part} {name}: missing (base: {b[name]})')
			elif name not in b:
				diffs.append(f'{part} {name}: not in the base ({e[name]})')
			elif part != 'variable' and b[name] != e[name]:
				diffs.append(f'{part} {name}: base "{b[name]}", engine "{e[name]}"')
	return diffs


def parse_side(args: List[str]) -> List[Tuple[str, str]]:
	sides = []
	for arg in args:
		source, _, prefix = arg.partition('=')
		if not source or not prefix:
			sys.exit(f'api-check.py: {arg}: expected SOURCE=PREFIX')
		sides.append((source, prefix))
	return sides


def main(argv: List[str]) -> int:
	if '--' not in argv:
		sys.exit(__doc__.strip().splitlines()[-1])
	cut = argv.index('--')
	base = interface(parse_side(argv[:cut]))
	engine = interface(parse_side(argv[cut + 1:]))
	diffs = compare(base, engine)
	for d in diffs:
		print(f'api-check: {d}')
	counts = ', '.join(f'{len(base[p])} {p}s' for p in ('function', 'variable', 'export'))
	if diffs:
		print(f'api-check: {len(diffs)} differences from the base (which has {counts})')
		return 1
	print(f'api-check: the engine has the base\'s interface: {counts}, identical')
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
