// SPDX-License-Identifier: MIT
/*
 * The MMIO instruction decoder against the GNU assembler: every case
 * below is the encoding `as` produced for the AT&T text in its comment
 * (.code64/.code32/.code16), covering each opcode, every ModR/M and SIB
 * form (16-bit table 2-1, 32/64-bit tables 2-2 and 2-3, RIP-relative,
 * no-base SIB), prefixes (66, 67, segment, REP, LOCK) and REX. Each case
 * is also decoded from every truncation of itself, from a buffer of
 * exactly that size (ASan catches a read past it).
 * UNIT_SRCS: core/x86_decode.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/x86_decode.h"
#include "unit.h"

struct dcase_opnd {
	enum x86_opnd_kind kind;
	uint8_t size, reg;
	bool hi8;
};

struct dcase {
	enum x86_mode mode;
	const char *bytes;
	uint8_t len;
	enum x86_op op;
	uint8_t opsize, addr_size;
	struct dcase_opnd dst, src;
	int8_t base, index;
	uint8_t scale;
	int64_t disp;
	uint8_t seg;
	bool rip_rel;
	uint64_t imm;
	uint8_t rep;
	const char *text;
};

static const struct dcase dcases[] = {
	{ X86_MODE_64, "\x88\x03", 2, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%rbx)" },
	{ X86_MODE_64, "\x66\x44\x8b\x13", 4, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%rbx),%r10w" },
	{ X86_MODE_64, "\x66\x44\x89\x53\x10", 5, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 3, -1, 1, 16, 3, 0, 0x0ull, 0x0, "movw %r10w,0x10(%rbx)" },
	{ X86_MODE_64, "\x8b\x4b\x10", 3, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 16, 3, 0, 0x0ull, 0x0, "movl 0x10(%rbx),%ecx" },
	{ X86_MODE_64, "\x89\x4d\x80", 3, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movl %ecx,-0x80(%rbp)" },
	{ X86_MODE_64, "\x48\x8b\x45\x80", 4, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movq -0x80(%rbp),%rax" },
	{ X86_MODE_64, "\x48\x89\x86\x78\x56\x34\x12", 7, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 6, -1, 1, 305419896, 3, 0, 0x0ull, 0x0, "movq %rax,0x12345678(%rsi)" },
	{ X86_MODE_64, "\x8a\x86\x78\x56\x34\x12", 6, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 6, -1, 1, 305419896, 3, 0, 0x0ull, 0x0, "movb 0x12345678(%rsi),%al" },
	{ X86_MODE_64, "\x88\x87\x00\xf0\xff\xff", 6, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 7, -1, 1, -4096, 3, 0, 0x0ull, 0x0, "movb %al,-0x1000(%rdi)" },
	{ X86_MODE_64, "\x66\x44\x8b\x97\x00\xf0\xff\xff", 8, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 7, -1, 1, -4096, 3, 0, 0x0ull, 0x0, "movw -0x1000(%rdi),%r10w" },
	{ X86_MODE_64, "\x66\x44\x89\x14\x24", 5, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 4, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movw %r10w,(%rsp)" },
	{ X86_MODE_64, "\x8b\x04\x24", 3, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 4, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movl (%rsp),%eax" },
	{ X86_MODE_64, "\x89\x44\x24\x08", 4, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 4, -1, 1, 8, 2, 0, 0x0ull, 0x0, "movl %eax,0x8(%rsp)" },
	{ X86_MODE_64, "\x4c\x8b\x7c\x24\x08", 5, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 4, -1, 1, 8, 2, 0, 0x0ull, 0x0, "movq 0x8(%rsp),%r15" },
	{ X86_MODE_64, "\x4c\x89\x7d\x00", 4, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 15, 0 }, 5, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movq %r15,(%rbp)" },
	{ X86_MODE_64, "\x8a\x45\x00", 3, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movb (%rbp),%al" },
	{ X86_MODE_64, "\x88\x04\x8b", 3, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x66\x44\x8b\x14\x8b", 5, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movw (%rbx,%rcx,4),%r10w" },
	{ X86_MODE_64, "\x66\x44\x89\x54\xd0\x10", 6, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 0, 2, 8, 16, 3, 0, 0x0ull, 0x0, "movw %r10w,0x10(%rax,%rdx,8)" },
	{ X86_MODE_64, "\x44\x8b\x5c\xd0\x10", 5, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 0, 2, 8, 16, 3, 0, 0x0ull, 0x0, "movl 0x10(%rax,%rdx,8),%r11d" },
	{ X86_MODE_64, "\x44\x89\x9c\x7e\x00\x00\xff\x7f", 8, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 11, 0 }, 6, 7, 2, 2147418112, 3, 0, 0x0ull, 0x0, "movl %r11d,0x7fff0000(%rsi,%rdi,2)" },
	{ X86_MODE_64, "\x48\x8b\x94\x7e\x00\x00\xff\x7f", 8, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 2, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 6, 7, 2, 2147418112, 3, 0, 0x0ull, 0x0, "movq 0x7fff0000(%rsi,%rdi,2),%rdx" },
	{ X86_MODE_64, "\x49\x89\x14\x24", 4, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 2, 0 }, 12, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movq %rdx,(%r12)" },
	{ X86_MODE_64, "\x41\x8a\x04\x24", 4, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 12, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb (%r12),%al" },
	{ X86_MODE_64, "\x41\x88\x45\x00", 4, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 13, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%r13)" },
	{ X86_MODE_64, "\x66\x45\x8b\x55\x00", 5, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 13, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%r13),%r10w" },
	{ X86_MODE_64, "\x66\x47\x89\x94\x78\x00\x01\x00\x00", 9, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 8, 15, 2, 256, 3, 0, 0x0ull, 0x0, "movw %r10w,0x100(%r8,%r15,2)" },
	{ X86_MODE_64, "\x43\x8b\x8c\x78\x00\x01\x00\x00", 8, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 8, 15, 2, 256, 3, 0, 0x0ull, 0x0, "movl 0x100(%r8,%r15,2),%ecx" },
	{ X86_MODE_64, "\x42\x89\x0c\x20", 4, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 0, 12, 1, 0, 3, 0, 0x0ull, 0x0, "movl %ecx,(%rax,%r12,1)" },
	{ X86_MODE_64, "\x4a\x8b\x04\x20", 4, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 0, 12, 1, 0, 3, 0, 0x0ull, 0x0, "movq (%rax,%r12,1),%rax" },
	{ X86_MODE_64, "\x48\x89\x04\xcd\x00\x10\x00\x00", 8, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movq %rax,0x1000(,%rcx,8)" },
	{ X86_MODE_64, "\x8a\x04\xcd\x00\x10\x00\x00", 7, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movb 0x1000(,%rcx,8),%al" },
	{ X86_MODE_64, "\x42\x88\x04\x0d\x00\x10\x00\x00", 8, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, 9, 1, 4096, 3, 0, 0x0ull, 0x0, "movb %al,0x1000(,%r9,1)" },
	{ X86_MODE_64, "\x66\x46\x8b\x14\x0d\x00\x10\x00\x00", 9, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, 9, 1, 4096, 3, 0, 0x0ull, 0x0, "movw 0x1000(,%r9,1),%r10w" },
	{ X86_MODE_64, "\x66\x44\x89\x14\x25\x00\xee\x0f\x00", 9, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, -1, -1, 1, 1043968, 3, 0, 0x0ull, 0x0, "movw %r10w,0xfee00" },
	{ X86_MODE_64, "\x8b\x04\x25\x00\xee\x0f\x00", 7, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 1043968, 3, 0, 0x0ull, 0x0, "movl 0xfee00,%eax" },
	{ X86_MODE_64, "\x89\x04\x25\xf0\xff\xff\xff", 7, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, -16, 3, 0, 0x0ull, 0x0, "movl %eax,-0x10" },
	{ X86_MODE_64, "\x4c\x8b\x3c\x25\xf0\xff\xff\xff", 8, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, -1, -1, 1, -16, 3, 0, 0x0ull, 0x0, "movq -0x10,%r15" },
	{ X86_MODE_64, "\x4c\x89\x3d\x20\x00\x00\x00", 7, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 15, 0 }, -1, -1, 1, 32, 3, 1, 0x0ull, 0x0, "movq %r15,0x20(%rip)" },
	{ X86_MODE_64, "\x8a\x05\x20\x00\x00\x00", 6, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 32, 3, 1, 0x0ull, 0x0, "movb 0x20(%rip),%al" },
	{ X86_MODE_64, "\x88\x05\xfc\xff\xff\xff", 6, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, -4, 3, 1, 0x0ull, 0x0, "movb %al,-0x4(%rip)" },
	{ X86_MODE_64, "\x66\x44\x8b\x15\xfc\xff\xff\xff", 8, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, -4, 3, 1, 0x0ull, 0x0, "movw -0x4(%rip),%r10w" },
	{ X86_MODE_64, "\x67\x66\x44\x89\x13", 5, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw %r10w,(%ebx)" },
	{ X86_MODE_64, "\x67\x44\x8b\x1b", 4, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl (%ebx),%r11d" },
	{ X86_MODE_64, "\x67\x44\x89\x5c\x48\x10", 6, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 11, 0 }, 0, 1, 2, 16, 3, 0, 0x0ull, 0x0, "movl %r11d,0x10(%eax,%ecx,2)" },
	{ X86_MODE_64, "\x67\x48\x8b\x54\x48\x10", 6, X86_OP_MOV, 8, 4, { X86_OPND_REG, 8, 2, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 0, 1, 2, 16, 3, 0, 0x0ull, 0x0, "movq 0x10(%eax,%ecx,2),%rdx" },
	{ X86_MODE_64, "\x67\x48\x89\x15\x10\x00\x00\x00", 8, X86_OP_MOV, 8, 4, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 2, 0 }, -1, -1, 1, 16, 3, 1, 0x0ull, 0x0, "movq %rdx,0x10(%eip)" },
	{ X86_MODE_64, "\x67\x8a\x05\x10\x00\x00\x00", 7, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 16, 3, 1, 0x0ull, 0x0, "movb 0x10(%eip),%al" },
	{ X86_MODE_64, "\x64\x88\x40\x10", 4, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 0, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movb %al,%fs:0x10(%rax)" },
	{ X86_MODE_64, "\x64\x66\x44\x8b\x50\x10", 6, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 0, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movw %fs:0x10(%rax),%r10w" },
	{ X86_MODE_64, "\x65\x66\x44\x89\x17", 5, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 7, -1, 1, 0, 5, 0, 0x0ull, 0x0, "movw %r10w,%gs:(%rdi)" },
	{ X86_MODE_64, "\x65\x8b\x0f", 3, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 7, -1, 1, 0, 5, 0, 0x0ull, 0x0, "movl %gs:(%rdi),%ecx" },
	{ X86_MODE_64, "\x26\x89\x4d\x00", 4, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "movl %ecx,%es:(%rbp)" },
	{ X86_MODE_64, "\x26\x48\x8b\x45\x00", 5, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "movq %es:(%rbp),%rax" },
	{ X86_MODE_64, "\x44\x00\x4d\x80", 4, X86_OP_ADD, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 9, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "addb %r9b,-0x80(%rbp)" },
	{ X86_MODE_64, "\x40\x02\x34\x8b", 4, X86_OP_ADD, 1, 8, { X86_OPND_REG, 1, 6, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "addb (%rbx,%rcx,4),%sil" },
	{ X86_MODE_64, "\x26\x80\x45\x00\x7f", 5, X86_OP_ADD, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x7full, 0x0, "addb $127,%es:(%rbp)" },
	{ X86_MODE_64, "\x08\x03", 2, X86_OP_OR, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "orb %al,(%rbx)" },
	{ X86_MODE_64, "\x44\x0a\x4d\x80", 4, X86_OP_OR, 1, 8, { X86_OPND_REG, 1, 9, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "orb -0x80(%rbp),%r9b" },
	{ X86_MODE_64, "\x80\x0c\x8b\x80", 4, X86_OP_OR, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0xffffffffffffff80ull, 0x0, "orb $-128,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x20\x4d\x00", 4, X86_OP_AND, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 1, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "andb %cl,%es:(%rbp)" },
	{ X86_MODE_64, "\x22\x03", 2, X86_OP_AND, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "andb (%rbx),%al" },
	{ X86_MODE_64, "\x80\x65\x80\x7f", 4, X86_OP_AND, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x7full, 0x0, "andb $127,-0x80(%rbp)" },
	{ X86_MODE_64, "\x40\x28\x34\x8b", 4, X86_OP_SUB, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 6, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "subb %sil,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x2a\x4d\x00", 4, X86_OP_SUB, 1, 8, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "subb %es:(%rbp),%cl" },
	{ X86_MODE_64, "\x80\x2b\x80", 3, X86_OP_SUB, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xffffffffffffff80ull, 0x0, "subb $-128,(%rbx)" },
	{ X86_MODE_64, "\x44\x30\x4d\x80", 4, X86_OP_XOR, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 9, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xorb %r9b,-0x80(%rbp)" },
	{ X86_MODE_64, "\x40\x32\x34\x8b", 4, X86_OP_XOR, 1, 8, { X86_OPND_REG, 1, 6, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "xorb (%rbx,%rcx,4),%sil" },
	{ X86_MODE_64, "\x26\x80\x75\x00\x7f", 5, X86_OP_XOR, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x7full, 0x0, "xorb $127,%es:(%rbp)" },
	{ X86_MODE_64, "\x38\x03", 2, X86_OP_CMP, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "cmpb %al,(%rbx)" },
	{ X86_MODE_64, "\x44\x3a\x4d\x80", 4, X86_OP_CMP, 1, 8, { X86_OPND_REG, 1, 9, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "cmpb -0x80(%rbp),%r9b" },
	{ X86_MODE_64, "\x80\x3c\x8b\x80", 4, X86_OP_CMP, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0xffffffffffffff80ull, 0x0, "cmpb $-128,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x84\x4d\x00", 4, X86_OP_TEST, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 1, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "testb %cl,%es:(%rbp)" },
	{ X86_MODE_64, "\xf6\x03\x40", 3, X86_OP_TEST, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x40ull, 0x0, "testb $64,(%rbx)" },
	{ X86_MODE_64, "\x44\x86\x4d\x80", 4, X86_OP_XCHG, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 9, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xchgb %r9b,-0x80(%rbp)" },
	{ X86_MODE_64, "\xc6\x04\x8b\x5a", 4, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x5aull, 0x0, "movb $90,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x66\x44\x01\x55\x00", 6, X86_OP_ADD, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "addw %r10w,%es:(%rbp)" },
	{ X86_MODE_64, "\x66\x03\x03", 3, X86_OP_ADD, 2, 8, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "addw (%rbx),%ax" },
	{ X86_MODE_64, "\x66\x83\x45\x80\xff", 5, X86_OP_ADD, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xffffffffffffffffull, 0x0, "addw $-1,-0x80(%rbp)" },
	{ X86_MODE_64, "\x66\x09\x04\x8b", 4, X86_OP_OR, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "orw %ax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x66\x44\x0b\x55\x00", 6, X86_OP_OR, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "orw %es:(%rbp),%r10w" },
	{ X86_MODE_64, "\x66\x81\x0b\x34\x12", 5, X86_OP_OR, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x1234ull, 0x0, "orw $4660,(%rbx)" },
	{ X86_MODE_64, "\x66\x44\x21\x55\x80", 5, X86_OP_AND, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "andw %r10w,-0x80(%rbp)" },
	{ X86_MODE_64, "\x66\x23\x04\x8b", 4, X86_OP_AND, 2, 8, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "andw (%rbx,%rcx,4),%ax" },
	{ X86_MODE_64, "\x26\x66\x83\x65\x00\x12", 6, X86_OP_AND, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x12ull, 0x0, "andw $18,%es:(%rbp)" },
	{ X86_MODE_64, "\x66\x29\x03", 3, X86_OP_SUB, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "subw %ax,(%rbx)" },
	{ X86_MODE_64, "\x66\x44\x2b\x55\x80", 5, X86_OP_SUB, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "subw -0x80(%rbp),%r10w" },
	{ X86_MODE_64, "\x66\x83\x2c\x8b\xff", 5, X86_OP_SUB, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0xffffffffffffffffull, 0x0, "subw $-1,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x66\x44\x31\x55\x00", 6, X86_OP_XOR, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "xorw %r10w,%es:(%rbp)" },
	{ X86_MODE_64, "\x66\x33\x03", 3, X86_OP_XOR, 2, 8, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xorw (%rbx),%ax" },
	{ X86_MODE_64, "\x66\x81\x75\x80\x34\x12", 6, X86_OP_XOR, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x1234ull, 0x0, "xorw $4660,-0x80(%rbp)" },
	{ X86_MODE_64, "\x66\x39\x04\x8b", 4, X86_OP_CMP, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "cmpw %ax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x66\x44\x3b\x55\x00", 6, X86_OP_CMP, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "cmpw %es:(%rbp),%r10w" },
	{ X86_MODE_64, "\x66\x83\x3b\x12", 4, X86_OP_CMP, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x12ull, 0x0, "cmpw $18,(%rbx)" },
	{ X86_MODE_64, "\x66\x44\x85\x55\x80", 5, X86_OP_TEST, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "testw %r10w,-0x80(%rbp)" },
	{ X86_MODE_64, "\x66\xf7\x04\x8b\xfe\xff", 6, X86_OP_TEST, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0xfffffffffffffffeull, 0x0, "testw $-2,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x66\x44\x87\x55\x00", 6, X86_OP_XCHG, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "xchgw %r10w,%es:(%rbp)" },
	{ X86_MODE_64, "\x66\xc7\x03\xfd\xff", 5, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xfffffffffffffffdull, 0x0, "movw $-3,(%rbx)" },
	{ X86_MODE_64, "\x66\x44\x0f\xa3\x55\x80", 6, X86_OP_BT, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 10, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "btw %r10w,-0x80(%rbp)" },
	{ X86_MODE_64, "\x66\x0f\xb6\x04\x8b", 5, X86_OP_MOVZX, 2, 8, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movzbw (%rbx,%rcx,4),%ax" },
	{ X86_MODE_64, "\x26\x66\x44\x0f\xbe\x55\x00", 7, X86_OP_MOVSX, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "movsbw %es:(%rbp),%r10w" },
	{ X86_MODE_64, "\x01\x03", 2, X86_OP_ADD, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "addl %eax,(%rbx)" },
	{ X86_MODE_64, "\x44\x03\x5d\x80", 4, X86_OP_ADD, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "addl -0x80(%rbp),%r11d" },
	{ X86_MODE_64, "\x81\x04\x8b\x78\x56\x34\x12", 7, X86_OP_ADD, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x12345678ull, 0x0, "addl $305419896,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x09\x45\x00", 4, X86_OP_OR, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "orl %eax,%es:(%rbp)" },
	{ X86_MODE_64, "\x44\x0b\x1b", 3, X86_OP_OR, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "orl (%rbx),%r11d" },
	{ X86_MODE_64, "\x83\x4d\x80\x12", 4, X86_OP_OR, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x12ull, 0x0, "orl $18,-0x80(%rbp)" },
	{ X86_MODE_64, "\x21\x04\x8b", 3, X86_OP_AND, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "andl %eax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x44\x23\x5d\x00", 5, X86_OP_AND, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "andl %es:(%rbp),%r11d" },
	{ X86_MODE_64, "\x83\x23\xff", 3, X86_OP_AND, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xffffffffffffffffull, 0x0, "andl $-1,(%rbx)" },
	{ X86_MODE_64, "\x29\x45\x80", 3, X86_OP_SUB, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "subl %eax,-0x80(%rbp)" },
	{ X86_MODE_64, "\x44\x2b\x1c\x8b", 4, X86_OP_SUB, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "subl (%rbx,%rcx,4),%r11d" },
	{ X86_MODE_64, "\x26\x81\x6d\x00\x78\x56\x34\x12", 8, X86_OP_SUB, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x12345678ull, 0x0, "subl $305419896,%es:(%rbp)" },
	{ X86_MODE_64, "\x31\x03", 2, X86_OP_XOR, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xorl %eax,(%rbx)" },
	{ X86_MODE_64, "\x44\x33\x5d\x80", 4, X86_OP_XOR, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xorl -0x80(%rbp),%r11d" },
	{ X86_MODE_64, "\x83\x34\x8b\x12", 4, X86_OP_XOR, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x12ull, 0x0, "xorl $18,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x39\x45\x00", 4, X86_OP_CMP, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "cmpl %eax,%es:(%rbp)" },
	{ X86_MODE_64, "\x44\x3b\x1b", 3, X86_OP_CMP, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "cmpl (%rbx),%r11d" },
	{ X86_MODE_64, "\x83\x7d\x80\xff", 4, X86_OP_CMP, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xffffffffffffffffull, 0x0, "cmpl $-1,-0x80(%rbp)" },
	{ X86_MODE_64, "\x85\x04\x8b", 3, X86_OP_TEST, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "testl %eax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\xf7\x45\x00\xfe\xff\xff\xff", 8, X86_OP_TEST, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, 0, 0, 0, 0xfffffffffffffffeull, 0x0, "testl $-2,%es:(%rbp)" },
	{ X86_MODE_64, "\x87\x0b", 2, X86_OP_XCHG, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xchgl %ecx,(%rbx)" },
	{ X86_MODE_64, "\xc7\x45\x80\xfd\xff\xff\xff", 7, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xfffffffffffffffdull, 0x0, "movl $-3,-0x80(%rbp)" },
	{ X86_MODE_64, "\x44\x0f\xa3\x1c\x8b", 5, X86_OP_BT, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 11, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "btl %r11d,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x0f\xb6\x4d\x00", 5, X86_OP_MOVZX, 4, 8, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "movzbl %es:(%rbp),%ecx" },
	{ X86_MODE_64, "\x0f\xbe\x03", 3, X86_OP_MOVSX, 4, 8, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsbl (%rbx),%eax" },
	{ X86_MODE_64, "\x44\x0f\xb7\x5d\x80", 5, X86_OP_MOVZX, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movzwl -0x80(%rbp),%r11d" },
	{ X86_MODE_64, "\x0f\xbf\x0c\x8b", 4, X86_OP_MOVSX, 4, 8, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movswl (%rbx,%rcx,4),%ecx" },
	{ X86_MODE_64, "\x26\x48\x01\x45\x00", 5, X86_OP_ADD, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "addq %rax,%es:(%rbp)" },
	{ X86_MODE_64, "\x4c\x03\x3b", 3, X86_OP_ADD, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "addq (%rbx),%r15" },
	{ X86_MODE_64, "\x48\x83\x45\x80\x12", 5, X86_OP_ADD, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x12ull, 0x0, "addq $18,-0x80(%rbp)" },
	{ X86_MODE_64, "\x48\x09\x04\x8b", 4, X86_OP_OR, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "orq %rax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x4c\x0b\x7d\x00", 5, X86_OP_OR, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "orq %es:(%rbp),%r15" },
	{ X86_MODE_64, "\x48\x83\x0b\xff", 4, X86_OP_OR, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xffffffffffffffffull, 0x0, "orq $-1,(%rbx)" },
	{ X86_MODE_64, "\x48\x21\x45\x80", 4, X86_OP_AND, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "andq %rax,-0x80(%rbp)" },
	{ X86_MODE_64, "\x4c\x23\x3c\x8b", 4, X86_OP_AND, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "andq (%rbx,%rcx,4),%r15" },
	{ X86_MODE_64, "\x26\x48\x81\x65\x00\x78\x56\x34\x12", 9, X86_OP_AND, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x12345678ull, 0x0, "andq $305419896,%es:(%rbp)" },
	{ X86_MODE_64, "\x48\x29\x03", 3, X86_OP_SUB, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "subq %rax,(%rbx)" },
	{ X86_MODE_64, "\x4c\x2b\x7d\x80", 4, X86_OP_SUB, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "subq -0x80(%rbp),%r15" },
	{ X86_MODE_64, "\x48\x83\x2c\x8b\x12", 5, X86_OP_SUB, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x12ull, 0x0, "subq $18,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x48\x31\x45\x00", 5, X86_OP_XOR, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "xorq %rax,%es:(%rbp)" },
	{ X86_MODE_64, "\x4c\x33\x3b", 3, X86_OP_XOR, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xorq (%rbx),%r15" },
	{ X86_MODE_64, "\x48\x83\x75\x80\xff", 5, X86_OP_XOR, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xffffffffffffffffull, 0x0, "xorq $-1,-0x80(%rbp)" },
	{ X86_MODE_64, "\x48\x39\x04\x8b", 4, X86_OP_CMP, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "cmpq %rax,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x4c\x3b\x7d\x00", 5, X86_OP_CMP, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 8, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "cmpq %es:(%rbp),%r15" },
	{ X86_MODE_64, "\x48\x81\x3b\x78\x56\x34\x12", 7, X86_OP_CMP, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x12345678ull, 0x0, "cmpq $305419896,(%rbx)" },
	{ X86_MODE_64, "\x48\x85\x45\x80", 4, X86_OP_TEST, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "testq %rax,-0x80(%rbp)" },
	{ X86_MODE_64, "\x48\xf7\x04\x8b\xfe\xff\xff\xff", 8, X86_OP_TEST, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 3, 1, 4, 0, 3, 0, 0xfffffffffffffffeull, 0x0, "testq $-2,(%rbx,%rcx,4)" },
	{ X86_MODE_64, "\x26\x48\x87\x55\x00", 5, X86_OP_XCHG, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 2, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "xchgq %rdx,%es:(%rbp)" },
	{ X86_MODE_64, "\x48\xc7\x03\xfd\xff\xff\xff", 7, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_IMM, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xfffffffffffffffdull, 0x0, "movq $-3,(%rbx)" },
	{ X86_MODE_64, "\x4c\x0f\xa3\x7d\x80", 5, X86_OP_BT, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 15, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "btq %r15,-0x80(%rbp)" },
	{ X86_MODE_64, "\x48\x0f\xb6\x14\x8b", 5, X86_OP_MOVZX, 8, 8, { X86_OPND_REG, 8, 2, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movzbq (%rbx,%rcx,4),%rdx" },
	{ X86_MODE_64, "\x26\x48\x0f\xbe\x45\x00", 6, X86_OP_MOVSX, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 0, 0, 0x0ull, 0x0, "movsbq %es:(%rbp),%rax" },
	{ X86_MODE_64, "\x4c\x0f\xb7\x3b", 4, X86_OP_MOVZX, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movzwq (%rbx),%r15" },
	{ X86_MODE_64, "\x48\x0f\xbf\x55\x80", 5, X86_OP_MOVSX, 8, 8, { X86_OPND_REG, 8, 2, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movswq -0x80(%rbp),%rdx" },
	{ X86_MODE_64, "\x4c\x63\x55\x80", 4, X86_OP_MOVSX, 8, 8, { X86_OPND_REG, 8, 10, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movslq -0x80(%rbp),%r10" },
	{ X86_MODE_64, "\x48\x63\x04\x8b", 4, X86_OP_MOVSX, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movslq (%rbx,%rcx,4),%rax" },
	{ X86_MODE_64, "\xa0\xf0\x00\x00\xd0\xfe\x00\x00\x00", 9, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs 0xfed00000f0,%al" },
	{ X86_MODE_64, "\xa2\xf0\x00\x00\xd0\xfe\x00\x00\x00", 9, X86_OP_MOV, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs %al,0xfed00000f0" },
	{ X86_MODE_64, "\xaa", 1, X86_OP_STOS, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosb" },
	{ X86_MODE_64, "\xf3\xaa", 2, X86_OP_STOS, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosb" },
	{ X86_MODE_64, "\xa4", 1, X86_OP_MOVS, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsb" },
	{ X86_MODE_64, "\xf3\xa4", 2, X86_OP_MOVS, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsb" },
	{ X86_MODE_64, "\x64\xf3\xa4", 3, X86_OP_MOVS, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 4, 0, 0x0ull, 0xf3, "rep movsb %fs:(%rsi),%es:(%rdi)" },
	{ X86_MODE_64, "\x67\xf3\xaa", 3, X86_OP_STOS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosb" },
	{ X86_MODE_64, "\x66\xa1\xf0\x00\x00\xd0\xfe\x00\x00\x00", 10, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs 0xfed00000f0,%ax" },
	{ X86_MODE_64, "\x66\xa3\xf0\x00\x00\xd0\xfe\x00\x00\x00", 10, X86_OP_MOV, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs %ax,0xfed00000f0" },
	{ X86_MODE_64, "\x66\xab", 2, X86_OP_STOS, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosw" },
	{ X86_MODE_64, "\x66\xf3\xab", 3, X86_OP_STOS, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosw" },
	{ X86_MODE_64, "\x66\xa5", 2, X86_OP_MOVS, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsw" },
	{ X86_MODE_64, "\x66\xf3\xa5", 3, X86_OP_MOVS, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsw" },
	{ X86_MODE_64, "\x64\x66\xf3\xa5", 4, X86_OP_MOVS, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 4, 0, 0x0ull, 0xf3, "rep movsw %fs:(%rsi),%es:(%rdi)" },
	{ X86_MODE_64, "\x67\x66\xf3\xab", 4, X86_OP_STOS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosw" },
	{ X86_MODE_64, "\xa1\xf0\x00\x00\xd0\xfe\x00\x00\x00", 9, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs 0xfed00000f0,%eax" },
	{ X86_MODE_64, "\xa3\xf0\x00\x00\xd0\xfe\x00\x00\x00", 9, X86_OP_MOV, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs %eax,0xfed00000f0" },
	{ X86_MODE_64, "\xab", 1, X86_OP_STOS, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosl" },
	{ X86_MODE_64, "\xf3\xab", 2, X86_OP_STOS, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosl" },
	{ X86_MODE_64, "\xa5", 1, X86_OP_MOVS, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsl" },
	{ X86_MODE_64, "\xf3\xa5", 2, X86_OP_MOVS, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsl" },
	{ X86_MODE_64, "\x64\xf3\xa5", 3, X86_OP_MOVS, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 4, 0, 0x0ull, 0xf3, "rep movsl %fs:(%rsi),%es:(%rdi)" },
	{ X86_MODE_64, "\x67\xf3\xab", 3, X86_OP_STOS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosl" },
	{ X86_MODE_64, "\x48\xa1\xf0\x00\x00\xd0\xfe\x00\x00\x00", 10, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs 0xfed00000f0,%rax" },
	{ X86_MODE_64, "\x48\xa3\xf0\x00\x00\xd0\xfe\x00\x00\x00", 10, X86_OP_MOV, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, -1, 1, 1094411354352, 3, 0, 0x0ull, 0x0, "movabs %rax,0xfed00000f0" },
	{ X86_MODE_64, "\x48\xab", 2, X86_OP_STOS, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosq" },
	{ X86_MODE_64, "\xf3\x48\xab", 3, X86_OP_STOS, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosq" },
	{ X86_MODE_64, "\x48\xa5", 2, X86_OP_MOVS, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsq" },
	{ X86_MODE_64, "\xf3\x48\xa5", 3, X86_OP_MOVS, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsq" },
	{ X86_MODE_64, "\x64\xf3\x48\xa5", 4, X86_OP_MOVS, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_MEM, 8, 0, 0 }, -1, -1, 1, 0, 4, 0, 0x0ull, 0xf3, "rep movsq %fs:(%rsi),%es:(%rdi)" },
	{ X86_MODE_64, "\x67\xf3\x48\xab", 4, X86_OP_STOS, 8, 4, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosq" },
	{ X86_MODE_64, "\x41\x88\xc1", 3, X86_OP_MOV, 1, 8, { X86_OPND_REG, 1, 9, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,%r9b" },
	{ X86_MODE_64, "\xf0\x00\x03", 3, X86_OP_ADD, 1, 8, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addb %al,(%rbx)" },
	{ X86_MODE_64, "\x66\x41\x89\xc2", 4, X86_OP_MOV, 2, 8, { X86_OPND_REG, 2, 10, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw %ax,%r10w" },
	{ X86_MODE_64, "\x66\xf0\x01\x03", 4, X86_OP_ADD, 2, 8, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addw %ax,(%rbx)" },
	{ X86_MODE_64, "\x41\x89\xc3", 3, X86_OP_MOV, 4, 8, { X86_OPND_REG, 4, 11, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl %eax,%r11d" },
	{ X86_MODE_64, "\xf0\x01\x03", 3, X86_OP_ADD, 4, 8, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addl %eax,(%rbx)" },
	{ X86_MODE_64, "\x49\x89\xc7", 3, X86_OP_MOV, 8, 8, { X86_OPND_REG, 8, 15, 0 }, { X86_OPND_REG, 8, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movq %rax,%r15" },
	{ X86_MODE_64, "\xf0\x48\x01\x03", 4, X86_OP_ADD, 8, 8, { X86_OPND_MEM, 8, 0, 0 }, { X86_OPND_REG, 8, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addq %rax,(%rbx)" },
	{ X86_MODE_32, "\x88\x03", 2, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%ebx)" },
	{ X86_MODE_32, "\x66\x8b\x33", 3, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%ebx),%si" },
	{ X86_MODE_32, "\x66\x89\x73\x10", 4, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, -1, 1, 16, 3, 0, 0x0ull, 0x0, "movw %si,0x10(%ebx)" },
	{ X86_MODE_32, "\x8b\x4b\x10", 3, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 16, 3, 0, 0x0ull, 0x0, "movl 0x10(%ebx),%ecx" },
	{ X86_MODE_32, "\x89\x4d\x80", 3, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movl %ecx,-0x80(%ebp)" },
	{ X86_MODE_32, "\x8a\x45\x80", 3, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movb -0x80(%ebp),%al" },
	{ X86_MODE_32, "\x88\x86\x78\x56\x34\x12", 6, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 6, -1, 1, 305419896, 3, 0, 0x0ull, 0x0, "movb %al,0x12345678(%esi)" },
	{ X86_MODE_32, "\x66\x8b\xb6\x78\x56\x34\x12", 7, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 6, -1, 1, 305419896, 3, 0, 0x0ull, 0x0, "movw 0x12345678(%esi),%si" },
	{ X86_MODE_32, "\x66\x89\x34\x24", 4, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 4, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movw %si,(%esp)" },
	{ X86_MODE_32, "\x8b\x0c\x24", 3, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 4, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movl (%esp),%ecx" },
	{ X86_MODE_32, "\x89\x4d\x00", 3, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movl %ecx,(%ebp)" },
	{ X86_MODE_32, "\x8a\x45\x00", 3, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movb (%ebp),%al" },
	{ X86_MODE_32, "\x88\x04\x8b", 3, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%ebx,%ecx,4)" },
	{ X86_MODE_32, "\x66\x8b\x34\x8b", 4, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 1, 4, 0, 3, 0, 0x0ull, 0x0, "movw (%ebx,%ecx,4),%si" },
	{ X86_MODE_32, "\x66\x89\x74\xd0\x10", 5, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 0, 2, 8, 16, 3, 0, 0x0ull, 0x0, "movw %si,0x10(%eax,%edx,8)" },
	{ X86_MODE_32, "\x8b\x4c\xd0\x10", 4, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 0, 2, 8, 16, 3, 0, 0x0ull, 0x0, "movl 0x10(%eax,%edx,8),%ecx" },
	{ X86_MODE_32, "\x89\x0c\xcd\x00\x10\x00\x00", 7, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x8a\x04\xcd\x00\x10\x00\x00", 7, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movb 0x1000(,%ecx,8),%al" },
	{ X86_MODE_32, "\xa2\x00\x00\xe0\xfe", 5, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, -18874368, 3, 0, 0x0ull, 0x0, "movb %al,0xfee00000" },
	{ X86_MODE_32, "\x66\x8b\x35\x00\x00\xe0\xfe", 7, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, -18874368, 3, 0, 0x0ull, 0x0, "movw 0xfee00000,%si" },
	{ X86_MODE_32, "\x64\x66\x89\x70\x10", 5, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 0, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movw %si,%fs:0x10(%eax)" },
	{ X86_MODE_32, "\x64\x8b\x48\x10", 4, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 0, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movl %fs:0x10(%eax),%ecx" },
	{ X86_MODE_32, "\x2e\x89\x0f", 3, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 7, -1, 1, 0, 1, 0, 0x0ull, 0x0, "movl %ecx,%cs:(%edi)" },
	{ X86_MODE_32, "\x2e\x8a\x07", 3, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 7, -1, 1, 0, 1, 0, 0x0ull, 0x0, "movb %cs:(%edi),%al" },
	{ X86_MODE_32, "\x36\x88\x03", 3, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movb %al,%ss:(%ebx)" },
	{ X86_MODE_32, "\x36\x66\x8b\x33", 4, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 2, 0, 0x0ull, 0x0, "movw %ss:(%ebx),%si" },
	{ X86_MODE_32, "\x67\x66\x89\x30", 4, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "movw %si,(%bx,%si)" },
	{ X86_MODE_32, "\x67\x8b\x08", 3, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "movl (%bx,%si),%ecx" },
	{ X86_MODE_32, "\x67\x89\x4b\x10", 4, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "movl %ecx,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x67\x8a\x43\x10", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "movb 0x10(%bp,%di),%al" },
	{ X86_MODE_32, "\x00\x7d\x80", 3, X86_OP_ADD, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "addb %bh,-0x80(%ebp)" },
	{ X86_MODE_32, "\x02\x0c\xcd\x00\x10\x00\x00", 7, X86_OP_ADD, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "addb 0x1000(,%ecx,8),%cl" },
	{ X86_MODE_32, "\x67\x80\x43\x10\x7f", 5, X86_OP_ADD, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x7full, 0x0, "addb $127,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x08\x3b", 2, X86_OP_OR, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "orb %bh,(%ebx)" },
	{ X86_MODE_32, "\x0a\x4d\x80", 3, X86_OP_OR, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "orb -0x80(%ebp),%cl" },
	{ X86_MODE_32, "\x80\x0c\xcd\x00\x10\x00\x00\x80", 8, X86_OP_OR, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0xffffffffffffff80ull, 0x0, "orb $-128,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x20\x7b\x10", 4, X86_OP_AND, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "andb %bh,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x22\x0b", 2, X86_OP_AND, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "andb (%ebx),%cl" },
	{ X86_MODE_32, "\x80\x65\x80\x7f", 4, X86_OP_AND, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x7full, 0x0, "andb $127,-0x80(%ebp)" },
	{ X86_MODE_32, "\x28\x3c\xcd\x00\x10\x00\x00", 7, X86_OP_SUB, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "subb %bh,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x2a\x4b\x10", 4, X86_OP_SUB, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "subb 0x10(%bp,%di),%cl" },
	{ X86_MODE_32, "\x80\x2b\x80", 3, X86_OP_SUB, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xffffffffffffff80ull, 0x0, "subb $-128,(%ebx)" },
	{ X86_MODE_32, "\x30\x7d\x80", 3, X86_OP_XOR, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xorb %bh,-0x80(%ebp)" },
	{ X86_MODE_32, "\x32\x0c\xcd\x00\x10\x00\x00", 7, X86_OP_XOR, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "xorb 0x1000(,%ecx,8),%cl" },
	{ X86_MODE_32, "\x67\x80\x73\x10\x7f", 5, X86_OP_XOR, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x7full, 0x0, "xorb $127,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x38\x3b", 2, X86_OP_CMP, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "cmpb %bh,(%ebx)" },
	{ X86_MODE_32, "\x3a\x4d\x80", 3, X86_OP_CMP, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "cmpb -0x80(%ebp),%cl" },
	{ X86_MODE_32, "\x80\x3c\xcd\x00\x10\x00\x00\x80", 8, X86_OP_CMP, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0xffffffffffffff80ull, 0x0, "cmpb $-128,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x84\x7b\x10", 4, X86_OP_TEST, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "testb %bh,0x10(%bp,%di)" },
	{ X86_MODE_32, "\xf6\x03\x40", 3, X86_OP_TEST, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x40ull, 0x0, "testb $64,(%ebx)" },
	{ X86_MODE_32, "\x86\x45\x80", 3, X86_OP_XCHG, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xchgb %al,-0x80(%ebp)" },
	{ X86_MODE_32, "\xc6\x04\xcd\x00\x10\x00\x00\x5a", 8, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x5aull, 0x0, "movb $90,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x66\x01\x53\x10", 5, X86_OP_ADD, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "addw %dx,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x66\x03\x03", 3, X86_OP_ADD, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "addw (%ebx),%ax" },
	{ X86_MODE_32, "\x66\x83\x45\x80\xff", 5, X86_OP_ADD, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xffffffffffffffffull, 0x0, "addw $-1,-0x80(%ebp)" },
	{ X86_MODE_32, "\x66\x09\x14\xcd\x00\x10\x00\x00", 8, X86_OP_OR, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "orw %dx,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x66\x0b\x43\x10", 5, X86_OP_OR, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "orw 0x10(%bp,%di),%ax" },
	{ X86_MODE_32, "\x66\x81\x0b\x34\x12", 5, X86_OP_OR, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x1234ull, 0x0, "orw $4660,(%ebx)" },
	{ X86_MODE_32, "\x66\x21\x55\x80", 4, X86_OP_AND, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "andw %dx,-0x80(%ebp)" },
	{ X86_MODE_32, "\x66\x23\x04\xcd\x00\x10\x00\x00", 8, X86_OP_AND, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "andw 0x1000(,%ecx,8),%ax" },
	{ X86_MODE_32, "\x67\x66\x83\x63\x10\x12", 6, X86_OP_AND, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x12ull, 0x0, "andw $18,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x66\x29\x13", 3, X86_OP_SUB, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "subw %dx,(%ebx)" },
	{ X86_MODE_32, "\x66\x2b\x45\x80", 4, X86_OP_SUB, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "subw -0x80(%ebp),%ax" },
	{ X86_MODE_32, "\x66\x83\x2c\xcd\x00\x10\x00\x00\xff", 9, X86_OP_SUB, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0xffffffffffffffffull, 0x0, "subw $-1,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x66\x31\x53\x10", 5, X86_OP_XOR, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "xorw %dx,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x66\x33\x03", 3, X86_OP_XOR, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xorw (%ebx),%ax" },
	{ X86_MODE_32, "\x66\x81\x75\x80\x34\x12", 6, X86_OP_XOR, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x1234ull, 0x0, "xorw $4660,-0x80(%ebp)" },
	{ X86_MODE_32, "\x66\x39\x14\xcd\x00\x10\x00\x00", 8, X86_OP_CMP, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "cmpw %dx,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x66\x3b\x43\x10", 5, X86_OP_CMP, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "cmpw 0x10(%bp,%di),%ax" },
	{ X86_MODE_32, "\x66\x83\x3b\x12", 4, X86_OP_CMP, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x12ull, 0x0, "cmpw $18,(%ebx)" },
	{ X86_MODE_32, "\x66\x85\x55\x80", 4, X86_OP_TEST, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "testw %dx,-0x80(%ebp)" },
	{ X86_MODE_32, "\x66\xf7\x04\xcd\x00\x10\x00\x00\xfe\xff", 10, X86_OP_TEST, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0xfffffffffffffffeull, 0x0, "testw $-2,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x66\x87\x73\x10", 5, X86_OP_XCHG, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "xchgw %si,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x66\xc7\x03\xfd\xff", 5, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xfffffffffffffffdull, 0x0, "movw $-3,(%ebx)" },
	{ X86_MODE_32, "\x66\x0f\xa3\x45\x80", 5, X86_OP_BT, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "btw %ax,-0x80(%ebp)" },
	{ X86_MODE_32, "\x66\x0f\xb6\x34\xcd\x00\x10\x00\x00", 9, X86_OP_MOVZX, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movzbw 0x1000(,%ecx,8),%si" },
	{ X86_MODE_32, "\x67\x66\x0f\xbe\x53\x10", 6, X86_OP_MOVSX, 2, 2, { X86_OPND_REG, 2, 2, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "movsbw 0x10(%bp,%di),%dx" },
	{ X86_MODE_32, "\x01\x03", 2, X86_OP_ADD, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "addl %eax,(%ebx)" },
	{ X86_MODE_32, "\x03\x7d\x80", 3, X86_OP_ADD, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "addl -0x80(%ebp),%edi" },
	{ X86_MODE_32, "\x81\x04\xcd\x00\x10\x00\x00\x78\x56\x34\x12", 11, X86_OP_ADD, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x12345678ull, 0x0, "addl $305419896,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x09\x43\x10", 4, X86_OP_OR, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "orl %eax,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x0b\x3b", 2, X86_OP_OR, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "orl (%ebx),%edi" },
	{ X86_MODE_32, "\x83\x4d\x80\x12", 4, X86_OP_OR, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x12ull, 0x0, "orl $18,-0x80(%ebp)" },
	{ X86_MODE_32, "\x21\x04\xcd\x00\x10\x00\x00", 7, X86_OP_AND, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "andl %eax,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x23\x7b\x10", 4, X86_OP_AND, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "andl 0x10(%bp,%di),%edi" },
	{ X86_MODE_32, "\x83\x23\xff", 3, X86_OP_AND, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0xffffffffffffffffull, 0x0, "andl $-1,(%ebx)" },
	{ X86_MODE_32, "\x29\x45\x80", 3, X86_OP_SUB, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "subl %eax,-0x80(%ebp)" },
	{ X86_MODE_32, "\x2b\x3c\xcd\x00\x10\x00\x00", 7, X86_OP_SUB, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "subl 0x1000(,%ecx,8),%edi" },
	{ X86_MODE_32, "\x67\x81\x6b\x10\x78\x56\x34\x12", 8, X86_OP_SUB, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x12345678ull, 0x0, "subl $305419896,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x31\x03", 2, X86_OP_XOR, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xorl %eax,(%ebx)" },
	{ X86_MODE_32, "\x33\x7d\x80", 3, X86_OP_XOR, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "xorl -0x80(%ebp),%edi" },
	{ X86_MODE_32, "\x83\x34\xcd\x00\x10\x00\x00\x12", 8, X86_OP_XOR, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x12ull, 0x0, "xorl $18,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x39\x43\x10", 4, X86_OP_CMP, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "cmpl %eax,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x3b\x3b", 2, X86_OP_CMP, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "cmpl (%ebx),%edi" },
	{ X86_MODE_32, "\x83\x7d\x80\xff", 4, X86_OP_CMP, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xffffffffffffffffull, 0x0, "cmpl $-1,-0x80(%ebp)" },
	{ X86_MODE_32, "\x85\x04\xcd\x00\x10\x00\x00", 7, X86_OP_TEST, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "testl %eax,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\xf7\x43\x10\xfe\xff\xff\xff", 8, X86_OP_TEST, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, 7, 1, 16, 2, 0, 0xfffffffffffffffeull, 0x0, "testl $-2,0x10(%bp,%di)" },
	{ X86_MODE_32, "\x87\x0b", 2, X86_OP_XCHG, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "xchgl %ecx,(%ebx)" },
	{ X86_MODE_32, "\xc7\x45\x80\xfd\xff\xff\xff", 7, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 5, -1, 1, -128, 2, 0, 0xfffffffffffffffdull, 0x0, "movl $-3,-0x80(%ebp)" },
	{ X86_MODE_32, "\x0f\xa3\x3c\xcd\x00\x10\x00\x00", 8, X86_OP_BT, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 7, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "btl %edi,0x1000(,%ecx,8)" },
	{ X86_MODE_32, "\x67\x0f\xb6\x4b\x10", 5, X86_OP_MOVZX, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 7, 1, 16, 2, 0, 0x0ull, 0x0, "movzbl 0x10(%bp,%di),%ecx" },
	{ X86_MODE_32, "\x0f\xbe\x03", 3, X86_OP_MOVSX, 4, 4, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsbl (%ebx),%eax" },
	{ X86_MODE_32, "\x0f\xb7\x7d\x80", 4, X86_OP_MOVZX, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -128, 2, 0, 0x0ull, 0x0, "movzwl -0x80(%ebp),%edi" },
	{ X86_MODE_32, "\x0f\xbf\x0c\xcd\x00\x10\x00\x00", 8, X86_OP_MOVSX, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, 1, 8, 4096, 3, 0, 0x0ull, 0x0, "movswl 0x1000(,%ecx,8),%ecx" },
	{ X86_MODE_32, "\xa0\xf0\x00\xe0\xfe", 5, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movb 0xfee000f0,%al" },
	{ X86_MODE_32, "\xa2\xf0\x00\xe0\xfe", 5, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movb %al,0xfee000f0" },
	{ X86_MODE_32, "\x64\xa0\x10\x00\x00\x00", 6, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movb %fs:0x10,%al" },
	{ X86_MODE_32, "\xaa", 1, X86_OP_STOS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosb" },
	{ X86_MODE_32, "\xf3\xaa", 2, X86_OP_STOS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosb" },
	{ X86_MODE_32, "\xa4", 1, X86_OP_MOVS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsb" },
	{ X86_MODE_32, "\xf3\xa4", 2, X86_OP_MOVS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsb" },
	{ X86_MODE_32, "\x67\xf3\xaa", 3, X86_OP_STOS, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr16 rep stosb" },
	{ X86_MODE_32, "\x66\xa1\xf0\x00\xe0\xfe", 6, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movw 0xfee000f0,%ax" },
	{ X86_MODE_32, "\x66\xa3\xf0\x00\xe0\xfe", 6, X86_OP_MOV, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movw %ax,0xfee000f0" },
	{ X86_MODE_32, "\x64\x66\xa1\x10\x00\x00\x00", 7, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movw %fs:0x10,%ax" },
	{ X86_MODE_32, "\x66\xab", 2, X86_OP_STOS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosw" },
	{ X86_MODE_32, "\x66\xf3\xab", 3, X86_OP_STOS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosw" },
	{ X86_MODE_32, "\x66\xa5", 2, X86_OP_MOVS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsw" },
	{ X86_MODE_32, "\x66\xf3\xa5", 3, X86_OP_MOVS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsw" },
	{ X86_MODE_32, "\x67\x66\xf3\xab", 4, X86_OP_STOS, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr16 rep stosw" },
	{ X86_MODE_32, "\xa1\xf0\x00\xe0\xfe", 5, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movl 0xfee000f0,%eax" },
	{ X86_MODE_32, "\xa3\xf0\x00\xe0\xfe", 5, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 4276093168, 3, 0, 0x0ull, 0x0, "movl %eax,0xfee000f0" },
	{ X86_MODE_32, "\x64\xa1\x10\x00\x00\x00", 6, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movl %fs:0x10,%eax" },
	{ X86_MODE_32, "\xab", 1, X86_OP_STOS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosl" },
	{ X86_MODE_32, "\xf3\xab", 2, X86_OP_STOS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosl" },
	{ X86_MODE_32, "\xa5", 1, X86_OP_MOVS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsl" },
	{ X86_MODE_32, "\xf3\xa5", 2, X86_OP_MOVS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsl" },
	{ X86_MODE_32, "\x67\xf3\xab", 3, X86_OP_STOS, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr16 rep stosl" },
	{ X86_MODE_32, "\x88\xc7", 2, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 3, 1 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,%bh" },
	{ X86_MODE_32, "\xf0\x00\x03", 3, X86_OP_ADD, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addb %al,(%ebx)" },
	{ X86_MODE_32, "\x66\x89\xc6", 3, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw %ax,%si" },
	{ X86_MODE_32, "\x66\xf0\x01\x03", 4, X86_OP_ADD, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addw %ax,(%ebx)" },
	{ X86_MODE_32, "\x89\xc7", 2, X86_OP_MOV, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl %eax,%edi" },
	{ X86_MODE_32, "\xf0\x01\x03", 3, X86_OP_ADD, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "lock addl %eax,(%ebx)" },
	{ X86_MODE_16, "\x88\x00", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%bx,%si)" },
	{ X86_MODE_16, "\x8b\x30", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%bx,%si),%si" },
	{ X86_MODE_16, "\x89\x70\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, 6, 1, -127, 3, 0, 0x0ull, 0x0, "movw %si,-0x7f(%bx,%si)" },
	{ X86_MODE_16, "\x66\x8b\x48\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, -127, 3, 0, 0x0ull, 0x0, "movl -0x7f(%bx,%si),%ecx" },
	{ X86_MODE_16, "\x66\x89\x88\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x8a\x80\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234(%bx,%si),%al" },
	{ X86_MODE_16, "\x88\x01", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 7, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%bx,%di)" },
	{ X86_MODE_16, "\x8b\x31", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 7, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%bx,%di),%si" },
	{ X86_MODE_16, "\x89\x71\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, 7, 1, -127, 3, 0, 0x0ull, 0x0, "movw %si,-0x7f(%bx,%di)" },
	{ X86_MODE_16, "\x66\x8b\x49\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 7, 1, -127, 3, 0, 0x0ull, 0x0, "movl -0x7f(%bx,%di),%ecx" },
	{ X86_MODE_16, "\x66\x89\x89\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x8a\x81\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234(%bx,%di),%al" },
	{ X86_MODE_16, "\x88\x02", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 5, 6, 1, 0, 2, 0, 0x0ull, 0x0, "movb %al,(%bp,%si)" },
	{ X86_MODE_16, "\x8b\x32", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, 6, 1, 0, 2, 0, 0x0ull, 0x0, "movw (%bp,%si),%si" },
	{ X86_MODE_16, "\x89\x72\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 5, 6, 1, -127, 2, 0, 0x0ull, 0x0, "movw %si,-0x7f(%bp,%si)" },
	{ X86_MODE_16, "\x66\x8b\x4a\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, 6, 1, -127, 2, 0, 0x0ull, 0x0, "movl -0x7f(%bp,%si),%ecx" },
	{ X86_MODE_16, "\x66\x89\x8a\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, 6, 1, 4660, 2, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%bp,%si)" },
	{ X86_MODE_16, "\x8a\x82\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 6, 1, 4660, 2, 0, 0x0ull, 0x0, "movb 0x1234(%bp,%si),%al" },
	{ X86_MODE_16, "\x88\x03", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 5, 7, 1, 0, 2, 0, 0x0ull, 0x0, "movb %al,(%bp,%di)" },
	{ X86_MODE_16, "\x8b\x33", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, 7, 1, 0, 2, 0, 0x0ull, 0x0, "movw (%bp,%di),%si" },
	{ X86_MODE_16, "\x89\x73\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 5, 7, 1, -127, 2, 0, 0x0ull, 0x0, "movw %si,-0x7f(%bp,%di)" },
	{ X86_MODE_16, "\x66\x8b\x4b\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, 7, 1, -127, 2, 0, 0x0ull, 0x0, "movl -0x7f(%bp,%di),%ecx" },
	{ X86_MODE_16, "\x66\x89\x8b\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 5, 7, 1, 4660, 2, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%bp,%di)" },
	{ X86_MODE_16, "\x8a\x83\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 5, 7, 1, 4660, 2, 0, 0x0ull, 0x0, "movb 0x1234(%bp,%di),%al" },
	{ X86_MODE_16, "\x88\x04", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 6, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%si)" },
	{ X86_MODE_16, "\x8b\x34", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 6, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%si),%si" },
	{ X86_MODE_16, "\x89\x74\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 6, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movw %si,-0x7f(%si)" },
	{ X86_MODE_16, "\x66\x8b\x4c\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 6, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movl -0x7f(%si),%ecx" },
	{ X86_MODE_16, "\x66\x89\x8c\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 6, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%si)" },
	{ X86_MODE_16, "\x8a\x84\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 6, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234(%si),%al" },
	{ X86_MODE_16, "\x88\x05", 2, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 7, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,(%di)" },
	{ X86_MODE_16, "\x8b\x35", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 7, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw (%di),%si" },
	{ X86_MODE_16, "\x89\x75\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 7, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movw %si,-0x7f(%di)" },
	{ X86_MODE_16, "\x66\x8b\x4d\x81", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 7, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movl -0x7f(%di),%ecx" },
	{ X86_MODE_16, "\x66\x89\x8d\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 7, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1234(%di)" },
	{ X86_MODE_16, "\x8a\x85\x34\x12", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 7, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234(%di),%al" },
	{ X86_MODE_16, "\x88\x46\x81", 3, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 5, -1, 1, -127, 2, 0, 0x0ull, 0x0, "movb %al,-0x7f(%bp)" },
	{ X86_MODE_16, "\x8b\x76\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 5, -1, 1, -127, 2, 0, 0x0ull, 0x0, "movw -0x7f(%bp),%si" },
	{ X86_MODE_16, "\x89\xb6\x34\x12", 4, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 5, -1, 1, 4660, 2, 0, 0x0ull, 0x0, "movw %si,0x1234(%bp)" },
	{ X86_MODE_16, "\x66\x8b\x8e\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 5, -1, 1, 4660, 2, 0, 0x0ull, 0x0, "movl 0x1234(%bp),%ecx" },
	{ X86_MODE_16, "\x66\x89\x0f", 3, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl %ecx,(%bx)" },
	{ X86_MODE_16, "\x8a\x07", 2, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb (%bx),%al" },
	{ X86_MODE_16, "\x88\x47\x81", 3, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movb %al,-0x7f(%bx)" },
	{ X86_MODE_16, "\x8b\x77\x81", 3, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, -1, 1, -127, 3, 0, 0x0ull, 0x0, "movw -0x7f(%bx),%si" },
	{ X86_MODE_16, "\x89\xb7\x34\x12", 4, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movw %si,0x1234(%bx)" },
	{ X86_MODE_16, "\x66\x8b\x8f\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl 0x1234(%bx),%ecx" },
	{ X86_MODE_16, "\x66\x89\x0e\x34\x12", 5, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %ecx,0x1234" },
	{ X86_MODE_16, "\xa0\x34\x12", 3, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234,%al" },
	{ X86_MODE_16, "\xa2\xf0\xff", 3, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, -16, 3, 0, 0x0ull, 0x0, "movb %al,0xfff0" },
	{ X86_MODE_16, "\x8b\x36\xf0\xff", 4, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, -16, 3, 0, 0x0ull, 0x0, "movw 0xfff0,%si" },
	{ X86_MODE_16, "\x26\x89\x30", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 3, 6, 1, 0, 0, 0, 0x0ull, 0x0, "movw %si,%es:(%bx,%si)" },
	{ X86_MODE_16, "\x26\x66\x8b\x08", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 0, 0, 0, 0x0ull, 0x0, "movl %es:(%bx,%si),%ecx" },
	{ X86_MODE_16, "\x67\x66\x89\x0b", 4, X86_OP_MOV, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl %ecx,(%ebx)" },
	{ X86_MODE_16, "\x67\x8a\x03", 3, X86_OP_MOV, 1, 4, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb (%ebx),%al" },
	{ X86_MODE_16, "\x67\x88\x44\x88\x10", 5, X86_OP_MOV, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "movb %al,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x67\x8b\x74\x88\x10", 5, X86_OP_MOV, 2, 4, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "movw 0x10(%eax,%ecx,4),%si" },
	{ X86_MODE_16, "\x00\xb8\x34\x12", 4, X86_OP_ADD, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "addb %bh,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x02\x89\x34\x12", 4, X86_OP_ADD, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "addb 0x1234(%bx,%di),%cl" },
	{ X86_MODE_16, "\x67\x80\x44\x88\x10\x7f", 6, X86_OP_ADD, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x7full, 0x0, "addb $127,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x08\x38", 2, X86_OP_OR, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "orb %bh,(%bx,%si)" },
	{ X86_MODE_16, "\x0a\x88\x34\x12", 4, X86_OP_OR, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "orb 0x1234(%bx,%si),%cl" },
	{ X86_MODE_16, "\x80\x89\x34\x12\x80", 5, X86_OP_OR, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0xffffffffffffff80ull, 0x0, "orb $-128,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x20\x7c\x88\x10", 5, X86_OP_AND, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "andb %bh,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x22\x08", 2, X86_OP_AND, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "andb (%bx,%si),%cl" },
	{ X86_MODE_16, "\x80\xa0\x34\x12\x7f", 5, X86_OP_AND, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x7full, 0x0, "andb $127,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x28\xb9\x34\x12", 4, X86_OP_SUB, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "subb %bh,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x2a\x4c\x88\x10", 5, X86_OP_SUB, 1, 4, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "subb 0x10(%eax,%ecx,4),%cl" },
	{ X86_MODE_16, "\x80\x28\x80", 3, X86_OP_SUB, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0xffffffffffffff80ull, 0x0, "subb $-128,(%bx,%si)" },
	{ X86_MODE_16, "\x30\xb8\x34\x12", 4, X86_OP_XOR, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "xorb %bh,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x32\x89\x34\x12", 4, X86_OP_XOR, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "xorb 0x1234(%bx,%di),%cl" },
	{ X86_MODE_16, "\x67\x80\x74\x88\x10\x7f", 6, X86_OP_XOR, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x7full, 0x0, "xorb $127,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x38\x38", 2, X86_OP_CMP, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "cmpb %bh,(%bx,%si)" },
	{ X86_MODE_16, "\x3a\x88\x34\x12", 4, X86_OP_CMP, 1, 2, { X86_OPND_REG, 1, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "cmpb 0x1234(%bx,%si),%cl" },
	{ X86_MODE_16, "\x80\xb9\x34\x12\x80", 5, X86_OP_CMP, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0xffffffffffffff80ull, 0x0, "cmpb $-128,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x84\x7c\x88\x10", 5, X86_OP_TEST, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 3, 1 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "testb %bh,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\xf6\x00\x40", 3, X86_OP_TEST, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x40ull, 0x0, "testb $64,(%bx,%si)" },
	{ X86_MODE_16, "\x86\x80\x34\x12", 4, X86_OP_XCHG, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "xchgb %al,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\xc6\x81\x34\x12\x5a", 5, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_IMM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x5aull, 0x0, "movb $90,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x01\x54\x88\x10", 5, X86_OP_ADD, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "addw %dx,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x03\x00", 2, X86_OP_ADD, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "addw (%bx,%si),%ax" },
	{ X86_MODE_16, "\x83\x80\x34\x12\xff", 5, X86_OP_ADD, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0xffffffffffffffffull, 0x0, "addw $-1,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x09\x91\x34\x12", 4, X86_OP_OR, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "orw %dx,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x0b\x44\x88\x10", 5, X86_OP_OR, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "orw 0x10(%eax,%ecx,4),%ax" },
	{ X86_MODE_16, "\x81\x08\x34\x12", 4, X86_OP_OR, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x1234ull, 0x0, "orw $4660,(%bx,%si)" },
	{ X86_MODE_16, "\x21\x90\x34\x12", 4, X86_OP_AND, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "andw %dx,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x23\x81\x34\x12", 4, X86_OP_AND, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "andw 0x1234(%bx,%di),%ax" },
	{ X86_MODE_16, "\x67\x83\x64\x88\x10\x12", 6, X86_OP_AND, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x12ull, 0x0, "andw $18,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x29\x10", 2, X86_OP_SUB, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "subw %dx,(%bx,%si)" },
	{ X86_MODE_16, "\x2b\x80\x34\x12", 4, X86_OP_SUB, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "subw 0x1234(%bx,%si),%ax" },
	{ X86_MODE_16, "\x83\xa9\x34\x12\xff", 5, X86_OP_SUB, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0xffffffffffffffffull, 0x0, "subw $-1,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x31\x54\x88\x10", 5, X86_OP_XOR, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "xorw %dx,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x33\x00", 2, X86_OP_XOR, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "xorw (%bx,%si),%ax" },
	{ X86_MODE_16, "\x81\xb0\x34\x12\x34\x12", 6, X86_OP_XOR, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x1234ull, 0x0, "xorw $4660,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x39\x91\x34\x12", 4, X86_OP_CMP, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "cmpw %dx,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x3b\x44\x88\x10", 5, X86_OP_CMP, 2, 4, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "cmpw 0x10(%eax,%ecx,4),%ax" },
	{ X86_MODE_16, "\x83\x38\x12", 3, X86_OP_CMP, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x12ull, 0x0, "cmpw $18,(%bx,%si)" },
	{ X86_MODE_16, "\x85\x90\x34\x12", 4, X86_OP_TEST, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 2, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "testw %dx,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\xf7\x81\x34\x12\xfe\xff", 6, X86_OP_TEST, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0xfffffffffffffffeull, 0x0, "testw $-2,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x87\x74\x88\x10", 5, X86_OP_XCHG, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 6, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "xchgw %si,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\xc7\x00\xfd\xff", 4, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_IMM, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0xfffffffffffffffdull, 0x0, "movw $-3,(%bx,%si)" },
	{ X86_MODE_16, "\x0f\xa3\x80\x34\x12", 5, X86_OP_BT, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "btw %ax,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x0f\xb6\xb1\x34\x12", 5, X86_OP_MOVZX, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "movzbw 0x1234(%bx,%di),%si" },
	{ X86_MODE_16, "\x67\x0f\xbe\x54\x88\x10", 6, X86_OP_MOVSX, 2, 4, { X86_OPND_REG, 2, 2, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "movsbw 0x10(%eax,%ecx,4),%dx" },
	{ X86_MODE_16, "\x66\x01\x00", 3, X86_OP_ADD, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "addl %eax,(%bx,%si)" },
	{ X86_MODE_16, "\x66\x03\xb8\x34\x12", 5, X86_OP_ADD, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "addl 0x1234(%bx,%si),%edi" },
	{ X86_MODE_16, "\x66\x81\x81\x34\x12\x78\x56\x34\x12", 9, X86_OP_ADD, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x12345678ull, 0x0, "addl $305419896,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x66\x09\x44\x88\x10", 6, X86_OP_OR, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "orl %eax,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x66\x0b\x38", 3, X86_OP_OR, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "orl (%bx,%si),%edi" },
	{ X86_MODE_16, "\x66\x83\x88\x34\x12\x12", 6, X86_OP_OR, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x12ull, 0x0, "orl $18,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x66\x21\x81\x34\x12", 5, X86_OP_AND, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "andl %eax,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x66\x23\x7c\x88\x10", 6, X86_OP_AND, 4, 4, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "andl 0x10(%eax,%ecx,4),%edi" },
	{ X86_MODE_16, "\x66\x83\x20\xff", 4, X86_OP_AND, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0xffffffffffffffffull, 0x0, "andl $-1,(%bx,%si)" },
	{ X86_MODE_16, "\x66\x29\x80\x34\x12", 5, X86_OP_SUB, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "subl %eax,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x66\x2b\xb9\x34\x12", 5, X86_OP_SUB, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "subl 0x1234(%bx,%di),%edi" },
	{ X86_MODE_16, "\x67\x66\x81\x6c\x88\x10\x78\x56\x34\x12", 10, X86_OP_SUB, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x12345678ull, 0x0, "subl $305419896,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x66\x31\x00", 3, X86_OP_XOR, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "xorl %eax,(%bx,%si)" },
	{ X86_MODE_16, "\x66\x33\xb8\x34\x12", 5, X86_OP_XOR, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "xorl 0x1234(%bx,%si),%edi" },
	{ X86_MODE_16, "\x66\x83\xb1\x34\x12\x12", 6, X86_OP_XOR, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x12ull, 0x0, "xorl $18,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x66\x39\x44\x88\x10", 6, X86_OP_CMP, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "cmpl %eax,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x66\x3b\x38", 3, X86_OP_CMP, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "cmpl (%bx,%si),%edi" },
	{ X86_MODE_16, "\x66\x83\xb8\x34\x12\xff", 6, X86_OP_CMP, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0xffffffffffffffffull, 0x0, "cmpl $-1,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x66\x85\x81\x34\x12", 5, X86_OP_TEST, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "testl %eax,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x66\xf7\x44\x88\x10\xfe\xff\xff\xff", 10, X86_OP_TEST, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 0, 1, 4, 16, 3, 0, 0xfffffffffffffffeull, 0x0, "testl $-2,0x10(%eax,%ecx,4)" },
	{ X86_MODE_16, "\x66\x87\x08", 3, X86_OP_XCHG, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 1, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "xchgl %ecx,(%bx,%si)" },
	{ X86_MODE_16, "\x66\xc7\x80\x34\x12\xfd\xff\xff\xff", 9, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_IMM, 4, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0xfffffffffffffffdull, 0x0, "movl $-3,0x1234(%bx,%si)" },
	{ X86_MODE_16, "\x66\x0f\xa3\xb9\x34\x12", 6, X86_OP_BT, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 7, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "btl %edi,0x1234(%bx,%di)" },
	{ X86_MODE_16, "\x67\x66\x0f\xb6\x4c\x88\x10", 7, X86_OP_MOVZX, 4, 4, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 0, 1, 4, 16, 3, 0, 0x0ull, 0x0, "movzbl 0x10(%eax,%ecx,4),%ecx" },
	{ X86_MODE_16, "\x66\x0f\xbe\x00", 4, X86_OP_MOVSX, 4, 2, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "movsbl (%bx,%si),%eax" },
	{ X86_MODE_16, "\x66\x0f\xb7\xb8\x34\x12", 6, X86_OP_MOVZX, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 6, 1, 4660, 3, 0, 0x0ull, 0x0, "movzwl 0x1234(%bx,%si),%edi" },
	{ X86_MODE_16, "\x66\x0f\xbf\x89\x34\x12", 6, X86_OP_MOVSX, 4, 2, { X86_OPND_REG, 4, 1, 0 }, { X86_OPND_MEM, 2, 0, 0 }, 3, 7, 1, 4660, 3, 0, 0x0ull, 0x0, "movswl 0x1234(%bx,%di),%ecx" },
	{ X86_MODE_16, "\xa0\x34\x12", 3, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movb 0x1234,%al" },
	{ X86_MODE_16, "\xa2\x34\x12", 3, X86_OP_MOV, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movb %al,0x1234" },
	{ X86_MODE_16, "\x64\xa0\x10\x00", 4, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movb %fs:0x10,%al" },
	{ X86_MODE_16, "\xaa", 1, X86_OP_STOS, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosb" },
	{ X86_MODE_16, "\xf3\xaa", 2, X86_OP_STOS, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosb" },
	{ X86_MODE_16, "\xa4", 1, X86_OP_MOVS, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsb" },
	{ X86_MODE_16, "\xf3\xa4", 2, X86_OP_MOVS, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_MEM, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsb" },
	{ X86_MODE_16, "\x67\xf3\xaa", 3, X86_OP_STOS, 1, 4, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosb" },
	{ X86_MODE_16, "\xa1\x34\x12", 3, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movw 0x1234,%ax" },
	{ X86_MODE_16, "\xa3\x34\x12", 3, X86_OP_MOV, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movw %ax,0x1234" },
	{ X86_MODE_16, "\x64\xa1\x10\x00", 4, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movw %fs:0x10,%ax" },
	{ X86_MODE_16, "\xab", 1, X86_OP_STOS, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosw" },
	{ X86_MODE_16, "\xf3\xab", 2, X86_OP_STOS, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosw" },
	{ X86_MODE_16, "\xa5", 1, X86_OP_MOVS, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsw" },
	{ X86_MODE_16, "\xf3\xa5", 2, X86_OP_MOVS, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_MEM, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsw" },
	{ X86_MODE_16, "\x67\xf3\xab", 3, X86_OP_STOS, 2, 4, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosw" },
	{ X86_MODE_16, "\x66\xa1\x34\x12", 4, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl 0x1234,%eax" },
	{ X86_MODE_16, "\x66\xa3\x34\x12", 4, X86_OP_MOV, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 4660, 3, 0, 0x0ull, 0x0, "movl %eax,0x1234" },
	{ X86_MODE_16, "\x64\x66\xa1\x10\x00", 5, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 16, 4, 0, 0x0ull, 0x0, "movl %fs:0x10,%eax" },
	{ X86_MODE_16, "\x66\xab", 2, X86_OP_STOS, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "stosl" },
	{ X86_MODE_16, "\x66\xf3\xab", 3, X86_OP_STOS, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep stosl" },
	{ X86_MODE_16, "\x66\xa5", 2, X86_OP_MOVS, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movsl" },
	{ X86_MODE_16, "\x66\xf3\xa5", 3, X86_OP_MOVS, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_MEM, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "rep movsl" },
	{ X86_MODE_16, "\x67\x66\xf3\xab", 4, X86_OP_STOS, 4, 4, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0xf3, "addr32 rep stosl" },
	{ X86_MODE_16, "\x88\xc7", 2, X86_OP_MOV, 1, 2, { X86_OPND_REG, 1, 3, 1 }, { X86_OPND_REG, 1, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movb %al,%bh" },
	{ X86_MODE_16, "\xf0\x00\x00", 3, X86_OP_ADD, 1, 2, { X86_OPND_MEM, 1, 0, 0 }, { X86_OPND_REG, 1, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "lock addb %al,(%bx,%si)" },
	{ X86_MODE_16, "\x89\xc6", 2, X86_OP_MOV, 2, 2, { X86_OPND_REG, 2, 6, 0 }, { X86_OPND_REG, 2, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movw %ax,%si" },
	{ X86_MODE_16, "\xf0\x01\x00", 3, X86_OP_ADD, 2, 2, { X86_OPND_MEM, 2, 0, 0 }, { X86_OPND_REG, 2, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "lock addw %ax,(%bx,%si)" },
	{ X86_MODE_16, "\x66\x89\xc7", 3, X86_OP_MOV, 4, 2, { X86_OPND_REG, 4, 7, 0 }, { X86_OPND_REG, 4, 0, 0 }, -1, -1, 1, 0, 3, 0, 0x0ull, 0x0, "movl %eax,%edi" },
	{ X86_MODE_16, "\x66\xf0\x01\x00", 4, X86_OP_ADD, 4, 2, { X86_OPND_MEM, 4, 0, 0 }, { X86_OPND_REG, 4, 0, 0 }, 3, 6, 1, 0, 3, 0, 0x0ull, 0x0, "lock addl %eax,(%bx,%si)" },
};

static void dcase_fail(const struct dcase *c, const char *what, long long got)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s (got %lld)", c->text, what, got);
	unit_fail(__FILE__, __LINE__, msg);
}

static uint64_t dmask(uint8_t size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void dcase_opnd(const struct dcase *c, const char *which,
		       const struct x86_opnd *o, const struct dcase_opnd *e)
{
	if (o->kind != e->kind || o->size != e->size ||
	    (e->kind == X86_OPND_REG && (o->reg != e->reg || o->hi8 != e->hi8)))
		dcase_fail(c, which, o->kind * 1000 + o->size * 100 + o->reg);
}

static int dcase_decode(const struct dcase *c, size_t avail,
			struct x86_insn *in)
{
	/* Exactly @avail bytes on the heap: ASan catches an overread. */
	uint8_t *buf = malloc(avail ? avail : 1);
	int err;

	memcpy(buf, c->bytes, avail);
	err = x86_decode(buf, avail, c->mode, in);
	free(buf);
	return err;
}

