// SPDX-License-Identifier: MIT
/*
 * INS and OUTS (SDM vol. 2B): the guest-memory side goes through the
 * guest's page tables and guest RAM, the port side through the iobus.
 * The prefixes (operand and address size, segment override, REP) are read
 * from the instruction itself, so the exit information's decode-assist
 * fields are not needed (QEMU's AMD-V has none). A REP runs up to
 * VM_STRIO_BATCH iterations per exit; RIP stays until rCX reaches zero.
 */
#include <errno.h>

#include "core/iobus.h"
#include "core/vm.h"
#include "core/vm_mmio.h"
#include "core/vm_strio.h"

#define VM_STRIO_BATCH 512

int vm_string_io(struct vcpu *v, const struct vm_exit *e)
{
	enum x86_mode mode = vm_guest_mode(v);
	uint64_t rip = hv->get_reg(v, VCPU_RIP);
	uint64_t pc = (mode == X86_MODE_64 ? 0 : hv->get_reg(v, VCPU_CS_BASE)) +
		      rip;
	unsigned int asize = mode == X86_MODE_64 ? 8 : mode == X86_MODE_32 ? 4 : 2;
	enum vcpu_reg seg = VCPU_DS_BASE;
	uint8_t b[15];
	unsigned int len = 0;
	bool rep = false;

	if (vm_guest_linear(v, pc, b, sizeof(b), false) < 0 &&
	    vm_guest_linear(v, pc, b, 4, false) < 0)
		return -EFAULT;
	/* Prefixes, then the opcode 6C-6F (SDM vol. 2A 2.1.1). */
	for (; len < sizeof(b); len++) {
		uint8_t p = b[len];
		if (p == 0x67)
			asize = mode == X86_MODE_64 ? 4 : asize == 4 ? 2 : 4;
		else if (p == 0xf3 || p == 0xf2)
			rep = true;
		else if (p == 0x26 || p == 0x2e || p == 0x36 || p == 0x3e ||
			 p == 0x64 || p == 0x65)
			seg = p == 0x64	  ? VCPU_FS_BASE
			      : p == 0x65 ? VCPU_GS_BASE
			      : p == 0x26 ? VCPU_ES_BASE
					  : VCPU_DS_BASE; /* CS/SS: flat enough */
		else if (p == 0x66 || (mode == X86_MODE_64 && (p & 0xf0) == 0x40))
			continue;
		else
			break;
	}
	if (len == sizeof(b) || b[len] < 0x6c || b[len] > 0x6f)
		return -EINVAL;
	len++;

	uint64_t amask = asize == 8 ? ~0ull : (1ull << (asize * 8)) - 1;
	uint64_t count = rep ? v->gprs.rcx & amask : 1;
	uint64_t step = e->u.io.size;
	bool in = e->u.io.in;
	int dir = hv->get_reg(v, VCPU_RFLAGS) & (1u << 10) ? -1 : 1; /* DF */
	/* INS writes ES:rDI (no override); OUTS reads seg:rSI. */
	uint64_t base = in ? hv->get_reg(v, VCPU_ES_BASE)
			   : (mode == X86_MODE_64 && seg != VCPU_FS_BASE &&
			      seg != VCPU_GS_BASE)
				     ? 0
				     : hv->get_reg(v, seg);
	uint64_t *idx = in ? &v->gprs.rdi : &v->gprs.rsi;

	for (unsigned int n = 0; count && n < VM_STRIO_BATCH; n++, count--) {
		uint64_t data = 0, gla = base + (*idx & amask);
		int rc;
		if (in) {
			rc = iobus_pio(v, e->u.io.port, step, false, &data);
			if (rc == 0)
				rc = vm_guest_linear(v, gla, &data, step, true);
		} else {
			rc = vm_guest_linear(v, gla, &data, step, false);
			if (rc == 0)
				rc = iobus_pio(v, e->u.io.port, step, true, &data);
		}
		if (rc)
			return rc < 0 ? rc : -EIO;
		*idx = (*idx & ~amask) | ((*idx + dir * (int64_t)step) & amask);
	}
	if (rep)
		v->gprs.rcx = (v->gprs.rcx & ~amask) | count;
	if (!count)
		hv->set_reg(v, VCPU_RIP, rip + len);
	return 0;
}
