// SPDX-License-Identifier: MIT
/*
 * Emulation of the MMIO instructions core/x86_decode.c accepts. Register
 * writes follow the architectural size rules (SDM vol. 1 3.4.1.1: 8- and
 * 16-bit writes merge, 32-bit writes zero-extend in 64-bit mode) and the
 * arithmetic flags are computed exactly as the SDM vol. 2 entries for
 * ADD, SUB, CMP, AND, OR, XOR and TEST define them.
 *
 * Memory operands: the one memory operand of an ordinary instruction is
 * the access that faulted, so it goes to mmio_read/mmio_write at the
 * exit's GPA; its linear address, computed from the decoded operand, is
 * only cross-checked against that GPA's page offset. String instructions
 * translate both sides once, send the side in the faulting page to the
 * device and the other to mem_read/mem_write, and iterate until RCX runs
 * out or the device side would leave its page (docs/emulator.md).
 */
#include "core/x86_emul.h"

#include <errno.h>
#include <string.h>

#define X86_PAGE_SIZE 4096ull
#define X86_PAGE_MASK (X86_PAGE_SIZE - 1)

static uint64_t x86_mask(uint8_t size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t x86_sext(uint64_t v, uint8_t size)
{
	uint64_t sign = 1ull << (8 * size - 1);

	if (size >= 8)
		return v;
	v &= x86_mask(size);
	return (v ^ sign) - sign;
}

static uint64_t x86_reg_get(const struct x86_emul_ctx *ctx,
			    const struct x86_opnd *o)
{
	uint64_t v = ctx->gprs[o->reg & 15];

	if (o->hi8)
		return (v >> 8) & 0xff;
	return v & x86_mask(o->size);
}

/* SDM vol. 1 3.4.1.1: only 32-bit destinations clear bits 63:32. */
static void x86_reg_set(struct x86_emul_ctx *ctx, const struct x86_opnd *o,
			uint64_t val)
{
	uint64_t *r = &ctx->gprs[o->reg & 15];

	switch (o->size) {
	case 1:
		if (o->hi8)
			*r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
		else
			*r = (*r & ~0xffull) | (val & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffull) | (val & 0xffff);
		break;
	case 4:
		*r = val & 0xffffffffull;
		break;
	default:
		*r = val;
		break;
	}
}

/* rSI, rDI, rCX as the address size uses them (SDM vol. 2 MOVS, REP). */
static void x86_reg_set_asize(struct x86_emul_ctx *ctx, unsigned int reg,
			      uint64_t val, uint8_t asize)
{
	struct x86_opnd o = { .kind = X86_OPND_REG, .size = asize,
			      .reg = reg };

	x86_reg_set(ctx, &o, val);
}

/* seg base + offset: 32-bit linear addresses outside 64-bit mode. */
static uint64_t x86_linear(const struct x86_emul_ctx *ctx, enum x86_seg seg,
			   uint64_t ea)
{
	if (ctx->mode == X86_MODE_64) {
		/* Only FS and GS have bases in 64-bit mode (SDM 3A 3.2.4). */
		if (seg == X86_SEG_FS || seg == X86_SEG_GS)
			return ea + ctx->seg_base[seg];
		return ea;
	}
	return (ctx->seg_base[seg] + ea) & 0xffffffffull;
}

uint64_t x86_mem_gla(const struct x86_insn *in,
		     const struct x86_emul_ctx *ctx)
{
	const struct x86_mem *m = &in->mem;
	uint64_t ea = (uint64_t)m->disp;

	if (m->base >= 0)
		ea += ctx->gprs[m->base & 15];
	if (m->index >= 0)
		ea += ctx->gprs[m->index & 15] * m->scale;
	if (m->rip_rel)
		ea += ctx->rip + in->len;
	return x86_linear(ctx, m->seg, ea & x86_mask(in->addr_size));
}

static bool x86_parity(uint64_t v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

uint64_t x86_alu(enum x86_op op, uint64_t dst, uint64_t src, uint8_t size,
		 uint64_t rflags, uint64_t *result)
{
	uint64_t mask = x86_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t r, f = 0;

	dst &= mask;
	src &= mask;
	switch (op) {
	case X86_OP_ADD:
		r = (dst + src) & mask;
		if (r < dst)
			f |= X86_FLAG_CF;
		if ((dst ^ r) & (src ^ r) & sign)
			f |= X86_FLAG_OF;
		if ((dst ^ src ^ r) & 0x10)
			f |= X86_FLAG_AF;
		break;
	case X86_OP_SUB:
	case X86_OP_CMP:
		r = (dst - src) & mask;
		if (dst < src)
			f |= X86_FLAG_CF;
		if ((dst ^ src) & (dst ^ r) & sign)
			f |= X86_FLAG_OF;
		if ((dst ^ src ^ r) & 0x10)
			f |= X86_FLAG_AF;
		break;
	case X86_OP_OR:
		r = dst | src;
		break;
	case X86_OP_XOR:
		r = dst ^ src;
		break;
	default: /* AND, TEST: CF = OF = 0, AF undefined (left 0) */
		r = dst & src;
		break;
	}
	if (!r)
		f |= X86_FLAG_ZF;
	if (r & sign)
		f |= X86_FLAG_SF;
	if (x86_parity(r))
		f |= X86_FLAG_PF;
	*result = r;
	return (rflags & ~X86_FLAGS_ARITH) | f;
}

/*
 * The GPA for the memory operand at @gla, @len bytes: the faulting page
 * with @gla's offset. The access must sit in one page, and unless
 * @any_offset (BT, whose operand address depends on the bit offset) the
 * decoded address must match the fault's offset.
 */
static int x86_mmio_gpa(const struct x86_emul_ctx *ctx, uint64_t gla,
			uint8_t len, bool any_offset, uint64_t *gpa)
{
	if ((gla & X86_PAGE_MASK) + len > X86_PAGE_SIZE)
		return -EOPNOTSUPP;
	if (!any_offset && (gla & X86_PAGE_MASK) !=
				   (ctx->fault_gpa & X86_PAGE_MASK))
		return -EINVAL;
	*gpa = (ctx->fault_gpa & ~X86_PAGE_MASK) | (gla & X86_PAGE_MASK);
	return 0;
}

static int x86_mmio_rd(struct x86_emul_ctx *ctx, uint64_t gpa, uint8_t len,
		       uint64_t *val)
{
	uint64_t v = 0;
	int err;

	if (!ctx->mmio_read)
		return -EOPNOTSUPP;
	err = ctx->mmio_read(ctx->opaque, gpa, &v, len);
	*val = v & x86_mask(len);
	return err;
}

static int x86_mmio_wr(struct x86_emul_ctx *ctx, uint64_t gpa, uint8_t len,
		       uint64_t val)
{
	if (!ctx->mmio_write)
		return -EOPNOTSUPP;
	return ctx->mmio_write(ctx->opaque, gpa, &val, len);
}

/* An ordinary operand: register, immediate or the faulting MMIO access. */
static int x86_opnd_read(struct x86_emul_ctx *ctx, const struct x86_insn *in,
			 const struct x86_opnd *o, uint64_t gpa, uint64_t *v)
{
	switch (o->kind) {
	case X86_OPND_REG:
		*v = x86_reg_get(ctx, o);
		return 0;
	case X86_OPND_IMM:
		*v = in->imm & x86_mask(o->size);
		return 0;
	case X86_OPND_MEM:
		return x86_mmio_rd(ctx, gpa, o->size, v);
	default:
		return -EOPNOTSUPP;
	}
}

static int x86_opnd_write(struct x86_emul_ctx *ctx, const struct x86_opnd *o,
			  uint64_t gpa, uint64_t v)
{
	if (o->kind == X86_OPND_REG) {
		x86_reg_set(ctx, o, v);
		return 0;
	}
	if (o->kind == X86_OPND_MEM)
		return x86_mmio_wr(ctx, gpa, o->size, v & x86_mask(o->size));
	return -EOPNOTSUPP;
}

/*
 * BT with a register bit offset on memory: the offset is signed and may
 * select a bit outside the operand (SDM vol. 2 BT, "bit base").
 */
static uint64_t x86_bt_gla(const struct x86_insn *in,
			   const struct x86_emul_ctx *ctx, uint64_t off,
			   unsigned int *bit)
{
	unsigned int bits = 8 * in->opsize;
	int64_t soff = (int64_t)x86_sext(off, in->opsize);
	int64_t words = soff >= 0 ? soff / bits : -((-soff + bits - 1) / bits);
	uint64_t gla = x86_mem_gla(in, ctx) + (uint64_t)(words * in->opsize);

	*bit = (unsigned int)(soff - words * (int64_t)bits);
	if (ctx->mode != X86_MODE_64)
		gla &= 0xffffffffull;
	return gla;
}

static int x86_emul_plain(const struct x86_insn *in, struct x86_emul_ctx *ctx)
{
	uint64_t gpa = 0, d = 0, s = 0, r, f;
	bool has_mem = in->dst.kind == X86_OPND_MEM ||
		       in->src.kind == X86_OPND_MEM;
	uint8_t msize = in->dst.kind == X86_OPND_MEM ? in->dst.size :
						       in->src.size;
	unsigned int bit = 0;
	int err;

	if (in->op == X86_OP_BT) {
		err = x86_opnd_read(ctx, in, &in->src, 0, &s);
		if (err)
			return err;
		if (in->dst.kind == X86_OPND_MEM) {
			err = x86_mmio_gpa(ctx, x86_bt_gla(in, ctx, s, &bit),
					   in->opsize, true, &gpa);
			if (err)
				return err;
		} else {
			bit = s & (8 * in->opsize - 1);
		}
		err = x86_opnd_read(ctx, in, &in->dst, gpa, &d);
		if (err)
			return err;
		/* CF = the bit; OF, SF, AF, PF undefined: left unchanged. */
		ctx->rflags &= ~X86_FLAG_CF;
		ctx->rflags |= (d >> bit) & 1;
		return in->len;
	}

	if (has_mem) {
		err = x86_mmio_gpa(ctx, x86_mem_gla(in, ctx), msize, false,
				   &gpa);
		if (err)
			return err;
	}

	switch (in->op) {
	case X86_OP_MOV:
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
		err = x86_opnd_read(ctx, in, &in->src, gpa, &s);
		if (err)
			return err;
		if (in->op == X86_OP_MOVSX)
			s = x86_sext(s, in->src.size);
		err = x86_opnd_write(ctx, &in->dst, gpa, s);
		break;
	case X86_OP_XCHG:
		err = x86_opnd_read(ctx, in, &in->dst, gpa, &d);
		if (!err)
			err = x86_opnd_read(ctx, in, &in->src, gpa, &s);
		if (!err)
			err = x86_opnd_write(ctx, &in->dst, gpa, s);
		if (!err)
			err = x86_opnd_write(ctx, &in->src, gpa, d);
		break;
	case X86_OP_ADD:
	case X86_OP_OR:
	case X86_OP_AND:
	case X86_OP_SUB:
	case X86_OP_XOR:
	case X86_OP_CMP:
	case X86_OP_TEST:
		err = x86_opnd_read(ctx, in, &in->dst, gpa, &d);
		if (!err)
			err = x86_opnd_read(ctx, in, &in->src, gpa, &s);
		if (err)
			return err;
		f = x86_alu(in->op, d, s, in->opsize, ctx->rflags, &r);
		if (in->op != X86_OP_CMP && in->op != X86_OP_TEST)
			err = x86_opnd_write(ctx, &in->dst, gpa, r);
		/* A write that fails leaves the flags as they were. */
		if (!err)
			ctx->rflags = f;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return err ? err : in->len;
}

/* One side of a string instruction: where it is and who serves it. */
struct x86_str_side {
	enum x86_seg seg;
	unsigned int reg; /* X86_RSI or X86_RDI */
	bool mmio;
	uint64_t gpa;	  /* of the current element, when mmio */
};

static uint64_t x86_str_gla(const struct x86_insn *in,
			    const struct x86_emul_ctx *ctx,
			    const struct x86_str_side *s)
{
	return x86_linear(ctx, s->seg,
			  ctx->gprs[s->reg] & x86_mask(in->addr_size));
}

/* Decide whether @s is the device side: its page is the faulting one. */
static int x86_str_classify(const struct x86_insn *in,
			    struct x86_emul_ctx *ctx, struct x86_str_side *s,
			    bool write)
{
	uint64_t gla = x86_str_gla(in, ctx, s), gpa;
	int err;

	if (!ctx->gla_to_gpa) {
		/* STOS has one memory side; it must be the device. */
		if (in->op != X86_OP_STOS)
			return -EOPNOTSUPP;
		err = x86_mmio_gpa(ctx, gla, in->opsize, false, &s->gpa);
		s->mmio = !err;
		return err;
	}
	err = ctx->gla_to_gpa(ctx->opaque, gla, write, &gpa);
	if (err)
		return err;
	s->mmio = (gpa & ~X86_PAGE_MASK) == (ctx->fault_gpa & ~X86_PAGE_MASK);
	s->gpa = gpa;
	if (s->mmio && (gpa & X86_PAGE_MASK) + in->opsize > X86_PAGE_SIZE)
		return -EOPNOTSUPP;
	return 0;
}

static int x86_emul_string(const struct x86_insn *in,
			   struct x86_emul_ctx *ctx)
{
	struct x86_str_side dst = { .seg = X86_SEG_ES, .reg = X86_RDI };
	struct x86_str_side src = { .seg = in->mem.seg, .reg = X86_RSI };
	uint8_t as = in->addr_size, size = in->opsize;
	uint64_t amask = x86_mask(as);
	int64_t step = (ctx->rflags & X86_FLAG_DF) ? -(int64_t)size : size;
	uint64_t count = ctx->gprs[X86_RCX] & amask;
	uint64_t val;
	int err;

	if (in->rep && !count)
		return in->len;

	err = x86_str_classify(in, ctx, &dst, true);
	if (err)
		return err;
	if (in->op == X86_OP_MOVS) {
		err = x86_str_classify(in, ctx, &src, false);
		if (err)
			return err;
	}
	if (!dst.mmio && !src.mmio)
		return -EINVAL; /* neither side is the faulting access */

	for (;;) {
		if (in->op == X86_OP_STOS) {
			val = ctx->gprs[X86_RAX] & x86_mask(size);
		} else if (src.mmio) {
			err = x86_mmio_rd(ctx, src.gpa, size, &val);
		} else {
			val = 0;
			err = ctx->mem_read ?
				      ctx->mem_read(ctx->opaque,
						    x86_str_gla(in, ctx, &src),
						    &val, size) :
				      -EOPNOTSUPP;
		}
		if (err)
			return err;
		if (dst.mmio)
			err = x86_mmio_wr(ctx, dst.gpa, size, val);
		else
			err = ctx->mem_write ?
				      ctx->mem_write(ctx->opaque,
						     x86_str_gla(in, ctx, &dst),
						     &val, size) :
				      -EOPNOTSUPP;
		if (err)
			return err;

		/* The element is done: advance rDI (and rSI), count it. */
		x86_reg_set_asize(ctx, X86_RDI,
				  ctx->gprs[X86_RDI] + (uint64_t)step, as);
		if (in->op == X86_OP_MOVS)
			x86_reg_set_asize(ctx, X86_RSI,
					  ctx->gprs[X86_RSI] + (uint64_t)step,
					  as);
		if (!in->rep)
			return in->len;
		x86_reg_set_asize(ctx, X86_RCX, --count, as);
		if (!count)
			return in->len;

		/*
		 * Go on only while every device-side element stays in the
		 * faulting page; past it the guest re-executes and the next
		 * MMIO page exits on its own.
		 */
		if (dst.mmio) {
			dst.gpa += (uint64_t)step;
			if ((dst.gpa & ~X86_PAGE_MASK) !=
				    (ctx->fault_gpa & ~X86_PAGE_MASK) ||
			    (dst.gpa & X86_PAGE_MASK) + size > X86_PAGE_SIZE)
				return 0;
		}
		if (src.mmio) {
			src.gpa += (uint64_t)step;
			if ((src.gpa & ~X86_PAGE_MASK) !=
				    (ctx->fault_gpa & ~X86_PAGE_MASK) ||
			    (src.gpa & X86_PAGE_MASK) + size > X86_PAGE_SIZE)
				return 0;
		}
	}
}

int x86_emulate(const struct x86_insn *in, struct x86_emul_ctx *ctx)
{
	if (in->op == X86_OP_MOVS || in->op == X86_OP_STOS)
		return x86_emul_string(in, ctx);
	return x86_emul_plain(in, ctx);
}