UNIT_TEST(x86_decode_as_table)
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		struct x86_insn in;
		bool string;
		int err = dcase_decode(c, c->len, &in);

		if (err) {
			dcase_fail(c, "decode", err);
			continue;
		}
		n++;
		if (in.len != c->len)
			dcase_fail(c, "len", in.len);
		if (in.op != c->op)
			dcase_fail(c, "op", in.op);
		if (in.opsize != c->opsize)
			dcase_fail(c, "opsize", in.opsize);
		if (in.addr_size != c->addr_size)
			dcase_fail(c, "addr_size", in.addr_size);
		if (in.rep != c->rep)
			dcase_fail(c, "rep", in.rep);
		dcase_opnd(c, "dst", &in.dst, &c->dst);
		dcase_opnd(c, "src", &in.src, &c->src);
		if (c->src.kind == X86_OPND_IMM &&
		    (in.imm & dmask(c->src.size)) != (c->imm & dmask(c->src.size)))
			dcase_fail(c, "imm", (long long)in.imm);
		if (c->dst.kind != X86_OPND_MEM && c->src.kind != X86_OPND_MEM)
			continue;
		if (in.mem.seg != c->seg)
			dcase_fail(c, "seg", in.mem.seg);
		string = c->op == X86_OP_MOVS || c->op == X86_OP_STOS;
		if (string)
			continue;
		if (in.mem.base != c->base)
			dcase_fail(c, "base", in.mem.base);
		if (in.mem.index != c->index)
			dcase_fail(c, "index", in.mem.index);
		if (c->index >= 0 && in.mem.scale != c->scale)
			dcase_fail(c, "scale", in.mem.scale);
		if (in.mem.rip_rel != c->rip_rel)
			dcase_fail(c, "rip_rel", in.mem.rip_rel);
		if (((uint64_t)in.mem.disp & dmask(c->addr_size)) !=
		    ((uint64_t)c->disp & dmask(c->addr_size)))
			dcase_fail(c, "disp", (long long)in.mem.disp);
	}
	printf("decoded %zu assembler cases\n", n);
	UNIT_CHECK(n == sizeof(dcases) / sizeof(dcases[0]));
}

