#!/usr/bin/env bash
# TLS: a throwaway CA and server certificate made with the openssl command;
# a good handshake, a wrong CA, a wrong host name, a plaintext client on a
# TLS server (clear error on both sides, server unharmed), a TLS client on a
# plaintext server, bad certificate options, and the non-loopback rule.
. "$(dirname "$0")/lib.sh"

mkcert() { # mkcert NAME CN SAN: a CA NAME-ca and a server certificate NAME signed by it
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1 test CA" \
    -keyout "$T/$1-ca.key" -out "$T/$1-ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$3" >"$T/$1.ext"
  openssl x509 -req -in "$T/$1.csr" -CA "$T/$1-ca.pem" -CAkey "$T/$1-ca.key" -CAcreateserial \
    -days 2 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null
}
mkcert good localhost "DNS:localhost"
mkcert other localhost "DNS:localhost"
TLS=(--tls --ca "$T/good-ca.pem" -H localhost)

# Option errors are clear and stop the server from starting.
expect_rc 1 run_server_expect_fail --tls-cert "$T/good.pem"
check "cert without key is refused" grep -q "go together" "$T/fail.log"
expect_rc 1 run_server_expect_fail --tls-cert "$T/missing.pem" --tls-key "$T/good.key"
check "missing certificate named" grep -q "cannot load the TLS certificate $T/missing.pem" "$T/fail.log"
expect_rc 1 run_server_expect_fail --tls-cert "$T/good.pem" --tls-key "$T/other.key"
check "mismatched key named" grep -q "cannot load the TLS key .*mismatch" "$T/fail.log"
# Plaintext on a non-loopback address is refused (nothing is ever sent there).
expect_rc 1 run_server_expect_fail --listen 0.0.0.0:0
check "non-loopback plaintext refused" grep -q "refusing to listen on non-loopback" "$T/fail.log"

chmod 0600 "$T/good.key"
start_server --tls-cert "$T/good.pem" --tls-key "$T/good.key"
check "server log says tls=on" grep -q "tls=on" "$T/server.log"
check "no warning for a private key file" test "$(grep -c 'is readable by group or others' "$T/server.log")" -eq 0

# A good handshake: log in and use the token over TLS.
as_stdin admin "$ADMIN_PW" "${TLS[@]}" login
check "TLS login" test "$RC" -eq 0
expect_ok as admin "${TLS[@]}" locality add north "North"
expect_ok as admin "${TLS[@]}" --json locality list
expect_json 'j[0]["code"]' north

# TLS 1.2 and 1.3 are served; 1.1 is refused even to a client that offers it.
sclient() { echo | timeout 10 openssl s_client -connect "127.0.0.1:$PLANBOARD_PORT" -servername localhost \
  -CAfile "$T/good-ca.pem" -brief "$@" 2>&1; }
OUT="$(sclient -tls1_2)"; expect_out "Protocol version: TLSv1.2"
OUT="$(sclient -tls1_3)"; expect_out "Protocol version: TLSv1.3"
OUT="$(sclient -tls1_1 -cipher 'DEFAULT@SECLEVEL=0')"; expect_no_out "Protocol version"
expect_out "alert protocol version"

# A --ca file that does not exist.
expect_rc 2 as admin --ca "$T/nope.pem" -H localhost locality list
expect_err "cannot load CA certificates from $T/nope.pem"

# A CA that did not sign the server's certificate.
expect_rc 2 as admin --tls --ca "$T/other-ca.pem" -H localhost locality list
expect_err "not trusted"
# The right CA but a host name the certificate does not carry.
expect_rc 2 as admin --tls --ca "$T/good-ca.pem" -H 127.0.0.1 locality list
expect_err "not trusted for 127.0.0.1"
# No --ca: the system store does not know the throwaway CA.
expect_rc 2 as admin --tls -H localhost locality list
expect_err "not trusted"

# A plaintext client talking to the TLS server.
expect_rc 2 as admin -H localhost locality list
expect_err "if it uses TLS, add --tls"
sleep 0.2
check "server logs the failed handshake" grep -q "TLS handshake failed" "$T/server.log"
check "server alive after plaintext client" server_alive
expect_ok as admin "${TLS[@]}" locality list
expect_out north

# Raw garbage and an abrupt close during the handshake do not hurt it.
python3 - "$PLANBOARD_PORT" <<'PY'
import socket, sys
for payload in (b"", b"\x16\x03\x01\x00\x05hello", b"\x00" * 100, b"GET / HTTP/1.0\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(payload)
    s.close()
PY
sleep 0.2
check "server alive after garbage handshakes" server_alive
expect_ok as admin "${TLS[@]}" locality list

# Silent TCP peers that never start the TLS handshake are cut off (the
# handshake timeout, then the grace for the last message), so they cannot
# hold the connection slots: with 3 slots, 3 silent peers, a client still
# gets in once they are dropped.
stop_server
start_server --tls-cert "$T/good.pem" --tls-key "$T/good.key" --handshake-timeout 1 --max-connections 3
OUT="$(python3 - "$PLANBOARD_PORT" <<'PY'
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(3)]
start = time.time()
closed = 0
for s in socks:
    s.settimeout(15)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    closed += 1
print("closed %d after %.0f s" % (closed, time.time() - start))
PY
)"
expect_out "closed 3 after"
check "silent peers dropped within handshake + grace (1 + 5 s, slack for a loaded machine)" test "$(echo "$OUT" | awk '{print $4}')" -le 12
check "the drop is logged" grep -q "did not take its last message" "$T/server.log"
expect_ok as_stdin admin "$ADMIN_PW" "${TLS[@]}" login

# A key file others can read is served, with a warning.
stop_server
chmod 0644 "$T/good.key"
start_server --tls-cert "$T/good.pem" --tls-key "$T/good.key"
check "world-readable key warned about" grep -q "is readable by group or others (mode 644)" "$T/server.log"
chmod 0600 "$T/good.key"

# A TLS client talking to a plaintext server.
stop_server
start_server
expect_rc 2 as admin "${TLS[@]}" locality list
expect_err "TLS handshake with localhost failed"
check "plaintext server alive" server_alive
finish
