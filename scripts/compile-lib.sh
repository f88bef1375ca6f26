# SPDX-License-Identifier: GPL-2.0
# Helpers shared by compile-test.sh and bisect-compile.sh; sourced after
# lib.sh, never run.  The configurations are config/compile-test/NAME.conf
# (ARCH=..., and DESCRIPTION=... for commit messages), with an optional
# NAME.config of forced symbols beside it.

# cc_for ARCH: the CROSS_COMPILE prefix of Debian's cross compiler for ARCH.
cc_for() {
	case $1 in
	x86_64) echo "" ;;
	arm64) echo aarch64-linux-gnu- ;;
	arm) echo arm-linux-gnueabihf- ;;
	s390) echo s390x-linux-gnu- ;;
	powerpc) echo powerpc64-linux-gnu- ;;
	esac
}

# conf_arch NAME: the ARCH of configuration NAME.
conf_arch() {
	sed -n 's/^ARCH=//p' "$HARNESS_TOP/config/compile-test/$1.conf"
}

# kmake TREE DIR ARCH ARG...: make in TREE with objects in DIR, for ARCH,
# with W=1; allmodconfig sets CONFIG_WERROR, so warnings the base already
# has would stop the build: they are made warnings again, to be compared.
kmake() {
	local tree=$1 dir=$2 arch=$3
	shift 3
	make -C "$tree" O="$dir" ARCH="$arch" CROSS_COMPILE="$(cc_for "$arch")" \
		-j"${jobs:-1}" W=1 KCFLAGS=-Wno-error "$@"
}

# obj_for FILE: the make target that compiles FILE; config/compile-test/objects
# names the ones a parent directory's Makefile builds under another path.
obj_for() {
	local t
	t=$(awk -v f="$1" '$1 == f { print $2 }' "$HARNESS_TOP/config/compile-test/objects")
	echo "${t:-${1%.c}.o}"
}

# warnings LOG FILE: the warnings a log has for FILE, without the tree's
# path and line numbers, and with gcc's typographic quotes made plain, so
# that logs of different trees, and of different locales, compare.
warnings() {
	grep -E "^([^ ]*/)?$2:[0-9]+(:[0-9]+)?: (warning|error):" "$1" |
		LC_ALL=C sed -E "s|^([^ ]*/)?$2:[0-9]+(:[0-9]+)?:|$2:|; s/\xe2\x80[\x98\x99]/'/g" |
		sort -u || true
}

# nvdimm_build TREE DIR LOG FILE: build tools/testing/nvdimm, which FILE
# is in, as the external module it is, against the x86_64 configuration
# in DIR, logging to LOG; succeed if FILE's object was built.  The objects
# land in TREE, so they are cleaned after.  modpost cannot resolve symbols
# without a built vmlinux: its errors are only warnings.
nvdimm_build() {
	local tree=$1 dir=$2 built=1
	kmake "$tree" "$dir" x86_64 M="$tree/tools/testing/nvdimm" KBUILD_MODPOST_WARN=1 \
		>"$3" 2>&1 || true
	[ -f "$tree/${4%.c}.o" ] && built=0
	kmake "$tree" "$dir" x86_64 M="$tree/tools/testing/nvdimm" clean >/dev/null 2>&1 || true
	return $built
}
