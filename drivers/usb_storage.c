// SPDX-License-Identifier: MIT
/*
 * USB mass storage, Bulk-Only Transport (USB MSC BOT 1.0) with the SCSI
 * block commands a disk needs (SPC-4, SBC-3). Each LUN becomes a block
 * device usb0, usb1, ... (drivers/blk.h).
 *
 * A transfer is CBW (31 bytes out), optional data, CSW (13 bytes in).
 * Anything off the rules of BOT 6.3/6.5 (a CSW of the wrong size,
 * signature or tag, a phase error, a transport that times out) ends in
 * reset recovery (5.3.4): Bulk-Only Mass Storage Reset, then CLEAR_FEATURE
 * (ENDPOINT_HALT) on both bulk endpoints. If even that fails the device
 * is dropped and its disks unregistered: callers get errors, never a hang.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/init.h"
#include "core/log.h"
#include "core/mutex.h"
#include "core/thread.h"
#include "core/time.h"
#include "drivers/blk.h"
#include "drivers/usb.h"
#include "drivers/xhci.h"

#define USBMS_MAX_LUNS 4
#define USBMS_BUF (64 * 1024) /* bounce buffer: one SCSI command's data */
#define USBMS_CMD_TIMEOUT_NS (10 * NSEC_PER_SEC)
#define CBW_SIG 0x43425355u   /* "USBC" */
#define CSW_SIG 0x53425355u   /* "USBS" */

struct usbms;

struct usbms_lun {
	struct blk_dev blk;
	struct usbms *ms;
	uint8_t lun;
	char name[8];
	bool registered;
};

struct usbms {
	struct usb_dev *udev;
	uint8_t iface, ep_in, ep_out;
	uint32_t tag;
	struct mutex lock; /* one command at a time on the pipe pair */
	uint8_t *cbw, *csw, *buf;
	uint64_t cbw_phys, csw_phys, buf_phys;
	unsigned int nluns;
	struct usbms_lun luns[USBMS_MAX_LUNS];
};

static unsigned int usbms_next_index;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* BOT 5.3.4: reset recovery. 0, or -errno when the device is useless. */
static int usbms_reset_recovery(struct usbms *ms)
{
	struct usb_dev *d = ms->udev;
	int rc;

	rc = usb_control(d, USB_RT_CLASS | USB_RT_IFACE, 0xff, 0, ms->iface,
			 NULL, 0);
	if (rc >= 0)
		rc = usb_clear_halt(d, ms->ep_in);
	if (rc >= 0)
		rc = usb_clear_halt(d, ms->ep_out);
	if (rc < 0 && !d->gone) {
		log_err("%s: mass storage reset recovery failed (%d); dropping the device",
			d->name, rc);
		xhci_drop_device(d);
	}
	return rc < 0 ? rc : 0;
}

static int usbms_bulk(struct usbms *ms, uint8_t ep, uint64_t phys,
		      uint32_t len)
{
	return xhci_bulk(ms->udev, ep, phys, len, USBMS_CMD_TIMEOUT_NS);
}

/*
 * One BOT command. Data goes through ms->buf. Returns the bytes moved
 * (>= 0), USBMS_CHECK when the device reports CHECK CONDITION (CSW
 * status 1), or -errno.
 */
