//! Runs the real `pcap-tls-diagnose` binary and reports failures with everything needed to see
//! why (command, exit code, stdout, stderr), in the manner of ripgrep's test helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A capture from pcaps/.
pub(crate) fn pcap(name: &str) -> PathBuf {
    root().join("pcaps").join(name)
}

/// What a run of the binary produced.
pub(crate) struct Run {
    pub(crate) args: Vec<String>,
    pub(crate) output: Output,
}

impl Run {
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Asserts the exit code, printing the whole run when it differs.
    pub(crate) fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "\ncommand: pcap-tls-diagnose {}\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Runs the binary with `args` (and `stdin`, if any).
pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcap-tls-diagnose"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1");
    let mut child = cmd.spawn().expect("spawn pcap-tls-diagnose");
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait");
    Run {
        args: args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect(),
        output,
    }
}

/// `--keylog <name>.keys` when the capture has a key log beside it, as its user would pass it.
pub(crate) fn keylog_args(capture: &Path) -> Vec<std::ffi::OsString> {
    let keys = capture.with_extension("keys");
    if keys.exists() {
        vec!["--keylog".into(), keys.into()]
    } else {
        Vec::new()
    }
}

/// Every capture in pcaps/, in name order.
pub(crate) fn all_captures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("pcaps"))
        .expect("pcaps")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    files.sort();
    files
}

/// A JSON document with its references resolved: each connection's certificates and
/// ClientHello in place (as the streaming interfaces hand entries out), taken from the
/// document's `certificates` and `client_hellos`.
pub(crate) fn resolve(mut doc: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let certificates = doc["certificates"].clone();
    let hellos = doc["client_hellos"].clone();
    for conn in doc["connections"].as_array_mut().into_iter().flatten() {
        for key in ["server_certificates", "client_certificates"] {
            let Some(Value::Array(chain)) = conn.get_mut(key) else {
                continue;
            };
            for cert in chain.iter_mut() {
                let Some(Value::String(sha)) = cert.get("sha256").cloned() else {
                    continue;
                };
                let mut whole = certificates[&sha].clone();
                assert!(
                    whole.is_object(),
                    "{sha} is not in the document's certificates"
                );
                if let Some(valid) = cert.get("signature_valid") {
                    whole["signature_valid"] = valid.clone();
                }
                *cert = whole;
            }
        }
        if let Some(Value::String(id)) = conn.get("client_hello").cloned() {
            assert!(
                hellos[&id].is_object(),
                "{id} is not in the document's client_hellos"
            );
            conn["client_hello"] = hellos[&id].clone();
        }
    }
    doc
}
