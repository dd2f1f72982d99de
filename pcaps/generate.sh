#!/usr/bin/env bash
# Regenerates the captures in pcaps/ from real TLS stacks talking over loopback.
#
#   bash pcaps/generate.sh            every scenario
#   bash pcaps/generate.sh NAME...    only these (file names without extension)
#
# Needs: openssl, tcpdump, dumpcap/editcap/tshark (wireshark), java + javac (JDK 17), python3,
# curl, nginx, gnutls-bin; for the second generation of scenarios (see below) also go (1.19,
# standard library only), node (20) and iptables (one scenario). Runs as root (tcpdump on lo).
# Traffic stays on 127.0.0.1 and ::1.
#   PCAPS_OUT=DIR bash pcaps/generate.sh NAME...   writes the captures, their key logs and certs/
#                                                   to DIR instead of pcaps/ (derived scenarios of
#                                                   the second generation read their sources there)
# Certificates are made fresh each run (pcaps/gen/certs.sh), so regenerated files differ in their
# keys and dates from the committed ones; what happens on the wire stays the same.
# After a run, `bash pcaps/oracle.sh` refreshes tshark's view in pcaps/oracle/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Where new captures (and their .keys) go; pcaps/ itself unless PCAPS_OUT says otherwise.
out=${PCAPS_OUT:-$here}
mkdir -p "$out"
work=$here/.work
pki=$work/pki
log=$work/log
mkdir -p "$work" "$log"

for tool in openssl tcpdump dumpcap editcap java javac python3 curl nginx gnutls-serv gnutls-cli; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 2; }
done

[ -f "$pki/root.crt" ] || bash "$here/gen/certs.sh" "$pki"
# The client certificates of these captures, for `--client-cert` tests, and the server's chain, for
# the rules' unit tests (certificates only, no keys).
mkdir -p "$out/certs"
for c in client client-chain client-unrelated client-ec client-expired-chain client-server-eku-chain root server-chain; do
  cp "$pki/$c.crt" "$out/certs/$c.pem"
done
cat "$pki/client-ec.crt" "$pki/intermediate.crt" > "$out/certs/client-ec-chain.pem"
openssl x509 -in "$pki/client-ec.crt" -outform der -out "$out/certs/client-ec.der"
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
  file=$out/$name.$ext
  rm -f "$file"
  echo "== $name (port $port)"
  if [ "$ext" = pcapng ]; then
    dumpcap -q -i lo -f "${filter:-tcp port $port}" -w "$file" "$@" >"$log/$name.capture" 2>&1 &
    capture_pid=$!
    sleep 1.5
  else
    tcpdump -i "${iface:-lo}" --immediate-mode -U -w "$file" "$@" "${filter:-tcp port $port}" >"$log/$name.capture" 2>&1 &
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
  # (In a subshell: a server that has already quit, after a failed renegotiation, leaves the FIFO
  # without a reader, and the SIGPIPE would stop this script.)
  (printf 'Q\n' >&7) 2>/dev/null || true
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

# ===============================================================================================
# Second generation: Go, Node.js, Java in TLS 1.3, nginx's optional client auth, alerts by size,
# cut files, refused and unanswered connections. These write to $out (PCAPS_OUT, default pcaps/),
# their key logs beside the capture as NAME.keys. Scenarios after this line get their ports as
# explained at the end of this file.
first_generation=$(declare -F | awk '{print $3}' | grep '^s_' | sed 's/^s_//')

# kbegin NAME [EXT [ARGS...]]: begin, and a fresh key log path in $keys.
kbegin() {
  begin "$@"
  keys=$out/$name.keys
  rm -f "$keys"
}

# kend: end, and no key log file where the stack wrote none (e.g. a Go TLS 1.2 client that stops
# before the master secret exists).
kend() {
  end
  if [ -f "$keys" ] && [ ! -s "$keys" ]; then rm -f "$keys"; echo "   (the key log stayed empty: removed)"; fi
}

# Go 1.19 crypto/tls (gen/go/gotls.go, standard library only), built once into .work/go.
gotls_bin=$work/go/gotls
need_go() {
  if [ ! -x "$gotls_bin" ] || [ "$here/gen/go/gotls.go" -nt "$gotls_bin" ]; then
    command -v go >/dev/null || { echo "generate.sh: go is missing" >&2; exit 2; }
    mkdir -p "$work/go"
    (cd "$here/gen/go" && GOPROXY=off GOFLAGS= go build -o "$gotls_bin" gotls.go)
  fi
}
go_server() { serve "$gotls_bin" -mode server -addr "127.0.0.1:$port" "$@"; }
go_client() { run "$gotls_bin" -mode client -addr "127.0.0.1:$port" "$@"; }
go_server_cert() { echo -cert "$pki/server-chain.crt" -key "$pki/server.key"; }

