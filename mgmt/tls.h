/* SPDX-License-Identifier: MIT */
/*
 * mbedTLS server glue for the management endpoint (mgmt/tls.c,
 * docs/mgmt.md "TLS"): one DRBG for the endpoint, the server
 * configuration built from the host's key and certificate in the store
 * (rebuilt when mgmt_cert_generation() moves), the session cache and
 * ticket keys for resumption, and the record layer's I/O over an lwIP
 * netconn with the connection's deadline. Internal to mgmt/server.c and
 * mgmt/auth.c.
 */
#ifndef KEEL_MGMT_TLS_H
#define KEEL_MGMT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "mgmt/cert.h"

struct netconn;
struct pbuf;

/* Seed the endpoint's DRBG (once; later calls return at once). 0 or
 * -errno. */
int mgmt_tls_init(void);
/* @len bytes from the endpoint's CTR_DRBG (session tokens). 0 or -EIO. */
int mgmt_tls_random(void *buf, size_t len);

/* The server configuration of one certificate generation; shared by the
 * connections that started under it, freed with the last of them. */
struct mgmt_tls_conf {
	mbedtls_ssl_config conf;
	unsigned int generation; /* mgmt_cert_generation() it was built at */
	char thumbprint[MGMT_THUMBPRINT_LEN];
	/* private: */
	int refs; /* under the tls lock */
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	mbedtls_ssl_cache_context cache;
	mbedtls_ssl_ticket_context ticket;
};

/*
 * The current configuration with a reference held; rebuilt from the store
 * first when the certificate generation changed (or @reload). NULL with
 * -errno in *@err when the store holds no usable key and certificate.
 */
struct mgmt_tls_conf *mgmt_tls_conf_get(bool reload, int *err);
void mgmt_tls_conf_put(struct mgmt_tls_conf *c);

/*
 * One connection's transport under mbedTLS (mbedtls_ssl_set_bio with
 * mgmt_tls_send/mgmt_tls_recv and this as the context). Reads and writes
 * block in slices of MGMT_TLS_SLICE_MS so that a passed @deadline or a
 * raised @stop ends them within a slice: the owning thread notices
 * eviction and shutdown without another thread touching its netconn
 * (lwIP netconns are not safe to close from a second thread without
 * LWIP_NETCONN_FULLDUPLEX).
 */
#define MGMT_TLS_SLICE_MS 250
enum mgmt_tls_end {
	MGMT_TLS_OPEN,
	MGMT_TLS_EOF,	  /* the peer closed */
	MGMT_TLS_TIMEOUT, /* the deadline passed */
	MGMT_TLS_STOPPED, /* @stop was raised (evicted, restart) */
	MGMT_TLS_NET_ERR, /* reset, or lwIP failed */
};
struct mgmt_tls_io {
	struct netconn *nc;
	uint64_t deadline; /* time_ns() */
	const volatile int *stop;
	enum mgmt_tls_end end; /* why I/O stopped */
	struct pbuf *rx;       /* received, not yet consumed */
	size_t rx_off;
	uint64_t bytes_in, bytes_out;
};
int mgmt_tls_send(void *ctx, const unsigned char *buf, size_t len);
int mgmt_tls_recv(void *ctx, unsigned char *buf, size_t len);
/* Drop what the transport still holds (before netconn_delete). */
void mgmt_tls_io_free(struct mgmt_tls_io *io);

/* A short text for an mbedTLS error code, for log lines. */
void mgmt_tls_strerror(int rc, char *buf, size_t len);

#endif
