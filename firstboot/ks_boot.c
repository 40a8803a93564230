// SPDX-License-Identifier: MIT
/*
 * The unattended first boot (firstboot/ks.h, ARCHITECTURE.md section 8):
 * keel.cfg at the root of the KEEL-BOOT partition is read, checked,
 * applied through the same fb_apply_setup() as the wizard, then deleted,
 * because it may hold the root password in clear and the stick can leave
 * the server. Only before the host is configured: on a configured host a
 * stray keel.cfg is never read (so a stick cannot reset a host's password
 * by having a file put on it). docs/firstboot.md "keel.cfg".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/time.h"
#include "drivers/blk_boot.h"
#include "firstboot/ks.h"
#include "net/netcfg.h"
#include "store/fat.h"
#include "store/store.h"

#define KS_NAME "keel.cfg"
#define KS_MAX_BYTES (64 * 1024)
/* USB sticks register seconds after boot; the store waits as long. */
#define KS_WAIT_NS (3 * NSEC_PER_SEC)

/* Not optimised away like a memset before free may be: the buffers held
 * the password. */
static void ks_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static int ks_refuse(struct ks_error *err, int rc, const char *why)
{
	err->line = 0;
	strncpy(err->why, why, sizeof(err->why) - 1);
	err->why[sizeof(err->why) - 1] = 0;
	log_err("keel.cfg: %s", err->why);
	return rc;
}

static int ks_apply(struct blk_dev *esp, struct fb_setup *s,
		    struct ks_error *err)
{
	char net[128];
	int rc;

	netcfg_format(&s->net, net, sizeof(net));
	log_info("keel.cfg: applying: host name %s, network %s, root "
		 "password %s",
		 s->hostname, net,
		 s->password_hash[0] ? "(hash given)" : "(set)");
	rc = fb_apply_setup(s, "keel.cfg");
	if (rc) {
		log_err("keel.cfg: the settings are valid but could not be "
			"stored (%d); the setup wizard runs instead",
			rc);
		err->line = 0;
		strcpy(err->why, "valid, but the settings could not be stored");
		return rc;
	}
	rc = fat_delete_file(esp, KS_NAME);
	if (rc) {
		/* Loud: the root password may now sit on a removable stick. */
		log_err("keel.cfg: applied, but NOT REMOVED from the boot "
			"partition %s (%d): it may hold the root password; "
			"delete it by hand",
			esp->name, rc);
		log_err("keel.cfg: WARNING: secret left on the boot device");
	} else {
		log_info("keel.cfg: applied and removed from the boot "
			 "partition");
	}
	return 1;
}

int ks_boot(struct ks_error *err)
{
	struct blk_dev *esp;
	struct fb_setup *s;
	char *text = NULL;
	size_t len = 0;
	int rc;

	err->line = 0;
	err->why[0] = 0;
	if (store_configured())
		return 0;
	esp = blk_config_partition(KS_WAIT_NS) ? blk_boot_esp() : NULL;
	if (!esp)
		return 0; /* no Keel boot device (PXE): nothing to look at */
	rc = fat_read_file(esp, KS_NAME, KS_MAX_BYTES, &text, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc == -EFBIG)
		return ks_refuse(err, -EFBIG,
				 "larger than 64 KiB: not a "
				 "kickstart file?");
	if (rc == -EINVAL)
		return ks_refuse(err, rc,
				 "boot partition's FAT file system "
				 "is damaged; keel.cfg not read");
	if (rc)
		return ks_refuse(err, rc, "cannot read the boot partition");
	log_info("keel.cfg: found on %s (%zu bytes)", esp->name, len);
	s = malloc(sizeof(*s));
	if (!s) {
		rc = ks_refuse(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = ks_parse(text, len, s, err);
	if (rc) {
		if (err->line)
			log_err("keel.cfg: line %d: %s", err->line, err->why);
		else
			log_err("keel.cfg: %s", err->why);
		log_err("keel.cfg: refused, nothing applied; the setup wizard "
			"runs instead");
	} else {
		rc = ks_apply(esp, s, err);
	}
	ks_wipe(s, sizeof(*s));
	free(s);
out:
	ks_wipe(text, len);
	free(text);
	return rc;
}

int ks_discard(void)
{
	struct blk_dev *esp = blk_boot_esp();
	int rc;

	if (!esp)
		return 0;
	rc = fat_delete_file(esp, KS_NAME);
	if (rc == -ENOENT)
		return 0;
	if (rc) {
		log_err("keel.cfg: the refused file could NOT be removed from "
			"%s (%d): it may hold a password; delete it by hand",
			esp->name, rc);
		return rc;
	}
	log_info("keel.cfg: the refused file was removed from the boot "
		 "partition (the host is now set up)");
	return 1;
}
