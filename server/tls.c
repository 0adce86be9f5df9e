/* tls.c: TLS for planboardd. The listener stays plain TCP; each accepted
 * socket is wrapped in an OpenSSL bufferevent, so conn.c reads and writes
 * frames the same way with or without TLS. */
#include "tls.h"
#include "log.h"
#include "util.h"

#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/stat.h>

/* The first queued OpenSSL error as text ("" if none), then clear the queue. */
static const char *openssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

void *tls_server_ctx_new(const char *cert_file, const char *key_file, char **err)
{
	char why[256];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		*err = xasprintf("cannot create a TLS context: %s", openssl_reason(why, sizeof why));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Clients reconnect per command; no session state worth keeping. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		*err = xasprintf("cannot load the TLS certificate %s: %s", cert_file,
				 openssl_reason(why, sizeof why));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		*err = xasprintf("cannot load the TLS key %s: %s", key_file, openssl_reason(why, sizeof why));
		goto fail;
	}
	struct stat sb;
	if (stat(key_file, &sb) == 0 && (sb.st_mode & 077))
		log_warn("the TLS key %s is readable by group or others (mode %03o); chmod 0600 or 0640",
			 key_file, (unsigned)(sb.st_mode & 0777));
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*err = xasprintf("the TLS key %s does not match the certificate %s", key_file, cert_file);
		ERR_clear_error();
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

struct bufferevent *tls_bufferevent_new(struct event_base *base, void *ctx, evutil_socket_t fd)
{
	SSL *ssl = SSL_new(ctx);
	if (ssl == NULL) {
		evutil_closesocket(fd);
		return NULL;
	}
	struct bufferevent *bev = bufferevent_openssl_socket_new(
		base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		return NULL;
	}
	/* A peer that just closes the socket is an ordinary end, not an error. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

const char *tls_error_string(struct bufferevent *bev)
{
	static char buf[256];
	unsigned long e = bufferevent_get_openssl_error(bev);
	if (e == 0)
		return "";
	ERR_error_string_n(e, buf, sizeof buf);
	while (bufferevent_get_openssl_error(bev) != 0)
		;
	return buf;
}

bool addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}
