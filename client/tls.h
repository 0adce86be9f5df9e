/* tls.h: the client side of TLS (OpenSSL): verify the server against the
 * system trust store or --ca FILE, and its host name. */
#ifndef PLANBOARD_CLIENT_TLS_H
#define PLANBOARD_CLIENT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Handshake on the connected socket fd; an exit code (EXIT_OK or
 * EXIT_CONNECT with the reason printed). */
int cli_tls_start(int fd, const char *host, const char *ca_file, int timeout_ms);
bool cli_tls_active(void);
/* Like send/recv on the socket: bytes, 0 at the end, -1 on error. */
ssize_t cli_tls_write(const void *data, size_t len);
ssize_t cli_tls_read(void *data, size_t len);
/* Bytes already decrypted and waiting (no need to poll the socket). */
bool cli_tls_pending(void);
void cli_tls_close(void);

#endif
