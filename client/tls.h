/* SPDX-License-Identifier: MIT */
/*
 * keelctl's TLS connection (mbedTLS, Debian's libmbedtls 2.28 = the
 * kernel's pinned version): TCP connect and handshake with timeouts,
 * TLS 1.2 with the suites the endpoint offers (ECDHE with AES-GCM or
 * ChaCha20-Poly1305), session resumption across reconnects, and the
 * SHA-256 of the server's certificate for client/trust.c. No CA check:
 * trust is by thumbprint (docs/keelctl.md "Trust").
 */
#ifndef KEEL_CLIENT_TLS_H
#define KEEL_CLIENT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kc_tls; /* opaque: mbedTLS state */

/* Timeouts in milliseconds for connect, handshake and each read/write. */
struct kc_tls *kc_tls_new(int timeout_ms);
void kc_tls_free(struct kc_tls *t);

/* Connect and handshake; 0, or -1 with kc_tls_error() saying why. */
int kc_tls_connect(struct kc_tls *t, const char *host, int port);
/* The server certificate's SHA-256 (valid after a connect). */
const uint8_t *kc_tls_thumb(const struct kc_tls *t);
bool kc_tls_open(const struct kc_tls *t);
/* Send close_notify and close the socket; the session is kept. */
void kc_tls_close(struct kc_tls *t);

/* The read timeout from the next read on (a call known to be slow). */
void kc_tls_set_timeout(struct kc_tls *t, int timeout_ms);
/* Between requests: the server has closed the connection (or is about
 * to: it sent something unasked). */
bool kc_tls_peer_closed(struct kc_tls *t);
/* > 0 bytes, 0 on a clean close, -1 on error or timeout. */
long kc_tls_read(void *t, void *buf, size_t n);
/* 0 or -1. */
int kc_tls_write(void *t, const void *buf, size_t n);
const char *kc_tls_error(const struct kc_tls *t);

#endif
