//! `pcap-tls-diagnose`: explains TLS handshakes in a packet capture.
//!
//! Arguments → core → rendering → exit code, nothing else.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

/// Reads a pcap or pcapng capture and lists its TCP connections and whether each starts like TLS.
#[derive(Debug, Parser)]
#[command(name = "pcap-tls-diagnose", version, about)]
struct Args {
    /// Capture file(s) to read (pcap, pcapng, optionally gzip-compressed); `-` reads stdin.
    #[arg(required = true, value_name = "CAPTURE")]
    captures: Vec<PathBuf>,

    /// Output format: human-readable text, or the JSON report (schema_version 1).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Human-readable text.
    Text,
    /// The JSON report, one document per capture.
    Json,
}

/// Bytes read from the file at a time: the core is fed chunk by chunk.
const CHUNK: usize = 1 << 20;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("pcap-tls-diagnose: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let many = args.captures.len() > 1;
    for (i, path) in args.captures.iter().enumerate() {
        let name = path.display().to_string();
        let (report, error) = analyse(path).with_context(|| name.clone())?;
        // A file that is not a capture at all has nothing to show but the error.
        let readable = report.capture.format.is_some();
        if readable {
            let rendered = match args.format {
                Format::Text => {
                    if many {
                        if i > 0 {
                            writeln!(out)?;
                        }
                        writeln!(out, "== {name}")?;
                    }
                    pcap_tls_diagnose_core::report::text::render(&report)
                }
                Format::Json => pcap_tls_diagnose_core::report::to_json(&report),
            };
            out.write_all(rendered.as_bytes())?;
            out.flush()?;
        }
        if let Some(error) = error {
            eprintln!("pcap-tls-diagnose: {name}: {error}");
            if readable {
                eprintln!("  hint: the output above covers what was read before the problem");
            }
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Streams a file (or stdin) through the analyser.
fn analyse(
    path: &PathBuf,
) -> anyhow::Result<(
    pcap_tls_diagnose_core::Report,
    Option<pcap_tls_diagnose_core::CaptureError>,
)> {
    let mut input: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).context("cannot open the file")?)
    };
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read the file"),
        };
        if analyzer.push(&buf[..n]).is_err() {
            // The analyser keeps the error; `finish` returns it with the partial report.
            break;
        }
    }
    Ok(match analyzer.finish() {
        Ok(report) => (report, None),
        Err(failure) => {
            let failure = *failure;
            (failure.partial, Some(failure.error))
        }
    })
}
