// The JSON report of pcap-tls-diagnose (`--format json`, `diagnoseJson`; docs/report.md) and its
// JSON Lines (`--format jsonl`): `Report` and `JsonlLine`.
//
// Generated from the Rust types of pcap-tls-diagnose-core by ts-rs; do not edit. Regenerate with
//   REPORT_DTS=write cargo test -p pcap-tls-diagnose-wasm --test typescript
//
// `field?: T` is left out of the JSON when empty or false; `field: T | null` is always written.

/**
 * An alert.
 */
export type Alert = {
  /**
   * The frame that carried it.
   */
  frame: number,
  /**
   * Its time (RFC 3339 in the JSON).
   */
  time: string | null,
  /**
   * Who sent it.
   */
  from: Party,
  /**
   * `warning` or `fatal`; `null` when encrypted.
   */
  level: string | null,
  /**
   * AlertDescription number; `null` when encrypted.
   */
  code: number | null,
  /**
   * Its name, e.g. `handshake_failure`; `null` when encrypted.
   */
  description: string | null,
  /**
   * The alert's content is encrypted.
   */
  encrypted: boolean,
  /**
   * Read from a record decrypted with the key log.
   */
  decrypted?: boolean,
  /**
   * Record length.
   */
  length: number,
  /**
   * A TLS 1.3 record not decrypted, taken for an alert by its size (19 bytes: a 2-byte alert,
   * its content type and a 16-byte tag) and its place: `fatal` (a side refusing the other's
   * flight) or `close_notify` (the last record before a side's FIN). Absent otherwise.
   */
  inferred?: string,
};

/**
 * Something about the capture or the stream that limits what can be seen.
 */
export type Anomaly = {
  /**
   * The frame where it shows.
   */
  frame: number,
  /**
   * Whose direction.
   */
  from: Party,
  /**
   * `gap`, `overlap`, `out_of_order`, `midstream`, `starttls`, `not_tls`, `resync`,
   * `incomplete_message`, `oversized_message`, `truncated`, `one_sided`.
   */
  kind: string,
  /**
   * In words.
   */
  detail: string,
};

/**
 * A capture file could not be read from `offset` on.
 *
 * What was read before `offset` stays valid and is reported as a partial result.
 */
export type CaptureError = {
  /**
   * Byte offset in the input (0-based; in the decompressed data for gzip) of the structure
   * that could not be read.
   */
  offset: number,
  /**
   * What is wrong and where, in words.
   */
  message: string,
} & ({ "kind": "empty" } | { "kind": "not_a_capture",
    /**
     * The first bytes of the input (up to 4).
     */
    magic: Array<number>,
  } | { "kind": "cut_short",
    /**
     * What was being read ("pcap file header", "pcap record", "pcapng block", …).
     */
    what: string,
    /**
     * How many more bytes the structure needed.
     */
    missing: number,
  } | { "kind": "bad_length",
    /**
     * What claimed the length.
     */
    what: string,
    /**
     * The claimed length.
     */
    length: number,
    /**
     * The largest (or the smallest) length that was acceptable here.
     */
    limit: number,
  } | { "kind": "malformed",
    /**
     * What was being read.
     */
    what: string,
    /**
     * Why it cannot be read.
     */
    why: string,
  } | { "kind": "gzip",
    /**
     * The decompressor's message.
     */
    why: string,
  }
);

/**
 * The container format of a capture.
 */
export type CaptureFormat = "pcap" | "pcapng";

/**
 * Facts about the capture file as a whole.
 */
