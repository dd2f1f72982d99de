//! The diagnosis of a connection does not depend on how much data it carried or on what else
//! the capture holds: the same connections generated with small and with large transfers give
//! the same handshakes, alerts and findings (frame numbers aside, which the bulk data shifts).

use std::collections::BTreeMap;

use pcap_tls_bench::generate::{self, Config};
use pcap_tls_diagnose_core::report::ConnectionReport;

/// What must not change with the size of the transfers.
fn essence(c: &ConnectionReport) -> String {
    let messages: Vec<String> = c
        .messages
        .iter()
        .filter(|m| !matches!(&*m.typ, "encrypted_record" | "application_data"))
        .map(|m| format!("{:?} {}", m.from, m.typ))
        .collect();
    let alerts: Vec<String> = c
        .alerts
        .iter()
        .map(|a| format!("{:?} {:?} {}", a.from, a.description, a.encrypted))
        .collect();
    let findings: Vec<String> = c
        .findings
        .iter()
        .map(|f| format!("{} {:?} {}", f.code, f.confidence, f.title))
        .collect();
    format!(
        "{:?} {:?} {:?} {:?}\n{messages:?}\n{alerts:?}\n{findings:?}",
        c.tls_version, c.cipher_suite, c.outcome, c.sni
    )
}

type Outcomes = std::collections::BTreeSet<String>;

/// A capture made by the generator from the handshakes of pcaps/.
fn generated(config: &Config) -> Vec<u8> {
    let pcaps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pcaps");
    let templates = generate::load_templates(&pcaps).expect("templates");
    let mut bytes = Vec::new();
    generate::generate(config, &templates, &mut bytes).expect("generate");
    bytes
}

fn diagnose(bulk_scale: f64) -> (BTreeMap<String, String>, usize, Outcomes) {
    let bytes = generated(&Config {
        target_bytes: u64::MAX,
        concurrency: 8,
        seed: 7,
        bulk_scale,
        max_connections: Some(60),
        ..Config::default()
    });
    let report = pcap_tls_diagnose_core::diagnose(&bytes).expect("capture");
    let by_client = report
        .connections
        .iter()
        .map(|c| (c.client.to_string(), essence(c)))
        .collect();
    let outcomes = report
        .connections
        .iter()
        .map(|c| format!("{:?}", c.outcome))
        .collect();
    (by_client, bytes.len(), outcomes)
}

#[test]
fn the_diagnosis_does_not_depend_on_the_transfer_sizes() {
    let (small, small_len, outcomes) = diagnose(0.001);
    let (large, large_len, _) = diagnose(0.3);
    assert!(
        large_len > 20 * small_len,
        "{small_len} vs {large_len} bytes"
    );
    assert_eq!(small.len(), 60);
    assert_eq!(small, large);
    // Successes and failures both made it in.
    assert!(
        outcomes.contains("Established") && outcomes.contains("Failed"),
        "{outcomes:?}"
    );
}

/// With many connections, the text leads with one group per cause instead of one block per
/// connection: each group counts exactly the connections whose headline finding it is, lists
/// their ids, and shows the first error connection of each in full; `--all` still shows every
/// connection.
#[test]
fn many_problem_connections_are_grouped_by_cause_in_the_text() {
    use pcap_tls_diagnose_core::report::Severity;
    use pcap_tls_diagnose_core::report::text::{GROUP_FROM, TextOptions, render_with};
    let bytes = generated(&Config {
        target_bytes: u64::MAX,
        concurrency: 20,
        seed: 3,
        bulk_scale: 0.001,
        max_connections: Some(300),
        ..Config::default()
    });
    let report = pcap_tls_diagnose_core::diagnose(&bytes).expect("capture");
    let mut by_cause: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for c in &report.connections {
        if let Some(f) = c.findings.iter().find(|f| f.severity != Severity::Info) {
            by_cause
                .entry(format!("{} ×", f.code))
                .or_default()
                .push(c.id);
        }
    }
    let problems: usize = by_cause.values().map(Vec::len).sum();
    assert!(problems > GROUP_FROM, "{problems} problem connections");
    let text = render_with(&report, TextOptions::default());
    assert!(
        text.contains(&format!("\n{problems} connections with a problem, in ")),
        "{text}"
    );
    for (cause, ids) in &by_cause {
        // Groups of one code (a code can have more than one title): their counts add up.
        let counted: usize = text
            .lines()
            .filter_map(|l| l.split_once(cause.as_str()))
            .filter(|(mark, _)| matches!(mark.trim(), "✗" | "!"))
            .filter_map(|(_, rest)| rest.split_whitespace().next()?.parse::<usize>().ok())
            .sum();
        assert_eq!(counted, ids.len(), "{cause}\n{text}");
        // The first connection of a cause heads its group's list of ids.
        assert!(
            text.contains(&format!("    connections: {}", ids[0])),
            "{cause}: {}\n{text}",
            ids[0]
        );
    }
    // An example shows its findings and ladder; its certificates are one option away.
    assert!(
        text.contains(
            "adds its certificates, certificate request, fingerprints and capture notes)"
        ),
        "{text}"
    );
    assert!(!text.contains("  server certificates:"), "{text}");
    // Each connection block shown is a group's example: far fewer than the problems.
    let blocks = text
        .lines()
        .filter(|l| l.starts_with("connection "))
        .count();
    assert!(
        blocks >= 1 && blocks <= by_cause.len() + 2,
        "{blocks} blocks\n{text}"
    );
    let all = render_with(
        &report,
        TextOptions {
            all: true,
            ..TextOptions::default()
        },
    );
    let blocks = all.lines().filter(|l| l.starts_with("connection ")).count();
    assert_eq!(blocks, report.connections.len());
}