# Node.js 20 (gen/node/nodetls.mjs, node's tls module: OpenSSL inside, certificate checks in JS).
need_node() { command -v node >/dev/null || { echo "generate.sh: node is missing" >&2; exit 2; }; }
node_server() { serve node "$here/gen/node/nodetls.mjs" server --port "$port" "$@"; }
node_client() { run node "$here/gen/node/nodetls.mjs" client --port "$port" "$@"; }

# nginx_tls VERIFY PROTOCOLS: nginx on 127.0.0.1:$port with `ssl`, `ssl_verify_client VERIFY`
# (off, optional, on) and a short 200 answer.
nginx_tls() {
  mkdir -p "$work/nginx/logs"
  local verify=
  [ "$1" = off ] || verify="ssl_client_certificate $pki/root.crt; ssl_verify_client $1;"
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
    ssl_protocols $2;
    ssl_certificate $pki/server-chain.crt;
    ssl_certificate_key $pki/server.key;
    $verify
    location / { return 200 "ok\n"; }
  }
}
CONF
  serve nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;'
}

# --- Java (JSSE) client in TLS 1.3: its second flight one record per message -------------------
# The OpenSSL server writes the key log (Java cannot).

s_tls13-mtls-java-client-no-keystore() {
  kbegin tls13-mtls-java-client-no-keystore
  ossl_server -tls1_3 -Verify 1 -www -keylogfile "$keys"
  java_client - TLSv1.3
  kend
}

s_tls13-mtls-java-client-cert-not-in-ca-list() {
  kbegin tls13-mtls-java-client-cert-not-in-ca-list
  ossl_server -tls1_3 -Verify 1 -www -keylogfile "$keys"
  java_client java-client-unrelated TLSv1.3
  kend
}

# --- TLS 1.3 clients rejecting the server's certificate ----------------------------------------

s_tls13-server-cert-self-signed-openssl-client() {
  kbegin tls13-server-cert-self-signed-openssl-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_3 -www
  ossl_client -tls1_3 -verify_return_error -keylogfile "$keys"
  kend
}

s_tls13-server-cert-unknown-ca-openssl-client() {
  kbegin tls13-server-cert-unknown-ca-openssl-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-unrelated.crt" -key "$pki/server-unrelated.key" \
    -cert_chain "$pki/unrelated.crt" -tls1_3 -www
  ossl_client -tls1_3 -verify_return_error -keylogfile "$keys"
  kend
}

s_tls13-server-cert-untrusted-go-client() {
  need_go
  kbegin tls13-server-cert-untrusted-go-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_3 -www
  go_client -tls 1.3 -ca "$pki/root.crt" -keylog "$keys"
  kend
}

s_tls12-server-cert-untrusted-go-client() {
  need_go
  kbegin tls12-server-cert-untrusted-go-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_2 -www
  go_client -tls 1.2 -ca "$pki/root.crt" -keylog "$keys"
  kend
}

# Near miss: the same client trusting the server (a healthy handshake, the server's certificate
# encrypted).
s_tls13-server-cert-trusted-openssl-client() {
  kbegin tls13-server-cert-trusted-openssl-client
  ossl_server -tls1_3 -www
  ossl_client -tls1_3 -verify_return_error -keylogfile "$keys"
  kend
}

# --- TLS 1.3 records of 19 bytes: alerts, and what is not one -----------------------------------

s_tls13-certificate-required-openssl() {
  kbegin tls13-certificate-required-openssl
  ossl_server -tls1_3 -Verify 1 -www
  ossl_client -tls1_3 -keylogfile "$keys"
  kend
}

# A healthy connection closed with close_notify before each FIN (curl ↔ s_server -www).
s_tls13-ok-close-notify-curl() {
  kbegin tls13-ok-close-notify-curl
  ossl_server -tls1_3 -www
  SSLKEYLOGFILE=$keys run curl -sS --tlsv1.3 --cacert "$pki/root.crt" "https://localhost:$port/"
  kend
}

