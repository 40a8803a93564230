// SPDX-License-Identifier: MIT
/*
 * mbedTLS server glue for the management endpoint (mgmt/tls.h,
 * docs/mgmt.md "TLS").
 *
 * - One CTR_DRBG for the endpoint (handshakes, ticket keys, session
 *   tokens), seeded like mgmt/cert.c's from core/entropy.h through
 *   CTR_DRBG's derivation function. mbedTLS is built without
 *   MBEDTLS_THREADING_C, so nothing in it locks: every shared context
 *   (this DRBG, each configuration's session cache and ticket keys) is
 *   reached through a wrapper that takes a lock.
 * - A server configuration per certificate generation: TLS 1.2 only,
 *   the six ECDHE suites with AEAD ciphers (mbedtls_config.h compiles
 *   nothing else in; the list is set here too so that a later config
 *   change cannot widen it silently), the host key and certificate from
 *   the store, a session cache and session tickets (RFC 5077) for
 *   resumption. A certificate change (F2 "Regenerate Certificate",
 *   host.cert.regenerate) builds a new configuration for new
 *   connections; sessions of the old certificate are not resumed.
 * - The record layer's I/O over an lwIP netconn, in time slices, so a
 *   deadline or a stop request ends a blocked read or write.
 *
 * Extended state: these functions run in connection threads, whose
 * XSAVE area core/sched.c saves and restores on every switch
 * (core/fpu.h), so AES-NI and the compiler's SSE copies inside mbedTLS
 * need no bracket, as in mgmt/cert.c and store/store_pw.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/api.h>
#include <lwip/pbuf.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>

#include "core/entropy.h"
#include "core/time.h"
#include "mgmt/server.h"
#include "mgmt/tls.h"
#include "store/store.h"

/* Resumption: cache entries and ticket keys live an hour; the cache
 * holds one entry per recent client session. */
#define MGMT_TLS_RESUME_S 3600
#define MGMT_TLS_CACHE_MAX 128

/* TLS 1.2, forward secrecy (ECDHE), AEAD only (RFC 7525 section 4.2's
 * recommended suites plus ChaCha20-Poly1305, RFC 7905), ECDSA first: the
 * host key is P-256. */
static const int mgmt_tls_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	0,
};

static const char mgmt_tls_pers[] = "keel-mgmt-endpoint";

static struct mgmt_mutex mgmt_tls_drbg_lock = MGMT_MUTEX_INIT;
static mbedtls_ctr_drbg_context mgmt_tls_drbg;
static bool mgmt_tls_seeded;

/* The configuration and every cache/ticket context. Lock order: this,
 * then the DRBG lock (ticket keys draw from the DRBG). */
static struct mgmt_mutex mgmt_tls_lock = MGMT_MUTEX_INIT;
static struct mgmt_tls_conf *mgmt_tls_current;

void mgmt_tls_strerror(int rc, char *buf, size_t len)
{
	mbedtls_strerror(rc, buf, len);
}

static int mgmt_tls_entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	entropy_read(buf, len);
	return 0;
}

int mgmt_tls_init(void)
{
	int rc = 0;

	mgmt_mutex_lock(&mgmt_tls_drbg_lock);
	if (!mgmt_tls_seeded) {
		mbedtls_ctr_drbg_init(&mgmt_tls_drbg);
		rc = mbedtls_ctr_drbg_seed(&mgmt_tls_drbg, mgmt_tls_entropy,
					   NULL,
					   (const unsigned char *)mgmt_tls_pers,
					   sizeof(mgmt_tls_pers) - 1);
		if (rc == 0)
			mgmt_tls_seeded = true;
		else
			mbedtls_ctr_drbg_free(&mgmt_tls_drbg);
	}
	mgmt_mutex_unlock(&mgmt_tls_drbg_lock);
	return rc ? -EIO : 0;
}

/* f_rng for mbedTLS: the shared DRBG under its lock. */
static int mgmt_tls_rng(void *ctx, unsigned char *out, size_t len)
{
	int rc;

	(void)ctx;
	mgmt_mutex_lock(&mgmt_tls_drbg_lock);
	rc = mgmt_tls_seeded ? mbedtls_ctr_drbg_random(&mgmt_tls_drbg, out, len)
			     : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
	mgmt_mutex_unlock(&mgmt_tls_drbg_lock);
	return rc;
}

