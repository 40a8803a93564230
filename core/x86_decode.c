// SPDX-License-Identifier: MIT
/*
 * x86 instruction decoder for MMIO emulation. The instruction bytes are
 * guest-controlled: every fetch is checked against both what was fetched
 * and the 15-byte architectural limit, and anything not in the short list
 * of device-access instructions is refused rather than guessed at.
 */
#include "core/x86_decode.h"

#include <errno.h>
#include <string.h>

struct x86_dec {
	const uint8_t *b;
	size_t avail;
	size_t pos;
	enum x86_mode mode;
	struct x86_insn *in;
};

static int x86_fetch(struct x86_dec *d, uint8_t *v)
{
	/* An instruction over 15 bytes is #GP (SDM vol. 2 2.3.11). */
	if (d->pos >= X86_MAX_INSN_LEN)
		return -EINVAL;
	if (d->pos >= d->avail)
		return -EFAULT;
	*v = d->b[d->pos++];
	return 0;
}

/* @n little-endian bytes, sign-extended to 64 bits. */
static int x86_fetch_imm(struct x86_dec *d, unsigned int n, int64_t *v)
{
	uint64_t x = 0;
	unsigned int i;
	uint8_t byte;
	int err;

	for (i = 0; i < n; i++) {
		err = x86_fetch(d, &byte);
		if (err)
			return err;
		x |= (uint64_t)byte << (8 * i);
	}
	if (n < 8 && (x & (1ull << (8 * n - 1))))
		x |= ~0ull << (8 * n);
	*v = (int64_t)x;
	return 0;
}

static uint8_t x86_rex_bit(const struct x86_insn *in, unsigned int bit)
{
	return (in->rex >> bit) & 1;
}

/*
 * A register operand of @size from a 4-bit number. Without REX, byte
 * registers 4-7 are AH, CH, DH, BH; with any REX they are SPL..DIL
 * (SDM vol. 2 table 3-1 and 2.2.1.2).
 */
static struct x86_opnd x86_reg_opnd(const struct x86_insn *in, uint8_t num,
				    uint8_t size)
{
	struct x86_opnd o = { .kind = X86_OPND_REG, .size = size, .reg = num };

	if (size == 1 && !in->rex && num >= 4 && num < 8) {
		o.reg = num - 4;
		o.hi8 = true;
	}
	return o;
}

/* 16-bit ModR/M forms, SDM vol. 2 table 2-1. */
static const int8_t x86_rm16_base[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
					 X86_RSI, X86_RDI, X86_RBP, X86_RBX };
static const int8_t x86_rm16_index[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
					  -1, -1, -1, -1 };

/*
 * ModR/M (and SIB, displacement) of an instruction whose r/m operand has
 * @rm_size bytes and reg operand @reg_size. Fills *rm and *reg.
 */
static int x86_modrm(struct x86_dec *d, uint8_t rm_size, uint8_t reg_size,
		     struct x86_opnd *rm, struct x86_opnd *reg)
{
	struct x86_insn *in = d->in;
	struct x86_mem *m = &in->mem;
	uint8_t modrm, mod, rmf, sib;
	int64_t disp = 0;
	bool ss = false;
	int err;

	err = x86_fetch(d, &modrm);
	if (err)
		return err;
	in->modrm = modrm;
	mod = modrm >> 6;
	rmf = modrm & 7;
	if (reg)
		*reg = x86_reg_opnd(in, ((modrm >> 3) & 7) |
					    (x86_rex_bit(in, 2) << 3),
				    reg_size);
	if (mod == 3) {
		*rm = x86_reg_opnd(in, rmf | (x86_rex_bit(in, 0) << 3),
				   rm_size);
		return 0;
	}

	*rm = (struct x86_opnd){ .kind = X86_OPND_MEM, .size = rm_size };
	m->base = m->index = -1;
	m->scale = 1;
	m->rip_rel = false;

