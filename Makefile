# SPDX-License-Identifier: GPL-2.0
# cmwq: the concurrency-managed workqueue series and the harness that
# applies it to the pinned kernel tree, builds it, boots it in QEMU and
# runs kselftests.  "make help" lists the targets; README.md explains them.

OUT        ?= $(CURDIR)/out
FLAVOUR    ?= debug
SERIES     ?= series
UPTO       ?=
KERNEL_SRC ?=
PLAN       ?= selftests/plan
# Asked of the guest's tests beyond their defaults (harness.env.NAME=VALUE
# sets NAME for them): the torture selftest takes a CPU off or on every
# 300 ms here, which it does not do on a developer's machine by default.
GUEST_ENV  ?= harness.env.WQ_TORTURE_ONOFF=300

export OUT KERNEL_SRC

KSRC := $(OUT)/linux
ifeq ($(SERIES),none)
VARIANT := pristine
# the plan's tests that only the series adds are skipped, not failed
PRISTINE := 1
else
VARIANT := series$(if $(UPTO),-upto$(UPTO))
endif
# The workqueue engine: upstream's kernel/workqueue.c or the series' own
# in kernel/workqueue/ (cmwq), chosen by the temporary Kconfig choice
# WQ_ENGINE_*.  The default is the series' own wherever the patches
# applied have it, upstream's for SERIES=none and for a prefix (UPTO)
# without it.  A cmwq kernel builds in its own directory.
ifeq ($(origin ENGINE),undefined)
ENGINE := $(shell $(CURDIR)/scripts/default-engine.sh $(if $(PRISTINE),none,$(SERIES)) $(UPTO))
endif
ifeq ($(filter upstream cmwq,$(ENGINE)),)
$(error ENGINE=$(ENGINE): known engines are upstream and cmwq)
endif
ifeq ($(ENGINE)$(PRISTINE),cmwq1)
$(error ENGINE=cmwq: the pristine tree (SERIES=none) has only upstream's engine)
endif
ENGINE_FRAGMENT := $(if $(filter cmwq,$(ENGINE)),config/engine-cmwq.config)
LABEL := $(VARIANT)-$(FLAVOUR)$(if $(ENGINE_FRAGMENT),-cmwq)
BUILD := $(OUT)/build/$(LABEL)

FRAGMENTS_debug := config/base.config config/debug.config
FRAGMENTS_kasan := $(FRAGMENTS_debug) config/kasan.config
FRAGMENTS_census := $(FRAGMENTS_debug) config/census.config
# census's converted code without the debug options that change timing
FRAGMENTS_bench := config/base.config config/bench.config
FRAGMENTS := $(FRAGMENTS_$(FLAVOUR)) $(ENGINE_FRAGMENT)
ifeq ($(FRAGMENTS_$(FLAVOUR)),)
$(error FLAVOUR=$(FLAVOUR): known flavours are debug, kasan, census and bench)
endif
# Options the plan's tests need.  selftests/config asks for a KUnit module
# that needs lockdep, which the bench flavour leaves out.
TEST_CONFIG := $(if $(filter bench,$(FLAVOUR)),selftests/config.bench,selftests/config)
# The kselftest collections the plan runs bring their own config files.
# CONFIG_PLAN lets a short plan boot the kernel "make test" builds.
CONFIG_PLAN ?= $(PLAN)
# What run.sh passes to every guest that boots the plan.
GUEST_ARGS = $(if $(PRISTINE),harness.allow_missing=1) $(GUEST_ENV)
COLLECTIONS := $(shell awk '$$1 == "kselftest" { sub(/:.*/, "", $$2); print $$2 }' $(CONFIG_PLAN) | sort -u)

S := scripts

.PHONY: help deps tree apply config build image test stress-test mutants census bench bench-vars api-check soak compile-test bisect-compile check cocci-check harness-test fresh-check mail export clean distclean

help:
	@echo 'make test          apply the series, build (FLAVOUR=$(FLAVOUR)), boot in QEMU, run the plan'
	@echo 'make test SERIES=none   the same for the pristine tree'
	@echo 'make mutants       every mutant in selftests/mutants/ must make the suite fail'
	@echo 'make stress-test   make test RUNS times (default 20) on one image; passes if all do'
	@echo 'make census        kernel threads after boot, pristine vs series (FLAVOUR=census)'
	@echo 'make bench         kernels A and B (FLAVOUR=bench) booted BOOTS times each, interleaved; ratios B/A'
	@echo 'make soak          the torture selftest for DURATION s (600) with a CPU going off or on every second'
	@echo 'make api-check     the engine'"'"'s functions, prototypes, variables and exports are 7.2.8'"'"'s'
	@echo 'make compile-test  W=1 (and sparse if the tree accepts it) builds of every C file the series touches, against the base'
	@echo 'make bisect-compile  each commit of the series compiles the C files it touches'
	@echo 'make check         series and patches/ agree, every patch applies, checkpatch --strict'
	@echo 'make cocci-check   the semantic patch reports every legacy call on the base, none before the removal'
	@echo 'make harness-test  the harness checking its own failure paths'
	@echo 'make fresh-check   make deps and the image step (of the built kernel) in a minimal Debian root'
	@echo 'make tree|apply|config|build|image   one step at a time'
	@echo 'make export        git format-patch the tree'"'"'s series branch back into patches/'
	@echo 'make mail          the series re-signed by you and addressed, whole and in per-tree batches, in out/mail/ (not sent)'
	@echo 'Variables: FLAVOUR=debug|kasan|census|bench ENGINE=cmwq|upstream SERIES=none UPTO=N KERNEL_SRC=DIR OUT=DIR RUNS=N'
	@echo '           BENCH_A="UPTO=7" BENCH_B="SERIES=series" BOOTS=5 (make bench)'
	@echo '           ACCEL=auto|kvm|tcg SMP=4 MEM=2G BOOT_TIMEOUT=120 TIMEOUT=2400'

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/fetch-tree.sh

apply: tree
	@$(S)/apply-series.sh $(KSRC) $(if $(filter none,$(SERIES)),none,$(CURDIR)/$(SERIES)) $(UPTO)

config: apply
	@ALLOW_MISSING=$(PRISTINE) $(S)/kconfig.sh $(KSRC) $(BUILD) $(FRAGMENTS) $(TEST_CONFIG) \
		$(addprefix kselftest:,$(COLLECTIONS))

build: config
	@$(S)/build.sh $(KSRC) $(BUILD)

image: build
	@$(S)/mkinitramfs.sh $(KSRC) $(BUILD) $(PLAN) $(BUILD)/initramfs.cpio.gz

test: image
	@$(S)/run.sh $(KSRC) $(BUILD) $(PLAN) $(LABEL) $(GUEST_ARGS)

# The plan RUNS times (default 20) on one image, each run's verdict kept: a
# test that passes by luck of timing fails some of them.
stress-test: image
	@RUNS=$(or $(RUNS),20) $(S)/stress.sh $(KSRC) $(BUILD) $(PLAN) $(LABEL) $(GUEST_ARGS)

compile-test: apply
	@$(S)/deps.sh sparse gcc-aarch64-linux-gnu gcc-s390x-linux-gnu gcc-powerpc64-linux-gnu
	@$(S)/compile-test.sh $(KSRC)

bisect-compile: compile-test
	@$(S)/bisect-compile.sh $(KSRC)

# Both kernels are built from the one tree, the pristine one first so the
# tree is left with the series applied, and with the config "make test
# FLAVOUR=census" uses.
census:
	@$(MAKE) --no-print-directory image SERIES=none ENGINE=upstream FLAVOUR=census \
		PLAN=selftests/plan.census CONFIG_PLAN=selftests/plan
	@$(MAKE) --no-print-directory image ENGINE=$(ENGINE) FLAVOUR=census PLAN=selftests/plan.census \
		CONFIG_PLAN=selftests/plan
	@$(S)/census.sh $(KSRC) $(OUT)/build/pristine-census \
		$(OUT)/build/$(VARIANT)-census$(if $(ENGINE_FRAGMENT),-cmwq) \
		selftests/plan.census $(CURDIR)/$(SERIES)

# Two kernels, A and B, each made as "make image FLAVOUR=bench" with the
# make variables BENCH_A or BENCH_B gives (UPTO=N, SERIES=none), A first:
# the tree is left at B.  Then scripts/bench.sh boots them BOOTS times each,
# A B A B ..., and scripts/bench-report.py compares.  A defaults to the
# series up to its last test-suite patch (upstream's engine with the
# benchmark module), B to the whole series; a harness test checks that
# UPTO still names that patch.
BENCH_A ?= UPTO=7
BENCH_B ?= SERIES=$(SERIES)
BOOTS ?= 5
BENCH_MAKE = $(MAKE) --no-print-directory FLAVOUR=bench PLAN=selftests/plan.bench UPTO= SERIES=series
bench:
	@$(S)/deps.sh python3-matplotlib
	@$(BENCH_MAKE) image $(BENCH_A)
	@$(BENCH_MAKE) image $(BENCH_B)
	@BOOTS=$(BOOTS) $(S)/bench.sh $(KSRC) selftests/plan.bench \
		"$$($(BENCH_MAKE) -s bench-vars $(BENCH_A))" "$$($(BENCH_MAKE) -s bench-vars $(BENCH_B))"

# For scripts/bench.sh: NAME BUILD [GUEST_ARGS...] of one kernel.
bench-vars:
	@echo '$(VARIANT)$(if $(ENGINE_FRAGMENT),-cmwq) $(BUILD) $(if $(PRISTINE),harness.allow_missing=1)'

# The torture module alone for DURATION seconds, a CPU going off or on
# every SOAK_ONOFF ms, on the kernel "make test" builds; its verdict and
# artifacts are those of any run.
DURATION   ?= 600
SOAK_ONOFF ?= 1000
SOAK_PLAN  := $(OUT)/soak.plan
soak: build
	@case '$(DURATION)$(SOAK_ONOFF)' in *[!0-9]*|'') \
		echo 'make soak: DURATION and SOAK_ONOFF are whole numbers (seconds, ms)' >&2; exit 2;; esac
	@printf '%s\n' '# make soak: the torture selftest for $(DURATION) s, hotplug every $(SOAK_ONOFF) ms' \
		"kselftest workqueue:wq_torture.sh timeout=$$(($(DURATION) + 180))" >$(SOAK_PLAN)
	@$(S)/mkinitramfs.sh $(KSRC) $(BUILD) $(SOAK_PLAN) $(BUILD)/initramfs-soak.cpio.gz
	@INITRD=$(BUILD)/initramfs-soak.cpio.gz TIMEOUT=$$(($(DURATION) + 600)) \
		$(S)/run.sh $(KSRC) $(BUILD) $(SOAK_PLAN) $(LABEL)-soak \
		$(if $(PRISTINE),harness.allow_missing=1) \
		harness.env.WQ_TORTURE_DURATION=$(DURATION) harness.env.WQ_TORTURE_ONOFF=$(SOAK_ONOFF)

