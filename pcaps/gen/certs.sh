#!/usr/bin/env bash
# Creates a throwaway PKI in $1: a root CA, an intermediate CA and an unrelated CA, and leaves
# for every scenario of generate.sh. Nothing here is secret or reused: keys are made fresh.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"

rsa() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
ec() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# openssl ca wants a database; one config serves every signing, extensions by section.
cat > ca.cnf <<'CNF'
[ca]
default_ca = local
[local]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
default_crl_days = 3650
[anything]
commonName = supplied
organizationName = optional
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server_wrong_name]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[client]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_server_eku]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
CNF
: > index.txt
echo 1000 > serial.txt

# sign NAME ISSUER SECTION SUBJECT [extra openssl ca args]
sign() {
  local name=$1 issuer=$2 section=$3 subject=$4
  shift 4
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
  openssl ca -batch -notext -config ca.cnf -cert "$issuer.crt" -keyfile "$issuer.key" \
    -extensions "$section" -in "$name.csr" -out "$name.crt" "$@" 2>/dev/null
}

rsa root.key
openssl req -x509 -new -key root.key -subj "/CN=Test Root CA/O=pcap-tls-diagnose" -days 3650 \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root.crt
rsa intermediate.key
sign intermediate root v3_ca "/CN=Test Issuing CA 1/O=pcap-tls-diagnose" -days 1825
ec unrelated.key
openssl req -x509 -new -key unrelated.key -subj "/CN=Unrelated Partner CA/O=Elsewhere Inc" \
  -days 3650 -addext "basicConstraints=critical,CA:true" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out unrelated.crt

rsa server.key;          sign server intermediate server "/CN=localhost" -days 365
ec server-ec.key;        sign server-ec intermediate server "/CN=localhost" -days 365
rsa server-expired.key;  sign server-expired intermediate server "/CN=localhost" \
  -startdate 20200101000000Z -enddate 20210101000000Z
rsa server-future.key;   sign server-future intermediate server "/CN=localhost" \
  -startdate 20350101000000Z -enddate 20360101000000Z
rsa server-wrong-name.key; sign server-wrong-name intermediate server_wrong_name "/CN=wrong.example" -days 365
# A certificate whose name is HTML: the page must show it as text (web/ tests).
rsa server-html.key
openssl req -x509 -new -key server-html.key -subj "/CN=<img src=x onerror=alert(1)>/O=<script>alert(2)<\\/script>" \
  -days 365 -out server-html.crt
rsa server-self.key
openssl req -x509 -new -key server-self.key -subj "/CN=localhost" -days 365 \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -out server-self.crt

rsa client.key;          sign client intermediate client "/CN=client.partner.example/O=Partner Inc" -days 365
ec client-ec.key;        sign client-ec intermediate client "/CN=ec-client.partner.example/O=Partner Inc" -days 365
rsa client-expired.key;  sign client-expired intermediate client "/CN=expired-client.partner.example" \
  -startdate 20200101000000Z -enddate 20210101000000Z
ec client-unrelated.key; sign client-unrelated unrelated client "/CN=client.elsewhere.example/O=Elsewhere Inc" -days 365
rsa client-server-eku.key; sign client-server-eku intermediate client_server_eku "/CN=wrong-eku-client.partner.example" -days 365
rsa client-future.key;   sign client-future intermediate client "/CN=future-client.partner.example" \
  -startdate 20350101000000Z -enddate 20360101000000Z
rsa client-revoked.key;  sign client-revoked intermediate client "/CN=revoked-client.partner.example" -days 365
openssl ca -batch -config ca.cnf -cert intermediate.crt -keyfile intermediate.key -revoke client-revoked.crt 2>/dev/null
openssl ca -batch -config ca.cnf -cert intermediate.crt -keyfile intermediate.key -gencrl -out intermediate.crl 2>/dev/null
rsa server-unrelated.key; sign server-unrelated unrelated server "/CN=localhost" -days 365

# Chains as servers and clients send them (leaf first), and trust bundles.
cat server.crt intermediate.crt > server-chain.crt
cat server-ec.crt intermediate.crt > server-ec-chain.crt
cat server-expired.crt intermediate.crt > server-expired-chain.crt
cat server-future.crt intermediate.crt > server-future-chain.crt
cat server-wrong-name.crt intermediate.crt > server-wrong-name-chain.crt
cat client.crt intermediate.crt > client-chain.crt
cat client-expired.crt intermediate.crt > client-expired-chain.crt
cat client-server-eku.crt intermediate.crt > client-server-eku-chain.crt
cat client-future.crt intermediate.crt > client-future-chain.crt
cat client-revoked.crt intermediate.crt > client-revoked-chain.crt
cat server-unrelated.crt unrelated.crt > server-unrelated-chain.crt
cat root.crt intermediate.crt > ca-bundle.crt

# Java key and trust stores (PKCS#12). Java picks a client certificate by issuer.
p12() { openssl pkcs12 -export -passout pass:changeit -name "$1" -inkey "$2.key" -in "$3" -out "$1.p12"; }
p12 java-server server server-chain.crt
p12 java-client client client-chain.crt
p12 java-client-unrelated client-unrelated client-unrelated.crt
rm -f java-trust.p12
keytool -importcert -noprompt -storetype PKCS12 -storepass changeit -alias root -file root.crt \
  -keystore java-trust.p12 >/dev/null 2>&1
rm -f ./*.csr ./*.pem
