// Runs the WebAssembly analysis off the page's thread, reading the file in slices so that a
// large capture never has to be in memory at once.
import init, { Analyzer } from "./pkg/pcap_tls_diagnose_wasm.js";

const CHUNK = 4 * 1024 * 1024;
const ready = init();

self.onmessage = async (event) => {
  const { file } = event.data;
  try {
    await ready;
    const analyzer = new Analyzer();
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      const slice = file.slice(offset, Math.min(offset + CHUNK, file.size));
      analyzer.push(new Uint8Array(await slice.arrayBuffer()));
      self.postMessage({ progress: Math.min(1, (offset + CHUNK) / file.size) });
    }
    const json = analyzer.finish();
    self.postMessage({ json });
  } catch (error) {
    self.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
