//! The core's view of every capture, compared with tshark's (committed oracle files).
//!
//! - `pcaps/oracle/<file>.conv.txt` for the project's own captures (always present);
//! - `../shared/captures/oracle/<source>/<file>.conv.txt` for the public corpus, when it sits
//!   beside the repository (a user's clone may not have it: then those checks say so and pass).
//!
//! What is compared, per TCP connection (as `tshark -q -z conv,tcp` lists them): the two
//! endpoints, frames and bytes in each direction, and the start relative to the first frame.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pcap_tls_diagnose_core::report::Report;

/// One row of `tshark -z conv,tcp`.
#[derive(Clone, Debug, PartialEq)]
struct Conversation {
    a: String,
    b: String,
    /// Frames and bytes from B to A, then from A to B.
    frames_ba: u64,
    bytes_ba: Bytes,
    frames_ab: u64,
    bytes_ab: Bytes,
    /// Relative start, in microseconds.
    start_us: i64,
}

/// tshark prints byte counts of 10 000 and more in SI units, truncated.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bytes {
    Exact(u64),
    Kilo(u64),
    Mega(u64),
}

impl Bytes {
    fn matches(self, n: u64) -> bool {
        match self {
            Self::Exact(b) => b == n,
            Self::Kilo(k) => n / 1000 == k || (n + 500) / 1000 == k,
            Self::Mega(m) => n / 1_000_000 == m || (n + 500_000) / 1_000_000 == m,
        }
    }
}

fn parse_bytes(value: &str, unit: &str) -> Bytes {
    let n: u64 = value.parse().expect("byte count");
    match unit {
        "bytes" => Bytes::Exact(n),
        "kB" => Bytes::Kilo(n),
        "MB" => Bytes::Mega(n),
        other => panic!("unknown unit {other}"),
    }
}

fn parse_conv(text: &str) -> Vec<Conversation> {
    text.lines()
        .filter(|l| l.contains("<->"))
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 14, "unexpected conv line: {line}");
            let secs: f64 = f[12].parse().expect("relative start");
            Conversation {
                a: f[0].to_string(),
                b: f[2].to_string(),
                frames_ba: f[3].parse().expect("frames"),
                bytes_ba: parse_bytes(f[4], f[5]),
                frames_ab: f[6].parse().expect("frames"),
                bytes_ab: parse_bytes(f[7], f[8]),
                start_us: (secs * 1e6).round() as i64,
            }
        })
        .collect()
}

/// tshark's notation of an endpoint: `1.2.3.4:443`, or `fe80::1:443` for IPv6 (no brackets).
fn tshark_endpoint(e: &pcap_tls_diagnose_core::flow::Endpoint) -> String {
    format!("{}:{}", e.ip, e.port)
}

/// One of our connections, as the comparison needs it.
struct Ours {
    id: u32,
    client_frames: u64,
    client_bytes: u64,
    server_frames: u64,
    server_bytes: u64,
    start_us: i64,
}

/// Compares the report's connections with tshark's; returns the differences.
fn compare(report: &Report, expected: &[Conversation]) -> Vec<String> {
    let origin = report
        .capture
        .first_timestamp
        .map_or(0, pcap_tls_diagnose_core::capture::Timestamp::nanos);
    let mut ours: BTreeMap<(String, String), Vec<Ours>> = BTreeMap::new();
    for c in &report.connections {
        let key = (tshark_endpoint(&c.client), tshark_endpoint(&c.server));
        let start_us = c
            .start_timestamp
            .map_or(0, |t| (t.nanos() - origin + 500).div_euclid(1000));
        ours.entry(key).or_default().push(Ours {
            id: c.id,
            client_frames: c.client_to_server.frames,
            client_bytes: c.client_to_server.bytes,
            server_frames: c.server_to_client.frames,
            server_bytes: c.server_to_client.bytes,
            start_us,
        });
    }
    let mut problems = Vec::new();
    for exp in expected {
        // Find our connection between the same endpoints, either way round, starting at the
        // same time (port reuse gives several).
        let forward = (exp.a.clone(), exp.b.clone());
        let backward = (exp.b.clone(), exp.a.clone());
        let found =
            [(&forward, true), (&backward, false)]
                .into_iter()
                .find_map(|(key, a_is_client)| {
                    let list = ours.get_mut(key)?;
                    let pos = list
                        .iter()
                        .position(|c| (c.start_us - exp.start_us).abs() <= 1)?;
                    Some((list.remove(pos), a_is_client))
                });
        let Some((c, a_is_client)) = found else {
            problems.push(format!(
                "missing: {} <-> {} at +{} µs",
                exp.a, exp.b, exp.start_us
            ));
            continue;
        };
        let (ab_frames, ab_bytes, ba_frames, ba_bytes) = if a_is_client {
            (
                c.client_frames,
                c.client_bytes,
                c.server_frames,
                c.server_bytes,
            )
        } else {
            (
                c.server_frames,
                c.server_bytes,
                c.client_frames,
                c.client_bytes,
            )
        };
        if ab_frames != exp.frames_ab
            || ba_frames != exp.frames_ba
            || !exp.bytes_ab.matches(ab_bytes)
            || !exp.bytes_ba.matches(ba_bytes)
        {
            problems.push(format!(
                "connection {} {} <-> {}: ours A→B {ab_frames} frames {ab_bytes} bytes, \
                 B→A {ba_frames} frames {ba_bytes} bytes; tshark A→B {} {:?}, B→A {} {:?}",
                c.id, exp.a, exp.b, exp.frames_ab, exp.bytes_ab, exp.frames_ba, exp.bytes_ba
            ));
        }
    }
    for ((client, server), rest) in ours {
        for c in rest {
            problems.push(format!(
                "extra: connection {} {client} -> {server} ({} + {} frames)",
                c.id, c.client_frames, c.server_frames
            ));
        }
    }
    problems
}

