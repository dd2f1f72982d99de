//! What users share: a redacted report (`--redact`, every format), the Markdown report for a
//! ticket, exported certificates (`--export-certs`) and the frames of chosen connections
//! (`--write-pcap`), checked on the real binary over the captures in pcaps/.

mod util;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{all_captures, keylog_args, pcap, resolve, root, run};

/// The JSON report of a capture (with its key log, if it has one), and extra arguments, its
/// references resolved.
fn json(path: &Path, extra: &[&str]) -> Value {
    resolve(document(path, extra))
}

/// The JSON document as written.
fn document(path: &Path, extra: &[&str]) -> Value {
    let mut args: Vec<OsString> = extra.iter().map(OsString::from).collect();
    args.extend(["--format".into(), "json".into(), path.into()]);
    args.extend(keylog_args(path));
    let run = run(&args, None);
    assert!(
        matches!(run.output.status.code(), Some(0 | 1)),
        "{}: {}",
        path.display(),
        run.stderr()
    );
    serde_json::from_str(&run.stdout()).expect("JSON")
}

/// A directory of its own under the build's temporary directory, empty.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// What a redacted output must not show of this report: addresses, host names, the SNI,
/// certificate names (subjects, issuers and their common names, subjectAltNames, the
/// CertificateRequest's CAs), serials and fingerprints.
fn sensitive(report: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let name = |dn: &str, out: &mut BTreeSet<String>| {
        out.insert(dn.to_string());
        for cn in dn.split(", ").filter_map(|rdn| rdn.strip_prefix("CN=")) {
            out.insert(cn.to_string());
        }
    };
    for c in report["connections"].as_array().expect("connections") {
        for side in ["client", "server"] {
            out.insert(c[side]["ip"].as_str().expect("ip").to_string());
        }
        for sni in [&c["sni"], &c["client_hello"]["sni"]] {
            if let Some(sni) = sni.as_str() {
                out.insert(sni.to_string());
            }
        }
        for ca in strings(&c["certificate_request"]["certificate_authorities"]) {
            name(ca, &mut out);
        }
        for chain in ["server_certificates", "client_certificates"] {
            for cert in c[chain].as_array().into_iter().flatten() {
                if let Some(subject) = cert["subject"].as_str() {
                    name(subject, &mut out);
                    name(cert["issuer"].as_str().expect("issuer"), &mut out);
                    out.insert(cert["serial"].as_str().expect("serial").to_string());
                    out.insert(cert["sha256"].as_str().expect("sha256").to_string());
                    for san in strings(&cert["subject_alt_names"]) {
                        let value = san.split_once(':').map_or(san, |(_, v)| v);
                        out.insert(value.trim_start_matches("*.").to_string());
                    }
                }
            }
        }
    }
    out.remove("");
    out
}

/// Where `needle` stands on its own in `haystack`: not inside a longer name, number or
/// address (`1001` in `10010`, `host` in `myhost`).
fn stands_alone(haystack: &str, needle: &str) -> Option<usize> {
    let part = |b: u8| b.is_ascii_alphanumeric() || b"-_.:".contains(&b);
    let bytes = haystack.as_bytes();
    haystack
        .match_indices(needle)
        .map(|(at, _)| at)
        .find(|&at| {
            let end = at + needle.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            // A sentence's final dot, or a name before one, still counts.
            let after = bytes.get(end).copied();
            let after_joined = after.is_some_and(|b| {
                part(b) && (b != b'.' || bytes.get(end + 1).copied().is_some_and(part))
            });
            !before.is_some_and(part) && !after_joined
        })
}

/// Code, severity, confidence and frames of every finding, per connection and of the capture.
fn findings(report: &Value) -> Vec<Vec<(String, String, String, String)>> {
    let of = |list: &Value| -> Vec<(String, String, String, String)> {
        list.as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    f["code"].to_string(),
                    f["severity"].to_string(),
                    f["confidence"].to_string(),
                    f["frames"].to_string(),
                )
            })
            .collect()
    };
    let mut out: Vec<_> = report["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .map(|c| of(&c["findings"]))
        .collect();
    out.push(of(&report["findings"]));
    out
}