# Near miss: the server's whole answer is 2 bytes ("ok": a 19-byte application_data record with
# TLS_AES_128_GCM_SHA256), and both sides close without close_notify.
s_tls13-ok-tiny-app-data-go() {
  need_go
  kbegin tls13-ok-tiny-app-data-go
  go_server -tls 1.3 $(go_server_cert) -response ok -noclosenotify
  go_client -tls 1.3 -ca "$pki/root.crt" -noclosenotify -keylog "$keys"
  kend
}

# --- nginx: optional client authentication against required, no client certificate -------------

s_tls12-mtls-optional-no-cert-nginx-curl() {
  kbegin tls12-mtls-optional-no-cert-nginx-curl
  nginx_tls optional TLSv1.2
  SSLKEYLOGFILE=$keys run curl -sS --tlsv1.2 --tls-max 1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  kend
}

s_tls13-mtls-optional-no-cert-nginx-curl() {
  kbegin tls13-mtls-optional-no-cert-nginx-curl
  nginx_tls optional TLSv1.3
  SSLKEYLOGFILE=$keys run curl -sS --tlsv1.3 --cacert "$pki/root.crt" "https://localhost:$port/"
  kend
}

s_tls12-mtls-missing-client-cert-nginx-curl() {
  kbegin tls12-mtls-missing-client-cert-nginx-curl
  nginx_tls on TLSv1.2
  SSLKEYLOGFILE=$keys run curl -sS --tlsv1.2 --tls-max 1.2 --cacert "$pki/root.crt" "https://localhost:$port/"
  kend
}

s_tls13-mtls-missing-client-cert-nginx-curl() {
  kbegin tls13-mtls-missing-client-cert-nginx-curl
  nginx_tls on TLSv1.3
  SSLKEYLOGFILE=$keys run curl -sS --tlsv1.3 --cacert "$pki/root.crt" "https://localhost:$port/"
  kend
}

# --- Plain HTTP to a TLS port --------------------------------------------------------------------

s_plain-http-to-tls-port-nginx() {
  begin plain-http-to-tls-port-nginx
  nginx_tls off 'TLSv1.2 TLSv1.3'
  run curl -sS "http://127.0.0.1:$port/"
  end
}

# One TLS connection (curl https, key log), then one plain HTTP request, to the same nginx port.
s_plain-http-and-tls-same-port-nginx() {
  kbegin plain-http-and-tls-same-port-nginx
  nginx_tls off 'TLSv1.2 TLSv1.3'
  SSLKEYLOGFILE=$keys run curl -sS --cacert "$pki/root.crt" "https://localhost:$port/"
  sleep 0.3
  run curl -sS "http://127.0.0.1:$port/"
  kend
}

s_plain-http-to-tls-port-openssl-tls13() {
  begin plain-http-to-tls-port-openssl-tls13
  ossl_server -tls1_3 -www
  run curl -sS "http://127.0.0.1:$port/"
  end
}

# --- TLS 1.2 renegotiation asking for a client certificate ------------------------------------
# s_server's `R` renegotiates with SSL_VERIFY_PEER (a certificate requested, none accepted); a
# certificate that fails verification is rejected only with -verify_return_error (s_server's
# verify callback stays in place and otherwise lets every error pass).

# The client's certificate (Unrelated Partner CA) fails verification in the renegotiation.
s_tls12-renegotiation-client-cert-rejected-openssl() {
  kbegin tls12-renegotiation-client-cert-rejected-openssl
  interactive -tls1_2 -no_cache -no_ticket -verify_return_error -- -tls1_2 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" \
    -keylogfile "$keys" -- R
  kend
}

s_tls12-renegotiation-client-cert-accepted-openssl() {
  kbegin tls12-renegotiation-client-cert-accepted-openssl
  interactive -tls1_2 -no_cache -no_ticket -- -tls1_2 -cert "$pki/client.crt" -key "$pki/client.key" \
    -cert_chain "$pki/intermediate.crt" -keylogfile "$keys" -- R
  kend
}

# A Node server renegotiates after the first request with requestCert + rejectUnauthorized
# (SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the client has no certificate.
s_tls12-renegotiation-client-cert-missing-node-server() {
  need_node
  kbegin tls12-renegotiation-client-cert-missing-node-server
  node_server --tls 1.2 --cert "$pki/server-chain.crt" --key "$pki/server.key" --ca "$pki/root.crt" \
    --renegotiate --request-cert --reject-unauthorized
  ossl_client -tls1_2 -keylogfile "$keys"
  kend
}

# --- Go ------------------------------------------------------------------------------------------

