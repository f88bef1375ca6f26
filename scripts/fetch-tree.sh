#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make $OUT/linux: a git repository holding the pinned tree as one base
# commit, tagged cmwq-base.
#
# The tree comes from Debian's pristine orig tarball, fetched with apt
# through deb-src entries derived from this machine's own apt sources and
# checked against the manifest's sha256; or, with KERNEL_SRC=DIR, from the
# user's own tree (a git checkout is cloned at its HEAD, a plain directory
# is copied).  Either must be the version the manifest names.
#
# Usage: fetch-tree.sh [MANIFEST]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

manifest=${1:-$HARNESS_TOP/config/pinned-tree}
read_manifest "$manifest"
: "${PIN_VERSION:?}" "${PIN_TARBALL:?}" "${PIN_SHA256:?}" "${PIN_TOPDIR:?}"

DL_DIR=${DL_DIR:-$OUT/dl}
tree=$OUT/linux
KERNEL_SRC=${KERNEL_SRC:-}

export GIT_AUTHOR_NAME="cmwq harness"
export GIT_AUTHOR_EMAIL="harness@cmwq.invalid"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2000-01-01T00:00:00Z"
export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE

# tree_version DIR: "7.2.8" from the top-level Makefile of a kernel tree.
tree_version() {
	awk -F' *= *' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2 }
		$1 == "NAME" { exit }
		END { printf "%s.%s.%s%s\n", v, p, s, e }' "$1/Makefile"
}

# check_version DIR [newer-ok]: DIR must be the pinned version.  A user's
# own tree (KERNEL_SRC=) may be newer: the series is applied as far as it
# goes, and apply-series.sh names the first patch that does not apply.
check_version() {
	local v
	[ -f "$1/Makefile" ] || die "$EX_TREE" "$1: not a kernel tree (no Makefile)"
	v=$(tree_version "$1")
	[ "$v" = "$PIN_VERSION" ] && return 0
	if [ "${2:-}" = newer-ok ] &&
	   [ "$(printf '%s\n%s\n' "$PIN_VERSION" "$v" | sort -V | head -1)" = "$PIN_VERSION" ]; then
		log "warning: $1 is Linux $v, the series is made for $PIN_VERSION; patches that no longer apply stop 'make apply', named"
		return 0
	fi
	die "$EX_TREE" "$1: tree is Linux $v, the series needs $PIN_VERSION${2:+ or newer}"
}

# The identity of the source, so that a later run with another source
# does not silently reuse a tree made from this one.
if [ -n "$KERNEL_SRC" ]; then
	KERNEL_SRC=$(cd "$KERNEL_SRC" && pwd) ||
		die "$EX_TREE" "KERNEL_SRC=$KERNEL_SRC: no such directory"
	if git -C "$KERNEL_SRC" rev-parse --show-toplevel >/dev/null 2>&1; then
		src_id="git $KERNEL_SRC $(git -C "$KERNEL_SRC" rev-parse HEAD)"
	else
		src_id="dir $KERNEL_SRC"
	fi
else
	src_id="tarball $PIN_TARBALL $PIN_SHA256"
fi

if [ -f "$tree/.git/cmwq-source" ]; then
	have=$(cat "$tree/.git/cmwq-source")
	if [ "$have" = "$src_id" ]; then
		git -C "$tree" rev-parse -q --verify cmwq-base >/dev/null ||
			die "$EX_TREE" "$tree: tag cmwq-base is missing; remove $tree to refetch"
		log "tree ready: $tree ($src_id)"
		exit 0
	fi
	die "$EX_TREE" "$tree was made from '$have', not '$src_id'; remove it (make distclean) or use another OUT="
fi
[ ! -e "$tree" ] || die "$EX_TREE" "$tree exists but is not a harness tree; remove it"

