//! The report's TLS fingerprints and client stack, checked against what other tools computed on
//! the same captures:
//!
//! - JA4, JA4_r, JA4_o, JA4_ro of every ClientHello against FoxIO's reference output shipped
//!   with its captures (`ja4/<capture>.ja4.json`, written by its `python/ja4.py`; `JA4.N` is
//!   the N-th ClientHello of a TCP stream);
//! - JA3, JA3S (hashes and strings) and JA4 against Arkime's test expectations
//!   (`arkime/<capture>.arkime.test`) and Suricata's (`suricata-verify/<capture>.test.yaml`);
//! - the client stack of the project's own captures (pcaps/README.md says which client made
//!   each).
//!
//! The public corpus sits beside the repository as `../shared/captures`; without it those
//! checks say so and pass (the client stack check always runs). Any difference from a
//! reference must be listed below with its reason, and a listed difference that no longer
//! occurs fails too.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use pcap_tls_diagnose_core::report::{ClientFingerprints, ConnectionReport, Report};
use serde_json::Value;

mod common;
use common::{repo_root, shared_corpus};

fn diagnose(path: &Path) -> Report {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match pcap_tls_diagnose_core::diagnose(&bytes) {
        Ok(report) => report,
        Err(failure) => failure.partial,
    }
}

/// A TCP connection's endpoints as the references write them: client, then server.
type Tuple = (IpAddr, u16, IpAddr, u16);

fn tuple(c: &ConnectionReport) -> Tuple {
    (c.client.ip, c.client.port, c.server.ip, c.server.port)
}

/// The report's connections by their endpoints (in order, should a tuple recur).
fn by_tuple(report: &Report) -> BTreeMap<Tuple, Vec<&ConnectionReport>> {
    let mut out: BTreeMap<Tuple, Vec<&ConnectionReport>> = BTreeMap::new();
    for c in &report.connections {
        out.entry(tuple(c)).or_default().push(c);
    }
    out
}

/// The fingerprints of each ClientHello of a connection, in order.
fn client_hellos(c: &ConnectionReport) -> Vec<&ClientFingerprints> {
    c.messages
        .iter()
        .filter_map(|m| m.client_fingerprints.as_deref())
        .collect()
}

fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn name(path: &Path) -> String {
    path.file_name()
        .expect("a file")
        .to_string_lossy()
        .into_owned()
}

/// Differences from FoxIO's reference output checked by hand: (capture, tcp.stream, form,
/// reason). Each covers every ClientHello of that stream.
const JA4_DIFFERENCES: &[(&str, u64, &str, &str)] = &[(
    "tls-non-ascii-alpn.pcapng",
    0,
    "JA4, JA4_r, JA4_o, JA4_ro",
    "the first ALPN protocol is the two bytes 0xBA 0xAD: JA4.md (\"ALPN Extension Value\") \
         takes the first hex digit of the first byte and the last of the last byte, `bd`; the \
         reference output predates that rule and writes `99` for any non-ASCII first byte",
)];

/// An entry's `JA4.N`, `JA4_r.N`, `JA4_o.N`, `JA4_ro.N`: (N, form, value).
fn ja4_values(entry: &Value) -> Vec<(usize, &str, &str)> {
    entry
        .as_object()
        .expect("an object")
        .iter()
        .filter_map(|(key, value)| {
            let (form, n) = key.split_once('.')?;
            ["JA4", "JA4_r", "JA4_o", "JA4_ro"]
                .contains(&form)
                .then(|| {
                    (
                        n.parse().expect("N"),
                        form,
                        value.as_str().expect("a string"),
                    )
                })
        })
        .collect()
}