#define USBMS_CHECK 0x7fffffff
static int usbms_command(struct usbms *ms, uint8_t lun, const uint8_t *cdb,
			 uint8_t cdb_len, bool in, uint32_t len)
{
	uint8_t *c = ms->cbw;
	uint32_t tag = ++ms->tag;
	int n, moved = 0;

	if (ms->udev->gone)
		return -ENODEV;
	memset(c, 0, 31);
	c[0] = 'U', c[1] = 'S', c[2] = 'B', c[3] = 'C';
	memcpy(c + 4, &tag, 4);
	memcpy(c + 8, &len, 4);
	c[12] = in ? 0x80 : 0;
	c[13] = lun;
	c[14] = cdb_len;
	memcpy(c + 15, cdb, cdb_len);
	n = usbms_bulk(ms, ms->ep_out, ms->cbw_phys, 31);
	if (n != 31)
		goto recover;

	if (len) {
		n = usbms_bulk(ms, in ? ms->ep_in : ms->ep_out, ms->buf_phys, len);
		if (n == -EPIPE) {
			/* BOT 6.7.2/6.7.3: a stalled data phase; clear it,
			 * the CSW follows. */
			if (usb_clear_halt(ms->udev, in ? ms->ep_in : ms->ep_out))
				goto recover;
		} else if (n < 0) {
			goto recover;
		} else {
			moved = n;
		}
	}

	n = usbms_bulk(ms, ms->ep_in, ms->csw_phys, 13);
	if (n == -EPIPE) { /* BOT 6.7.x: clear and try the CSW once more */
		if (usb_clear_halt(ms->udev, ms->ep_in))
			goto recover;
		n = usbms_bulk(ms, ms->ep_in, ms->csw_phys, 13);
	}
	if (n != 13 || get_le32(ms->csw) != CSW_SIG ||
	    get_le32(ms->csw + 4) != tag) {
		log_warn("%s: bad CSW (%d bytes, signature %08x, tag %u not %u)",
			 ms->udev->name, n, n >= 4 ? get_le32(ms->csw) : 0,
			 n >= 8 ? get_le32(ms->csw + 4) : 0, tag);
		goto recover;
	}
	switch (ms->csw[12]) {
	case 0:
		return moved;
	case 1:
		return USBMS_CHECK;
	default:
		log_warn("%s: phase error (CSW status %u)", ms->udev->name,
			 ms->csw[12]);
		goto recover;
	}
recover:
	if (n == -ETIMEDOUT)
		log_warn("%s: command %02x timed out", ms->udev->name, cdb[0]);
	usbms_reset_recovery(ms);
	return ms->udev->gone ? -ENODEV : -EIO;
}

/* REQUEST SENSE after CHECK CONDITION: sense key << 16 | ASC << 8 | ASCQ. */
static int usbms_sense(struct usbms *ms, uint8_t lun)
{
	uint8_t cdb[6] = { 0x03, 0, 0, 0, 18, 0 };
	int n = usbms_command(ms, lun, cdb, 6, true, 18);

	if (n < 0 || n == USBMS_CHECK || n < 14)
		return -EIO;
	return (ms->buf[2] & 0xf) << 16 | ms->buf[12] << 8 | ms->buf[13];
}

/* A command with CHECK CONDITION turned into -EIO and a logged sense. */
static int usbms_scsi(struct usbms_lun *l, const uint8_t *cdb, uint8_t len,
		      bool in, uint32_t bytes)
{
	int n = usbms_command(l->ms, l->lun, cdb, len, in, bytes);

	if (n == USBMS_CHECK) {
		int s = usbms_sense(l->ms, l->lun);
		if (cdb[0] != 0x00) /* TEST UNIT READY: expected while spinning up */
			log_warn("%s: SCSI %02x failed: sense %x/%02x/%02x",
				 l->name, cdb[0], (s >> 16) & 0xf, (s >> 8) & 0xff,
				 s & 0xff);
		return -EIO;
	}
	return n;
}

/* The data stage always moves through ms->buf, the bounce buffer. */
static int usbms_xfer(struct blk_dev *dev, uint64_t lba, uint32_t n,
		      void *io, bool write)
{
	struct usbms_lun *l = dev->priv;
	uint32_t bytes = n * dev->sector_size;
	uint8_t cdb[16] = { 0 };
	uint8_t len;

	if (lba + n > 0xffffffffull) { /* READ/WRITE(16), SBC-3 5.16 */
		cdb[0] = write ? 0x8a : 0x88;
		put_be32(cdb + 2, lba >> 32);
		put_be32(cdb + 6, (uint32_t)lba);
		put_be32(cdb + 10, n);
		len = 16;
	} else { /* READ/WRITE(10) */
		cdb[0] = write ? 0x2a : 0x28;
		put_be32(cdb + 2, (uint32_t)lba);
		cdb[7] = n >> 8;
		cdb[8] = n;
		len = 10;
	}
	int got = usbms_scsi(l, cdb, len, !write, bytes);
	if (got < 0)
		return got;
	return (uint32_t)got == bytes ? 0 : -EIO; /* residue: fewer sectors */
}

