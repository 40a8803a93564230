// SPDX-License-Identifier: MIT
/*
 * The MMIO emulator: ALU results and flags against the host CPU running
 * the same instruction, register write-back size rules, MOVZX/MOVSX,
 * XCHG, BT, linear-address computation, and REP MOVS/STOS with DF both
 * ways against a fake device page and fake RAM.
 * UNIT_SRCS: core/x86_decode.c core/x86_emul.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/x86_emul.h"
#include "unit.h"

#define MMIO_BASE 0xfee00000ull
#define RAM_SIZE 0x10000

/* One device page at MMIO_BASE and RAM at GLA = GPA 0. */
struct fake {
	uint8_t mmio[4096];
	uint8_t ram[RAM_SIZE];
	unsigned int reads, writes;
	uint64_t last_gpa;
	size_t last_len;
};

static int f_mmio_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	struct fake *f = o;

	if (gpa < MMIO_BASE || gpa + len > MMIO_BASE + 4096)
		return -EIO;
	memcpy(buf, f->mmio + (gpa - MMIO_BASE), len);
	f->reads++;
	f->last_gpa = gpa;
	f->last_len = len;
	return 0;
}

static int f_mmio_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	struct fake *f = o;

	if (gpa < MMIO_BASE || gpa + len > MMIO_BASE + 4096)
		return -EIO;
	memcpy(f->mmio + (gpa - MMIO_BASE), buf, len);
	f->writes++;
	f->last_gpa = gpa;
	f->last_len = len;
	return 0;
}

static int f_mem_read(void *o, uint64_t gla, void *buf, size_t len)
{
	struct fake *f = o;

	if (gla >= RAM_SIZE || len > RAM_SIZE - gla)
		return -EFAULT;
	memcpy(buf, f->ram + gla, len);
	return 0;
}

static int f_mem_write(void *o, uint64_t gla, const void *buf, size_t len)
{
	struct fake *f = o;

	if (gla >= RAM_SIZE || len > RAM_SIZE - gla)
		return -EFAULT;
	memcpy(f->ram + gla, buf, len);
	return 0;
}

/* Identity paging, but GLA 0x7fe00000.. maps to the device page. */
static int f_gla_to_gpa(void *o, uint64_t gla, bool write, uint64_t *gpa)
{
	if ((gla & ~0xfffull) == 0x7fe00000)
		*gpa = MMIO_BASE | (gla & 0xfff);
	else
		*gpa = gla;
	return 0;
}

static struct fake *fk;

static void ctx_init(struct x86_emul_ctx *c, enum x86_mode mode)
{
	if (!fk)
		fk = calloc(1, sizeof(*fk));
	memset(fk, 0, sizeof(*fk));
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	c->rflags = 0x2;
	c->opaque = fk;
	c->mmio_read = f_mmio_read;
	c->mmio_write = f_mmio_write;
	c->mem_read = f_mem_read;
	c->mem_write = f_mem_write;
	c->gla_to_gpa = f_gla_to_gpa;
}

/* Decode @bytes and emulate them; returns x86_emulate's value. */
static int run(struct x86_emul_ctx *c, const char *bytes, size_t len)
{
	struct x86_insn in;
	int err = x86_decode((const uint8_t *)bytes, len, c->mode, &in);

	if (err)
		return err == -EOPNOTSUPP ? -1000 : err - 1000;
	return x86_emulate(&in, c);
}

/*
 * The host CPU's answer for "op src, dst" at one size. lea moves rsp
 * past the red zone without touching flags, so pushf cannot clobber it.
 */
#define HOST_OP(name, mn, sfx, type)                                        \
	static uint64_t host_##name##_##sfx(uint64_t d, uint64_t s,         \
					    uint64_t *res)                  \
	{                                                                   \
		type a = (type)d, b = (type)s;                              \
		uint64_t fl;                                                \
		asm volatile(mn #sfx " %[b], %[a]\n\t"                       \
			     "lea -128(%%rsp), %%rsp\n\t"                   \
			     "pushfq\n\tpopq %[fl]\n\t"                     \
			     "lea 128(%%rsp), %%rsp"                        \
			     : [a] "+q"(a), [fl] "=r"(fl)                   \
			     : [b] "q"(b)                                   \
			     : "cc");                                       \
		*res = a;                                                   \
		return fl;                                                  \
	}
