//! WebAssembly adapter over `pcap-tls-diagnose-core`: bytes or chunks in, the same JSON report
//! as the CLI's `--format json` out (byte for byte), errors as JavaScript `Error`s carrying the
//! core's message. No logic of its own.
//!
//! ```js
//! import init, { diagnoseJson, Analyzer } from "./pkg/pcap_tls_diagnose_wasm.js";
//! await init();
//! const report = JSON.parse(diagnoseJson(new Uint8Array(await file.arrayBuffer())));
//! // or in chunks, for large files:
//! const analyzer = new Analyzer();
//! analyzer.setClientCertificate(pemBytes); // optional, as `--client-cert`
//! analyzer.setTrustStore(caBundleBytes);    // optional, as `--ca`
//! analyzer.addKeyLog(sslKeyLogBytes);       // optional, as `--keylog`
//! analyzer.push(chunk); // … for every chunk
//! const json = analyzer.finish(); // or finishCompact(): the same without indentation
//! // after finishing:
//! analyzer.ticket(true);            // the Markdown report of the problems, redacted
//! analyzer.certificatePem(sha256);  // a certificate seen, as PEM
//! ```

use std::collections::BTreeMap;

use pcap_tls_diagnose_core::report::markdown::MarkdownOptions;
use pcap_tls_diagnose_core::report::{
    self, Certificate, CertificateEntry, ConnectionReport, Report, text::TextOptions,
};
use pcap_tls_diagnose_core::{Analyzer as CoreAnalyzer, DiagnoseError};
use wasm_bindgen::prelude::*;

/// The report as JSON; a capture that could not be read at all is an error. A capture read in
/// part gives its partial report, whose `capture.error` says where reading stopped (as the CLI
/// prints it).
fn json_or_error(result: Result<Report, Box<DiagnoseError>>) -> Result<String, JsError> {
    report_or_error(result).map(|report| report::to_json(&report))
}

/// The report, partial or not; a capture that could not be read at all is an error.
fn report_or_error(result: Result<Report, Box<DiagnoseError>>) -> Result<Report, JsError> {
    match result {
        Ok(report) => Ok(report),
        Err(failure) if failure.partial.capture.format.is_some() => Ok(failure.partial),
        Err(failure) => Err(JsError::new(&failure.to_string())),
    }
}

/// Analyses a whole capture held in memory; returns the JSON report (as the CLI's
/// `--format json`; `Analyzer.setAll(true)` gives every connection in full).
#[wasm_bindgen(js_name = diagnoseJson)]
pub fn diagnose_json(bytes: &[u8]) -> Result<String, JsError> {
    json_or_error(pcap_tls_diagnose_core::diagnose(bytes))
}

/// Analyses a whole capture; returns the text report (as the CLI prints it, without colour).
#[wasm_bindgen(js_name = diagnoseText)]
pub fn diagnose_text(bytes: &[u8], all: bool) -> Result<String, JsError> {
    let report = report_or_error(pcap_tls_diagnose_core::diagnose(bytes))?;
    Ok(report::text::render_with(
        &report,
        TextOptions {
            all,
            color: false,
            filtered_from: None,
        },
    ))
}

/// Analyses a whole capture; returns the Markdown report of its problems (as the CLI's
/// `--format markdown`), redacted as `--redact` does when `redact` is true.
#[wasm_bindgen(js_name = diagnoseMarkdown)]
pub fn diagnose_markdown(bytes: &[u8], redact: bool) -> Result<String, JsError> {
    let report = report_or_error(pcap_tls_diagnose_core::diagnose(bytes))?;
    Ok(markdown(report, redact))
}

fn markdown(mut report: Report, redact: bool) -> String {
    if redact {
        report::redact::Redactor::new().report(&mut report);
    }
    report::markdown::render(&report, MarkdownOptions::default())
}

