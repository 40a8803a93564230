// SPDX-License-Identifier: MIT
/*
 * TEMP (branch cert only; the lead drops this file at the merge): the
 * three store/store.h accessors fb_cert_store.c calls, so this branch
 * links before the real store (branch api) is merged. They keep nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

int store_get_hostname(char *buf, size_t len)
{
	return -ENODEV;
}

int store_set_tls(const uint8_t *key_der, size_t key_len,
		  const uint8_t *cert_der, size_t cert_len)
{
	return -ENODEV;
}

int store_audit(const char *who, const char *what)
{
	return -ENODEV;
}
