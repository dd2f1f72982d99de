//! `pcap-tls-diagnose`: explains TLS handshakes in a packet capture.
//!
//! Arguments → core → rendering → exit code, nothing else.

use std::io::{self, IsTerminal, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use pcap_tls_diagnose_core::extract::{ExtractError, Extractor, FrameSelection};
use pcap_tls_diagnose_core::report::{self, ConnectionReport, Report, text::TextOptions};
use pcap_tls_diagnose_core::{CertificateFileError, Certificates, KeyLog};
use std::collections::BTreeMap;

/// Reads pcap or pcapng captures, rebuilds every TLS handshake and explains what failed, why,
/// and what to change, with the frame numbers that show it.
///
/// Exit status: 0 no error found, 1 at least one error finding, 2 a file is not a capture (or
/// cannot be opened) or the arguments are wrong. A capture cut short is analysed as far as it
/// goes, with a capture-truncated finding.
#[derive(Debug, Parser)]
#[command(name = "pcap-tls-diagnose", version, about, long_about = None)]
struct Args {
    /// Capture file(s) to read (pcap, pcapng, optionally gzip-compressed), or directories of
    /// them (`.pcap`, `.pcapng`, `.cap`, optionally `.gz`, read by name); `-` reads stdin.
    #[arg(required = true, value_name = "CAPTURE")]
    captures: Vec<PathBuf>,

    /// Files analysed at once when there are several (default: one per core). Their reports
    /// are written in the order of the arguments.
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<std::num::NonZeroUsize>,

    /// Output format: human-readable text, the JSON report (schema_version 2), JSON Lines, or
    /// Markdown (to paste into a ticket; with --redact for sharing).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Show healthy connections too, not only those with problems (in JSON and JSON Lines:
    /// their entries in full, not short).
    #[arg(long)]
    all: bool,

    /// Only connections with this host: an IP address of either side, or (a part of) the SNI.
    #[arg(long, value_name = "HOST")]
    host: Vec<String>,

    /// Only connections with this TCP port on either side.
    #[arg(long, value_name = "PORT")]
    port: Vec<u16>,

    /// Only connections whose SNI contains this text.
    #[arg(long, value_name = "NAME")]
    sni: Vec<String>,

    /// Only the connection(s) with this id (as numbered in the output).
    #[arg(long = "connection", value_name = "ID")]
    connections: Vec<u32>,

    /// Only connections whose handshake failed or that have an error finding.
    #[arg(long)]
    failed: bool,

    /// Replace IP addresses, host names, SNI, certificate subjects, issuers, serials, names
    /// and fingerprints by stable pseudonyms (client-1, server-1, host-1, CA-A, …), in every
    /// format, keeping what a reader needs (which certificate issued which, whether a name
    /// matched, validity, key types, alerts, versions, cipher suites). Pseudonyms are per file.
    #[arg(long)]
    redact: bool,

    /// Write every certificate of the (selected) connections, server and client chains,
    /// deduplicated by SHA-256, as PEM files into this directory, with an index (index.tsv).
    /// Certificate files are not redacted.
    #[arg(long, value_name = "DIR")]
    export_certs: Option<PathBuf>,

    /// Write the frames of the (selected) connections as a pcapng file that opens in
    /// Wireshark; one capture file only. A capture is not redacted: it holds the addresses,
    /// names and certificates of these connections.
    #[arg(long, value_name = "OUT")]
    write_pcap: Option<PathBuf>,

    /// The client certificate (PEM or DER, leaf first, a chain allowed) you expect the client
    /// to send: checked against each CertificateRequest (accepted CAs, key type, validity, key
    /// usage) and against what the client actually sent. Private keys in the file are ignored.
    #[arg(long, value_name = "FILE")]
    client_cert: Option<PathBuf>,

    /// A trust store (PEM bundle of CA certificates): each server and client chain is followed
    /// up to it, signatures checked, and where a chain breaks is reported.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,

    /// A key log (SSLKEYLOGFILE, RFC 9850) written by the client or server during the capture:
    /// TLS 1.3 handshakes and alerts, and TLS 1.2 Finished, alerts and renegotiations, are
    /// decrypted and diagnosed from their content. Repeatable. Key logs embedded in a pcapng
    /// (`editcap --inject-secrets`) are used without this option.
    #[arg(long, value_name = "FILE")]
    keylog: Vec<PathBuf>,

    /// Colour: auto (when writing to a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Human-readable text.
    Text,
    /// The JSON report, one document per capture.
    Json,
    /// JSON Lines: one object per line, each connection's written as it ends (any size of
    /// capture in constant memory; docs/report.md).
    Jsonl,
    /// Markdown: the summary, each problem connection's findings, handshake table,
    /// CertificateRequest and certificates, for GitHub, GitLab, Jira and Discourse.
    Markdown,
}

/// When to colour the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Bytes read from the file at a time: the core is fed chunk by chunk.
const CHUNK: usize = 1 << 18;

/// Files at least this big get a progress line on stderr (when stderr is a terminal).
const PROGRESS_FROM: u64 = 64 << 20;

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

impl Args {
    fn filtered(&self) -> bool {
        !(self.host.is_empty()
            && self.port.is_empty()
            && self.sni.is_empty()
            && self.connections.is_empty()
            && !self.failed)
    }

    /// Does a connection pass every given filter?
    fn keeps(&self, c: &ConnectionReport) -> bool {
        let host_ok = self.host.is_empty()
            || self.host.iter().any(|h| {
                h.parse::<IpAddr>()
                    .is_ok_and(|ip| ip == c.client.ip || ip == c.server.ip)
                    || c.sni.as_deref().is_some_and(|sni| sni.contains(h.as_str()))
            });
        let port_ok = self.port.is_empty()
            || self
                .port
                .iter()
                .any(|p| *p == c.client.port || *p == c.server.port);
        let sni_ok = self.sni.is_empty()
            || self
                .sni
                .iter()
                .any(|s| c.sni.as_deref().is_some_and(|sni| sni.contains(s.as_str())));
        let id_ok = self.connections.is_empty() || self.connections.contains(&c.id);
        host_ok && port_ok && sni_ok && id_ok && (!self.failed || c.failed())
    }

    fn color(&self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        }
    }
}

fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let client_certificates = certificates(args.client_cert.as_ref(), Certificates::client_chain)?;
    let trust_store = certificates(args.ca.as_ref(), Certificates::trust_store)?;
    let mut key_log = KeyLog::new();
    for path in &args.keylog {
        let text = std::fs::read(path)
            .with_context(|| format!("{}: cannot read the key log", path.display()))?;
        if key_log.add(&text) == 0 {
            anyhow::bail!(
                "{}: {}",
                path.display(),
                pcap_tls_diagnose_core::NO_KEY_LOG_LINE
            );
        }
    }
    let supplied = Supplied {
        client_certificates,
        trust_store,
        key_log,
        gathered: Gathered::new(args),
    };
    let (files, mut unreadable) = expand(&args.captures);
    if args.write_pcap.is_some() && (files.len() != 1 || files[0].as_os_str() == "-") {
        anyhow::bail!(
            "--write-pcap reads the capture twice: give exactly one capture file (not standard input)"
        );
    }
    let code = report_files(args, &supplied, &files, &mut unreadable)?;
    write_beside(args, &supplied, &files)?;
    Ok(code)
}

/// Writes `--export-certs` and `--write-pcap` once every report is out.
fn write_beside(args: &Args, supplied: &Supplied, files: &[PathBuf]) -> anyhow::Result<()> {
    if let (Some(dir), Some(certificates)) = (&args.export_certs, &supplied.gathered.certificates) {
        let certificates = std::mem::take(
            &mut *certificates
                .lock()
                .map_err(|_| anyhow::anyhow!("a file's analysis failed"))?,
        );
        let written = export_certificates(dir, &certificates, args.redact)?;
        eprintln!(
            "pcap-tls-diagnose: wrote {written} certificate{} to {} (index.tsv lists them; \
             certificate files are not redacted)",
            if written == 1 { "" } else { "s" },
            dir.display()
        );
    }
    if let (Some(out), Some(selection), Some(input)) = (
        &args.write_pcap,
        &supplied.gathered.selection,
        files.first(),
    ) {
        let selection = std::mem::take(
            &mut *selection
                .lock()
                .map_err(|_| anyhow::anyhow!("the analysis failed"))?,
        );
        let connections = selection.len();
        let written = write_pcap(input, out, selection)?;
        eprintln!(
            "pcap-tls-diagnose: wrote {} frame{} of {connections} connection{} to {} (pcapng; a \
             capture file is not redacted: it holds these connections' addresses, names and \
             certificates)",
            written.frames,
            if written.frames == 1 { "" } else { "s" },
            if connections == 1 { "" } else { "s" },
            out.display()
        );
        if written.secrets_not_copied > 0 {
            eprintln!(
                "pcap-tls-diagnose: the capture's {} decryption secrets block{} (key log) {} not \
                 copied: give the key log with --keylog to read it decrypted",
                written.secrets_not_copied,
                if written.secrets_not_copied == 1 {
                    ""
                } else {
                    "s"
                },
                if written.secrets_not_copied == 1 {
                    "is"
                } else {
                    "are"
                },
            );
        }
    }
    Ok(())
}