int mgmt_tls_random(void *buf, size_t len)
{
	if (mgmt_tls_init())
		return -EIO;
	/* CTR_DRBG hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST per call. */
	while (len) {
		size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST
			       ? len
			       : MBEDTLS_CTR_DRBG_MAX_REQUEST;
		if (mgmt_tls_rng(NULL, buf, n))
			return -EIO;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/* --- Session cache and tickets under the lock ---------------------------- */

static int mgmt_tls_cache_get(void *data, mbedtls_ssl_session *s)
{
	int rc;

	mgmt_mutex_lock(&mgmt_tls_lock);
	rc = mbedtls_ssl_cache_get(data, s);
	mgmt_mutex_unlock(&mgmt_tls_lock);
	return rc;
}

static int mgmt_tls_cache_set(void *data, const mbedtls_ssl_session *s)
{
	int rc;

	mgmt_mutex_lock(&mgmt_tls_lock);
	rc = mbedtls_ssl_cache_set(data, s);
	mgmt_mutex_unlock(&mgmt_tls_lock);
	return rc;
}

static int mgmt_tls_ticket_write(void *p, const mbedtls_ssl_session *s,
				 unsigned char *start, const unsigned char *end,
				 size_t *tlen, uint32_t *lifetime)
{
	int rc;

	mgmt_mutex_lock(&mgmt_tls_lock);
	rc = mbedtls_ssl_ticket_write(p, s, start, end, tlen, lifetime);
	mgmt_mutex_unlock(&mgmt_tls_lock);
	return rc;
}

static int mgmt_tls_ticket_parse(void *p, mbedtls_ssl_session *s,
				 unsigned char *buf, size_t len)
{
	int rc;

	mgmt_mutex_lock(&mgmt_tls_lock);
	rc = mbedtls_ssl_ticket_parse(p, s, buf, len);
	mgmt_mutex_unlock(&mgmt_tls_lock);
	return rc;
}

/* --- Configurations ------------------------------------------------------ */

static void mgmt_tls_conf_free(struct mgmt_tls_conf *c)
{
	mbedtls_ssl_config_free(&c->conf);
	mbedtls_ssl_cache_free(&c->cache);
	mbedtls_ssl_ticket_free(&c->ticket);
	mbedtls_x509_crt_free(&c->crt);
	mbedtls_pk_free(&c->key); /* zeroizes the private key */
	free(c);
}

/* Build a configuration from the stored identity; NULL with *@err. */
static struct mgmt_tls_conf *mgmt_tls_conf_build(unsigned int gen, int *err)
{
	struct mgmt_tls_conf *c = calloc(1, sizeof(*c));
	uint8_t *key = NULL, *crt = NULL;
	size_t klen = 0, clen = 0;
	int rc;

	*err = -ENOMEM;
	if (!c)
		return NULL;
	c->generation = gen;
	c->refs = 1; /* mgmt_tls_current's */
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_ssl_cache_init(&c->cache);
	mbedtls_ssl_ticket_init(&c->ticket);
	mbedtls_x509_crt_init(&c->crt);
	mbedtls_pk_init(&c->key);

	*err = store_get_tls(&key, &klen, &crt, &clen);
	if (*err)
		goto fail;
	*err = -EINVAL;
	rc = mbedtls_x509_crt_parse_der(&c->crt, crt, clen);
	if (rc == 0)
		rc = mbedtls_pk_parse_key(&c->key, key, klen, NULL, 0);
	if (rc)
		goto fail;
	mgmt_cert_thumbprint(crt, clen, c->thumbprint);

	*err = -EIO;
	rc = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_SERVER,
					 MBEDTLS_SSL_TRANSPORT_STREAM,
					 MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc)
		goto fail;
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&c->conf, mgmt_tls_suites);
	mbedtls_ssl_conf_rng(&c->conf, mgmt_tls_rng, NULL);
	/* No client certificates: the client proves itself with the root
	 * password (session.login). */
	mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
	rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->crt, &c->key);
	if (rc)
		goto fail;

	mbedtls_ssl_cache_set_timeout(&c->cache, MGMT_TLS_RESUME_S);
	mbedtls_ssl_cache_set_max_entries(&c->cache, MGMT_TLS_CACHE_MAX);
	mbedtls_ssl_conf_session_cache(&c->conf, &c->cache, mgmt_tls_cache_get,
				       mgmt_tls_cache_set);
	/* Ticket keys: AES-256-GCM, rotated by mbedTLS every lifetime. */
	rc = mbedtls_ssl_ticket_setup(&c->ticket, mgmt_tls_rng, NULL,
				      MBEDTLS_CIPHER_AES_256_GCM,
				      MGMT_TLS_RESUME_S);
	if (rc)
		goto fail;
	mbedtls_ssl_conf_session_tickets_cb(&c->conf, mgmt_tls_ticket_write,
					    mgmt_tls_ticket_parse, &c->ticket);
	*err = 0;
