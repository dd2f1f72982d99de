// Types of both entries of pcap-tls-diagnose (the browser's index.js and Node.js's node.js):
// the WebAssembly module's own exports, and the typed helpers that return a `Report`.

import type { ConnectionReport, Report } from "./report.js";

export type * from "./report.js";
export {
  default,
  initSync,
  Analyzer,
  diagnoseJson,
  diagnoseText,
  type InitInput,
  type InitOutput,
  type SyncInitInput,
} from "./pkg/pcap_tls_diagnose_wasm.js";

/** Bytes: a Uint8Array (a Node.js Buffer is one), an ArrayBuffer or another view of one. */
export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

/** What the CLI's `--client-cert`, `--ca`, `--keylog` and `--all` give it. */
export interface DiagnoseOptions {
  /**
   * The client certificate you expect the client to send (PEM or DER, leaf first, a chain
   * allowed; keys in it are ignored), as `--client-cert`. Throws when it holds no certificate.
   */
  clientCertificate?: Bytes | string;
  /** A trust store (PEM bundle of CA certificates), as `--ca`. */
  trustStore?: Bytes | string;
  /** Key logs (SSLKEYLOGFILE text) written with the capture, as `--keylog`. */
  keyLogs?: ReadonlyArray<Bytes | string>;
  /**
   * Every connection's entry in full, also those without a problem (short otherwise), as
   * `--all`.
   */
  all?: boolean;
}

/** {@link diagnoseStream}'s options. */
export interface DiagnoseStreamOptions extends DiagnoseOptions {
  /**
   * Receives each connection's report entry as soon as it is made; those handed over are not in
   * the report returned at the end (memory stays flat whatever the number of connections).
   */
  onConnections?: (connections: ConnectionReport[]) => void;
}

/** A source of capture bytes for {@link diagnoseStream}. */
export type ByteSource =
  | ReadableStream<Uint8Array>
  | Blob
  | AsyncIterable<Bytes>
  | Iterable<Bytes>;

/**
 * Analyses a whole capture (pcap or pcapng, gzip-compressed or not) held in memory and returns
 * its report, as the CLI's `--format json` gives it. Throws an Error when the bytes are not a
 * capture at all; a capture cut short gives the report of what was read, with `capture.error`
 * saying where reading stopped.
 */
export function diagnose(capture: Bytes, options?: DiagnoseOptions): Report;

/**
 * Analyses a capture chunk by chunk (a Node.js stream, a web ReadableStream, a Blob or File, or
 * any iterable of chunks), for files too large to hold in memory.
 */
export function diagnoseStream(source: ByteSource, options?: DiagnoseStreamOptions): Promise<Report>;
