/* SPDX-License-Identifier: MIT */
/*
 * Emulation of one decoded instruction (core/x86_decode.h) that touched
 * MMIO, on a register file the caller owns. Pure logic: device accesses
 * and the RAM side of string instructions go through callbacks, so the
 * same code runs on the hypervisor and in host unit tests. See
 * docs/emulator.md for what is emulated and what is refused.
 */
#ifndef KEEL_CORE_X86_EMUL_H
#define KEEL_CORE_X86_EMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/x86_decode.h"

/* RFLAGS bits (SDM vol. 1 3.4.3). */
#define X86_FLAG_CF (1ull << 0)
#define X86_FLAG_PF (1ull << 2)
#define X86_FLAG_AF (1ull << 4)
#define X86_FLAG_ZF (1ull << 6)
#define X86_FLAG_SF (1ull << 7)
#define X86_FLAG_DF (1ull << 10)
#define X86_FLAG_OF (1ull << 11)
#define X86_FLAGS_ARITH (X86_FLAG_CF | X86_FLAG_PF | X86_FLAG_AF | \
			 X86_FLAG_ZF | X86_FLAG_SF | X86_FLAG_OF)

struct x86_emul_ctx {
	/* Guest state, read and updated in place. */
	uint64_t gprs[16]; /* enum x86_gpr order */
	uint64_t rflags;
	uint64_t rip;	   /* of the instruction being emulated */
	uint64_t seg_base[X86_SEG_COUNT]; /* only FS/GS count in 64-bit */
	enum x86_mode mode;

	/* The stage-2 fault that caused the exit (struct vm_exit u.s2.gpa). */
	uint64_t fault_gpa;

	void *opaque; /* passed to every callback */
	/* Device side: @len is 1, 2, 4 or 8 and never crosses a page. */
	int (*mmio_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*mmio_write)(void *opaque, uint64_t gpa, const void *buf,
			  size_t len);
	/*
	 * RAM side of MOVS/STOS, by guest-linear address (gwalk + gmem in
	 * the hypervisor). A negative return stops the instruction there.
	 */
	int (*mem_read)(void *opaque, uint64_t gla, void *buf, size_t len);
	int (*mem_write)(void *opaque, uint64_t gla, const void *buf,
			 size_t len);
	/* Guest page-table translation, for string instructions only. */
	int (*gla_to_gpa)(void *opaque, uint64_t gla, bool write,
			  uint64_t *gpa);
};

/*
 * Emulate @in against @ctx. Returns in->len when the instruction is
 * complete (the caller adds it to RIP), 0 when a REP string instruction
 * has iterations left (RIP stays, the guest re-executes it and exits
 * again on its next MMIO access), or a negative errno:
 * -EOPNOTSUPP: a form this emulator refuses (a device access crossing
 *   a page, MOVS without gla_to_gpa, a missing callback);
 * -EINVAL: the decoded operand does not address the faulting page
 *   (the instruction changed under us, or a bogus exit);
 * Register-only forms (mod 3) are emulated too, without callbacks.
 * or whatever a callback returned. Registers already reflect any REP
 * iterations completed before an error.
 */
int x86_emulate(const struct x86_insn *in, struct x86_emul_ctx *ctx);

/* seg:effective address of in->mem, truncated to the address size. */
uint64_t x86_mem_gla(const struct x86_insn *in,
		     const struct x86_emul_ctx *ctx);

/* The arithmetic flags op @op leaves for @dst op @src at @size bytes. */
uint64_t x86_alu(enum x86_op op, uint64_t dst, uint64_t src, uint8_t size,
		 uint64_t rflags, uint64_t *result);

#endif
