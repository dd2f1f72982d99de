//! `pcap-tls-bench`: generates large captures and measures the CLI against the floor and tshark.
//!
//! ```text
//! cargo run --release -p pcap-tls-bench -- run                 # 100 MiB and 1 GiB, the table
//! cargo run --release -p pcap-tls-bench -- run --sizes 5G --no-tshark
//! cargo run --release -p pcap-tls-bench -- run --compare old/pcap-tls-diagnose   # beside another build
//! cargo run --release -p pcap-tls-bench -- generate --size 100M --out big.pcap
//! cargo run --release -p pcap-tls-bench -- floor big.pcap
//! cargo run --release -p pcap-tls-bench -- heap big.pcap      # where the analyser's memory goes
//! ```

// Sizes, times and rates convert between integers and floats on purpose (byte counts stay far
// below 2^52; the generator's packing into header fields is by design).
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use pcap_tls_bench::{floor, generate};

/// The system allocator, counted (for `heap`).
#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

#[derive(Parser)]
#[command(about = "Benchmarks of pcap-tls-diagnose")]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes a deterministic realistic capture of about SIZE bytes.
    Generate {
        /// Size, e.g. 100M or 1G.
        #[arg(long, default_value = "100M")]
        size: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Connections open at once (default: 200 for bulk, 500 for short).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Bulk transfers, or many short connections.
        #[arg(long, value_enum, default_value = "bulk")]
        shape: Shape,
    },
    /// The floor program: pcap records, headers, flow lookup, TLS record headers.
    Floor {
        /// A classic pcap.
        file: PathBuf,
        /// Only iterate the pcap records (no header parsing).
        #[arg(long)]
        records_only: bool,
    },
    /// Runs the analyser in this process and reports its heap: the peak while reading, what
    /// is held at the end of the capture, and the report's share.
    Heap {
        /// A capture.
        file: PathBuf,
    },
    /// Several captures at once against one after another: generates FILES different captures
    /// of SIZE (once) and times the CLI on all of them with `--jobs 1` and with one job per
    /// core, alternately.
    Parallel {
        /// How many captures.
        #[arg(long, default_value_t = 4)]
        files: usize,
        /// Size of each.
        #[arg(long, default_value = "256M")]
        size: String,
        /// Bulk transfers or many short connections.
        #[arg(long, value_enum, default_value = "bulk")]
        shape: Shape,
        /// Where the generated captures go.
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// Runs of each (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Generates the captures (once) and measures the CLI, the floor and tshark side by side.
    Run {
        /// Capture sizes.
        #[arg(long, value_delimiter = ',', default_value = "100M,1G")]
        sizes: Vec<String>,
        /// Shapes of traffic: bulk transfers, many short connections, or both.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "bulk,short")]
        shapes: Vec<Shape>,
        /// Where the generated captures go.
        #[arg(long, default_value = "target/bench")]
        dir: PathBuf,
        /// Runs of the CLI and the floor per capture (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Skip tshark.
        #[arg(long)]
        no_tshark: bool,
        /// Another build of the CLI to measure beside this one (an earlier release, say);
        /// repeatable. Its runs alternate with this build's, so both see the same machine.
        #[arg(long, value_name = "BINARY")]
        compare: Vec<PathBuf>,
    },
}

/// The two shapes of traffic the benchmark generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Shape {
    /// Bulk transfers: 200 connections open at once, responses of 1 KB to 8 MB.
    Bulk,
    /// Many short connections (a gateway's): 500 open at once, responses of 1 B to 8 KB,
    /// about 100,000 connections per GiB, about 3% failing.
    Short,
}

impl Shape {
    fn config(self, target_bytes: u64) -> generate::Config {
        match self {
            Self::Bulk => generate::Config {
                target_bytes,
                ..generate::Config::default()
            },
            Self::Short => generate::Config::short_connections(target_bytes),
        }
    }

