//! Criterion micro-benchmarks of the hot stages, on a generated 8 MiB capture of bulk TLS:
//! pcap record iteration, link/IP/TCP decoding, the floor (decoding + flow lookup + TLS record
//! headers), and the whole analysis.
//!
//! `cargo bench -p pcap-tls-bench`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pcap_tls_bench::{floor, generate};
use pcap_tls_diagnose_core::internals::{CaptureReader, Frame, FrameSink};

fn capture() -> Vec<u8> {
    let pcaps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pcaps");
    let templates = generate::load_templates(&pcaps).expect("templates");
    let mut out = Vec::new();
    generate::generate(
        &generate::Config {
            target_bytes: 8 << 20,
            ..generate::Config::default()
        },
        &templates,
        &mut out,
    )
    .expect("generate");
    out
}

/// Counts frames and decodes each to a TCP segment.
#[derive(Default)]
struct Decode {
    frames: u64,
    tcp: u64,
    wire: bool,
}

impl FrameSink for Decode {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.frames += 1;
        if self.wire
            && pcap_tls_diagnose_core::internals::decode_frame(frame.link_type, frame.data).is_ok()
        {
            self.tcp += 1;
        }
    }
}

fn stages(c: &mut Criterion) {
    let bytes = capture();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);
    for (name, wire) in [("capture records", false), ("records + wire decode", true)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut reader = CaptureReader::default();
                let mut sink = Decode {
                    wire,
                    ..Decode::default()
                };
                for chunk in bytes.chunks(1 << 20) {
                    reader.push(chunk, &mut sink).expect("capture");
                }
                reader.finish(&mut sink).expect("capture");
                sink.frames
            });
        });
    }
    group.bench_function("floor (pcap-parser, headers, flows, TLS records)", |b| {
        b.iter(|| floor::run(&bytes[..], true).expect("floor").records);
    });
    group.bench_function("whole analysis", |b| {
        b.iter(|| {
            let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
            for chunk in bytes.chunks(1 << 20) {
                analyzer.push(chunk).expect("capture");
            }
            analyzer.finish().expect("capture").connections.len()
        });
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
