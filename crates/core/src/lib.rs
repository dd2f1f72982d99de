//! # pcap-tls-diagnose-core
//!
//! Reads a packet capture (pcap or pcapng, optionally gzip-compressed) and explains what happened
//! on each TLS connection in it: what failed, why, and what to change, with the frame numbers
//! that show it. This is the whole engine; the `pcap-tls-diagnose` CLI and the WASM page are thin
//! shells around it.
//!
//! ```text
//! bytes / chunks ─► capture     pcap + pcapng → frames (1-based numbers, timestamps, link types)
//!               ─► wire        Ethernet/VLAN/SLL/SLL2/loopback/raw/NFLOG/PPP → IPv4/IPv6 → TCP
//!               ─► flow        connection table; who is client and who is server
//!               ─► reassembly  per-direction byte streams; gaps, overlaps, mid-stream starts
//!               ─► tls         records, handshake messages, alerts (RFC 5246, RFC 8446); key log
//!                              decryption (RFC 9850); x509: certificates (RFC 5280)
//!               ─► model       one typed connection: events, certificates, outcome
//!               ─► findings    rules over the model → findings with codes and evidence frames
//!               ─► report      the JSON contract and the text rendering
//! ```
//!
//! What it cannot see: in TLS 1.3 everything after the ServerHello is encrypted (certificates,
//! the CertificateRequest, most alerts). Without a key log the findings infer from record sizes
//! and say `likely`; with one ([`Analyzer::add_key_log`]) they read the messages.
//!
//! The core never reads the clock, the file system or the network, never panics on capture
//! bytes, and keeps memory bounded by the number of open connections, not the size of the file:
//! feed it chunks with [`Analyzer::push`].
//!
//! ```
//! let capture = include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-openssl.pcap");
//! let report = pcap_tls_diagnose_core::diagnose(capture)?;
//! let finding = &report.connections[0].findings[0];
//! assert_eq!(finding.code.as_str(), "client-cert-missing");
//! println!("{}", pcap_tls_diagnose_core::report::text::render(&report));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Capture bytes must never panic the core: no unwrap/expect outside tests.
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod analyzer;
mod capture;
pub mod codes;
mod error;
pub mod extract;
mod findings;
mod flow;
mod model;
mod reassembly;
pub mod report;
mod tls;
mod wire;
mod words;
mod x509;

pub use analyzer::Analyzer;
pub use error::{CaptureError, CaptureErrorKind, DiagnoseError};
pub use report::Report;
pub use tls::keylog::{KeyLog, NO_KEY_LOG_LINE};
pub use x509::CertificateFileError;

/// Analyses a whole capture held in memory.
///
/// On a capture that cannot be read to its end, the error carries the report of everything read
/// before the problem.
pub fn diagnose(bytes: &[u8]) -> Result<Report, Box<DiagnoseError>> {
    let mut analyzer = Analyzer::new();
    // An error is remembered by the analyzer and returned by `finish` with the partial report.
    let _ = analyzer.push(bytes);
    analyzer.finish()
}

/// Certificates a user supplies: the chain the client should have sent (`--client-cert`) or
/// the CAs to trust (`--ca`), read from PEM or DER.
#[derive(Clone, Debug, Default)]
pub struct Certificates(Vec<x509::Certificate>);

impl Certificates {
    /// The client's chain, leaf first: PEM with one or more `CERTIFICATE` blocks (other blocks,
    /// such as a private key, are skipped and never kept), or DER, one certificate or several
    /// concatenated. Each certificate's signature is checked with the next one's key.
    pub fn client_chain(bytes: &[u8]) -> Result<Self, CertificateFileError> {
        x509::read_certificates(bytes).map(Self)
    }

    /// A trust store: a PEM bundle (or DER certificates) of CAs; certificates that do not parse
    /// are skipped, as TLS stacks skip them.
    pub fn trust_store(bytes: &[u8]) -> Result<Self, CertificateFileError> {
        x509::read_trust_store(bytes).map(Self)
    }

    /// How many certificates.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The certificates as the report shows them (`supplied_client_certificates`; a trust
    /// store's subjects are their `subject`s).
    pub fn summaries(&self) -> Vec<report::Certificate> {
        self.0.iter().map(report::certificate).collect()
    }
}

/// Unstable internals for the fuzz targets, the benchmark and the tests of this repository.
/// Not part of the public API: anything here may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::analyzer::MAX_LISTED;
    pub use crate::capture::{CaptureReader, Frame, FrameSink, LinkType};
    pub use crate::flow::MAX_OPEN_CONNECTIONS;
    pub use crate::wire::decode as decode_frame;

    /// The whole pipeline on `data`: read, reassemble, parse, build the report and render it
    /// both ways. Also checks an invariant: reading the same bytes in small chunks gives the
    /// same report.
    ///
    /// # Panics
    /// When the chunked and the whole reading disagree (that is the bug the fuzzer looks for).
    pub fn diagnose_everything(data: &[u8]) {
        let whole = match crate::diagnose(data) {
            Ok(report) => report,
            Err(failure) => failure.partial,
        };
        let text = crate::report::text::render(&whole);
        let json = crate::report::to_json(&whole);
        assert!(!text.is_empty() && !json.is_empty());
        // What users share: the Markdown report, redacted, in every format.
        let mut redacted = whole;
        crate::report::redact::Redactor::new().report(&mut redacted);
        let options = crate::report::markdown::MarkdownOptions {
            all: true,
            filtered_from: None,
        };
        assert!(!crate::report::markdown::render(&redacted, options).is_empty());
        assert!(!crate::report::to_json_with(&redacted, true).is_empty());

        let mut analyzer = crate::Analyzer::new();
        for chunk in data.chunks(7) {
            if analyzer.push(chunk).is_err() {
                break;
            }
        }
        let chunked = match analyzer.finish() {
            Ok(report) => report,
            Err(failure) => failure.partial,
        };
        assert_eq!(
            crate::report::to_json(&chunked),
            json,
            "chunked reading differs"
        );
    }
}
