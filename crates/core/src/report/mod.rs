//! The report: one owned, serializable value that every renderer and every shell reads.
//!
//! Output is deterministic: connections in order of first appearance, counters in a fixed order.

pub mod text;

/// The JSON form of the report (the public contract, `schema_version` 1), pretty-printed with
/// a final newline. The CLI's `--format json` and the WASM build print exactly this.
pub fn to_json(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_json(report, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The same report as [`to_json`] without indentation or the final newline (about two thirds
/// of the bytes), for a program that parses it anyway, such as the web page.
pub fn to_json_compact(report: &Report) -> String {
    // Serialising a report (strings, numbers, booleans) cannot fail.
    serde_json::to_string(report).unwrap_or_default()
}

/// Writes the JSON report (as [`to_json`] gives it) to `out` without building it in memory
/// first: a capture with thousands of connections has a report of many megabytes.
pub fn write_json(report: &Report, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")
}

use crate::capture::{CaptureFormat, Timestamp};
use crate::error::CaptureError;
use crate::flow::{Endpoint, Opening, RoleBasis};
use crate::tls::handshake::{CertEntry, ClientHello, ServerHello};

/// Serialises a time as the report writes times: RFC 3339, `null` when unknown. Times are kept
/// as numbers until the report is written.
#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference
fn rfc3339<S: serde::Serializer>(time: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// Version of the JSON contract described in the README.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything the tool found in one capture.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// Version of this structure's JSON form.
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// Facts about the capture file.
    pub capture: CaptureSummary,
    /// TCP connections, in order of first appearance.
    pub connections: Vec<ConnectionReport>,
    /// Findings about the capture as a whole.
    pub findings: Vec<crate::findings::Finding>,
    /// The client certificate chain the user supplied (`--client-cert`), leaf first; absent
    /// from the JSON when none was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplied_client_certificates: Vec<crate::x509::CertSummary>,
    /// The subjects of the trust store's CAs (`--ca`); absent from the JSON when none was given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trust_store: Vec<String>,
}

/// Name and version of the tool.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Tool {
    /// Always `pcap-tls-diagnose`.
    pub name: &'static str,
    /// The core library's version.
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: "pcap-tls-diagnose",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// Facts about the capture file as a whole.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaptureSummary {
    /// `pcap` or `pcapng`; `null` when not even the magic number could be read.
    pub format: Option<CaptureFormat>,
    /// True when the file was gzip-compressed.
    pub gzip: bool,
    /// Packet records read.
    pub frames: u64,
    /// Link types of the frames, by registry name, sorted.
    pub link_types: Vec<String>,
    /// Time of the first frame (RFC 3339, UTC).
    pub start: Option<String>,
    /// Time of the last frame (RFC 3339, UTC).
    pub end: Option<String>,
    /// Frames whose captured bytes are fewer than their length on the wire (snapshot length).
    pub truncated_frames: u64,
    /// Frames that carry a TCP segment.
    pub tcp_frames: u64,
    /// Frames that were not analysed, grouped by the reason.
    pub not_analysed: Vec<NotAnalysed>,
    /// pcapng Decryption Secrets Blocks found (their key logs are used for decryption).
    pub decryption_secrets_blocks: u64,
    /// The key log used (`--keylog` and the capture's Decryption Secrets Blocks); `null` when
    /// there is none.
    pub key_log: Option<KeyLogSummary>,
    /// Connections beyond the tracking limit (100,000), counted by their SYNs: not analysed.
    pub untracked_connections: u64,
    /// Frames of those connections.
    pub untracked_frames: u64,
    /// Why reading stopped early, if it did; everything in the report was read before it.
    pub error: Option<CaptureError>,
    /// Time of the first frame, for library users.
    #[serde(skip)]
    pub first_timestamp: Option<Timestamp>,
}

/// The key log, counted (its secrets are never in the report).
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct KeyLogSummary {
    /// Distinct ClientHello randoms with secrets.
    pub sessions: usize,
    /// Lines read (comments and blank lines aside).
    pub lines: u64,
    /// Lines not used: an unknown label (EXPORTER_SECRET, …) or not in the format.
    pub skipped_lines: u64,
    /// Connections of the capture whose ClientHello random the key log has.
    pub connections_matched: usize,
}

/// What a key log decrypted on one connection, and what it left hidden.
#[derive(Clone, Debug, Default, Eq, PartialEq, serde::Serialize)]
pub struct DecryptionReport {
    /// The key log has secrets for this connection's ClientHello random.
    pub matched: bool,
    /// The labels found for it (`CLIENT_RANDOM`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`, …).
    pub secrets: Vec<&'static str>,
    /// Labels that records of this connection needed but the key log lacks.
    pub missing: Vec<&'static str>,
    /// Records decrypted.
    pub records_decrypted: u64,
    /// Records that stayed encrypted, per direction, and why.
    pub hidden: Vec<HiddenRecords>,
    /// Records that did not decrypt (the first per direction).
    pub failures: Vec<DecryptionFailure>,
    /// Why nothing could be decrypted here, when that is not the key log's fault (no
    /// ClientHello in the capture, a suite or version this tool does not decrypt).
    pub note: Option<String>,
    /// The server's first application data, when it is an HTTP response.
    pub http_response: Option<HttpResponse>,
}

/// Records of one direction that stayed encrypted.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct HiddenRecords {
    /// Whose records.
    pub from: Party,
    /// The first one's frame.
    pub first_frame: u64,
    /// How many.
    pub records: u64,
    /// Why, in words.
    pub reason: String,
}

/// A record that did not decrypt.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct DecryptionFailure {
    /// Who sent it.
    pub from: Party,
    /// Its frame.
    pub frame: u64,
    /// `authentication` (the tag or MAC does not match: another session's secrets) or
    /// `malformed`.
    pub reason: &'static str,
}