export type CaptureSummary = {
  /**
   * `pcap` or `pcapng`; `null` when not even the magic number could be read.
   */
  format: CaptureFormat | null,
  /**
   * True when the file was gzip-compressed.
   */
  gzip: boolean,
  /**
   * Packet records read.
   */
  frames: number,
  /**
   * Link types of the frames, by registry name, sorted.
   */
  link_types: Array<string>,
  /**
   * Time of the first frame (RFC 3339, UTC, in the JSON).
   */
  start: string | null,
  /**
   * Time of the last frame.
   */
  end: string | null,
  /**
   * Frames whose captured bytes are fewer than their length on the wire (snapshot length).
   */
  truncated_frames: number,
  /**
   * Frames that carry a TCP segment.
   */
  tcp_frames: number,
  /**
   * Frames that were not analysed, grouped by the reason.
   */
  not_analysed: Array<NotAnalysed>,
  /**
   * pcapng Decryption Secrets Blocks found (their key logs are used for decryption).
   */
  decryption_secrets_blocks: number,
  /**
   * The key log used (`--keylog` and the capture's Decryption Secrets Blocks); `null` when
   * there is none.
   */
  key_log: KeyLogSummary | null,
  /**
   * Always 0: kept for readers of earlier reports, where it counted connections beyond a
   * limit of 100,000 that were not analysed. Every connection is analysed now (see
   * `evicted_connections` and `unlisted_connections`).
   */
  untracked_connections: number,
  /**
   * Segments that came after their connection had ended and been diagnosed (more than a
   * minute of capture time after its end, or when a thousand more had ended since): not
   * counted in any connection.
   */
  untracked_frames: number,
  /**
   * Connections ended early because 100,000 were open at once (the longest idle): each has
   * an `evicted` anomaly.
   */
  evicted_connections: number,
  /**
   * Connections analysed but not listed in this report: a report holds at most 100,000
   * connections (`--format jsonl` writes every one as it ends, in constant memory).
   */
  unlisted_connections: number,
  /**
   * Every connection analysed (listed or not), by outcome.
   */
  outcomes: OutcomeCounts,
  /**
   * Why reading stopped early, if it did; everything in the report was read before it.
   */
  error: CaptureError | null,
};

/**
 * What the report says about one certificate.
 */
export type Certificate = {
  /**
   * Subject distinguished name, e.g. `CN=localhost, O=Example`.
   */
  subject: string,
  /**
   * Issuer distinguished name.
   */
  issuer: string,
  /**
   * Serial number in hex.
   */
  serial: string,
  /**
   * Start of validity (RFC 3339).
   */
  not_before: string,
  /**
   * End of validity (RFC 3339).
   */
  not_after: string,
  /**
   * DNS names, IP addresses, e-mail addresses and URIs of the subjectAltName extension, as
   * `DNS:…`, `IP:…`, `email:…`, `URI:…`, `DirName:…`.
   */
  subject_alt_names: Array<string>,
  /**
   * Key type and size: `RSA 2048`, `EC P-256`, `Ed25519`, …
   */
  public_key: string,
  /**
   * Signature algorithm, by name where known.
   */
  signature_algorithm: string,
  /**
   * SHA-256 of the DER encoding, in hex.
   */
  sha256: string,
  /**
   * Subject and issuer are the same name (and the key identifiers, when present, agree),
   * and, where it can be checked, its own key made its signature.
   */
  self_signed: boolean,
  /**
   * Key usage flags (`digitalSignature`, `keyCertSign`, …); empty without the extension.
   */
  key_usage: Array<string>,
  /**
   * Extended key usages (`serverAuth`, `clientAuth`, …); empty without the extension.
   */
  extended_key_usage: Array<string>,
  /**
   * Basic constraints: a CA certificate.
   */
  is_ca: boolean,
  /**
   * Length of the DER encoding.
   */
  der_length: number,
  /**
   * Its signature checked with the key of its issuer, when the issuer is the next
   * certificate of the same chain (or itself, when self-signed): `true` valid, `false` not
   * made by that key. Absent when not checked.
   */
  signature_valid?: boolean,
};

/**
 * One certificate of a Certificate message.
 */
export type CertificateEntry = Certificate | {
  /**
   * Why.
   */
  error: string,
  /**
   * Its length.
   */
  der_length: number,
};

/**
 * A server's CertificateRequest.
 */
export type CertificateRequest = {
  /**
   * The TLS 1.3 form (context + extensions).
   */
  tls13: boolean,
  /**
   * certificate_types (TLS ≤ 1.2), e.g. `rsa_sign`.
   */
  certificate_types: Array<string>,
  /**
   * signature_algorithms, e.g. `rsa_pss_rsae_sha256`.
   */
  signature_algorithms: Array<string>,
  /**
   * signature_algorithms_cert (TLS 1.3).
   */
  signature_algorithms_cert: Array<string>,
  /**
   * Accepted CA distinguished names (`CN=…, O=…`); empty = "any CA".
   */
  certificate_authorities: Array<string>,
  /**
   * oid_filters (TLS 1.3), as `OID=hexvalue`.
   */
  oid_filters: Array<string>,
};

