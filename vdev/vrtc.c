// SPDX-License-Identifier: MIT
/*
 * The MC146818A (vdev/vrtc.h). Names follow the Motorola datasheet:
 * "Time, calendar and alarm locations" (table 3: BCD or binary per DM,
 * 12-hour with bit 7 = PM), "Register A" (UIP, DV2-0, RS3-0, table 4
 * for the periodic rates), "Register B" (SET, PIE, AIE, UIE, DM, 24/12),
 * "Register C" (IRQF, PF, AF, UF, cleared by reading), "Register D" (VRT),
 * "Update cycle" (UIP goes high 244 us before it).
 *
 * While SET is 0 the clock registers are computed from the base time at
 * each read; SET freezes a copy in cmos[0..9] that the guest edits and
 * that becomes the new base when SET clears. Left out: daylight saving
 * (DSE), the square-wave pin, divider reset timing (a DV other than
 * 010 just stops the updates), the update cycle's 1984 us of blocked
 * access (reads see the new time at once).
 */
#include "vdev/vrtc.h"

#include <stdlib.h>

#include "core/iobus.h"
#include "core/log.h"
#include "core/time.h"
#include "core/vm.h"
#include "core/wallclock.h"
#include "vdev/vplat.h"

static bool vrtc_binary(const struct vrtc *r)
{
	return r->cmos[VRTC_B] & VRTC_B_DM;
}

static uint8_t vrtc_enc(const struct vrtc *r, unsigned int v)
{
	return vrtc_binary(r) ? (uint8_t)v : wallclock_bin2bcd(v);
}

static unsigned int vrtc_dec(const struct vrtc *r, uint8_t v)
{
	return vrtc_binary(r) ? v : wallclock_bcd2bin(v);
}