UNIT_TEST(x86_decode_truncated)
{
	size_t i, avail;

	for (i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		struct x86_insn in;

		for (avail = 0; avail < c->len; avail++) {
			int err = dcase_decode(c, avail, &in);

			if (err != -EFAULT)
				dcase_fail(c, "truncated", err);
		}
	}
}

static int dec(enum x86_mode mode, const char *bytes, size_t len,
	       struct x86_insn *in)
{
	return x86_decode((const uint8_t *)bytes, len, mode, in);
}

UNIT_TEST(x86_decode_refuses)
{
	static const struct {
		enum x86_mode mode;
		const char *bytes;
		uint8_t len;
	} no[] = {
		{ X86_MODE_64, "\x0f\x05", 2 },		/* syscall */
		{ X86_MODE_64, "\x11\x03", 2 },		/* adc %eax,(%rbx) */
		{ X86_MODE_64, "\x19\x03", 2 },		/* sbb %eax,(%rbx) */
		{ X86_MODE_64, "\x83\x13\x01", 3 },	/* adcl $1,(%rbx) */
		{ X86_MODE_64, "\x80\x1b\x01", 3 },	/* sbbb $1,(%rbx) */
		{ X86_MODE_64, "\xc6\x4b\x00\x01", 4 },	/* c6 /1 */
		{ X86_MODE_64, "\xc7\x43\x00\x01\x00\x00\x00", 7 }, /* ok */
		{ X86_MODE_64, "\xf7\x13", 2 },		/* notl (%rbx) */
		{ X86_MODE_64, "\xf6\x4b\x00\x01", 4 },	/* f6 /1 alias */
		{ X86_MODE_64, "\xff\x03", 2 },		/* incl (%rbx) */
		{ X86_MODE_64, "\x8c\x03", 2 },		/* mov %es,(%rbx) */
		{ X86_MODE_64, "\xf0\x89\x03", 3 },	/* lock mov: #UD */
		{ X86_MODE_64, "\xf0\x39\x03", 3 },	/* lock cmp: #UD */
		{ X86_MODE_64, "\xf0\x01\xc3", 3 },	/* lock add reg: #UD */
		{ X86_MODE_64, "\xf0\xab", 2 },		/* lock stos: #UD */
		{ X86_MODE_32, "\x63\x03", 2 },		/* arpl */
		{ X86_MODE_32, "\x48", 1 },		/* dec %eax */
		{ X86_MODE_64, "\x0f\xba\x23\x01", 4 },	/* btl $1,(%rbx) */
		{ X86_MODE_64, "\xa6", 1 },		/* cmpsb */
		{ X86_MODE_64, "\xac", 1 },		/* lodsb */
	};
	struct x86_insn in;
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		int err = dec(no[i].mode, no[i].bytes, no[i].len, &in);

		if (i == 6)
			UNIT_CHECK(err == 0 && in.op == X86_OP_MOV);
		else if (err != -EOPNOTSUPP)
			dcase_fail(&(struct dcase){ .text = no[i].bytes },
				   "refuse", err);
	}
}

