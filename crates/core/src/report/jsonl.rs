//! The report as JSON Lines (<https://jsonlines.org>): one object per line, written as the
//! analysis goes, for captures of any size and for tools that ingest lines (jq, Elasticsearch
//! and OpenSearch bulk ingest, ClickHouse `JSONEachRow`, Loki, Vector).
//!
//! ```text
//! {"type":"capture", …}                  first: the file, the tool, the schema
//! {"type":"certificate","sha256":…}      the first time a certificate is seen
//! {"type":"client_hello","id":…}         the first time a ClientHello of this shape is seen
//! {"type":"connection","id":…}           one per connection, as it ends
//! {"type":"summary", …}                  last: the capture's facts and findings, what the user
//!                                        supplied (--client-cert, --ca)
//! ```
//!
//! A connection line is the report's connection entry (docs/report.md) with its certificates
//! and ClientHello given by reference: `server_certificates` and `client_certificates` list
//! `{"sha256": …}` (with `signature_valid` where the chain's next certificate was checked),
//! `client_hello` is the id of a `client_hello` line. A connection without a problem gets a
//! short line (endpoints, times, outcome, version, suite, SNI, references and finding codes)
//! unless every detail is asked for. Every line carries `file` when one is named.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

use super::{
    Alert, Anomaly, CertificateEntry, CertificateRequest, ClientHello, ClientStack, Confidence,
    ConnectionReport, Decryption, Endpoint, Finding, FindingCode, Message, Outcome, Report,
    RoleBasis, SCHEMA_VERSION, ServerHello, Severity, Timestamp, Tool, Traffic, rfc3339,
};

/// Certificates and ClientHello shapes remembered as written; beyond, the sets start afresh
/// (a certificate line may then be written again).
const MAX_REMEMBERED: usize = 65_536;

/// Writes one capture's lines.
pub struct LineWriter<W: Write> {
    out: W,
    file: Option<String>,
    /// Every connection in full, also those without a problem.
    all: bool,
    /// SHA-256 fingerprints of the certificates written.
    certificates: HashSet<String>,
    /// The ids of the ClientHello shapes written, by a quick hash of their content.
    client_hellos: FxHashMap<u64, Arc<str>>,
    /// Connection lines written.
    connections: u64,
    /// The capture line was written.
    started: bool,
}

/// A line: its type, its file, and what it says.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(flatten)]
    body: T,
}

/// The first line: the schema and the tool.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlCapture"))]
struct CaptureLine {
    schema_version: u32,
    tool: Tool,
}

/// A ClientHello's shape, the first time it is seen: `id` is what connection lines refer to.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlClientHello"))]
struct HelloLine<'a> {
    id: &'a str,
    #[serde(flatten)]
    hello: &'a ClientHello,
}

/// The last line: the capture's facts and findings, how many connection lines, and what the
/// user supplied.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlSummary"))]
struct SummaryLine<'a> {
    capture: &'a super::CaptureSummary,
    findings: &'a [Finding],
    connections: u64,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<super::Certificate>>", optional))]
    supplied_client_certificates: &'a [super::Certificate],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    trust_store: &'a [String],
}

/// A certificate of a chain: a reference to its line, or (one that did not parse) in place.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlCertificateRef"))]
#[serde(untagged)]
pub(super) enum CertRef<'a> {
    Line {
        sha256: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        signature_valid: Option<bool>,
    },
    InPlace(&'a CertificateEntry),
}

/// A connection line in full: the report's entry with its certificates and ClientHello given
/// by reference (the same fields, in the same order).
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlConnection"))]
pub(super) struct FullConnection<'a> {
    id: u32,
    client: Endpoint,
    server: Endpoint,
    role_basis: RoleBasis,
    first_frame: u64,
    last_frame: u64,
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    start: Option<Timestamp>,
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    end: Option<Timestamp>,
    client_to_server: &'a Traffic,
    server_to_client: &'a Traffic,
    starts_like_tls: bool,
    starttls: Option<&'static str>,
    tls_version: Option<&'a str>,
    cipher_suite: Option<&'a str>,
    sni: Option<&'a str>,
    alpn: &'a Arc<[String]>,
    alpn_selected: Option<&'a str>,
    outcome: Outcome,
    resumed: bool,
    resumes: Option<u32>,
    client_certificate_requested: Option<bool>,
    certificate_request: Option<&'a CertificateRequest>,
    server_certificates: Option<Vec<CertRef<'a>>>,
    client_certificates: Option<Vec<CertRef<'a>>>,
    client_hello: Option<Arc<str>>,
    server_hello: Option<&'a ServerHello>,
    client_stack: Option<&'a ClientStack>,
    messages: &'a [Message],
    alerts: &'a [Alert],
    anomalies: &'a [Anomaly],
    dropped_events: u64,
    decryption: Option<&'a Decryption>,
    findings: &'a [Finding],
}

