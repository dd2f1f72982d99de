//! End-to-end tests of the `pcap-tls-diagnose` binary over the captures in pcaps/.

mod util;

use std::io::Read;
use std::process::{Command, Stdio};

use util::{pcap, root, run};

#[test]
fn headline_capture_lists_its_connection() {
    let path = pcap("tls12-mtls-missing-client-cert-openssl.pcap");
    let run = run(&[&path], None);
    run.assert_code(0);
    assert_eq!(run.stderr(), "");
    let expected = "\
pcap, 12 frames (ETHERNET), 2026-11-23T18:12:08.784405000Z to 2026-11-23T18:12:08.786679000Z
1 TCP connection, 1 starting like TLS

connection 1  127.0.0.1:46830 → 127.0.0.1:20181  (client sent the SYN)
  frames 1–12, 0.002 s
  client → server: 6 frames, 715 bytes (311 payload), SYN FIN; starts with a TLS ClientHello (frame 4)
  server → client: 6 frames, 2652 bytes (2248 payload), SYN FIN; starts with a TLS ServerHello (frame 6)
";
    assert_eq!(run.stdout(), expected);
}

#[test]
fn plain_http_is_not_taken_for_tls() {
    let run = run(&[pcap("plain-http-to-tls-port.pcap")], None);
    run.assert_code(0);
    let out = run.stdout();
    assert!(
        out.contains("1 TCP connection, 0 starting like TLS"),
        "{out}"
    );
    assert!(
        out.contains("starts with text \"GET / HTTP/1.1\\r\\n\" (frame 4)"),
        "{out}"
    );
}

#[test]
fn several_captures_are_headed_by_their_names() {
    let a = pcap("tls12-mtls-ok.pcap");
    let b = pcap("tls12-interleaved-connections.pcap");
    let run = run(&[&a, &b], None);
    run.assert_code(0);
    let out = run.stdout();
    assert!(out.starts_with(&format!("== {}\n", a.display())), "{out}");
    assert!(out.contains(&format!("\n== {}\n", b.display())), "{out}");
    assert!(
        out.contains("3 TCP connections, 3 starting like TLS"),
        "{out}"
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let bytes = std::fs::read(pcap("tls13-mtls-ok.pcap")).expect("capture");
    let run = run(&["-"], Some(&bytes));
    run.assert_code(0);
    assert!(
        run.stdout()
            .contains("1 TCP connection, 1 starting like TLS")
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

#[test]
fn a_capture_cut_short_shows_what_was_read_and_exits_2() {
    let bytes =
        std::fs::read(pcap("tls12-mtls-missing-client-cert-openssl.pcap")).expect("capture");
    let cut = &bytes[..bytes.len() - 10];
    let run = run(&["-"], Some(cut));
    run.assert_code(2);
    assert!(run.stdout().contains("pcap, 11 frames"), "{}", run.stdout());
    let err = run.stderr();
    assert!(
        err.contains("pcap-tls-diagnose: -: the file is cut short: a pcap record at byte offset"),
        "{err}"
    );
    assert!(
        err.contains("hint: the output above covers what was read"),
        "{err}"
    );
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
