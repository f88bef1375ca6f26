# SPDX-License-Identifier: GPL-2.0
# Common helpers for the harness scripts; sourced, never run.
#
# Exit codes (documented in README.md) tell which stage failed:
#   2 usage   10 deps   11 tree   12 apply   13 config   14 build
#   15 guest image (or one made for another plan than the one given)
#   16 boot (panic, hang, no verdict)   17 tests failed
#   18 check (series/checkpatch)

EX_USAGE=2
EX_DEPS=10
EX_TREE=11
EX_APPLY=12
EX_CONFIG=13
EX_BUILD=14
EX_IMAGE=15
EX_BOOT=16
EX_TEST=17
EX_CHECK=18

HARNESS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$HARNESS_TOP/out}

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# die CODE MESSAGE...: print the message naming the failing stage and exit.
die() {
	local code=$1
	shift
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit "$code"
}

# read_manifest FILE: export the KEY=value lines of a manifest as PIN_KEY.
read_manifest() {
	local key val
	[ -r "$1" ] || die "$EX_TREE" "$1: manifest not readable"
	while IFS='=' read -r key val; do
		case $key in
		'' | '#'*) continue ;;
		*[!A-Z0-9_]*) die "$EX_TREE" "$1: bad key '$key'" ;;
		esac
		printf -v "PIN_$key" '%s' "$val"
	done <"$1"
}

# elapsed START: seconds since START (from $SECONDS) as "MmSSs".
elapsed() {
	local s=$((SECONDS - $1))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# series_stamp PATCH...: a short hash of the patches' names and contents;
# apply-series.sh records it with the branch tip it produced.
series_stamp() {
	(printf '%s\n' "${@##*/}"; cat /dev/null "$@") | sha256sum | cut -c1-16
}