#[test]
fn ja4_agrees_with_foxio_reference_output() {
    let Some(shared) = shared_corpus() else {
        return;
    };
    let (mut compared, mut agreed, mut hellos) = (0, 0, 0);
    let mut differences: BTreeSet<(String, u64)> = BTreeSet::new();
    let mut problems = Vec::new();
    for reference in files_ending(&shared.join("ja4"), ".ja4.json") {
        let capture = PathBuf::from(
            reference
                .to_string_lossy()
                .trim_end_matches(".ja4.json")
                .to_string(),
        );
        let file = name(&capture);
        let report = diagnose(&capture);
        let conns = by_tuple(&report);
        let mut seen: BTreeMap<Tuple, usize> = BTreeMap::new();
        let text = std::fs::read_to_string(&reference).expect("reference");
        let entries: Vec<Value> = serde_json::from_str(&text).expect("reference JSON");
        for entry in &entries {
            let expected = ja4_values(entry);
            if expected.is_empty() {
                continue;
            }
            let stream = entry["stream"].as_u64().expect("stream");
            let ip = |k: &str| entry[k].as_str().expect(k).parse::<IpAddr>().expect(k);
            let port = |k: &str| entry[k].as_str().expect(k).parse::<u16>().expect(k);
            let key = (ip("src"), port("srcport"), ip("dst"), port("dstport"));
            let nth = seen.entry(key).or_default();
            let Some(conn) = conns.get(&key).and_then(|list| list.get(*nth)) else {
                problems.push(format!("{file} stream {stream}: no TCP connection {key:?}"));
                continue;
            };
            *nth += 1;
            let ours = client_hellos(conn);
            let count = expected.iter().map(|(n, ..)| *n).max().unwrap_or(0);
            hellos += count;
            if ours.len() != count {
                problems.push(format!(
                    "{file} stream {stream}: {count} ClientHellos in the reference, {} here",
                    ours.len()
                ));
                continue;
            }
            for (n, form, value) in expected {
                let f = ours[n - 1];
                let mine = match form {
                    "JA4" => &f.ja4,
                    "JA4_r" => &f.ja4_r,
                    "JA4_o" => &f.ja4_o,
                    _ => &f.ja4_ro,
                };
                compared += 1;
                if mine == value {
                    agreed += 1;
                } else {
                    differences.insert((file.clone(), stream));
                    if !JA4_DIFFERENCES
                        .iter()
                        .any(|(f, s, ..)| *f == file && *s == stream)
                    {
                        problems.push(format!(
                            "{file} stream {stream} {form}.{n}: reference {value}, ours {mine}"
                        ));
                    }
                }
            }
            // The report's ClientHello is the connection's last one.
            let last = conn.client_hello.as_ref().expect("a ClientHello");
            assert_eq!(
                &*last.fingerprints,
                ours[count - 1],
                "{file} stream {stream}"
            );
        }
    }
    for (file, stream, _, reason) in JA4_DIFFERENCES {
        if !differences.contains(&((*file).to_string(), *stream)) {
            problems.push(format!(
                "{file} stream {stream} is listed as differing ({reason}) but agrees"
            ));
        }
    }
    eprintln!(
        "JA4: {hellos} ClientHellos, {compared} values compared, {agreed} agree, {} listed differences",
        compared - agreed
    );
    assert!(hellos >= 150, "only {hellos} ClientHellos compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Arkime sessions we do not compare, checked by hand: (capture, reason).
const ARKIME_NOT_COMPARED: &[(&str, &str)] = &[
    (
        "cloudshark-dtls1.pcap",
        "DTLS over UDP (Arkime's JA4 starts with `d`): this tool analyses TLS over TCP only",
    ),
    (
        "wireshark-dtls0.pcap",
        "DTLS over UDP: this tool analyses TLS over TCP only",
    ),
    (
        "wireshark-dtls12.pcap",
        "DTLS over UDP: this tool analyses TLS over TCP only",
    ),
];

/// Arkime records the first ClientHello and the first ServerHello of a session.
#[test]
fn ja3_ja3s_and_ja4_agree_with_arkime() {
    let Some(shared) = shared_corpus() else {
        return;
    };
    let (mut sessions, mut compared, mut problems) = (0, 0, Vec::new());
    let mut skipped = BTreeSet::new();
    for expectation in files_ending(&shared.join("arkime"), ".arkime.test") {
        let capture = PathBuf::from(
            expectation
                .to_string_lossy()
                .trim_end_matches(".arkime.test")
                .to_string(),
        );
        let file = name(&capture);
        let text = std::fs::read_to_string(&expectation).expect("expectation");
        let json: Value = serde_json::from_str(&text).expect("Arkime test JSON");
        let Some(list) = json["sessions3"].as_array() else {
            continue;
        };
        let report = diagnose(&capture);
        let conns = by_tuple(&report);
        for session in list {
            let body = &session["body"];
            let tls = &body["tls"];
            let fields = ["ja3", "ja3string", "ja3s", "ja3sstring", "ja4", "ja4_r"];
            if !fields.iter().any(|f| tls.get(f).is_some()) {
                continue;
            }
            let ip = |side: &str| {
                body[side]["ip"]
                    .as_str()
                    .expect("ip")
                    .parse::<IpAddr>()
                    .expect("ip")
            };
            let port = |side: &str| body[side]["port"].as_u64().expect("port") as u16;
            let key = (
                ip("source"),
                port("source"),
                ip("destination"),
                port("destination"),
            );
            let Some(conn) = conns.get(&key).and_then(|l| l.first()) else {
                if ARKIME_NOT_COMPARED.iter().any(|(f, _)| *f == file) {
                    skipped.insert(file.clone());
                } else {
                    problems.push(format!("{file}: no TCP connection {key:?}"));
                }
                continue;
            };
            sessions += 1;
            let first = client_hellos(conn).first().copied();
            let server = conn.server_hello.as_ref().map(|s| &*s.fingerprints);
            for field in fields {
                let Some(expected) = tls.get(field) else {
                    continue;
                };
                let mine = match field {
                    "ja3" => first.map(|f| f.ja3.as_str()),
                    "ja3string" => first.map(|f| f.ja3_string.as_str()),
                    "ja4" => first.map(|f| f.ja4.as_str()),
                    "ja4_r" => first.map(|f| f.ja4_r.as_str()),
                    "ja3s" => server.map(|s| s.ja3s.as_str()),
                    _ => server.map(|s| s.ja3s_string.as_str()),
                };
                compared += 1;
                let expected: Vec<&str> = expected
                    .as_array()
                    .expect("a list")
                    .iter()
                    .map(|v| v.as_str().expect("a string"))
                    .collect();
                if expected != mine.into_iter().collect::<Vec<_>>() {
                    problems.push(format!(
                        "{file} {key:?} {field}: Arkime {expected:?}, ours {mine:?}"
                    ));
                }
            }
        }
    }
    for (file, reason) in ARKIME_NOT_COMPARED {
        if !skipped.contains(*file) {
            problems.push(format!(
                "{file} is listed as not compared ({reason}) but was"
            ));
        }
    }
    eprintln!("Arkime: {sessions} sessions, {compared} values compared");
    assert!(sessions >= 15 && compared >= 90, "{sessions} sessions");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One `filter` of a suricata-verify test: how many `tls` events match these fields.
#[derive(Debug, Default)]
struct Filter {
    count: Option<usize>,
    fields: BTreeMap<String, String>,
}

/// The filters of a suricata-verify `test.yaml` that name a TLS fingerprint, read line by line
/// (the files are plain: `- filter:`, `count: N`, `match:` and `key: value` lines).
fn suricata_filters(yaml: &str) -> Vec<Filter> {
    let mut out: Vec<Filter> = Vec::new();
    for line in yaml.lines() {
        let line = line.trim();
        if line.starts_with("- filter:") {
            out.push(Filter::default());
            continue;
        }
        let (Some(filter), Some((key, value))) = (out.last_mut(), line.split_once(": ")) else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        if key == "count" {
            filter.count = value.parse().ok();
        } else if key.starts_with("tls.") || key == "event_type" {
            filter.fields.insert(key.to_string(), value);
        }
    }
    out.retain(|f| {
        f.fields.get("event_type").map(String::as_str) == Some("tls")
            && f.fields.keys().any(|k| k.starts_with("tls.ja"))
    });
    out
}

/// Suricata logs one `tls` event per connection, with the first ClientHello's fingerprints.
#[test]
fn ja3_and_ja4_agree_with_suricata() {
    let Some(shared) = shared_corpus() else {
        return;
    };
    let (mut checks, mut problems) = (0, Vec::new());
    for test in files_ending(&shared.join("suricata-verify"), ".test.yaml") {
        let filters = suricata_filters(&std::fs::read_to_string(&test).expect("test"));
        if filters.is_empty() {
            continue;
        }
        let capture = PathBuf::from(
            test.to_string_lossy()
                .trim_end_matches(".test.yaml")
                .to_string(),
        );
        let file = name(&capture);
        let report = diagnose(&capture);
        for filter in filters {
            checks += 1;
            let matching = report
                .connections
                .iter()
                .filter(|c| {
                    let Some(first) = client_hellos(c).first().copied() else {
                        return false;
                    };
                    filter.fields.iter().all(|(key, value)| match key.as_str() {
                        "tls.ja3.hash" => first.ja3 == *value,
                        "tls.ja3.string" => first.ja3_string == *value,
                        "tls.ja4" => first.ja4 == *value,
                        "tls.sni" => c.sni.as_deref() == Some(value),
                        // The version as Suricata names it, and the event type.
                        _ => true,
                    })
                })
                .count();
            let expected = filter.count.unwrap_or(1);
            if matching != expected {
                problems.push(format!(
                    "{file}: {} connections with {:?}, Suricata {expected}",
                    matching, filter.fields
                ));
            }
        }
    }
    eprintln!("Suricata: {checks} fingerprint filters checked");
    assert!(checks >= 10, "only {checks} filters");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The client stack of the captures whose client pcaps/README.md names, on every connection
/// with a ClientHello (and `null` where there is none).
#[test]
fn client_stack_of_the_stack_captures() {
    let expected: &[(&str, Option<&str>)] = &[
        ("tls12-mtls-go-client-cert-not-in-ca-list.pcap", Some("go")),
        ("tls13-mtls-go-client-cert-not-in-ca-list.pcap", Some("go")),
        ("tls12-server-cert-untrusted-go-client.pcap", Some("go")),
        ("tls13-mtls-ok-go.pcap", Some("go")),
        (
            "tls12-server-cert-self-signed-node-client.pcap",
            Some("nodejs"),
        ),
        ("tls12-mtls-ok-node.pcap", Some("nodejs")),
        // Node.js in TLS 1.3 only offers what OpenSSL (inside it) offers with -tls1_3: the
        // ClientHello is the same as s_client's (same JA4 as tls13-mtls-ok.pcap), so it reads
        // as OpenSSL, which it is.
        (
            "tls13-server-cert-self-signed-node-client.pcap",
            Some("openssl"),
        ),
        (
            "tls12-mtls-java-client-cert-not-in-ca-list.pcap",
            Some("java"),
        ),
        (
            "tls13-mtls-java-client-cert-not-in-ca-list.pcap",
            Some("java"),
        ),
        (
            "tls12-server-cert-not-yet-valid-java-client.pcap",
            Some("java"),
        ),
        (
            "tls12-server-cert-hostname-mismatch-curl.pcap",
            Some("openssl"),
        ),
        (
            "tls12-server-cert-hostname-mismatch-python-client.pcap",
            Some("openssl"),
        ),
        (
            "tls12-mtls-missing-client-cert-openssl.pcap",
            Some("openssl"),
        ),
        ("tls13-mtls-missing-client-cert.pcap", Some("openssl")),
        (
            "tls12-server-cert-expired-gnutls-client.pcap",
            Some("gnutls"),
        ),
        ("tls-syn-unanswered-curl.pcap", None),
        ("plain-http-only.pcap", None),
    ];
    for (file, stack) in expected {
        let report = diagnose(&repo_root().join("pcaps").join(file));
        assert!(!report.connections.is_empty(), "{file}");
        for c in &report.connections {
            let got = c.client_stack.as_ref();
            assert_eq!(got.map(|s| s.stack), *stack, "{file} connection {}", c.id);
            if let Some(s) = got {
                assert!(
                    c.client_hello.is_some(),
                    "{file}: a stack without a ClientHello"
                );
                assert!(!s.basis.is_empty() && !s.name.is_empty(), "{file}");
                assert_eq!(
                    serde_json::to_value(s).expect("JSON")["confidence"],
                    "likely",
                    "{file}"
                );
            }
        }
    }
}

/// Windows' SChannel on a real capture: FoxIO's `latest.pcapng` was taken on a Windows 10 host
/// (its packets have Windows' initial TTL of 128, and its HTTP requests say "Windows NT 10.0").
/// Its browser connections have GREASE; the ClientHello to discovery.cem.cloud.us has none, no
/// encrypt_then_mac, and Windows 10's default suites and groups (its JA4 is the one FoxIO's
/// ja4plus-mapping.csv lists for WinINET on Windows 10/11).
#[test]
fn schannel_on_a_windows_capture() {
    let Some(shared) = shared_corpus() else {
        return;
    };
    let report = diagnose(&shared.join("ja4/latest.pcapng"));
    let mut seen = 0;
    for c in report
        .connections
        .iter()
        .filter(|c| c.client_hello.is_some())
    {
        let stack = c.client_stack.as_ref().map(|s| s.stack);
        if c.sni.as_deref() == Some("discovery.cem.cloud.us") {
            assert_eq!(stack, Some("schannel"), "connection {}", c.id);
            assert_eq!(
                c.client_hello
                    .as_ref()
                    .expect("ClientHello")
                    .fingerprints
                    .ja4,
                "t12d190800_d83cc789557e_7af1ed941c26"
            );
        } else {
            assert_eq!(stack, Some("browser"), "connection {}", c.id);
        }
        seen += 1;
    }
    assert_eq!(seen, 5);
}
