// Runs the WebAssembly analysis off the page's thread, reading the file in slices so that a
// large capture never has to be in memory at once.
//
// Messages in: { job, file, certificate?, ca?, keylog? } starts an analysis and abandons any
// earlier one (the bytes of the user's files, as the CLI's --client-cert, --ca and --keylog);
// { cancel: job } stops one. Messages out carry their job: { job, progress } | { job, connections }
// (a JSON array of the connections that ended since the last one, before the report) | { job, json } |
// { job, error, what? } (what names the supplied file that was the problem: "certificate", "ca"
// or "keylog") | { job, cancelled: true }.
// After the report, about the finished analysis: { ask, ticket: redact } answers
// { ask, ticket: markdown }; { ask, pem: sha256 } answers { ask, pem } (the certificate, or null).
import init, { Analyzer } from "./pkg/pcap_tls_diagnose_wasm.js";

// Slices of 16 MiB, read by a worker of its own (reader.js) up to three ahead of the analysis:
// Chromium reads a Blob at ~0.5 GB/s one slice at a time and ~1.3 GB/s with a few in flight,
// and on this thread the copying would take turns with the analysis (measured by
// tests/browser/bench-large.mjs). Memory stays at four slices whatever the file's size.
const CHUNK = 16 * 1024 * 1024;
const AHEAD = 3;

/** The file's bytes, slice by slice, from the reader worker (a small file at once). */
async function* slices(file) {
  if (file.size <= CHUNK) {
    yield new Uint8Array(await file.arrayBuffer());
    return;
  }
  const reader = new Worker(new URL("./reader.js", import.meta.url));
  const arrived = [];
  let wake = null;
  reader.onmessage = (event) => {
    arrived.push(event.data);
    if (wake) wake();
  };
  reader.postMessage({ file, chunk: CHUNK, ahead: AHEAD });
  try {
    for (;;) {
      while (!arrived.length) {
        await new Promise((resolve) => (wake = resolve));
        wake = null;
      }
      const message = arrived.shift();
      if (message.end) return;
      reader.postMessage({ more: true });
      yield new Uint8Array(message.bytes);
    }
  } finally {
    // Done or cancelled: the reader stops with its worker.
    reader.terminate();
  }
}

const ready = init();
let running = 0; // the job being analysed; any other job still in its loop stops
let finished = null; // the last finished analysis: its ticket and certificates

self.onmessage = async (event) => {
  const { job, file, cancel, ask } = event.data;
  if (cancel !== undefined) {
    if (cancel === running) running = 0;
    return;
  }
  if (ask !== undefined) {
    try {
      if ("ticket" in event.data) self.postMessage({ ask, ticket: finished.ticket(event.data.ticket) });
      else self.postMessage({ ask, pem: finished.certificatePem(event.data.pem) ?? null });
    } catch (error) {
      self.postMessage({ ask, error: String(error && error.message ? error.message : error) });
    }
    return;
  }
  if (finished) {
    finished.free();
    finished = null;
  }
  running = job;
  try {
    const waited = performance.now();
    await ready;
    const compiling = performance.now() - waited;
    const analyzer = new Analyzer();
    // Those shown as they ended put back: the report at the end is the whole document, as
    // `--format json` writes it (connections without a problem short, so that a capture of
    // many short connections stays small in the page).
    analyzer.setKeepTaken(true);
    for (const [what, set] of [["certificate", "setClientCertificate"], ["ca", "setTrustStore"], ["keylog", "addKeyLog"]]) {
      if (!event.data[what]) continue;
      try {
        analyzer[set](event.data[what]);
      } catch (error) {
        analyzer.free();
        self.postMessage({ job, what, error: String(error && error.message ? error.message : error) });
        return;
      }
    }
    // Where the time goes, for tests/browser/bench-large.mjs.
    const timing = { compiling, read: 0, push: 0, finish: 0 };
    let t = performance.now();
    let done = 0;
    for await (const bytes of slices(file)) {
      timing.read += performance.now() - t;
      t = performance.now();
      if (running !== job) {
        analyzer.free();
        self.postMessage({ job, cancelled: true });
        return;
      }
      analyzer.push(bytes);
      done += bytes.length;
      // The connections that ended are shown before the file is read to the end; the report
      // at the end holds the others.
      const connections = analyzer.takeConnections();
      if (connections !== "[]") self.postMessage({ job, connections });
      self.postMessage({ job, progress: done / file.size });
      timing.push += performance.now() - t;
      t = performance.now();
    }
    // After `finish` the analyser keeps what the ticket and the certificates' PEM need.
    const json = analyzer.finishCompact();
    finished = analyzer;
    timing.finish = performance.now() - t;
    self.postMessage({ job, json, timing });
  } catch (error) {
    self.postMessage({ job, error: String(error && error.message ? error.message : error) });
  }
};
