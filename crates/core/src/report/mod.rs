//! The report: one owned value that every renderer and every shell reads, made at the end of
//! the analysis as a one-way projection of the connections' models and their findings
//! (`project.rs`). Names, hex and RFC 3339 times of the facts are written here.
//!
//! Renderers: [`to_json`] / [`write_json`] (the JSON contract, `schema_version` 2, documented
//! in docs/report.md: certificates and ClientHello shapes once, `document.rs`), [`jsonl`],
//! [`text`] and [`markdown`] (for people).
//!
//! Output is deterministic: connections in order of first appearance, counters in a fixed order.

mod document;
mod fingerprint;
pub mod jsonl;
pub mod markdown;
mod project;
pub mod redact;
pub mod text;
#[cfg(feature = "ts")]
pub mod typescript;

use std::net::IpAddr;
use std::sync::Arc;

pub use crate::capture::{CaptureFormat, Timestamp};
pub use crate::codes::{Confidence, FindingCode, Severity};
pub use crate::error::CaptureError;
pub(crate) use project::{CaptureCounts, Projector, capture_summary, certificate, finding};

/// Version of the JSON contract, documented in docs/report.md.
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON document of the report (the public contract, docs/report.md), pretty-printed with
/// a final newline: certificates and ClientHello shapes once, connections referring to them,
/// those without a problem short. The CLI's `--format json` and the WASM build print exactly
/// this.
pub fn to_json(report: &Report) -> String {
    to_json_with(report, false)
}

/// As [`to_json`]; `all`: every connection's entry in full, also those without a problem (the
/// CLI's `--format json --all`).
pub fn to_json_with(report: &Report, all: bool) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_json_with(report, all, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The same document as [`to_json_with`] without indentation or the final newline (about two
/// thirds of the bytes), for a program that parses it anyway, such as the web page.
pub fn to_json_compact(report: &Report, all: bool) -> String {
    // Serialising a report (strings, numbers, booleans) cannot fail.
    serde_json::to_string(&document::Document::new(report, all)).unwrap_or_default()
}

/// Report entries as a compact JSON array, each whole (its certificates and ClientHello in
/// place, every detail), for a caller that shows connections as they end
/// ([`crate::Analyzer::take_connections`]).
pub fn connections_to_json(connections: &[ConnectionReport]) -> String {
    // Serialising report entries (strings, numbers, booleans) cannot fail.
    serde_json::to_string(connections).unwrap_or_else(|_| "[]".to_string())
}

/// Writes the JSON document (as [`to_json`] gives it) to `out`.
pub fn write_json(report: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    write_json_with(report, false, out)
}

/// Writes the JSON document (as [`to_json_with`] gives it) to `out` without building its text
/// in memory first: a capture with thousands of connections has a report of many megabytes.
pub fn write_json_with(
    report: &Report,
    all: bool,
    mut out: impl std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, &document::Document::new(report, all))?;
    out.write_all(b"\n")
}

/// Serialises a time as the report writes times: RFC 3339, `null` when unknown.
#[allow(clippy::ref_option)] // serde's `serialize_with` passes a reference
fn rfc3339<S: serde::Serializer>(time: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// Everything the tool found in one capture. Its JSON form is the document of [`to_json`].
#[derive(Clone, Debug)]
pub struct Report {
    /// Version of the JSON form ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// Facts about the capture file.
    pub capture: CaptureSummary,
    /// TCP connections, in order of first appearance.
    pub connections: Vec<ConnectionReport>,
    /// Findings about the capture as a whole.
    pub findings: Vec<Finding>,
    /// The client certificate chain the user supplied (`--client-cert`), leaf first; absent
    /// from the JSON when none was.
    pub supplied_client_certificates: Vec<Certificate>,
    /// The subjects of the trust store's CAs (`--ca`); absent from the JSON when none was given.
    pub trust_store: Vec<String>,
}

impl Report {
    /// True when any finding, of a connection or of the capture, is an error.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .chain(self.connections.iter().flat_map(|c| &c.findings))
            .any(|f| f.severity == Severity::Error)
    }
}

/// Name and version of the tool.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaptureSummary {
    /// `pcap` or `pcapng`; `null` when not even the magic number could be read.
    pub format: Option<CaptureFormat>,
    /// True when the file was gzip-compressed.
    pub gzip: bool,
    /// Packet records read.
    pub frames: u64,
    /// Link types of the frames, by registry name, sorted.
    pub link_types: Vec<String>,
    /// Time of the first frame (RFC 3339, UTC, in the JSON).
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub start: Option<Timestamp>,
    /// Time of the last frame.
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub end: Option<Timestamp>,
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
    /// Always 0: kept for readers of earlier reports, where it counted connections beyond a
    /// limit of 100,000 that were not analysed. Every connection is analysed now (see
    /// `evicted_connections` and `unlisted_connections`).
    pub untracked_connections: u64,
    /// Segments that came after their connection had ended and been diagnosed (more than a
    /// minute of capture time after its end, or when a thousand more had ended since): not
    /// counted in any connection.
    pub untracked_frames: u64,
    /// Connections ended early because 100,000 were open at once (the longest idle): each has
    /// an `evicted` anomaly.
    pub evicted_connections: u64,
    /// Connections analysed but not listed in this report: a report holds at most 100,000
    /// connections (`--format jsonl` writes every one as it ends, in constant memory).
    pub unlisted_connections: u64,
    /// Every connection analysed (listed or not), by outcome.
    pub outcomes: OutcomeCounts,
    /// Why reading stopped early, if it did; everything in the report was read before it.
    pub error: Option<CaptureError>,
}