/**
 * What a ClientHello offers.
 */
export type ClientHello = {
  /**
   * `legacy_version` (the highest version before TLS 1.3).
   */
  legacy_version: string,
  /**
   * Versions of the supported_versions extension, in order (GREASE omitted).
   */
  supported_versions: Array<string>,
  /**
   * Cipher suites, in order of preference.
   */
  cipher_suites: Array<string>,
  /**
   * Server Name Indication.
   */
  sni: string | null,
  /**
   * ALPN protocols offered.
   */
  alpn: Array<string>,
  /**
   * Named groups (supported_groups).
   */
  groups: Array<string>,
  /**
   * Groups with a key share (TLS 1.3).
   */
  key_share_groups: Array<string>,
  /**
   * signature_algorithms.
   */
  signature_algorithms: Array<string>,
  /**
   * Length of the legacy session id (non-zero: resumption attempt or middlebox compatibility).
   */
  session_id_length: number,
  /**
   * A non-empty session ticket is offered (RFC 5077 resumption).
   */
  session_ticket: boolean,
  /**
   * A pre-shared key is offered (TLS 1.3 resumption).
   */
  pre_shared_key: boolean,
  /**
   * renegotiation_info or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
   */
  renegotiation_info: boolean,
  /**
   * post_handshake_auth (RFC 8446 §4.2.6).
   */
  post_handshake_auth: boolean,
  /**
   * extended_master_secret (RFC 7627).
   */
  extended_master_secret: boolean,
  /**
   * TLS_FALLBACK_SCSV is offered (RFC 7507).
   */
  fallback_scsv: boolean,
  /**
   * Extension types in order.
   */
  extensions: Array<string>,
  /**
   * Sent in the SSL 2.0-compatible format.
   */
  sslv2_format: boolean,
  /**
   * JA4: `t13d1516h2_8daaf6152771_e5627efa2ab1` (version, SNI or not, counts of suites and
   * extensions, ALPN; hash of the sorted suites; hash of the sorted extensions without SNI
   * and ALPN and of the signature algorithms).
   */
  ja4: string,
  /**
   * JA4_r: JA4 with the sorted lists in hex instead of their hashes.
   */
  ja4_r: string,
  /**
   * JA4_o: JA4 of the lists in the order sent (SNI and ALPN kept).
   */
  ja4_o: string,
  /**
   * JA4_ro: JA4_o with the lists in hex instead of their hashes.
   */
  ja4_ro: string,
  /**
   * JA3: the MD5 of `ja3_string`, in hex.
   */
  ja3: string,
  /**
   * JA3's string: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`,
   * decimal, `-` between the values of a field.
   */
  ja3_string: string,
};

/**
 * The TLS stack a client looks like, from its ClientHello's shape.
 */
export type ClientStack = {
  /**
   * `java`, `go`, `nodejs`, `browser`, `gnutls`, `openssl` or `schannel`.
   */
  stack: string,
  /**
   * As the findings name it: `Go (crypto/tls)`, `OpenSSL (curl, Python, s_client, nginx, …)`.
   */
  name: string,
  /**
   * What in the ClientHello it rests on.
   */
  basis: string,
  /**
   * Always `likely`: a shape, not a proof (any stack can be configured to look like another).
   */
  confidence: Confidence,
};

/**
 * How sure a finding is.
 */
export type Confidence = "certain" | "likely";

/**
 * One TCP connection.
 */