fail:
	if (key) {
		mbedtls_platform_zeroize(key, klen);
		free(key);
	}
	free(crt);
	if (*err) {
		mgmt_tls_conf_free(c);
		return NULL;
	}
	return c;
}

struct mgmt_tls_conf *mgmt_tls_conf_get(bool reload, int *err)
{
	struct mgmt_tls_conf *c, *old = NULL;
	unsigned int gen = mgmt_cert_generation();

	*err = mgmt_tls_init();
	if (*err)
		return NULL;
	mgmt_mutex_lock(&mgmt_tls_lock);
	c = mgmt_tls_current;
	if (!c || reload || c->generation != gen) {
		/* Parsing a P-256 key and a certificate takes a few ms; the
		 * lock keeps two connections from building two. */
		struct mgmt_tls_conf *n = mgmt_tls_conf_build(gen, err);
		if (!n) {
			mgmt_mutex_unlock(&mgmt_tls_lock);
			return NULL;
		}
		if (c && --c->refs == 0)
			old = c;
		mgmt_tls_current = c = n;
	}
	c->refs++;
	mgmt_mutex_unlock(&mgmt_tls_lock);
	if (old)
		mgmt_tls_conf_free(old);
	*err = 0;
	return c;
}

void mgmt_tls_conf_put(struct mgmt_tls_conf *c)
{
	bool last;

	if (!c)
		return;
	mgmt_mutex_lock(&mgmt_tls_lock);
	last = --c->refs == 0;
	mgmt_mutex_unlock(&mgmt_tls_lock);
	if (last)
		mgmt_tls_conf_free(c);
}

/* --- The record layer's transport ---------------------------------------- */

/* Has this slice's wait run out for good? Sets io->end. */
static bool mgmt_tls_io_over(struct mgmt_tls_io *io)
{
	if (io->stop && *io->stop) {
		io->end = MGMT_TLS_STOPPED;
		return true;
	}
	if (time_ns() >= io->deadline) {
		io->end = MGMT_TLS_TIMEOUT;
		return true;
	}
	return false;
}

int mgmt_tls_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct mgmt_tls_io *io = ctx;

	if (io->end != MGMT_TLS_OPEN)
		return io->end == MGMT_TLS_EOF ? 0 : MBEDTLS_ERR_SSL_TIMEOUT;
	while (!io->rx) {
		err_t e;

		if (mgmt_tls_io_over(io))
			return MBEDTLS_ERR_SSL_TIMEOUT;
		netconn_set_recvtimeout(io->nc, MGMT_TLS_SLICE_MS);
		e = netconn_recv_tcp_pbuf(io->nc, &io->rx);
		if (e == ERR_TIMEOUT)
			continue;
		if (e == ERR_CLSD) {
			io->end = MGMT_TLS_EOF;
			return 0; /* mbedTLS: MBEDTLS_ERR_SSL_CONN_EOF */
		}
		if (e != ERR_OK) {
			io->rx = NULL;
			io->end = MGMT_TLS_NET_ERR;
			return MBEDTLS_ERR_NET_CONN_RESET;
		}
		io->rx_off = 0;
	}
	size_t avail = io->rx->tot_len - io->rx_off;
	size_t n = len < avail ? len : avail;

	pbuf_copy_partial(io->rx, buf, (u16_t)n, (u16_t)io->rx_off);
	io->rx_off += n;
	io->bytes_in += n;
	if (io->rx_off >= io->rx->tot_len) {
		pbuf_free(io->rx);
		io->rx = NULL;
	}
	return (int)n;
}

int mgmt_tls_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct mgmt_tls_io *io = ctx;

	if (io->end != MGMT_TLS_OPEN && io->end != MGMT_TLS_EOF)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	for (;;) {
		size_t done = 0;
		err_t e;

		if (mgmt_tls_io_over(io))
			return MBEDTLS_ERR_SSL_TIMEOUT;
		netconn_set_sendtimeout(io->nc, MGMT_TLS_SLICE_MS);
		e = netconn_write_partly(io->nc, buf, len, NETCONN_COPY, &done);
		if (e == ERR_OK && done > 0) {
			io->bytes_out += done;
			return (int)done;
		}
		if (e != ERR_OK && e != ERR_WOULDBLOCK && e != ERR_TIMEOUT) {
			io->end = MGMT_TLS_NET_ERR;
			return MBEDTLS_ERR_NET_SEND_FAILED;
		}
	}
}

void mgmt_tls_io_free(struct mgmt_tls_io *io)
{
	if (io->rx) {
		pbuf_free(io->rx);
		io->rx = NULL;
	}
}