# Go client whose only certificate is from a CA the server's CertificateRequest does not list.
s_tls12-mtls-go-client-cert-not-in-ca-list() {
  need_go
  kbegin tls12-mtls-go-client-cert-not-in-ca-list
  ossl_server -tls1_2 -Verify 1 -www
  go_client -tls 1.2 -ca "$pki/root.crt" -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -keylog "$keys"
  kend
}

s_tls13-mtls-go-client-cert-not-in-ca-list() {
  need_go
  kbegin tls13-mtls-go-client-cert-not-in-ca-list
  ossl_server -tls1_3 -Verify 1 -www
  go_client -tls 1.3 -ca "$pki/root.crt" -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -keylog "$keys"
  kend
}

# Go server, tls.RequireAndVerifyClientCert; s_client connects. The Go server writes the key log;
# in TLS 1.2 it rejects the client's certificate before it has a master secret to log, so there
# the client's key log is used (the same file).
go_mtls_server() { go_server -tls "$1" $(go_server_cert) -ca "$pki/root.crt" -clientauth require-and-verify -keylog "$keys"; }

s_tls12-mtls-missing-client-cert-go-server() {
  need_go
  kbegin tls12-mtls-missing-client-cert-go-server
  go_mtls_server 1.2
  ossl_client -tls1_2 -keylogfile "$keys"
  kend
}

s_tls13-mtls-missing-client-cert-go-server() {
  need_go
  kbegin tls13-mtls-missing-client-cert-go-server
  go_mtls_server 1.3
  ossl_client -tls1_3
  kend
}

s_tls12-client-cert-expired-go-server() {
  need_go
  kbegin tls12-client-cert-expired-go-server
  go_mtls_server 1.2
  ossl_client -tls1_2 -keylogfile "$keys" -cert "$pki/client-expired.crt" -key "$pki/client-expired.key" -cert_chain "$pki/intermediate.crt"
  kend
}

s_tls13-client-cert-expired-go-server() {
  need_go
  kbegin tls13-client-cert-expired-go-server
  go_mtls_server 1.3
  ossl_client -tls1_3 -cert "$pki/client-expired.crt" -key "$pki/client-expired.key" -cert_chain "$pki/intermediate.crt"
  kend
}

s_tls12-client-cert-no-clientauth-eku-go-server() {
  need_go
  kbegin tls12-client-cert-no-clientauth-eku-go-server
  go_mtls_server 1.2
  ossl_client -tls1_2 -keylogfile "$keys" -cert "$pki/client-server-eku.crt" -key "$pki/client-server-eku.key" -cert_chain "$pki/intermediate.crt"
  kend
}

s_tls13-client-cert-no-clientauth-eku-go-server() {
  need_go
  kbegin tls13-client-cert-no-clientauth-eku-go-server
  go_mtls_server 1.3
  ossl_client -tls1_3 -cert "$pki/client-server-eku.crt" -key "$pki/client-server-eku.key" -cert_chain "$pki/intermediate.crt"
  kend
}

s_tls12-client-cert-untrusted-go-server() {
  need_go
  kbegin tls12-client-cert-untrusted-go-server
  go_mtls_server 1.2
  ossl_client -tls1_2 -keylogfile "$keys" -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -cert_chain "$pki/unrelated.crt"
  kend
}

s_tls13-client-cert-untrusted-go-server() {
  need_go
  kbegin tls13-client-cert-untrusted-go-server
  go_mtls_server 1.3
  ossl_client -tls1_3 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -cert_chain "$pki/unrelated.crt"
  kend
}

s_tls12-mtls-ok-go() {
  need_go
  kbegin tls12-mtls-ok-go
  go_mtls_server 1.2
  go_client -tls 1.2 -ca "$pki/root.crt" -cert "$pki/client-chain.crt" -key "$pki/client.key"
  kend
}

s_tls13-mtls-ok-go() {
  need_go
  kbegin tls13-mtls-ok-go
  go_mtls_server 1.3
  go_client -tls 1.3 -ca "$pki/root.crt" -cert "$pki/client-chain.crt" -key "$pki/client.key"
  kend
}

# --- Node.js -------------------------------------------------------------------------------------

# Node client (rejectUnauthorized, the default) against a self-signed server certificate.
s_tls12-server-cert-self-signed-node-client() {
  need_node
  kbegin tls12-server-cert-self-signed-node-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_2 -www
  node_client --tls 1.2 --ca "$pki/root.crt" --keylog "$keys"
  kend
}

s_tls13-server-cert-self-signed-node-client() {
  need_node
  kbegin tls13-server-cert-self-signed-node-client
  serve openssl s_server -accept "$port" -naccept 1 -cert "$pki/server-self.crt" -key "$pki/server-self.key" -tls1_3 -www
  node_client --tls 1.3 --ca "$pki/root.crt" --keylog "$keys"
  kend
}

