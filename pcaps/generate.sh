#!/usr/bin/env bash
# Regenerates the captures in pcaps/ from real TLS stacks talking over loopback.
#
#   bash pcaps/generate.sh            every scenario
#   bash pcaps/generate.sh NAME...    only these (file names without extension)
#
# Needs: openssl, tcpdump, dumpcap/editcap/tshark (wireshark), java + javac (JDK 17), python3,
# curl, nginx, gnutls-bin. Runs as root (tcpdump on lo). Traffic stays on 127.0.0.1 and ::1.
# Certificates are made fresh each run (pcaps/gen/certs.sh), so regenerated files differ in their
# keys and dates from the committed ones; what happens on the wire stays the same.
# After a run, `bash pcaps/oracle.sh` refreshes tshark's view in pcaps/oracle/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$here/.work
pki=$work/pki
log=$work/log
mkdir -p "$work" "$log"

for tool in openssl tcpdump dumpcap editcap java javac python3 curl nginx gnutls-serv gnutls-cli; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 2; }
done

[ -f "$pki/root.crt" ] || bash "$here/gen/certs.sh" "$pki"
# The client certificates of these captures, for `--client-cert` tests (certificates only, no keys).
mkdir -p "$here/certs"
for c in client client-chain client-unrelated client-ec client-expired-chain client-server-eku-chain root; do
  cp "$pki/$c.crt" "$here/certs/$c.pem"
done
cat "$pki/client-ec.crt" "$pki/intermediate.crt" > "$here/certs/client-ec-chain.pem"
openssl x509 -in "$pki/client-ec.crt" -outform der -out "$here/certs/client-ec.der"
if [ ! -f "$work/java/JavaServer.class" ] || [ "$here/gen/JavaServer.java" -nt "$work/java/JavaServer.class" ] \
  || [ "$here/gen/JavaClient.java" -nt "$work/java/JavaClient.class" ]; then
  mkdir -p "$work/java"
  javac -d "$work/java" "$here/gen/JavaServer.java" "$here/gen/JavaClient.java"
fi

port=20000
servers=()
capture_pid=

