//! The JSON document (`--format json`, `schema_version` 2, docs/report.md): facts that recur
//! across connections are written once. Certificates are listed once in `certificates`, keyed by
//! their SHA-256, and ClientHello shapes once in `client_hellos`, keyed by an id; connections
//! refer to them (as Zeek's `x509.log` beside its `ssl.log`). A connection without a problem has
//! a short entry (endpoints, times, outcome, version, suite, SNI, references, finding codes)
//! unless every detail is asked for. The entries are the connection lines of JSON Lines.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

#[cfg(feature = "ts")]
use super::jsonl::Entry;
use super::jsonl::{alone, entry, hash_id, hello_key, references};
use super::{
    CaptureSummary, Certificate, CertificateEntry, ClientHello, ConnectionReport, Finding, Report,
    SCHEMA_VERSION, Tool,
};

/// The document of a report.
#[derive(Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Report"))]
pub(super) struct Document<'a> {
    /// Version of the document's form: 2.
    schema_version: u32,
    /// The tool that wrote the report.
    tool: &'a Tool,
    /// Facts about the capture file.
    capture: &'a CaptureSummary,
    /// TCP connections, in order of first appearance.
    #[cfg_attr(feature = "ts", ts(as = "Vec<Entry<'a>>"))]
    connections: Entries<'a>,
    /// Every certificate the connections refer to, by SHA-256 (hex), in order of first
    /// appearance; `signature_valid` belongs to a certificate's place in a chain, so it is in
    /// the connections' references.
    #[cfg_attr(
        feature = "ts",
        ts(as = "std::collections::HashMap<String, Certificate>")
    )]
    certificates: Table<Certificate>,
    /// Every ClientHello shape the connections refer to, by id (16 hex digits of the SHA-256
    /// of its JSON: the same shape has the same id in every capture).
    #[cfg_attr(
        feature = "ts",
        ts(as = "std::collections::HashMap<String, ClientHello>")
    )]
    client_hellos: Table<&'a ClientHello>,
    /// Findings about the capture as a whole.
    findings: &'a [Finding],
    /// The client certificate chain the user supplied (`--client-cert`), leaf first; absent
    /// when none was.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Certificate>>", optional))]
    supplied_client_certificates: &'a [Certificate],
    /// The subjects of the trust store's CAs (`--ca`); absent when none was given.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    trust_store: &'a [String],
}

/// Values by key, written as a JSON object in the order they were added.
pub(super) struct Table<T>(Vec<(Arc<str>, T)>);

impl<T: Serialize> Serialize for Table<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The connections' entries, each made as it is written (not held beside the report).
pub(super) struct Entries<'a> {
    connections: &'a [ConnectionReport],
    /// Each connection's ClientHello id, in the same order.
    hellos: Vec<Option<Arc<str>>>,
    all: bool,
}

impl Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.connections.len()))?;
        for (conn, hello) in self.connections.iter().zip(&self.hellos) {
            seq.serialize_element(&entry(
                conn,
                references(conn.server_certificates.as_deref()),
                references(conn.client_certificates.as_deref()),
                hello.clone(),
                self.all,
            ))?;
        }
        seq.end()
    }
}

impl<'a> Document<'a> {
    /// The document of `report`; `all`: connections without a problem in full too.
    pub(super) fn new(report: &'a Report, all: bool) -> Self {
        let mut certificates = Table(Vec::new());
        let mut seen: HashSet<&str> = HashSet::new();
        let mut client_hellos = Table(Vec::new());
        // A ClientHello's quick hash → its place in the table.
        let mut hellos: FxHashMap<u64, usize> = FxHashMap::default();
        let mut ids = Vec::with_capacity(report.connections.len());
        for conn in &report.connections {
            for entry in [&conn.server_certificates, &conn.client_certificates]
                .into_iter()
                .flatten()
                .flat_map(|chain| chain.iter())
            {
                if let CertificateEntry::Parsed(cert) = entry
                    && seen.insert(&cert.sha256)
                {
                    certificates
                        .0
                        .push((Arc::from(cert.sha256.as_str()), alone(cert)));
                }
            }
            let hello = conn.client_hello.as_ref().map(|hello| {
                let at = *hellos.entry(hello_key(hello)).or_insert_with(|| {
                    client_hellos.0.push((hash_id(hello), hello));
                    client_hellos.0.len() - 1
                });
                Arc::clone(&client_hellos.0[at].0)
            });
            ids.push(hello);
        }
        Self {
            schema_version: SCHEMA_VERSION,
            tool: &report.tool,
            capture: &report.capture,
            connections: Entries {
                connections: &report.connections,
                hellos: ids,
                all,
            },
            certificates,
            client_hellos,
            findings: &report.findings,
            supplied_client_certificates: &report.supplied_client_certificates,
            trust_store: &report.trust_store,
        }
    }
}
