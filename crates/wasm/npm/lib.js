// What the browser and the Node.js entries share: the typed helpers over the WebAssembly
// module's `Analyzer`. The module must be initialised first (the Node.js entry does it on import;
// in a browser, `await init()`).

import { Analyzer, diagnoseJson, diagnoseText } from "./pkg/pcap_tls_diagnose_wasm.js";

export { Analyzer, diagnoseJson, diagnoseText };

/** Bytes as the module takes them: a Uint8Array (a Node.js Buffer is one). */
function bytes(value, what) {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what}: expected a Uint8Array, an ArrayBuffer or a string`);
}

/** An analyser with the options set (the key logs before any capture byte, as they must be). */
function analyzer(options = {}) {
  const analyzer = new Analyzer();
  try {
    if (options.clientCertificate != null) {
      analyzer.setClientCertificate(bytes(options.clientCertificate, "clientCertificate"));
    }
    if (options.trustStore != null) analyzer.setTrustStore(bytes(options.trustStore, "trustStore"));
    for (const keyLog of options.keyLogs ?? []) analyzer.addKeyLog(bytes(keyLog, "keyLogs"));
    if (options.all) analyzer.setAll(true);
  } catch (error) {
    analyzer.free();
    throw error;
  }
  return analyzer;
}

/**
 * Analyses a whole capture held in memory and returns its report: the CLI's `--format json`,
 * parsed. Throws an Error when the bytes are not a capture at all; a capture cut short gives
 * the report of what was read, with `capture.error` saying where reading stopped.
 */
export function diagnose(capture, options = {}) {
  const analysis = analyzer(options);
  try {
    analysis.push(bytes(capture, "capture"));
    return JSON.parse(analysis.finishCompact());
  } finally {
    analysis.free();
  }
}

/** The chunks of a ReadableStream, a Blob (a File), or any (async) iterable of bytes. */
async function* chunks(source) {
  if (typeof source?.stream === "function" && typeof source.getReader !== "function") {
    source = source.stream();
  }
  if (typeof source?.getReader === "function") {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source;
}

/**
 * Analyses a capture chunk by chunk, for files too large to hold in memory: a Node.js stream
 * (`fs.createReadStream`), a web ReadableStream, a Blob or File, or any (async) iterable of byte
 * chunks. Memory follows the connections still open, not the file.
 *
 * With `onConnections`, each connection's report entry is handed over as soon as it is made
 * (an array, after any chunk that ended some), and the report returned at the end holds only the
 * connections not handed over yet, with the capture's summary and findings: the memory then stays
 * flat whatever the number of connections.
 */
export async function diagnoseStream(source, options = {}) {
  const analysis = analyzer(options);
  try {
    for await (const chunk of chunks(source)) {
      analysis.push(bytes(chunk, "chunk"));
      if (options.onConnections) {
        const ended = JSON.parse(analysis.takeConnections());
        if (ended.length > 0) options.onConnections(ended);
      }
    }
    return JSON.parse(analysis.finishCompact());
  } finally {
    analysis.free();
  }
}