    /// The capture's file name; the generator's version is in it, so a changed generator
    /// makes new files.
    fn file_name(self, size: &str) -> String {
        match self {
            Self::Bulk => format!("bench-v{}-{size}.pcap", generate::VERSION),
            Self::Short => format!("bench-v{}-short-{size}.pcap", generate::VERSION),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Bulk => "bulk",
            Self::Short => "short",
        }
    }
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Cmd::Generate {
            size,
            out,
            seed,
            concurrency,
            shape,
        } => {
            let mut config = shape.config(parse_size(&size)?);
            config.seed = seed;
            if let Some(concurrency) = concurrency {
                config.concurrency = concurrency;
            }
            let g = write_capture(&config, &out)?;
            println!(
                "{}: {} bytes, {} frames, {} connections",
                out.display(),
                g.bytes,
                g.frames,
                g.connections
            );
        }
        Cmd::Floor { file, records_only } => {
            let input = std::fs::File::open(&file).with_context(|| file.display().to_string())?;
            let c = floor::run(input, !records_only)?;
            println!(
                "{} frames, {} TCP, {} flows, {} TLS records",
                c.frames, c.tcp, c.flows, c.records
            );
        }
        Cmd::Heap { file } => heap(&file)?,
        Cmd::Parallel {
            files,
            size,
            shape,
            dir,
            runs,
        } => parallel(files.max(1), &size, shape, &dir, runs.max(1))?,
        Cmd::Run {
            sizes,
            shapes,
            dir,
            runs,
            no_tshark,
            compare,
        } => run(&sizes, &shapes, &dir, runs.max(1), no_tshark, &compare)?,
    }
    Ok(())
}

fn heap(file: &Path) -> anyhow::Result<()> {
    let mb = |b: usize| b as f64 / 1e6;
    let mut input = std::fs::File::open(file).with_context(|| file.display().to_string())?;
    let base = ALLOCATOR.allocated();
    let churn = ALLOCATOR.total_allocated();
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut input, &mut buf)?;
        if n == 0 || analyzer.push(&buf[..n]).is_err() {
            break;
        }
    }
    let read_peak = ALLOCATOR.max_allocated() - base;
    let held = ALLOCATOR.allocated() - base;
    // Bytes allocated while reading, freed or not: per frame, the hot path's allocations.
    let churn = ALLOCATOR.total_allocated() - churn;
    let (seen, open) = analyzer.connections();
    let report = match analyzer.finish() {
        Ok(r) => r,
        Err(failure) => failure.partial,
    };
    let peak = ALLOCATOR.max_allocated() - base;
    let in_report = ALLOCATOR.allocated() - base;
    let n = report.connections.len().max(1);
    let frames = report.capture.frames.max(1);
    println!(
        "{} frames, {} connections ({open} of {seen} not ended at the end of the capture)\n\
         heap: peak while reading {:.1} MB, held at the end of the capture {:.1} MB ({} bytes \
         per connection), peak overall {:.1} MB, the report {:.1} MB ({} bytes per connection)\n\
         allocated while reading: {:.1} MB in all, {} bytes per frame",
        report.capture.frames,
        report.connections.len(),
        mb(read_peak),
        mb(held),
        held / n,
        mb(peak),
        mb(in_report),
        in_report / n,
        mb(churn),
        churn as u64 / frames
    );
    Ok(())
}

