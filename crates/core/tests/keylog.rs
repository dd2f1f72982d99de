//! Key log decryption on captures from real stacks (OpenSSL, curl + nginx), each with the key log
//! its client wrote: the decrypted messages and alerts, what the diagnosis makes of them, and
//! what a key log that falls short reports. tshark's decrypted view of the same captures is
//! compared in oracle.rs.

use pcap_tls_diagnose_core::report::Confidence;
use pcap_tls_diagnose_core::report::{ConnectionReport, Outcome, Party, Report};

mod common;
use common::repo_root;

/// A capture of pcaps/ with its key log (`<name>.keys`), when `keys` is set.
fn analyse(name: &str, keys: bool) -> Report {
    let path = repo_root().join("pcaps").join(name);
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    if keys {
        analyzer.add_key_log(&std::fs::read(path.with_extension("keys")).expect("key log"));
    }
    analyzer
        .push(&std::fs::read(&path).expect("capture"))
        .expect("capture");
    analyzer.finish().expect("capture")
}

fn codes(c: &ConnectionReport) -> Vec<(&'static str, Confidence)> {
    c.findings
        .iter()
        .map(|f| (f.code.as_str(), f.confidence))
        .collect()
}

/// Every record decrypted, none hidden, none failed.
fn fully_decrypted(c: &ConnectionReport) -> bool {
    c.decryption.as_ref().is_some_and(|d| {
        d.matched && d.records_decrypted > 0 && d.hidden.is_empty() && d.failures.is_empty()
    })
}

/// The headline TLS 1.3 case: the key log turns "likely" into "certain" and shows the server's
/// CA list, the client's empty Certificate and the certificate_required alert. Given with
/// `--keylog` or embedded in the pcapng, the result is the same.
#[test]
fn tls13_missing_client_certificate_becomes_certain() {
    let without = analyse("tls13-mtls-missing-client-cert-keylog.pcap", false);
    let c = &without.connections[0];
    assert_eq!(c.findings[0].confidence, Confidence::Likely);
    assert!(c.decryption.is_none());
    assert_eq!(c.client_certificate_requested, None);

    let with = analyse("tls13-mtls-missing-client-cert-keylog.pcap", true);
    let embedded = analyse(
        "tls13-mtls-missing-client-cert-keylog-embedded.pcapng",
        false,
    );
    for report in [&with, &embedded] {
        let c = &report.connections[0];
        assert!(fully_decrypted(c));
        assert_eq!(c.outcome, Outcome::Failed);
        assert_eq!(codes(c), [("client-cert-missing", Confidence::Certain)]);
        assert_eq!(c.findings[0].frames, [6, 8, 9]);
        assert_eq!(c.client_certificate_requested, Some(true));
        let cr = c.certificate_request.as_ref().expect("CertificateRequest");
        assert_eq!(
            cr.certificate_authorities,
            ["CN=Test Root CA, O=pcap-tls-diagnose"]
        );
        assert_eq!(c.client_certificates.as_deref().map(<[_]>::len), Some(0));
        let alert = &c.alerts[0];
        assert_eq!(
            (alert.frame, alert.from, alert.code, alert.decrypted),
            (9, Party::Server, Some(116), true)
        );
        let secrets = &c.decryption.as_ref().expect("decryption").secrets;
        assert!(secrets.contains(&"SERVER_TRAFFIC_SECRET_0"));
    }
    assert_eq!(embedded.capture.decryption_secrets_blocks, 1);
    assert_eq!(
        embedded
            .capture
            .key_log
            .as_ref()
            .map(|k| k.connections_matched),
        Some(1)
    );
}

/// nginx with `ssl_verify_client on` completes a TLS 1.3 handshake without a client
/// certificate and answers HTTP 400 inside TLS: with curl's key log the answer is read (its
/// status line only) and the missing certificate is certain.
#[test]
fn nginx_http_400_inside_tls13_is_read_from_the_key_log() {
    let report = analyse("tls13-mtls-missing-client-cert-nginx-keylog.pcap", true);
    let c = &report.connections[0];
    assert!(fully_decrypted(c));
    assert_eq!(codes(c), [("client-cert-missing", Confidence::Certain)]);
    let http = c
        .decryption
        .as_ref()
        .and_then(|d| d.http_response.as_ref())
        .expect("HTTP answer");
    assert_eq!(http.status_line, "HTTP/1.1 400 Bad Request");
    assert!(http.no_client_certificate);
    assert!(
        c.findings[0]
            .explanation
            .contains("No required SSL certificate was sent")
    );
    // The body itself is not in the report.
    let json = pcap_tls_diagnose_core::report::to_json(&report);
    assert!(!json.contains("<html>"));
}

/// AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, and a KeyUpdate: every record of the three
/// TLS 1.3 connections decrypts; records after the KeyUpdate need the next generation of keys.
#[test]
fn tls13_suites_and_key_update() {
    let report = analyse("tls13-keylog-suites.pcap", true);
    let suites: Vec<&str> = report
        .connections
        .iter()
        .map(|c| c.cipher_suite.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        suites,
        [
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384"
        ]
    );
    for c in &report.connections {
        assert!(fully_decrypted(c), "connection {}", c.id);
        assert_eq!(codes(c), [("handshake-ok", Confidence::Certain)]);
    }
    let first = &report.connections[0];
    let update = first
        .messages
        .iter()
        .position(|m| m.typ == "key_update")
        .expect("KeyUpdate");
    assert!(
        first.messages[update + 1..]
            .iter()
            .any(|m| m.typ == "application_data" && m.from == Party::Client)
    );
}

/// TLS 1.2 with AES-GCM, ChaCha20-Poly1305, and AES-CBC with SHA-1, SHA-256 and SHA-384 MACs,
/// encrypt-then-MAC and MAC-then-encrypt: Finished, the HTTP answer and close_notify decrypt.
#[test]
fn tls12_aead_and_cbc_suites() {
    let report = analyse("tls12-keylog-suites.pcap", true);
    assert_eq!(report.connections.len(), 5);
    for c in &report.connections {
        assert!(fully_decrypted(c), "connection {}", c.id);
        assert_eq!(c.outcome, Outcome::Established);
        let finished = c.messages.iter().filter(|m| m.typ == "finished").count();
        assert_eq!(finished, 2, "connection {}", c.id);
        let http = c.decryption.as_ref().and_then(|d| d.http_response.as_ref());
        assert_eq!(
            http.map(|h| h.status_line.as_str()),
            Some("HTTP/1.0 200 ok")
        );
    }
}

/// A renegotiation that asks for the client certificate, decrypted: the new handshake's
/// CertificateRequest and the client's empty Certificate are read, and the finding is certain.
#[test]
fn tls12_renegotiation_is_decrypted() {
    let without = analyse("tls12-renegotiation-client-cert-keylog.pcap", false);
    assert_eq!(
        codes(&without.connections[0]),
        [
            ("renegotiation", Confidence::Likely),
            ("handshake-ok", Confidence::Certain)
        ]
    );
    let report = analyse("tls12-renegotiation-client-cert-keylog.pcap", true);
    let c = &report.connections[0];
    assert!(fully_decrypted(c));
    assert_eq!(
        codes(c),
        [
            ("renegotiation", Confidence::Certain),
            ("client-auth-optional-no-cert", Confidence::Certain),
            ("handshake-ok", Confidence::Certain)
        ]
    );
    assert_eq!(c.findings[0].frames, [10, 12, 13, 15, 16]);
    let request = c
        .messages
        .iter()
        .find(|m| m.typ == "certificate_request")
        .expect("CertificateRequest");
    assert!(request.decrypted && request.frame == 15);
}

/// Post-handshake authentication, decrypted: the late CertificateRequest and the client's
/// certificate are read (tshark 4.0 loses the client's keys after it: see oracle.rs).
#[test]
fn tls13_post_handshake_auth_is_decrypted() {
    let report = analyse("tls13-post-handshake-auth-keylog.pcap", true);
    let c = &report.connections[0];
    assert!(fully_decrypted(c));
    assert_eq!(
        codes(c),
        [
            ("post-handshake-auth", Confidence::Certain),
            ("handshake-ok", Confidence::Certain)
        ]
    );
    assert!(
        c.findings[0].explanation.contains("CN=client"),
        "{}",
        c.findings[0].explanation
    );
}