/// A connection line without a problem, short.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlShortConnection"))]
pub(super) struct ShortConnection<'a> {
    id: u32,
    client: Endpoint,
    server: Endpoint,
    first_frame: u64,
    last_frame: u64,
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    start: Option<Timestamp>,
    #[serde(serialize_with = "rfc3339")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    end: Option<Timestamp>,
    outcome: Outcome,
    tls_version: Option<&'a str>,
    cipher_suite: Option<&'a str>,
    sni: Option<&'a str>,
    alpn_selected: Option<&'a str>,
    resumed: bool,
    resumes: Option<u32>,
    server_certificates: Option<Vec<CertRef<'a>>>,
    client_certificates: Option<Vec<CertRef<'a>>>,
    client_hello: Option<Arc<str>>,
    findings: Vec<ShortFinding>,
}

/// A finding of a short connection line.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JsonlShortFinding"))]
pub(super) struct ShortFinding {
    code: FindingCode,
    severity: Severity,
    confidence: Confidence,
}

/// A connection's entry, in full or (without a problem, unless `all`) short.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ConnectionEntry"))]
#[serde(untagged)]
pub(super) enum Entry<'a> {
    /// With a problem, or every detail asked for.
    Full(FullConnection<'a>),
    /// Without a problem.
    Short(ShortConnection<'a>),
}

/// A connection's entry, its certificates and ClientHello given by reference.
pub(super) fn entry<'a>(
    conn: &'a ConnectionReport,
    server_certificates: Option<Vec<CertRef<'a>>>,
    client_certificates: Option<Vec<CertRef<'a>>>,
    client_hello: Option<Arc<str>>,
    all: bool,
) -> Entry<'a> {
    if all || conn.has_problem() {
        Entry::Full(FullConnection {
            id: conn.id,
            client: conn.client,
            server: conn.server,
            role_basis: conn.role_basis,
            first_frame: conn.first_frame,
            last_frame: conn.last_frame,
            start: conn.start,
            end: conn.end,
            client_to_server: &conn.client_to_server,
            server_to_client: &conn.server_to_client,
            starts_like_tls: conn.starts_like_tls,
            starttls: conn.starttls,
            tls_version: conn.tls_version.as_deref(),
            cipher_suite: conn.cipher_suite.as_deref(),
            sni: conn.sni.as_deref(),
            alpn: &conn.alpn,
            alpn_selected: conn.alpn_selected.as_deref(),
            outcome: conn.outcome,
            resumed: conn.resumed,
            resumes: conn.resumes,
            client_certificate_requested: conn.client_certificate_requested,
            certificate_request: conn.certificate_request.as_ref(),
            server_certificates,
            client_certificates,
            client_hello,
            server_hello: conn.server_hello.as_ref(),
            client_stack: conn.client_stack.as_ref(),
            messages: &conn.messages,
            alerts: &conn.alerts,
            anomalies: &conn.anomalies,
            dropped_events: conn.dropped_events,
            decryption: conn.decryption.as_ref(),
            findings: &conn.findings,
        })
    } else {
        Entry::Short(ShortConnection {
            id: conn.id,
            client: conn.client,
            server: conn.server,
            first_frame: conn.first_frame,
            last_frame: conn.last_frame,
            start: conn.start,
            end: conn.end,
            outcome: conn.outcome,
            tls_version: conn.tls_version.as_deref(),
            cipher_suite: conn.cipher_suite.as_deref(),
            sni: conn.sni.as_deref(),
            alpn_selected: conn.alpn_selected.as_deref(),
            resumed: conn.resumed,
            resumes: conn.resumes,
            server_certificates,
            client_certificates,
            client_hello,
            findings: conn
                .findings
                .iter()
                .map(|f| ShortFinding {
                    code: f.code,
                    severity: f.severity,
                    confidence: f.confidence,
                })
                .collect(),
        })
    }
}

/// A chain as references (a certificate that did not parse stays in place).
pub(super) fn references(chain: Option<&[CertificateEntry]>) -> Option<Vec<CertRef<'_>>> {
    chain.map(|chain| {
        chain
            .iter()
            .map(|entry| match entry {
                CertificateEntry::Parsed(cert) => CertRef::Line {
                    sha256: &cert.sha256,
                    signature_valid: cert.signature_valid,
                },
                CertificateEntry::Unparsable { .. } => CertRef::InPlace(entry),
            })
            .collect()
    })
}

/// A certificate as it stands alone (a line, an entry of the document's table): whether its
/// signature verified belongs to its place in a chain.
pub(super) fn alone(cert: &super::Certificate) -> super::Certificate {
    super::Certificate {
        signature_valid: None,
        ..cert.clone()
    }
}

/// The quick key and the id of a ClientHello's shape.
pub(super) fn hello_key(hello: &ClientHello) -> u64 {
    let mut quick = FxHasher::default();
    hello.hash(&mut quick);
    quick.finish()
}

impl<W: Write> LineWriter<W> {
    /// A writer of the lines of one capture, tagged with `file` when given; `all`: connections
    /// without a problem in full too.
    pub fn new(out: W, file: Option<&str>, all: bool) -> Self {
        Self {
            out,
            file: file.map(str::to_string),
            all,
            certificates: HashSet::new(),
            client_hellos: FxHashMap::default(),
            connections: 0,
            started: false,
        }
    }