fn parse_size(s: &str) -> anyhow::Result<u64> {
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    Ok(num.parse::<u64>().with_context(|| format!("size {s}"))? * mult)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write_capture(config: &generate::Config, out: &Path) -> anyhow::Result<generate::Generated> {
    let templates = generate::load_templates(&repo_root().join("pcaps"))?;
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(out).with_context(|| out.display().to_string())?;
    generate::generate(
        config,
        &templates,
        std::io::BufWriter::with_capacity(1 << 20, file),
    )
}

/// One measured run: wall time and peak resident memory.
struct Measured {
    seconds: f64,
    peak_rss_mb: Option<f64>,
}

/// Runs a command with its output discarded; peak RSS from GNU time when it is installed.
fn measure(program: &Path, args: &[&std::ffi::OsStr]) -> anyhow::Result<Measured> {
    let time = Path::new("/usr/bin/time");
    let rss_file = std::env::temp_dir().join(format!("pcap-tls-bench-{}.rss", std::process::id()));
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    let start = Instant::now();
    let status = cmd
        .status()
        .with_context(|| program.display().to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    // The CLI exits 1 when it finds errors in the capture: not a failure of the run.
    anyhow::ensure!(
        matches!(status.code(), Some(0 | 1)),
        "{} failed: {status}",
        program.display()
    );
    let peak_rss_mb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().lines().last()?.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    let _ = std::fs::remove_file(&rss_file);
    Ok(Measured {
        seconds,
        peak_rss_mb,
    })
}

fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mid = runs.len() / 2;
    runs.swap_remove(mid)
}

fn run(
    sizes: &[String],
    shapes: &[Shape],
    dir: &Path,
    runs: usize,
    no_tshark: bool,
    compare: &[PathBuf],
) -> anyhow::Result<()> {
    let cli = build_cli()?;
    let me = std::env::current_exe()?;
    let tshark = (!no_tshark).then(|| which("tshark")).flatten();
    println!("| capture | tool | time (s) | MB/s | peak RSS (MB) | time / floor | tshark / tool |");
    println!("|---|---|---|---|---|---|---|");
    for (shape, size) in shapes
        .iter()
        .flat_map(|shape| sizes.iter().map(move |size| (*shape, size)))
    {
        let bytes = parse_size(size)?;
        let file = dir.join(shape.file_name(size));
        let fresh = std::fs::metadata(&file).is_ok_and(|m| m.len() >= bytes);
        if !fresh {
            let start = Instant::now();
            let g = write_capture(&shape.config(bytes), &file)?;
            eprintln!(
                "generated {}: {} bytes, {} frames, {} connections in {:.1} s",
                file.display(),
                g.bytes,
                g.frames,
                g.connections,
                start.elapsed().as_secs_f64()
            );
        }
        let len = std::fs::metadata(&file)?.len() as f64;
        let mb = len / 1e6;
        let path = file.as_os_str();
        // Warm the page cache: every tool then reads from memory.
        measure(&me, &["floor".as_ref(), "--records-only".as_ref(), path])?;
        let series = |program: &Path, args: &[&std::ffi::OsStr]| -> anyhow::Result<Measured> {
            let mut all = Vec::new();
            for _ in 0..runs {
                all.push(measure(program, args)?);
            }
            Ok(median(all))
        };
        let records = series(&me, &["floor".as_ref(), "--records-only".as_ref(), path])?;
        let floor = series(&me, &["floor".as_ref(), path])?;
        let json: [&std::ffi::OsStr; 3] = ["--format".as_ref(), "json".as_ref(), path];
        let jsonl: [&std::ffi::OsStr; 3] = ["--format".as_ref(), "jsonl".as_ref(), path];
        // This build and the others in turn, run by run, so that a drift of the machine's
        // speed falls on all of them alike.
        let mut ours_runs = Vec::new();
        let mut lines_runs = Vec::new();
        let mut others: Vec<Vec<Measured>> = compare.iter().map(|_| Vec::new()).collect();
        for _ in 0..runs {
            ours_runs.push(measure(&cli, &json)?);
            lines_runs.push(measure(&cli, &jsonl)?);
            for (binary, runs) in compare.iter().zip(&mut others) {
                runs.push(measure(binary, &json)?);
            }
        }
        let ours = median(ours_runs);
        let lines = median(lines_runs);
        let others: Vec<Measured> = others.into_iter().map(median).collect();
        let theirs = tshark
            .as_deref()
            .map(|t| measure_tshark(t, path))
            .transpose()?;
        let row = |tool: &str, m: &Measured| {
            let rss = m
                .peak_rss_mb
                .map_or_else(|| "n/a".to_string(), |r| format!("{r:.1}"));
            let vs_tshark = theirs.as_ref().map_or_else(
                || "–".to_string(),
                |t| format!("{:.1}×", t.seconds / m.seconds),
            );
            println!(
                "| {} {size} ({mb:.0} MB) | {tool} | {:.3} | {:.0} | {rss} | {:.2} | {vs_tshark} |",
                shape.label(),
                m.seconds,
                mb / m.seconds,
                m.seconds / floor.seconds,
            );
        };
        row("pcap records only (pcap-parser)", &records);
        row("floor: + headers, flow lookup, TLS record headers", &floor);
        row("pcap-tls-diagnose --format json", &ours);
        row("pcap-tls-diagnose --format jsonl", &lines);
        for (binary, m) in compare.iter().zip(&others) {
            row(&format!("{} --format json", binary.display()), m);
        }
        if let Some(t) = &theirs {
            row("tshark -Y 'tls.handshake or tls.alert_message'", t);
        }
        coverage(&file, shape, size)?;
    }
    Ok(())
}

/// Prints (to stderr, below the table's rows) how many connections the report covers and how
/// large its JSON is per connection: the analysis in this process, the JSON counted, not kept.
fn coverage(file: &Path, shape: Shape, size: &str) -> anyhow::Result<()> {
    let mut input = std::fs::File::open(file)?;
    let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut input, &mut buf)?;
        if n == 0 || analyzer.push(&buf[..n]).is_err() {
            break;
        }
    }
    let report = match analyzer.finish() {
        Ok(r) => r,
        Err(failure) => failure.partial,
    };
    let mut counted = Counted(0);
    pcap_tls_diagnose_core::report::write_json(&report, &mut counted)?;
    let listed = report.connections.len() as u64;
    let outcomes = &report.capture.outcomes;
    let failed = report
        .connections
        .iter()
        .filter(|c| {
            c.findings
                .iter()
                .any(|f| f.severity == pcap_tls_diagnose_core::report::Severity::Error)
        })
        .count();
    eprintln!(
        "{} {size}: {} connections analysed ({} established, {} failed), {listed} listed in the \
         JSON ({failed} of them with an error finding): {:.1} MB, {} bytes per listed connection",
        shape.label(),
        outcomes.connections,
        outcomes.established,
        outcomes.failed,
        counted.0 as f64 / 1e6,
        counted.0 / listed.max(1)
    );
    Ok(())
}