/// Key logs that fall short say what stayed hidden and why, and never stop the analysis.
#[test]
fn key_logs_that_fall_short() {
    let partial = analyse("tls13-keylog-handshake-secrets-only.pcapng", false);
    let d = partial.connections[0]
        .decryption
        .as_ref()
        .expect("decryption");
    assert_eq!(d.missing, ["SERVER_TRAFFIC_SECRET_0"]);
    assert_eq!(
        (d.hidden[0].from, d.hidden[0].first_frame),
        (Party::Server, 9)
    );
    assert_eq!(partial.connections[0].outcome, Outcome::Failed);

    let wrong = analyse("tls13-keylog-wrong-secret.pcapng", false);
    let d = wrong.connections[0]
        .decryption
        .as_ref()
        .expect("decryption");
    assert_eq!(
        (
            d.failures[0].from,
            d.failures[0].frame,
            d.failures[0].reason
        ),
        (Party::Server, 6, "authentication")
    );

    let other = analyse("tls13-keylog-from-another-run.pcapng", false);
    let d = other.connections[0]
        .decryption
        .as_ref()
        .expect("decryption");
    assert!(!d.matched && d.records_decrypted == 0);
    assert_eq!(
        other
            .capture
            .key_log
            .as_ref()
            .map(|k| k.connections_matched),
        Some(0)
    );
}

/// A record lost from the capture used up a sequence number: after the gap the next record's
/// number is searched for, and the client's close_notify still decrypts.
#[test]
fn decryption_resumes_after_a_lost_record() {
    let report = analyse("tls12-keylog-record-lost.pcap", true);
    let c = &report.connections[0];
    assert!(c.anomalies.iter().any(|a| a.kind == "gap"));
    let d = c.decryption.as_ref().expect("decryption");
    assert!(d.failures.is_empty() && d.hidden.is_empty(), "{d:?}");
    let alert = c
        .alerts
        .iter()
        .find(|a| a.from == Party::Client)
        .expect("client alert");
    assert_eq!(
        (alert.frame, alert.code, alert.decrypted),
        (13, Some(0), true)
    );
}

/// With the TLS 1.3 CertificateRequest decrypted, a supplied client certificate is checked
/// against it as in TLS 1.2: one from another CA is certain not to be accepted.
#[test]
fn a_supplied_certificate_is_checked_against_a_decrypted_tls13_request() {
    let path = repo_root().join("pcaps/tls13-mtls-missing-client-cert-keylog.pcap");
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    analyzer.add_key_log(&std::fs::read(path.with_extension("keys")).expect("key log"));
    let supplied =
        std::fs::read(repo_root().join("pcaps/certs/client-unrelated.pem")).expect("pem");
    analyzer.set_client_certificates(
        pcap_tls_diagnose_core::Certificates::client_chain(&supplied).expect("certificate"),
    );
    analyzer
        .push(&std::fs::read(&path).expect("capture"))
        .expect("capture");
    let report = analyzer.finish().expect("capture");
    let c = &report.connections[0];
    assert!(codes(c).contains(&("client-cert-not-in-ca-list", Confidence::Certain)));
}

/// A download with a key log: after the first application data records, bulk data is skipped
/// by its headers (its sequence numbers counted), and the close_notify after it still decrypts.
#[test]
fn bulk_data_is_skipped_and_what_follows_still_decrypts() {
    let report = analyse("tls-keylog-bulk.pcap", true);
    assert_eq!(report.connections.len(), 2);
    for c in &report.connections {
        assert!(fully_decrypted(c), "connection {}", c.id);
        let d = c.decryption.as_ref().expect("decryption");
        let records = c.server_to_client.application_data_records;
        assert!(records > 20, "connection {}: {records} records", c.id);
        // Decrypting everything would give the server's application data, its Finished, the
        // client's Finished and request, and both close_notify alerts: records + 5 or more.
        assert!(
            d.records_decrypted < records + 4,
            "connection {}: bulk data was decrypted ({} of {records})",
            c.id,
            d.records_decrypted
        );
        let alerts: Vec<(Party, Option<u8>, bool)> = c
            .alerts
            .iter()
            .map(|a| (a.from, a.code, a.decrypted))
            .collect();
        assert_eq!(
            alerts,
            [
                (Party::Server, Some(0), true),
                (Party::Client, Some(0), true)
            ]
        );
    }
}