# Node server, requestCert + rejectUnauthorized; the Node server writes the key log.
node_mtls_server() {
  node_server --tls "$1" --cert "$pki/server-chain.crt" --key "$pki/server.key" --ca "$pki/root.crt" \
    --request-cert --reject-unauthorized --keylog "$keys"
}

s_tls12-client-cert-untrusted-node-server() {
  need_node
  kbegin tls12-client-cert-untrusted-node-server
  node_mtls_server 1.2
  ossl_client -tls1_2 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -cert_chain "$pki/unrelated.crt"
  kend
}

s_tls13-client-cert-untrusted-node-server() {
  need_node
  kbegin tls13-client-cert-untrusted-node-server
  node_mtls_server 1.3
  ossl_client -tls1_3 -cert "$pki/client-unrelated.crt" -key "$pki/client-unrelated.key" -cert_chain "$pki/unrelated.crt"
  kend
}

s_tls12-mtls-missing-client-cert-node-server() {
  need_node
  kbegin tls12-mtls-missing-client-cert-node-server
  node_mtls_server 1.2
  ossl_client -tls1_2
  kend
}

s_tls13-mtls-missing-client-cert-node-server() {
  need_node
  kbegin tls13-mtls-missing-client-cert-node-server
  node_mtls_server 1.3
  ossl_client -tls1_3
  kend
}

s_tls12-mtls-ok-node() {
  need_node
  kbegin tls12-mtls-ok-node
  node_mtls_server 1.2
  node_client --tls 1.2 --ca "$pki/root.crt" --cert "$pki/client-chain.crt" --key "$pki/client.key"
  kend
}

s_tls13-mtls-ok-node() {
  need_node
  kbegin tls13-mtls-ok-node
  node_mtls_server 1.3
  node_client --tls 1.3 --ca "$pki/root.crt" --cert "$pki/client-chain.crt" --key "$pki/client.key"
  kend
}

# --- Several connections on two ports -------------------------------------------------------

# s_server -Verify 1 on PORT (a client with a certificate, then one without) and s_server
# (no client auth) on PORT+1 (one client); the clients' key log.
s_tls-multi-connection-two-ports() {
  local p
  filter="tcp port $((port + 1)) or tcp port $((port + 2))" kbegin tls-multi-connection-two-ports
  p=$port
  naccept=2 ossl_server -tls1_2 -Verify 1 -www
  port=$((p + 1)) ossl_server -tls1_3 -www
  ossl_client -tls1_2 -cert "$pki/client.crt" -key "$pki/client.key" -cert_chain "$pki/intermediate.crt" -keylogfile "$keys"
  ossl_client -tls1_2 -keylogfile "$keys"
  port=$((p + 1)) ossl_client -tls1_3 -keylogfile "$keys"
  kend
}

# --- No connection -------------------------------------------------------------------------------

# Nothing listens: curl to localhost (127.0.0.1 and ::1) gets a RST for each SYN.
s_tls-connection-refused-curl() {
  begin tls-connection-refused-curl
  if listening "$port"; then echo "generate.sh: something listens on $port" >&2; exit 1; fi
  run curl -sS "https://localhost:$port/"
  end
}

# A port that drops SYNs (an iptables rule on lo, removed afterwards): the client's SYN and its
# retransmissions go unanswered until curl's --connect-timeout (4 s).
s_tls-syn-unanswered-curl() {
  command -v iptables >/dev/null || { echo "generate.sh: iptables is missing (apt-get install iptables)" >&2; exit 2; }
  begin tls-syn-unanswered-curl
  iptables -A INPUT -i lo -p tcp --dport "$port" -j DROP
  run curl -sS --connect-timeout 4 "https://127.0.0.1:$port/"
  iptables -D INPUT -i lo -p tcp --dport "$port" -j DROP
  end
}

# --- Capture files cut short (derived) -----------------------------------------------------------

# The source of the pcapng cut below: dumpcap's pcapng, TLS 1.3, certificate_required.
s_tls13-certificate-required-openssl-dumpcap() {
  kbegin tls13-certificate-required-openssl-dumpcap pcapng
  ossl_server -tls1_3 -Verify 1 -www
  ossl_client -tls1_3 -keylogfile "$keys"
  kend
}