static uint8_t vrtc_enc_hour(const struct vrtc *r, unsigned int h)
{
	if (r->cmos[VRTC_B] & VRTC_B_24H)
		return vrtc_enc(r, h);
	return vrtc_enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static unsigned int vrtc_dec_hour(const struct vrtc *r, uint8_t v)
{
	if (r->cmos[VRTC_B] & VRTC_B_24H)
		return vrtc_dec(r, v);
	return vrtc_dec(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

static int64_t vrtc_sec_at(const struct vrtc *r, uint64_t t)
{
	return r->base_unix + (int64_t)((t - r->base_ns) / NSEC_PER_SEC);
}

/* The clock registers (0x00-0x09, century) for time @t. */
static void vrtc_fields(const struct vrtc *r, int64_t t, uint8_t f[10],
			uint8_t *century)
{
	struct wallclock_tm tm;

	wallclock_from_unix(t, &tm);
	f[VRTC_SEC] = vrtc_enc(r, tm.sec);
	f[VRTC_MIN] = vrtc_enc(r, tm.min);
	f[VRTC_HOUR] = vrtc_enc_hour(r, tm.hour);
	f[VRTC_WDAY] = vrtc_enc(r, tm.wday + 1); /* 1 = Sunday */
	f[VRTC_MDAY] = vrtc_enc(r, tm.day);
	f[VRTC_MON] = vrtc_enc(r, tm.mon);
	f[VRTC_YEAR] = vrtc_enc(r, (unsigned int)tm.year % 100);
	*century = vrtc_enc(r, (unsigned int)tm.year / 100);
}

/* The time the registers in @f say; the base does not move if invalid. */
static bool vrtc_parse(const struct vrtc *r, const uint8_t f[10],
		       uint8_t century, int64_t *t)
{
	struct wallclock_tm tm;
	unsigned int c = vrtc_dec(r, century);

	if (c < 19 || c > 29)
		c = 20;
	tm.sec = vrtc_dec(r, f[VRTC_SEC]);
	tm.min = vrtc_dec(r, f[VRTC_MIN]);
	tm.hour = vrtc_dec_hour(r, f[VRTC_HOUR]);
	tm.day = vrtc_dec(r, f[VRTC_MDAY]);
	tm.mon = vrtc_dec(r, f[VRTC_MON]);
	tm.year = (int)(c * 100 + vrtc_dec(r, f[VRTC_YEAR]) % 100);
	if (!wallclock_valid(&tm))
		return false;
	*t = wallclock_to_unix(&tm);
	return true;
}

static bool vrtc_running(const struct vrtc *r)
{
	return !(r->cmos[VRTC_B] & VRTC_B_SET) &&
	       ((r->cmos[VRTC_A] >> 4) & 7) == 2;
}

/* Ticks of the 32.768 kHz time base in @ns. */
static uint64_t vrtc_t32(uint64_t ns)
{
	return ns / NSEC_PER_SEC * 32768 +
	       ns % NSEC_PER_SEC * 32768 / NSEC_PER_SEC;
}

/* Table 4: RS 1 and 2 give 256 and 128 Hz, RS n >= 3 divides by 2^(n-1). */
static int vrtc_pshift(const struct vrtc *r)
{
	unsigned int rs = r->cmos[VRTC_A] & 15;

	if (!rs || ((r->cmos[VRTC_A] >> 4) & 7) != 2)
		return -1;
	return rs < 3 ? (int)rs + 7 : (int)rs - 1;
}

static bool vrtc_alarm_match(const struct vrtc *r, int64_t t)
{
	static const uint8_t idx[3] = { VRTC_SEC, VRTC_MIN, VRTC_HOUR };
	uint8_t f[10], c;

	vrtc_fields(r, t, f, &c);
	for (unsigned int i = 0; i < 3; i++) {
		uint8_t a = r->cmos[idx[i] + 1];

		if ((a & 0xc0) != 0xc0 && a != f[idx[i]])
			return false; /* 11xxxxxx is "don't care" */
	}
	return true;
}

/* Set the flags of register C for what happened since eval_ns. */
static void vrtc_eval(struct vrtc *r, uint64_t now)
{
	int64_t s0, s1;
	int sh;

	if (now <= r->eval_ns)
		return;
	sh = vrtc_pshift(r);
	if (sh >= 0 && vrtc_t32(now - r->base_ns) >> sh >
			   vrtc_t32(r->eval_ns - r->base_ns) >> sh)
		r->cmos[VRTC_C] |= VRTC_C_PF;
	if (vrtc_running(r)) {
		s0 = vrtc_sec_at(r, r->eval_ns);
		s1 = vrtc_sec_at(r, now);
		if (s1 > s0)
			r->cmos[VRTC_C] |= VRTC_C_UF;
		if (s1 > s0 + 86400)
			s0 = s1 - 86400; /* every alarm time came in a day */
		for (int64_t s = s0 + 1; s <= s1; s++)
			if (vrtc_alarm_match(r, s)) {
				r->cmos[VRTC_C] |= VRTC_C_AF;
				break;
			}
	}
	r->eval_ns = now;
}

static void vrtc_irq_update(struct vrtc *r)
{
	bool level = r->cmos[VRTC_C] & r->cmos[VRTC_B] & 0x70;

	if (level)
		r->cmos[VRTC_C] |= VRTC_C_IRQF;
	else
		r->cmos[VRTC_C] &= ~VRTC_C_IRQF;
	if (level != r->irq) {
		r->irq = level;
		vplat_isa_irq(r->vm, 8, level);
	}
}

static void vrtc_rebase(struct vrtc *r, int64_t t, uint64_t now)
{
	vrtc_eval(r, now);
	r->base_unix = t;
	r->base_ns = now;
	r->eval_ns = now;
}

static bool vrtc_is_clock(unsigned int i)
{
	return i <= VRTC_YEAR || i == VRTC_CENTURY;
}

static uint8_t vrtc_read(struct vrtc *r, unsigned int i, uint64_t now)
{
	uint8_t f[10], c, v;
	uint64_t phase;

	if (vrtc_is_clock(i) && i != VRTC_SEC_ALARM && i != VRTC_MIN_ALARM &&
	    i != VRTC_HOUR_ALARM && !(r->cmos[VRTC_B] & VRTC_B_SET)) {
		vrtc_fields(r, vrtc_sec_at(r, now), f, &c);
		return i == VRTC_CENTURY ? c : f[i];
	}
	switch (i) {
	case VRTC_A:
		v = r->cmos[VRTC_A] & 0x7f;
		phase = (now - r->base_ns) % NSEC_PER_SEC;
		if (vrtc_running(r) && phase >= NSEC_PER_SEC - VRTC_UIP_NS)
			v |= VRTC_A_UIP;
		return v;
	case VRTC_C:
		vrtc_eval(r, now);
		vrtc_irq_update(r);
		v = r->cmos[VRTC_C];
		r->cmos[VRTC_C] = 0;
		vrtc_irq_update(r);
		return v;
	case VRTC_D:
		return 0x80; /* valid RAM and time */
	default:
		return r->cmos[i];
	}
}

static void vrtc_write_b(struct vrtc *r, uint8_t v, uint64_t now)
{
	uint8_t old = r->cmos[VRTC_B];
	int64_t t;

	vrtc_eval(r, now);
	if (v & VRTC_B_SET)
		v &= ~VRTC_B_UIE; /* "SET ... also clears UIE" */
	if ((v & VRTC_B_SET) && !(old & VRTC_B_SET))
		vrtc_fields(r, vrtc_sec_at(r, now), r->cmos,
			    &r->cmos[VRTC_CENTURY]);
	r->cmos[VRTC_B] = v;
	if (!(v & VRTC_B_SET) && (old & VRTC_B_SET)) {
		r->cmos[VRTC_B] = old; /* parse in the format it was set in */
		if (vrtc_parse(r, r->cmos, r->cmos[VRTC_CENTURY], &t))
			vrtc_rebase(r, t, now);
		r->cmos[VRTC_B] = v;
	}
	vrtc_irq_update(r);
}

static void vrtc_write(struct vrtc *r, unsigned int i, uint8_t v, uint64_t now)
{
	uint8_t f[10], c;
	int64_t t;

	if (vrtc_is_clock(i) && i != VRTC_SEC_ALARM && i != VRTC_MIN_ALARM &&
	    i != VRTC_HOUR_ALARM) {
		if (r->cmos[VRTC_B] & VRTC_B_SET) {
			r->cmos[i] = v;
			return;
		}
		/* A running clock takes one field at a time. */
		vrtc_fields(r, vrtc_sec_at(r, now), f, &c);
		if (i == VRTC_CENTURY)
			c = v;
		else
			f[i] = v;
		r->cmos[VRTC_CENTURY] = c;
		if (vrtc_parse(r, f, c, &t))
			vrtc_rebase(r, t, now);
		return;
	}
	switch (i) {
	case VRTC_A:
		vrtc_eval(r, now);
		r->cmos[VRTC_A] = v & 0x7f; /* UIP is read-only */
		break;
	case VRTC_B:
		vrtc_write_b(r, v, now);
		break;
	case VRTC_C:
	case VRTC_D:
		break; /* read-only */
	default:
		r->cmos[i] = v;
		break;
	}
}

void vrtc_poll(struct vrtc *r)
{
	if (!r)
		return;
	spin_lock(&r->lock);
	vrtc_eval(r, time_ns());
	vrtc_irq_update(r);
	spin_unlock(&r->lock);
}

uint64_t vrtc_next_deadline(struct vrtc *r)
{
	uint64_t now, dl = 0, t, k;
	uint8_t b, c;
	int sh;

	if (!r)
		return 0;
	spin_lock(&r->lock);
	now = time_ns();
	vrtc_eval(r, now);
	b = r->cmos[VRTC_B];
	c = r->cmos[VRTC_C];
	sh = vrtc_pshift(r);
	if ((b & VRTC_B_PIE) && !(c & VRTC_C_PF) && sh >= 0) {
		k = (vrtc_t32(now - r->base_ns) >> sh) + 1;
		t = k << sh; /* ticks of 32768 Hz, rounded up to ns */
		dl = r->base_ns + t / 32768 * NSEC_PER_SEC +
		     (t % 32768 * NSEC_PER_SEC + 32767) / 32768;
	}
	if (vrtc_running(r) && (((b & VRTC_B_UIE) && !(c & VRTC_C_UF)) ||
				((b & VRTC_B_AIE) && !(c & VRTC_C_AF)))) {
		t = r->base_ns +
		    ((now - r->base_ns) / NSEC_PER_SEC + 1) * NSEC_PER_SEC;
		if (!dl || t < dl)
			dl = t;
	}
	spin_unlock(&r->lock);
	return dl;
}

static int vrtc_io(struct vcpu *v, uint64_t addr, unsigned int size, bool write,
		   uint64_t *data, void *opaque)
{
	struct vrtc *r = opaque;
	uint64_t now = time_ns(), val = write ? *data : 0;

	spin_lock(&r->lock);
	for (unsigned int i = 0; i < size && i < 8; i++) {
		uint16_t port = (uint16_t)(addr + i);
		uint8_t b = val >> (8 * i);

		if (port == VPLAT_RTC) {
			if (write) {
				r->index = b & 0x7f;
				r->nmi_masked = b & 0x80;
			} else {
				b = 0xff; /* the index port is write-only */
			}
		} else if (port == VPLAT_RTC + 1) {
			if (write)
				vrtc_write(r, r->index, b, now);
			else
				b = vrtc_read(r, r->index, now);
		}
		if (!write)
			val |= (uint64_t)b << (8 * i);
	}
	vrtc_eval(r, now);
	vrtc_irq_update(r);
	spin_unlock(&r->lock);
	if (!write)
		*data = val;
	return 0;
}

void vrtc_set_time(struct vrtc *r, int64_t unix_sec)
{
	spin_lock(&r->lock);
	vrtc_rebase(r, unix_sec, time_ns());
	spin_unlock(&r->lock);
}

/* Memory sizes as QEMU's pc_cmos_init lays them out for SeaBIOS. */
void vrtc_set_memory(struct vrtc *r, uint64_t below_4g, uint64_t above_4g,
		     unsigned int vcpus)
{
	uint64_t ext = below_4g > (1u << 20) ? (below_4g >> 10) - 1024 : 0;
	uint64_t above16 =
	    below_4g > (16u << 20) ? (below_4g - (16u << 20)) >> 16 : 0;
	uint64_t high = above_4g >> 16;

	if (ext > 0xffff)
		ext = 0xffff;
	if (above16 > 0xffff)
		above16 = 0xffff;
	spin_lock(&r->lock);
	r->cmos[0x15] = 640 & 0xff; /* base memory, KiB */
	r->cmos[0x16] = 640 >> 8;
	r->cmos[0x17] = r->cmos[0x30] = ext & 0xff; /* 1 MiB-65 MiB, KiB */
	r->cmos[0x18] = r->cmos[0x31] = ext >> 8;
	r->cmos[0x34] = above16 & 0xff; /* 16 MiB-4 GiB, 64 KiB units */
	r->cmos[0x35] = above16 >> 8;
	r->cmos[0x5b] = high & 0xff; /* above 4 GiB, 64 KiB units */
	r->cmos[0x5c] = (high >> 8) & 0xff;
	r->cmos[0x5d] = (high >> 16) & 0xff;
	r->cmos[0x5f] = vcpus ? (uint8_t)(vcpus - 1) : 0;
	spin_unlock(&r->lock);
}

struct vrtc *vrtc_create(struct vm *vm)
{
	struct vrtc *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vm = vm;
	r->cmos[VRTC_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[VRTC_B] = VRTC_B_24H;
	r->cmos[0x14] = 0x02; /* equipment: FPU, VGA */
	r->base_ns = r->eval_ns = time_ns();
	r->base_unix = wallclock_unix();
	if (iobus_register_pio(vm, VPLAT_RTC, 2, vrtc_io, r)) {
		log_err("vrtc: cannot claim ports 0x70-0x71");
		free(r);
		return NULL;
	}
	return r;
}

void vrtc_destroy(struct vrtc *r)
{
	free(r);
}
