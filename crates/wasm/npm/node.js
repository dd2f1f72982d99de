// The entry for Node.js (and Deno, Bun): the WebAssembly module is read from the package with
// `fs` and instantiated on import, so everything is ready at once; `init()` and `initSync()` are
// there for code written for the browser entry, and do nothing more.

import { readFileSync } from "node:fs";
import { initSync as initWasm } from "./pkg/pcap_tls_diagnose_wasm.js";

const output = initWasm({
  module: readFileSync(new URL("./pkg/pcap_tls_diagnose_wasm_bg.wasm", import.meta.url)),
});

/** Already initialised: resolves at once. */
export default async function init() {
  return output;
}

/** Already initialised: returns at once. */
export function initSync() {
  return output;
}

export * from "./lib.js";