fn analyse(path: &Path) -> Report {
    let bytes = std::fs::read(path).expect("read capture");
    match pcap_tls_diagnose_core::diagnose(&bytes) {
        Ok(report) => report,
        Err(failure) => failure.partial,
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Captures whose tshark view differs from ours for a reason that was checked by hand.
/// (file, reason)
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn check_corpus(captures: &Path, oracle: &Path) -> (usize, String) {
    let mut checked = 0;
    let mut report_text = String::new();
    let mut files: Vec<PathBuf> = walk(oracle)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".conv.txt"))
        .collect();
    files.sort();
    for conv in files {
        let rel = conv.strip_prefix(oracle).expect("under oracle");
        let rel_capture = rel
            .to_string_lossy()
            .trim_end_matches(".conv.txt")
            .to_string();
        let capture = captures.join(&rel_capture);
        if !capture.exists() {
            continue;
        }
        let expected = parse_conv(&std::fs::read_to_string(&conv).expect("read oracle"));
        let report = analyse(&capture);
        let problems = compare(&report, &expected);
        checked += 1;
        let known = KNOWN_DIFFERENCES.iter().find(|(f, _)| *f == rel_capture);
        match (problems.is_empty(), known) {
            (true, Some(_)) => {
                let _ = writeln!(
                    report_text,
                    "{rel_capture}: listed as a known difference but agrees now"
                );
            }
            (false, None) => {
                let _ = writeln!(report_text, "{rel_capture}:");
                for p in problems.iter().take(5) {
                    let _ = writeln!(report_text, "    {p}");
                }
                if problems.len() > 5 {
                    let _ = writeln!(report_text, "    … {} more", problems.len() - 5);
                }
            }
            (true, None) | (false, Some(_)) => {}
        }
    }
    (checked, report_text)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The tcp.stream numbers in which tshark dissected at least one TLS record.
fn tls_streams(tsv: &str) -> std::collections::BTreeSet<u32> {
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1)?.parse().ok())
        .collect()
}

#[test]
fn connections_that_start_like_tls_are_those_tshark_dissects_as_tls() {
    // In pcaps/ no connection upgrades to TLS later (no STARTTLS), so tshark's set of TLS streams
    // (with decode-as on the scenario ports) is exactly the set of connections that start like TLS.
    let root = repo_root();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("pcaps")).expect("pcaps") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !["pcap", "pcapng"].contains(&extension) {
            continue;
        }
        let tsv = std::fs::read_to_string(root.join(format!("pcaps/oracle/{name}.tsv")))
            .unwrap_or_else(|_| panic!("oracle for {name}"));
        let expected = tls_streams(&tsv);
        let report = analyse(&path);
        // tshark numbers tcp.stream from 0 in order of first appearance, as our ids from 1.
        let ours: std::collections::BTreeSet<u32> = report
            .connections
            .iter()
            .filter(|c| c.starts_like_tls)
            .map(|c| c.id - 1)
            .collect();
        assert_eq!(ours, expected, "{name}: connections that start like TLS");
        checked += 1;
    }
    assert!(checked >= 25);
}

#[test]
fn connections_agree_with_tshark_on_the_project_captures() {
    let root = repo_root();
    let (checked, problems) = check_corpus(&root.join("pcaps"), &root.join("pcaps/oracle"));
    assert!(
        checked >= 25,
        "only {checked} captures in pcaps/ have an oracle"
    );
    assert!(
        problems.is_empty(),
        "disagreements with tshark:\n{problems}"
    );
}

#[test]
fn connections_agree_with_tshark_on_the_public_corpus() {
    let shared = repo_root().join("../shared/captures");
    if !shared.join("MANIFEST.md").exists() {
        eprintln!("skipping: the public corpus ../shared/captures is not beside this clone");
        return;
    }
    let (checked, problems) = check_corpus(&shared, &shared.join("oracle"));
    assert!(checked > 250, "only {checked} corpus captures were checked");
    assert!(
        problems.is_empty(),
        "disagreements with tshark:\n{problems}"
    );
}
