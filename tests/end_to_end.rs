//! End-to-end tests of the `pcap-tls-diagnose` binary over the captures in pcaps/.

mod util;

use std::io::Read;
use std::process::{Command, Stdio};

use util::{all_captures, keylog_args, pcap, root, run};

/// Golden text output for every capture in pcaps/ (tests/snapshots/, reviewed by hand: a
/// change shows as a `.snap.new` file and fails the test). A capture with a key log beside it
/// (`<name>.keys`) is read with `--keylog`, as its user would.
#[test]
fn text_output_of_every_capture_is_as_reviewed() {
    for path in all_captures() {
        let mut args = vec![std::ffi::OsString::from("--all"), path.clone().into()];
        args.extend(keylog_args(&path));
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
        let run = run(&args, None);
        assert!(
            matches!(run.output.status.code(), Some(0 | 1)),
            "{}",
            path.display()
        );
        assert_eq!(run.stderr(), "");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        insta::with_settings!({ snapshot_path => "snapshots/text", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, run.stdout());
        });
    }
}

/// Golden JSON for a few captures that between them use every part of the report: the
/// document as it is written by default (connections without a problem short), and one with
/// `--all` (every entry in full).
#[test]
fn json_output_of_representative_captures_is_as_reviewed() {
    for (name, all) in [
        ("tls12-mtls-missing-client-cert-openssl.pcap", false),
        ("tls13-mtls-missing-client-cert.pcap", false),
        ("tls12-session-resumption.pcap", false),
        ("tls12-session-resumption.pcap", true),
        ("plain-http-to-tls-port.pcap", false),
        ("tls12-certificate-segment-deleted.pcap", false),
        ("tls12-mtls-missing-client-cert-snaplen96.pcap", false),
        ("tls13-keylog-handshake-secrets-only.pcapng", false),
    ] {
        let mut args = vec![
            std::ffi::OsString::from("--format"),
            "json".into(),
            pcap(name).into(),
        ];
        if all {
            args.push("--all".into());
        }
        let run = run(&args, None);
        assert!(matches!(run.output.status.code(), Some(0 | 1)), "{name}");
        let snapshot = if all {
            format!("{name}+all")
        } else {
            name.to_string()
        };
        insta::with_settings!({ snapshot_path => "snapshots/json", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(snapshot, run.stdout());
        });
    }
}

#[test]
fn plain_http_is_not_taken_for_tls() {
    let run = run(&[pcap("plain-http-to-tls-port.pcap")], None);
    run.assert_code(1);
    let out = run.stdout();
    assert!(out.contains("1 TCP connection, 0 with TLS"), "{out}");
    assert!(out.contains("  not TLS\n"), "{out}");
    assert!(
        out.contains("starts with text \"GET / HTTP/1.1\\r\\n\" (frame 4)"),
        "{out}"
    );
}

#[test]
fn several_captures_are_headed_by_their_names() {
    let a = pcap("tls12-mtls-ok.pcap");
    let b = pcap("tls12-interleaved-connections.pcap");
    let run = run(
        &[std::ffi::OsStr::new("--all"), a.as_os_str(), b.as_os_str()],
        None,
    );
    // Connection 2 of the second capture fails: an error finding.
    run.assert_code(1);
    let out = run.stdout();
    assert!(out.starts_with(&format!("== {}\n", a.display())), "{out}");
    assert!(out.contains(&format!("\n== {}\n", b.display())), "{out}");
    assert!(
        out.contains("3 TCP connections, 3 with TLS: 2 established, 1 failed"),
        "{out}"
    );
}

