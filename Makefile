# Keel build. Driven by ./build.sh; `make` alone works once
# ./build.sh deps has filled $(BUILD)/sysroot.
BUILD ?= build
SYSROOT := $(BUILD)/sysroot
CC := gcc
HOSTCC := gcc
PYTHON := /usr/bin/python3
FONT := /usr/share/consolefonts/Uni2-Terminus16.psf.gz

# Rooms that go into the kernel image (ARCHITECTURE.md section 1).
ROOMS := image core drivers vmx svm ept vdev net store datastore mgmt firstboot tests/guests
# tests/guests/g_*.S are guests, not kernel code: built to flat binaries.
SRCS := $(filter-out tests/guests/g_%,\
	$(foreach r,$(ROOMS),$(wildcard $(r)/*.c $(r)/*.S)))
GUEST_BINS := $(patsubst tests/guests/%.S,$(BUILD)/guests/%.bin,\
	$(wildcard tests/guests/g_*.S))
OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(SRCS))) \
	$(BUILD)/obj/gen/font.o

GCC_INC := $(shell $(CC) -print-file-name=include)
# The hypervisor proper never touches SSE/AVX state (ARCHITECTURE.md
# section 3): -mgeneral-regs-only. Libraries are built by tools/deps.sh.
KFLAGS := -std=gnu11 -O2 -g -ffreestanding -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-ffunction-sections -fdata-sections -fno-common \
	-Wall -Wextra -Wno-unused-parameter -Werror \
	-nostdinc -isystem $(SYSROOT)/include -isystem $(GCC_INC) \
	-I. -I$(BUILD)/gen -MMD -MP \
	-Inet/lwip -Imgmt -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' 
LIBS := -L$(SYSROOT)/lib --start-group -lsqlite3 -lmbedtls -lmbedx509 \
	-lmbedcrypto -llwip -lm -lc $(shell $(CC) -print-libgcc-file-name) \
	--end-group
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 --gc-sections \
	--no-warn-rwx-segments \
	-T image/keel.ld

.PHONY: all kernel image unit client clean
all: image unit client

kernel: $(BUILD)/keel.elf
image: $(BUILD)/keel.img $(BUILD)/keel-test.img

# Two-pass link: the first, with an empty symbol table, gives the text
# symbols for panic backtraces (tools/ksyms.py); the second links them in.
# The table sits in .rodata, after .text, so text addresses cannot move:
# the last step checks that they did not.
$(BUILD)/keel.elf.0: $(OBJS) $(BUILD)/obj/gen/ksyms0.o image/keel.ld \
		$(wildcard $(SYSROOT)/lib/*.a) $(BUILD)/gen/objs.list
	@echo "  LD      $@"
	@ld $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/obj/gen/ksyms0.o $(LIBS)
# The object list itself: rewritten only when it changes, so deleting
# or renaming a source relinks (no object is newer in that case).
$(BUILD)/gen/objs.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(OBJS)' | cmp -s - $@ || echo '$(OBJS)' > $@
$(BUILD)/gen/ksyms0.c: tools/ksyms.py
	@mkdir -p $(dir $@)
	@$(PYTHON) tools/ksyms.py --empty < /dev/null > $@
$(BUILD)/gen/ksyms.c: $(BUILD)/keel.elf.0 tools/ksyms.py
	@nm -n $< | $(PYTHON) tools/ksyms.py > $@
$(BUILD)/keel.elf: $(BUILD)/keel.elf.0 $(BUILD)/obj/gen/ksyms.o
	@echo "  LD      $@"
	@ld $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/obj/gen/ksyms.o $(LIBS)
	@nm -n $< | grep -i ' t ' > $@.syms0; nm -n $@ | grep -i ' t ' > $@.syms
	@cmp -s $@.syms0 $@.syms || { echo "keel.elf: text moved between link passes" >&2; \
		rm -f $@; exit 1; }

$(BUILD)/keel.img: $(BUILD)/keel.elf image/mkimage.py image/grub.cfg
	$(PYTHON) image/mkimage.py --elf $< --out $@ --work $(BUILD)/image

# The tests' default image: the serial line stays a log while the setup
# console has the screen (docs/console.md, docs/firstboot.md).
$(BUILD)/keel-test.img: $(BUILD)/keel.elf image/mkimage.py image/grub.cfg
	$(PYTHON) image/mkimage.py --elf $< --out $@ --work $(BUILD)/image-test \
		--cmdline keel.serial=log

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# Test guests: 16-bit entry at 0x8000, linked flat (tests/guests/runner.c).
$(BUILD)/guests/%.bin: tests/guests/%.S tests/guests/boot64.inc
	@mkdir -p $(dir $@)
	@echo "  GUEST   $<"
	@$(CC) -c -Wa,-Itests/guests -o $(@:.bin=.o) $<
	@ld -m elf_x86_64 -Ttext=0x8000 -e _start --oformat binary -o $@ \
		$(@:.bin=.o)
$(BUILD)/obj/tests/guests/guests.o: $(GUEST_BINS)
$(BUILD)/obj/tests/guests/guests.o: KFLAGS += -Wa,-I$(BUILD)/guests

# Generated sources.
$(BUILD)/gen/font.c: $(FONT) tools/psf2c.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/psf2c.py $(FONT) $@
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KFLAGS) -c -o $@ $<

# The version string changes with every commit; only core/main.c sees it,
# and the header is rewritten only when it changes, so a commit does not
# rebuild the world.
KEEL_VERSION := $(shell cat VERSION)$(shell git rev-parse --short=8 HEAD >/dev/null 2>&1 && echo +g$$(git rev-parse --short=8 HEAD))
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define KEEL_VERSION "$(KEEL_VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/core/main.o $(BUILD)/obj/firstboot/fb_status.o \
		$(BUILD)/obj/mgmt/rpc_host.o: $(BUILD)/gen/version.h
FORCE:

# Host-built unit tests (tests/unit): each test_X.c plus the kernel files
# it names in its UNIT_SRCS line.
UNIT_TESTS := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(addprefix $(BUILD)/tests/unit/,$(UNIT_TESTS))
HOSTFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Werror \
	-I. -Itests/unit -fsanitize=address,undefined -fno-omit-frame-pointer \
	-DKEEL_HOST_TEST
unit_srcs = $(shell sed -n 's/^ \* UNIT_SRCS: //p' tests/unit/$(1).c)
# ` * UNIT_LIBS: sqlite3 mbedcrypto` links the host builds of the pinned
# libraries (tools/deps.sh build_hostlibs), with the kernel's config headers.
HOSTLIB := $(BUILD)/hostlib
unit_libs = $(addprefix -l,$(shell sed -n 's/^ \* UNIT_LIBS: //p' tests/unit/$(1).c))
unit: $(UNIT_BINS)
.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h tests/unit/unit_main.c \
		$$(call unit_srcs,$$*)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(HOSTFLAGS) -I$(HOSTLIB)/include -Imgmt \
		-DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' -o $@ $< \
		tests/unit/unit_main.c $(call unit_srcs,$*) \
		-L$(HOSTLIB)/lib $(call unit_libs,$*)

# keelctl (client/, docs/keelctl.md): a normal Linux program built with
# Debian's libmbedtls-dev (the kernel's pinned mbedTLS version; linked
# statically so the binary runs anywhere) and the kernel's JSON code.
CLIENT_SRCS := $(wildcard client/*.c) mgmt/json.c mgmt/json_write.c
CLIENT_OBJS := $(patsubst %.c,$(BUILD)/client-obj/%.o,$(CLIENT_SRCS))
CLIENT_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra \
	-Wno-unused-parameter -Werror -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2 -I. -I$(BUILD)/gen -MMD -MP
client: $(BUILD)/keelctl
$(BUILD)/keelctl: $(CLIENT_OBJS)
	@echo "  LD      $@"
	@$(HOSTCC) -o $@ $(CLIENT_OBJS) -Wl,-Bstatic -lmbedtls -lmbedx509 \
		-lmbedcrypto -Wl,-Bdynamic
$(BUILD)/client-obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOSTCC) $(CLIENT_CFLAGS) -c -o $@ $<
$(BUILD)/client-obj/client/main.o: $(BUILD)/gen/version.h

clean:
	rm -rf $(BUILD)/obj $(BUILD)/gen $(BUILD)/keel.elf $(BUILD)/keel.img $(BUILD)/keel-test.img \
		$(BUILD)/tests $(BUILD)/image $(BUILD)/image-test \
		$(BUILD)/keelctl $(BUILD)/client-obj

-include $(OBJS:.o=.d) $(CLIENT_OBJS:.o=.d)