/// Connections by outcome.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeCounts {
    /// TCP connections.
    pub connections: u64,
    /// Those that carry TLS.
    pub tls: u64,
    /// TLS handshakes that completed.
    pub established: u64,
    /// TLS handshakes that failed.
    pub failed: u64,
    /// TLS handshakes whose end the capture does not show.
    pub incomplete: u64,
}

/// The key log, counted (its secrets are never in the report).
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// A count of frames that were passed over, and why.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotAnalysed {
    /// Machine-readable reason: `unknown_link_type`, `not_ip`, `other_transport`, `ip_fragment`,
    /// `truncated`, `malformed`.
    pub reason: &'static str,
    /// Human-readable detail, e.g. `UDP` or `LINKTYPE_105`.
    pub detail: String,
    /// How many frames.
    pub frames: u64,
}

/// One end of a TCP connection.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Endpoint {
    /// The pseudonym that stands for the address in a redacted report (see [`redact`]); it
    /// takes the address's place in every output.
    #[cfg_attr(feature = "ts", ts(skip))]
    pub alias: Option<Alias>,
    /// IP address; in a redacted report its pseudonym (`client-1`, …).
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub ip: IpAddr,
    /// TCP port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint as the capture shows it.
    pub fn new(ip: IpAddr, port: u16) -> Self {
        Self {
            alias: None,
            ip,
            port,
        }
    }

    /// The address as outputs write it: its pseudonym when redacted, else the IP address.
    pub fn host(&self) -> String {
        self.alias
            .map_or_else(|| self.ip.to_string(), |a| a.to_string())
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.alias, self.ip) {
            (Some(alias), _) => write!(f, "{alias}:{}", self.port),
            (None, IpAddr::V4(ip)) => write!(f, "{ip}:{}", self.port),
            (None, IpAddr::V6(ip)) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// `{"ip": "…", "port": N}`, the pseudonym in place of the address when redacted.
impl serde::Serialize for Endpoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Endpoint", 2)?;
        match self.alias {
            Some(alias) => out.serialize_field("ip", &alias.to_string())?,
            None => out.serialize_field("ip", &self.ip)?,
        }
        out.serialize_field("port", &self.port)?;
        out.end()
    }
}

/// A pseudonym for an IP address in a redacted report: `client-1`, `server-2`, `address-3`
/// (an address seen only in a certificate or in text), numbered in order of appearance.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, PartialOrd, Ord)]
pub struct Alias {
    /// What the address was first seen as.
    pub role: AliasRole,
    /// 1-based, per role.
    pub number: u32,
}

/// What an aliased address was first seen as.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, PartialOrd, Ord)]
pub enum AliasRole {
    /// A connection's client.
    Client,
    /// A connection's server.
    Server,
    /// Neither (a certificate's subjectAltName, a finding's text).
    Address,
}

impl std::fmt::Display for Alias {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = match self.role {
            AliasRole::Client => "client",
            AliasRole::Server => "server",
            AliasRole::Address => "address",
        };
        write!(f, "{role}-{}", self.number)
    }
}