export type ConnectionReport = {
  /**
   * 1-based, in order of first appearance.
   */
  id: number,
  /**
   * The client's endpoint.
   */
  client: Endpoint,
  /**
   * The server's endpoint.
   */
  server: Endpoint,
  /**
   * What decided which side is the client.
   */
  role_basis: RoleBasis,
  /**
   * First frame of the connection (1-based).
   */
  first_frame: number,
  /**
   * Last frame of the connection.
   */
  last_frame: number,
  /**
   * Time of the earliest frame (RFC 3339 in the JSON).
   */
  start: string | null,
  /**
   * Time of the latest frame.
   */
  end: string | null,
  /**
   * Traffic from the client.
   */
  client_to_server: Traffic,
  /**
   * Traffic from the server.
   */
  server_to_client: Traffic,
  /**
   * True when either side's first payload looks like TLS (by content, not by port).
   */
  starts_like_tls: boolean,
  /**
   * TLS started after another protocol: `smtp`, `imap`, `pop3`, `ftp`, `ldap`, `xmpp`,
   * `postgresql`, `mysql`, or `other`; `null` when the connection began with TLS (or had none).
   */
  starttls: string | null,
  /**
   * The version the ServerHello chose (`TLS 1.2`, …); `null` without a ServerHello.
   */
  tls_version: string | null,
  /**
   * The cipher suite the ServerHello chose.
   */
  cipher_suite: string | null,
  /**
   * The server name the client asked for (SNI).
   */
  sni: string | null,
  /**
   * ALPN protocols the client offered.
   */
  alpn: Array<string>,
  /**
   * The ALPN protocol the server chose, when visible (TLS ≤ 1.2).
   */
  alpn_selected: string | null,
  /**
   * How the handshake ended.
   */
  outcome: Outcome,
  /**
   * An abbreviated (resumed) handshake.
   */
  resumed: boolean,
  /**
   * For a resumed session: the id of the latest earlier connection to the same server with
   * a full handshake (most likely the one that created the session); `null` otherwise or
   * when the capture holds none.
   */
  resumes: number | null,
  /**
   * Did the server ask for a client certificate? `null`: cannot be known (encrypted).
   */
  client_certificate_requested: boolean | null,
  /**
   * The server's CertificateRequest, when visible.
   */
  certificate_request: CertificateRequest | null,
  /**
   * The server's certificates, leaf first; `null` when no Certificate message is visible.
   */
  server_certificates: Array<CertificateEntry> | null,
  /**
   * The client's certificates; `[]` is an empty Certificate message; `null` when none visible.
   */
  client_certificates: Array<CertificateEntry> | null,
  /**
   * What the (last) ClientHello offered.
   */
  client_hello: ClientHello | null,
  /**
   * What the ServerHello chose.
   */
  server_hello: ServerHello | null,
  /**
   * The TLS stack the client looks like from its first ClientHello, as the findings' advice
   * names it; `null` when its ClientHello fits none of them (or there is none).
   */
  client_stack: ClientStack | null,
  /**
   * Handshake messages and other TLS records, in order.
   */
  messages: Array<Message>,
  /**
   * Alerts, in order.
   */
  alerts: Array<Alert>,
  /**
   * Capture and stream anomalies (gaps, mid-stream start, STARTTLS, …), in frame order.
   */
  anomalies: Array<Anomaly>,
  /**
   * TLS events not kept because of the per-connection limit.
   */
  dropped_events: number,
  /**
   * Key log decryption: what was decrypted and what stayed hidden; `null` without a key log.
   */
  decryption: Decryption | null,
  /**
   * The diagnosis: what failed, why, what to change, with evidence frames.
   */
  findings: Array<Finding>,
};

/**
 * What a key log decrypted on one connection, and what it left hidden.
 */
export type Decryption = {
  /**
   * The key log has secrets for this connection's ClientHello random.
   */
  matched: boolean,
  /**
   * The labels found for it (`CLIENT_RANDOM`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`, …).
   */
  secrets: Array<string>,
  /**
   * Labels that records of this connection needed but the key log lacks.
   */
  missing: Array<string>,
  /**
   * Records decrypted.
   */
  records_decrypted: number,
  /**
   * Records that stayed encrypted, per direction, and why.
   */
  hidden: Array<HiddenRecords>,
  /**
   * Records that did not decrypt (the first per direction).
   */
  failures: Array<DecryptionFailure>,
  /**
   * Why nothing could be decrypted here, when that is not the key log's fault (no
   * ClientHello in the capture, a suite or version this tool does not decrypt).
   */
  note: string | null,
  /**
   * The server's first application data, when it is an HTTP response.
   */
  http_response: HttpResponse | null,
};

/**
 * A record that did not decrypt.
 */