#define HOST_OPS(name, mn)                                                  \
	HOST_OP(name, mn, b, uint8_t)                                     \
	HOST_OP(name, mn, w, uint16_t)                                    \
	HOST_OP(name, mn, l, uint32_t)                                    \
	HOST_OP(name, mn, q, uint64_t)

HOST_OPS(add, "add")
HOST_OPS(or, "or")
HOST_OPS(and, "and")
HOST_OPS(sub, "sub")
HOST_OPS(xor, "xor")
HOST_OPS(cmp, "cmp")
HOST_OPS(test, "test")

typedef uint64_t (*host_fn)(uint64_t, uint64_t, uint64_t *);

static const struct {
	const char *name;
	uint8_t opc;	/* Ev,Gv form; Eb,Gb is opc - 1, Gv,Ev is opc + 2 */
	bool writes, logic;
	host_fn host[4];
} alu[] = {
#define H(n) { host_##n##_b, host_##n##_w, host_##n##_l, host_##n##_q }
	{ "add", 0x01, true, false, H(add) },
	{ "or", 0x09, true, true, H(or) },
	{ "and", 0x21, true, true, H(and) },
	{ "sub", 0x29, true, false, H(sub) },
	{ "xor", 0x31, true, true, H(xor) },
	{ "cmp", 0x39, false, false, H(cmp) },
	{ "test", 0x85, false, true, H(test) },
#undef H
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static const uint64_t edge[] = {
	0, 1, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
	0x8000000000000000ull, ~0ull, 0x0123456789abcdefull,
};
#define NEDGE (sizeof(edge) / sizeof(edge[0]))

static uint64_t operand(unsigned int i)
{
	return i < NEDGE ? edge[i] : rnd();
}

/*
 * "op %rcx, 0x10(%rbx)" (device is dst) and "op 0x10(%rbx), %rcx"
 * (device is src), at every size, on edge and random values.
 */
UNIT_TEST(x86_emul_alu_vs_host)
{
	static const uint8_t pfx[4] = { 0, 0x66, 0, 0x48 };
	unsigned int o, sz, i, j, dir, checked = 0;
	uint64_t flagmask;

	for (o = 0; o < sizeof(alu) / sizeof(alu[0]); o++)
		for (sz = 0; sz < 4; sz++)
			for (dir = 0; dir < 2; dir++)
				for (i = 0; i < NEDGE + 40; i++)
					for (j = 0; j < NEDGE + 4; j++) {
		uint8_t size = 1 << sz, code[4];
		uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
		uint64_t mem = operand(i), reg = operand(j), res = 0, hres;
		uint64_t hfl, d, s, got = 0;
		struct x86_emul_ctx c;
		size_t n = 0;
		int ret;

		if (dir && alu[o].opc == 0x85)
			continue; /* TEST has no Gv,Ev form */
		ctx_init(&c, X86_MODE_64);
		if (pfx[sz])
			code[n++] = pfx[sz];
		code[n++] = alu[o].opc - (size == 1) + 2 * dir;
		code[n++] = 0x4b; /* mod 01, reg rcx, rm rbx */
		code[n++] = 0x10;
		c.gprs[X86_RBX] = 0x7fe00ff0;
		c.gprs[X86_RCX] = 0x5555555555555555ull;
		c.gprs[X86_RCX] = (c.gprs[X86_RCX] & ~mask) | (reg & mask);
		c.fault_gpa = MMIO_BASE + 0x0;
		c.rflags = 0x2 | X86_FLAGS_ARITH;
		memcpy(fk->mmio, &mem, size);
		ret = run(&c, (const char *)code, n);
		if (ret != (int)n) {
			UNIT_CHECK(ret == (int)n);
			return;
		}
		d = dir ? reg : mem;
		s = dir ? mem : reg;
		hfl = alu[o].host[sz](d, s, &hres);
		hres &= mask;
		if (dir)
			res = c.gprs[X86_RCX] & mask;
		else
			memcpy(&res, fk->mmio, size);
		if (alu[o].writes)
			UNIT_CHECK(res == hres);
		else
			UNIT_CHECK(res == (d & mask));
		/* AF is undefined after the logic ops (SDM vol. 2). */
		flagmask = X86_FLAGS_ARITH & ~(alu[o].logic ? X86_FLAG_AF : 0);
		got = c.rflags;
		if ((got & flagmask) != (hfl & flagmask)) {
			char m[160];

			snprintf(m, sizeof(m),
				 "%s size %u dir %u %#llx,%#llx: %#llx vs %#llx",
				 alu[o].name, size, dir, (unsigned long long)d,
				 (unsigned long long)s, (unsigned long long)got,
				 (unsigned long long)hfl);
			unit_fail(__FILE__, __LINE__, m);
			return;
		}
		/* A register destination keeps the size rules. */
		if (dir && alu[o].writes && size < 4)
			UNIT_CHECK((c.gprs[X86_RCX] & ~mask) ==
				   (0x5555555555555555ull & ~mask));
		if (dir && alu[o].writes && size == 4)
			UNIT_CHECK(!(c.gprs[X86_RCX] >> 32));
		checked++;
	}
	printf("%u ALU cases checked against the host CPU\n", checked);
}

/* Group 1 and TEST/MOV with immediates, through the decoder. */
UNIT_TEST(x86_emul_imm_forms)
{
	struct x86_emul_ctx c;
	uint32_t v;

	ctx_init(&c, X86_MODE_64);
	c.gprs[X86_RBX] = 0x7fe00100;
	c.fault_gpa = MMIO_BASE + 0x100;
	v = 0x10;
	memcpy(fk->mmio + 0x100, &v, 4);
	/* subl $0x20,(%rbx): 83 2b e0... 83 /5 ib */
	UNIT_CHECK(run(&c, "\x83\x2b\x20", 3) == 3);
	memcpy(&v, fk->mmio + 0x100, 4);
	UNIT_CHECK(v == 0xfffffff0);
	UNIT_CHECK((c.rflags & (X86_FLAG_CF | X86_FLAG_SF | X86_FLAG_ZF)) ==
		   (X86_FLAG_CF | X86_FLAG_SF));
	/* orl $0x12345678,(%rbx) */
	UNIT_CHECK(run(&c, "\x81\x0b\x78\x56\x34\x12", 6) == 6);
	memcpy(&v, fk->mmio + 0x100, 4);
	UNIT_CHECK(v == 0xfffffff8);
	/* testl $0x8,(%rbx): ZF clear; testb $1,(%rbx): ZF set */
	UNIT_CHECK(run(&c, "\xf7\x03\x08\x00\x00\x00", 6) == 6);
	UNIT_CHECK(!(c.rflags & X86_FLAG_ZF));
	UNIT_CHECK(run(&c, "\xf6\x03\x01", 3) == 3);
	UNIT_CHECK(c.rflags & X86_FLAG_ZF);
	/* movq $-3,(%rbx): imm32 sign-extended to 64 bits */
	UNIT_CHECK(run(&c, "\x48\xc7\x03\xfd\xff\xff\xff", 7) == 7);
	UNIT_CHECK(fk->last_len == 8 && fk->mmio[0x107] == 0xff &&
		   fk->mmio[0x100] == 0xfd);
	/* cmpb $0xfd,(%rbx) */
	UNIT_CHECK(run(&c, "\x80\x3b\xfd", 3) == 3);
	UNIT_CHECK(c.rflags & X86_FLAG_ZF);
}

UNIT_TEST(x86_emul_mov_sizes)
{
	struct x86_emul_ctx c;
	uint64_t v = 0x8899aabbccddeeffull;

	ctx_init(&c, X86_MODE_64);
	memcpy(fk->mmio + 0x40, &v, 8);
	c.gprs[X86_RSI] = 0x7fe00040;
	c.fault_gpa = MMIO_BASE + 0x40;
	c.gprs[X86_RAX] = 0x1111111111111111ull;
	/* movb (%rsi),%al merges; movb (%rsi),%ah merges bits 15:8 */
	UNIT_CHECK(run(&c, "\x8a\x06", 2) == 2);
	UNIT_CHECK(c.gprs[X86_RAX] == 0x11111111111111ffull);
	UNIT_CHECK(run(&c, "\x8a\x26", 2) == 2);
	UNIT_CHECK(c.gprs[X86_RAX] == 0x111111111111ffffull);
	/* movw (%rsi),%ax merges; movl (%rsi),%eax zero-extends */
	c.gprs[X86_RAX] = 0x1111111111111111ull;
	UNIT_CHECK(run(&c, "\x66\x8b\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == 0x111111111111eeffull);
	UNIT_CHECK(run(&c, "\x8b\x06", 2) == 2);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xccddeeffull);
	UNIT_CHECK(run(&c, "\x48\x8b\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == v);
	/* movzbl / movsbl / movzwq / movswl / movslq */
	UNIT_CHECK(run(&c, "\x0f\xb6\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xff);
	UNIT_CHECK(run(&c, "\x0f\xbe\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xffffffffull);
	UNIT_CHECK(run(&c, "\x48\x0f\xb7\x06", 4) == 4);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xeeff);
	c.gprs[X86_RAX] = ~0ull;
	UNIT_CHECK(run(&c, "\x66\x0f\xbe\x06", 4) == 4); /* movsbw */
	UNIT_CHECK(c.gprs[X86_RAX] == 0xffffffffffffffffull);
	UNIT_CHECK(run(&c, "\x0f\xbf\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xffffeeffull);
	UNIT_CHECK(run(&c, "\x48\x63\x06", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RAX] == 0xffffffffccddeeffull);
	/* movb %bh,(%rsi): a store of bits 15:8, one byte wide */
	c.gprs[X86_RBX] = 0x4321;
	UNIT_CHECK(run(&c, "\x88\x3e", 2) == 2);
	UNIT_CHECK(fk->mmio[0x40] == 0x43 && fk->mmio[0x41] == 0xee &&
		   fk->last_len == 1);
	/* xchg %ecx,(%rsi): both sides, upper half of rcx cleared */
	c.gprs[X86_RCX] = 0xdead00000000beefull;
	UNIT_CHECK(run(&c, "\x87\x0e", 2) == 2);
	UNIT_CHECK(c.gprs[X86_RCX] == 0xccddee43ull);
	UNIT_CHECK(fk->mmio[0x40] == 0xef && fk->mmio[0x41] == 0xbe &&
		   fk->mmio[0x42] == 0 && fk->mmio[0x43] == 0);
}

UNIT_TEST(x86_emul_addressing)
{
	struct x86_emul_ctx c;

	/* mov %eax,0x10(%rip): the address is from the next instruction */
	ctx_init(&c, X86_MODE_64);
	c.rip = 0x7fe00100;
	c.fault_gpa = MMIO_BASE + 0x116;
	c.gprs[X86_RAX] = 0x12345678;
	UNIT_CHECK(run(&c, "\x89\x05\x10\x00\x00\x00", 6) == 6);
	UNIT_CHECK(fk->last_gpa == MMIO_BASE + 0x116);
	/* Wrong offset for the fault: refused, nothing written. */
	fk->writes = 0;
	c.fault_gpa = MMIO_BASE + 0x118;
	UNIT_CHECK(run(&c, "\x89\x05\x10\x00\x00\x00", 6) == -EINVAL);
	UNIT_CHECK(fk->writes == 0);
	/* An access crossing the page: refused. */
	c.gprs[X86_RBX] = 0x7fe00ffe;
	c.fault_gpa = MMIO_BASE + 0xffe;
	UNIT_CHECK(run(&c, "\x89\x03", 2) == -EOPNOTSUPP);
	/* %fs:0x8(%rbx,%rcx,4) uses the FS base in 64-bit mode. */
	c.seg_base[X86_SEG_FS] = 0x7fe00000;
	c.seg_base[X86_SEG_DS] = 0x1000; /* ignored in 64-bit mode */
	c.gprs[X86_RBX] = 0x100;
	c.gprs[X86_RCX] = 0x10;
	c.fault_gpa = MMIO_BASE + 0x148;
	UNIT_CHECK(run(&c, "\x64\x89\x44\x8b\x08", 5) == 5);
	UNIT_CHECK(fk->last_gpa == MMIO_BASE + 0x148);
	/* 16-bit: [bp+si+0x10] with SS base, offset wraps at 64 KiB. */
	ctx_init(&c, X86_MODE_16);
	c.seg_base[X86_SEG_SS] = 0x7fe00000 - 0x10000 + 0x200;
	c.gprs[X86_RBP] = 0xfff0;
	c.gprs[X86_RSI] = 0x10030;
	c.fault_gpa = MMIO_BASE + 0x230;
	c.gprs[X86_RAX] = 0xab;
	UNIT_CHECK(run(&c, "\x88\x42\x10", 3) == 3);
	UNIT_CHECK(fk->mmio[0x230] == 0xab);
	/* 32-bit mode: the linear address wraps at 4 GiB. */
	ctx_init(&c, X86_MODE_32);
	c.seg_base[X86_SEG_DS] = 0x80000000;
	c.gprs[X86_RBX] = 0xffe00010;
	c.fault_gpa = MMIO_BASE + 0x10;
	UNIT_CHECK(run(&c, "\x89\x03", 2) == 2);
	/* moffs: mov 0x7fe00ff8,%eax in 32-bit mode */
	memcpy(fk->mmio + 0xff8, "\x01\x02\x03\x04", 4);
	c.seg_base[X86_SEG_DS] = 0;
	c.fault_gpa = MMIO_BASE + 0xff8;
	UNIT_CHECK(run(&c, "\xa1\xf8\x0f\xe0\x7f", 5) == 5);
	UNIT_CHECK(c.gprs[X86_RAX] == 0x04030201);
}

UNIT_TEST(x86_emul_bt)
{
	struct x86_emul_ctx c;
	uint32_t v = 0x80000001;

	ctx_init(&c, X86_MODE_64);
	memcpy(fk->mmio + 0x100, &v, 4);
	c.gprs[X86_RBX] = 0x7fe00104;
	c.fault_gpa = MMIO_BASE + 0x100;
	/* btl %ecx,(%rbx) with ecx = -1: bit 31 of the dword below */
	c.gprs[X86_RCX] = 0xffffffff;
	UNIT_CHECK(run(&c, "\x0f\xa3\x0b", 3) == 3);
	UNIT_CHECK(c.rflags & X86_FLAG_CF);
	UNIT_CHECK(fk->last_gpa == MMIO_BASE + 0x100);
	c.gprs[X86_RCX] = (uint64_t)-31;
	UNIT_CHECK(run(&c, "\x0f\xa3\x0b", 3) == 3);
	UNIT_CHECK(!(c.rflags & X86_FLAG_CF));
	c.gprs[X86_RCX] = (uint64_t)-32;
	UNIT_CHECK(run(&c, "\x0f\xa3\x0b", 3) == 3);
	UNIT_CHECK(c.rflags & X86_FLAG_CF);
}

/* rep stosl to the device page, DF = 0 and DF = 1. */
UNIT_TEST(x86_emul_rep_stos)
{
	struct x86_emul_ctx c;
	uint32_t v;
	int i;

	ctx_init(&c, X86_MODE_64);
	c.gprs[X86_RDI] = 0x7fe00ff0;
	c.gprs[X86_RCX] = 10;
	c.gprs[X86_RAX] = 0xa5a5a5a5;
	c.fault_gpa = MMIO_BASE + 0xff0;
	/* Four dwords fit before the page end: stop, RIP stays. */
	UNIT_CHECK(run(&c, "\xf3\xab", 2) == 0);
	UNIT_CHECK(c.gprs[X86_RCX] == 6 && c.gprs[X86_RDI] == 0x7fe01000);
	UNIT_CHECK(fk->writes == 4);
	for (i = 0; i < 4; i++) {
		memcpy(&v, fk->mmio + 0xff0 + 4 * i, 4);
		UNIT_CHECK(v == 0xa5a5a5a5);
	}
	/* DF = 1: downwards until RCX runs out. */
	ctx_init(&c, X86_MODE_64);
	c.rflags |= X86_FLAG_DF;
	c.gprs[X86_RDI] = 0x7fe00010;
	c.gprs[X86_RCX] = 3;
	c.gprs[X86_RAX] = 0x42;
	c.fault_gpa = MMIO_BASE + 0x10;
	UNIT_CHECK(run(&c, "\xf3\xaa", 2) == 2);
	UNIT_CHECK(c.gprs[X86_RCX] == 0 && c.gprs[X86_RDI] == 0x7fe0000d);
	UNIT_CHECK(fk->mmio[0x10] == 0x42 && fk->mmio[0xe] == 0x42 &&
		   fk->mmio[0xd] == 0 && fk->mmio[0x11] == 0);
	/* RCX = 0: nothing happens, the instruction completes. */
	UNIT_CHECK(run(&c, "\xf3\xaa", 2) == 2);
	UNIT_CHECK(fk->writes == 3);
	/* No REP: one element, RCX untouched. */
	c.gprs[X86_RCX] = 7;
	c.gprs[X86_RDI] = 0x7fe00010;
	UNIT_CHECK(run(&c, "\xaa", 1) == 1);
	UNIT_CHECK(c.gprs[X86_RCX] == 7 && c.gprs[X86_RDI] == 0x7fe0000f);
	/* 16-bit address size: DI wraps, only CX counts. */
	ctx_init(&c, X86_MODE_16);
	c.seg_base[X86_SEG_ES] = 0x7fe00000;
	c.gprs[X86_RDI] = 0x12340000;
	c.gprs[X86_RCX] = 0xabcd0002;
	c.rflags |= X86_FLAG_DF;
	c.fault_gpa = MMIO_BASE;
	UNIT_CHECK(run(&c, "\xf3\xaa", 2) == 0); /* stops leaving page */
	UNIT_CHECK(c.gprs[X86_RCX] == 0xabcd0001 &&
		   c.gprs[X86_RDI] == 0x1234ffff);
}

/* rep movs between RAM and the device, both directions, both DFs. */
UNIT_TEST(x86_emul_rep_movs)
{
	struct x86_emul_ctx c;
	int i;

	/* RAM -> device: movsw upwards. */
	ctx_init(&c, X86_MODE_64);
	for (i = 0; i < 64; i++)
		fk->ram[0x2000 + i] = i;
	c.gprs[X86_RSI] = 0x2000;
	c.gprs[X86_RDI] = 0x7fe00100;
	c.gprs[X86_RCX] = 8;
	c.fault_gpa = MMIO_BASE + 0x100;
	UNIT_CHECK(run(&c, "\xf3\x66\xa5", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RSI] == 0x2010 && c.gprs[X86_RDI] == 0x7fe00110);
	UNIT_CHECK(!memcmp(fk->mmio + 0x100, fk->ram + 0x2000, 16));
	UNIT_CHECK(fk->writes == 8 && fk->last_len == 2);
	/* Device -> RAM: movsq downwards. */
	ctx_init(&c, X86_MODE_64);
	for (i = 0; i < 64; i++)
		fk->mmio[0x200 + i] = 0x80 + i;
	c.rflags |= X86_FLAG_DF;
	c.gprs[X86_RSI] = 0x7fe00218;
	c.gprs[X86_RDI] = 0x3018;
	c.gprs[X86_RCX] = 4;
	c.fault_gpa = MMIO_BASE + 0x218;
	UNIT_CHECK(run(&c, "\xf3\x48\xa5", 3) == 3);
	UNIT_CHECK(c.gprs[X86_RSI] == 0x7fe001f8 && c.gprs[X86_RDI] == 0x2ff8);
	UNIT_CHECK(!memcmp(fk->ram + 0x3000, fk->mmio + 0x200, 32));
	UNIT_CHECK(fk->reads == 4);
	/* The device side leaves its page: stop with RCX left. */
	c.gprs[X86_RSI] = 0x7fe00008;
	c.gprs[X86_RCX] = 5;
	c.fault_gpa = MMIO_BASE + 0x8;
	UNIT_CHECK(run(&c, "\xf3\x48\xa5", 3) == 0);
	UNIT_CHECK(c.gprs[X86_RCX] == 3);
	/* A RAM side that fails stops with the registers at that point. */
	c.rflags &= ~X86_FLAG_DF;
	c.gprs[X86_RSI] = 0x7fe00000;
	c.gprs[X86_RDI] = RAM_SIZE - 8;
	c.gprs[X86_RCX] = 5;
	c.fault_gpa = MMIO_BASE;
	UNIT_CHECK(run(&c, "\xf3\x48\xa5", 3) == -EFAULT);
	UNIT_CHECK(c.gprs[X86_RCX] == 4 && c.gprs[X86_RDI] == RAM_SIZE);
	/* Neither side in the faulting page: refused. */
	c.gprs[X86_RSI] = 0x100;
	c.gprs[X86_RDI] = 0x200;
	UNIT_CHECK(run(&c, "\xa4", 1) == -EINVAL);
	/* Without gla_to_gpa, MOVS cannot tell the sides apart. */
	c.gla_to_gpa = NULL;
	UNIT_CHECK(run(&c, "\xa4", 1) == -EOPNOTSUPP);
}
