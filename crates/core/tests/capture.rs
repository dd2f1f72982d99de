//! Capture decoding: formats, chunking, and hostile files.
//!
//! Synthetic files are built byte by byte here (each helper names the layout it writes), so every
//! field is under the test's control; real files come from pcaps/ and the public corpus.

mod common;

use pcap_tls_diagnose_core::internals::{CaptureReader, Frame, FrameSink, LinkType};
use pcap_tls_diagnose_core::{Analyzer, CaptureErrorKind, diagnose};

/// A frame as handed out: number, timestamp, link type, data, original length, interface.
type FrameRow = (u64, Option<i64>, u32, Vec<u8>, u32, u32);

/// What a reader handed out.
#[derive(Default)]
struct Collect {
    frames: Vec<FrameRow>,
    secrets: Vec<(u32, Vec<u8>, u64)>,
}

impl FrameSink for Collect {
    fn frame(&mut self, f: &Frame<'_>) {
        self.frames.push((
            f.number,
            f.timestamp
                .map(pcap_tls_diagnose_core::report::Timestamp::nanos),
            f.link_type.0,
            f.data.to_vec(),
            f.original_len,
            f.interface,
        ));
    }
    fn secrets(&mut self, kind: u32, data: &[u8], next_frame: u64) {
        self.secrets.push((kind, data.to_vec(), next_frame));
    }
}

/// Reads `bytes` in chunks of `chunk` bytes.
fn read(bytes: &[u8], chunk: usize) -> (Collect, Result<(), CaptureErrorKind>) {
    let mut reader = CaptureReader::new();
    let mut sink = Collect::default();
    let mut result = Ok(());
    for piece in bytes.chunks(chunk.max(1)) {
        if let Err(e) = reader.push(piece, &mut sink) {
            result = Err(e.kind);
            break;
        }
    }
    if result.is_ok() {
        result = reader.finish(&mut sink).map_err(|e| e.kind);
    }
    (sink, result)
}

// --- pcap -------------------------------------------------------------------------------------

/// pcap file header: magic, version 2.4, thiszone, sigfigs, snaplen 65535, link type.
fn pcap_header(magic: u32, big_endian: bool, link_type: u32) -> Vec<u8> {
    let mut v = Vec::new();
    let put32 = |v: &mut Vec<u8>, x: u32| {
        v.extend(if big_endian {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    };
    put32(&mut v, magic);
    let (major, minor) = (2u16, 4u16);
    if big_endian {
        v.extend(major.to_be_bytes());
        v.extend(minor.to_be_bytes());
    } else {
        v.extend(major.to_le_bytes());
        v.extend(minor.to_le_bytes());
    }
    put32(&mut v, 0);
    put32(&mut v, 0);
    put32(&mut v, 65535);
    put32(&mut v, link_type);
    v
}

/// pcap record: ts_sec, ts_frac, caplen, origlen, data.
fn pcap_record(big_endian: bool, secs: u32, frac: u32, data: &[u8], orig: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [secs, frac, data.len() as u32, orig] {
        v.extend(if big_endian {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        });
    }
    v.extend(data);
    v
}

#[test]
fn pcap_in_both_byte_orders_and_resolutions() {
    for (magic, nanos) in [(0xa1b2_c3d4u32, false), (0xa1b2_3c4d, true)] {
        for big_endian in [false, true] {
            let mut file = pcap_header(magic, big_endian, 1 | 0x0400_0000);
            file.extend(pcap_record(big_endian, 1_700_000_000, 123, b"abc", 60));
            file.extend(pcap_record(big_endian, 1_700_000_001, 0, b"", 0));
            let (got, result) = read(&file, 7);
            assert_eq!(result, Ok(()));
            assert_eq!(got.frames.len(), 2);
            let first = &got.frames[0];
            let frac_ns = if nanos { 123 } else { 123_000 };
            assert_eq!(first.0, 1);
            assert_eq!(first.1, Some(1_700_000_000 * 1_000_000_000 + frac_ns));
            assert_eq!(first.2, LinkType::ETHERNET.0, "FCS bits are masked off");
            assert_eq!(first.3, b"abc");
            assert_eq!(first.4, 60);
            assert_eq!(got.frames[1].0, 2);
        }
    }
}

#[test]
fn modified_pcap_has_24_byte_record_headers() {
    let mut file = pcap_header(0xa1b2_cd34, false, 101);
    file.extend(pcap_record(false, 5, 6, &[], 0)[..16].to_vec());
    file.extend([0u8; 8]); // ifindex, protocol, pkt_type, pad
    let (got, result) = read(&file, 1000);
    assert_eq!(result, Ok(()));
    assert_eq!(got.frames.len(), 1);
    assert_eq!(got.frames[0].2, 101);
}

#[test]
fn every_chunking_gives_the_same_frames() {
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../pcaps/tls12-mtls-ok-ecdsa-dumpcap.pcapng"
    ))
    .expect("capture");
    let (whole, result) = read(&file, file.len());
    assert_eq!(result, Ok(()));
    assert!(whole.frames.len() > 10);
    for chunk in [1, 3, 4, 7, 64, 1000] {
        let (got, result) = read(&file, chunk);
        assert_eq!(result, Ok(()), "chunk {chunk}");
        assert_eq!(got.frames, whole.frames, "chunk {chunk}");
    }
}