UNIT_TEST(x86_decode_prefix_rules)
{
	uint8_t buf[32];
	struct x86_insn in;

	/* REX then a legacy prefix: the REX is ignored (SDM 2.2.1). */
	UNIT_CHECK(!dec(X86_MODE_64, "\x48\x66\x89\x03", 4, &in));
	UNIT_CHECK(in.opsize == 2 && in.rex == 0 && in.len == 4);
	/* REX.W wins over 66. */
	UNIT_CHECK(!dec(X86_MODE_64, "\x66\x48\x89\x03", 4, &in));
	UNIT_CHECK(in.opsize == 8);
	/* Two REX: the last counts (REX.B here: base r11). */
	UNIT_CHECK(!dec(X86_MODE_64, "\x48\x41\x89\x03", 4, &in));
	UNIT_CHECK(in.opsize == 4 && in.mem.base == X86_R11);
	/* REX makes byte register 4..7 SPL..DIL instead of AH..BH. */
	UNIT_CHECK(!dec(X86_MODE_64, "\x40\x88\x23", 3, &in));
	UNIT_CHECK(in.src.reg == X86_RSP && !in.src.hi8);
	UNIT_CHECK(!dec(X86_MODE_64, "\x88\x23", 2, &in));
	UNIT_CHECK(in.src.reg == X86_RAX && in.src.hi8);
	/* SIB index 100b with REX.X is r12, without it no index. */
	UNIT_CHECK(!dec(X86_MODE_64, "\x42\x89\x04\x23", 4, &in));
	UNIT_CHECK(in.mem.index == X86_R12 && in.mem.base == X86_RBX);
	UNIT_CHECK(!dec(X86_MODE_64, "\x89\x04\x23", 3, &in));
	UNIT_CHECK(in.mem.index == -1 && in.mem.base == X86_RBX);
	/* Last segment override wins; LOCK on add to memory is fine. */
	UNIT_CHECK(!dec(X86_MODE_64, "\x64\x65\xf0\x01\x03", 5, &in));
	UNIT_CHECK(in.mem.seg == X86_SEG_GS && in.lock && in.op == X86_OP_ADD);
	/* REPNE on STOS is accepted as REP (the CPU repeats it too). */
	UNIT_CHECK(!dec(X86_MODE_32, "\xf2\xaa", 2, &in));
	UNIT_CHECK(in.rep == 0xf2 && in.op == X86_OP_STOS);

	/* 15 bytes is the limit: 13 prefixes + 89 03 is fine, 14 not. */
	memset(buf, 0x66, sizeof(buf));
	buf[13] = 0x89;
	buf[14] = 0x03;
	UNIT_CHECK(!x86_decode(buf, sizeof(buf), X86_MODE_64, &in) &&
		   in.len == 15);
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x89;
	buf[15] = 0x03;
	UNIT_CHECK(x86_decode(buf, sizeof(buf), X86_MODE_64, &in) == -EINVAL);
	/* Prefixes alone, more than 15: refused, no endless loop. */
	memset(buf, 0xf3, sizeof(buf));
	UNIT_CHECK(x86_decode(buf, sizeof(buf), X86_MODE_64, &in) == -EINVAL);
	UNIT_CHECK(x86_decode(buf, 4, X86_MODE_64, &in) == -EFAULT);
	UNIT_CHECK(x86_decode(buf, 0, X86_MODE_64, &in) == -EFAULT);
}

/* Every single- and two-byte opcode, any ModR/M: no crash, bounded len. */
UNIT_TEST(x86_decode_all_opcodes)
{
	uint8_t buf[16];
	struct x86_insn in;
	unsigned int op, modrm, mode, ok = 0;

	for (mode = X86_MODE_16; mode <= X86_MODE_64; mode++)
		for (op = 0; op < 0x200; op++)
			for (modrm = 0; modrm < 256; modrm++) {
				size_t n = 0;
				int err;

				if (op >= 0x100)
					buf[n++] = 0x0f;
				buf[n++] = op & 0xff;
				buf[n++] = modrm;
				memset(buf + n, 0x24, sizeof(buf) - n);
				err = x86_decode(buf, sizeof(buf), mode, &in);
				if (!err) {
					ok++;
					UNIT_CHECK(in.len >= 1 && in.len <= 15);
				} else {
					UNIT_CHECK(err == -EOPNOTSUPP ||
						   err == -EINVAL);
				}
			}
	UNIT_CHECK(ok > 0);
}