/// A writer that only counts.
struct Counted(u64);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn parallel(files: usize, size: &str, shape: Shape, dir: &Path, runs: usize) -> anyhow::Result<()> {
    let cli = build_cli()?;
    let bytes = parse_size(size)?;
    let mut paths = Vec::new();
    for seed in 1..=files as u64 {
        let file = dir.join(format!("parallel-{seed}-{}", shape.file_name(size)));
        if !std::fs::metadata(&file).is_ok_and(|m| m.len() >= bytes) {
            let mut config = shape.config(bytes);
            config.seed = seed;
            write_capture(&config, &file)?;
        }
        paths.push(file.into_os_string());
    }
    // Warm the page cache.
    for p in &paths {
        let _ = std::fs::read(p)?;
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let with = |jobs: usize| -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec![
            "--format".into(),
            "jsonl".into(),
            format!("--jobs={jobs}").into(),
        ];
        args.extend(paths.iter().cloned());
        args
    };
    let (one, many) = (with(1), with(cores));
    let one: Vec<&std::ffi::OsStr> = one.iter().map(std::ffi::OsString::as_os_str).collect();
    let many: Vec<&std::ffi::OsStr> = many.iter().map(std::ffi::OsString::as_os_str).collect();
    let (mut serial, mut at_once) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        serial.push(measure(&cli, &one)?);
        at_once.push(measure(&cli, &many)?);
    }
    let (serial, at_once) = (median(serial), median(at_once));
    println!(
        "{files} × {} {size}, --format jsonl: one after another {:.3} s, {cores} at once {:.3} s: \
         {:.2}× faster (peak RSS {:.1} / {:.1} MB)",
        shape.label(),
        serial.seconds,
        at_once.seconds,
        serial.seconds / at_once.seconds,
        serial.peak_rss_mb.unwrap_or(0.0),
        at_once.peak_rss_mb.unwrap_or(0.0),
    );
    Ok(())
}

/// Builds the CLI (release) and returns its path.
fn build_cli() -> anyhow::Result<PathBuf> {
    let root = repo_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--release", "-q", "-p", "pcap-tls-diagnose"])
        .current_dir(&root)
        .status()?;
    anyhow::ensure!(built.success(), "building the CLI failed");
    Ok(root.join("target/release/pcap-tls-diagnose"))
}

/// tshark doing the equivalent job: the handshake messages and alerts of every frame.
fn measure_tshark(tshark: &Path, capture: &std::ffi::OsStr) -> anyhow::Result<Measured> {
    measure(
        tshark,
        &[
            "-n".as_ref(),
            "-r".as_ref(),
            capture,
            "-Y".as_ref(),
            "tls.handshake or tls.alert_message".as_ref(),
            "-T".as_ref(),
            "fields".as_ref(),
            "-e".as_ref(),
            "frame.number".as_ref(),
            "-e".as_ref(),
            "tls.handshake.type".as_ref(),
            "-e".as_ref(),
            "tls.alert_message.desc".as_ref(),
        ],
    )
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}