#[test]
fn a_redacted_report_names_nothing_of_the_capture_and_finds_the_same() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let files = all_captures();
    assert!(files.len() >= 25);
    let mut checked_values = 0;
    for path in &files {
        let plain = json(path, &[]);
        let secret = sensitive(&plain);
        // Short numbers (a serial such as `1001`) are no names: they would match ports and
        // frame numbers. They must still leave their own fields, checked below.
        let words: Vec<&String> = secret
            .iter()
            .filter(|s| s.len() >= 6 || s.bytes().any(|b| !b.is_ascii_hexdigit()))
            .collect();
        checked_values += words.len();
        assert!(
            validator.is_valid(&document(path, &["--redact"])),
            "{}: the redacted JSON breaks the schema",
            path.display()
        );
        let redacted = json(path, &["--redact"]);
        assert_eq!(
            findings(&redacted),
            findings(&plain),
            "{}: redaction changed the findings",
            path.display()
        );
        for field in ["outcome", "tls_version", "cipher_suite", "resumed"] {
            let pick = |r: &Value| -> Vec<String> {
                r["connections"]
                    .as_array()
                    .expect("connections")
                    .iter()
                    .map(|c| c[field].to_string())
                    .collect()
            };
            assert_eq!(pick(&redacted), pick(&plain), "{}: {field}", path.display());
        }
        let still = sensitive(&redacted);
        let left: Vec<&String> = secret.intersection(&still).collect();
        assert!(left.is_empty(), "{}: fields keep {left:?}", path.display());
        for format in [
            &["--format", "json"][..],
            &["--format", "jsonl", "--all"],
            &["--all"],
            &["--format", "markdown", "--all"],
        ] {
            let mut args: Vec<OsString> = format.iter().map(OsString::from).collect();
            args.extend(["--redact".into(), path.into()]);
            args.extend(keylog_args(path));
            let out = run(&args, None).stdout();
            assert!(!out.is_empty(), "{}: {format:?}", path.display());
            for word in &words {
                if let Some(at) = stands_alone(&out, word) {
                    panic!(
                        "{} {format:?}: {word:?} is still in the output: …{}…",
                        path.display(),
                        &out[at.saturating_sub(80)..(at + word.len() + 40).min(out.len())]
                    );
                }
            }
        }
    }
    assert!(checked_values > 500, "only {checked_values} values checked");
}

#[test]
fn pseudonyms_keep_who_issued_what_and_which_name_matched() {
    let r = json(
        &pcap("tls12-mtls-missing-client-cert-openssl.pcap"),
        &["--redact"],
    );
    let c = &r["connections"][0];
    assert_eq!(c["client"]["ip"], "client-1");
    assert_eq!(c["sni"], "host-1");
    let chain = c["server_certificates"].as_array().expect("chain");
    // The leaf's issuer is the next certificate's subject, under the same pseudonym.
    assert_eq!(chain[0]["issuer"], chain[1]["subject"]);
    assert!(
        chain[1]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("CA-"))
    );
    // The SNI matched the certificate's DNS name: both are host-1.
    assert!(strings(&chain[0]["subject_alt_names"]).any(|s| s == "DNS:host-1"));
    // The CertificateRequest accepts the CA at the top of the server's chain: its issuer.
    assert_eq!(
        c["certificate_request"]["certificate_authorities"][0],
        chain[1]["issuer"]
    );
    // Validity, key types and the suite are kept.
    assert_eq!(chain[0]["public_key"], "RSA 2048");
    assert!(
        chain[0]["not_after"]
            .as_str()
            .is_some_and(|t| t.starts_with("20"))
    );
    assert_eq!(c["cipher_suite"], "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
}

#[test]
fn the_markdown_report_is_as_reviewed() {
    for (name, redact) in [
        ("tls12-mtls-missing-client-cert-openssl.pcap", true),
        ("tls13-mtls-java-client-no-keystore.pcap", false),
        ("tls12-interleaved-connections.pcap", false),
    ] {
        let mut args = vec!["--format", "markdown"];
        if redact {
            args.push("--redact");
        }
        let path = pcap(name);
        let mut args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
        args.push(path.into());
        let run = run(&args, None);
        run.assert_code(1);
        insta::with_settings!({ snapshot_path => "snapshots/markdown", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, run.stdout());
        });
    }
}

/// Every certificate of a report's chains, by fingerprint.
fn fingerprints(report: &Value) -> BTreeSet<String> {
    report["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .flat_map(|c| {
            ["server_certificates", "client_certificates"]
                .into_iter()
                .flat_map(|k| c[k].as_array().cloned().unwrap_or_default())
        })
        .filter_map(|cert| cert["sha256"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn exported_certificates_are_pem_that_openssl_reads_with_the_reported_fingerprints() {
    let mut exported = 0;
    for name in [
        "tls12-mtls-missing-client-cert-openssl.pcap",
        "tls12-interleaved-connections.pcap",
        "tls12-client-cert-expired.pcap",
        "tls13-mtls-missing-client-cert-keylog.pcap",
        "tls12-session-resumption.pcap",
    ] {
        let path = pcap(name);
        let dir = scratch(&format!("certs-{name}"));
        let report = json(&path, &["--export-certs", dir.to_str().expect("utf-8")]);
        let expected = fingerprints(&report);
        assert!(!expected.is_empty(), "{name}: no certificate to export");
        let index = std::fs::read_to_string(dir.join("index.tsv")).expect("index.tsv");
        let mut lines = index.lines();
        assert!(
            lines
                .next()
                .is_some_and(|h| h.starts_with("file\tsha256\tsubject"))
        );
        let mut seen = BTreeSet::new();
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            let (file, sha256) = (cells[0], cells[1]);
            let out = std::process::Command::new("openssl")
                .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
                .arg(dir.join(file))
                .output()
                .expect("openssl x509");
            assert!(
                out.status.success(),
                "{name}: {file} is not read by openssl"
            );
            let openssl = String::from_utf8_lossy(&out.stdout)
                .trim()
                .rsplit('=')
                .next()
                .unwrap_or_default()
                .replace(':', "")
                .to_lowercase();
            assert_eq!(openssl, sha256, "{name}: {file}");
            assert!(seen.insert(sha256.to_string()), "{name}: {sha256} twice");
            exported += 1;
        }
        assert_eq!(seen, expected, "{name}");
        let pem_files = std::fs::read_dir(&dir)
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pem"))
            })
            .count();
        assert_eq!(
            pem_files,
            expected.len(),
            "{name}: one file per certificate"
        );
    }
    assert!(exported >= 10, "{exported}");
}

