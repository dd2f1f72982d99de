#!/usr/bin/env bash
# Assembles the npm package `pcap-tls-diagnose` into target/npm/pcap-tls-diagnose/ and packs it
# into target/npm/pcap-tls-diagnose-VERSION.tgz (the last line printed is its path). The
# WebAssembly module is the page's: web/build.sh builds it first, unless --no-build says web/pkg
# is already built (as in .ci/run). The version is the workspace's (Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ "${1:-}" != "--no-build" ]; then
  bash web/build.sh
fi
for f in pcap_tls_diagnose_wasm.js pcap_tls_diagnose_wasm.d.ts pcap_tls_diagnose_wasm_bg.wasm pcap_tls_diagnose_wasm_bg.wasm.d.ts; do
  [ -f "web/pkg/$f" ] || { echo "pack.sh: web/pkg/$f is missing: run bash web/build.sh" >&2; exit 1; }
done
version=$(awk '/^\[workspace.package\]/ {p = 1} p && /^version = / {gsub(/version = |"/, ""); print; exit}' Cargo.toml)
src=crates/wasm/npm
out=target/npm
dir=$out/pcap-tls-diagnose
rm -rf "$dir" "$out/pcap-tls-diagnose-"*.tgz
mkdir -p "$dir/pkg" "$dir/examples"
cp "$src/index.js" "$src/index.d.ts" "$src/node.js" "$src/lib.js" "$src/report.d.ts" "$src/README.md" "$dir/"
cp "$src/examples/diagnose.mjs" "$dir/examples/"
cp web/pkg/pcap_tls_diagnose_wasm.js web/pkg/pcap_tls_diagnose_wasm.d.ts \
  web/pkg/pcap_tls_diagnose_wasm_bg.wasm web/pkg/pcap_tls_diagnose_wasm_bg.wasm.d.ts "$dir/pkg/"
VERSION=$version node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  pkg.version = process.env.VERSION;
  fs.writeFileSync(process.argv[2], JSON.stringify(pkg, null, 2) + "\n");
' "$src/package.json" "$dir/package.json"
tarball=$(cd "$dir" && npm pack --pack-destination .. --loglevel=error --no-update-notifier)
echo "$out/$tarball: $(wc -c < "$out/$tarball") bytes"
echo "$(pwd)/$out/$tarball"