# The files of the workqueue engine whose interface api-check compares
# with the base's kernel/workqueue.c.
ENGINE_FILES ?= $(if $(ENGINE_FRAGMENT),kernel/workqueue/engine.c,kernel/workqueue.c)
api-check: build
	@$(S)/api-check.sh $(KSRC) $(BUILD) $(ENGINE_FILES)

mutants: build
	@RUNS=$(or $(RUNS),1) GUEST_ENV="$(GUEST_ENV)" MUTANTS_ENGINE=$(if $(ENGINE_FRAGMENT),cmwq) \
		$(S)/mutants.sh $(KSRC) $(BUILD) $(MUTANTS)

check: tree
	@$(S)/check.sh $(KSRC) $(CURDIR)/series

# The series' semantic patch with spatch: every legacy call reported on the
# base tree, none left just before the removal patch.
cocci-check: apply
	@$(S)/cocci-check.sh $(KSRC)

harness-test:
	@python3 -m unittest discover -s $(S)/tests $(if $(V),-v)

# scripts/deps.sh and then the image step, with the arguments "image" gives
# it, in a minbase Debian root made with mmdebstrap: a command the image
# step needs that deps.sh does not install fails it.  Needs the kernel built
# ("make build" or "make test") and never builds it.
fresh-check:
	@$(S)/deps.sh mmdebstrap
	@$(S)/fresh-machine.sh $(KSRC) $(BUILD) $(PLAN) $(BUILD)/initramfs.cpio.gz

mail: apply
	@$(S)/deps.sh b4 git-email libmailtools-perl libemail-valid-perl
	@$(S)/mail-prep.sh $(KSRC) $(CURDIR)
	@$(S)/mail-batches.py $(KSRC) $(OUT)/mail

export:
	@$(S)/export-series.sh $(KSRC) $(CURDIR)

clean:
	rm -rf $(OUT)/build $(OUT)/runs

distclean:
	rm -rf $(OUT)