/// One TCP connection.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Time of the earliest frame (RFC 3339 in the JSON).
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub start: Option<Timestamp>,
    /// Time of the latest frame.
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub end: Option<Timestamp>,
    /// Traffic from the client.
    pub client_to_server: Traffic,
    /// Traffic from the server.
    pub server_to_client: Traffic,
    /// True when either side's first payload looks like TLS (by content, not by port).
    pub starts_like_tls: bool,
    /// TLS started after another protocol: `smtp`, `imap`, `pop3`, `ftp`, `ldap`, `xmpp`,
    /// `postgresql`, `mysql`, or `other`; `null` when the connection began with TLS (or had none).
    pub starttls: Option<&'static str>,
    /// The version the ServerHello chose (`TLS 1.2`, …); `null` without a ServerHello.
    pub tls_version: Option<String>,
    /// The cipher suite the ServerHello chose.
    pub cipher_suite: Option<String>,
    /// The server name the client asked for (SNI).
    pub sni: Option<String>,
    /// ALPN protocols the client offered.
    pub alpn: Arc<[String]>,
    /// The ALPN protocol the server chose, when visible (TLS ≤ 1.2).
    pub alpn_selected: Option<String>,
    /// How the handshake ended.
    pub outcome: Outcome,
    /// An abbreviated (resumed) handshake.
    pub resumed: bool,
    /// For a resumed session: the id of the latest earlier connection to the same server with
    /// a full handshake (most likely the one that created the session); `null` otherwise or
    /// when the capture holds none.
    pub resumes: Option<u32>,
    /// Did the server ask for a client certificate? `null`: cannot be known (encrypted).
    pub client_certificate_requested: Option<bool>,
    /// The server's CertificateRequest, when visible.
    pub certificate_request: Option<CertificateRequest>,
    /// The server's certificates, leaf first; `null` when no Certificate message is visible.
    pub server_certificates: Option<Arc<[CertificateEntry]>>,
    /// The client's certificates; `[]` is an empty Certificate message; `null` when none visible.
    pub client_certificates: Option<Arc<[CertificateEntry]>>,
    /// What the (last) ClientHello offered.
    pub client_hello: Option<ClientHello>,
    /// What the ServerHello chose.
    pub server_hello: Option<ServerHello>,
    /// The TLS stack the client looks like from its first ClientHello, as the findings' advice
    /// names it; `null` when its ClientHello fits none of them (or there is none).
    pub client_stack: Option<ClientStack>,
    /// Handshake messages and other TLS records, in order.
    pub messages: Vec<Message>,
    /// Alerts, in order.
    pub alerts: Vec<Alert>,
    /// Capture and stream anomalies (gaps, mid-stream start, STARTTLS, …), in frame order.
    pub anomalies: Vec<Anomaly>,
    /// TLS events not kept because of the per-connection limit.
    pub dropped_events: u64,
    /// Key log decryption: what was decrypted and what stayed hidden; `null` without a key log.
    pub decryption: Option<Decryption>,
    /// The diagnosis: what failed, why, what to change, with evidence frames.
    pub findings: Vec<Finding>,
}

impl ConnectionReport {
    /// Worse than informational findings: what the text output shows by default.
    pub fn has_problem(&self) -> bool {
        self.findings.iter().any(|f| f.severity != Severity::Info)
    }

    /// The handshake failed, or an error was found (a refused connection, plain text on a TLS
    /// port, …): what `--failed` keeps.
    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Failed
            || self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// How a connection's TLS handshake ended.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Both sides finished the handshake (for TLS 1.3 without keys: inferred from sizes).
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// The evidence that decided which side is the client.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RoleBasis {
    /// The client sent the SYN.
    Syn,
    /// The server sent the SYN-ACK.
    SynAck,
    /// The client sent a TLS ClientHello (or the server a ServerHello).
    TlsHello,
    /// The server uses a well-known or the lower port.
    Port,
}

/// How a direction's first payload looks.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Opening {
    /// A TLS record holding a ClientHello.
    TlsClientHello,
    /// An SSL 2.0-compatible ClientHello.
    Sslv2ClientHello,
    /// A TLS record holding a ServerHello.
    TlsServerHello,
    /// Another TLS record.
    TlsRecord,
    /// Printable text, e.g. an HTTP request, an SMTP greeting or a STARTTLS dialogue.
    Text,
    /// Anything else.
    Binary,
}

