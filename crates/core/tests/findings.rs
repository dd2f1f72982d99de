//! Every finding code is documented, triggered by a capture in pcaps/, and absent from a
//! near-miss capture that resembles it; docs/findings.md is generated from the code's table.

use std::collections::BTreeSet;

use pcap_tls_diagnose_core::codes::{DOCS, markdown};
use pcap_tls_diagnose_core::report::Report;

mod common;
use common::repo_root as root;

/// The codes found in a capture of pcaps/, read with its key log (`<name>.keys`) if it has one.
fn codes_in(name: &str) -> BTreeSet<&'static str> {
    let path = root().join("pcaps").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    if let Ok(keys) = std::fs::read(path.with_extension("keys")) {
        analyzer.add_key_log(&keys);
    }
    let _ = analyzer.push(&bytes);
    let report: Report = match analyzer.finish() {
        Ok(r) => r,
        Err(f) => f.partial,
    };
    report
        .findings
        .iter()
        .chain(report.connections.iter().flat_map(|c| &c.findings))
        .map(|f| f.code.as_str())
        .collect()
}

/// (code, a capture that triggers it, a near miss that must not).
const CASES: &[(&str, &str, &str)] = &[
    (
        "keylog-no-match",
        "tls13-keylog-from-another-run.pcapng",
        "tls13-mtls-missing-client-cert-keylog-embedded.pcapng",
    ),
    (
        "keylog-incomplete",
        "tls13-keylog-handshake-secrets-only.pcapng",
        "tls13-mtls-missing-client-cert-keylog-embedded.pcapng",
    ),
    (
        "keylog-decrypt-failed",
        "tls13-keylog-wrong-secret.pcapng",
        "tls13-mtls-missing-client-cert-keylog-embedded.pcapng",
    ),
    (
        "client-cert-missing",
        "tls12-mtls-missing-client-cert-openssl.pcap",
        "tls12-mtls-optional-no-cert.pcap",
    ),
    (
        "client-auth-optional-no-cert",
        "tls12-mtls-optional-no-cert.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "client-cert-rejected",
        "tls12-client-cert-revoked.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "client-cert-not-in-ca-list",
        "tls12-client-cert-unknown-ca.pcap",
        "tls12-client-cert-expired.pcap",
    ),
    (
        "client-cert-expired",
        "tls12-client-cert-expired.pcap",
        "tls12-client-cert-not-yet-valid.pcap",
    ),
    (
        "client-cert-not-yet-valid",
        "tls12-client-cert-not-yet-valid.pcap",
        "tls12-client-cert-expired.pcap",
    ),
    (
        "client-cert-untrusted-issuer",
        "tls12-client-cert-untrusted-python-server.pcap",
        "tls12-client-cert-unknown-ca.pcap",
    ),
    (
        "client-cert-incomplete-chain",
        "tls12-client-cert-missing-intermediate.pcap",
        "tls12-client-cert-unknown-ca.pcap",
    ),
    (
        "client-cert-wrong-key-usage",
        "tls12-client-cert-no-clientauth-eku.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "client-cert-key-mismatch",
        "tls12-client-cert-key-mismatch-java-client.pcap",
        "tls12-mtls-ok-java.pcap",
    ),
    (
        "server-cert-untrusted",
        "tls12-server-cert-unknown-ca.pcap",
        "tls12-server-cert-missing-intermediate.pcap",
    ),
    (
        "server-cert-self-signed",
        "tls12-server-cert-self-signed.pcap",
        "tls12-server-cert-unknown-ca.pcap",
    ),
    (
        "server-cert-incomplete-chain",
        "tls12-server-cert-missing-intermediate.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "server-cert-expired",
        "tls12-server-cert-expired-gnutls-client.pcap",
        "tls12-server-cert-not-yet-valid-java-client.pcap",
    ),
    (
        "server-cert-not-yet-valid",
        "tls12-server-cert-not-yet-valid-java-client.pcap",
        "tls12-server-cert-expired-gnutls-client.pcap",
    ),
    (
        "server-cert-hostname-mismatch",
        "tls12-server-cert-hostname-mismatch-curl.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "protocol-version-mismatch",
        "tls-protocol-version-mismatch.pcap",
        "tls-inappropriate-fallback.pcap",
    ),
    (
        "no-shared-cipher",
        "tls12-no-shared-cipher.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "server-name-unrecognized",
        "tls12-sni-unrecognized.pcap",
        "tls12-alpn-mismatch.pcap",
    ),
    (
        "alpn-mismatch",
        "tls12-alpn-mismatch.pcap",
        "tls12-sni-unrecognized.pcap",
    ),
    (
        "inappropriate-fallback",
        "tls-inappropriate-fallback.pcap",
        "tls-protocol-version-mismatch.pcap",
    ),
    (
        "fatal-alert",
        "tls-internal-error-no-signature-algorithm.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "no-server-response",
        "tls-no-server-response.pcap",
        "tls-client-hello-then-close.pcap",
    ),
    (
        "connection-reset",
        "tls-reset-after-client-hello.pcap",
        "tls-client-hello-then-close.pcap",
    ),
    (
        "connection-closed",
        "tls-client-hello-then-close.pcap",
        "tls-reset-after-client-hello.pcap",
    ),
    (
        "not-tls",
        "plain-http-to-tls-port.pcap",
        "tls-client-hello-then-close.pcap",
    ),
    (
        "connection-refused",
        "tls-connection-refused-curl.pcap",
        "tls-syn-unanswered-curl.pcap",
    ),
    (
        "no-syn-answer",
        "tls-syn-unanswered-curl.pcap",
        "tls-connection-refused-curl.pcap",
    ),
    (
        "tls13-handshake-encrypted",
        "tls13-mtls-ok.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "encrypted-alert",
        "tls12-server-cert-hostname-mismatch-curl.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "resumed-session",
        "tls12-session-resumption.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "renegotiation",
        "tls12-renegotiation-client-cert.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "handshake-ok",
        "tls12-mtls-ok.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "no-tls-in-capture",
        "plain-http-only.pcap",
        "plain-http-to-tls-port.pcap",
    ),
    (
        "capture-truncated",
        "tls12-mtls-missing-client-cert-snaplen96.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "capture-gap",
        "tls12-certificate-segment-deleted.pcap",
        "tls12-mtls-ok.pcap",
    ),
    (
        "capture-midstream",
        "tls12-mtls-missing-client-cert-midstream.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "capture-one-sided",
        "tls12-mtls-missing-client-cert-client-side-only.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "client-cert-type-mismatch",
        "tls12-client-cert-type-mismatch.pcap",
        "tls12-mtls-missing-client-cert-openssl.pcap",
    ),
    (
        "post-handshake-auth",
        "tls13-post-handshake-auth.pcap",
        "tls13-mtls-ok.pcap",
    ),
];