export type DecryptionFailure = {
  /**
   * Who sent it.
   */
  from: Party,
  /**
   * Its frame.
   */
  frame: number,
  /**
   * `authentication` (the tag or MAC does not match: another session's secrets) or
   * `malformed`.
   */
  reason: string,
};

/**
 * One end of a TCP connection.
 */
export type Endpoint = {
  /**
   * IP address; in a redacted report its pseudonym (`client-1`, …).
   */
  ip: string,
  /**
   * TCP port.
   */
  port: number,
};

/**
 * One diagnosis.
 */
export type Finding = {
  /**
   * Stable kebab-case code, documented in docs/findings.md.
   */
  code: FindingCode,
  /**
   * How bad it is.
   */
  severity: Severity,
  /**
   * How sure it is.
   */
  confidence: Confidence,
  /**
   * One line.
   */
  title: string,
  /**
   * What happened, naming who did what, in plain words.
   */
  explanation: string,
  /**
   * What to change.
   */
  remediation: string,
  /**
   * The frames that show it, in order.
   */
  frames: Array<number>,
};

/**
 * A finding's stable code, as the report writes it (`client-cert-missing`, …). The names
 * are a public interface: tools match on them.
 */
export type FindingCode = "client-cert-missing" | "client-auth-optional-no-cert" | "client-cert-rejected" | "client-cert-not-in-ca-list" | "client-cert-expired" | "client-cert-not-yet-valid" | "client-cert-untrusted-issuer" | "client-cert-incomplete-chain" | "client-cert-wrong-key-usage" | "client-cert-key-mismatch" | "client-cert-type-mismatch" | "server-cert-untrusted" | "server-cert-self-signed" | "server-cert-incomplete-chain" | "server-cert-expired" | "server-cert-not-yet-valid" | "server-cert-hostname-mismatch" | "protocol-version-mismatch" | "no-shared-cipher" | "server-name-unrecognized" | "alpn-mismatch" | "inappropriate-fallback" | "fatal-alert" | "no-server-response" | "connection-reset" | "connection-closed" | "connection-refused" | "no-syn-answer" | "not-tls" | "tls13-handshake-encrypted" | "encrypted-alert" | "resumed-session" | "renegotiation" | "post-handshake-auth" | "handshake-ok" | "no-tls-in-capture" | "capture-truncated" | "capture-gap" | "capture-midstream" | "capture-one-sided" | "keylog-no-match" | "keylog-incomplete" | "keylog-decrypt-failed";

/**
 * How a direction's first payload looks.
 */
export type FirstPayload = {
  /**
   * Frame that carried it.
   */
  frame: number,
  /**
   * Its classification.
   */
  kind: Opening,
  /**
   * Its first bytes (up to 16) in hex.
   */
  head: string,
};

/**
 * Records of one direction that stayed encrypted.
 */
export type HiddenRecords = {
  /**
   * Whose records.
   */
  from: Party,
  /**
   * The first one's frame.
   */
  first_frame: number,
  /**
   * How many.
   */
  records: number,
  /**
   * Why, in words.
   */
  reason: string,
};

/**
 * The server's first decrypted application data, read as an HTTP response. Only the status
 * line is kept; the body is never reported.
 */
export type HttpResponse = {
  /**
   * The frame that carried it.
   */
  frame: number,
  /**
   * `HTTP/1.1 400 Bad Request`.
   */
  status_line: string,
  /**
   * The body says "No required SSL certificate was sent" (nginx's answer to a client
   * without a certificate when verification is on).
   */
  no_client_certificate: boolean,
};

/**
 * The first line: the schema and the tool.
 */
export type JsonlCapture = { schema_version: number, tool: Tool, };

/**
 * A certificate of a chain: a reference to its line, or (one that did not parse) in place.
 */
export type JsonlCertificateRef = { sha256: string, signature_valid?: boolean, } | CertificateEntry;

/**
 * A ClientHello's shape, the first time it is seen: `id` is what connection lines refer to.
 */
