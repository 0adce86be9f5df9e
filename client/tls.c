/* tls.c: the client's TLS connection. The socket stays blocking with
 * SO_RCVTIMEO/SO_SNDTIMEO, so OpenSSL's reads and writes time out like the
 * plaintext ones. */
#include "tls.h"
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/socket.h>

static SSL_CTX *ctx;
static SSL *ssl;

static const char *ssl_reason(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();
	if (e == 0)
		return "connection closed during the handshake";
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

static int make_ctx(const char *ca_file)
{
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return cli_error(EXIT_CONNECT, "cannot create a TLS context: %s", ssl_reason());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
			 : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1)
		return cli_error(EXIT_CONNECT, "cannot load CA certificates%s%s: %s", ca_file ? " from " : "",
				 ca_file ? ca_file : "", ssl_reason());
	return EXIT_OK;
}

/* Check the certificate names the host: a DNS name, or an IP address. */
static void set_expected_host(const char *host)
{
	unsigned char addr[16];
	X509_VERIFY_PARAM *p = SSL_get0_param(ssl);
	if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(p, host);
	} else {
		SSL_set1_host(ssl, host);
		SSL_set_tlsext_host_name(ssl, host);
	}
}

static void set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int cli_tls_start(int fd, const char *host, const char *ca_file, int timeout_ms)
{
	int rc = make_ctx(ca_file);
	if (rc != EXIT_OK)
		return rc;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1)
		return cli_error(EXIT_CONNECT, "cannot set up TLS: %s", ssl_reason());
	set_expected_host(host);
	set_timeouts(fd, timeout_ms);
	if (SSL_connect(ssl) != 1) {
		long v = SSL_get_verify_result(ssl);
		if (v != X509_V_OK)
			return cli_error(EXIT_CONNECT, "TLS: the server's certificate is not trusted for %s: %s", host,
					 X509_verify_cert_error_string(v));
		return cli_error(EXIT_CONNECT, "TLS handshake with %s failed: %s (does the server use TLS?)", host,
				 ssl_reason());
	}
	return EXIT_OK;
}

bool cli_tls_active(void)
{
	return ssl != NULL;
}

bool cli_tls_pending(void)
{
	return ssl != NULL && SSL_pending(ssl) > 0;
}

ssize_t cli_tls_write(const void *data, size_t len)
{
	int n = SSL_write(ssl, data, len > INT32_MAX ? INT32_MAX : (int)len);
	if (n <= 0) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return n;
}

ssize_t cli_tls_read(void *data, size_t len)
{
	int n = SSL_read(ssl, data, len > INT32_MAX ? INT32_MAX : (int)len);
	if (n > 0)
		return n;
	int e = SSL_get_error(ssl, n);
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0))
		return 0;
	if (e == SSL_ERROR_SSL)
		errno = EPROTO;
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		errno = ETIMEDOUT;
	ERR_clear_error();
	return -1;
}

void cli_tls_close(void)
{
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	ssl = NULL;
	ctx = NULL;
}