/// Finding codes and severities per connection, in the order of the connections.
fn codes(report: &Value) -> Vec<Vec<String>> {
    report["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .map(|c| {
            c["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| format!("{} {}", f["code"], f["severity"]))
                .collect()
        })
        .collect()
}

#[test]
fn a_written_pcapng_gives_the_same_findings_for_its_connections() {
    let dir = scratch("write-pcap");
    let mut compared = 0;
    for path in all_captures() {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let out = dir.join(format!("{name}.pcapng"));
        let original = json(&path, &["--write-pcap", out.to_str().expect("utf-8")]);
        if original["capture"]["decryption_secrets_blocks"] != 0 {
            // Its embedded key log is not copied (it holds every session's secrets): what
            // it decrypted stays encrypted in the written file.
            continue;
        }
        let again = json(&out, &[]);
        let keys = keylog_args(&path);
        let again = if keys.is_empty() {
            again
        } else {
            // The key log goes with the capture it was written for.
            let mut args: Vec<OsString> = vec!["--format".into(), "json".into(), out.into()];
            args.extend(keys);
            serde_json::from_str(&run(&args, None).stdout()).expect("JSON")
        };
        assert_eq!(
            codes(&again),
            codes(&original),
            "{name}: the written frames are diagnosed differently"
        );
        compared += codes(&original).len();
    }
    assert!(compared > 100, "{compared}");

    // Only the failed ones: the headline capture's failed connection, alone.
    let path = pcap("tls12-interleaved-connections.pcap");
    let out = dir.join("failed.pcapng");
    let run = run(
        &[
            OsString::from("--failed"),
            "--write-pcap".into(),
            out.clone().into(),
            path.clone().into(),
        ],
        None,
    );
    assert!(
        run.stderr().contains("wrote 12 frames of 1 connection to")
            && run.stderr().contains("not redacted"),
        "{}",
        run.stderr()
    );
    let original = json(&path, &[]);
    let failed: Vec<Vec<String>> = codes(&original)
        .into_iter()
        .zip(original["connections"].as_array().expect("connections"))
        .filter(|(_, c)| c["outcome"] == "failed")
        .map(|(codes, _)| codes)
        .collect();
    assert_eq!(codes(&json(&out, &[])), failed);
}

#[test]
fn write_pcap_needs_one_capture_file() {
    let a = pcap("tls12-mtls-ok.pcap");
    let run = run(
        &[
            OsString::from("--write-pcap"),
            scratch("two").join("x.pcapng").into(),
            a.clone().into(),
            a.into(),
        ],
        None,
    );
    run.assert_code(2);
    assert!(
        run.stderr().contains("exactly one capture file"),
        "{}",
        run.stderr()
    );
}

#[test]
fn what_the_user_supplied_is_redacted_too() {
    let unrelated = root().join("pcaps/certs/client-unrelated.pem");
    let ca = root().join("pcaps/certs/root.pem");
    let capture = pcap("tls12-mtls-java-client-cert-not-in-ca-list.pcap");
    let args = |redact: bool| {
        let mut args: Vec<OsString> = vec![
            "--client-cert".into(),
            unrelated.clone().into(),
            "--ca".into(),
            ca.clone().into(),
        ];
        if redact {
            args.push("--redact".into());
        }
        args.push(capture.clone().into());
        args
    };
    let plain = run(&args(false), None).stdout();
    let mut json_args = args(false);
    json_args.splice(0..0, ["--format".into(), "json".into()]);
    let report: Value = serde_json::from_str(&run(&json_args, None).stdout()).expect("JSON");
    let supplied = &report["supplied_client_certificates"][0];
    let names = [
        supplied["subject"].as_str().expect("subject"),
        supplied["issuer"].as_str().expect("issuer"),
        report["trust_store"][0].as_str().expect("trust store"),
    ];
    for name in names {
        assert!(plain.contains(name), "{name} is not in the plain output");
    }
    for format in ["text", "json", "jsonl", "markdown"] {
        let mut redacted_args = args(true);
        redacted_args.splice(0..0, ["--format".into(), format.into()]);
        let redacted = run(&redacted_args, None).stdout();
        for name in names {
            assert!(
                stands_alone(&redacted, name).is_none(),
                "{format}: {name} is in the redacted output"
            );
        }
    }
}
