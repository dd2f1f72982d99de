#!/usr/bin/env bash
# Builds the page's WebAssembly and serves web/ on http://127.0.0.1:8000/ (file:// cannot load
# WebAssembly). Everything runs in the browser; this server only hands out the page's files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash web/build.sh
echo "open http://127.0.0.1:${PORT:-8000}/"
cd web && exec python3 -m http.server "${PORT:-8000}" --bind 127.0.0.1