// --- pcapng -----------------------------------------------------------------------------------

/// A pcapng block: type, total length, body (padded to 4), total length.
fn block(big_endian: bool, kind: u32, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = body.len() as u32 + 12;
    let w = |x: u32| {
        if big_endian {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut v = Vec::new();
    v.extend(w(kind));
    v.extend(w(len));
    v.extend(body);
    v.extend(w(len));
    v
}

fn u16b(big_endian: bool, x: u16) -> [u8; 2] {
    if big_endian {
        x.to_be_bytes()
    } else {
        x.to_le_bytes()
    }
}
fn u32b(big_endian: bool, x: u32) -> [u8; 4] {
    if big_endian {
        x.to_be_bytes()
    } else {
        x.to_le_bytes()
    }
}

/// Section Header Block: byte-order magic, version 1.0, section length -1.
fn shb(big_endian: bool) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u32b(big_endian, 0x1a2b_3c4d));
    body.extend(u16b(big_endian, 1));
    body.extend(u16b(big_endian, 0));
    body.extend([0xff; 8]);
    block(big_endian, 0x0a0d_0d0a, &body)
}

/// Interface Description Block with optional if_tsresol (9) and if_tsoffset (14).
fn idb(big_endian: bool, link_type: u16, tsresol: Option<u8>, tsoffset: Option<i64>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u16b(big_endian, link_type));
    body.extend([0, 0]);
    body.extend(u32b(big_endian, 0));
    if let Some(r) = tsresol {
        body.extend(u16b(big_endian, 9));
        body.extend(u16b(big_endian, 1));
        body.extend([r, 0, 0, 0]);
    }
    if let Some(o) = tsoffset {
        body.extend(u16b(big_endian, 14));
        body.extend(u16b(big_endian, 8));
        body.extend(if big_endian {
            o.to_be_bytes()
        } else {
            o.to_le_bytes()
        });
    }
    if tsresol.is_some() || tsoffset.is_some() {
        body.extend([0; 4]); // opt_endofopt
    }
    block(big_endian, 1, &body)
}

/// Enhanced Packet Block.
fn epb(big_endian: bool, interface: u32, ts: u64, data: &[u8], orig: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(u32b(big_endian, interface));
    body.extend(u32b(big_endian, (ts >> 32) as u32));
    body.extend(u32b(big_endian, ts as u32));
    body.extend(u32b(big_endian, data.len() as u32));
    body.extend(u32b(big_endian, orig));
    body.extend(data);
    block(big_endian, 6, &body)
}