/// A directory is read as its capture files, by name; several files are analysed at once
/// (`--jobs`), and the output is the same as one after another, in argument order. A
/// directory with no capture in it, and a file that cannot be opened, are exit 2 after the
/// others were analysed.
#[test]
fn a_directory_is_read_file_by_file_in_parallel_in_order() {
    let dir = root().join("pcaps");
    let one_by_one = run(
        &[
            std::ffi::OsStr::new("--all"),
            "-j1".as_ref(),
            dir.as_os_str(),
        ],
        None,
    );
    let parallel = run(
        &[
            std::ffi::OsStr::new("--all"),
            "-j3".as_ref(),
            dir.as_os_str(),
        ],
        None,
    );
    one_by_one.assert_code(1);
    parallel.assert_code(1);
    assert_eq!(parallel.stdout(), one_by_one.stdout());
    let files = all_captures();
    let headers: Vec<String> = parallel
        .stdout()
        .lines()
        .filter_map(|l| l.strip_prefix("== ").map(str::to_string))
        .collect();
    let expected: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(headers, expected);

    let empty =
        std::env::temp_dir().join(format!("pcap-tls-diagnose-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("dir");
    std::fs::write(empty.join("notes.txt"), "not a capture").expect("file");
    let ok = pcap("tls13-mtls-ok.pcap");
    let mixed = run(
        &[
            std::ffi::OsStr::new("--format"),
            "json".as_ref(),
            empty.as_os_str(),
            ok.as_os_str(),
            "/nonexistent/capture.pcap".as_ref(),
            ok.as_os_str(),
        ],
        None,
    );
    let _ = std::fs::remove_dir_all(&empty);
    mixed.assert_code(2);
    // The two readable files' documents, one after the other.
    assert_eq!(mixed.stdout().matches("\"schema_version\"").count(), 2);
    let err = mixed.stderr();
    assert!(err.contains("no capture files here"), "{err}");
    assert!(
        err.contains("/nonexistent/capture.pcap: cannot open the file"),
        "{err}"
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let bytes = std::fs::read(pcap("tls13-mtls-ok.pcap")).expect("capture");
    let run = run(&["-"], Some(&bytes));
    run.assert_code(0);
    assert!(
        run.stdout()
            .contains("1 TCP connection, 1 with TLS: 1 established")
    );
}

#[test]
fn a_file_that_is_not_a_capture_is_exit_2_with_a_clear_error() {
    let path = root().join("Cargo.toml");
    let run = run(&[&path], None);
    run.assert_code(2);
    assert_eq!(run.stdout(), "");
    let err = run.stderr();
    assert!(
        err.starts_with(&format!(
            "pcap-tls-diagnose: {}: not a pcap or pcapng capture (the file starts with 5b776f72",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_exit_2() {
    let run = run(&["/nonexistent/capture.pcap"], None);
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.starts_with("pcap-tls-diagnose: /nonexistent/capture.pcap: cannot open the file:"),
        "{err}"
    );
}

/// A capture cut short (tcpdump killed, a file copied while written) is analysed as far as it
/// goes; a capture-truncated finding says where it ends, and the exit code follows the findings.
/// Only input that is no capture at all is exit 2.
#[test]
fn a_capture_cut_short_is_analysed_as_far_as_it_goes() {
    let bytes =
        std::fs::read(pcap("tls12-mtls-missing-client-cert-openssl.pcap")).expect("capture");
    let cut = &bytes[..bytes.len() - 10];
    let run_text = run(&["-"], Some(cut));
    // The client-cert-missing before the cut is still an error: exit 1, not 2.
    run_text.assert_code(1);
    assert_eq!(run_text.stderr(), "");
    let out = run_text.stdout();
    assert!(out.contains("pcap, 11 frames"), "{out}");
    assert!(
        out.contains("capture-truncated  The capture file is cut short"),
        "{out}"
    );
    assert!(out.contains("The file ends inside frame 12"), "{out}");
    let json = run(
        &[
            "--format".as_ref(),
            "json".as_ref(),
            std::ffi::OsStr::new("-"),
        ],
        Some(cut),
    );
    json.assert_code(1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout()).expect("JSON");
    assert_eq!(report["capture"]["error"]["kind"], "cut_short");
    assert_eq!(report["findings"][0]["code"], "capture-truncated");
    // Bytes that are no capture at all: exit 2, and said so.
    let hi = run(&["-"], Some(b"hi\n"));
    hi.assert_code(2);
    assert!(
        hi.stderr()
            .starts_with("pcap-tls-diagnose: -: not a pcap or pcapng capture"),
        "{}",
        hi.stderr()
    );
}

#[test]
fn exit_codes_follow_the_findings() {
    // 0: no error finding; 1: at least one error finding.
    run(&[pcap("tls12-mtls-ok.pcap")], None).assert_code(0);
    run(&[pcap("tls12-mtls-optional-no-cert.pcap")], None).assert_code(0);
    run(&[pcap("tls12-mtls-missing-client-cert-openssl.pcap")], None).assert_code(1);
    run(&[pcap("tls13-mtls-missing-client-cert.pcap")], None).assert_code(1);
    // A filter that leaves only healthy connections: 0.
    let interleaved = pcap("tls12-interleaved-connections.pcap");
    let ok = run(
        &[
            std::ffi::OsStr::new("--connection"),
            "1".as_ref(),
            interleaved.as_os_str(),
        ],
        None,
    );
    ok.assert_code(0);
    let failed = run(
        &[
            std::ffi::OsStr::new("--connection"),
            "2".as_ref(),
            interleaved.as_os_str(),
        ],
        None,
    );
    failed.assert_code(1);
    assert!(failed.stdout().contains("connection 2 "));
    assert!(!failed.stdout().contains("connection 1 "));
}

#[test]
fn problems_are_shown_and_healthy_connections_only_with_all() {
    let interleaved = pcap("tls12-interleaved-connections.pcap");
    let default = run(&[&interleaved], None);
    let out = default.stdout();
    assert!(out.contains("problems: client-cert-missing ×1"), "{out}");
    assert!(
        out.contains("connection 2 ") && !out.contains("connection 1 "),
        "{out}"
    );
    assert!(
        out.contains("2 connections without problems not shown (--all shows them)"),
        "{out}"
    );
    let all = run(
        &[std::ffi::OsStr::new("--all"), interleaved.as_os_str()],
        None,
    )
    .stdout();
    assert!(
        all.contains("connection 1 ") && all.contains("handshake-ok"),
        "{all}"
    );
    // Filters by port, host and SNI.
    let by_port = run(
        &[
            std::ffi::OsStr::new("--port"),
            "38028".as_ref(),
            interleaved.as_os_str(),
        ],
        None,
    );
    assert!(
        by_port
            .stdout()
            .contains("1 TCP connection (of 3 in the capture, by the filter),"),
        "{}",
        by_port.stdout()
    );
    let by_sni = run(
        &[
            std::ffi::OsStr::new("--sni"),
            "nowhere.example".as_ref(),
            interleaved.as_os_str(),
        ],
        None,
    );
    by_sni.assert_code(0);
    // A filter that matches nothing says so, with what the capture holds.
    assert!(
        by_sni
            .stdout()
            .contains("3 TCP connections in the capture, none of them matches the filter"),
        "{}",
        by_sni.stdout()
    );
    let by_host = run(
        &[
            std::ffi::OsStr::new("--host"),
            "127.0.0.1".as_ref(),
            interleaved.as_os_str(),
        ],
        None,
    );
    assert!(
        by_host.stdout().contains("3 TCP connections"),
        "{}",
        by_host.stdout()
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let headline = pcap("tls12-mtls-missing-client-cert-openssl.pcap");
    // Piped (as here): no escape codes.
    assert!(!run(&[&headline], None).stdout().contains('\x1b'));
    let forced = run(
        &[
            std::ffi::OsStr::new("--color"),
            "always".as_ref(),
            headline.as_os_str(),
        ],
        None,
    );
    assert!(forced.stdout().contains("\x1b[31m"), "{}", forced.stdout());
}

#[test]
fn wrong_arguments_are_exit_2_and_help_is_exit_0() {
    run::<&str>(&[], None).assert_code(2);
    run(&["--no-such-flag", "x.pcap"], None).assert_code(2);
    let help = run(&["--help"], None);
    help.assert_code(0);
    assert!(help.stdout().contains("Usage: pcap-tls-diagnose"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // Enough output to fill the pipe: the same capture many times.
    let path = pcap("tls12-interleaved-connections.pcap");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pcap-tls-diagnose"))
        .args(std::iter::repeat_n(&path, 400))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read a little, then close our end.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// `--keylog <name>.keys` for a capture with a key log beside it.
#[test]
fn json_output_matches_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let files = all_captures();
    assert!(files.len() >= 25);
    for path in &files {
        let mut args = vec![
            std::ffi::OsString::from("--format"),
            "json".into(),
            path.clone().into(),
        ];
        args.extend(keylog_args(path));
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
        let run = run(&args, None);
        assert!(
            matches!(run.output.status.code(), Some(0 | 1)),
            "{}",
            path.display()
        );
        let json: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON output");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .take(3)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

#[test]
fn json_output_reads_back_the_headline_facts() {
    let run = run(
        &[
            std::ffi::OsStr::new("--format"),
            "json".as_ref(),
            pcap("tls12-mtls-missing-client-cert-openssl.pcap").as_os_str(),
        ],
        None,
    );
    run.assert_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON");
    let conn = &report["connections"][0];
    assert_eq!(report["schema_version"], 2);
    // The server's chain by reference to the document's certificates.
    assert!(conn["server_certificates"][0]["subject"].is_null());
    let whole = util::resolve(report.clone());
    let chain = &whole["connections"][0]["server_certificates"];
    assert_eq!(chain[0]["subject"], "CN=localhost");
    assert_eq!(chain[0]["signature_valid"], true);
    assert_eq!(chain[1]["issuer"], "CN=Test Root CA, O=pcap-tls-diagnose");
    assert_eq!(conn["tls_version"], "TLS 1.2");
    assert_eq!(conn["outcome"], "failed");
    assert_eq!(conn["client_certificate_requested"], true);
    assert_eq!(conn["client_certificates"], serde_json::json!([]));
    assert_eq!(
        conn["certificate_request"]["certificate_authorities"],
        serde_json::json!(["CN=Test Root CA, O=pcap-tls-diagnose"])
    );
    let alert = &conn["alerts"][0];
    assert_eq!(
        (
            alert["frame"].as_u64(),
            alert["from"].as_str(),
            alert["code"].as_u64()
        ),
        (Some(9), Some("server"), Some(40))
    );
    let empty = conn["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["type"] == "certificate" && m["from"] == "client")
        .expect("the client's Certificate");
    assert_eq!(
        (
            empty["frame"].as_u64(),
            empty["certificates_length"].as_u64()
        ),
        (Some(8), Some(0))
    );
}

/// `--client-cert`: golden text for the user's own certificate judged against the request, and
/// its JSON (with the supplied chain) valid against the schema.
#[test]
fn a_supplied_client_certificate_is_judged_against_the_request() {
    for (capture, certificate) in [
        (
            "tls12-mtls-java-client-cert-not-in-ca-list.pcap",
            "client-unrelated.pem",
        ),
        (
            "tls12-mtls-missing-client-cert-openssl.pcap",
            "client-chain.pem",
        ),
        (
            "tls12-client-cert-type-mismatch.pcap",
            "client-ec-chain.pem",
        ),
        ("tls12-client-cert-unknown-ca.pcap", "client-chain.pem"),
    ] {
        let cert = root().join("pcaps/certs").join(certificate);
        let run = with_file("--client-cert", &cert, capture);
        run.assert_code(1);
        assert_eq!(run.stderr(), "");
        insta::with_settings!({ snapshot_path => "snapshots/client-cert", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{capture}+{certificate}"), run.stdout());
        });
    }

    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/report.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let cert = root().join("pcaps/certs/client-chain.pem");
    let run = run(
        &[
            std::ffi::OsStr::new("--format"),
            "json".as_ref(),
            "--client-cert".as_ref(),
            cert.as_os_str(),
            pcap("tls12-mtls-missing-client-cert-openssl.pcap").as_os_str(),
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON output");
    assert!(validator.is_valid(&json), "{json}");
    let supplied = json["supplied_client_certificates"]
        .as_array()
        .expect("supplied chain");
    assert_eq!(supplied.len(), 2);
    assert_eq!(
        supplied[0]["subject"],
        "CN=client.partner.example, O=Partner Inc"
    );
}

#[test]
fn a_client_cert_file_that_is_no_certificate_is_exit_2() {
    let key = root().join("pcaps/certs/missing.pem");
    let run = with_file("--client-cert", &key, "tls12-mtls-ok.pcap");
    run.assert_code(2);
    assert!(
        run.stderr().contains("missing.pem: cannot read the file"),
        "{}",
        run.stderr()
    );
    let readme = root().join("pcaps/README.md");
    let run = with_file("--client-cert", &readme, "tls12-mtls-ok.pcap");
    run.assert_code(2);
    assert_eq!(run.stdout(), "");
    assert_eq!(
        run.stderr(),
        format!(
            "pcap-tls-diagnose: {}: neither a PEM file with a certificate nor a DER certificate\n",
            readme.display()
        )
    );
}

/// The CLI on a capture of pcaps/ with an option that names a file (`--client-cert`, `--ca`).
fn with_file(option: &str, file: &std::path::Path, capture: &str) -> util::Run {
    run(
        &[
            std::ffi::OsStr::new(option),
            file.as_os_str(),
            pcap(capture).as_os_str(),
        ],
        None,
    )
}

/// `--ca`: the header names the trust store, a broken chain is an error finding, and a file
/// without certificates is exit 2.
#[test]
fn a_trust_store_is_followed_and_named() {
    let ca = root().join("pcaps/certs/root.pem");
    let run1 = with_file("--ca", &ca, "tls12-client-cert-unknown-ca.pcap");
    run1.assert_code(1);
    let out = run1.stdout();
    assert!(
        out.contains("your trust store (--ca): CN=Test Root CA, O=pcap-tls-diagnose\n"),
        "{out}"
    );
    assert!(out.contains("✗ client-cert-untrusted-issuer"), "{out}");
    let bad = root().join("pcaps/README.md");
    let run2 = with_file("--ca", &bad, "tls12-mtls-ok.pcap");
    run2.assert_code(2);
    assert!(
        run2.stderr().contains("neither a PEM file"),
        "{}",
        run2.stderr()
    );
}

/// `--keylog`: a file in which no line holds a secret is refused (exit 2), as a certificate file
/// without certificates is; a key log decrypts the TLS 1.3 handshake.
#[test]
fn a_key_log_is_used_and_a_file_that_is_none_is_exit_2() {
    let readme = root().join("pcaps/README.md");
    let run1 = with_file(
        "--keylog",
        &readme,
        "tls13-mtls-missing-client-cert-keylog.pcap",
    );
    run1.assert_code(2);
    assert_eq!(run1.stdout(), "");
    assert_eq!(
        run1.stderr(),
        format!(
            "pcap-tls-diagnose: {}: no key log line (CLIENT_RANDOM, CLIENT_HANDSHAKE_TRAFFIC_SECRET, …) in this file\n",
            readme.display()
        )
    );
    let keys = root().join("pcaps/tls13-mtls-missing-client-cert-keylog.keys");
    let run2 = with_file(
        "--keylog",
        &keys,
        "tls13-mtls-missing-client-cert-keylog.pcap",
    );
    run2.assert_code(1);
    assert!(
        run2.stdout().contains("key log: 8 records decrypted"),
        "{}",
        run2.stdout()
    );
}

/// The lines of one capture's `--format jsonl`, by kind: each line names `file`, and a
/// certificate or a ClientHello is written once.
struct Lines {
    types: Vec<String>,
    capture: serde_json::Value,
    summary: serde_json::Value,
    certificates: serde_json::Map<String, serde_json::Value>,
    client_hellos: serde_json::Map<String, serde_json::Value>,
    connections: std::collections::BTreeMap<u64, serde_json::Value>,
}

fn read_lines(text: &str, name: &str) -> Lines {
    use serde_json::Value;
    let mut out = Lines {
        types: Vec::new(),
        capture: Value::Null,
        summary: Value::Null,
        certificates: serde_json::Map::new(),
        client_hellos: serde_json::Map::new(),
        connections: std::collections::BTreeMap::new(),
    };
    for line in text.lines() {
        let Value::Object(mut line) = serde_json::from_str::<Value>(line).expect("a JSON line")
        else {
            panic!("{name}: a line that is not an object");
        };
        assert_eq!(line.remove("file"), Some(Value::String(name.to_string())));
        let typ = line
            .remove("type")
            .and_then(|t| t.as_str().map(str::to_string))
            .expect("type");
        out.types.push(typ.clone());
        match typ.as_str() {
            "capture" => out.capture = Value::Object(line),
            "summary" => out.summary = Value::Object(line),
            "certificate" => {
                let sha = line["sha256"].as_str().expect("sha256").to_string();
                assert!(
                    out.certificates.insert(sha, Value::Object(line)).is_none(),
                    "{name}: a certificate twice"
                );
            }
            "client_hello" => {
                let id = line
                    .remove("id")
                    .and_then(|i| i.as_str().map(str::to_string))
                    .expect("id");
                assert!(
                    out.client_hellos.insert(id, Value::Object(line)).is_none(),
                    "{name}: a ClientHello twice"
                );
            }
            "connection" => {
                let id = line["id"].as_u64().expect("id");
                out.connections.insert(id, Value::Object(line));
            }
            other => panic!("{name}: a line of type {other}"),
        }
    }
    out
}

/// `--format jsonl` carries the same facts as the JSON document, on every capture in pcaps/,
/// with and without `--all`: each connection line is the document's entry, the certificate and
/// ClientHello lines are the document's tables, the summary line holds the document's capture
/// facts and findings, the first line is the capture's and the last the summary, and the exit
/// code is the same. Without `--all`, a connection without a problem has a short entry.
#[test]
fn json_lines_carry_the_same_facts_as_the_document() {
    use serde_json::Value;
    for path in all_captures() {
        for all in [false, true] {
            let mut args = vec![
                std::ffi::OsString::from("--format"),
                "json".into(),
                path.clone().into(),
            ];
            args.extend(keylog_args(&path));
            if all {
                args.push("--all".into());
            }
            let doc = run(&args, None);
            args[1] = "jsonl".into();
            let lines = run(&args, None);
            let name = path.display().to_string();
            assert_eq!(
                lines.output.status.code(),
                doc.output.status.code(),
                "{name}"
            );
            let doc: Value = serde_json::from_str(&doc.stdout()).expect("JSON");
            let lines = read_lines(&lines.stdout(), &name);
            assert_eq!(lines.types.first().map(String::as_str), Some("capture"));
            assert_eq!(lines.types.last().map(String::as_str), Some("summary"));
            assert_eq!(lines.capture["schema_version"], doc["schema_version"]);
            assert_eq!(lines.summary["capture"], doc["capture"], "{name}");
            assert_eq!(lines.summary["findings"], doc["findings"], "{name}");
            assert_eq!(
                Value::Object(lines.certificates.clone()),
                doc["certificates"],
                "{name}"
            );
            assert_eq!(
                Value::Object(lines.client_hellos.clone()),
                doc["client_hellos"],
                "{name}"
            );
            let documented = doc["connections"].as_array().expect("connections");
            assert_eq!(lines.connections.len(), documented.len(), "{name}");
            assert_eq!(
                lines.summary["connections"].as_u64(),
                Some(documented.len() as u64)
            );
            for entry in documented {
                let id = entry["id"].as_u64().expect("id");
                assert_eq!(&lines.connections[&id], entry, "{name}: connection {id}");
            }
        }
    }
    // A short entry for a connection without a problem, its certificates by reference.
    let run = run(
        &[
            std::ffi::OsStr::new("--format"),
            "json".as_ref(),
            pcap("tls12-mtls-ok.pcap").as_os_str(),
        ],
        None,
    );
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout()).expect("JSON");
    let conn = &doc["connections"][0];
    assert_eq!(conn["findings"][0]["code"], "handshake-ok");
    assert!(
        conn.get("messages").is_none() && conn["findings"][0].get("explanation").is_none(),
        "{conn}"
    );
    let leaf = conn["server_certificates"][0]["sha256"]
        .as_str()
        .expect("a reference");
    assert!(doc["certificates"][leaf]["subject"].is_string(), "{doc}");
    let hello = conn["client_hello"].as_str().expect("a reference");
    assert!(
        doc["client_hellos"][hello]["cipher_suites"].is_array(),
        "{doc}"
    );
}

#[test]
fn json_lines_of_several_files_are_each_tagged_with_their_file() {
    let a = pcap("tls12-mtls-missing-client-cert-openssl.pcap");
    let b = pcap("tls13-mtls-ok.pcap");
    let not = root().join("Cargo.toml");
    let run = run(
        &[
            std::ffi::OsStr::new("--format"),
            "jsonl".as_ref(),
            "-j2".as_ref(),
            a.as_os_str(),
            not.as_os_str(),
            b.as_os_str(),
        ],
        None,
    );
    run.assert_code(2);
    let stdout = run.stdout();
    for path in [&a, &b] {
        let name = path.display().to_string();
        let own: Vec<&str> = stdout
            .lines()
            .filter(|l| l.contains(&format!("\"file\":\"{name}\"")))
            .collect();
        let own = own.join("\n");
        let lines = read_lines(&own, &name);
        assert_eq!(lines.types.first().map(String::as_str), Some("capture"));
        assert_eq!(lines.types.last().map(String::as_str), Some("summary"));
        assert_eq!(lines.connections.len(), 1);
    }
    assert!(!stdout.contains("Cargo.toml"));
    assert!(
        run.stderr()
            .contains("Cargo.toml: not a pcap or pcapng capture")
    );
}