	if (in->addr_size == 2) {
		/* Table 2-1: [BX+SI] .. [BX], mod 0 rm 6 is disp16 alone. */
		if (mod == 0 && rmf == 6) {
			err = x86_fetch_imm(d, 2, &disp);
		} else {
			m->base = x86_rm16_base[rmf];
			m->index = x86_rm16_index[rmf];
			ss = m->base == X86_RBP;
			if (mod == 1)
				err = x86_fetch_imm(d, 1, &disp);
			else if (mod == 2)
				err = x86_fetch_imm(d, 2, &disp);
		}
		if (err)
			return err;
	} else {
		/* Tables 2-2 and 2-3; REX.X/B extend index/base (2.2.1). */
		if (rmf == 4) {
			uint8_t idx, base;

			err = x86_fetch(d, &sib);
			if (err)
				return err;
			m->scale = 1 << (sib >> 6);
			idx = ((sib >> 3) & 7) | (x86_rex_bit(in, 1) << 3);
			if (idx != X86_RSP) /* index 100b without REX.X: none */
				m->index = idx;
			base = sib & 7;
			if (base == 5 && mod == 0) {
				/* No base: [index*scale + disp32]. */
				err = x86_fetch_imm(d, 4, &disp);
				if (err)
					return err;
			} else {
				m->base = base | (x86_rex_bit(in, 0) << 3);
				ss = m->base == X86_RSP || m->base == X86_RBP;
			}
		} else if (rmf == 5 && mod == 0) {
			/* disp32; RIP-relative in 64-bit mode (2.2.1.6). */
			err = x86_fetch_imm(d, 4, &disp);
			if (err)
				return err;
			m->rip_rel = d->mode == X86_MODE_64;
		} else {
			m->base = rmf | (x86_rex_bit(in, 0) << 3);
			ss = m->base == X86_RBP;
		}
		if (mod == 1)
			err = x86_fetch_imm(d, 1, &disp);
		else if (mod == 2)
			err = x86_fetch_imm(d, 4, &disp);
		if (err)
			return err;
	}
	m->disp = disp;
	if (!in->seg_override)
		m->seg = ss ? X86_SEG_SS : X86_SEG_DS;
	return 0;
}

/* Iz: a 16- or 32-bit immediate, sign-extended to 64 (SDM vol. 2 A.2.2). */
static int x86_imm_z(struct x86_dec *d, uint8_t opsize)
{
	int64_t v = 0;
	int err = x86_fetch_imm(d, opsize == 2 ? 2 : 4, &v);

	d->in->imm = (uint64_t)v;
	d->in->src = (struct x86_opnd){ .kind = X86_OPND_IMM, .size = opsize };
	return err;
}

static int x86_imm_b(struct x86_dec *d, uint8_t opsize)
{
	int64_t v = 0;
	int err = x86_fetch_imm(d, 1, &v);

	d->in->imm = (uint64_t)v;
	d->in->src = (struct x86_opnd){ .kind = X86_OPND_IMM, .size = opsize };
	return err;
}

/* Ops 00-3B: the two-operand ALU forms, by bits 5:3 of the opcode. */
static const int8_t x86_alu_op[8] = { X86_OP_ADD, X86_OP_OR, -1, -1,
				      X86_OP_AND, X86_OP_SUB, X86_OP_XOR,
				      X86_OP_CMP };

static int x86_two_byte(struct x86_dec *d, uint8_t opsize_v)
{
	struct x86_insn *in = d->in;
	uint8_t op;
	int err;

	err = x86_fetch(d, &op);
	if (err)
		return err;
	in->two_byte = true;
	in->opcode = op;
	switch (op) {
	case 0xa3: /* BT Ev, Gv */
		in->op = X86_OP_BT;
		in->opsize = opsize_v;
		return x86_modrm(d, opsize_v, opsize_v, &in->dst, &in->src);
	case 0xb6: /* MOVZX Gv, Eb */
	case 0xb7: /* MOVZX Gv, Ew */
	case 0xbe: /* MOVSX Gv, Eb */
	case 0xbf: /* MOVSX Gv, Ew */
		in->op = (op & 8) ? X86_OP_MOVSX : X86_OP_MOVZX;
		in->opsize = opsize_v;
		return x86_modrm(d, (op & 1) ? 2 : 1, opsize_v, &in->src,
				 &in->dst);
	}
	return -EOPNOTSUPP;
}

