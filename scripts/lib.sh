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

# series_lines SERIES: "LINE NAME" for each patch a quilt series file
# names, in order; comments, options after the name and blank lines are
# left out.
series_lines() {
	local n=0 line name
	while IFS= read -r line; do
		n=$((n + 1))
		line=${line%%#*}
		read -r name _ <<<"$line" || true
		[ -z "$name" ] || printf '%s %s\n' "$n" "$name"
	done <"$1"
}

# series_stamp PATCH...: a short hash of the patches' names and contents;
# apply-series.sh records it with the branch tip it produced.
series_stamp() {
	(printf '%s\n' "${@##*/}"; cat /dev/null "$@") | sha256sum | cut -c1-16
}

# apt_entries PREFIX TYPE SUITE [SUFFIX...]: the machine's apt entries of
# type deb that serve its own release (the codename in /etc/os-release),
# or that release followed by one of SUFFIX ("-updates", ...), written again with type TYPE, and with SUITE as their suite when SUITE
# is not empty.  deb822 stanzas go to PREFIX.sources, one-line entries to
# PREFIX.list; an empty file is removed.  Returns 1 when there is none.
# Whatever mirror the machine names is used; no host name is written
# here.  APT_ETC (default /etc/apt) is where the sources are read.
apt_entries() {
	local prefix=$1 type=$2 suite=$3 codename etc=${APT_ETC:-/etc/apt} f
	shift 3
	codename=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || return 1
	local awkvars=(-v codename="$codename" -v type="$type" -v suite="$suite" -v suffixes="$*")
	local match='function wanted(s,   i, n, x) {
			if (s == codename) return 1
			n = split(suffixes, x, " ")
			for (i = 1; i <= n; i++) if (s == codename x[i]) return 1
			return 0
		}'
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk "${awkvars[@]}" "$match"'
			function flush() {
				if (deb && enabled && suites != "")
					printf "Types: %s\nSuites:%s\n%s\n", type, suite != "" ? " " suite : suites, stanza
				stanza = ""; suites = ""; deb = 0; enabled = 1
			}
			BEGIN { enabled = 1 }
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { deb = $0 ~ /[ \t]deb([ \t]|$)/; next }
			/^Enabled:/ { enabled = $2 !~ /^(no|false|0)$/; next }
			/^Suites:/ { for (i = 2; i <= NF; i++) if (wanted($i)) suites = suites " " $i; next }
			{ stanza = stanza $0 "\n" }
			END { flush() }' "$f"
	done >"$prefix.sources"
	if [ -f "$etc/sources.list" ]; then
		awk "${awkvars[@]}" "$match"'
			$1 == "deb" {
				i = 2; opt = ""
				if ($2 ~ /^\[/) { while ($i !~ /\]$/) opt = opt $(i++) " "; opt = opt $(i++) " " }
				if (!wanted($(i + 1))) next
				line = type " " opt $i " " (suite != "" ? suite : $(i + 1))
				for (j = i + 2; j <= NF; j++) line = line " " $j
				print line
			}' "$etc/sources.list"
	fi >"$prefix.list"
	[ -s "$prefix.sources" ] || rm -f "$prefix.sources"
	[ -s "$prefix.list" ] || rm -f "$prefix.list"
	[ -f "$prefix.sources" ] || [ -f "$prefix.list" ]
}

# runs_count DEFAULT: $RUNS, or DEFAULT when unset; anything but a
# positive number stops the script.
runs_count() {
	local runs=${RUNS:-$1}
	[[ $runs =~ ^[1-9][0-9]*$ ]] || die "$EX_USAGE" "RUNS=$runs: a number of runs, 1 or more"
	echo "$runs"
}