#[test]
fn every_code_is_triggered_by_a_capture_and_not_by_its_near_miss() {
    let documented: BTreeSet<&str> = DOCS.iter().map(|d| d.code.as_str()).collect();
    let covered: BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(
        documented, covered,
        "every documented code needs a trigger and a near miss"
    );
    let mut problems = Vec::new();
    for (code, trigger, near_miss) in CASES {
        if !codes_in(trigger).contains(code) {
            problems.push(format!("{code}: not found in {trigger}"));
        }
        if codes_in(near_miss).contains(code) {
            problems.push(format!(
                "{code}: wrongly found in the near miss {near_miss}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_code_found_anywhere_is_documented() {
    let documented: BTreeSet<&str> = DOCS.iter().map(|d| d.code.as_str()).collect();
    for (name, _) in common::project_captures() {
        for code in codes_in(&name) {
            assert!(
                documented.contains(code),
                "{name}: undocumented code {code}"
            );
        }
    }
    for d in DOCS {
        assert!(
            !d.title.is_empty() && !d.meaning.is_empty(),
            "{} lacks docs",
            d.code
        );
    }
}

/// docs/findings.md is generated; `UPDATE_DOCS=1 cargo test` rewrites it.
#[test]
fn docs_findings_md_is_up_to_date() {
    let path = root().join("docs/findings.md");
    let expected = markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/findings.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/findings.md is out of date: run `UPDATE_DOCS=1 cargo test -p pcap-tls-diagnose-core --test findings`"
    );
}

/// nginx (`ssl_verify_client on`) completes the handshake without a client certificate and then
/// answers HTTP 400 inside TLS: the headline finding, as likely.
#[test]
fn nginx_refusing_inside_tls_is_a_likely_missing_certificate() {
    let bytes = std::fs::read(root().join("pcaps/tls12-mtls-missing-client-cert-nginx.pcap"))
        .expect("capture");
    let report = pcap_tls_diagnose_core::diagnose(&bytes).expect("capture");
    let finding = &report.connections[0].findings[0];
    assert_eq!(finding.code.as_str(), "client-cert-missing");
    assert_eq!(
        finding.confidence,
        pcap_tls_diagnose_core::report::Confidence::Likely
    );
    assert_eq!(finding.frames, vec![6, 8, 11, 13]);
}

/// Diagnoses a capture of pcaps/ after `setup` gave the analyser what it read from a file of
/// pcaps/certs/.
fn with_file(
    capture: &str,
    file: &str,
    setup: impl FnOnce(&mut pcap_tls_diagnose_core::Analyzer, &[u8]),
) -> Report {
    let bytes = std::fs::read(root().join("pcaps").join(capture)).expect("capture");
    let file = std::fs::read(root().join("pcaps/certs").join(file)).expect("certificate file");
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    setup(&mut analyzer, &file);
    analyzer.push(&bytes).expect("capture");
    analyzer.finish().expect("capture")
}

/// With a client certificate file supplied (`--client-cert`).
fn with_supplied(capture: &str, certificate: &str) -> Report {
    with_file(capture, certificate, |a, file| {
        a.set_client_certificates(
            pcap_tls_diagnose_core::Certificates::client_chain(file).expect("certificates"),
        );
    })
}

/// `--client-cert`: with the certificate the user expected, the reason behind an empty
/// Certificate becomes certain, and a certificate that fits says the client did not use it.
#[test]
fn a_supplied_client_certificate_makes_the_cause_certain() {
    use pcap_tls_diagnose_core::report::Confidence;
    // (capture, supplied file, codes expected besides client-cert-missing, codes that must not be
    // there, text the client-cert-missing explanation must hold)
    type Case = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
    );
    let cases: &[Case] = &[
        // The Java client's key store held a certificate from an unrelated CA.
        (
            "tls12-mtls-java-client-cert-not-in-ca-list.pcap",
            "client-unrelated.pem",
            &["client-cert-not-in-ca-list"],
            &["client-cert-type-mismatch", "client-cert-expired"],
            "Java",
        ),
        // The right chain, with its intermediate: it fits, the client did not use it.
        (
            "tls12-mtls-missing-client-cert-openssl.pcap",
            "client-chain.pem",
            &[],
            &["client-cert-not-in-ca-list", "client-cert-type-mismatch"],
            "fits this request",
        ),
        // The same leaf without its intermediate: the root-only CA list does not name its issuer.
        (
            "tls12-mtls-missing-client-cert-openssl.pcap",
            "client.pem",
            &["client-cert-not-in-ca-list"],
            &["client-cert-type-mismatch"],
            "OpenSSL",
        ),
        // An EC key where the server allows RSA signatures only (the likely finding becomes certain).
        (
            "tls12-client-cert-type-mismatch.pcap",
            "client-ec-chain.pem",
            &["client-cert-type-mismatch"],
            &["client-cert-not-in-ca-list"],
            "OpenSSL",
        ),
        // DER works as well as PEM; a lone leaf also misses the CA list.
        (
            "tls12-client-cert-type-mismatch.pcap",
            "client-ec.der",
            &["client-cert-type-mismatch", "client-cert-not-in-ca-list"],
            &[],
            "OpenSSL",
        ),
        (
            "tls12-mtls-java-client-no-keystore.pcap",
            "client-expired-chain.pem",
            &["client-cert-expired"],
            &["client-cert-not-in-ca-list", "client-cert-wrong-key-usage"],
            "Java",
        ),
        (
            "tls12-mtls-java-client-no-keystore.pcap",
            "client-server-eku-chain.pem",
            &["client-cert-wrong-key-usage"],
            &["client-cert-not-in-ca-list", "client-cert-expired"],
            "Java",
        ),
    ];
    for (capture, file, expected, absent, missing_says) in cases {
        let report = with_supplied(capture, file);
        assert!(!report.supplied_client_certificates.is_empty());
        let findings = &report.connections[0].findings;
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        let context = format!("{capture} + {file}: {codes:?}");
        let missing = findings
            .iter()
            .find(|f| f.code.as_str() == "client-cert-missing")
            .unwrap_or_else(|| panic!("{context}"));
        assert!(missing.explanation.contains(missing_says), "{context}");
        assert_eq!(
            missing.explanation.contains("fits this request"),
            expected.is_empty(),
            "{context}"
        );
        for code in *expected {
            let f = findings
                .iter()
                .find(|f| f.code.as_str() == *code)
                .unwrap_or_else(|| panic!("{context}: {code} missing"));
            assert_eq!(f.confidence, Confidence::Certain, "{context}");
            assert!(f.explanation.contains("you supplied"), "{context}");
            // Evidence: the CertificateRequest, the empty Certificate and the alert.
            assert_eq!(f.frames, missing.frames, "{context}");
        }
        for code in *absent {
            assert!(!codes.contains(code), "{context}: {code} present");
        }
    }
    // Without the supplied certificate, the type mismatch stays a guess.
    let bytes = std::fs::read(root().join("pcaps/tls12-client-cert-type-mismatch.pcap")).unwrap();
    let report = pcap_tls_diagnose_core::diagnose(&bytes).unwrap();
    let guess = report.connections[0]
        .findings
        .iter()
        .find(|f| f.code.as_str() == "client-cert-type-mismatch")
        .expect("likely type mismatch");
    assert_eq!(guess.confidence, Confidence::Likely);
}

/// A certificate the client did send, other than the one supplied, is pointed out.
#[test]
fn a_client_sending_another_certificate_than_supplied_is_pointed_out() {
    let report = with_supplied("tls12-client-cert-unknown-ca.pcap", "client-chain.pem");
    let findings = &report.connections[0].findings;
    assert!(!findings.is_empty());
    for f in findings
        .iter()
        .filter(|f| f.code.as_str().starts_with("client-cert"))
    {
        assert!(
            f.explanation.contains("not the certificate you supplied"),
            "{}",
            f.code
        );
    }
    // The same certificate as sent: no such note.
    let report = with_supplied("tls12-client-cert-unknown-ca.pcap", "client-unrelated.pem");
    assert!(
        report.connections[0]
            .findings
            .iter()
            .all(|f| !f.explanation.contains("not the certificate you supplied"))
    );
}

/// The report with every client CertificateVerify checked, also those the server accepted.
fn checking_all_signatures(bytes: &[u8]) -> Report {
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    analyzer.set_check_accepted_signatures(true);
    let _ = analyzer.push(bytes);
    match analyzer.finish() {
        Ok(r) => r,
        Err(f) => f.partial,
    }
}

/// Every TLS 1.2 client CertificateVerify in pcaps/ whose handshake is whole is checked: valid
/// for the real key pairs, invalid only where the Java client signed with another key.
#[test]
fn client_certificate_verify_signatures_are_checked() {
    let mut checked = 0;
    for (name, path) in common::project_captures() {
        let bytes = std::fs::read(&path).expect("capture");
        let report = checking_all_signatures(&bytes);
        for c in &report.connections {
            for m in c.messages.iter().filter(|m| m.typ == "certificate_verify") {
                let expected = match name.as_str() {
                    "tls12-client-cert-key-mismatch-java-client.pcap" => Some(false),
                    // A deleted segment took the server's Certificate: nothing to check against.
                    "tls12-certificate-segment-deleted.pcap" => None,
                    _ if c.tls_version.as_deref() == Some("TLS 1.2") => Some(true),
                    _ => None,
                };
                assert_eq!(m.signature_valid, expected, "{name} frame {}", m.frame);
                checked += usize::from(expected.is_some());
            }
        }
        if name == "tls12-client-cert-key-mismatch-java-client.pcap" {
            let f = &report.connections[0].findings[0];
            assert_eq!(f.code.as_str(), "client-cert-key-mismatch");
            assert!(f.explanation.contains("Checked here"), "{}", f.explanation);
        }
    }
    assert!(checked >= 12, "only {checked} signatures checked");
}

/// By default a signature the server accepted (its ChangeCipherSpec followed) is not checked
/// again; one it rejected is.
#[test]
fn only_signatures_the_server_did_not_accept_are_checked_by_default() {
    let verify = |name: &str| {
        let bytes = std::fs::read(root().join("pcaps").join(name)).expect("capture");
        let report = match pcap_tls_diagnose_core::diagnose(&bytes) {
            Ok(r) => r,
            Err(f) => f.partial,
        };
        let m = report.connections[0]
            .messages
            .iter()
            .find(|m| m.typ == "certificate_verify")
            .cloned()
            .expect("a CertificateVerify");
        (m.signature_valid, m.summary.unwrap_or_default())
    };
    let (valid, summary) = verify("tls12-mtls-ok.pcap");
    assert_eq!(valid, None);
    assert!(summary.contains("the server accepted it"), "{summary}");
    let (valid, summary) = verify("tls12-client-cert-key-mismatch-java-client.pcap");
    assert_eq!(valid, Some(false));
    assert!(summary.contains("DOES NOT VERIFY"), "{summary}");
}

/// Other stacks' signatures, from the public corpus (when it is beside the repository):
/// RSA PKCS#1 v1.5 and PSS, ECDSA P-256, Ed25519 verify; DSA and Ed448 are not checked; a
/// capture missing the server's flight is not judged.
#[test]
fn certificate_verify_of_other_stacks_in_the_public_corpus() {
    let corpus = root().join("../shared/captures");
    if !corpus.is_dir() {
        return;
    }
    for (file, expected) in [
        ("snet/mTLS1_2_RSA.pcap", Some(true)),
        ("snet/mTLS1_2_ECDSA.pcap", Some(true)),
        ("snet/mTLS1_2_Ed25519.pcap", Some(true)),
        ("suricata-verify/tls-client-auth.pcap", Some(true)),
        ("zeek/client-certificate.pcap", Some(true)),
        ("snet/mTLS1_2_DSA.pcap", None),
        ("snet/mTLS1_2_Ed448.pcap", None),
        (
            "ndpi/tls_client_certificate_with_missing_server_one.pcapng",
            None,
        ),
    ] {
        let bytes = std::fs::read(corpus.join(file)).expect("corpus capture");
        let report = checking_all_signatures(&bytes);
        let verifies: Vec<_> = report
            .connections
            .iter()
            .flat_map(|c| &c.messages)
            .filter(|m| m.typ == "certificate_verify")
            .collect();
        assert!(!verifies.is_empty(), "{file}");
        for m in verifies {
            assert_eq!(m.signature_valid, expected, "{file} frame {}", m.frame);
        }
    }
    // Subject = issuer, but not signed by its own key: issued by a CA with the same name.
    let bytes = std::fs::read(corpus.join("zeek/mysql-encrypted.pcap")).expect("corpus capture");
    let report = pcap_tls_diagnose_core::diagnose(&bytes).expect("capture");
    let Some(pcap_tls_diagnose_core::report::CertificateEntry::Parsed(cert)) = report.connections
        [0]
    .server_certificates
    .as_ref()
    .and_then(|l| l.first()) else {
        panic!("no server certificate");
    };
    assert!(!cert.self_signed);
    assert_eq!(cert.signature_valid, None);
}

/// Certificate chains are checked link by link: a flipped bit in a certificate's signature
/// shows as `signature_valid: false`; the real chain verifies.
#[test]
fn chain_signatures_are_checked_link_by_link() {
    let capture = std::fs::read(root().join("pcaps/tls12-mtls-ok.pcap")).expect("capture");
    let pem = std::fs::read(root().join("pcaps/certs/client.pem")).expect("certificate");
    let (_, block) = x509_parser::pem::parse_x509_pem(&pem).expect("PEM");
    let der = block.contents;
    let report = pcap_tls_diagnose_core::diagnose(&capture).expect("capture");
    let client = |r: &Report| match &r.connections[0].client_certificates.as_ref().expect("sent")[0]
    {
        pcap_tls_diagnose_core::report::CertificateEntry::Parsed(c) => c.signature_valid,
        other @ pcap_tls_diagnose_core::report::CertificateEntry::Unparsable { .. } => {
            panic!("{other:?}")
        }
    };
    assert_eq!(client(&report), Some(true));

    // The client leaf's DER is in the capture as is: flip a bit of its last byte (signature).
    let start = capture
        .windows(der.len())
        .position(|w| w == der.as_slice())
        .expect("the client certificate in the capture");
    let mut tampered = capture;
    tampered[start + der.len() - 1] ^= 1;
    let report = pcap_tls_diagnose_core::diagnose(&tampered).expect("capture");
    assert_eq!(client(&report), Some(false));
}

/// With a trust store (`--ca`).
fn with_trust_store(capture: &str, store: &str) -> Report {
    with_file(capture, store, |a, file| {
        a.set_trust_store(pcap_tls_diagnose_core::Certificates::trust_store(file).expect("store"));
    })
}

/// `--ca`: chains are followed up to the user's trust store; where one breaks is certain.
#[test]
fn chains_are_followed_up_to_a_supplied_trust_store() {
    let codes = |r: &Report| -> Vec<&'static str> {
        r.connections[0]
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect()
    };
    // Both chains lead to the test root (through the intermediate each side sent).
    let ok = with_trust_store("tls12-mtls-ok.pcap", "root.pem");
    assert_eq!(codes(&ok), ["handshake-ok"]);
    assert_eq!(ok.trust_store, ["CN=Test Root CA, O=pcap-tls-diagnose"]);

    // The unrelated CA's client: its issuer is neither sent nor trusted.
    let unknown = with_trust_store("tls12-client-cert-unknown-ca.pcap", "root.pem");
    let f = unknown.connections[0]
        .findings
        .iter()
        .find(|f| f.code.as_str() == "client-cert-untrusted-issuer")
        .expect("untrusted issuer");
    assert!(
        f.explanation
            .contains("breaks at [0] CN=client.elsewhere.example"),
        "{}",
        f.explanation
    );
    assert_eq!(f.frames, [6, 8, 9]);

    // A store without the root: both chains break at the intermediate.
    let other = with_trust_store("tls12-mtls-ok.pcap", "client-unrelated.pem");
    for code in ["server-cert-untrusted", "client-cert-untrusted-issuer"] {
        let f = other.connections[0]
            .findings
            .iter()
            .find(|f| f.code.as_str() == code)
            .unwrap_or_else(|| panic!("{code}"));
        assert!(
            f.explanation.contains("breaks at [1] CN=Test Issuing CA 1")
                && f.explanation.contains("its issuer CN=Test Root CA"),
            "{}",
            f.explanation
        );
        // The handshake succeeded: your store, not the peer's, rejects it.
        assert_eq!(
            f.severity,
            pcap_tls_diagnose_core::report::Severity::Warning
        );
    }
}