/* A string instruction: dst is ES:rDI; MOVS reads seg:rSI (DS default). */
static void x86_string(struct x86_insn *in, enum x86_op op, uint8_t size)
{
	in->op = op;
	in->opsize = size;
	in->dst = (struct x86_opnd){ .kind = X86_OPND_MEM, .size = size };
	if (op == X86_OP_MOVS)
		in->src = (struct x86_opnd){ .kind = X86_OPND_MEM,
					     .size = size };
	else
		in->src = (struct x86_opnd){ .kind = X86_OPND_REG,
					     .size = size,
					     .reg = X86_RAX };
	in->mem.base = in->mem.index = -1;
	in->mem.scale = 1;
	if (!in->seg_override)
		in->mem.seg = X86_SEG_DS;
}

static int x86_one_byte(struct x86_dec *d, uint8_t op, uint8_t opsize_v)
{
	struct x86_insn *in = d->in;
	uint8_t size = (op & 1) ? opsize_v : 1;
	struct x86_opnd reg;
	int64_t off = 0;
	int err;

	in->opcode = op;
	in->opsize = size;

	if (op < 0x40 && (op & 7) < 4 && x86_alu_op[op >> 3] >= 0) {
		/* Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev */
		in->op = x86_alu_op[op >> 3];
		if (op & 2)
			return x86_modrm(d, size, size, &in->src, &in->dst);
		return x86_modrm(d, size, size, &in->dst, &in->src);
	}

	switch (op) {
	case 0x63: /* MOVSXD Gv, Ed: 64-bit mode only (ARPL elsewhere) */
		if (d->mode != X86_MODE_64)
			return -EOPNOTSUPP;
		in->opsize = opsize_v;
		in->op = opsize_v == 8 ? X86_OP_MOVSX : X86_OP_MOV;
		return x86_modrm(d, opsize_v == 8 ? 4 : opsize_v, opsize_v,
				 &in->src, &in->dst);
	case 0x80: /* group 1 Eb, Ib */
	case 0x81: /* group 1 Ev, Iz */
	case 0x83: /* group 1 Ev, Ib (sign-extended) */
		err = x86_modrm(d, size, size, &in->dst, NULL);
		if (err)
			return err;
		if (x86_alu_op[(in->modrm >> 3) & 7] < 0)
			return -EOPNOTSUPP; /* ADC, SBB */
		in->op = x86_alu_op[(in->modrm >> 3) & 7];
		if (op == 0x81)
			return x86_imm_z(d, size);
		return x86_imm_b(d, size);
	case 0x84: /* TEST Eb, Gb */
	case 0x85:
		in->op = X86_OP_TEST;
		return x86_modrm(d, size, size, &in->dst, &in->src);
	case 0x86: /* XCHG Eb, Gb */
	case 0x87:
		in->op = X86_OP_XCHG;
		return x86_modrm(d, size, size, &in->dst, &in->src);
	case 0x88: /* MOV Eb, Gb */
	case 0x89:
		in->op = X86_OP_MOV;
		return x86_modrm(d, size, size, &in->dst, &in->src);
	case 0x8a: /* MOV Gb, Eb */
	case 0x8b:
		in->op = X86_OP_MOV;
		return x86_modrm(d, size, size, &in->src, &in->dst);
	case 0xa0: /* MOV AL, moffs8 */
	case 0xa1: /* MOV rAX, moffs */
	case 0xa2: /* MOV moffs8, AL */
	case 0xa3: /* MOV moffs, rAX */
		/* The offset is address-size wide and unsigned (A.2.1 "O"). */
		err = x86_fetch_imm(d, in->addr_size, &off);
		if (err)
			return err;
		in->op = X86_OP_MOV;
		in->mem.base = in->mem.index = -1;
		in->mem.scale = 1;
		in->mem.disp = off;
		if (!in->seg_override)
			in->mem.seg = X86_SEG_DS;
		reg = (struct x86_opnd){ .kind = X86_OPND_REG, .size = size,
					 .reg = X86_RAX };
		if (op & 2) {
			in->dst = (struct x86_opnd){ .kind = X86_OPND_MEM,
						     .size = size };
			in->src = reg;
		} else {
			in->src = (struct x86_opnd){ .kind = X86_OPND_MEM,
						     .size = size };
			in->dst = reg;
		}
		return 0;
	case 0xa4: /* MOVSB */
	case 0xa5: /* MOVSW/D/Q */
		x86_string(in, X86_OP_MOVS, size);
		return 0;
	case 0xaa: /* STOSB */
	case 0xab: /* STOSW/D/Q */
		x86_string(in, X86_OP_STOS, size);
		return 0;
	case 0xc6: /* MOV Eb, Ib (/0 only) */
	case 0xc7: /* MOV Ev, Iz */
		err = x86_modrm(d, size, size, &in->dst, NULL);
		if (err)
			return err;
		if ((in->modrm >> 3) & 7)
			return -EOPNOTSUPP;
		in->op = X86_OP_MOV;
		return op == 0xc6 ? x86_imm_b(d, 1) : x86_imm_z(d, size);
	case 0xf6: /* TEST Eb, Ib (/0 only) */
	case 0xf7: /* TEST Ev, Iz */
		err = x86_modrm(d, size, size, &in->dst, NULL);
		if (err)
			return err;
		if ((in->modrm >> 3) & 7)
			return -EOPNOTSUPP; /* NOT, NEG, MUL, DIV, ... */
		in->op = X86_OP_TEST;
		return op == 0xf6 ? x86_imm_b(d, 1) : x86_imm_z(d, size);
	case 0x0f:
		return x86_two_byte(d, opsize_v);
	}
	return -EOPNOTSUPP;
}

