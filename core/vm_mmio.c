// SPDX-License-Identifier: MIT
/*
 * A stage-2 fault on a range a device model claims: fetch the guest's
 * instruction through its own page tables (core/gwalk.c) and guest RAM
 * (ept/gmem.c), decode it (core/x86_decode.c), and emulate it with the
 * device on one side (core/x86_emul.c). Nothing here trusts the guest:
 * every translation and every read is checked, and whatever cannot be
 * emulated stops only this VM.
 */
#include <errno.h>
#include <string.h>

#include "core/gwalk.h"
#include "core/iobus.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/vm.h"
#include "core/vm_mmio.h"
#include "core/x86_decode.h"
#include "core/x86_emul.h"
#include "ept/gmem.h"

#define SEG_ATTR_L (1u << 9) /* VMCB-style packed attributes (core/hv.h) */
#define SEG_ATTR_DB (1u << 10)

static int mmio_read_gpa(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vcpu *v = opaque;

	return gmem_read(v->vm->mem, gpa, buf, len);
}

static void mmio_walk_regs(struct vcpu *v, struct gwalk_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->cr0 = hv->get_reg(v, VCPU_CR0);
	r->cr3 = hv->get_reg(v, VCPU_CR3);
	r->cr4 = hv->get_reg(v, VCPU_CR4);
	r->efer = hv->get_reg(v, VCPU_EFER);
	r->rflags = hv->get_reg(v, VCPU_RFLAGS);
}

static int mmio_gla_to_gpa(void *opaque, uint64_t gla, bool write,
			   uint64_t *gpa)
{
	struct vcpu *v = opaque;
	struct gwalk_regs r;
	uint32_t pf;

	mmio_walk_regs(v, &r);
	return gwalk_translate(&r, gla, write ? GWALK_WRITE : 0, mmio_read_gpa,
			       v, gpa, &pf);
}

/* Guest-linear access, page by page (the RAM side of MOVS/STOS). */
int vm_guest_linear(struct vcpu *v, uint64_t gla, void *buf, size_t len,
		    bool write)
{
	while (len) {
		size_t n = 4096 - (gla & 4095);
		uint64_t gpa;
		int rc;

		if (n > len)
			n = len;
		rc = mmio_gla_to_gpa(v, gla, write, &gpa);
		if (rc)
			return rc;
		rc = write ? gmem_write(v->vm->mem, gpa, buf, n)
			   : gmem_read(v->vm->mem, gpa, buf, n);
		if (rc)
			return rc;
		gla += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

static int mmio_mem_read(void *opaque, uint64_t gla, void *buf, size_t len)
{
	return vm_guest_linear(opaque, gla, buf, len, false);
}

static int mmio_mem_write(void *opaque, uint64_t gla, const void *buf,
			  size_t len)
{
	return vm_guest_linear(opaque, gla, (void *)buf, len, true);
}

static int mmio_dev(void *opaque, uint64_t gpa, void *buf, size_t len,
		    bool write)
{
	uint64_t data = 0;
	int rc;

	if (write)
		memcpy(&data, buf, len);
	rc = iobus_mmio(opaque, gpa, len, write, &data);
	if (!write)
		memcpy(buf, &data, len);
	return rc < 0 ? rc : 0;
}

static int mmio_dev_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return mmio_dev(opaque, gpa, buf, len, false);
}

static int mmio_dev_write(void *opaque, uint64_t gpa, const void *buf,
			  size_t len)
{
	return mmio_dev(opaque, gpa, (void *)buf, len, true);
}

enum x86_mode vm_guest_mode(struct vcpu *v)
{
	uint64_t attr = hv->get_reg(v, VCPU_CS_ATTR);

	if ((hv->get_reg(v, VCPU_EFER) & GWALK_EFER_LMA) && (attr & SEG_ATTR_L))
		return X86_MODE_64;
	if ((hv->get_reg(v, VCPU_CR0) & 1) && (attr & SEG_ATTR_DB))
		return X86_MODE_32;
	return X86_MODE_16;
}

int vm_mmio_emulate(struct vcpu *v, const struct vm_exit *e, char *why,
		    size_t why_len)
{
	struct x86_emul_ctx ctx = {
		.opaque = v,
		.fault_gpa = e->u.s2.gpa,
		.mmio_read = mmio_dev_read,
		.mmio_write = mmio_dev_write,
		.mem_read = mmio_mem_read,
		.mem_write = mmio_mem_write,
		.gla_to_gpa = mmio_gla_to_gpa,
	};
	struct x86_insn in;
	uint8_t bytes[15];
	size_t got = 0;
	int rc;

	ctx.mode = vm_guest_mode(v);
	ctx.rip = hv->get_reg(v, VCPU_RIP);
	ctx.rflags = hv->get_reg(v, VCPU_RFLAGS);
	ctx.seg_base[X86_SEG_CS] = ctx.mode == X86_MODE_64
					   ? 0
					   : hv->get_reg(v, VCPU_CS_BASE);
	/* Fetch what we can up to 15 bytes: the instruction may end sooner. */
	uint64_t pc = ctx.seg_base[X86_SEG_CS] + ctx.rip;
	while (got < sizeof(bytes)) {
		size_t n = 4096 - ((pc + got) & 4095);
		if (n > sizeof(bytes) - got)
			n = sizeof(bytes) - got;
		if (vm_guest_linear(v, pc + got, bytes + got, n, false))
			break;
		got += n;
	}
	rc = x86_decode(bytes, got, ctx.mode, &in);
	if (rc < 0) {
		fmt_snprintf(why, why_len,
			     "MMIO at %#llx: cannot decode %02x %02x %02x %02x (%d)",
			     (unsigned long long)e->u.s2.gpa, bytes[0], bytes[1],
			     bytes[2], bytes[3], rc);
		return rc;
	}
	memcpy(ctx.gprs, &v->gprs, sizeof(ctx.gprs));
	ctx.gprs[X86_RSP] = hv->get_reg(v, VCPU_RSP);
	rc = x86_emulate(&in, &ctx);
	if (rc < 0) {
		fmt_snprintf(why, why_len, "MMIO at %#llx: emulation failed (%d)",
			     (unsigned long long)e->u.s2.gpa, rc);
		return rc;
	}
	memcpy(&v->gprs, ctx.gprs, sizeof(ctx.gprs));
	hv->set_reg(v, VCPU_RSP, ctx.gprs[X86_RSP]);
	hv->set_reg(v, VCPU_RFLAGS, ctx.rflags);
	/* rc > 0: done, advance; 0: a REP string op goes on next entry. */
	if (rc > 0)
		hv->set_reg(v, VCPU_RIP, ctx.rip + rc);
	return 0;
}
