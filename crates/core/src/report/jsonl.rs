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
use std::io::Write;

use serde_json::{Map, Value};

use super::{ConnectionReport, Report, SCHEMA_VERSION, Tool};

/// Certificates and ClientHello shapes remembered as written; beyond, the sets start afresh
/// (a certificate line may then be written again).
const MAX_REMEMBERED: usize = 65_536;

/// Keys of a connection line without a problem (besides `type` and `file`).
const SHORT: &[&str] = &[
    "id",
    "client",
    "server",
    "start",
    "end",
    "outcome",
    "tls_version",
    "cipher_suite",
    "sni",
    "alpn_selected",
    "resumed",
    "resumes",
    "server_certificates",
    "client_certificates",
    "client_hello",
    "findings",
];

/// Writes one capture's lines.
pub struct LineWriter<W: Write> {
    out: W,
    file: Option<String>,
    /// Every connection in full, also those without a problem.
    all: bool,
    certificates: HashSet<String>,
    client_hellos: HashSet<String>,
    /// Connection lines written.
    connections: u64,
    /// The capture line was written.
    started: bool,
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
            client_hellos: HashSet::new(),
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
        let mut line = self.line("capture");
        line.insert("schema_version".into(), SCHEMA_VERSION.into());
        line.insert("tool".into(), to_value(&Tool::default()));
        self.write(line)
    }

    /// A connection's line, after the lines of the certificates and ClientHello it is the
    /// first to show.
    pub fn connection(&mut self, conn: &ConnectionReport) -> std::io::Result<()> {
        self.start()?;
        let Value::Object(mut entry) = to_value(conn) else {
            return Ok(());
        };
        for key in ["server_certificates", "client_certificates"] {
            if let Some(Value::Array(chain)) = entry.get_mut(key) {
                for cert in chain.iter_mut() {
                    self.certificate(cert)?;
                }
            }
        }
        if let Some(hello) = entry.get_mut("client_hello")
            && hello.is_object()
        {
            let id = hash_id(hello);
            if self.remember(&id, false) {
                let mut line = self.line("client_hello");
                line.insert("id".into(), id.clone().into());
                if let Value::Object(fields) = hello.take() {
                    line.extend(fields);
                }
                self.write(line)?;
            }
            *hello = id.into();
        }
        if !self.all && !conn.has_problem() {
            entry.retain(|k, _| SHORT.contains(&k.as_str()));
            if let Some(Value::Array(findings)) = entry.get_mut("findings") {
                for f in findings.iter_mut() {
                    if let Value::Object(f) = f {
                        f.retain(|k, _| matches!(k.as_str(), "code" | "severity" | "confidence"));
                    }
                }
            }
        }
        let mut line = self.line("connection");
        line.extend(entry);
        self.connections += 1;
        self.write(line)
    }

    /// The report's remaining connections (those not written yet), then the summary line: the
    /// capture's facts, its findings, how many connection lines, and what the user supplied
    /// (`--client-cert`, `--ca`) as the report gives them.
    pub fn finish(&mut self, report: &Report) -> std::io::Result<()> {
        self.start()?;
        for conn in &report.connections {
            self.connection(conn)?;
        }
        let mut line = self.line("summary");
        line.insert("capture".into(), to_value(&report.capture));
        line.insert("findings".into(), to_value(&report.findings));
        line.insert("connections".into(), self.connections.into());
        if !report.supplied_client_certificates.is_empty() {
            line.insert(
                "supplied_client_certificates".into(),
                to_value(&report.supplied_client_certificates),
            );
        }
        if !report.trust_store.is_empty() {
            line.insert("trust_store".into(), to_value(&report.trust_store));
        }
        self.write(line)?;
        self.out.flush()
    }

    /// Replaces a chain entry by its reference, after writing the certificate's line the first
    /// time (an entry that did not parse stays as it is).
    fn certificate(&mut self, cert: &mut Value) -> std::io::Result<()> {
        let Value::Object(fields) = cert else {
            return Ok(());
        };
        let Some(Value::String(sha256)) = fields.get("sha256").cloned() else {
            return Ok(());
        };
        let signature_valid = fields.remove("signature_valid");
        if self.remember(&sha256, true) {
            let mut line = self.line("certificate");
            line.extend(std::mem::take(fields));
            self.write(line)?;
        }
        let mut reference = Map::new();
        reference.insert("sha256".into(), sha256.into());
        if let Some(valid) = signature_valid {
            reference.insert("signature_valid".into(), valid);
        }
        *cert = Value::Object(reference);
        Ok(())
    }

    /// True the first time `id` is seen (of certificates or of ClientHellos).
    fn remember(&mut self, id: &str, certificate: bool) -> bool {
        let set = if certificate {
            &mut self.certificates
        } else {
            &mut self.client_hellos
        };
        if set.contains(id) {
            return false;
        }
        if set.len() >= MAX_REMEMBERED {
            set.clear();
        }
        set.insert(id.to_string());
        true
    }

    /// A new line of this type, with the file.
    fn line(&self, typ: &str) -> Map<String, Value> {
        let mut line = Map::new();
        line.insert("type".into(), typ.into());
        if let Some(file) = &self.file {
            line.insert("file".into(), file.clone().into());
        }
        line
    }

    fn write(&mut self, line: Map<String, Value>) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, &Value::Object(line))?;
        self.out.write_all(b"\n")
    }
}

/// The report's types serialise without error (strings, numbers, booleans, lists).
fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A short id for a JSON value: the first 16 hex digits of the SHA-256 of its compact form
/// (the same ClientHello shape has the same id in every capture).
fn hash_id(value: &Value) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(value.to_string().as_bytes());
    crate::words::hex(&digest[..8])
}