/// Connections with a problem kept for [`Analyzer::ticket`]; beyond, the ticket groups what
/// it has (the counts of the capture stay whole).
const MAX_KEPT: usize = 10_000;

/// Certificates kept for [`Analyzer::certificate_pem`].
const MAX_CERTIFICATES: usize = 10_000;

/// The streaming analyser: push a large capture chunk by chunk, then finish.
#[wasm_bindgen]
pub struct Analyzer {
    inner: Option<CoreAnalyzer>,
    /// Connections with a problem handed out by `takeConnections`, for the ticket.
    problems: Vec<ConnectionReport>,
    /// Every certificate seen, by SHA-256 (hex), for `certificatePem`.
    certificates: BTreeMap<String, Certificate>,
    /// The finished report, with only its connections that have a problem, for `ticket`.
    finished: Option<Report>,
    /// Every connection's entry in full in the document, as the CLI's `--all`.
    all: bool,
    /// The entries handed out by `takeConnections`, kept to be put back into the document.
    taken: Option<Vec<ConnectionReport>>,
}

#[wasm_bindgen]
impl Analyzer {
    /// A new analysis.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self {
            inner: Some(CoreAnalyzer::new()),
            problems: Vec::new(),
            certificates: BTreeMap::new(),
            finished: None,
            all: false,
            taken: None,
        }
    }

    /// The client certificate (PEM or DER, leaf first, a chain allowed) the client should have
    /// sent, as the CLI's `--client-cert`; call it before `finish`. Throws when the bytes hold no
    /// certificate.
    #[wasm_bindgen(js_name = setClientCertificate)]
    pub fn set_client_certificate(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let chain = pcap_tls_diagnose_core::Certificates::client_chain(bytes)
            .map_err(|why| JsError::new(&why.to_string()))?;
        if let Some(inner) = &mut self.inner {
            inner.set_client_certificates(chain);
        }
        Ok(())
    }

    /// A trust store (PEM bundle of CA certificates), as the CLI's `--ca`; call it before
    /// `finish`. Throws when the bytes hold no certificate.
    #[wasm_bindgen(js_name = setTrustStore)]
    pub fn set_trust_store(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let cas = pcap_tls_diagnose_core::Certificates::trust_store(bytes)
            .map_err(|why| JsError::new(&why.to_string()))?;
        if let Some(inner) = &mut self.inner {
            inner.set_trust_store(cas);
        }
        Ok(())
    }

    /// A key log (SSLKEYLOGFILE text), as the CLI's `--keylog`; call it before `push`, since each
    /// connection is looked up in it at its ServerHello. Throws when the text holds no secret.
    #[wasm_bindgen(js_name = addKeyLog)]
    pub fn add_key_log(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let used = self
            .inner
            .as_mut()
            .map_or(0, |inner| inner.add_key_log(bytes));
        if used == 0 {
            return Err(JsError::new(pcap_tls_diagnose_core::NO_KEY_LOG_LINE));
        }
        Ok(())
    }

    /// Every connection's entry in full in the document `finish` returns, also those without a
    /// problem (whose entries are short otherwise), as the CLI's `--format json --all`.
    #[wasm_bindgen(js_name = setAll)]
    pub fn set_all(&mut self, all: bool) {
        self.all = all;
    }

    /// Keeps the entries `takeConnections` hands out and puts them back into the document
    /// `finish` returns, which then lists every connection (for a page that shows connections
    /// as they end and exports the whole report at the end). Off by default: memory then stays
    /// flat whatever the number of connections.
    #[wasm_bindgen(js_name = setKeepTaken)]
    pub fn set_keep_taken(&mut self, keep: bool) {
        self.taken = keep.then(Vec::new);
    }

    /// Feeds the next chunk. A broken file is reported by `finish`.
    pub fn push(&mut self, chunk: &[u8]) {
        if let Some(inner) = &mut self.inner {
            // The analyser keeps the error for `finish`.
            let _ = inner.push(chunk);
        }
    }

    /// The report entries of the connections that ended since the last call, as a compact
    /// JSON array (`[]` when none): a page can show them before the file is read to the end.
    /// `finish` then returns the report without them.
    #[wasm_bindgen(js_name = takeConnections)]
    pub fn take_connections(&mut self) -> String {
        let taken = self
            .inner
            .as_mut()
            .map(CoreAnalyzer::take_connections)
            .unwrap_or_default();
        self.keep(&taken);
        let json = report::connections_to_json(&taken);
        if let Some(kept) = &mut self.taken {
            kept.extend(taken);
        }
        json
    }

    /// Ends the analysis; returns the JSON report (throws when the input was not a capture).
    pub fn finish(&mut self) -> Result<String, JsError> {
        let report = self.finish_report()?;
        Ok(report::to_json_with(&report, self.all))
    }

    /// As `finish`, the same report without indentation (about two thirds of the size): for a
    /// page that parses it at once.
    #[wasm_bindgen(js_name = finishCompact)]
    pub fn finish_compact(&mut self) -> Result<String, JsError> {
        let report = self.finish_report()?;
        Ok(report::to_json_compact(&report, self.all))
    }

    /// After `finish`: the Markdown report of the connections with a problem (as the CLI's
    /// `--format markdown`), to paste into a ticket; `redact` replaces addresses, names and
    /// fingerprints by pseudonyms, as `--redact` does.
    pub fn ticket(&self, redact: bool) -> Result<String, JsError> {
        let report = self
            .finished
            .clone()
            .ok_or_else(|| JsError::new("the analysis is not finished"))?;
        Ok(markdown(report, redact))
    }

    /// A certificate seen in the capture, by its SHA-256 fingerprint (hex, as the report gives
    /// it), in PEM; `undefined` when none has it.
    #[wasm_bindgen(js_name = certificatePem)]
    pub fn certificate_pem(&self, sha256: &str) -> Option<String> {
        self.certificates.get(sha256).map(Certificate::pem)
    }

    /// The report; keeps what `ticket` and `certificatePem` need.
    fn finish_report(&mut self) -> Result<Report, JsError> {
        let mut report = report_or_error(self.take()?.finish())?;
        self.keep(&report.connections);
        if let Some(mut taken) = self.taken.take() {
            taken.append(&mut report.connections);
            taken.sort_unstable_by_key(|c| c.id);
            report.connections = taken;
        }
        // The problems handed out before and those of the report, in order.
        let mut connections = std::mem::take(&mut self.problems);
        connections.sort_unstable_by_key(|c| c.id);
        // The report without its healthy connections (a capture may list 100,000).
        self.finished = Some(Report {
            schema_version: report.schema_version,
            tool: report.tool.clone(),
            capture: report.capture.clone(),
            connections,
            findings: report.findings.clone(),
            supplied_client_certificates: report.supplied_client_certificates.clone(),
            trust_store: report.trust_store.clone(),
        });
        Ok(report)
    }

    /// Keeps the problems and certificates of connections handed out.
    fn keep(&mut self, connections: &[ConnectionReport]) {
        for c in connections {
            if c.has_problem() && self.problems.len() < MAX_KEPT {
                self.problems.push(c.clone());
            }
            let chains = [&c.server_certificates, &c.client_certificates];
            for entry in chains.into_iter().flatten().flat_map(|chain| chain.iter()) {
                if let CertificateEntry::Parsed(cert) = entry
                    && self.certificates.len() < MAX_CERTIFICATES
                {
                    self.certificates
                        .entry(cert.sha256.clone())
                        .or_insert_with(|| (**cert).clone());
                }
            }
        }
    }

    /// The analyser, for `finish`: it can finish once.
    fn take(&mut self) -> Result<CoreAnalyzer, JsError> {
        self.inner
            .take()
            .ok_or_else(|| JsError::new("the analysis was already finished"))
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}