# Is something listening on TCP port $1 (IPv4 or IPv6)? Read from /proc so that checking sends
# no packet that would end up in the capture.
listening() {
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -q "$hex.* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

wait_until() {
  local what=$1; shift
  for _ in $(seq 1 100); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  echo "generate.sh: timed out waiting for $what" >&2
  return 1
}

# begin NAME [EXT [CAPTURE-TOOL-ARGS...]]: picks a fresh port and starts recording it.
begin() {
  name=$1; ext=${2:-pcap}; shift $(( $# > 1 ? 2 : 1 ))
  port=$((port + 1))
  file=$here/$name.$ext
  rm -f "$file"
  echo "== $name (port $port)"
  if [ "$ext" = pcapng ]; then
    dumpcap -q -i lo -f "tcp port $port" -w "$file" "$@" >"$log/$name.capture" 2>&1 &
    capture_pid=$!
    sleep 1.5
  else
    tcpdump -i "${iface:-lo}" --immediate-mode -U -w "$file" "$@" "tcp port $port" >"$log/$name.capture" 2>&1 &
    capture_pid=$!
    wait_until "tcpdump" grep -q "listening on" "$log/$name.capture"
  fi
}

# serve CMD...: starts a server (stdin kept open) and waits until it listens.
serve() {
  "$@" < <(sleep 60) >"$log/$name.server" 2>&1 &
  servers+=($!)
  wait_until "server on port $port" listening "$port"
}

# run CMD...: runs a client to completion (bounded in time); failures are expected.
run() {
  timeout 20 "$@" >>"$log/$name.client" 2>&1 </dev/null || true
}

# end: stops servers and the capture.
end() {
  sleep 0.5
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
  sleep 0.3
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  echo "   $(tshark -r "$file" 2>/dev/null | wc -l) frames → $(basename "$file")"
}

ossl_server() { # ossl_server EXTRA-ARGS... (TLS 1.2 unless told otherwise)
  serve openssl s_server -accept "$port" -naccept "${naccept:-1}" -cert "$pki/${cert:-server}.crt" \
    -key "$pki/${cert:-server}.key" -cert_chain "$pki/intermediate.crt" -CAfile "$pki/root.crt" \
    -verify_return_error "$@"
}
request() { printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1; }
ossl_client() { # ossl_client EXTRA-ARGS...
  request | timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
    -CAfile "$pki/root.crt" -ign_eof "$@" >>"$log/$name.client" 2>&1 || true
}
java_server() { # java_server PROTOCOL need|want|none [TRUSTSTORE]
  serve java -cp "$work/java" JavaServer "$port" "$pki/java-server.p12" "$pki/${3:-java-trust}.p12" "$1" "$2"
}
java_client() { # java_client KEYSTORE|- PROTOCOL [mismatch]
  local ks=$1
  [ "$ks" = - ] || ks=$pki/$ks.p12
  run java -cp "$work/java" JavaClient localhost "$port" "$ks" "$pki/java-trust.p12" "$2" ${3:-}
}

# --- The headline case: a required client certificate that is not sent -----------------------

s_tls12-mtls-missing-client-cert-openssl() {
  begin tls12-mtls-missing-client-cert-openssl
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2
  end
}

s_tls12-mtls-missing-client-cert-java-server() {
  begin tls12-mtls-missing-client-cert-java-server
  java_server TLSv1.2 need
  ossl_client -tls1_2
  end
}

s_tls12-mtls-missing-client-cert-python-server() {
  begin tls12-mtls-missing-client-cert-python-server
  serve python3 "$here/gen/helpers.py" mtls-server "$port" "$pki"
  ossl_client -tls1_2
  end
}

s_tls12-mtls-missing-client-cert-gnutls-server() {
  begin tls12-mtls-missing-client-cert-gnutls-server
  serve gnutls-serv --port "$port" --http --x509certfile "$pki/server-chain.crt" \
    --x509keyfile "$pki/server.key" --x509cafile "$pki/root.crt" --require-client-cert \
    --priority 'NORMAL:-VERS-TLS1.3'
  ossl_client -tls1_2
  end
}

nginx_mtls() { # nginx_mtls PROTOCOLS: nginx requiring a client certificate (ssl_verify_client on)
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx/nginx.conf" <<CONF
user root root;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events {}
http {
  access_log off;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_protocols $1;
    ssl_certificate $pki/server-chain.crt;
    ssl_certificate_key $pki/server.key;
    ssl_client_certificate $pki/root.crt;
    ssl_verify_client on;
    location / { return 200 "ok\n"; }
  }
}
CONF
  serve nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;'
}

s_tls12-mtls-missing-client-cert-nginx() {
  begin tls12-mtls-missing-client-cert-nginx
  nginx_mtls TLSv1.2
  run curl -sS --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

# --- Key logs: the encrypted parts decrypted ---------------------------------------------------

# curl logs its secrets (SSLKEYLOGFILE); nginx answers HTTP 400 inside TLS 1.3.
s_tls13-mtls-missing-client-cert-nginx-keylog() {
  begin tls13-mtls-missing-client-cert-nginx-keylog
  rm -f "$here/$name.keys"
  nginx_mtls TLSv1.3
  SSLKEYLOGFILE=$here/$name.keys run curl -sS --tlsv1.3 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

# Four TLS 1.3 connections, one per AEAD suite, the first with a KeyUpdate each way (s_client's
# `K`: update and request the peer's); the client's key log.
s_tls13-keylog-suites() {
  begin tls13-keylog-suites
  rm -f "$here/$name.keys"
  naccept=3 ossl_server -tls1_3 -ciphersuites 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'
  { printf 'hello\n'; sleep 0.5; printf 'K\n'; sleep 0.5; printf 'after the key update\n'; sleep 0.5; } |
    timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$pki/root.crt" \
      -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -keylogfile "$here/$name.keys" >>"$log/$name.client" 2>&1 || true
  for suite in TLS_CHACHA20_POLY1305_SHA256 TLS_AES_256_GCM_SHA384; do
    { printf 'hello\n'; sleep 0.5; } |
      timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$pki/root.crt" \
        -tls1_3 -ciphersuites "$suite" -keylogfile "$here/$name.keys" >>"$log/$name.client" 2>&1 || true
  done
  end
}

# Bulk data with a key log: a 400 KB download over TLS 1.3 and over TLS 1.2 (`s_server -WWW`), so
# that most application data is skipped by its record headers; the close_notify after it must
# still decrypt.
s_tls-keylog-bulk() {
  begin tls-keylog-bulk
  rm -f "$here/$name.keys"
  mkdir -p "$work/www"
  head -c 400000 /dev/zero | tr '\0' 'x' >"$work/www/big.txt"
  (cd "$work/www" && naccept=2 ossl_server -WWW)
  for version in -tls1_3 -tls1_2; do
    { printf 'GET /big.txt HTTP/1.0\r\n\r\n'; sleep 1; } |
      timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$pki/root.crt" \
        -ign_eof "$version" -keylogfile "$here/$name.keys" >>"$log/$name.client" 2>&1 || true
  done
  end
}

# TLS 1.2 with AES-GCM, ChaCha20-Poly1305 and AES-CBC (encrypt-then-MAC, and MAC-then-encrypt
# with -no_etm), each answering an HTTP request; the client's key log.
s_tls12-keylog-suites() {
  begin tls12-keylog-suites
  rm -f "$here/$name.keys"
  naccept=5 ossl_server -tls1_2 -www
  for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-SHA "AES256-SHA256 -no_etm" "ECDHE-RSA-AES256-SHA384 -no_etm"; do
    # shellcheck disable=SC2086
    ossl_client -tls1_2 -cipher $c -keylogfile "$here/$name.keys"
  done
  end
}

s_tls12-mtls-missing-client-cert-any-sll2() {
  iface=any begin tls12-mtls-missing-client-cert-any-sll2
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2
  end
}

s_tls12-mtls-missing-client-cert-ipv6() {
  begin tls12-mtls-missing-client-cert-ipv6
  serve openssl s_server -6 -accept "[::1]:$port" -naccept 1 -cert "$pki/server.crt" -key "$pki/server.key" \
    -cert_chain "$pki/intermediate.crt" -CAfile "$pki/root.crt" -tls1_2 -Verify 1 -www
  request | timeout 20 openssl s_client -connect "[::1]:$port" -servername localhost \
    -CAfile "$pki/root.crt" -ign_eof -tls1_2 >>"$log/$name.client" 2>&1 || true
  end
}

s_tls12-mtls-missing-client-cert-snaplen96() {
  begin tls12-mtls-missing-client-cert-snaplen96 pcap -s 96
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2
  end
}

# --- Java clients choose a certificate by the server's CA list --------------------------------

s_tls12-mtls-java-client-cert-not-in-ca-list() {
  begin tls12-mtls-java-client-cert-not-in-ca-list
  ossl_server -tls1_2 -Verify 1 -www
  java_client java-client-unrelated TLSv1.2
  end
}

s_tls12-mtls-java-client-no-keystore() {
  begin tls12-mtls-java-client-no-keystore
  ossl_server -tls1_2 -Verify 1 -www
  java_client - TLSv1.2
  end
}

s_tls12-mtls-ok-java() {
  begin tls12-mtls-ok-java
  java_server TLSv1.2 need
  java_client java-client TLSv1.2
  end
}

# --- Client certificate sent and rejected -----------------------------------------------------

s_tls12-client-cert-unknown-ca() {
  begin tls12-client-cert-unknown-ca
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key"
  end
}

s_tls12-client-cert-expired() {
  begin tls12-client-cert-expired
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client-expired.crt" -key "$pki/client-expired.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-client-cert-missing-intermediate() {
  begin tls12-client-cert-missing-intermediate
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client.crt" -key "$pki/client.key"
  end
}

s_tls12-client-cert-no-clientauth-eku() {
  begin tls12-client-cert-no-clientauth-eku
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client-server-eku.crt" -key "$pki/client-server-eku.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-client-cert-no-clientauth-eku-java-server() {
  begin tls12-client-cert-no-clientauth-eku-java-server
  java_server TLSv1.2 need
  ossl_client -tls1_2 -cert "$pki/client-server-eku.crt" -key "$pki/client-server-eku.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-client-cert-revoked() {
  begin tls12-client-cert-revoked
  ossl_server -tls1_2 -Verify 1 -crl_check -CRL "$pki/intermediate.crl" -www
  ossl_client -tls1_2 -cert "$pki/client-revoked.crt" -key "$pki/client-revoked.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-client-cert-not-yet-valid() {
  begin tls12-client-cert-not-yet-valid
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client-future.crt" -key "$pki/client-future.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-client-cert-untrusted-python-server() {
  begin tls12-client-cert-untrusted-python-server
  serve python3 "$here/gen/helpers.py" mtls-server "$port" "$pki"
  ossl_client -tls1_2 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -cert_chain "$pki/unrelated.crt"
  end
}

s_tls12-client-cert-key-mismatch-java-client() {
  begin tls12-client-cert-key-mismatch-java-client
  ossl_server -tls1_2 -Verify 1 -www
  java_client java-client TLSv1.2 mismatch
  end
}

s_tls12-client-cert-type-mismatch() {
  begin tls12-client-cert-type-mismatch
  # The CertificateRequest allows RSA signatures only; the client's certificate has an EC key.
  ossl_server -tls1_2 -Verify 1 -client_sigalgs 'RSA+SHA256:RSA-PSS+SHA256' -www
  ossl_client -tls1_2 -cert "$pki/client-ec.crt" -key "$pki/client-ec.key" -cert_chain "$pki/intermediate.crt"
  end
}

# Post-handshake authentication with the client's key log: the late CertificateRequest and the
# client's answer are decrypted.
s_tls13-post-handshake-auth-keylog() {
  begin tls13-post-handshake-auth-keylog
  rm -f "$here/$name.keys"
  interactive -tls1_3 -- -tls1_3 -enable_pha -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt" -keylogfile "$here/$name.keys" -- c
  end
}

s_tls13-post-handshake-auth() {
  begin tls13-post-handshake-auth
  interactive -tls1_3 -- -tls1_3 -enable_pha -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt" -- c
  end
}

# --- Mutual TLS that works, and optional client authentication -------------------------------

s_tls12-mtls-ok() {
  begin tls12-mtls-ok
  ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-mtls-ok-ecdsa-dumpcap() {
  begin tls12-mtls-ok-ecdsa-dumpcap pcapng
  cert=server-ec ossl_server -tls1_2 -Verify 1 -www
  ossl_client -tls1_2 -cert "$pki/client-ec.crt" -key "$pki/client-ec.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls13-mtls-ok() {
  begin tls13-mtls-ok
  ossl_server -tls1_3 -Verify 1 -www
  ossl_client -tls1_3 -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt"
  end
}

s_tls12-mtls-optional-no-cert() {
  begin tls12-mtls-optional-no-cert
  ossl_server -tls1_2 -verify 1 -www
  ossl_client -tls1_2
  end
}

# --- TLS 1.3: the client certificate and the alert are encrypted ------------------------------

s_tls13-mtls-missing-client-cert() {
  begin tls13-mtls-missing-client-cert
  ossl_server -tls1_3 -Verify 1 -www
  ossl_client -tls1_3
  end
}

s_tls13-mtls-missing-client-cert-keylog() {
  begin tls13-mtls-missing-client-cert-keylog
  rm -f "$here/tls13-mtls-missing-client-cert-keylog.keys"
  ossl_server -tls1_3 -Verify 1 -www
  ossl_client -tls1_3 -keylogfile "$here/tls13-mtls-missing-client-cert-keylog.keys"
  end
}

s_tls13-ok-nanosecond() {
  begin tls13-ok-nanosecond pcap --time-stamp-precision=nano
  ossl_server -tls1_3 -www
  run curl -sS --tlsv1.3 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

# --- The server's certificate rejected by the client ------------------------------------------

s_tls12-server-cert-self-signed() {
  begin tls12-server-cert-self-signed
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_2 -www
  run curl -sS --tlsv1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

s_tls12-server-cert-expired-gnutls-client() {
  begin tls12-server-cert-expired-gnutls-client
  cert=server-expired ossl_server -tls1_2 -www
  run gnutls-cli --x509cafile "$pki/root.crt" --port "$port" --priority 'NORMAL:-VERS-TLS1.3' localhost
  end
}

s_tls12-server-cert-not-yet-valid-java-client() {
  begin tls12-server-cert-not-yet-valid-java-client
  cert=server-future ossl_server -tls1_2 -www
  java_client - TLSv1.2
  end
}

s_tls12-server-cert-html-in-name() {
  begin tls12-server-cert-html-in-name
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-html.crt" -key "$pki/server-html.key" -tls1_2 -www
  run curl -sS --tlsv1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

s_tls12-server-cert-untrusted-java-client() {
  begin tls12-server-cert-untrusted-java-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_2 -www
  java_client - TLSv1.2
  end
}

s_tls12-server-cert-hostname-mismatch-curl() {
  begin tls12-server-cert-hostname-mismatch-curl
  cert=server-wrong-name ossl_server -tls1_2 -www
  run curl -sS --tlsv1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

s_tls12-server-cert-hostname-mismatch-python-client() {
  begin tls12-server-cert-hostname-mismatch-python-client
  cert=server-wrong-name ossl_server -tls1_2 -www
  run python3 -c "
import socket, ssl
ctx = ssl.create_default_context(cafile='$pki/root.crt')
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
with socket.create_connection(('127.0.0.1', $port)) as s:
    ctx.wrap_socket(s, server_hostname='localhost')
"
  end
}

s_tls12-server-cert-unknown-ca() {
  begin tls12-server-cert-unknown-ca
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-unrelated.crt" -key "$pki/server-unrelated.key" \
    -cert_chain "$pki/unrelated.crt" -tls1_2 -www
  run curl -sS --tlsv1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

s_tls12-server-cert-missing-intermediate() {
  begin tls12-server-cert-missing-intermediate
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server.crt" -key "$pki/server.key" -tls1_2 -www
  run curl -sS --tlsv1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

# --- Negotiation failures ---------------------------------------------------------------------

s_tls-protocol-version-mismatch() {
  begin tls-protocol-version-mismatch
  ossl_server -tls1_2 -www
  ossl_client -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
  end
}

s_tls12-no-shared-cipher() {
  begin tls12-no-shared-cipher
  cert=server-ec ossl_server -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -www
  ossl_client -tls1_2 -cipher AES256-SHA256
  end
}

s_tls12-sni-unrecognized() {
  begin tls12-sni-unrecognized
  ossl_server -tls1_2 -servername localhost -servername_fatal -cert2 "$pki/server.crt" -key2 "$pki/server.key" -www
  request | timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername other.example \
    -CAfile "$pki/root.crt" -ign_eof -tls1_2 >>"$log/$name.client" 2>&1 || true
  end
}

s_tls12-alpn-mismatch() {
  begin tls12-alpn-mismatch
  ossl_server -tls1_2 -alpn h2 -www
  ossl_client -tls1_2 -alpn http/1.1
  end
}

s_tls-inappropriate-fallback() {
  begin tls-inappropriate-fallback
  ossl_server -min_protocol TLSv1.1 -max_protocol TLSv1.2 -cipher 'DEFAULT@SECLEVEL=0' -www
  ossl_client -tls1_1 -fallback_scsv -cipher 'DEFAULT@SECLEVEL=0'
  end
}

s_tls-internal-error-no-signature-algorithm() {
  begin tls-internal-error-no-signature-algorithm
  ossl_server -www
  ossl_client -tls1_1 -cipher 'DEFAULT@SECLEVEL=0'
  end
}

# interactive SERVER-ARGS... -- CLIENT-ARGS... -- COMMAND: an s_server driven through a FIFO and an
# s_client sending a request in two parts; half a second in, the server gets COMMAND (`R`:
# renegotiate, asking for the client's certificate; `c`: a TLS 1.3 CertificateRequest after the
# handshake), then quits.
interactive() {
  local server_args=() client_args=()
  while [ "$1" != -- ]; do server_args+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do client_args+=("$1"); shift; done; shift
  local fifo=$work/server.fifo
  rm -f "$fifo"; mkfifo "$fifo"
  openssl s_server -accept "$port" -naccept 1 -cert "$pki/server.crt" -key "$pki/server.key" \
    -cert_chain "$pki/intermediate.crt" -CAfile "$pki/root.crt" "${server_args[@]}" \
    <"$fifo" >"$log/$name.server" 2>&1 &
  servers+=($!)
  exec 7>"$fifo"
  wait_until "server on port $port" listening "$port"
  { printf 'GET / HTTP/1.0\r\n'; sleep 1; printf 'second line\r\n'; sleep 2; } |
    timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$pki/root.crt" \
      "${client_args[@]}" >>"$log/$name.client" 2>&1 &
  local client=$!
  sleep 0.5
  printf '%s\n' "$1" >&7
  sleep 1
  printf 'Q\n' >&7
  exec 7>&-
  wait "$client" || true
}

s_tls12-renegotiation-client-cert() {
  begin tls12-renegotiation-client-cert
  interactive -tls1_2 -no_cache -no_ticket -- -tls1_2 -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt" -- R
  end
}

# The renegotiation above, with the client's key log: the new handshake is decrypted.
s_tls12-renegotiation-client-cert-keylog() {
  begin tls12-renegotiation-client-cert-keylog
  rm -f "$here/$name.keys"
  # The client has no certificate to give this time.
  interactive -tls1_2 -no_cache -no_ticket -- -tls1_2 -keylogfile "$here/$name.keys" -- R
  end
}

s_tls-no-server-response() {
  begin tls-no-server-response
  serve python3 "$here/gen/helpers.py" silent "$port"
  printf '' | timeout 3 openssl s_client -connect "127.0.0.1:$port" -servername localhost -tls1_2 \
    >>"$log/$name.client" 2>&1 || true
  end
}

s_tls-reset-after-client-hello() {
  begin tls-reset-after-client-hello
  serve python3 "$here/gen/helpers.py" hello-then-reset "$port"
  ossl_client -tls1_2
  end
}

# --- Resumption, and things that are not a TLS handshake --------------------------------------

s_tls12-session-resumption() {
  begin tls12-session-resumption
  naccept=2 ossl_server -tls1_2 -www
  ossl_client -tls1_2 -sess_out "$work/session.pem"
  ossl_client -tls1_2 -sess_in "$work/session.pem"
  end
}

s_plain-http-to-tls-port() {
  begin plain-http-to-tls-port
  ossl_server -tls1_2 -www
  run curl -sS "http://127.0.0.1:$port/"
  end
}

s_tls-client-hello-then-close() {
  begin tls-client-hello-then-close
  serve python3 "$here/gen/helpers.py" hello-then-close "$port"
  ossl_client -tls1_2
  end
}

# --- Capture quality ---------------------------------------------------------------------------

s_tls12-certificate-segment-deleted() {
  begin tls12-certificate-segment-deleted
  ossl_server -tls1_2 -Verify 1 -www
  # Loopback hands whole writes to tcpdump as one "segment" (GSO); limit that for this one
  # connection so that the client's MSS of 536 shows on the wire, and restore it afterwards.
  local gso
  gso=$(ip -d link show lo | grep -o 'gso_max_size [0-9]*' | cut -d' ' -f2)
  ip link set dev lo gso_max_size 1000
  run python3 "$here/gen/helpers.py" small-mss-client "$port" "$pki"
  ip link set dev lo gso_max_size "${gso:-65536}"
  end
  # Delete the server's third data segment: it lies inside the Certificate message.
  local frame
  frame=$(tshark -r "$file" -Y "tcp.srcport == $port && tcp.len > 0" -T fields -e frame.number 2>/dev/null | sed -n 3p)
  editcap -F pcap "$file" "$file.tmp" "$frame" && mv "$file.tmp" "$file"
  echo "   deleted frame $frame"
}

s_tls12-interleaved-connections() {
  begin tls12-interleaved-connections
  naccept=3 ossl_server -tls1_2 -Verify 1 -www
  run python3 "$here/gen/helpers.py" interleaved-clients "$port" "$pki"
  end
}

# --- Derived from the headline capture (they need its file) -----------------------------------

s_tls12-mtls-missing-client-cert-midstream() {
  local src=$here/tls12-mtls-missing-client-cert-openssl.pcap
  echo "== tls12-mtls-missing-client-cert-midstream (derived)"
  # Frames 1-3 are the TCP handshake: without them the capture starts mid-connection.
  editcap -F pcap "$src" "$here/tls12-mtls-missing-client-cert-midstream.pcap" 1-3
}

s_tls12-mtls-missing-client-cert-client-side-only() {
  local src=$here/tls12-mtls-missing-client-cert-openssl.pcap
  echo "== tls12-mtls-missing-client-cert-client-side-only (derived)"
  # Only the client's packets, as a capture on one direction of a mirror port would hold them.
  local sport
  sport=$(tshark -r "$src" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.srcport 2>/dev/null | head -1)
  tshark -r "$src" -Y "tcp.srcport == $sport" -F pcap -w "$here/tls12-mtls-missing-client-cert-client-side-only.pcap" 2>/dev/null
}

# Key logs embedded in pcapng (Decryption Secrets Blocks), and key logs that fall short. Made from
# tls13-mtls-missing-client-cert-keylog.pcap and its .keys; run after it.
s_tls13-keylog-embedded() {
  local src=$here/tls13-mtls-missing-client-cert-keylog
  echo "== tls13-keylog-embedded (derived)"
  # As `editcap --inject-secrets` gives it: the key log inside the capture.
  editcap --inject-secrets "tls,$src.keys" "$src.pcap" "$here/tls13-mtls-missing-client-cert-keylog-embedded.pcapng"
  # The handshake secrets only: the server's final alert, under SERVER_TRAFFIC_SECRET_0, stays
  # hidden (KNOWLEDGE R30).
  grep -v TRAFFIC_SECRET_0 "$src.keys" >"$work/handshake-only.keys"
  editcap --inject-secrets "tls,$work/handshake-only.keys" "$src.pcap" "$here/tls13-keylog-handshake-secrets-only.pcapng"
  # The key log of another run: no line has this capture's ClientHello random.
  editcap --inject-secrets "tls,$src.keys" "$here/tls13-mtls-missing-client-cert.pcap" "$here/tls13-keylog-from-another-run.pcapng"
  # The right ClientHello random with a wrong server handshake secret (one digit changed), as a
  # garbled key log looks: the server's records fail authentication.
  awk '$1 == "SERVER_HANDSHAKE_TRAFFIC_SECRET" { $3 = (substr($3, 1, 1) == "0" ? "1" : "0") substr($3, 2) } { print }' \
    "$src.keys" >"$work/wrong.keys"
  editcap --inject-secrets "tls,$work/wrong.keys" "$src.pcap" "$here/tls13-keylog-wrong-secret.pcapng"
}

# A record lost from the capture: the client's request (frame 10 of tls12-keylog-suites.pcap's
# first connection) is cut out, so its close_notify comes with a sequence number one further on.
s_tls12-keylog-record-lost() {
  local src=$here/tls12-keylog-suites
  echo "== tls12-keylog-record-lost (derived)"
  tshark -r "$src.pcap" -Y 'tcp.stream == 0 && frame.number != 10' -F pcap -w "$here/tls12-keylog-record-lost.pcap" 2>/dev/null
  cp "$src.keys" "$here/tls12-keylog-record-lost.keys"
}

all=$(declare -F | awk '{print $3}' | grep '^s_' | sed 's/^s_//')
if [ $# -gt 0 ]; then selected=("$@"); else mapfile -t selected <<<"$all"; fi
for s in "${selected[@]}"; do
  # Ports are fixed per scenario (by its position in the list) so that reruns are comparable.
  port=$((20000 + 10 * $(grep -nx "$s" <<<"$all" | cut -d: -f1)))
  "s_$s"
done
