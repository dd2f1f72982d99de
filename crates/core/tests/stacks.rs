//! The stacks of pcaps/README.md's second part (Go, Node.js, Java in TLS 1.3, nginx, OpenSSL,
//! curl), read without their key logs: the diagnosis a user gets from a plain tcpdump capture.
//! Each row is a capture with, per connection, its outcome and its findings in order, written
//! as `code` (certain), `code?` (likely) and `!` (error severity). Healthy near misses are rows
//! without a `!`. The captures' `.keys` runs are the text snapshots (tests/snapshots/text).

use pcap_tls_diagnose_core::codes::{Confidence, Severity};
use pcap_tls_diagnose_core::report::Report;

mod common;
use common::repo_root;

/// Per connection: its outcome and its findings.
type Connections = &'static [(&'static str, &'static str)];

/// (capture, its connections, capture-level findings).
const CASES: &[(&str, Connections, &str)] = &[
    (
        "plain-http-and-tls-same-port-nginx.pcap",
        &[
            ("established", "handshake-ok tls13-handshake-encrypted"),
            ("not_tls", "not-tls!"),
        ],
        "",
    ),
    (
        "plain-http-only.pcap",
        &[("not_tls", "")],
        "no-tls-in-capture",
    ),
    (
        "plain-http-to-tls-port-nginx.pcap",
        &[("not_tls", "not-tls!")],
        "",
    ),
    (
        "plain-http-to-tls-port-openssl-tls13.pcap",
        &[("not_tls", "not-tls?!")],
        "",
    ),
    (
        "tls-connection-refused-curl.pcap",
        &[
            ("not_tls", "connection-refused!"),
            ("not_tls", "connection-refused!"),
        ],
        "",
    ),
    (
        "tls-multi-connection-two-ports.pcap",
        &[
            ("established", "handshake-ok"),
            ("failed", "client-cert-missing!"),
            ("established", "handshake-ok tls13-handshake-encrypted"),
        ],
        "",
    ),
    (
        "tls-refused-ipv4-then-ipv6-curl.pcap",
        &[
            ("not_tls", "connection-refused"),
            ("established", "handshake-ok tls13-handshake-encrypted"),
        ],
        "",
    ),
    (
        "tls-syn-unanswered-curl.pcap",
        &[("not_tls", "no-syn-answer!")],
        "",
    ),
    (
        "tls12-client-cert-expired-go-server.pcap",
        &[("failed", "client-cert-expired!")],
        "",
    ),
    (
        "tls12-client-cert-no-clientauth-eku-go-server.pcap",
        &[("failed", "client-cert-wrong-key-usage!")],
        "",
    ),
    (
        "tls12-client-cert-untrusted-go-server.pcap",
        &[("failed", "client-cert-not-in-ca-list!")],
        "",
    ),
    (
        "tls12-client-cert-untrusted-node-server.pcap",
        &[("failed", "client-cert-not-in-ca-list!")],
        "",
    ),
    (
        "tls12-mtls-go-client-cert-not-in-ca-list.pcap",
        &[("failed", "client-cert-missing!")],
        "",
    ),
    (
        "tls12-mtls-missing-client-cert-go-server.pcap",
        &[("failed", "client-cert-missing!")],
        "",
    ),
    (
        "tls12-mtls-missing-client-cert-nginx-curl.pcap",
        &[("established", "client-cert-missing?!")],
        "",
    ),
    (
        "tls12-mtls-missing-client-cert-node-server.pcap",
        &[("failed", "client-cert-missing!")],
        "",
    ),
    (
        "tls12-mtls-ok-go.pcap",
        &[("established", "handshake-ok")],
        "",
    ),
    (
        "tls12-mtls-ok-node.pcap",
        &[("established", "handshake-ok")],
        "",
    ),
    (
        "tls12-mtls-optional-no-cert-nginx-curl.pcap",
        &[("established", "client-auth-optional-no-cert handshake-ok")],
        "",
    ),
    (
        "tls12-renegotiation-client-cert-accepted-openssl.pcap",
        &[("established", "renegotiation? handshake-ok")],
        "",
    ),
    (
        "tls12-renegotiation-client-cert-missing-node-server.pcap",
        &[("failed", "client-cert-missing?! renegotiation?")],
        "",
    ),
    (
        "tls12-renegotiation-client-cert-rejected-openssl.pcap",
        &[("failed", "client-cert-rejected?! renegotiation?")],
        "",
    ),
    (
        "tls12-server-cert-self-signed-node-client.pcap",
        &[("established", "server-cert-self-signed!")],
        "",
    ),
    (
        "tls12-server-cert-untrusted-go-client.pcap",
        &[("failed", "server-cert-self-signed!")],
        "",
    ),
    (
        "tls13-certificate-required-cut-in-packet-header.pcap",
        &[(
            "incomplete",
            "client-cert-missing? tls13-handshake-encrypted",
        )],
        "capture-truncated",
    ),
    (
        "tls13-certificate-required-cut-in-record-header.pcap",
        &[(
            "incomplete",
            "client-cert-missing? tls13-handshake-encrypted",
        )],
        "capture-truncated",
    ),
    (
        "tls13-certificate-required-cut-in-record.pcap",
        &[(
            "incomplete",
            "client-cert-missing? tls13-handshake-encrypted",
        )],
        "capture-truncated",
    ),
    (
        "tls13-certificate-required-dumpcap-cut-in-record.pcapng",
        &[(
            "incomplete",
            "client-cert-missing? tls13-handshake-encrypted",
        )],
        "capture-truncated",
    ),
    (
        "tls13-certificate-required-openssl-dumpcap.pcapng",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-certificate-required-openssl.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-client-cert-expired-go-server.pcap",
        &[("failed", "client-cert-rejected?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-client-cert-no-clientauth-eku-go-server.pcap",
        &[("failed", "client-cert-rejected?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-client-cert-untrusted-go-server.pcap",
        &[("failed", "client-cert-rejected?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-client-cert-untrusted-node-server.pcap",
        &[("failed", "client-cert-rejected?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-go-client-cert-not-in-ca-list.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-java-client-cert-not-in-ca-list.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-java-client-no-keystore.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-missing-client-cert-go-server.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-missing-client-cert-java-server.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-missing-client-cert-nginx-curl.pcap",
        &[(
            "established",
            "client-cert-missing?! tls13-handshake-encrypted",
        )],
        "",
    ),
    (
        "tls13-mtls-missing-client-cert-node-server.pcap",
        &[("failed", "client-cert-missing?! tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-ok-go.pcap",
        &[("established", "handshake-ok tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-ok-node.pcap",
        &[("established", "handshake-ok tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-mtls-optional-no-cert-nginx-curl.pcap",
        &[(
            "established",
            "client-auth-optional-no-cert? handshake-ok tls13-handshake-encrypted",
        )],
        "",
    ),
    (
        "tls13-ok-close-notify-curl.pcap",
        &[("established", "handshake-ok tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-ok-tiny-app-data-go.pcap",
        &[("established", "handshake-ok tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-server-cert-self-signed-node-client.pcap",
        &[(
            "failed",
            "server-cert-untrusted?! tls13-handshake-encrypted",
        )],
        "",
    ),
    (
        "tls13-server-cert-self-signed-openssl-client.pcap",
        &[(
            "failed",
            "server-cert-untrusted?! tls13-handshake-encrypted",
        )],
        "",
    ),
    (
        "tls13-server-cert-trusted-openssl-client.pcap",
        &[("established", "handshake-ok tls13-handshake-encrypted")],
        "",
    ),
    (
        "tls13-server-cert-unknown-ca-openssl-client.pcap",
        &[(
            "failed",
            "server-cert-untrusted?! tls13-handshake-encrypted",
        )],
        "",
    ),
    (
        "tls13-server-cert-untrusted-go-client.pcap",
        &[(
            "failed",
            "server-cert-untrusted?! tls13-handshake-encrypted",
        )],
        "",
    ),
];

/// The report of a capture of pcaps/, with its key log (`<name>.keys`) or without.
fn analyse(name: &str, keys: bool) -> Report {
    let path = repo_root().join("pcaps").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    if keys && let Ok(log) = std::fs::read(path.with_extension("keys")) {
        analyzer.add_key_log(&log);
    }
    let _ = analyzer.push(&bytes);
    match analyzer.finish() {
        Ok(report) => report,
        Err(failure) => failure.partial,
    }
}

/// Without a key log (none of these captures embeds one).
fn without_keys(name: &str) -> Report {
    analyse(name, false)
}

/// The outcome as the JSON report writes it.
fn outcome(o: pcap_tls_diagnose_core::report::Outcome) -> &'static str {
    use pcap_tls_diagnose_core::report::Outcome as O;
    match o {
        O::Established => "established",
        O::Failed => "failed",
        O::Incomplete => "incomplete",
        O::NotTls => "not_tls",
    }
}

/// "client-cert-missing?!" for a likely error.
fn written(f: &pcap_tls_diagnose_core::report::Finding) -> String {
    format!(
        "{}{}{}",
        f.code,
        if f.confidence == Confidence::Likely {
            "?"
        } else {
            ""
        },
        if f.severity == Severity::Error {
            "!"
        } else {
            ""
        }
    )
}

#[test]
fn stacks_we_had_not_met_are_diagnosed_without_key_logs() {
    let mut wrong = Vec::new();
    for (name, expected, capture_wide) in CASES {
        let report = without_keys(name);
        let got: Vec<(String, String)> = report
            .connections
            .iter()
            .map(|c| {
                let codes: Vec<String> = c.findings.iter().map(written).collect();
                (outcome(c.outcome).to_string(), codes.join(" "))
            })
            .collect();
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(o, c)| ((*o).to_string(), (*c).to_string()))
            .collect();
        let wide: Vec<String> = report.findings.iter().map(|f| f.code.to_string()).collect();
        if got != want || wide.join(" ") != *capture_wide {
            wrong.push(format!(
                "{name}: got {got:?} {wide:?}, want {want:?} {capture_wide:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn healthy_connections_carry_no_error_with_or_without_keys() {
    for (name, expected, _) in CASES {
        for (i, (_, codes)) in expected.iter().enumerate() {
            if codes.contains('!') {
                continue;
            }
            for keys in [false, true] {
                let report = analyse(name, keys);
                let c = &report.connections[i];
                assert!(
                    c.findings.iter().all(|f| f.severity != Severity::Error),
                    "{name} #{} (key log: {keys}): {:?}",
                    i + 1,
                    c.findings
                );
            }
        }
    }
}
