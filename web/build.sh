#!/usr/bin/env bash
# Builds the WebAssembly module into web/pkg/ (generated, not committed):
#   cargo build --target wasm32-unknown-unknown --profile wasm  +  wasm-bindgen --target web
# Installs what is missing: the wasm32 target, and wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock (their versions must match). `binaryen`'s wasm-opt from npm
# shrinks the module when tests/browser/node_modules has it (Debian's binaryen 108 breaks it).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -qF " $version"; then
  echo "installing wasm-bindgen-cli $version (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$version"
fi
cargo build -p pcap-tls-diagnose-wasm --target wasm32-unknown-unknown --profile wasm --locked
rm -rf web/pkg
wasm-bindgen --target web --out-dir web/pkg target/wasm32-unknown-unknown/wasm/pcap_tls_diagnose_wasm.wasm
opt=tests/browser/node_modules/.bin/wasm-opt
if [ -x "$opt" ]; then
  "$opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    web/pkg/pcap_tls_diagnose_wasm_bg.wasm -o web/pkg/pcap_tls_diagnose_wasm_bg.wasm
fi
echo "web/pkg: $(wc -c < web/pkg/pcap_tls_diagnose_wasm_bg.wasm) bytes ($(gzip -9c web/pkg/pcap_tls_diagnose_wasm_bg.wasm | wc -c) gzipped)"