/// `--export-certs`: one PEM file per certificate, named by its role, common name and
/// fingerprint (`server-localhost-3f2a9b1c.pem`; without the name when redacting), and
/// `index.tsv`. Returns how many were written.
fn export_certificates(
    dir: &Path,
    certificates: &BTreeMap<String, Seen>,
    redact: bool,
) -> anyhow::Result<usize> {
    use std::fmt::Write as _;
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut index = String::from(
        "file\tsha256\tsubject\tissuer\tserial\tnot_before\tnot_after\tpublic_key\tseen\n",
    );
    // In order of role, then name: the index reads server, client, then CAs.
    let mut list: Vec<&Seen> = certificates.values().collect();
    let rank = |s: &Seen| (s.role != "server", s.role != "client");
    list.sort_by(|a, b| (rank(a), &a.certificate.subject).cmp(&(rank(b), &b.certificate.subject)));
    for seen in &list {
        let c = &seen.certificate;
        let short = &c.sha256[..16.min(c.sha256.len())];
        let name = if redact {
            String::new()
        } else {
            slug(&c.subject)
        };
        let file = [seen.role, name.as_str(), short]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("-")
            + ".pem";
        let path = dir.join(&file);
        std::fs::write(&path, c.pem())
            .with_context(|| format!("{}: cannot write", path.display()))?;
        let more = seen.count.saturating_sub(seen.places.len() as u64);
        let mut places = seen.places.join(", ");
        if more > 0 {
            let _ = write!(places, ", and {more} more");
        }
        let cell = |s: &str| s.replace(['\t', '\n'], " ");
        let _ = writeln!(
            index,
            "{file}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{places}",
            c.sha256,
            cell(&c.subject),
            cell(&c.issuer),
            c.serial,
            c.not_before,
            c.not_after,
            c.public_key
        );
    }
    let path = dir.join("index.tsv");
    std::fs::write(&path, index).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(list.len())
}

/// A file-name-safe form of a certificate's common name (or subject): letters, digits, `.`,
/// `-` and `_`, at most 40 characters.
fn slug(subject: &str) -> String {
    let name = subject
        .split(", ")
        .find_map(|rdn| rdn.strip_prefix("CN="))
        .unwrap_or(subject);
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    out = out.trim_matches(['_', '.']).to_string();
    out
}

