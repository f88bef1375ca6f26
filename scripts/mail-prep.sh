#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the series for mailing: git format-patch of the tree's series
# branch with a cover letter, re-signed with the sender's own identity,
# and each patch addressed with the tree's scripts/get_maintainer.pl.
# Nothing is sent; the last line says how to send it.
#
# The commits carry the project's identity (config/identity), which is
# nobody's: the sender's git identity (user.name, user.email of this
# repository, or SENDER="Name <address>") replaces it in From: and in
# Signed-off-by:.  An unset identity, the project's own, or an address
# that cannot receive mail is refused.
#
# Addressing, per patch: To: its maintainers; Cc: its reviewers and lists,
# and the workqueue maintainers and list (the series is theirs).  The
# cover letter goes to the workqueue maintainers, Cc: the maintainers and
# lists of every patch.  The cover letter's subject and text come from
# Documentation/cover-letter.txt (first line the subject).
#
# Usage: mail-prep.sh KSRC REPO [OUTDIR]
# Environment: SENDER, REROLL (version, e.g. 2 for [PATCH v2 ...])
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "$EX_USAGE" "usage: mail-prep.sh KSRC REPO [OUTDIR]"
ksrc=$1 repo=$(realpath "$2")
outdir=${3:-$OUT/mail}
cover=$repo/Documentation/cover-letter.txt
read_manifest "$repo/config/identity"
read_manifest "$repo/config/pinned-tree"

# The sender.
if [ -z "${SENDER:-}" ]; then
	name=$(git -C "$repo" config user.name || true)
	email=$(git -C "$repo" config user.email || true)
	[ -n "$name" ] && [ -n "$email" ] ||
		die "$EX_USAGE" "no sender: set git config user.name and user.email in $repo, or SENDER='Name <address>'"
	SENDER="$name <$email>"
fi
[[ $SENDER =~ ^([^\<\>]*[^\<\>\ ])\ \<([^\<\>@\ ]+@[^\<\>@\ ]+\.[^\<\>@\ ]+)\>$ ]] ||
	die "$EX_USAGE" "sender '$SENDER' is not 'Name <address>'"
sender_name=${BASH_REMATCH[1]} sender_email=${BASH_REMATCH[2]}
[ "$sender_email" != "$PIN_EMAIL" ] && [ "$sender_name" != "$PIN_NAME" ] ||
	die "$EX_USAGE" "sender '$SENDER' is the project's identity (config/identity); a person sends the series"
case $sender_email in
*.invalid | *.example | *.test | *.localhost | *@localhost* | *.local)
	die "$EX_USAGE" "sender address $sender_email cannot receive replies" ;;
esac

# The series.
base=$(git -C "$ksrc" rev-parse -q --verify 'cmwq-base^{commit}') ||
	die "$EX_APPLY" "$ksrc: no cmwq-base tag; run 'make tree' first"
tip=$(git -C "$ksrc" rev-parse -q --verify 'series^{commit}') ||
	die "$EX_APPLY" "$ksrc: no series branch; run 'make apply' first"
n=$(git -C "$ksrc" rev-list --count "$base..$tip")
[ "$n" -gt 0 ] || die "$EX_APPLY" "$ksrc: the series branch has no commits over cmwq-base"
[ -r "$cover" ] || die "$EX_USAGE" "$cover: not readable"
subject=$(head -1 "$cover")
[ -n "$subject" ] && [ -z "$(sed -n 2p "$cover")" ] ||
	die "$EX_USAGE" "$cover: the first line is the subject, the second must be empty"

# A user's own git tree at upstream's v$PIN_VERSION tag gets base-commit: for b4
# and the bots; the tarball import has no commit id anyone else knows.
base_opt=()
upstream=$(git -C "$ksrc" rev-parse -q --verify "v$PIN_VERSION^{commit}" 2>/dev/null || true)
if [ -n "$upstream" ] && git -C "$ksrc" merge-base --is-ancestor "$upstream" "$base" &&
   [ "$(git -C "$ksrc" rev-parse "$upstream^{tree}")" = "$(git -C "$ksrc" rev-parse "$base^{tree}")" ]; then
	base_opt=(--base="$upstream")
fi

rm -rf "$outdir"
mkdir -p "$outdir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# get_maintainer.pl and MAINTAINERS as the series leaves them, whatever
# is checked out in the tree.
git -C "$ksrc" archive "$tip" MAINTAINERS scripts/get_maintainer.pl kernel/workqueue.c | tar -x -C "$work"
getm() {
	(cd "$work" && perl scripts/get_maintainer.pl --no-tree --no-git --no-git-fallback \
		--no-rolestats --no-multiline --separator ', ' "$@")
}

