//! Hostile inputs end cleanly with bounded memory. Each analysis runs under a heap limit
//! (the `cap` allocator wrapping the system one): going past it makes the allocation fail and
//! the test abort, so a passing test proves the bound.

mod common;

use std::alloc::System;
use std::sync::Mutex;

use cap::Cap;
use common::{SYN, conversation, pcap, tcp_frame};
use pcap_tls_diagnose_core::diagnose;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Limits are process-wide: tests measure one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` with at most `bound` more heap bytes than are live now.
fn bounded<T>(bound: usize, f: impl FnOnce() -> T) -> T {
    let _serial = SERIAL.lock();
    ALLOCATOR
        .set_limit(ALLOCATOR.allocated() + bound)
        .expect("the limit is above what is allocated");
    let out = f();
    ALLOCATOR.set_limit(usize::MAX).expect("lifting the limit");
    out
}

const MIB: usize = 1 << 20;

#[test]
fn a_16_mib_handshake_length_claim_is_skipped_not_buffered() {
    // A ClientHello record whose handshake header claims 0xffffff bytes, followed by 16 MiB
    // of records that would be its body.
    let mut data = vec![(
        true,
        vec![0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0xff, 0xff, 0xff],
    )];
    let mut body = Vec::new();
    while body.len() < 16 * MIB {
        body.extend([0x16, 0x03, 0x03, 0x3f, 0xff]);
        body.extend(std::iter::repeat_n(0xab, 0x3fff));
    }
    for chunk in body.chunks(60_000) {
        data.push((true, chunk.to_vec()));
    }
    let file = pcap(&conversation(&data));
    // The report itself is small; the claimed message is never buffered.
    let report = bounded(4 * MIB, || diagnose(&file).expect("a valid capture"));
    let conn = &report.connections[0];
    assert!(
        conn.anomalies.iter().any(|a| a.kind == "oversized_message"),
        "{:?}",
        conn.anomalies
    );
}

/// A capture of a million SYNs from as many clients (a SYN flood's shape).
fn a_million_syns() -> Vec<u8> {
    let frames: Vec<Vec<u8>> = (0..1_000_000u32)
        .map(|i| {
            let ip = [10, (i >> 16) as u8, (i >> 8) as u8, i as u8];
            tcp_frame((ip, 40000), ([192, 0, 2, 1], 443), i, 0, SYN, b"")
        })
        .collect();
    pcap(&frames)
}

/// A million connections that never end (one SYN each, as in a SYN flood): at most 100,000 are
/// held open (the longest idle are analysed as they stand), every one is analysed, and a
/// report lists at most 100,000 while saying how many more there were.
#[test]
fn a_million_tiny_connections_are_all_analysed_within_the_limits() {
    let file = a_million_syns();
    // Open connections and the listed entries are the whole cost.
    let report = bounded(512 * MIB, || diagnose(&file).expect("a valid capture"));
    let listed = pcap_tls_diagnose_core::internals::MAX_LISTED;
    assert_eq!(report.connections.len(), listed);
    assert_eq!(
        report.capture.unlisted_connections as usize,
        1_000_000 - listed
    );
    let open = pcap_tls_diagnose_core::internals::MAX_OPEN_CONNECTIONS;
    assert!(report.capture.evicted_connections as usize >= 1_000_000 - open);
    assert_eq!(report.capture.untracked_connections, 0);
}

/// Taken as they come (as `--format jsonl` does), a million connections pass through in far
/// less memory than their reports would take, and none is left out.
#[test]
fn connections_taken_as_they_come_keep_memory_flat() {
    let file = a_million_syns();
    let (taken, report) = bounded(64 * MIB, || {
        let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
        analyzer.set_max_open_connections(10_000);
        let mut taken = 0;
        for chunk in file.chunks(1 << 20) {
            analyzer.push(chunk).expect("a valid capture");
            taken += analyzer.take_connections().len();
        }
        let report = analyzer.finish().expect("a valid capture");
        (taken, report)
    });
    assert_eq!(taken + report.connections.len(), 1_000_000);
    assert_eq!(report.capture.unlisted_connections, 0);
    assert!(report.capture.evicted_connections >= 990_000);
}

#[test]
fn zero_length_records_are_counted_and_events_capped() {
    let mut records = Vec::new();
    for _ in 0..100_000 {
        records.extend([0x17, 0x03, 0x03, 0x00, 0x00]); // empty application_data
        records.extend([0x16, 0x03, 0x03, 0x00, 0x00]); // empty handshake record
    }
    let hello = [0x16, 0x03, 0x01, 0x00, 0x04, 0x0e, 0x00, 0x00, 0x00]; // a ServerHelloDone
    let mut data = vec![(true, hello.to_vec())];
    data.extend(records.chunks(1400).map(|c| (true, c.to_vec())));
    let file = pcap(&conversation(&data));
    let report = bounded(8 * MIB, || diagnose(&file).expect("a valid capture"));
    let conn = &report.connections[0];
    // 100,000 empty application_data records are counted, not listed one by one.
    assert_eq!(conn.client_to_server.application_data_records, 100_000);
    assert!(conn.messages.len() + conn.alerts.len() <= 512);
}