/// A handshake message or another TLS record.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Message {
    /// The frame that completed it (where Wireshark shows it).
    pub frame: u64,
    /// The frame that carried its first byte, when different.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub first_frame: Option<u64>,
    /// Time of `frame` (RFC 3339 in the JSON).
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
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
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub decrypted: bool,
    /// Handshake messages: the declared body length; records: the record length.
    pub length: u32,
    /// Certificate messages: the certificate_list length (0 = empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub certificates_length: Option<u32>,
    /// Bytes of it are missing from the capture (or it was too large to read).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub incomplete: bool,
    /// A ClientHello in the SSL 2.0-compatible format.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub sslv2_format: bool,
    /// A TLS 1.2 client's CertificateVerify: its signature checked over the handshake with the
    /// client certificate's public key (`true` valid, `false` made with another key); absent
    /// when the server accepted it (its ChangeCipherSpec followed) or it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub signature_valid: Option<bool>,
    /// A TLS 1.3 record not decrypted: what its size and place say it most likely holds
    /// (`encrypted_extensions`, `certificate_request`, `certificate`, `certificate_verify`,
    /// `finished`, `empty_certificate`, `new_session_ticket`, `application_data`, …). Absent
    /// when nothing can be told, and for records read in clear or decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub inferred: Option<&'static str>,
    /// The HandshakeType number of a handshake message (not in the JSON, whose `type` names
    /// it), for programs that compare with other dissectors.
    #[serde(skip)]
    pub handshake_type: Option<u8>,
    /// Position among the connection's messages and alerts (the text ladder interleaves them).
    #[serde(skip)]
    pub seq: usize,
    /// A one-line summary of the message's content, for the text ladder.
    #[serde(skip)]
    pub summary: Option<String>,
    /// A ClientHello's fingerprints (not in the JSON, where the connection's `client_hello`
    /// carries the last ClientHello's), for programs that compare every ClientHello (the first
    /// one before a HelloRetryRequest too) with other tools.
    #[serde(skip)]
    pub client_fingerprints: Option<Arc<ClientFingerprints>>,
}

/// An alert.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Alert {
    /// The frame that carried it.
    pub frame: u64,
    /// Its time (RFC 3339 in the JSON).
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
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
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub decrypted: bool,
    /// Record length.
    pub length: u16,
    /// A TLS 1.3 record not decrypted, taken for an alert by its size (19 bytes: a 2-byte alert,
    /// its content type and a 16-byte tag) and its place: `fatal` (a side refusing the other's
    /// flight) or `close_notify` (the last record before a side's FIN). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub inferred: Option<&'static str>,
    /// Position among the connection's messages and alerts.
    #[serde(skip)]
    pub seq: usize,
}

/// A server's CertificateRequest.
#[derive(Clone, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CertificateRequest {
    /// The TLS 1.3 form (context + extensions).
    pub tls13: bool,
    /// certificate_types (TLS ≤ 1.2), e.g. `rsa_sign`.
    pub certificate_types: Vec<String>,
    /// signature_algorithms, e.g. `rsa_pss_rsae_sha256`.
    pub signature_algorithms: Vec<String>,
    /// signature_algorithms_cert (TLS 1.3).
    pub signature_algorithms_cert: Vec<String>,
    /// Accepted CA distinguished names (`CN=…, O=…`); empty = "any CA".
    pub certificate_authorities: Vec<String>,
    /// oid_filters (TLS 1.3), as `OID=hexvalue`.
    pub oid_filters: Vec<String>,
}

/// One certificate of a Certificate message.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum CertificateEntry {
    /// A certificate that parsed.
    Parsed(Box<Certificate>),
    /// A certificate that did not.
    Unparsable {
        /// Why.
        error: String,
        /// Its length.
        der_length: usize,
    },
}