/* LOCK is valid only on read-modify-write of memory (SDM vol. 2 LOCK). */
static bool x86_lock_ok(const struct x86_insn *in)
{
	if (in->dst.kind != X86_OPND_MEM)
		return false;
	switch (in->op) {
	case X86_OP_ADD:
	case X86_OP_OR:
	case X86_OP_AND:
	case X86_OP_SUB:
	case X86_OP_XOR:
	case X86_OP_XCHG:
		return true;
	default:
		return false;
	}
}

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *out)
{
	struct x86_dec d = { .b = bytes, .avail = avail, .mode = mode,
			     .in = out };
	bool opsize_pfx = false, addr_pfx = false;
	uint8_t b, opsize_v;
	int err;

	memset(out, 0, sizeof(*out));
	out->mem.seg = X86_SEG_DS;
	out->mem.base = out->mem.index = -1;
	out->mem.scale = 1;

	/*
	 * Legacy prefixes in any order (SDM vol. 2 2.1.1). REX counts only
	 * directly before the opcode: a legacy prefix after it cancels it
	 * (2.2.1), and of several REX the last one wins.
	 */
	for (;;) {
		err = x86_fetch(&d, &b);
		if (err)
			return err;
		switch (b) {
		case 0x66:
			opsize_pfx = true;
			break;
		case 0x67:
			addr_pfx = true;
			break;
		case 0xf0:
			out->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			out->rep = b;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			out->seg_override = true;
			out->mem.seg = (enum x86_seg)((b >> 3) & 3);
			break;
		case 0x64: case 0x65:
			out->seg_override = true;
			out->mem.seg = b == 0x64 ? X86_SEG_FS : X86_SEG_GS;
			break;
		default:
			if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
				out->rex = b;
				continue;
			}
			goto opcode;
		}
		out->rex = 0;
	}
opcode:
	/* Operand and address size (SDM vol. 1 3.6 and table 3-4). */
	switch (mode) {
	case X86_MODE_16:
		opsize_v = opsize_pfx ? 4 : 2;
		out->addr_size = addr_pfx ? 4 : 2;
		break;
	case X86_MODE_32:
		opsize_v = opsize_pfx ? 2 : 4;
		out->addr_size = addr_pfx ? 2 : 4;
		break;
	default:
		opsize_v = (out->rex & 8) ? 8 : opsize_pfx ? 2 : 4;
		out->addr_size = addr_pfx ? 4 : 8;
		break;
	}

	err = x86_one_byte(&d, b, opsize_v);
	if (err)
		return err;
	if (out->lock && !x86_lock_ok(out))
		return -EOPNOTSUPP; /* #UD on the CPU */
	out->len = d.pos;
	return 0;
}