#[test]
fn pcapng_sections_interfaces_resolutions_and_offsets() {
    let mut file = shb(false);
    file.extend(idb(false, 1, None, None)); // µs
    file.extend(idb(false, 101, Some(9), Some(100))); // ns, +100 s
    file.extend(epb(false, 0, 1_500_000, b"one", 3));
    file.extend(epb(false, 1, 2_000_000_001, b"two", 90));
    // A Decryption Secrets Block: type TLSK, length, key log text.
    let keylog = b"CLIENT_RANDOM 00 11\n";
    let mut dsb = Vec::new();
    dsb.extend(0x544c_534bu32.to_le_bytes());
    dsb.extend((keylog.len() as u32).to_le_bytes());
    dsb.extend(keylog);
    file.extend(block(false, 0x0a, &dsb));
    // A second section in the other byte order: interfaces start again, binary resolution 2^-10.
    file.extend(shb(true));
    file.extend(idb(true, 113, Some(0x80 | 0x0a), None));
    file.extend(epb(true, 0, 3 * 1024 + 512, b"three", 5));
    let (got, result) = read(&file, 5);
    assert_eq!(result, Ok(()));
    let summary: Vec<_> = got
        .frames
        .iter()
        .map(|f| (f.0, f.1, f.2, f.3.clone(), f.5))
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, Some(1_500_000_000), 1, b"one".to_vec(), 0),
            (2, Some(102_000_000_001), 101, b"two".to_vec(), 1),
            (3, Some(3_500_000_000), 113, b"three".to_vec(), 0),
        ]
    );
    assert_eq!(got.secrets, vec![(0x544c_534b, keylog.to_vec(), 3)]);
}

#[test]
fn pcapng_packet_naming_a_missing_interface_is_an_error_with_its_offset() {
    let mut file = shb(false);
    file.extend(idb(false, 1, None, None));
    let offset = file.len() as u64;
    file.extend(epb(false, 3, 0, b"x", 1));
    let mut analyzer = Analyzer::new();
    let _ = analyzer.push(&file);
    let failure = analyzer.finish().expect_err("must fail");
    assert_eq!(failure.error.offset, offset);
    assert!(
        failure.error.to_string().contains("names interface 3"),
        "{}",
        failure.error
    );
}

// --- Hostile files ----------------------------------------------------------------------------

#[test]
fn empty_file() {
    let failure = diagnose(&[]).expect_err("empty");
    assert_eq!(failure.error.kind, CaptureErrorKind::Empty);
    assert_eq!(failure.to_string(), "the file is empty");
}

#[test]
fn not_a_capture() {
    let failure = diagnose(b"GET / HTTP/1.1\r\n").expect_err("text");
    assert!(matches!(
        failure.error.kind,
        CaptureErrorKind::NotACapture { .. }
    ));
    assert!(
        failure
            .to_string()
            .starts_with("not a pcap or pcapng capture")
    );
    assert_eq!(failure.partial.capture.frames, 0);
}

#[test]
fn random_bytes_never_panic() {
    // A fixed xorshift sequence: deterministic, no dependency.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..2000 {
        let len = (next() % 600) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Half the inputs get a valid magic so that the record and block parsers are reached.
        match round % 4 {
            0 => bytes
                .splice(0..0, pcap_header(0xa1b2_c3d4, false, 1))
                .for_each(drop),
            1 => bytes.splice(0..0, shb(round % 8 == 1)).for_each(drop),
            _ => {}
        }
        let _ = diagnose(&bytes);
    }
}