static int usbms_rw(struct blk_dev *dev, uint64_t lba, uint32_t count,
		    void *buf, bool write)
{
	struct usbms *ms = ((struct usbms_lun *)dev->priv)->ms;
	int rc;

	mutex_lock(&ms->lock);
	rc = blk_xfer_split(dev, lba, count, buf, write, USBMS_BUF, ms->buf,
			    usbms_xfer);
	mutex_unlock(&ms->lock);
	return rc;
}

static int usbms_flush(struct blk_dev *dev)
{
	struct usbms_lun *l = dev->priv;
	uint8_t cdb[10] = { 0x35 }; /* SYNCHRONIZE CACHE(10): whole medium */
	int rc;

	mutex_lock(&l->ms->lock);
	rc = usbms_scsi(l, cdb, 10, false, 0);
	mutex_unlock(&l->ms->lock);
	return rc < 0 ? rc : 0;
}

static const struct blk_ops usbms_ops = {
	.rw = usbms_rw,
	.flush = usbms_flush,
};

/* Called with the command lock held; releases it once the disk is
 * registered (0), keeps it on an error before that. */
static int usbms_lun_init(struct usbms *ms, struct usbms_lun *l)
{
	uint8_t cdb[16] = { 0 };
	uint64_t last;
	uint32_t bs;
	int rc = -EIO;

	/* INQUIRY (SPC-4 6.6): peripheral type 0 is a disk. */
	cdb[0] = 0x12;
	cdb[4] = 36;
	if (usbms_scsi(l, cdb, 6, true, 36) < 36) {
		log_warn("%s: INQUIRY failed", l->name);
		return -EIO;
	}
	if ((ms->buf[0] & 0x1f) != 0) {
		log_info("%s: not a disk (peripheral type %u)", l->name,
			 ms->buf[0] & 0x1f);
		return -ENODEV;
	}
	char vendor[9], product[17];
	memcpy(vendor, ms->buf + 8, 8);
	memcpy(product, ms->buf + 16, 16);
	vendor[8] = product[16] = 0;

	/* TEST UNIT READY until the unit attention after reset is gone. */
	for (int i = 0; i < 10; i++) {
		memset(cdb, 0, sizeof(cdb));
		rc = usbms_scsi(l, cdb, 6, false, 0);
		if (rc >= 0 || ms->udev->gone)
			break;
		thread_sleep_ns(100 * NSEC_PER_MSEC);
	}
	if (rc < 0) {
		log_warn("%s: not ready", l->name);
		return rc;
	}
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25; /* READ CAPACITY(10) */
	if (usbms_scsi(l, cdb, 10, true, 8) < 8)
		return -EIO;
	last = get_be32(ms->buf);
	bs = get_be32(ms->buf + 4);
	if (last == 0xffffffffu) { /* too big: READ CAPACITY(16) */
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = 0x9e;
		cdb[1] = 0x10;
		cdb[13] = 32;
		if (usbms_scsi(l, cdb, 16, true, 32) < 12)
			return -EIO;
		last = (uint64_t)get_be32(ms->buf) << 32 | get_be32(ms->buf + 4);
		bs = get_be32(ms->buf + 8);
	}
	if (bs < 512 || bs > USBMS_BUF || (bs & (bs - 1))) {
		log_warn("%s: unsupported block size %u", l->name, bs);
		return -EINVAL;
	}
	l->blk.name = l->name;
	l->blk.sector_size = bs;
	l->blk.sectors = last + 1;
	l->blk.ops = &usbms_ops;
	l->blk.priv = l;
	/* Registered disks are read at once (GPT): without the lock held. */
	mutex_unlock(&ms->lock);
	rc = blk_register(&l->blk);
	if (rc) {
		log_warn("%s: blk_register failed (%d)", l->name, rc);
		return rc;
	}
	l->registered = true;
	log_info("%s: %s %s %s, %llu sectors of %u bytes (%llu MiB)", l->name,
		 ms->udev->name, vendor, product, (unsigned long long)l->blk.sectors,
		 bs, (unsigned long long)(l->blk.sectors * bs >> 20));
	return 0;
}