# fetch_tarball: download the orig tarball with apt-get source into $DL_DIR.
fetch_tarball() {
	local apt=$OUT/apt
	rm -rf "$apt"
	mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/cache/archives/partial" "$DL_DIR"
	# A deb-src entry for the pinned suite, derived from the entry that
	# serves the machine's own release.  The pinned suite may be another
	# release than the machine's (sid on a bookworm machine): only its
	# source index is used.
	apt_entries "$apt/sources/derived" deb-src "$PIN_SOURCE_SUITE" ||
		die "$EX_TREE" "no apt source for this machine's release in /etc/apt; cannot derive a deb-src entry (or set KERNEL_SRC=)"

	local aptopts=(-o "Dir::Etc::SourceParts=$apt/sources"
		-o Dir::Etc::SourceList=/dev/null
		-o "Dir::State::Lists=$apt/lists"
		-o "Dir::Cache=$apt/cache"
		-o Debug::NoLocking=1)
	log "apt-get update (deb-src $PIN_SOURCE_SUITE only, private lists in $apt)"
	apt-get -q "${aptopts[@]}" update >"$apt/update.log" 2>&1 ||
		die "$EX_TREE" "apt-get update failed; see $apt/update.log"
	log "downloading $PIN_SOURCE_PACKAGE=$PIN_SOURCE_VERSION"
	(cd "$DL_DIR" && apt-get -q "${aptopts[@]}" source --download-only \
		"$PIN_SOURCE_PACKAGE=$PIN_SOURCE_VERSION") >"$apt/source.log" 2>&1 ||
		die "$EX_TREE" "apt-get source $PIN_SOURCE_PACKAGE=$PIN_SOURCE_VERSION failed (see $apt/source.log); the archive may no longer serve it: set KERNEL_SRC= to a Linux $PIN_VERSION tree or git checkout"
}

verify_tarball() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$PIN_SHA256" ] ||
		die "$EX_TREE" "$1: sha256 $sum does not match $PIN_SHA256 from $manifest; file kept for inspection"
}

start=$SECONDS
tmp=$tree.tmp
rm -rf "$tmp"
mkdir -p "$OUT"

if [ -z "$KERNEL_SRC" ]; then
	tarball=$DL_DIR/$PIN_TARBALL
	[ -f "$tarball" ] || fetch_tarball
	[ -f "$tarball" ] || die "$EX_TREE" "apt-get source did not leave $tarball"
	verify_tarball "$tarball"
	log "unpacking $PIN_TARBALL"
	mkdir -p "$tmp"
	tar -C "$tmp" --strip-components=1 -xf "$tarball" "$PIN_TOPDIR" ||
		die "$EX_TREE" "$tarball: cannot unpack $PIN_TOPDIR/"
	check_version "$tmp"
	git -C "$tmp" init -q
	git -C "$tmp" add -A -f .
	git -C "$tmp" commit -q --no-verify -m "Linux $PIN_VERSION" \
		-m "Imported from $PIN_TARBALL (sha256 $PIN_SHA256)."
	got=$(git -C "$tmp" rev-parse 'HEAD^{tree}')
	[ -z "${PIN_BASE_TREE:-}" ] || [ "$got" = "$PIN_BASE_TREE" ] ||
		die "$EX_TREE" "$tmp: imported tree $got is not $PIN_BASE_TREE from $manifest; left for inspection"
elif [ "${src_id%% *}" = git ]; then
	check_version "$KERNEL_SRC" newer-ok
	[ -z "$(git -C "$KERNEL_SRC" status --porcelain --untracked-files=no)" ] ||
		die "$EX_TREE" "KERNEL_SRC=$KERNEL_SRC has uncommitted changes; commit or stash them"
	log "cloning $KERNEL_SRC at $(git -C "$KERNEL_SRC" rev-parse --short HEAD)"
	git clone -q --no-checkout "$KERNEL_SRC" "$tmp"
	git -C "$tmp" checkout -q --detach "${src_id##* }"
else
	check_version "$KERNEL_SRC" newer-ok
	log "copying $KERNEL_SRC"
	mkdir -p "$tmp"
	(cd "$KERNEL_SRC" && tar -cf - --exclude=.git .) | tar -C "$tmp" -xf -
	git -C "$tmp" init -q
	git -C "$tmp" add -A -f .
	git -C "$tmp" commit -q --no-verify -m "Linux $PIN_VERSION" -m "Copied from $KERNEL_SRC."
fi

git -C "$tmp" tag -f cmwq-base >/dev/null
# No automatic repacking: applying the series would start a gc of the
# whole kernel history in the middle of git am.
git -C "$tmp" config gc.auto 0
# Commits made in this tree carry the project's identity (config/identity).
read_manifest "$HARNESS_TOP/config/identity"
git -C "$tmp" config user.name "$PIN_NAME"
git -C "$tmp" config user.email "$PIN_EMAIL"
git -C "$tmp" checkout -q -B series cmwq-base
printf '%s\n' "$src_id" >"$tmp/.git/cmwq-source"
mv "$tmp" "$tree"
log "tree ready: $tree at $(git -C "$tree" rev-parse --short cmwq-base) ($(elapsed $start))"