/// A capture cut at any byte reads as its whole frames before the cut and a "cut short" error.
/// The reader is run at every cut; the whole analysis once per distinct prefix of whole frames
/// (a cut inside a frame hands the later stages the same frames as a cut before it, so this
/// covers every input they can get from these files).
#[test]
fn every_prefix_of_a_real_capture_is_handled() {
    for name in [
        "tls12-mtls-missing-client-cert-openssl.pcap",
        "tls12-mtls-ok-ecdsa-dumpcap.pcapng",
        "tls13-mtls-missing-client-cert-keylog-embedded.pcapng",
    ] {
        let file = std::fs::read(format!("{}/../../pcaps/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("capture");
        let full = diagnose(&file).expect("complete file");
        let mut analysed = std::collections::BTreeSet::new();
        for cut in 0..=file.len() {
            let prefix = &file[..cut];
            let (read, result) = read(prefix, prefix.len());
            let frames = read.frames.len() as u64;
            assert!(frames <= full.capture.frames, "{name} cut at {cut}");
            if let Err(kind) = &result {
                assert!(
                    matches!(
                        kind,
                        CaptureErrorKind::CutShort { .. } | CaptureErrorKind::Empty
                    ),
                    "{name} cut at {cut}: {kind:?}"
                );
            }
            if !analysed.insert((frames, read.secrets.len())) {
                continue;
            }
            let report = match diagnose(prefix) {
                Ok(report) => report,
                Err(failure) => failure.partial,
            };
            assert_eq!(report.capture.frames, frames, "{name} cut at {cut}");
        }
        assert_eq!(
            analysed.len() as u64,
            full.capture.frames + 1 + u64::from(name.contains("embedded")),
            "{name}"
        );
    }
}

#[test]
fn cut_short_says_where_and_keeps_what_was_read() {
    let mut file = pcap_header(0xa1b2_c3d4, false, 1);
    file.extend(pcap_record(false, 1, 0, &[0u8; 40], 40));
    let second = file.len() as u64;
    file.extend(&pcap_record(false, 2, 0, &[0u8; 40], 40)[..30]);
    let failure = diagnose(&file).expect_err("cut short");
    assert_eq!(
        failure.error.kind,
        CaptureErrorKind::CutShort {
            what: "pcap record",
            missing: 26
        }
    );
    assert_eq!(failure.error.offset, second);
    assert_eq!(failure.partial.capture.frames, 1);
    assert_eq!(
        failure.to_string(),
        format!("the file is cut short: a pcap record at byte offset {second} needs 26 more bytes")
    );
}

#[test]
fn absurd_lengths_are_refused_before_anything_is_buffered() {
    // A pcap record claiming 4 GiB.
    let mut file = pcap_header(0xa1b2_c3d4, false, 1);
    let mut record = pcap_record(false, 1, 0, &[], 0);
    record[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    file.extend(record);
    let failure = diagnose(&file).expect_err("absurd");
    assert!(matches!(
        failure.error.kind,
        CaptureErrorKind::BadLength {
            what: "pcap record",
            length: 4_294_967_295,
            ..
        }
    ));
    assert_eq!(failure.error.offset, 24);

    // A pcapng block claiming 1 GiB, one claiming 8 bytes, one not a multiple of 4.
    for (length, expect_bad_length) in [(1u32 << 30, true), (8, true), (30, false)] {
        let mut file = shb(false);
        let offset = file.len() as u64;
        file.extend(6u32.to_le_bytes());
        file.extend(length.to_le_bytes());
        file.extend([0u8; 64]);
        let failure = diagnose(&file).expect_err("absurd block");
        assert_eq!(failure.error.offset, offset);
        assert_eq!(
            matches!(failure.error.kind, CaptureErrorKind::BadLength { .. }),
            expect_bad_length,
            "{:?}",
            failure.error.kind
        );
    }

    // Mismatched trailing length in a pcapng block.
    let mut file = shb(false);
    let mut bad = epb(false, 0, 0, b"abcd", 4);
    let n = bad.len();
    bad[n - 4] ^= 0xff;
    file.extend(idb(false, 1, None, None));
    file.extend(bad);
    let failure = diagnose(&file).expect_err("mismatch");
    assert!(matches!(
        failure.error.kind,
        CaptureErrorKind::Malformed { .. }
    ));
}

#[test]
fn gzip_compressed_captures_are_read_like_the_original() {
    // The public corpus has one; skip quietly without it.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/captures/zeek/tls-fragmented-handshake.pcap.gz"
    );
    let Ok(file) = std::fs::read(path) else {
        eprintln!("skipping: {path} not present");
        return;
    };
    let report = diagnose(&file).expect("gzip capture");
    assert!(report.capture.gzip);
    assert!(report.capture.frames > 0);
    // Byte-by-byte chunking gives the same frames.
    let (whole, _) = read(&file, file.len());
    let (tiny, result) = read(&file, 1);
    assert_eq!(result, Ok(()));
    assert_eq!(whole.frames, tiny.frames);
    // Cut short inside the compressed stream: an error, never a panic.
    let cut = diagnose(&file[..file.len() / 2]).expect_err("cut");
    assert!(cut.partial.capture.frames < report.capture.frames);
}

/// The connections of one client offer the same lists: the report holds each list once, shared
/// by every connection that offered it (a busy capture's memory grows much slower).
#[test]
fn identical_client_hello_lists_are_shared_between_connections() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../pcaps/tls12-interleaved-connections.pcap");
    let report = diagnose(&std::fs::read(path).expect("capture")).expect("report");
    let hellos: Vec<_> = report
        .connections
        .iter()
        .filter_map(|c| c.client_hello.as_ref())
        .collect();
    assert!(hellos.len() >= 2, "{} ClientHellos", hellos.len());
    for other in &hellos[1..] {
        assert_eq!(other.cipher_suites, hellos[0].cipher_suites);
        assert!(std::sync::Arc::ptr_eq(
            &other.cipher_suites,
            &hellos[0].cipher_suites
        ));
        assert!(std::sync::Arc::ptr_eq(
            &other.extensions,
            &hellos[0].extensions
        ));
    }
}

/// A connection that ended (FIN both ways) is held a while — its last ACK still counts — and
/// leaves the analysis when a minute of capture time has passed or more than a thousand other
/// connections ended after it; its report entry can then be taken at once, and a segment of it
/// that comes later still is counted as late, not taken for a new connection. A reset
/// connection is held likewise (the peer's alert can follow the RST).
#[test]
fn ended_connections_leave_the_analysis_soon_after_they_end() {
    use common::{ACK, FIN_ACK, SYN, conversation, pcap, tcp_frame};
    let (client, server) = (([10, 0, 0, 1], 50000), ([10, 0, 0, 2], 443));
    // A TLS record each way (plain text would wait for the end of the capture: its findings
    // can name a later connection on the same port).
    let record = vec![0x17, 0x03, 0x03, 0x00, 0x01, 0xaa];
    let mut frames = conversation(&[(true, record.clone()), (false, record)]);
    // Client FIN, server FIN, the client's last ACK (sequence numbers from conversation()).
    frames.push(tcp_frame(client, server, 1007, 5007, FIN_ACK, b""));
    frames.push(tcp_frame(server, client, 5007, 1008, FIN_ACK, b""));
    frames.push(tcp_frame(client, server, 1008, 5008, ACK, b""));
    let ended = frames.len();
    let mut analyzer = Analyzer::new();
    analyzer.push(&pcap(&frames)).expect("capture");
    assert_eq!(
        analyzer.connections(),
        (1, 1),
        "held until its last ACKs are in"
    );
    assert!(analyzer.take_connections().is_empty());
    // 1,100 more connections open and close.
    for k in 0..1100u16 {
        let other = ([10, 0, 1, 1], 51000 + k);
        frames.push(tcp_frame(other, server, 100, 0, SYN, b""));
        frames.push(tcp_frame(server, other, 900, 101, SYN | ACK, b""));
        frames.push(tcp_frame(other, server, 101, 901, FIN_ACK, b""));
        frames.push(tcp_frame(server, other, 901, 102, FIN_ACK, b""));
    }
    // A retransmission of the first connection's last ACK, long after.
    frames.push(tcp_frame(client, server, 1008, 5008, ACK, b""));
    let mut analyzer = Analyzer::new();
    analyzer.push(&pcap(&frames)).expect("capture");
    let (seen, held) = analyzer.connections();
    assert_eq!(seen, 1101);
    assert!(held <= 1025, "{held} held");
    let taken = analyzer.take_connections();
    let first = taken
        .iter()
        .find(|c| c.id == 1)
        .expect("connection 1 taken");
    assert!(first.client_to_server.fin && first.server_to_client.fin);
    assert_eq!(first.last_frame as usize, ended, "the last ACK counts");
    let report = analyzer.finish().expect("report");
    assert_eq!(taken.len() + report.connections.len(), 1101);
    assert_eq!(report.capture.untracked_frames, 1);

    let read = |name: &str| {
        std::fs::read(format!("{}/../../pcaps/{name}", env!("CARGO_MANIFEST_DIR"))).expect(name)
    };
    let mut reset = Analyzer::new();
    reset
        .push(&read("tls-reset-after-client-hello.pcap"))
        .expect("capture");
    assert_eq!(reset.connections(), (1, 1));
}
