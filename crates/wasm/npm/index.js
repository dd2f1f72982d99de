// The entry for browsers and bundlers: `await init()` fetches the WebAssembly module next to
// this file (new URL(…, import.meta.url), which Vite, webpack 5, Parcel and esbuild follow);
// `initSync({ module })` takes its bytes or a compiled WebAssembly.Module instead.

export { default, initSync } from "./pkg/pcap_tls_diagnose_wasm.js";
export * from "./lib.js";