/// The server's first decrypted application data, read as an HTTP response. Only the status
/// line is kept; the body is never reported.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct HttpResponse {
    /// The frame that carried it.
    pub frame: u64,
    /// `HTTP/1.1 400 Bad Request`.
    pub status_line: String,
    /// The body says "No required SSL certificate was sent" (nginx's answer to a client
    /// without a certificate when verification is on).
    pub no_client_certificate: bool,
}

/// A count of frames that were passed over, and why.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct NotAnalysed {
    /// Machine-readable reason: `unknown_link_type`, `not_ip`, `other_transport`, `ip_fragment`,
    /// `truncated`, `malformed`.
    pub reason: &'static str,
    /// Human-readable detail, e.g. `UDP` or `LINKTYPE_105`.
    pub detail: String,
    /// How many frames.
    pub frames: u64,
}

/// One TCP connection.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ConnectionReport {
    /// 1-based, in order of first appearance.
    pub id: u32,
    /// The client's endpoint.
    pub client: Endpoint,
    /// The server's endpoint.
    pub server: Endpoint,
    /// What decided which side is the client.
    pub role_basis: RoleBasis,
    /// First frame of the connection (1-based).
    pub first_frame: u64,
    /// Last frame of the connection.
    pub last_frame: u64,
    /// Time of the earliest frame (RFC 3339).
    pub start: Option<String>,
    /// Time of the latest frame (RFC 3339).
    pub end: Option<String>,
    /// Traffic from the client.
    pub client_to_server: Traffic,
    /// Traffic from the server.
    pub server_to_client: Traffic,
    /// True when either side's first payload looks like TLS (by content, not by port).
    pub starts_like_tls: bool,
    /// TLS started after another protocol: `smtp`, `imap`, `pop3`, `ftp`, `ldap`, `xmpp`,
    /// `postgresql`, `mysql`, or `other`; `null` when the connection began with TLS (or had none).
    pub starttls: Option<String>,
    /// The version the ServerHello chose (`TLS 1.2`, …); `null` without a ServerHello.
    pub tls_version: Option<String>,
    /// The cipher suite the ServerHello chose.
    pub cipher_suite: Option<String>,
    /// The server name the client asked for (SNI).
    pub sni: Option<String>,
    /// ALPN protocols the client offered.
    pub alpn: crate::tls::handshake::Names,
    /// The ALPN protocol the server chose, when visible (TLS ≤ 1.2).
    pub alpn_selected: Option<String>,
    /// How the handshake ended.
    pub outcome: Outcome,
    /// An abbreviated (resumed) handshake.
    pub resumed: bool,
    /// Did the server ask for a client certificate? `null`: cannot be known (encrypted).
    pub client_certificate_requested: Option<bool>,
    /// The server's CertificateRequest, when visible.
    pub certificate_request: Option<CertificateRequestReport>,
    /// The server's certificates, leaf first; `null` when no Certificate message is visible.
    pub server_certificates: Option<std::sync::Arc<[CertEntry]>>,
    /// The client's certificates; `[]` is an empty Certificate message; `null` when none visible.
    pub client_certificates: Option<std::sync::Arc<[CertEntry]>>,
    /// What the (last) ClientHello offered.
    pub client_hello: Option<ClientHello>,
    /// What the ServerHello chose.
    pub server_hello: Option<ServerHello>,
    /// Handshake messages and other TLS records, in order.
    pub messages: Vec<MessageReport>,
    /// Alerts, in order.
    pub alerts: Vec<AlertReport>,
    /// Capture and stream anomalies (gaps, mid-stream start, STARTTLS, …), in frame order.
    pub anomalies: Vec<Anomaly>,
    /// TLS events not kept because of the per-connection limit.
    pub dropped_events: u64,
    /// Key log decryption: what was decrypted and what stayed hidden; `null` without a key log.
    pub decryption: Option<DecryptionReport>,
    /// The diagnosis: what failed, why, what to change, with evidence frames.
    pub findings: Vec<crate::findings::Finding>,
    /// Time of the first frame, for library users.
    #[serde(skip)]
    pub start_timestamp: Option<Timestamp>,
    /// Time of the last frame, for library users.
    #[serde(skip)]
    pub end_timestamp: Option<Timestamp>,
}