# The message ids are made from the committer's address: the sender's.
GIT_COMMITTER_NAME=$sender_name GIT_COMMITTER_EMAIL=$sender_email \
	git -C "$ksrc" format-patch -q --cover-letter --thread=shallow -o "$outdir" \
	${REROLL:+-v "$REROLL"} "${base_opt[@]}" "$base..$tip"
mapfile -t files < <(find "$outdir" -name '*.patch' | sort)
[ "${#files[@]}" -eq $((n + 1)) ] || die "$EX_APPLY" "format-patch wrote ${#files[@]} files for $n commits"

log "addressing $n patches with scripts/get_maintainer.pl"
wq_to=$(getm --no-r --no-l -f kernel/workqueue.c)
wq_cc=$(getm --no-m --no-r -f kernel/workqueue.c)
[ -n "$wq_to" ] || die "$EX_USAGE" "get_maintainer.pl finds no maintainer for kernel/workqueue.c"
for f in "${files[@]:1}"; do
	printf '%s\t%s\t%s\n' "$f" "$(getm --no-r --no-l "$f")" "$(getm --no-m "$f")"
done >"$work/addresses"

python3 - "$cover" "$SENDER" "$PIN_NAME <$PIN_EMAIL>" "$PIN_EMAIL" "$wq_to" "$wq_cc" "${files[0]}" \
	"$work/addresses" <<'PY' || die "$EX_USAGE" "re-signing or addressing failed; $outdir is incomplete"
import email.utils, sys

cover, sender, project, project_email, wq_to, wq_cc, cover_file, addresses = sys.argv[1:]

def split(s):
	return [a.strip() for a in s.split(', ') if a.strip()]

def addr(a):
	return email.utils.parseaddr(a)[1].lower()

def unique(lst, drop=()):
	seen, out = set(drop), []
	for a in lst:
		if addr(a) and addr(a) not in seen:
			seen.add(addr(a))
			out.append(a)
	return out

def fold(name, lst):
	return f'{name}: ' + ',\n '.join(lst) + '\n' if lst else ''

def rewrite(path, to, cc, subject=None, blurb=None):
	with open(path) as f:
		text = f.read()
	head, sep, body = text.partition('\n\n')
	lines = head.split('\n')
	out = []
	for line in lines:
		if line.startswith('From: '):
			line = 'From: ' + sender
		out.append(line)
	head = '\n'.join(out)
	if subject:
		head = head.replace('*** SUBJECT HERE ***', subject)
	head += '\n' + fold('To', to) + fold('Cc', cc)
	head = head.rstrip('\n')
	# re-sign: the project's trailer becomes the sender's
	body = body.replace(f'Signed-off-by: {project}\n', f'Signed-off-by: {sender}\n')
	if blurb:
		body = body.replace('*** BLURB HERE ***\n', blurb)
	if project_email in head or f'Signed-off-by: {project}' in body:
		sys.exit(f'{path}: the project identity is still there after re-signing')
	if subject is None and f'Signed-off-by: {sender}\n' not in body:
		sys.exit(f'{path}: no Signed-off-by of the sender')
	with open(path, 'w') as f:
		f.write(head + sep + body)

me = [addr(sender)]
all_addr = []
for line in open(addresses):
	path, to, cc = line.rstrip('\n').split('\t')
	to = unique(split(to), me)
	cc = unique(split(cc) + split(wq_to) + split(wq_cc), me + [addr(a) for a in to])
	# the cover letter: each patch's maintainers and lists (which
	# get_maintainer.pl prints without a name), not every reviewer
	all_addr += to + [a for a in cc if '<' not in a]
	rewrite(path, to, cc)

with open(cover) as f:
	subject = f.readline().strip()
	f.readline()
	blurb = f.read()
to = unique(split(wq_to), me)
cc = unique(split(wq_cc) + all_addr, me + [addr(a) for a in to])
rewrite(cover_file, to, cc, subject, blurb)
print(f'{len(to)} To and {len(cc)} Cc on the cover letter')
PY

log "$((n + 1)) messages in $outdir, signed by $SENDER"
log "every patch now carries your Signed-off-by: sending it certifies it under the"
log "Developer's Certificate of Origin (Documentation/process/submitting-patches.rst):"
log "review each one first, and send only what you can stand behind"
log "check them, then: git send-email --dry-run $outdir/*.patch"