/// What the report says about one certificate.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Certificate {
    /// Subject distinguished name, e.g. `CN=localhost, O=Example`.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// DNS names, IP addresses, e-mail addresses and URIs of the subjectAltName extension, as
    /// `DNS:…`, `IP:…`, `email:…`, `URI:…`, `DirName:…`.
    pub subject_alt_names: Vec<String>,
    /// Key type and size: `RSA 2048`, `EC P-256`, `Ed25519`, …
    pub public_key: String,
    /// Signature algorithm, by name where known.
    pub signature_algorithm: String,
    /// SHA-256 of the DER encoding, in hex.
    pub sha256: String,
    /// Subject and issuer are the same name (and the key identifiers, when present, agree),
    /// and, where it can be checked, its own key made its signature.
    pub self_signed: bool,
    /// Key usage flags (`digitalSignature`, `keyCertSign`, …); empty without the extension.
    pub key_usage: Vec<String>,
    /// Extended key usages (`serverAuth`, `clientAuth`, …); empty without the extension.
    pub extended_key_usage: Vec<String>,
    /// Basic constraints: a CA certificate.
    pub is_ca: bool,
    /// Length of the DER encoding.
    pub der_length: usize,
    /// Its signature checked with the key of its issuer, when the issuer is the next
    /// certificate of the same chain (or itself, when self-signed): `true` valid, `false` not
    /// made by that key. Absent when not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub signature_valid: Option<bool>,
    /// The DER encoding, as sent (not in the JSON: see [`Certificate::pem`]).
    #[serde(skip)]
    pub der: Arc<[u8]>,
}

impl Certificate {
    /// The certificate in PEM (RFC 7468 §5: `-----BEGIN CERTIFICATE-----`, base64 in lines of
    /// 64 characters), as `openssl x509` reads it.
    pub fn pem(&self) -> String {
        use base64ct::{Base64, Encoding};
        let encoded = Base64::encode_string(&self.der);
        let mut out = String::with_capacity(encoded.len() + encoded.len() / 64 + 60);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in encoded.as_bytes().chunks(64) {
            // Base64 is ASCII.
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }
}

/// What a ClientHello offers.
#[derive(Clone, Debug, Eq, Hash, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClientHello {
    /// `legacy_version` (the highest version before TLS 1.3).
    pub legacy_version: String,
    /// Versions of the supported_versions extension, in order (GREASE omitted).
    pub supported_versions: Arc<[String]>,
    /// Cipher suites, in order of preference.
    pub cipher_suites: Arc<[String]>,
    /// Server Name Indication.
    pub sni: Option<String>,
    /// ALPN protocols offered.
    pub alpn: Arc<[String]>,
    /// Named groups (supported_groups).
    pub groups: Arc<[String]>,
    /// Groups with a key share (TLS 1.3).
    pub key_share_groups: Arc<[String]>,
    /// signature_algorithms.
    pub signature_algorithms: Arc<[String]>,
    /// Length of the legacy session id (non-zero: resumption attempt or middlebox compatibility).
    pub session_id_length: usize,
    /// A non-empty session ticket is offered (RFC 5077 resumption).
    pub session_ticket: bool,
    /// A pre-shared key is offered (TLS 1.3 resumption).
    pub pre_shared_key: bool,
    /// renegotiation_info or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
    pub renegotiation_info: bool,
    /// post_handshake_auth (RFC 8446 §4.2.6).
    pub post_handshake_auth: bool,
    /// extended_master_secret (RFC 7627).
    pub extended_master_secret: bool,
    /// TLS_FALLBACK_SCSV is offered (RFC 7507).
    pub fallback_scsv: bool,
    /// Extension types in order.
    pub extensions: Arc<[String]>,
    /// Sent in the SSL 2.0-compatible format.
    pub sslv2_format: bool,
    /// Its JA4 and JA3 fingerprints.
    #[serde(flatten)]
    pub fingerprints: Arc<ClientFingerprints>,
}

/// A ClientHello's fingerprints, GREASE (RFC 8701) left out of all of them. JA4 is FoxIO's
/// (<https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md>, BSD 3-Clause; always
/// `t…`, TLS over TCP), JA3 Salesforce's (<https://github.com/salesforce/ja3>).
#[derive(Clone, Debug, Eq, Hash, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClientFingerprints {
    /// JA4: `t13d1516h2_8daaf6152771_e5627efa2ab1` (version, SNI or not, counts of suites and
    /// extensions, ALPN; hash of the sorted suites; hash of the sorted extensions without SNI
    /// and ALPN and of the signature algorithms).
    pub ja4: String,
    /// JA4_r: JA4 with the sorted lists in hex instead of their hashes.
    pub ja4_r: String,
    /// JA4_o: JA4 of the lists in the order sent (SNI and ALPN kept).
    pub ja4_o: String,
    /// JA4_ro: JA4_o with the lists in hex instead of their hashes.
    pub ja4_ro: String,
    /// JA3: the MD5 of `ja3_string`, in hex.
    pub ja3: String,
    /// JA3's string: `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`,
    /// decimal, `-` between the values of a field.
    pub ja3_string: String,
}

