// Benchmark for large captures (there is no timed test): the WebAssembly analyser alone in
// Node (pushing 16 MiB slices, as the page's worker does), then the real page in headless
// Chromium, the file picked with the file input. Prints throughput and memory.
//
//   bash web/build.sh
//   cargo run --release -p pcap-tls-bench -- generate --size 100M --out target/bench/b.pcap
//   node tests/browser/bench-large.mjs target/bench/b.pcap

import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { serve, launch, WEB } from "./harness.mjs";

const file = process.argv[2];
if (!file) throw new Error("usage: node tests/browser/bench-large.mjs CAPTURE");

const wasm = await import(join(WEB, "pkg/pcap_tls_diagnose_wasm.js"));
wasm.initSync({ module: await readFile(join(WEB, "pkg/pcap_tls_diagnose_wasm_bg.wasm")) });
const handle = await open(file);
const size = (await handle.stat()).size;
const slice = Buffer.alloc(16 << 20);
const analyzer = new wasm.Analyzer();
let pushing = 0;
for (let pos = 0; pos < size; ) {
  const { bytesRead } = await handle.read(slice, 0, slice.length, pos);
  const t = performance.now();
  analyzer.push(slice.subarray(0, bytesRead));
  pushing += performance.now() - t;
  pos += bytesRead;
}
await handle.close();
const t0 = performance.now();
const json = analyzer.finish();
const finishing = performance.now() - t0;
const mb = size / 1e6;
console.log(
  `WASM in Node: push ${pushing.toFixed(0)} ms (${(mb / (pushing / 1000)).toFixed(0)} MB/s), ` +
    `finish ${finishing.toFixed(0)} ms, report ${(json.length / 1e6).toFixed(1)} MB; ` +
    `Node RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);

const server = await serve();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  // When the first connection with a problem shows, while the file is still being read.
  await page.evaluate(() => {
    window.__first = null;
    document.getElementById("file").addEventListener("change", () => (window.__start = performance.now()));
    new MutationObserver(() => {
      if (window.__first === null && document.querySelector("#so-far .connection")) {
        window.__first = performance.now() - window.__start;
      }
    }).observe(document.getElementById("so-far"), { childList: true });
  });
  await page.setInputFiles("#file", file);
  await page.waitForFunction(() => ["done", "error"].includes(document.body.dataset.state), null, { timeout: 600000 });
  const [state, elapsed, timing, heap, first] = await page.evaluate(() => [
    document.body.dataset.state,
    Number(document.body.dataset.elapsedMs),
    document.body.dataset.timing,
    performance.memory ? performance.memory.usedJSHeapSize : 0,
    window.__first,
  ]);
  if (first !== null) console.log(`page: first connection with a problem shown after ${first.toFixed(0)} ms`);
  console.log(
    `page: ${state} after ${elapsed} ms from the file input to the rendered report ` +
      `(${(mb / (elapsed / 1000)).toFixed(0)} MB/s); page JS heap ${(heap / 1e6).toFixed(0)} MB`,
  );
  console.log(`page: milliseconds spent ${timing}`);
} finally {
  await browser.close();
  await server.close();
}
