#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure an O= build directory: allnoconfig plus the given fragments,
# merged with the tree's own scripts/kconfig/merge_config.sh, then
# olddefconfig.  Every symbol a fragment requests is then looked up in the
# final .config; one that Kconfig dropped or changed fails the run by name.
#
# A fragment written "kselftest:COLLECTION" stands for that collection's
# tools/testing/selftests/COLLECTION/config, if it has one.
#
# With ALLOW_MISSING=1 (the pristine tree), a symbol this tree's Kconfig
# files do not define at all is not an error: the fragments also ask for
# the series' own test modules.
#
# Usage: kconfig.sh KSRC BUILD_DIR FRAGMENT...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "$EX_USAGE" "usage: kconfig.sh KSRC BUILD_DIR FRAGMENT..."
ksrc=$1 build=$2
shift 2
frags=()
for f in "$@"; do
	case $f in
	kselftest:*)
		f=$ksrc/tools/testing/selftests/${f#kselftest:}/config
		[ -f "$f" ] || continue
		;;
	esac
	[ -r "$f" ] || die "$EX_CONFIG" "$f: config fragment not readable"
	frags+=("$(realpath "$f")")
done
set -- "${frags[@]}"
mkdir -p "$build"
build=$(cd "$build" && pwd)

# Reuse the .config when neither the fragments nor the tree's Kconfig
# files changed since it was made: olddefconfig rewrites .config and a
# rewritten .config costs a partial rebuild.
stamp=$( (cat "$@"; git -C "$ksrc" ls-files -s -- 'Kconfig*' '*/Kconfig*') | sha256sum)
if [ -f "$build/.config" ] && [ "$(cat "$build/.config.stamp" 2>/dev/null)" = "$stamp" ]; then
	log "$build/.config is up to date"
	exit 0
fi
rm -f "$build/.config.stamp"

(cd "$ksrc" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$build" "$@") \
	>"$build/merge_config.log" 2>&1 ||
	die "$EX_CONFIG" "merge_config.sh failed; see $build/merge_config.log"
make -s -C "$ksrc" O="$build" ARCH=x86_64 olddefconfig >>"$build/merge_config.log" 2>&1 ||
	die "$EX_CONFIG" "olddefconfig failed; see $build/merge_config.log"

# For each symbol, the last fragment to mention it wins, as in merge_config.
awk '
	function want(file, sym, val) { req[sym] = val; from[sym] = file }
	FNR == 1 { nfile++ }
	nfile < ARGC - 1 && /^CONFIG_[A-Za-z0-9_]+=/ {
		i = index($0, "="); want(FILENAME, substr($0, 1, i - 1), substr($0, i + 1)); next
	}
	nfile < ARGC - 1 && /^# CONFIG_[A-Za-z0-9_]+ is not set/ { want(FILENAME, $2, "n"); next }
	nfile == ARGC - 1 && /^CONFIG_/ { i = index($0, "="); got[substr($0, 1, i - 1)] = substr($0, i + 1) }
	END {
		for (sym in req) {
			have = (sym in got) ? got[sym] : "n"
			if (have != req[sym]) {
				printf "%s: %s=%s requested, final .config has %s\n", from[sym], sym, req[sym], \
					(sym in got) ? sym "=" have : "it unset"
				bad++
			}
		}
		exit bad != 0
	}' "$@" "$build/.config" >"$build/config-check.log" || true
if [ "${ALLOW_MISSING:-}" = 1 ] && [ -s "$build/config-check.log" ]; then
	while read -r line; do
		sym=${line#*: CONFIG_}
		sym=${sym%%=*}
		if git -C "$ksrc" grep -q -E "^[[:space:]]*(menu)?config $sym\$" -- '*Kconfig*'; then
			printf '%s\n' "$line"
		else
			log "not in this tree, ignored: CONFIG_$sym"
		fi
	done <"$build/config-check.log" >"$build/config-check.tmp"
	mv "$build/config-check.tmp" "$build/config-check.log"
fi
[ ! -s "$build/config-check.log" ] || {
	sort "$build/config-check.log" >&2
	die "$EX_CONFIG" "$(wc -l <"$build/config-check.log") requested config symbol(s) dropped (dependencies missing or not selectable on x86_64)"
}
printf '%s\n' "$stamp" >"$build/.config.stamp"
log "configured $build from: $*"