/// A ServerHello's fingerprint: JA3S (<https://github.com/salesforce/ja3>).
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServerFingerprints {
    /// JA3S: the MD5 of `ja3s_string`, in hex.
    pub ja3s: String,
    /// JA3S's string: `SSLVersion,Cipher,Extensions`, decimal, extensions in the order sent.
    pub ja3s_string: String,
}

/// The TLS stack a client looks like, from its ClientHello's shape.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClientStack {
    /// `java`, `go`, `nodejs`, `browser`, `gnutls`, `openssl` or `schannel`.
    pub stack: &'static str,
    /// As the findings name it: `Go (crypto/tls)`, `OpenSSL (curl, Python, s_client, nginx, …)`.
    pub name: &'static str,
    /// What in the ClientHello it rests on.
    pub basis: &'static str,
    /// Always `likely`: a shape, not a proof (any stack can be configured to look like another).
    pub confidence: Confidence,
}

/// What a ServerHello chose.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServerHello {
    /// This is a HelloRetryRequest (RFC 8446 §4.1.4).
    pub hello_retry_request: bool,
    /// `legacy_version`.
    pub legacy_version: String,
    /// The version chosen (supported_versions when present, else legacy_version).
    pub version: String,
    /// The cipher suite chosen.
    pub cipher_suite: String,
    /// ALPN protocol chosen (visible in TLS ≤ 1.2 only).
    pub alpn: Option<String>,
    /// Key share group (TLS 1.3).
    pub key_share_group: Option<String>,
    /// The server accepted a pre-shared key (TLS 1.3 resumption).
    pub pre_shared_key: bool,
    /// extended_master_secret.
    pub extended_master_secret: bool,
    /// renegotiation_info.
    pub renegotiation_info: bool,
    /// The server will send a NewSessionTicket (session_ticket extension, TLS ≤ 1.2).
    pub session_ticket: bool,
    /// Length of the session id.
    pub session_id_length: usize,
    /// Extension types in order.
    pub extensions: Vec<String>,
    /// Its JA3S fingerprint.
    #[serde(flatten)]
    pub fingerprints: Arc<ServerFingerprints>,
}

/// Something about the capture or the stream that limits what can be seen.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Anomaly {
    /// The frame where it shows.
    pub frame: u64,
    /// Whose direction.
    pub from: Party,
    /// `gap`, `overlap`, `out_of_order`, `midstream`, `starttls`, `not_tls`, `resync`,
    /// `incomplete_message`, `oversized_message`, `truncated`, `one_sided`.
    pub kind: &'static str,
    /// In words.
    pub detail: String,
}

/// One direction of a connection.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    pub opening: Option<FirstPayload>,
}

/// How a direction's first payload looks.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FirstPayload {
    /// Frame that carried it.
    pub frame: u64,
    /// Its classification.
    pub kind: Opening,
    /// Its first bytes (up to 16) in hex.
    pub head: String,
    /// The same bytes, for renderers.
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// What a key log decrypted on one connection, and what it left hidden.
#[derive(Clone, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Decryption {
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HttpResponse {
    /// The frame that carried it.
    pub frame: u64,
    /// `HTTP/1.1 400 Bad Request`.
    pub status_line: String,
    /// The body says "No required SSL certificate was sent" (nginx's answer to a client
    /// without a certificate when verification is on).
    pub no_client_certificate: bool,
}

/// One diagnosis.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// Stable kebab-case code, documented in docs/findings.md.
    pub code: FindingCode,
    /// How bad it is.
    pub severity: Severity,
    /// How sure it is.
    pub confidence: Confidence,
    /// One line.
    pub title: String,
    /// What happened, naming who did what, in plain words.
    pub explanation: String,
    /// What to change.
    pub remediation: String,
    /// The frames that show it, in order.
    pub frames: Vec<u64>,
}