export type JsonlClientHello = { id: string,
  /**
   * `legacy_version` (the highest version before TLS 1.3).
   */
  legacy_version: string,
  /**
   * Versions of the supported_versions extension, in order (GREASE omitted).
   */
  supported_versions: Array<string>,
  /**
   * Cipher suites, in order of preference.
   */
  cipher_suites: Array<string>,
  /**
   * Server Name Indication.
   */
  sni: string | null,
  /**
   * ALPN protocols offered.
   */
  alpn: Array<string>,
  /**
   * Named groups (supported_groups).
   */
  groups: Array<string>,
  /**
   * Groups with a key share (TLS 1.3).
   */
  key_share_groups: Array<string>,
  /**
   * signature_algorithms.
   */
  signature_algorithms: Array<string>,
  /**
   * Length of the legacy session id (non-zero: resumption attempt or middlebox compatibility).
   */
  session_id_length: number,
  /**
   * A non-empty session ticket is offered (RFC 5077 resumption).
   */
  session_ticket: boolean,
  /**
   * A pre-shared key is offered (TLS 1.3 resumption).
   */
  pre_shared_key: boolean,
  /**
   * renegotiation_info or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
   */
  renegotiation_info: boolean,
  /**
   * post_handshake_auth (RFC 8446 §4.2.6).
   */
  post_handshake_auth: boolean,
  /**
   * extended_master_secret (RFC 7627).
   */
  extended_master_secret: boolean,
  /**
   * TLS_FALLBACK_SCSV is offered (RFC 7507).
   */
  fallback_scsv: boolean,
  /**
   * Extension types in order.
   */
  extensions: Array<string>,
  /**
   * Sent in the SSL 2.0-compatible format.
   */
  sslv2_format: boolean,
  /**
   * JA4: `t13d1516h2_8daaf6152771_e5627efa2ab1` (version, SNI or not, counts of suites and
   * extensions, ALPN; hash of the sorted suites; hash of the sorted extensions without SNI
   * and ALPN and of the signature algorithms).
   */
  ja4: string,
  /**
   * JA4_r: JA4 with the sorted lists in hex instead of their hashes.
   */
  ja4_r: string,
  /**
   * JA4_o: JA4 of the lists in the order sent (SNI and ALPN kept).
   */
  ja4_o: string,
  /**
   * JA4_ro: JA4_o with the lists in hex instead of their hashes.
   */
  ja4_ro: string,
  /**
   * JA3: the MD5 of `ja3_string`, in hex.
   */
  ja3: string,
  /**
   * JA3's string: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`,
   * decimal, `-` between the values of a field.
   */
  ja3_string: string,
};

/**
 * A connection line in full: the report's entry with its certificates and ClientHello given
 * by reference (the same fields, in the same order).
 */
export type JsonlConnection = { id: number, client: Endpoint, server: Endpoint, role_basis: RoleBasis, first_frame: number, last_frame: number, start: string | null, end: string | null, client_to_server: Traffic, server_to_client: Traffic, starts_like_tls: boolean, starttls: string | null, tls_version: string | null, cipher_suite: string | null, sni: string | null, alpn: Array<string>, alpn_selected: string | null, outcome: Outcome, resumed: boolean, resumes: number | null, client_certificate_requested: boolean | null, certificate_request: CertificateRequest | null, server_certificates: Array<JsonlCertificateRef> | null, client_certificates: Array<JsonlCertificateRef> | null, client_hello: string | null, server_hello: ServerHello | null, client_stack: ClientStack | null, messages: Array<Message>, alerts: Array<Alert>, anomalies: Array<Anomaly>, dropped_events: number, decryption: Decryption | null, findings: Array<Finding>, };

/**
 * One line of `--format jsonl`: `capture` first, `certificate` and `client_hello` the first time
 * one is seen, a `connection` as each ends (short without a problem, unless `--all`),
 * `summary` last.
 */
export type JsonlLine =
  | ({ type: "capture", file?: string, } & JsonlCapture)
  | ({ type: "certificate", file?: string, } & Certificate)
  | ({ type: "client_hello", file?: string, } & JsonlClientHello)
  | ({ type: "connection", file?: string, } & (JsonlConnection | JsonlShortConnection))
  | ({ type: "summary", file?: string, } & JsonlSummary);

/**
 * A connection line without a problem, short.
 */
