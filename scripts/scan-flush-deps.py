#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scan-flush-deps.py - find flush dependencies that check_flush_dependency()
will warn about once __WQ_LEGACY is gone.

Usage (from anywhere):
    scan-flush-deps.py [--tree DIR] [--base REV] [--depth N] [--widen N]
                       [--ops [--ops-any]] [--only PFX]... [--all] [--verbose]

    --tree DIR   kernel worktree to scan (default: current directory); it must
                 be a git repository that contains REV
    --base REV   the tree before the conversions (default: cmwq-base)
    --depth N    how many levels of direct calls to follow from each work
                 function (default 4)
    --widen N    also look at N parent directories of the allocating file
                 when collecting functions, work items and queues (default 0:
                 the allocating file's directory only)
    --ops        also follow a call through a structure member (x->op(...))
                 to the functions that an initialiser in the same file
                 assigns to a member of that name (.op = fn)
    --ops-any    with --ops, follow initialisers anywhere in the scanned
                 directories, not only in the caller's file (noisy: every
                 .remove/.suspend of the directory matches)
    --only PFX   only the queues allocated in files whose path starts with
                 PFX (repeatable)
    --all        scan every WQ_MEM_RECLAIM queue of the tree, not only those
                 in scope (see below)
    --verbose    also print the checked flushes that are fine

Example, on the tree "make apply" leaves, checked out at the commit
before the removal of __WQ_LEGACY:
    cd out/linux && git checkout -q series~1 &&
        ../../scripts/scan-flush-deps.py --base cmwq-base --ops --depth 8

What it does
  1. Scope: a queue is in scope if the tree allocates it with WQ_MEM_RECLAIM
     and, in REV, the same file allocated the same lvalue (matched by its last
     member name, e.g. "priv->wq" -> "wq") with a legacy constructor
     (create_workqueue(), create_singlethread_workqueue(),
     create_freezable_workqueue()) or with __WQ_LEGACY, or without
     WQ_MEM_RECLAIM.  Those are the only queues whose workers get a new
     check: every other WQ_MEM_RECLAIM queue was already checked in REV.
  2. Work items of a queue: in the driver directory, every
     queue_work{,_on,_node}(), queue_delayed_work{,_on}(),
     mod_delayed_work{,_on}() and queue_rcu_work() whose queue argument ends
     in that member name gives a work member name; one level of wrapper
     functions (a function that passes one of its parameters as the work to
     such a call) is resolved at its callers.  INIT_WORK(),
     INIT_DELAYED_WORK(), INIT_DEFERRABLE_WORK(), INIT_RCU_WORK(),
     DECLARE_*WORK() with the same member name give the work function.
  3. From each work function, direct calls to functions defined in the
     directory are followed --depth levels.  Every call of a flush that runs
     check_flush_dependency() with from_cancel == false is reported:
     flush_work(), flush_delayed_work(), flush_rcu_work(), flush_workqueue(),
     __flush_workqueue(), drain_workqueue(), destroy_workqueue(),
     flush_scheduled_work(), work_on_cpu{,_safe}{,_key}(),
     schedule_on_each_cpu().  cancel_work_sync(), cancel_delayed_work_sync(),
     disable_work_sync() and friends pass from_cancel == true to
     __flush_work() and are never checked, so they are not reported.
  4. The target is resolved the same way: a queue by its member name
     (system_* queues have no WQ_MEM_RECLAIM in 7.2.8), a work item by where
     the directory queues it (schedule_*work() is system_percpu_wq).
     WARN = the target queue lacks WQ_MEM_RECLAIM; UNRESOLVED = the scan
     could not tell which queue the target is (read those by hand).

What it cannot see (check by hand)
  - indirect calls: ops tables (e.g. ccw_driver->remove, amd_ip_funcs->suspend,
    dev_pm_ops, net_device_ops), callbacks stored in structures, function
    pointers passed as arguments;
  - calls into other directories or subsystems (core code that flushes on the
    driver's behalf, e.g. device_del() -> driver remove -> destroy_workqueue(),
    unregister_netdev(), cfg80211/mac80211 helpers), unless --widen reaches
    them;
  - work items queued through an expression other than a member access or a
    wrapper parameter (arrays of work, work passed through two wrappers),
    queues passed around in local variables, queues chosen at run time;
  - name collisions: member names are matched textually within the
    directory, so two structures with a member of the same name are merged
    (this errs towards reporting more, not less);
  - code inside #if/#else branches is read as if both branches were built.
