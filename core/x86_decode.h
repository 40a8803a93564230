/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder for MMIO emulation (docs/emulator.md). It
 * decodes only the instructions compilers emit for device-register access
 * (MOV, MOVZX/MOVSX/MOVSXD, MOVS/STOS, the ALU ops, TEST, XCHG, BT) and
 * refuses everything else with -EOPNOTSUPP. Pure logic: no guest memory,
 * no state; the caller fetches the bytes (at most 15, Intel SDM vol. 2
 * 2.3.11) and the decoder never reads past what was fetched.
 */
#ifndef KEEL_CORE_X86_DECODE_H
#define KEEL_CORE_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X86_MAX_INSN_LEN 15

/* Default operand/address size: CS.D (16/32) or CS.L (64). */
enum x86_mode { X86_MODE_16, X86_MODE_32, X86_MODE_64 };

/* Segment register numbers as in the ModR/M sreg encoding (SDM 3.4.2). */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS,
	       X86_SEG_GS, X86_SEG_COUNT };

/* General registers, in encoding order (SDM vol. 2 table 2-2, 3-1). */
enum x86_gpr { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP,
	       X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10, X86_R11, X86_R12,
	       X86_R13, X86_R14, X86_R15 };

enum x86_op {
	X86_OP_MOV,	/* dst = src */
	X86_OP_MOVZX,	/* dst = zero-extend(src) */
	X86_OP_MOVSX,	/* dst = sign-extend(src); MOVSXD too */
	X86_OP_ADD,
	X86_OP_OR,
	X86_OP_AND,
	X86_OP_SUB,
	X86_OP_XOR,
	X86_OP_CMP,	/* SUB without writing dst */
	X86_OP_TEST,	/* AND without writing dst */
	X86_OP_XCHG,
	X86_OP_BT,	/* CF = bit src of dst */
	X86_OP_MOVS,	/* [ES:rDI] = [seg:rSI] */
	X86_OP_STOS,	/* [ES:rDI] = rAX */
};

enum x86_opnd_kind {
	X86_OPND_NONE,
	X86_OPND_REG, /* @reg, or AH..BH when @hi8 */
	X86_OPND_MEM, /* the instruction's memory operand, insn->mem */
	X86_OPND_IMM, /* insn->imm, already sign-extended to 64 bits */
};

struct x86_opnd {
	enum x86_opnd_kind kind;
	uint8_t size;  /* bytes: 1, 2, 4, 8 */
	uint8_t reg;   /* X86_RAX..X86_R15 */
	bool hi8;      /* bits 15:8 of @reg (AH, CH, DH, BH; no REX) */
};

/*
 * A memory operand: seg:(base + index * scale + disp), the sum truncated
 * to addr_size (SDM vol. 1 3.7.5). RIP-relative operands have rip_rel set
 * and disp relative to the next instruction's address.
 */
struct x86_mem {
	int8_t base;   /* X86_RAX..X86_R15, or -1 */
	int8_t index;  /* X86_RAX..X86_R15, or -1 */
	uint8_t scale; /* 1, 2, 4, 8 */
	bool rip_rel;
	enum x86_seg seg; /* the override, else DS or SS (rBP/rSP base) */
	int64_t disp;
};

struct x86_insn {
	enum x86_op op;
	uint8_t len;	   /* bytes, prefixes included */
	uint8_t opsize;	   /* operand size of dst: 1, 2, 4, 8 */
	uint8_t addr_size; /* 2, 4, 8 */
	struct x86_opnd dst, src;
	struct x86_mem mem; /* valid when dst or src is X86_OPND_MEM */
	uint64_t imm;
	uint8_t rep;	   /* 0, 0xf3 (REP/REPE) or 0xf2 (REPNE) */
	bool lock;
	bool seg_override;
	uint8_t opcode;	   /* the opcode byte (after 0F when two_byte) */
	bool two_byte;
	uint8_t modrm;	   /* when the form has one */
	uint8_t rex;	   /* 0 or 0x40..0x4f */
};

/*
 * Decode the instruction at @bytes (@avail bytes were fetched) for a CPU
 * in @mode. 0 and *out filled; -EFAULT if the instruction goes past
 * @avail; -EINVAL if it is longer than 15 bytes; -EOPNOTSUPP for any
 * opcode or form outside the list above (including LOCK where it would
 * #UD and 63 outside 64-bit mode, which is ARPL).
 */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *out);

#endif