static int usbms_probe(struct usb_dev *d, const struct usb_iface_desc *ifc)
{
	const struct usb_ep_desc *in = usb_desc_find_ep(ifc, USB_EP_BULK, true);
	const struct usb_ep_desc *out = usb_desc_find_ep(ifc, USB_EP_BULK, false);
	const struct usb_ep_desc eps[2] = { in ? *in : (struct usb_ep_desc){ 0 },
					    out ? *out : (struct usb_ep_desc){ 0 } };
	struct usbms *ms;
	uint8_t maxlun = 0;
	int rc;

	if (!in || !out) {
		log_warn("%s: mass storage without bulk endpoints", d->name);
		return -ENODEV;
	}
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return -ENOMEM;
	ms->udev = d;
	ms->iface = ifc->number;
	ms->ep_in = in->addr;
	ms->ep_out = out->addr;
	ms->lock = (struct mutex)MUTEX_INIT;
	ms->cbw = dma_alloc(64, 64, true, &ms->cbw_phys);
	ms->csw = dma_alloc(64, 64, true, &ms->csw_phys);
	ms->buf = dma_alloc(USBMS_BUF, 4096, true, &ms->buf_phys);
	if (!ms->cbw || !ms->csw || !ms->buf) {
		free(ms);
		return -ENOMEM;
	}
	rc = xhci_configure_eps(d, eps, 2);
	if (rc) {
		free(ms);
		return rc;
	}
	d->driver_data = ms;
	/* GET MAX LUN (BOT 3.2); a stall means one LUN. */
	rc = usb_control(d, USB_RT_IN | USB_RT_CLASS | USB_RT_IFACE, 0xfe, 0,
			 ms->iface, &maxlun, 1);
	if (rc != 1 || maxlun >= USBMS_MAX_LUNS)
		maxlun = 0;
	ms->nluns = maxlun + 1;
	log_info("%s: mass storage (bulk-only), %u LUN(s)", d->name, ms->nluns);
	for (unsigned int i = 0; i < ms->nluns; i++) {
		struct usbms_lun *l = &ms->luns[i];
		l->ms = ms;
		l->lun = i;
		snprintf(l->name, sizeof(l->name), "usb%u", usbms_next_index);
		mutex_lock(&ms->lock);
		rc = usbms_lun_init(ms, l);
		if (rc)
			mutex_unlock(&ms->lock);
		else
			usbms_next_index++;
	}
	return d->gone ? -ENODEV : 0;
}

static void usbms_disconnect(struct usb_dev *d)
{
	struct usbms *ms = d->driver_data;

	if (!ms)
		return;
	for (unsigned int i = 0; i < ms->nluns; i++) {
		if (ms->luns[i].registered) {
			blk_unregister(&ms->luns[i].blk);
			ms->luns[i].registered = false;
			log_info("%s: removed", ms->luns[i].name);
		}
	}
}

static const struct usb_class_driver usbms_driver = {
	.name = "usb-storage",
	.class = 0x08,	   /* mass storage */
	.subclass = 0x06,  /* SCSI transparent command set */
	.protocol = 0x50,  /* bulk-only */
	.probe = usbms_probe,
	.disconnect = usbms_disconnect,
};
static struct usb_class_entry usbms_entry = { &usbms_driver, NULL };

static void usbms_register(void)
{
	usb_register_driver(&usbms_entry);
}
KEEL_INIT(INIT_PLATFORM, usbms_register);
