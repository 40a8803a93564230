// SPDX-License-Identifier: MIT
/* TEMP stub, lead deletes at merge */
/*
 * Until branch ds provides datastore/ds.c: no datastore is mounted. Weak,
 * so the real ds_stat/ds_read win at link time once they exist. The VM
 * manager's self-test (mgmt/vmm_selftest.c) serves files from a RAM
 * table instead (vmm_set_files).
 */
#include <errno.h>

#include "datastore/ds.h"

__attribute__((weak)) int ds_stat(const char *name, struct ds_file_info *out)
{
	return -ENODEV;
}

__attribute__((weak)) long ds_read(const char *name, uint64_t off, void *buf,
				   size_t len)
{
	return -ENODEV;
}