/// How a connection's TLS handshake ended.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Both sides finished the handshake (for TLS 1.3 without keys: inferred, see the README).
    Established,
    /// A fatal alert, or the connection closed, before the handshake finished.
    Failed,
    /// The capture ends before the handshake did.
    Incomplete,
    /// No TLS on this connection.
    NotTls,
}

/// Who sent something.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// A handshake message or another TLS record.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MessageReport {
    /// The frame that completed it (where Wireshark shows it).
    pub frame: u64,
    /// The frame that carried its first byte, when different.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_frame: Option<u64>,
    /// Time of `frame` (RFC 3339 in the JSON).
    #[serde(serialize_with = "rfc3339")]
    pub time: Option<Timestamp>,
    /// Who sent it.
    pub from: Party,
    /// `client_hello`, `certificate`, …; `change_cipher_spec`; `encrypted_handshake` (a
    /// handshake record after ChangeCipherSpec); `encrypted_record` (application_data: in TLS 1.3
    /// also the encrypted handshake); `application_data` (decrypted; content not shown);
    /// `heartbeat`.
    #[serde(rename = "type")]
    pub typ: std::borrow::Cow<'static, str>,
    /// Its content is encrypted.
    pub encrypted: bool,
    /// Read from a record decrypted with the key log.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decrypted: bool,
    /// Handshake messages: the declared body length; records: the record length.
    pub length: u32,
    /// Certificate messages: the certificate_list length (0 = empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificates_length: Option<u32>,
    /// Bytes of it are missing from the capture (or it was too large to read).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// A ClientHello in the SSL 2.0-compatible format.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sslv2_format: bool,
    /// The HandshakeType number, for handshake messages.
    #[serde(skip)]
    pub handshake_type: Option<u8>,
    /// Position among the connection's messages and alerts.
    #[serde(skip)]
    pub seq: usize,
    /// A one-line summary of the message's content, for the text ladder.
    #[serde(skip)]
    pub summary: Option<String>,
    /// A TLS 1.2 client's CertificateVerify: its signature checked over the handshake with the
    /// client certificate's public key (`true` valid, `false` made with another key); absent
    /// when the server accepted it (its ChangeCipherSpec followed) or it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_valid: Option<bool>,
}

/// An alert.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AlertReport {
    /// The frame that carried it.
    pub frame: u64,
    /// Its time (RFC 3339 in the JSON).
    #[serde(serialize_with = "rfc3339")]
    pub time: Option<Timestamp>,
    /// Who sent it.
    pub from: Party,
    /// `warning` or `fatal`; `null` when encrypted.
    pub level: Option<String>,
    /// AlertDescription number; `null` when encrypted.
    pub code: Option<u8>,
    /// Its name, e.g. `handshake_failure`; `null` when encrypted.
    pub description: Option<String>,
    /// The alert's content is encrypted.
    pub encrypted: bool,
    /// Read from a record decrypted with the key log.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decrypted: bool,
    /// Record length.
    pub length: u16,
    /// Position among the connection's messages and alerts.
    #[serde(skip)]
    pub seq: usize,
}

/// A CertificateRequest, as the report shows it: the parsed message itself (its DER CA names
/// are kept for matching but not serialised).
pub type CertificateRequestReport = crate::tls::handshake::CertificateRequest;

/// Something about the capture or the stream that limits what can be seen.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Anomaly {
    /// The frame where it shows.
    pub frame: u64,
    /// Whose direction.
    pub from: Party,
    /// `gap`, `overlap`, `out_of_order`, `midstream`, `starttls`, `not_tls`, `resync`,
    /// `incomplete_message`, `oversized_message`, `truncated_frames`.
    pub kind: String,
    /// In words.
    pub detail: String,
}

/// One direction of a connection.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Traffic {
    /// Frames.
    pub frames: u64,
    /// Bytes of those frames on the wire.
    pub bytes: u64,
    /// TCP payload bytes.
    pub payload_bytes: u64,
    /// A SYN (or SYN-ACK) was sent.
    pub syn: bool,
    /// A FIN was sent.
    pub fin: bool,
    /// A RST was sent.
    pub rst: bool,
    /// The frame of the first FIN, if any.
    pub fin_frame: Option<u64>,
    /// The frame of the first RST, if any.
    pub rst_frame: Option<u64>,
    /// Frames cut by the snapshot length.
    pub truncated_frames: u64,
    /// TLS application_data records (in TLS 1.3 including the encrypted handshake).
    pub application_data_records: u64,
    /// Their bytes (record lengths).
    pub application_data_bytes: u64,
    /// How the first payload looks, with its frame.
    pub opening: Option<OpeningReport>,
}

/// How a direction's first payload looks.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OpeningReport {
    /// Frame that carried it.
    pub frame: u64,
    /// Its classification.
    pub kind: Opening,
    /// Its first bytes (up to 16) in hex.
    pub head: String,
}
