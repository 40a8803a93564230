// SPDX-License-Identifier: MIT
/* keelctl's TLS transport over mbedTLS 2.28 (client/tls.h). */
#include "client/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>

#include "client/util.h"

struct kc_tls {
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_session session; /* for resumption */
	bool have_session, open;
	int timeout_ms;
	uint8_t thumb[32];
	char err[256];
};

/* The endpoint's suites (issue 7: TLS 1.2, ECDHE with AEAD only); the
 * host key is ECDSA P-256, RSA kept for a future certificate. */
static const int kc_tls_suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	0,
};

static void kc_tls_set_err(struct kc_tls *t, const char *what, int rc)
{
	char buf[160];

	mbedtls_strerror(rc, buf, sizeof(buf));
	snprintf(t->err, sizeof(t->err), "%s: %s", what, buf);
}

struct kc_tls *kc_tls_new(int timeout_ms)
{
	static const char pers[] = "keelctl";
	struct kc_tls *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->timeout_ms = timeout_ms;
	mbedtls_net_init(&t->net);
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_ssl_session_init(&t->session);
	if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
				  (const unsigned char *)pers,
				  sizeof(pers) - 1) ||
	    mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
					MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT)) {
		kc_tls_free(t);
		return NULL;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	/* Trust is the thumbprint, checked by client/trust.c before any
	 * request; a self-signed host certificate has no CA to check. */
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&t->conf, kc_tls_suites);
	mbedtls_ssl_conf_read_timeout(&t->conf, (uint32_t)timeout_ms);
	return t;
}

void kc_tls_free(struct kc_tls *t)
{
	if (!t)
		return;
	kc_tls_close(t);
	mbedtls_ssl_session_free(&t->session);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	free(t);
}

/* TCP connect to each address of @host in turn, each within the
 * timeout; the socket ends up blocking, with send/receive timeouts. */
static int kc_tcp_connect(struct kc_tls *t, const char *host, int port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_family = AF_UNSPEC },
			*res, *ai;
	char sport[8];
	int rc, fd = -1, err = 0;

	snprintf(sport, sizeof(sport), "%d", port);
	rc = getaddrinfo(host, sport, &hints, &res);
	if (rc) {
		snprintf(t->err, sizeof(t->err), "cannot resolve %s: %s", host,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) &&
		    errno != EINPROGRESS) {
			err = errno;
			goto next;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		rc = poll(&p, 1, t->timeout_ms);
		if (rc == 0) {
			err = ETIMEDOUT;
			goto next;
		}
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err)
			goto next;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		break;
	next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(t->err, sizeof(t->err),
			 "cannot connect to %s port %d: %s", host, port,
			 strerror(err ? err : ECONNREFUSED));
		return -1;
	}
	struct timeval tv = { .tv_sec = t->timeout_ms / 1000,
			      .tv_usec = t->timeout_ms % 1000 * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	t->net.fd = fd;
	return 0;
}

int kc_tls_connect(struct kc_tls *t, const char *host, int port)
{
	const mbedtls_x509_crt *crt;
	unsigned char a[16];
	int rc;

	kc_tls_close(t);
	t->err[0] = 0;
	if (kc_tcp_connect(t, host, port))
		return -1;
	mbedtls_ssl_init(&t->ssl);
	rc = mbedtls_ssl_setup(&t->ssl, &t->conf);
	/* SNI carries names only, never an address (RFC 6066 section 3). */
	if (!rc && inet_pton(AF_INET, host, a) != 1 &&
	    inet_pton(AF_INET6, host, a) != 1)
		rc = mbedtls_ssl_set_hostname(&t->ssl, host);
	if (rc) {
		kc_tls_set_err(t, "TLS setup", rc);
		goto fail;
	}
	if (t->have_session)
		mbedtls_ssl_set_session(&t->ssl, &t->session);
	mbedtls_ssl_set_bio(&t->ssl, &t->net, mbedtls_net_send, NULL,
			    mbedtls_net_recv_timeout);
	t->open = true;
	while ((rc = mbedtls_ssl_handshake(&t->ssl))) {
		if (rc == MBEDTLS_ERR_SSL_WANT_READ ||
		    rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc == MBEDTLS_ERR_SSL_TIMEOUT)
			snprintf(t->err, sizeof(t->err),
				 "TLS handshake with %s timed out", host);
		else
			kc_tls_set_err(t, "TLS handshake failed", rc);
		goto fail;
	}
	crt = mbedtls_ssl_get_peer_cert(&t->ssl);
	if (!crt || !crt->raw.len) {
		snprintf(t->err, sizeof(t->err),
			 "the server sent no certificate");
		goto fail;
	}
	mbedtls_sha256_ret(crt->raw.p, crt->raw.len, t->thumb, 0);
	mbedtls_ssl_session_free(&t->session);
	mbedtls_ssl_session_init(&t->session);
	t->have_session = !mbedtls_ssl_get_session(&t->ssl, &t->session);
	return 0;
fail:
	kc_tls_close(t);
	return -1;
}

const uint8_t *kc_tls_thumb(const struct kc_tls *t)
{
	return t->thumb;
}

bool kc_tls_open(const struct kc_tls *t)
{
	return t->open;
}

void kc_tls_close(struct kc_tls *t)
{
	if (t->open) {
		/* Best effort: the peer may be gone already. */
		mbedtls_ssl_close_notify(&t->ssl);
		mbedtls_ssl_free(&t->ssl);
		t->open = false;
	}
	mbedtls_net_free(&t->net);
}

void kc_tls_set_timeout(struct kc_tls *t, int timeout_ms)
{
	t->timeout_ms = timeout_ms;
	/* Read by mbedtls_ssl_read on each call (ssl->conf->read_timeout). */
	mbedtls_ssl_conf_read_timeout(&t->conf, (uint32_t)timeout_ms);
}

bool kc_tls_peer_closed(struct kc_tls *t)
{
	struct pollfd p = { .fd = t->net.fd, .events = POLLIN };

	/* Nothing is due on an idle connection: anything readable is the
	 * server's close (FIN, or a close_notify alert). */
	return !t->open || poll(&p, 1, 0) != 0;
}

long kc_tls_read(void *ctx, void *buf, size_t n)
{
	struct kc_tls *t = ctx;
	int rc;

	do {
		rc = mbedtls_ssl_read(&t->ssl, buf, n);
	} while (rc == MBEDTLS_ERR_SSL_WANT_READ ||
		 rc == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (rc >= 0)
		return rc;
	if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
	    rc == MBEDTLS_ERR_NET_CONN_RESET)
		return 0;
	if (rc == MBEDTLS_ERR_SSL_TIMEOUT)
		snprintf(t->err, sizeof(t->err),
			 "timed out waiting for the server (%d s)",
			 t->timeout_ms / 1000);
	else
		kc_tls_set_err(t, "TLS read", rc);
	return -1;
}

int kc_tls_write(void *ctx, const void *buf, size_t n)
{
	struct kc_tls *t = ctx;
	const unsigned char *p = buf;

	while (n) {
		int rc = mbedtls_ssl_write(&t->ssl, p, n);

		if (rc == MBEDTLS_ERR_SSL_WANT_READ ||
		    rc == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (rc < 0) {
			kc_tls_set_err(t, "TLS write", rc);
			return -1;
		}
		p += rc;
		n -= (size_t)rc;
	}
	return 0;
}

const char *kc_tls_error(const struct kc_tls *t)
{
	return t->err;
}
