// Runs the WebAssembly analysis off the page's thread, reading the file in slices so that a
// large capture never has to be in memory at once.
//
// Messages in: { job, file, certificate?, ca?, keylog? } starts an analysis and abandons any
// earlier one (the bytes of the user's files, as the CLI's --client-cert, --ca and --keylog);
// { cancel: job } stops one. Messages out carry their job: { job, progress } | { job, json } |
// { job, error, what? } (what names the supplied file that was the problem: "certificate", "ca"
// or "keylog") | { job, cancelled: true }.
import init, { Analyzer } from "./pkg/pcap_tls_diagnose_wasm.js";

const CHUNK = 4 * 1024 * 1024;
const ready = init();
let running = 0; // the job being analysed; any other job still in its loop stops

self.onmessage = async (event) => {
  const { job, file, cancel } = event.data;
  if (cancel !== undefined) {
    if (cancel === running) running = 0;
    return;
  }
  running = job;
  try {
    await ready;
    const analyzer = new Analyzer();
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
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      const slice = file.slice(offset, Math.min(offset + CHUNK, file.size));
      const bytes = new Uint8Array(await slice.arrayBuffer());
      if (running !== job) {
        analyzer.free();
        self.postMessage({ job, cancelled: true });
        return;
      }
      analyzer.push(bytes);
      self.postMessage({ job, progress: Math.min(1, (offset + CHUNK) / file.size) });
    }
    // `finish` consumes the analyser.
    const json = analyzer.finish();
    self.postMessage({ job, json });
  } catch (error) {
    self.postMessage({ job, error: String(error && error.message ? error.message : error) });
  }
};