"""

import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

SYSTEM_WQS = {
    'system_wq', 'system_percpu_wq', 'system_highpri_wq', 'system_long_wq',
    'system_unbound_wq', 'system_dfl_wq', 'system_freezable_wq',
    'system_power_efficient_wq', 'system_freezable_power_efficient_wq',
    'system_bh_wq', 'system_bh_highpri_wq', 'system_dfl_long_wq',
}

ALLOC_RE = re.compile(
    r'([A-Za-z_][\w\.\->\[\]\(\)\*&]*?)\s*=\s*'
    r'(alloc_workqueue|alloc_ordered_workqueue|create_workqueue|'
    r'create_singlethread_workqueue|create_freezable_workqueue|'
    r'devm_alloc_workqueue|devm_alloc_ordered_workqueue)\s*\(')

# queueing calls: name -> (index of queue arg or None for system, index of work arg, system wq)
QUEUE_CALLS = {
    'queue_work': (0, 1, None),
    'queue_work_on': (1, 2, None),
    'queue_work_node': (1, 2, None),
    'queue_delayed_work': (0, 1, None),
    'queue_delayed_work_on': (1, 2, None),
    'mod_delayed_work': (0, 1, None),
    'mod_delayed_work_on': (1, 2, None),
    'queue_rcu_work': (0, 1, None),
    'schedule_work': (None, 0, 'system_percpu_wq'),
    'schedule_work_on': (None, 1, 'system_percpu_wq'),
    'schedule_delayed_work': (None, 0, 'system_percpu_wq'),
    'schedule_delayed_work_on': (None, 1, 'system_percpu_wq'),
}

INIT_CALLS = {'INIT_WORK', 'INIT_DELAYED_WORK', 'INIT_DEFERRABLE_WORK',
              'INIT_RCU_WORK', 'INIT_WORK_ONSTACK', '__INIT_WORK',
              '__INIT_DELAYED_WORK', 'INIT_DELAYED_WORK_ONSTACK',
              'DECLARE_WORK', 'DECLARE_DELAYED_WORK',
              'DECLARE_DEFERRABLE_WORK'}

FLUSH_WORK = {'flush_work', 'flush_delayed_work', 'flush_rcu_work'}
FLUSH_WQ = {'flush_workqueue', '__flush_workqueue', 'drain_workqueue',
            'destroy_workqueue'}
FLUSH_SYS = {'flush_scheduled_work': 'system_wq',
             'work_on_cpu': 'system_percpu_wq',
             'work_on_cpu_key': 'system_percpu_wq',
             'work_on_cpu_safe': 'system_percpu_wq',
             'work_on_cpu_safe_key': 'system_percpu_wq',
             'schedule_on_each_cpu': 'system_percpu_wq'}

FILECACHE = {}
FUNCCACHE = {}

KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof',
            'do', 'else', 'case', '__typeof__', 'defined', 'likely',
            'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'BUG_ON', 'container_of',
            'from_work', 'from_timer', 'READ_ONCE', 'WRITE_ONCE'}


def strip_c(text):
    """Remove comments, string/char literals and preprocessor lines,
    keeping line numbers."""
    def blank(m):
        t = m.group(0)
        if t.startswith('/'):
            return re.sub(r'[^\n]', ' ', t)
        return t[0] + re.sub(r'[^\n]', ' ', t[1:-1]) + t[-1]
    s = re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
               blank, text, flags=re.S)
    # preprocessor lines (with continuations) become blank, except #define
    # bodies are kept out too: they are not function bodies.
    lines = s.split('\n')
    res = []
    cont = False
    for ln in lines:
        if cont or ln.lstrip().startswith('#'):
            cont = ln.rstrip().endswith('\\')
            res.append('')
        else:
            res.append(ln)
    return '\n'.join(res)


def call_args(text, open_paren):
    """Given index of '(' return (list of args, index after ')')."""
    depth = 0
    args, cur = [], []
    i = open_paren
    while i < len(text):
        c = text[i]
        if c in '([{':
            depth += 1
            if depth > 1:
                cur.append(c)
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append(''.join(cur).strip())
                return args, i + 1
            cur.append(c)
        elif c == ',' and depth == 1:
            args.append(''.join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return args, i


def member_key(expr):
    """'&priv->foo.work' -> 'foo'; 'adapter->wq' -> 'wq'; 'wq' -> 'wq'."""
    e = re.sub(r'\s+', '', expr)
    e = e.lstrip('&*(').rstrip(')')
    e = re.sub(r'\[[^\]]*\]', '', e)
    parts = re.split(r'->|\.', e)
    parts = [p for p in parts if p]
    if not parts:
        return e
    if len(parts) > 1 and parts[-1] in ('work', 'dwork') and \
            parts[-2] not in ('', ):
        # x->dwork.work, x->foo_work.work: the delayed/rcu work member
        return parts[-2]
    return parts[-1]


def member_owner(expr):
    """'&priv->foo.work' -> 'priv'; 'dev->cmd.wq' -> 'cmd'; 'wq' -> ''."""
    e = re.sub(r'\s+', '', expr)
    e = e.lstrip('&*(').rstrip(')')
    e = re.sub(r'\[[^\]]*\]', '', e)
    parts = [p for p in re.split(r'->|\.', e) if p]
    return parts[-2] if len(parts) > 1 else ''


def lineno(text, idx):
    return text.count('\n', 0, idx) + 1


def line_index(text):
    import bisect
    offs = [i for i, c in enumerate(text) if c == '\n']
    return lambda idx: bisect.bisect_left(offs, idx) + 1


def parse_funcs(rel, text):
    res = []
    ln = line_index(text)
    depth = 0
    last_top = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '{':
            if depth == 0:
                head = text[last_top:i]
                m = re.search(r'\b([A-Za-z_]\w*)\s*\(((?:[^()]|\([^()]*\))*)\)'
                              r'(?:\s*__\w+(?:\([^()]*\))?)*\s*$', head)
                if m and m.group(1) not in KEYWORDS and \
                        '=' not in head[m.start():]:
                    start = i
                    j, d = i, 0
                    while j < n:
                        if text[j] == '{':
                            d += 1
                        elif text[j] == '}':
                            d -= 1
                            if d == 0:
                                break
                        j += 1
                    params = m.group(2)
                    res.append((m.group(1),
                                (rel, ln(start),
                                 text[start:j + 1], params)))
                    i = j + 1
                    last_top = i
                    continue
            depth += 1
        elif c == '}':
            depth -= 1
            if depth <= 0:
                depth = 0
                last_top = i + 1
        elif c == ';' and depth == 0:
            last_top = i + 1
        i += 1
    return res


class Dir:
    """Everything the scan knows about one directory (plus widened ones)."""

    def __init__(self, tree, dirs):
        self.tree = tree
        self.files = {}
        for d in dirs:
            p = os.path.join(tree, d)
            if not os.path.isdir(p):
                continue
            for root, subdirs, fnames in os.walk(p):
                subdirs.sort()
                for f in sorted(fnames):
                    if not (f.endswith('.c') or f.endswith('.h')):
                        continue
                    rel = os.path.relpath(os.path.join(root, f), tree)
                    if rel in self.files:
                        continue
                    if rel not in FILECACHE:
                        try:
                            with open(os.path.join(tree, rel),
                                      errors='replace') as fh:
                                FILECACHE[rel] = strip_c(fh.read())
                        except OSError:
                            FILECACHE[rel] = ''
                    self.files[rel] = FILECACHE[rel]
        self.funcs = defaultdict(list)   # name -> [(file, start, body)]
        self.allocs = defaultdict(list)  # queue key -> [(file, line, reclaim)]
        self.queued = defaultdict(list)  # work key -> [(queue key, file, line)]
        self.inits = defaultdict(list)   # work key -> [(fn, file, line)]
        self.ops = defaultdict(set)      # ops member -> {functions}
        for rel, text in self.files.items():
            for m in re.finditer(r'\.\s*([A-Za-z_]\w*)\s*=\s*&?([A-Za-z_]\w*)\s*[,}\n]',
                                 text):
                self.ops[m.group(1)].add((m.group(2), rel))
        for rel, text in self.files.items():
            self._parse_funcs(rel, text)
            self._parse_allocs(rel, text)
            self._parse_inits(rel, text)
        for rel, text in self.files.items():
            self._parse_queues(rel, text)

    def _parse_funcs(self, rel, text):
        if rel not in FUNCCACHE:
            FUNCCACHE[rel] = parse_funcs(rel, text)
        for name, ent in FUNCCACHE[rel]:
            self.funcs[name].append(ent)

    def _parse_allocs(self, rel, text):
        for m in ALLOC_RE.finditer(text):
            lhs, fn = m.group(1), m.group(2)
            args, _ = call_args(text, m.end() - 1)
            if fn in ('create_workqueue', 'create_singlethread_workqueue'):
                reclaim, legacy = True, True
            elif fn == 'create_freezable_workqueue':
                reclaim, legacy = True, True
            else:
                off = 1 if fn.startswith('devm_') else 0
                flags = args[1 + off] if len(args) > 1 + off else ''
                reclaim = 'WQ_MEM_RECLAIM' in flags
                legacy = '__WQ_LEGACY' in flags
                if not re.search(r'WQ_|^0$', flags):
                    reclaim = None  # flags in a variable: unknown
            self.allocs[member_key(lhs)].append(
                (rel, lineno(text, m.start()), reclaim, legacy, fn,
                 member_owner(lhs)))
        for m in re.finditer(r'([A-Za-z_][\w\.\->\[\]]*)\s*=\s*(system_\w+wq)\s*;',
                             text):
            self.allocs[member_key(m.group(1))].append(
                (rel, lineno(text, m.start()), False, False, m.group(2),
                 member_owner(m.group(1))))

    def _parse_inits(self, rel, text):
        for m in re.finditer(r'\b(' + '|'.join(INIT_CALLS) + r')\s*\(', text):
            args, _ = call_args(text, m.end() - 1)
            if len(args) >= 2:
                fn = args[1].strip().lstrip('&')
                self.inits[member_key(args[0])].append(
                    (fn, rel, lineno(text, m.start())))

    def _queue_calls(self, text):
        pat = r'\b(' + '|'.join(QUEUE_CALLS) + r')\s*\('
        for m in re.finditer(pat, text):
            qi, wi, sysq = QUEUE_CALLS[m.group(1)]
            args, _ = call_args(text, m.end() - 1)
            if len(args) <= wi or (qi is not None and len(args) <= qi):
                continue
            q = sysq if qi is None else args[qi]
            yield m, q, args[wi]

    def _parse_queues(self, rel, text):
        for m, q, w in self._queue_calls(text):
            self.queued[member_key(w)].append(
                (member_key(q), rel, lineno(text, m.start()), '',
                 member_owner(q)))
        # one level of wrappers: f(..., struct work_struct *p, ...) { queue_*(q, p) }
        for name, defs in list(self.funcs.items()):
            for (frel, fline, body, params) in defs:
                if frel != rel:
                    continue
                plist = [p.strip() for p in params.split(',')]
                pnames = [re.findall(r'(\w+)\s*$', p)[0] if re.findall(r'(\w+)\s*$', p) else ''
                          for p in plist]
                for m, q, w in self._queue_calls(body):
                    wexp = w.strip().lstrip('&')
                    if wexp in pnames:
                        idx = pnames.index(wexp)
                        self._wrapper_callers(name, idx, member_key(q),
                                              member_owner(q))

    def _wrapper_callers(self, fname, idx, qkey, qowner):
        for rel, text in self.files.items():
            for m in re.finditer(r'\b' + re.escape(fname) + r'\s*\(', text):
                # skip the definition itself
                pre = text[max(0, m.start() - 40):m.start()]
                args, end = call_args(text, m.end() - 1)
                if len(args) <= idx:
                    continue
                if re.match(r'\s*\{', text[end:end + 5]) or \
                        re.search(r'\b(void|int|bool|static)\s*\*?\s*$', pre):
                    continue
                self.queued[member_key(args[idx])].append(
                    (qkey, rel, lineno(text, m.start()), 'via ' + fname + '()',
                     qowner))

    def queue_reclaim(self, qkey, rel=None, owner=''):
        """True / False / None (unknown) for a queue member name."""
        if qkey in SYSTEM_WQS:
            return False, qkey
        al = self.allocs.get(qkey, [])
        if owner and any(a[5] == owner for a in al):
            al = [a for a in al if a[5] == owner]
        al = prefer_file(al, rel, 0)
        if not al:
            return None, 'queue "%s" not allocated in this directory' % qkey
        vals = {a[2] for a in al}
        where = ', '.join('%s:%d %s' % (a[0], a[1], a[4]) for a in al)
        if vals == {True}:
            return True, where
        if vals == {False}:
            return False, where
        return None, 'mixed/unknown flags: ' + where

    def work_reclaim(self, wkey, rel=None):
        q = prefer_file(self.queued.get(wkey, []), rel, 1)
        if not q:
            return None, 'work "%s" not queued in this directory' % wkey, []
        res = []
        verdict = True
        for ent in q:
            r, why = self.queue_reclaim(ent[0], ent[1], ent[4])
            res.append((ent, r, why))
            if r is False:
                verdict = False
            elif r is None and verdict is True:
                verdict = None
        return verdict, '', res


def git_show(tree, rev, path):
    try:
        return subprocess.run(['git', '-C', tree, 'show', '%s:%s' % (rev, path)],
                              capture_output=True, text=True,
                              errors='replace', check=True).stdout
    except subprocess.CalledProcessError:
        return None


def reclaim_queues(tree, base, scan_all):
    """Yield (file, line, lhs key, reason) for queues in scope."""
    out = subprocess.run(['git', '-C', tree, 'grep', '-n', '-l', '-E',
                          'WQ_MEM_RECLAIM|create_(singlethread_|freezable_)?workqueue',
                          '--', '*.c', '*.h'],
                         capture_output=True, text=True).stdout.split()
    for rel in out:
        if rel.startswith(('include/linux/workqueue.h', 'kernel/workqueue',
                           'tools/', 'scripts/', 'Documentation/')):
            continue
        with open(os.path.join(tree, rel), errors='replace') as fh:
            text = strip_c(fh.read())
        cur = []
        for m in ALLOC_RE.finditer(text):
            args, _ = call_args(text, m.end() - 1)
            fn = m.group(2)
            off = 1 if fn.startswith('devm_') else 0
            if fn.startswith('create_'):
                reclaim = True
            else:
                flags = args[1 + off] if len(args) > 1 + off else ''
                reclaim = 'WQ_MEM_RECLAIM' in flags
            if reclaim:
                cur.append((member_key(m.group(1)), lineno(text, m.start()), fn))
        if not cur:
            continue
        btext = git_show(tree, base, rel)
        bq = {}
        if btext is not None:
            btext = strip_c(btext)
            for m in ALLOC_RE.finditer(btext):
                args, _ = call_args(btext, m.end() - 1)
                fn = m.group(2)
                off = 1 if fn.startswith('devm_') else 0
                flags = args[1 + off] if len(args) > 1 + off else ''
                legacy = fn.startswith('create_') or '__WQ_LEGACY' in flags
                reclaim = fn.startswith('create_') or 'WQ_MEM_RECLAIM' in flags
                k = member_key(m.group(1))
                prev = bq.get(k, (False, True))
                bq[k] = (prev[0] or legacy, prev[1] and reclaim)
        for key, line, fn in cur:
            if scan_all:
                yield rel, line, key, 'all'
                continue
            if btext is None:
                yield rel, line, key, 'new file'
            elif key not in bq:
                yield rel, line, key, 'no allocation of "%s" in base' % key
            elif bq[key][0]:
                yield rel, line, key, 'legacy in base'
            elif not bq[key][1]:
                yield rel, line, key, 'gained WQ_MEM_RECLAIM'


def scan(args):
    tree = os.path.abspath(args.tree)
    dircache = {}
    total_warn = total_unres = total_ok = 0
    queues = [q for q in reclaim_queues(tree, args.base, args.all)
              if not args.only or any(q[0].startswith(o) for o in args.only)]
    print('# scan-flush-deps: tree %s, base %s, depth %d, widen %d' %
          (tree, args.base, args.depth, args.widen))
    print('# %d WQ_MEM_RECLAIM queue allocation(s) in scope' % len(queues))
    print()
    for rel, line, qkey, why in queues:
        d = os.path.dirname(rel)
        dirs = [d]
        for _ in range(args.widen):
            d = os.path.dirname(d)
            if d:
                dirs.append(d)
        key = tuple(dirs)
        if key not in dircache:
            dircache[key] = Dir(tree, dirs)
        D = dircache[key]
        lines = []
        # queue calls on "<owner>-><qkey>" where another allocation in the
        # directory has that owner are that other queue (health->wq, priv->wq)
        myowner = {a[5] for a in D.allocs.get(qkey, [])
                   if a[0] == rel and a[1] == line}
        others = {a[5] for a in D.allocs.get(qkey, []) if a[5]} - myowner
        works = set()
        for wkey, ents in D.queued.items():
            for ent in ents:
                if ent[0] == qkey and ent[4] not in others:
                    works.add((wkey, ent[1]))
        fns = []
        unq = set()
        for w, qrel in sorted(works):
            ini = prefer_file(D.inits.get(w, []), qrel, 1)
            if not ini:
                unq.add(w)
            for fn, frel, fline in ini:
                if (w, fn, frel, fline) not in fns:
                    fns.append((w, fn, frel, fline))
        unq = sorted(unq)
        for w, fn, frel, fline in fns:
            # BFS over direct calls
            seen = {fn}
            frontier = [(fn, [fn])]
            for depth in range(args.depth + 1):
                nxt = []
                for f, path in frontier:
                    for (drel, dline, body, params) in D.funcs.get(f, []):
                        for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', body):
                            callee = m.group(1)
                            cl = dline + body.count('\n', 0, m.start())
                            if callee in FLUSH_WORK or callee in FLUSH_WQ or \
                                    callee in FLUSH_SYS:
                                a, _ = call_args(body, m.end() - 1)
                                tgt = a[0] if a else ''
                                if callee in FLUSH_SYS:
                                    r, where = False, FLUSH_SYS[callee]
                                    desc = '%s()' % callee
                                elif callee in FLUSH_WQ:
                                    tk = member_key(tgt)
                                    r, where = D.queue_reclaim(tk, drel,
                                                               member_owner(tgt))
                                    desc = '%s(%s)' % (callee, tgt)
                                else:
                                    tk = member_key(tgt)
                                    r, where, det = D.work_reclaim(tk, drel)
                                    if det:
                                        where = '; '.join(
                                            '%s on %s (%s:%d%s) %s' %
                                            (tk, e[0], e[1], e[2],
                                             ' ' + e[3] if e[3] else '',
                                             'reclaim' if rr else
                                             ('NO reclaim' if rr is False else 'unknown'))
                                            for e, rr, _w in det)
                                    desc = '%s(%s)' % (callee, tgt)
                                if tk_self(callee, tgt, qkey, myowner) and \
                                        r is not False:
                                    r = True
                                    where = 'the queue itself'
                                tag = {True: 'ok', False: 'WARN',
                                       None: 'UNRESOLVED'}[r]
                                if r is True:
                                    total_ok += 1
                                elif r is False:
                                    total_warn += 1
                                else:
                                    total_unres += 1
                                if r is not True or args.verbose:
                                    lines.append('  %-10s %s -> %s at %s:%d\n'
                                                 '             target: %s' %
                                                 (tag, ' -> '.join(path), desc,
                                                  drel, cl, where))
                            elif callee in D.funcs and callee not in seen and \
                                    callee not in KEYWORDS:
                                seen.add(callee)
                                nxt.append((callee, path + [callee]))
                            elif args.ops and re.search(r'(->|\.)\s*$',
                                                        body[max(0, m.start() - 3):m.start()]):
                                for tgt_fn, orel in sorted(D.ops.get(callee, ())):
                                    if (orel == drel or args.ops_any) and \
                                            tgt_fn in D.funcs and \
                                            tgt_fn not in seen:
                                        seen.add(tgt_fn)
                                        nxt.append((tgt_fn, path + [
                                            '[->%s]%s' % (callee, tgt_fn)]))
                frontier = nxt
        print('%s:%d %s (%s)' % (rel, line, qkey, why))
        print('  work items: %s' % (', '.join(
            '%s=%s()' % (w, fn) for w, fn, _f, _l in fns) or 'none found'))
        if unq:
            print('  queued without a visible INIT_*WORK: %s' % ', '.join(unq))
        for ln in lines:
            print(ln)
        print()
    print('# totals: %d WARN, %d UNRESOLVED, %d ok' %
          (total_warn, total_unres, total_ok))


def prefer_file(ents, rel, idx):
    """Entries found in file rel if there are any, else all of them."""
    same = [e for e in ents if e[idx] == rel]
    return same or ents


def tk_self(callee, tgt, qkey, owners):
    return callee in FLUSH_WQ and member_key(tgt) == qkey and \
        (not owners or member_owner(tgt) in owners or not member_owner(tgt))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tree', default='.')
    ap.add_argument('--base', default='cmwq-base')
    ap.add_argument('--depth', type=int, default=4)
    ap.add_argument('--widen', type=int, default=0)
    ap.add_argument('--all', action='store_true')
    ap.add_argument('--ops', action='store_true')
    ap.add_argument('--only', action='append', default=[])
    ap.add_argument('--ops-any', action='store_true')
    ap.add_argument('--verbose', action='store_true')
    scan(ap.parse_args())


if __name__ == '__main__':
    sys.exit(main())