# cut_short SOURCE-NAME EXT PLACE N RESULT-NAME: RESULT is SOURCE cut with `head -c` N bytes into
# PLACE (gen/cut.py) of SOURCE's last frame that carries TLS; the key log is copied beside it.
cut_short() {
  local src=$out/$1.$2 result=$out/$5.$2 server_port frame bytes
  server_port=$(tshark -r "$src" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e tcp.dstport 2>/dev/null | head -1)
  frame=$(tshark -r "$src" -d "tcp.port==$server_port,tls" -Y tls -T fields -e frame.number 2>/dev/null | tail -1)
  bytes=$(python3 "$here/gen/cut.py" "$src" "$frame" "$3" "$4")
  head -c "$bytes" "$src" >"$result"
  [ ! -f "$out/$1.keys" ] || cp "$out/$1.keys" "$out/$5.keys"
  echo "== $5 (derived): head -c $bytes of $1.$2 ($(stat -c %s "$src") bytes), $4 bytes into frame $frame's $3"
}

s_tls13-certificate-required-cut-in-record() {
  cut_short tls13-certificate-required-openssl pcap record-body 10 tls13-certificate-required-cut-in-record
}

s_tls13-certificate-required-cut-in-record-header() {
  cut_short tls13-certificate-required-openssl pcap record-header 3 tls13-certificate-required-cut-in-record-header
}

s_tls13-certificate-required-cut-in-packet-header() {
  cut_short tls13-certificate-required-openssl pcap packet-header 9 tls13-certificate-required-cut-in-packet-header
}

s_tls13-certificate-required-dumpcap-cut-in-record() {
  cut_short tls13-certificate-required-openssl-dumpcap pcapng record-body 10 tls13-certificate-required-dumpcap-cut-in-record
}

# --- Added after the first batch (kept at the end: ports follow the order of this file) -------

# JSSE server in TLS 1.3 requiring a client certificate; s_client without one (its key log).
s_tls13-mtls-missing-client-cert-java-server() {
  kbegin tls13-mtls-missing-client-cert-java-server
  java_server TLSv1.3 need
  ossl_client -tls1_3 -keylogfile "$keys"
  kend
}

# Plain HTTP to a plain HTTP server (Python's http.server): no TLS anywhere, and nothing wrong
# with the connection. The capture-wide "no TLS in this capture" is the one thing to say.
s_plain-http-only() {
  begin plain-http-only
  serve python3 -m http.server --bind 127.0.0.1 "$port" --directory "$here/certs"
  run curl -sS -o /dev/null "http://127.0.0.1:$port/"
  end
}

# A server listening on ::1 only (Go); curl to localhost tries 127.0.0.1 first, is refused, and
# connects to ::1 (RFC 8305): the refusal is a detour, not the failure.
s_tls-refused-ipv4-then-ipv6-curl() {
  need_go
  begin tls-refused-ipv4-then-ipv6-curl
  serve "$gotls_bin" -mode server -addr "[::1]:$port" $(go_server_cert) -tls 1.3
  run curl -sS --cacert "$pki/root.crt" "https://localhost:$port/"
  end
}

# Ports are fixed per scenario so that reruns are comparable. The scenarios defined before the line
# "first_generation=" above keep the ports they always had: 20000 + 10 × their position in the
# sorted list of their names. Those defined after it get 20000 + 10 × (that list's length + 1)
# + 5 × their position in this file (from 0), so that a scenario added at the end moves no port
# and all stay within 20000-20999. (begin takes the next port: a scenario's first port is that + 1.)
shopt -s extdebug
second_generation=$(for f in $(declare -F | awk '{print $3}' | grep '^s_'); do declare -F "$f"; done |
  sort -k2,2n | awk '{print $1}' | sed 's/^s_//' | grep -vxF -f <(printf '%s\n' "$first_generation") || true)
shopt -u extdebug
if [ $# -gt 0 ]; then selected=("$@"); else mapfile -t selected <<<"$first_generation"$'\n'"$second_generation"; fi
for s in "${selected[@]}"; do
  if grep -qx -- "$s" <<<"$first_generation"; then
    port=$((20000 + 10 * $(grep -nx -- "$s" <<<"$first_generation" | cut -d: -f1)))
  elif grep -qx -- "$s" <<<"$second_generation"; then
    port=$((20000 + 10 * ($(wc -l <<<"$first_generation") + 1) + 5 * ($(grep -nx -- "$s" <<<"$second_generation" | cut -d: -f1) - 1)))
  else
    echo "generate.sh: no scenario $s" >&2
    exit 2
  fi
  "s_$s"
done