    /// The writer the lines go to (to hand over what was written so far).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// The first line (written before the first other one): the file, the tool, the schema.
    fn start(&mut self) -> std::io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        self.write(
            "capture",
            &CaptureLine {
                schema_version: SCHEMA_VERSION,
                tool: Tool::default(),
            },
        )
    }

    /// A connection's line, after the lines of the certificates and ClientHello it is the
    /// first to show.
    pub fn connection(&mut self, conn: &ConnectionReport) -> std::io::Result<()> {
        self.start()?;
        let server_certificates = self.chain(conn.server_certificates.as_deref())?;
        let client_certificates = self.chain(conn.client_certificates.as_deref())?;
        let client_hello = match &conn.client_hello {
            Some(hello) => Some(self.client_hello(hello)?),
            None => None,
        };
        self.connections += 1;
        let entry = entry(
            conn,
            server_certificates,
            client_certificates,
            client_hello,
            self.all,
        );
        self.write("connection", &entry)
    }

    /// The report's remaining connections (those not written yet), then the summary line: the
    /// capture's facts, its findings, how many connection lines, and what the user supplied
    /// (`--client-cert`, `--ca`) as the report gives them.
    pub fn finish(&mut self, report: &Report) -> std::io::Result<()> {
        self.start()?;
        for conn in &report.connections {
            self.connection(conn)?;
        }
        self.write(
            "summary",
            &SummaryLine {
                capture: &report.capture,
                findings: &report.findings,
                connections: self.connections,
                supplied_client_certificates: &report.supplied_client_certificates,
                trust_store: &report.trust_store,
            },
        )?;
        self.out.flush()
    }

    /// A chain's references, after writing the line of each certificate seen for the first
    /// time.
    fn chain<'a>(
        &mut self,
        chain: Option<&'a [CertificateEntry]>,
    ) -> std::io::Result<Option<Vec<CertRef<'a>>>> {
        for entry in chain.into_iter().flatten() {
            let CertificateEntry::Parsed(cert) = entry else {
                continue;
            };
            if !self.certificates.contains(&cert.sha256) {
                if self.certificates.len() >= MAX_REMEMBERED {
                    self.certificates.clear();
                }
                self.certificates.insert(cert.sha256.clone());
                self.write("certificate", &alone(cert))?;
            }
        }
        Ok(references(chain))
    }

    /// The id of a ClientHello's shape, after writing its line the first time.
    fn client_hello(&mut self, hello: &ClientHello) -> std::io::Result<Arc<str>> {
        let key = hello_key(hello);
        if let Some(id) = self.client_hellos.get(&key) {
            return Ok(Arc::clone(id));
        }
        let id = hash_id(hello);
        if self.client_hellos.len() >= MAX_REMEMBERED {
            self.client_hellos.clear();
        }
        self.client_hellos.insert(key, Arc::clone(&id));
        self.write("client_hello", &HelloLine { id: &id, hello })?;
        Ok(id)
    }

    fn write(&mut self, typ: &'static str, body: &impl Serialize) -> std::io::Result<()> {
        let line = Line {
            typ,
            file: self.file.as_deref(),
            body,
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }
}

/// The lines' TypeScript declarations (feature `ts`): each line's body, and `JsonlLine`, their
/// union by `type` as the writer tags them, each with `file` when one is named.
#[cfg(feature = "ts")]
pub(super) fn typescript(out: &mut super::typescript::Declarations) {
    let tagged =
        |typ: &str, body: String| format!("\n  | ({{ type: \"{typ}\", file?: string, }} & {body})");
    let lines = [
        tagged("capture", out.name::<CaptureLine>()),
        tagged("certificate", out.name::<super::Certificate>()),
        tagged("client_hello", out.name::<HelloLine<'static>>()),
        tagged(
            "connection",
            format!(
                "({} | {})",
                out.name::<FullConnection<'static>>(),
                out.name::<ShortConnection<'static>>()
            ),
        ),
        tagged("summary", out.name::<SummaryLine<'static>>()),
    ];
    out.add::<CaptureLine>();
    out.add::<HelloLine<'static>>();
    out.add::<FullConnection<'static>>();
    out.add::<ShortConnection<'static>>();
    out.add::<SummaryLine<'static>>();
    out.declare(
        "JsonlLine".to_string(),
        format!(
            "/**\n * One line of `--format jsonl`: `capture` first, `certificate` and `client_hello` \
             the first time\n * one is seen, a `connection` as each ends (short without a \
             problem, unless `--all`),\n * `summary` last.\n */\nexport type JsonlLine ={};",
            lines.concat()
        ),
    );
}

/// A short id for a ClientHello: the first 16 hex digits of the SHA-256 of its compact JSON
/// (the same shape has the same id in every capture).
pub(super) fn hash_id(hello: &ClientHello) -> Arc<str> {
    use sha2::Digest as _;
    let json = serde_json::to_vec(hello).unwrap_or_default();
    let digest = sha2::Sha256::digest(&json);
    crate::words::hex(&digest[..8]).into()
}