export type JsonlShortConnection = { id: number, client: Endpoint, server: Endpoint, start: string | null, end: string | null, outcome: Outcome, tls_version: string | null, cipher_suite: string | null, sni: string | null, alpn_selected: string | null, resumed: boolean, resumes: number | null, server_certificates: Array<JsonlCertificateRef> | null, client_certificates: Array<JsonlCertificateRef> | null, client_hello: string | null, findings: Array<JsonlShortFinding>, };

/**
 * A finding of a short connection line.
 */
export type JsonlShortFinding = { code: FindingCode, severity: Severity, confidence: Confidence, };

/**
 * The last line: the capture's facts and findings, how many connection lines, and what the
 * user supplied.
 */
export type JsonlSummary = { capture: CaptureSummary, findings: Array<Finding>, connections: number, supplied_client_certificates?: Array<Certificate>, trust_store?: Array<string>, };

/**
 * The key log, counted (its secrets are never in the report).
 */
export type KeyLogSummary = {
  /**
   * Distinct ClientHello randoms with secrets.
   */
  sessions: number,
  /**
   * Lines read (comments and blank lines aside).
   */
  lines: number,
  /**
   * Lines not used: an unknown label (EXPORTER_SECRET, …) or not in the format.
   */
  skipped_lines: number,
  /**
   * Connections of the capture whose ClientHello random the key log has.
   */
  connections_matched: number,
};

/**
 * A handshake message or another TLS record.
 */
export type Message = {
  /**
   * The frame that completed it (where Wireshark shows it).
   */
  frame: number,
  /**
   * The frame that carried its first byte, when different.
   */
  first_frame?: number,
  /**
   * Time of `frame` (RFC 3339 in the JSON).
   */
  time: string | null,
  /**
   * Who sent it.
   */
  from: Party,
  /**
   * `client_hello`, `certificate`, …; `change_cipher_spec`; `encrypted_handshake` (a
   * handshake record after ChangeCipherSpec); `encrypted_record` (application_data: in TLS 1.3
   * also the encrypted handshake); `application_data` (decrypted; content not shown);
   * `heartbeat`.
   */
  type: string,
  /**
   * Its content is encrypted.
   */
  encrypted: boolean,
  /**
   * Read from a record decrypted with the key log.
   */
  decrypted?: boolean,
  /**
   * Handshake messages: the declared body length; records: the record length.
   */
  length: number,
  /**
   * Certificate messages: the certificate_list length (0 = empty).
   */
  certificates_length?: number,
  /**
   * Bytes of it are missing from the capture (or it was too large to read).
   */
  incomplete?: boolean,
  /**
   * A ClientHello in the SSL 2.0-compatible format.
   */
  sslv2_format?: boolean,
  /**
   * A TLS 1.2 client's CertificateVerify: its signature checked over the handshake with the
   * client certificate's public key (`true` valid, `false` made with another key); absent
   * when the server accepted it (its ChangeCipherSpec followed) or it could not be checked.
   */
  signature_valid?: boolean,
  /**
   * A TLS 1.3 record not decrypted: what its size and place say it most likely holds
   * (`encrypted_extensions`, `certificate_request`, `certificate`, `certificate_verify`,
   * `finished`, `empty_certificate`, `new_session_ticket`, `application_data`, …). Absent
   * when nothing can be told, and for records read in clear or decrypted.
   */
  inferred?: string,
};

/**
 * A count of frames that were passed over, and why.
 */
export type NotAnalysed = {
  /**
   * Machine-readable reason: `unknown_link_type`, `not_ip`, `other_transport`, `ip_fragment`,
   * `truncated`, `malformed`.
   */
  reason: string,
  /**
   * Human-readable detail, e.g. `UDP` or `LINKTYPE_105`.
   */
  detail: string,
  /**
   * How many frames.
   */
  frames: number,
};

/**
 * How a direction's first payload looks.
 */
export type Opening = "tls_client_hello" | "sslv2_client_hello" | "tls_server_hello" | "tls_record" | "text" | "binary";

/**
 * How a connection's TLS handshake ended.
 */
export type Outcome = "established" | "failed" | "incomplete" | "not_tls";

/**
 * Connections by outcome.
 */