/// `--write-pcap`: reads the capture again and writes the selected connections' frames.
fn write_pcap(
    input: &Path,
    out: &Path,
    selection: FrameSelection,
) -> anyhow::Result<pcap_tls_diagnose_core::extract::Extracted> {
    let file =
        std::fs::File::create(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let comment = format!(
        "The frames of {} connection(s) of {}, chosen by pcap-tls-diagnose; not redacted.",
        selection.len(),
        input.file_name().map_or_else(
            || input.display().to_string(),
            |n| n.to_string_lossy().to_string()
        )
    );
    let mut extractor = Extractor::new(selection, io::BufWriter::new(file), &comment)
        .with_context(|| out.display().to_string())?;
    let reader = std::fs::File::open(input).context("cannot open the file")?;
    let mut failed = None;
    read_here(Box::new(reader), &mut |chunk| match extractor.push(chunk) {
        Ok(()) => true,
        // A capture cut short: `finish` says so; the frames before the cut are written.
        Err(ExtractError::Capture(_)) => false,
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    if let Some(e) = failed {
        return Err(anyhow::Error::new(e).context(out.display().to_string()));
    }
    let (_, written) = extractor
        .finish()
        .with_context(|| format!("{}: cannot write", out.display()))?;
    Ok(written)
}

/// Analyses every file and writes its report; returns the exit code.
fn report_files(
    args: &Args,
    supplied: &Supplied,
    files: &[PathBuf],
    unreadable: &mut bool,
) -> anyhow::Result<ExitCode> {
    let many = files.len() > 1;
    let jobs = args
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, std::num::NonZeroUsize::get)
        .min(files.len())
        .max(1);
    if args.format == Format::Jsonl {
        let (errors, unreadable_files) = jsonl(files, jobs, args, supplied)?;
        return Ok(exit_code(*unreadable || unreadable_files, errors));
    }
    let mut errors = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if jobs == 1 {
        // One at a time: each report is written straight out, never held as text.
        for (i, path) in files.iter().enumerate() {
            let done = diagnose_file(
                path,
                args,
                supplied,
                Reading {
                    progress: !many,
                    ahead: true,
                },
                &mut |report, options| {
                    header(&mut out, path, i, many, args.format)?;
                    render(report, args.format, options, &mut out)
                },
            )?;
            errors |= done.errors;
            *unreadable |= done.report_error(path);
        }
    } else {
        // One file per core; the outputs are written in argument order as they become ready.
        parallel(
            files,
            jobs,
            |_, path| {
                let mut buf = Vec::new();
                let done = diagnose_file(
                    path,
                    args,
                    supplied,
                    Reading::alone(false),
                    &mut |report, options| render(report, args.format, options, &mut buf),
                );
                (done, buf)
            },
            |i, path, (done, buf)| {
                let done = done?;
                if !buf.is_empty() {
                    header(&mut out, path, i, many, args.format)?;
                    out.write_all(&buf)?;
                    out.flush()?;
                }
                errors |= done.errors;
                *unreadable |= done.report_error(path);
                Ok(())
            },
        )?;
    }
    Ok(exit_code(*unreadable, errors))
}

/// 2 when a file could not be read as a capture, 1 when an error was found, 0 otherwise.
fn exit_code(unreadable: bool, errors: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(2)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--format jsonl`: each file's lines as its connections end, files analysed in parallel
/// (`jobs` at once), their lines interleaved whole and each tagged with its file. Memory stays
/// flat: lines go out after every chunk read. Returns (an error was found, a file could not
/// be read).
fn jsonl(
    files: &[PathBuf],
    jobs: usize,
    args: &Args,
    supplied: &Supplied,
) -> anyhow::Result<(bool, bool)> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stdout = Mutex::new(io::stdout());
    let next = AtomicUsize::new(0);
    let (errors, unreadable, stop) = (
        AtomicBool::new(false),
        AtomicBool::new(false),
        AtomicBool::new(false),
    );
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    // Hands what a writer holds to standard output, whole lines at once.
    let hand_over = |buf: &mut Vec<u8>| -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let out = stdout.lock().map_err(|_| io::Error::other("stdout"))?;
        let mut out = out.lock();
        out.write_all(buf)?;
        out.flush()?;
        buf.clear();
        Ok(())
    };
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= files.len() || stop.load(Ordering::Relaxed) {
                return;
            }
            let path = &files[i];
            let name = path.display().to_string();
            let mut writer = report::jsonl::LineWriter::new(Vec::new(), Some(&name), args.all);
            let found = std::cell::Cell::new(false);
            let redactor = std::cell::RefCell::new(supplied.redactor(args.redact));
            let write = |writer: &mut report::jsonl::LineWriter<Vec<u8>>,
                         conns: Vec<ConnectionReport>|
             -> io::Result<()> {
                if jsonl_connections(writer, conns, args, supplied, &mut redactor.borrow_mut())? {
                    found.set(true);
                }
                hand_over(writer.get_mut())
            };
            let result = (|| -> anyhow::Result<()> {
                let analysed =
                    analyse_with(path, supplied, Reading::alone(jobs == 1), &mut |analyzer| {
                        let conns = analyzer.take_connections();
                        // Nothing to write before the first connection: an unreadable file has
                        // no lines at all.
                        if conns.is_empty() {
                            return Ok(());
                        }
                        write(&mut writer, conns)
                    });
                let (mut report, error) = match analysed {
                    Ok(done) => done,
                    Err(why) => {
                        eprintln!("pcap-tls-diagnose: {name}: {why:#}");
                        unreadable.store(true, Ordering::Relaxed);
                        return Ok(());
                    }
                };
                if report.capture.format.is_none() {
                    if let Some(error) = error {
                        eprintln!("pcap-tls-diagnose: {name}: {error}");
                    }
                    unreadable.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                let rest = std::mem::take(&mut report.connections);
                write(&mut writer, rest)?;
                if report.has_errors() {
                    found.set(true);
                }
                if args.redact {
                    redactor.borrow_mut().report(&mut report);
                }
                writer.finish(&report)?;
                hand_over(writer.get_mut())?;
                Ok(())
            })();
            if found.get() {
                errors.store(true, Ordering::Relaxed);
            }
            if let Err(e) = result {
                stop.store(true, Ordering::Relaxed);
                if let Ok(mut slot) = failure.lock() {
                    slot.get_or_insert(e);
                }
                return;
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..jobs {
            scope.spawn(work);
        }
        work();
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok((errors.into_inner(), unreadable.into_inner()))
}

/// Writes the lines of connections that pass the filters, gathering them for the files written
/// beside the report and redacting them if asked; true when one has an error finding.
fn jsonl_connections(
    writer: &mut report::jsonl::LineWriter<Vec<u8>>,
    conns: Vec<ConnectionReport>,
    args: &Args,
    supplied: &Supplied,
    redactor: &mut report::redact::Redactor,
) -> io::Result<bool> {
    let mut errors = false;
    for mut c in conns.into_iter().filter(|c| args.keeps(c)) {
        supplied.gathered.see(&c);
        errors |= c
            .findings
            .iter()
            .any(|f| f.severity == report::Severity::Error);
        if args.redact {
            redactor.connection(&mut c);
        }
        writer.connection(&c)?;
    }
    Ok(errors)
}

/// The file's name above its report when there are several (text only: each JSON document
/// names its file in `capture`).
fn header(
    out: &mut impl Write,
    path: &Path,
    i: usize,
    many: bool,
    format: Format,
) -> io::Result<()> {
    if many && format == Format::Text {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "== {}", path.display())?;
    }
    if many && format == Format::Markdown {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "# {}\n", path.display())?;
    }
    Ok(())
}

/// Writes one report in the chosen format.
fn render(
    report: &Report,
    format: Format,
    options: TextOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Text => out.write_all(report::text::render_with(report, options).as_bytes()),
        Format::Json => report::write_json_with(report, options.all, io::BufWriter::new(&mut *out)),
        Format::Jsonl => {
            report::jsonl::LineWriter::new(&mut *out, None, options.all).finish(report)
        }
        Format::Markdown => out.write_all(
            report::markdown::render(
                report,
                report::markdown::MarkdownOptions {
                    all: options.all,
                    filtered_from: options.filtered_from,
                },
            )
            .as_bytes(),
        ),
    }?;
    out.flush()
}

/// What became of one file.
struct FileDone {
    /// Its report holds an error finding.
    errors: bool,
    /// Why it could not be read as a capture at all (or opened): printed, exit 2.
    unreadable: Option<String>,
}

impl FileDone {
    /// Prints why the file could not be analysed, if it could not; true then.
    fn report_error(&self, path: &Path) -> bool {
        if let Some(why) = &self.unreadable {
            eprintln!("pcap-tls-diagnose: {}: {why}", path.display());
        }
        self.unreadable.is_some()
    }
}

/// Analyses one file and hands its (filtered) report to `write` when it is a capture.
fn diagnose_file(
    path: &Path,
    args: &Args,
    supplied: &Supplied,
    reading: Reading,
    write: &mut dyn FnMut(&Report, TextOptions) -> io::Result<()>,
) -> anyhow::Result<FileDone> {
    // Text or Markdown of problems only: connections without one are counted, not kept, so
    // that memory follows the problems, not the capture.
    let mut kept = Vec::new();
    let problems_only =
        matches!(args.format, Format::Text | Format::Markdown) && !args.all && !args.filtered();
    let gather = |c: &ConnectionReport| {
        if args.keeps(c) {
            supplied.gathered.see(c);
        }
    };
    let analysed = if problems_only {
        analyse_with(path, supplied, reading, &mut |analyzer| {
            let taken = analyzer.take_connections();
            taken.iter().for_each(gather);
            kept.extend(taken.into_iter().filter(ConnectionReport::has_problem));
            Ok(())
        })
    } else {
        analyse(path, supplied, reading)
    };
    let (mut report, error) = match analysed {
        Ok(analysed) => analysed,
        Err(why) => {
            return Ok(FileDone {
                errors: false,
                unreadable: Some(format!("{why:#}")),
            });
        }
    };
    report.connections.iter().for_each(gather);
    if problems_only {
        kept.append(&mut report.connections);
        kept.sort_unstable_by_key(|c| c.id);
        report.connections = kept;
    }
    let mut options = TextOptions {
        all: args.all,
        color: args.color(),
        filtered_from: None,
    };
    if args.filtered() {
        options.filtered_from = Some(report.connections.len());
        report.connections.retain(|c| args.keeps(c));
    }
    if args.redact {
        report::redact::Redactor::new().report(&mut report);
    }
    // A file that is not a capture at all has nothing to show but the error.
    let readable = report.capture.format.is_some();
    if readable {
        write(&report, options)?;
    }
    // A file that is a capture but ends early (or breaks off) is reported with what was
    // read, and a capture-truncated finding says where; only input that is no capture at
    // all is an error of the run.
    Ok(FileDone {
        errors: report.has_errors(),
        unreadable: error.filter(|_| !readable).map(|e| e.to_string()),
    })
}

impl Supplied {
    /// A redactor for one file's JSON Lines, which knows the names of the supplied files (the
    /// findings quote them) before the first connection; an idle one when not redacting.
    fn redactor(&self, redact: bool) -> report::redact::Redactor {
        let mut redactor = report::redact::Redactor::new();
        if !redact {
            return redactor;
        }
        let trust_store: Vec<String> = self
            .trust_store
            .summaries()
            .into_iter()
            .map(|c| c.subject)
            .collect();
        redactor.supplied(&self.client_certificates.summaries(), &trust_store);
        redactor
    }
}

/// What `--export-certs` and `--write-pcap` gather from the selected connections as they are
/// analysed (before any redaction: the certificates' DER and the real addresses).
#[derive(Default)]
struct Gathered {
    /// For `--export-certs`: each certificate by SHA-256, with where it was seen.
    certificates: Option<std::sync::Mutex<BTreeMap<String, Seen>>>,
    /// For `--write-pcap`: the connections whose frames to write.
    selection: Option<std::sync::Mutex<FrameSelection>>,
}

/// A certificate to export, and where it was seen.
struct Seen {
    certificate: report::Certificate,
    /// `server [0] of connection 3`, …, the first few.
    places: Vec<String>,
    /// Times seen.
    count: u64,
    /// First seen as a leaf: `server` or `client`; else `ca`.
    role: &'static str,
}

/// At most this many distinct certificates are exported (a capture of a CA's OCSP traffic
/// could hold millions).
const MAX_EXPORTED: usize = 100_000;

impl Gathered {
    fn new(args: &Args) -> Self {
        Self {
            certificates: args
                .export_certs
                .as_ref()
                .map(|_| std::sync::Mutex::default()),
            selection: args
                .write_pcap
                .as_ref()
                .map(|_| std::sync::Mutex::default()),
        }
    }

    fn see(&self, c: &ConnectionReport) {
        if let Some(selection) = &self.selection
            && let Ok(mut selection) = selection.lock()
        {
            selection.add(c);
        }
        let Some(certificates) = &self.certificates else {
            return;
        };
        let Ok(mut certificates) = certificates.lock() else {
            return;
        };
        for (side, chain) in [
            ("server", &c.server_certificates),
            ("client", &c.client_certificates),
        ] {
            for (i, entry) in chain.iter().flat_map(|chain| chain.iter().enumerate()) {
                let report::CertificateEntry::Parsed(cert) = entry else {
                    continue;
                };
                if certificates.len() >= MAX_EXPORTED && !certificates.contains_key(&cert.sha256) {
                    continue;
                }
                let seen = certificates
                    .entry(cert.sha256.clone())
                    .or_insert_with(|| Seen {
                        certificate: (**cert).clone(),
                        places: Vec::new(),
                        count: 0,
                        role: if i == 0 && !cert.is_ca { side } else { "ca" },
                    });
                seen.count += 1;
                if seen.places.len() < 8 {
                    seen.places
                        .push(format!("{side} [{i}] of connection {}", c.id));
                }
            }
        }
    }
}

/// Runs `work` on every file on `jobs` threads and hands the results to `emit` in the files'
/// order, as soon as each one's turn comes. At most `2 × jobs` files are in work or waiting
/// for their turn, so a slow first file does not make the others' results pile up. Stops
/// early when `emit` fails (a closed pipe, say).
fn parallel<T: Send>(
    files: &[PathBuf],
    jobs: usize,
    work: impl Fn(usize, &Path) -> T + Sync,
    mut emit: impl FnMut(usize, &Path, T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use std::sync::mpsc::{channel, sync_channel};
    use std::sync::{Arc, Mutex};
    let (job_tx, job_rx) = sync_channel::<usize>(2 * jobs);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = channel::<(usize, T)>();
    let work = &work;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = job_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(i) = next else { return };
                    if done_tx.send((i, work(i, &files[i]))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut waiting = BTreeMap::new();
        let (mut sent, mut next) = (0, 0);
        let result = (|| {
            while next < files.len() {
                while sent < files.len() && sent < next + 2 * jobs {
                    job_tx.send(sent)?;
                    sent += 1;
                }
                let (i, result) = done_rx.recv()?;
                waiting.insert(i, result);
                while let Some(result) = waiting.remove(&next) {
                    emit(next, &files[next], result)?;
                    next += 1;
                }
            }
            Ok(())
        })();
        // Closing the job queue ends the workers (after the file each is on).
        drop(job_tx);
        result
    })
}

/// The files to read: each argument, or, for a directory, the capture files under it
/// (`.pcap`, `.pcapng`, `.cap`, each optionally `.gz`), by name. Also says whether an argument
/// gave nothing to read (a directory without captures: reported, exit 2).
fn expand(arguments: &[PathBuf]) -> (Vec<PathBuf>, bool) {
    let mut files = Vec::new();
    let mut empty = false;
    for argument in arguments {
        if argument.is_dir() {
            let before = files.len();
            captures_under(argument, &mut files);
            files[before..].sort();
            if files.len() == before {
                eprintln!(
                    "pcap-tls-diagnose: {}: no capture files here (.pcap, .pcapng, .cap, \
                     optionally .gz)",
                    argument.display()
                );
                empty = true;
            }
        } else {
            files.push(argument.clone());
        }
    }
    (files, empty)
}

fn captures_under(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            captures_under(&path, files);
        } else if is_capture_name(&name) {
            files.push(path);
        }
    }
}

/// Names of capture files.
fn is_capture_name(name: &str) -> bool {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    [".pcap", ".pcapng", ".cap"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Reads an optional certificate file (`--client-cert`, `--ca`) with the core's reader.
fn certificates(
    path: Option<&PathBuf>,
    read: fn(&[u8]) -> Result<Certificates, CertificateFileError>,
) -> anyhow::Result<Certificates> {
    let Some(path) = path else {
        return Ok(Certificates::default());
    };
    let bytes =
        std::fs::read(path).with_context(|| format!("{}: cannot read the file", path.display()))?;
    read(&bytes).map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))
}

/// What the user gave besides the captures, and what is gathered for the files written
/// beside the report.
struct Supplied {
    client_certificates: Certificates,
    trust_store: Certificates,
    /// The key logs, read once for all captures.
    key_log: KeyLog,
    gathered: Gathered,
}

/// Streams a file (or stdin) through the analyser.
fn analyse(
    path: &Path,
    supplied: &Supplied,
    reading: Reading,
) -> anyhow::Result<(Report, Option<pcap_tls_diagnose_core::CaptureError>)> {
    analyse_with(path, supplied, reading, &mut |_| Ok(()))
}

/// How a file is read.
#[derive(Clone, Copy)]
struct Reading {
    /// A progress line for a large file on a terminal.
    progress: bool,
    /// On a second thread, ahead of the analysis (one file at a time: the reading then overlaps
    /// the analysis; with a file per core, each core is busy already).
    ahead: bool,
}

impl Reading {
    /// One file at a time, or one of several analysed at once.
    fn alone(alone: bool) -> Self {
        Self {
            progress: alone,
            ahead: alone,
        }
    }
}

/// Reads `input` on this thread, [`CHUNK`] bytes at a time, handing each chunk to `take`;
/// stops early when `take` returns false.
fn read_here(
    mut input: Box<dyn Read + Send>,
    take: &mut impl FnMut(&[u8]) -> bool,
) -> anyhow::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => other.context("cannot read the file")?,
        };
        if n == 0 || !take(&buf[..n]) {
            return Ok(());
        }
    }
}

/// Streams a file (or stdin) through the analyser, calling `after_chunk` after each chunk (to
/// take the connections that ended); stops when it fails.
fn analyse_with(
    path: &Path,
    supplied: &Supplied,
    reading: Reading,
    after_chunk: &mut dyn FnMut(&mut pcap_tls_diagnose_core::Analyzer) -> io::Result<()>,
) -> anyhow::Result<(Report, Option<pcap_tls_diagnose_core::CaptureError>)> {
    let Reading { progress, ahead } = reading;
    let mut total = None;
    let input: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        let file = std::fs::File::open(path).context("cannot open the file")?;
        total = file.metadata().ok().map(|m| m.len());
        Box::new(file)
    };
    let mut progress = total
        .filter(|&t| progress && t >= PROGRESS_FROM && io::stderr().is_terminal())
        .map(|total| Progress::new(path.display().to_string(), total));
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    analyzer.set_client_certificates(supplied.client_certificates.clone());
    analyzer.set_trust_store(supplied.trust_store.clone());
    analyzer.set_key_log(supplied.key_log.clone());
    let mut failed = None;
    let mut push = |chunk: &[u8]| {
        if let Some(progress) = &mut progress {
            progress.advance(chunk.len() as u64);
        }
        // After an error the analyser keeps it; `finish` returns it with the partial report.
        if analyzer.push(chunk).is_err() {
            return false;
        }
        match after_chunk(&mut analyzer) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    };
    if ahead {
        read_ahead(input, &mut push)?;
    } else {
        read_here(input, &mut push)?;
    }
    if let Some(progress) = progress {
        progress.clear();
    }
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(match analyzer.finish() {
        Ok(report) => (report, None),
        Err(failure) => {
            let failure = *failure;
            (failure.partial, Some(failure.error))
        }
    })
}

/// Chunks in flight between the reading thread and the analysis.
const CHUNKS_AHEAD: usize = 4;

/// Reads `input` on a second thread, [`CHUNK`] bytes at a time, and hands each chunk to `take`
/// on this one, so that the kernel's copying of the file overlaps the analysis. Buffers go back
/// to the reader to be filled again: memory stays at [`CHUNKS_AHEAD`] chunks. Stops early when
/// `take` returns false.
fn read_ahead(
    mut input: Box<dyn Read + Send>,
    take: &mut impl FnMut(&[u8]) -> bool,
) -> anyhow::Result<()> {
    use std::sync::mpsc::sync_channel;
    let (full_tx, full_rx) = sync_channel::<io::Result<(Vec<u8>, usize)>>(CHUNKS_AHEAD);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(CHUNKS_AHEAD);
    for _ in 0..CHUNKS_AHEAD {
        let _ = empty_tx.send(vec![0u8; CHUNK]);
    }
    std::thread::scope(move |scope| {
        scope.spawn(move || {
            // Ends when the file does, on a read error, or when the analysis stops listening.
            while let Ok(mut buf) = empty_rx.recv() {
                let read = loop {
                    match input.read(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other,
                    }
                };
                let last = !matches!(read, Ok(n) if n > 0);
                if full_tx.send(read.map(|n| (buf, n))).is_err() || last {
                    return;
                }
            }
        });
        // Dropping both ends on the way out (early or not) releases the reader.
        for received in full_rx {
            let (buf, n) = received.context("cannot read the file")?;
            if n == 0 || !take(&buf[..n]) {
                break;
            }
            let _ = empty_tx.send(buf);
        }
        Ok(())
    })
}

/// A one-line progress indicator on stderr, redrawn when the whole percentage changes.
struct Progress {
    name: String,
    total: u64,
    done: u64,
    shown: Option<u64>,
}

impl Progress {
    fn new(name: String, total: u64) -> Self {
        Self {
            name,
            total,
            done: 0,
            shown: None,
        }
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        let percent = percent(self.done, self.total);
        if self.shown != Some(percent) {
            self.shown = Some(percent);
            let mut err = io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K{}",
                progress_line(&self.name, self.done, self.total)
            );
            let _ = err.flush();
        }
    }

    /// Erases the line, so that errors and hints start on a clean one.
    fn clear(self) {
        if self.shown.is_some() {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

fn percent(done: u64, total: u64) -> u64 {
    (u128::from(done.min(total)) * 100 / u128::from(total.max(1))) as u64
}

/// `reading big.pcap  37 % [███████             ] 380 MiB of 1.0 GiB`
fn progress_line(name: &str, done: u64, total: u64) -> String {
    const WIDTH: u64 = 20;
    let percent = percent(done, total);
    let filled = (percent * WIDTH / 100) as usize;
    format!(
        "reading {name} {percent:>3} % [{}{}] {} of {}",
        "█".repeat(filled),
        " ".repeat(WIDTH as usize - filled),
        size(done.min(total)),
        size(total)
    )
}

/// Bytes in MiB below 1 GiB, in GiB with one decimal above.
fn size(bytes: u64) -> String {
    if bytes < 1 << 30 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!(
            "{}.{} GiB",
            bytes >> 30,
            ((bytes & ((1 << 30) - 1)) * 10) >> 30
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_ahead_hands_over_every_byte_in_order() {
        let data: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i % 251) as u8).collect();
        let mut got = Vec::new();
        read_ahead(
            Box::new(io::Cursor::new(data.clone())),
            &mut |chunk: &[u8]| {
                got.extend_from_slice(chunk);
                true
            },
        )
        .expect("read");
        assert_eq!(got, data);
    }

    /// A file that cannot be read.
    struct Broken;

    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn read_ahead_stops_when_asked_and_reports_read_errors() {
        let mut chunks = 0;
        read_ahead(Box::new(io::repeat(7)), &mut |_: &[u8]| {
            chunks += 1;
            chunks < 3
        })
        .expect("an endless input, stopped after three chunks");
        assert_eq!(chunks, 3);
        let err = read_ahead(Box::new(Broken), &mut |_: &[u8]| true).expect_err("an error");
        assert_eq!(err.to_string(), "cannot read the file");
        assert_eq!(err.root_cause().to_string(), "disk on fire");
    }

    #[test]
    fn progress_line_shows_share_bar_and_sizes() {
        assert_eq!(
            progress_line("big.pcap", 380 << 20, 1 << 30),
            "reading big.pcap  37 % [███████             ] 380 MiB of 1.0 GiB"
        );
        assert_eq!(
            progress_line("x", 5 << 30, 5 << 30),
            "reading x 100 % [████████████████████] 5.0 GiB of 5.0 GiB"
        );
        // A file that grows while it is read never shows more than 100 %.
        assert_eq!(
            progress_line("x", 200 << 20, 100 << 20),
            "reading x 100 % [████████████████████] 100 MiB of 100 MiB"
        );
        assert_eq!(
            progress_line("x", 0, 0),
            "reading x   0 % [                    ] 0 MiB of 0 MiB"
        );
    }

    #[test]
    fn capture_files_are_known_by_their_names() {
        for name in ["a.pcap", "b.pcapng", "c.cap", "d.pcap.gz", "e.pcapng.gz"] {
            assert!(is_capture_name(name), "{name}");
        }
        for name in ["a.keys", "b.pcap.txt", "c.gz", "pcap"] {
            assert!(!is_capture_name(name), "{name}");
        }
    }

    #[test]
    fn sizes_round_down() {
        assert_eq!(size(0), "0 MiB");
        assert_eq!(size((1 << 30) - 1), "1023 MiB");
        assert_eq!(size(3 * (1 << 30) + (1 << 29)), "3.5 GiB");
    }
}
