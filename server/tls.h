/* tls.h: the server's TLS (OpenSSL through libevent's bufferevent_openssl)
 * and the rule that plaintext is only served on loopback addresses. */
#ifndef PLANBOARD_TLS_H
#define PLANBOARD_TLS_H

#include <event2/bufferevent.h>
#include <stdbool.h>
#include <sys/socket.h>

struct server;

/* Load the certificate chain and key into a TLS >= 1.2 server context.
 * NULL on failure with *err set (free it). The result is an SSL_CTX *. */
void *tls_server_ctx_new(const char *cert_file, const char *key_file, char **err);
void tls_ctx_free(void *ctx);
/* A bufferevent for an accepted socket that does the server side of the
 * handshake before any frame is read. NULL on failure (fd closed). */
struct bufferevent *tls_bufferevent_new(struct event_base *base, void *ctx, evutil_socket_t fd);
/* Why the TLS layer of bev failed, for the log (static buffer). */
const char *tls_error_string(struct bufferevent *bev);
/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 are loopback. */
bool addr_is_loopback(const struct sockaddr *sa);

#endif