export type OutcomeCounts = {
  /**
   * TCP connections.
   */
  connections: number,
  /**
   * Those that carry TLS.
   */
  tls: number,
  /**
   * TLS handshakes that completed.
   */
  established: number,
  /**
   * TLS handshakes that failed.
   */
  failed: number,
  /**
   * TLS handshakes whose end the capture does not show.
   */
  incomplete: number,
};

/**
 * Who sent something.
 */
export type Party = "client" | "server";

/**
 * Everything the tool found in one capture.
 */
export type Report = {
  /**
   * Version of this structure's JSON form.
   */
  schema_version: number,
  /**
   * The tool that wrote the report.
   */
  tool: Tool,
  /**
   * Facts about the capture file.
   */
  capture: CaptureSummary,
  /**
   * TCP connections, in order of first appearance.
   */
  connections: Array<ConnectionReport>,
  /**
   * Findings about the capture as a whole.
   */
  findings: Array<Finding>,
  /**
   * The client certificate chain the user supplied (`--client-cert`), leaf first; absent
   * from the JSON when none was.
   */
  supplied_client_certificates?: Array<Certificate>,
  /**
   * The subjects of the trust store's CAs (`--ca`); absent from the JSON when none was given.
   */
  trust_store?: Array<string>,
};

/**
 * The evidence that decided which side is the client.
 */
export type RoleBasis = "syn" | "syn_ack" | "tls_hello" | "port";

/**
 * What a ServerHello chose.
 */
export type ServerHello = {
  /**
   * This is a HelloRetryRequest (RFC 8446 §4.1.4).
   */
  hello_retry_request: boolean,
  /**
   * `legacy_version`.
   */
  legacy_version: string,
  /**
   * The version chosen (supported_versions when present, else legacy_version).
   */
  version: string,
  /**
   * The cipher suite chosen.
   */
  cipher_suite: string,
  /**
   * ALPN protocol chosen (visible in TLS ≤ 1.2 only).
   */
  alpn: string | null,
  /**
   * Key share group (TLS 1.3).
   */
  key_share_group: string | null,
  /**
   * The server accepted a pre-shared key (TLS 1.3 resumption).
   */
  pre_shared_key: boolean,
  /**
   * extended_master_secret.
   */
  extended_master_secret: boolean,
  /**
   * renegotiation_info.
   */
  renegotiation_info: boolean,
  /**
   * The server will send a NewSessionTicket (session_ticket extension, TLS ≤ 1.2).
   */
  session_ticket: boolean,
  /**
   * Length of the session id.
   */
  session_id_length: number,
  /**
   * Extension types in order.
   */
  extensions: Array<string>,
  /**
   * JA3S: the MD5 of `ja3s_string`, in hex.
   */
  ja3s: string,
  /**
   * JA3S's string: `SSLVersion,Cipher,Extensions`, decimal, extensions in the order sent.
   */
  ja3s_string: string,
};

/**
 * How bad a finding is. The CLI exits with 1 when any finding is an error.
 */
export type Severity = "error" | "warning" | "info";

/**
 * Name and version of the tool.
 */
export type Tool = {
  /**
   * Always `pcap-tls-diagnose`.
   */
  name: string,
  /**
   * The core library's version.
   */
  version: string,
};

/**
 * One direction of a connection.
 */
export type Traffic = {
  /**
   * Frames.
   */
  frames: number,
  /**
   * Bytes of those frames on the wire.
   */
  bytes: number,
  /**
   * TCP payload bytes.
   */
  payload_bytes: number,
  /**
   * A SYN (or SYN-ACK) was sent.
   */
  syn: boolean,
  /**
   * A FIN was sent.
   */
  fin: boolean,
  /**
   * A RST was sent.
   */
  rst: boolean,
  /**
   * The frame of the first FIN, if any.
   */
  fin_frame: number | null,
  /**
   * The frame of the first RST, if any.
   */
  rst_frame: number | null,
  /**
   * Frames cut by the snapshot length.
   */
  truncated_frames: number,
  /**
   * TLS application_data records (in TLS 1.3 including the encrypted handshake).
   */
  application_data_records: number,
  /**
   * Their bytes (record lengths).
   */
  application_data_bytes: number,
  /**
   * How the first payload looks, with its frame.
   */
  opening: FirstPayload | null,
};
