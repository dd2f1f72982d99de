//! # pcap-tls-diagnose-core
//!
//! Reads a packet capture (pcap or pcapng, optionally gzip-compressed) and explains what happened
//! on each TLS connection in it. This is the whole engine; the `pcap-tls-diagnose` CLI and the
//! WASM page are thin shells around it.
//!
//! ```text
//! bytes / chunks ─► capture     pcap + pcapng → Frame { number (1-based), timestamp, link type, … }
//!               ─► wire        Ethernet/VLAN/SLL/SLL2/loopback/raw/NFLOG/PPP → IPv4/IPv6 → TCP
//!               ─► flow        connection table; who is client and who is server
//!               ─► report      one owned, serializable Report; text rendering
//! ```
//!
//! Later stages (TCP reassembly, TLS, certificates, findings) plug in between `flow` and `report`.
//!
//! The core never reads the clock, the file system or the network, never panics on capture
//! bytes, and keeps memory bounded by the number of connections, not the size of the file: feed
//! it chunks with [`Analyzer::push`].
//!
//! ```
//! let capture = include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-openssl.pcap");
//! let report = pcap_tls_diagnose_core::diagnose(capture)?;
//! assert_eq!(report.connections.len(), 1);
//! assert!(report.connections[0].starts_like_tls);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Capture bytes must never panic the core: no unwrap/expect outside tests.
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod capture;
pub mod error;
pub mod findings;
pub mod flow;
#[doc(hidden)]
pub mod fuzzing;
pub mod reassembly;
pub mod report;
mod timeline;
pub mod tls;
pub mod verify;
pub mod wire;
mod words;
pub mod x509;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use capture::{CaptureReader, Frame, FrameSink, LinkType, Timestamp};
pub use error::{CaptureError, CaptureErrorKind};
use flow::{Connection, ConnectionTable, SideStats};
use reassembly::Reassembler;
pub use report::Report;
use report::{CaptureSummary, ConnectionReport, NotAnalysed, OpeningReport, Tool, Traffic};
use tls::{Now, TlsConnection};
use wire::NotTcp;

/// Lower-case hex of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Analyses a whole capture held in memory.
///
/// On a capture that cannot be read to its end, the error carries the report of everything read
/// before the problem.
pub fn diagnose(bytes: &[u8]) -> Result<Report, Box<DiagnoseError>> {
    let mut analyzer = Analyzer::new();
    // An error is remembered by the analyzer and returned by `finish` with the partial report.
    let _ = analyzer.push(bytes);
    analyzer.finish()
}

/// A capture could not be read to its end.
#[derive(Debug)]
pub struct DiagnoseError {
    /// What went wrong, and where.
    pub error: CaptureError,
    /// Everything that was read before it (its `capture.error` holds the same error).
    pub partial: Report,
}

impl fmt::Display for DiagnoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for DiagnoseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// The streaming analyser: push the capture in chunks of any size, then [`finish`](Self::finish).
#[derive(Default)]
pub struct Analyzer {
    reader: CaptureReader,
    state: State,
    /// The certificate chain the user says the client should have sent.
    client_certificates: Vec<x509::CertSummary>,
    /// The CAs the user trusts (`--ca`).
    trust_store: Vec<x509::CertSummary>,
}

/// What the analysis has gathered so far.
#[derive(Default)]
struct State {
    table: ConnectionTable,
    /// Reassembly and TLS state (or, once a connection ended, its report entry), by
    /// connection index.
    streams: Vec<Stream>,
    last_frame: u64,
    first_timestamp: Option<Timestamp>,
    last_timestamp: Option<Timestamp>,
    link_types: BTreeSet<LinkType>,
    truncated_frames: u64,
    tcp_frames: u64,
    not_tcp: BTreeMap<NotTcp, u64>,
    /// The key log (`--keylog` and pcapng Decryption Secrets Blocks, merged) and what else all
    /// connections share.
    shared: tls::Shared,
    secrets_bytes: usize,
    secrets_blocks: u64,
}

/// A connection's analysis: live while it is open; once both directions have ended (a FIN with
/// everything before it delivered), its report entry, and its reassembly and TLS state are
/// freed. A capture of many connections holds the state of those still open only. (A reset
/// connection stays live to the end: the peer's last segments, often its alert, can follow the
/// RST in the capture.)
enum Stream {
    Live(Box<StreamState>),
    Done(Box<ConnectionReport>),
}

impl Default for Stream {
    fn default() -> Self {
        Self::Live(Box::default())
    }
}

/// A connection's two byte streams and its TLS layer.
#[derive(Default)]
struct StreamState {
    /// Side A's and side B's reassemblers.
    reassembly: [Reassembler; 2],
    tls: TlsConnection,
}

impl StreamState {
    /// Delivers everything still held (end of capture).
    fn flush(&mut self, frame: u64, shared: &tls::Shared) {
        for side in 0..2 {
            let Self { reassembly, tls } = self;
            reassembly[side].flush(frame, &mut |d| tls.deliver(side, &d, None, shared));
        }
    }
}

/// Most bytes of pcapng Decryption Secrets read (key logs are small: ~500 bytes per TLS 1.3
/// connection).
const MAX_SECRETS_BYTES: usize = 16 * 1024 * 1024;

/// The pcapng Decryption Secrets Block type of an SSLKEYLOGFILE text ("TLSK").
const TLS_KEY_LOG: u32 = 0x544c_534b;

impl FrameSink for State {
    fn frame(&mut self, frame: &Frame<'_>) {
        if let Some(ts) = frame.timestamp {
            self.first_timestamp.get_or_insert(ts);
            self.last_timestamp = Some(ts);
        }
        self.link_types.insert(frame.link_type);
        let truncated = frame.is_truncated();
        if truncated {
            self.truncated_frames += 1;
        }
        self.last_frame = frame.number;
        match wire::decode(frame.link_type, frame.data) {
            Ok(segment) => {
                self.tcp_frames += 1;
                let Some(tracked) = self.table.track(
                    &segment,
                    frame.number,
                    frame.original_len,
                    truncated,
                    frame.timestamp,
                ) else {
                    return;
                };
                if tracked.index >= self.streams.len() {
                    self.streams.resize_with(tracked.index + 1, Stream::default);
                }
                let side = usize::from(!tracked.from_a);
                let now = Some(Now {
                    frame: frame.number,
                    time: frame.timestamp,
                });
                let keys = &self.shared;
                let Stream::Live(stream) = &mut self.streams[tracked.index] else {
                    // Both directions ended: later segments are retransmissions.
                    return;
                };
                let StreamState { reassembly, tls } = &mut **stream;
                if segment.flags.ack() {
                    let peer = 1 - side;
                    reassembly[peer].acknowledge(segment.ack, frame.number, &mut |d| {
                        tls.deliver(peer, &d, now, keys);
                    });
                }
                if !reassembly[side].is_started() && !segment.flags.syn() {
                    tls.midstream(side);
                }
                if tls.past_cleartext(side) {
                    reassembly[side].forget_history();
                }
                let flags = segment.flags;
                let seg = reassembly::Segment {
                    seq: segment.seq,
                    syn: flags.syn(),
                    fin: flags.fin(),
                    payload: segment.payload,
                    wire_len: segment.payload_len as usize,
                    frame: frame.number,
                    time: frame.timestamp,
                };
                reassembly[side].segment(&seg, &mut |d| tls.deliver(side, &d, now, keys));
                if reassembly.iter().all(Reassembler::is_finished) {
                    let conn = &self.table.connections()[tracked.index];
                    tls.settle();
                    // The key log's part is dropped at the end when there is no key log.
                    let entry = connection_report(conn, stream, true);
                    self.streams[tracked.index] = Stream::Done(Box::new(entry));
                }
            }
            Err(reason) => *self.not_tcp.entry(reason).or_default() += 1,
        }
    }

    fn secrets(&mut self, secrets_type: u32, data: &[u8], _next_frame: u64) {
        self.secrets_blocks += 1;
        if secrets_type == TLS_KEY_LOG && self.secrets_bytes + data.len() <= MAX_SECRETS_BYTES {
            self.secrets_bytes += data.len();
            let _ = self.shared.keylog.add(data);
        }
    }
}

impl Analyzer {
    /// An analyser at the start of a capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk of the capture file.
    ///
    /// After an error, further chunks are ignored; [`finish`](Self::finish) returns the error
    /// with the partial report.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), CaptureError> {
        self.reader.push(chunk, &mut self.state)
    }

    /// The certificate chain (leaf first) the user believes the client should have sent, read
    /// with [`x509::read_certificates`]. Each CertificateRequest is checked against it: issuer
    /// among the accepted CAs, key type, validity at the connection's time, key usage, and
    /// whether the client sent it. This turns an empty Certificate's "why" from likely to certain.
    pub fn set_client_certificates(&mut self, chain: Vec<x509::CertSummary>) {
        self.client_certificates = chain;
    }

    /// A trust store (read with [`x509::read_trust_store`]): each server and client chain is
    /// followed up to it, and where one breaks (an issuer neither sent nor trusted, a signature
    /// that does not verify) becomes a certain finding.
    pub fn set_trust_store(&mut self, cas: Vec<x509::CertSummary>) {
        self.trust_store = cas;
    }

    /// Adds a key log (SSLKEYLOGFILE text, RFC 9850) to decrypt with; returns how many of its
    /// lines hold a secret this tool uses (0: not a key log, or none of its labels). pcapng
    /// Decryption Secrets Blocks in the capture are added as they are read. Give it before the
    /// capture's connections: each is looked up at its ServerHello. Secrets never reach the
    /// report.
    pub fn add_key_log(&mut self, text: &[u8]) -> u64 {
        self.state.shared.keylog.add(text)
    }

    /// Checks every TLS 1.2 client CertificateVerify, also those the server accepted. By
    /// default a signature is checked only when the server did not answer it with its
    /// ChangeCipherSpec (which it sends only after verifying it): the check explains a failure,
    /// and on a capture of many mutual-TLS connections it would be most of the work.
    pub fn set_check_accepted_signatures(&mut self, check: bool) {
        self.state.shared.check_accepted_signatures = check;
    }

    /// Uses a key log already read (with [`tls::keylog::KeyLog::add`]), as when one key log
    /// serves several captures; replaces any given before. Call it before [`push`](Self::push).
    pub fn set_key_log(&mut self, log: tls::keylog::KeyLog) {
        self.state.shared.keylog = log;
    }

    /// Connections seen so far, and how many of them are still open: their reassembly and TLS
    /// state is held. A connection whose two directions have ended (FIN) is reduced to its
    /// report entry at once, so memory follows the open connections, not the file.
    pub fn connections(&self) -> (usize, usize) {
        let live = self
            .state
            .streams
            .iter()
            .filter(|s| matches!(s, Stream::Live(_)))
            .count();
        (self.state.streams.len(), live)
    }

    /// The key log gathered so far.
    pub fn key_log(&self) -> &tls::keylog::KeyLog {
        &self.state.shared.keylog
    }

    /// Ends the capture and builds the report.
    pub fn finish(mut self) -> Result<Report, Box<DiagnoseError>> {
        let result = self.reader.finish(&mut self.state);
        let info = self.reader.info();
        let mut state = self.state;
        let last = state.last_frame;
        for stream in &mut state.streams {
            if let Stream::Live(stream) = stream {
                stream.flush(last, &state.shared);
            }
        }
        let keylog_in_use = !state.shared.keylog.is_empty();
        let capture = CaptureSummary {
            format: info.format,
            gzip: info.gzip,
            frames: info.frames,
            link_types: state.link_types.iter().map(|l| l.name()).collect(),
            start: state.first_timestamp.map(Timestamp::to_rfc3339),
            end: state.last_timestamp.map(Timestamp::to_rfc3339),
            truncated_frames: state.truncated_frames,
            tcp_frames: state.tcp_frames,
            not_analysed: not_analysed(&state.not_tcp),
            decryption_secrets_blocks: state.secrets_blocks,
            key_log: None,
            untracked_connections: state.table.untracked_connections(),
            untracked_frames: state.table.untracked_frames(),
            error: result.as_ref().err().cloned(),
            first_timestamp: state.first_timestamp,
        };
        // Each connection's TLS state is dropped as soon as its report entry is built.
        let mut streams = std::mem::take(&mut state.streams).into_iter();
        let mut connections: Vec<ConnectionReport> = state
            .table
            .into_connections()
            .iter()
            .map(|conn| {
                match streams.next().unwrap_or_default() {
                    Stream::Live(mut stream) => {
                        stream.tls.settle();
                        connection_report(conn, &stream, keylog_in_use)
                    }
                    Stream::Done(mut entry) => {
                        // Frames after the end (the last ACKs) still count.
                        flow_fields(conn, &mut entry);
                        if !keylog_in_use {
                            entry.decryption = None;
                        }
                        *entry
                    }
                }
            })
            .collect();
        let mut capture = capture;
        if keylog_in_use {
            capture.key_log = Some(report::KeyLogSummary {
                sessions: state.shared.keylog.sessions(),
                lines: state.shared.keylog.lines(),
                skipped_lines: state.shared.keylog.skipped_lines(),
                connections_matched: connections
                    .iter()
                    .filter(|c| c.decryption.as_ref().is_some_and(|d| d.matched))
                    .count(),
            });
        }
        let diagnoses: Vec<Vec<findings::Finding>> = connections
            .iter()
            .map(|c| {
                findings::diagnose(&findings::Ctx::new(
                    c,
                    &connections,
                    &self.client_certificates,
                    &self.trust_store,
                ))
            })
            .collect();
        for (conn, found) in connections.iter_mut().zip(diagnoses) {
            conn.findings = found;
        }
        let mut report = Report {
            schema_version: report::SCHEMA_VERSION,
            tool: Tool::default(),
            capture,
            connections,
            findings: Vec::new(),
            supplied_client_certificates: self.client_certificates,
            trust_store: self
                .trust_store
                .iter()
                .map(|ca| ca.subject.clone())
                .collect(),
        };
        report.findings = findings::capture_wide(&report);
        match result {
            Ok(()) => Ok(report),
            Err(error) => Err(Box::new(DiagnoseError {
                error,
                partial: report,
            })),
        }
    }
}

fn not_analysed(counts: &BTreeMap<NotTcp, u64>) -> Vec<NotAnalysed> {
    counts
        .iter()
        .map(|(reason, &frames)| {
            let (reason, detail) = match reason {
                NotTcp::UnknownLinkType(l) => ("unknown_link_type", format!("{} frames", l.name())),
                NotTcp::NotIp(kind) => ("not_ip", format!("non-IP (type {kind:#06x})")),
                NotTcp::OtherTransport(p) => ("other_transport", ip_protocol_name(*p)),
                NotTcp::Fragment => ("ip_fragment", "IP fragment".to_string()),
                NotTcp::Truncated(layer) => {
                    ("truncated", format!("cut short in the {layer} header"))
                }
                NotTcp::Malformed(layer) => ("malformed", format!("malformed {layer} header")),
            };
            NotAnalysed {
                reason,
                detail,
                frames,
            }
        })
        .collect()
}

fn ip_protocol_name(protocol: u8) -> String {
    match protocol {
        1 => "ICMP".into(),
        2 => "IGMP".into(),
        17 => "UDP".into(),
        47 => "GRE".into(),
        50 => "ESP".into(),
        58 => "ICMPv6".into(),
        132 => "SCTP".into(),
        p => format!("IP protocol {p}"),
    }
}

fn connection_report(
    conn: &Connection,
    stream: &StreamState,
    keylog_in_use: bool,
) -> ConnectionReport {
    let roles = conn.roles();
    let app = stream.tls.app_data();
    let (client_app, server_app) = if roles.client_is_a {
        (app[0], app[1])
    } else {
        (app[1], app[0])
    };
    let view = timeline::build(
        conn,
        &roles,
        &stream.tls,
        [stream.reassembly[0].events(), stream.reassembly[1].events()],
    );
    let (client, server) = conn.stats_by_role();
    let app_only = |app: tls::RecordCount| Traffic {
        application_data_records: app.records,
        application_data_bytes: app.bytes,
        ..Traffic::default()
    };
    // The fields that come from the flow's frames are set by `flow_fields` below.
    let mut entry = ConnectionReport {
        id: conn.id,
        client: roles.client,
        server: roles.server,
        role_basis: roles.basis,
        first_frame: 0,
        last_frame: 0,
        start: None,
        end: None,
        client_to_server: app_only(client_app),
        server_to_client: app_only(server_app),
        starts_like_tls: false,
        starttls: view
            .starttls
            .then(|| starttls_protocol(client, server).to_string()),
        tls_version: view.tls_version,
        cipher_suite: view.cipher_suite,
        sni: view.sni,
        alpn: view.alpn,
        alpn_selected: view.alpn_selected,
        outcome: view.outcome.unwrap_or(report::Outcome::NotTls),
        resumed: view.resumed,
        client_certificate_requested: view.client_certificate_requested,
        certificate_request: view.certificate_request,
        server_certificates: view.server_certificates,
        client_certificates: view.client_certificates,
        client_hello: view.client_hello,
        server_hello: view.server_hello,
        messages: view.messages,
        alerts: view.alerts,
        anomalies: view.anomalies,
        dropped_events: view.dropped_events,
        decryption: (keylog_in_use && view.outcome.is_some_and(|o| o != report::Outcome::NotTls))
            .then(|| timeline::decryption(&stream.tls, &roles)),
        findings: Vec::new(),
        start_timestamp: None,
        end_timestamp: None,
    };
    flow_fields(conn, &mut entry);
    entry
}

/// The fields of a report entry that come from the flow's frames (counts, first and last
/// frame, times): set again at the end for a connection reported when it ended.
fn flow_fields(conn: &Connection, entry: &mut ConnectionReport) {
    let (client, server) = conn.stats_by_role();
    entry.first_frame = conn.first_frame;
    entry.last_frame = conn.last_frame;
    entry.start = conn.start.map(Timestamp::to_rfc3339);
    entry.end = conn.end.map(Timestamp::to_rfc3339);
    entry.start_timestamp = conn.start;
    entry.end_timestamp = conn.end;
    let app = |t: &Traffic| tls::RecordCount {
        records: t.application_data_records,
        bytes: t.application_data_bytes,
    };
    entry.client_to_server = traffic(client, app(&entry.client_to_server));
    entry.server_to_client = traffic(server, app(&entry.server_to_client));
    entry.starts_like_tls = [client, server]
        .iter()
        .any(|s| s.opening.as_ref().is_some_and(|(_, o, _)| o.is_tls()));
}

/// Names the protocol that preceded a STARTTLS-style upgrade, from the first bytes each side sent.
fn starttls_protocol(client: &SideStats, server: &SideStats) -> &'static str {
    fn head(s: &SideStats) -> &[u8] {
        s.opening.as_ref().map_or(&[][..], |(_, _, h)| h.as_slice())
    }
    let (c, s) = (head(client), head(server));
    let starts =
        |h: &[u8], p: &str| h.len() >= p.len() && h[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if c == [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f] {
        "postgresql"
    } else if starts(s, "* OK") || starts(c, "a") && starts(s, "* ") {
        "imap"
    } else if starts(s, "+OK") {
        "pop3"
    } else if starts(s, "220") && (starts(c, "EHLO") || starts(c, "HELO")) {
        "smtp"
    } else if starts(s, "220") {
        "ftp"
    } else if starts(c, "<?xml") || starts(c, "<stream") {
        "xmpp"
    } else if c.first() == Some(&0x30) {
        "ldap"
    } else if s.get(4) == Some(&0x0a) {
        // MySQL's greeting: 3-byte length, sequence 0, protocol version 10.
        "mysql"
    } else {
        "other"
    }
}

fn traffic(side: &SideStats, app: tls::RecordCount) -> Traffic {
    Traffic {
        application_data_records: app.records,
        application_data_bytes: app.bytes,
        frames: side.frames,
        bytes: side.bytes,
        payload_bytes: side.payload_bytes,
        syn: side.syn_seq.is_some() || side.sent_syn_ack,
        fin: side.sent_fin,
        rst: side.sent_rst,
        fin_frame: side.fin_frame,
        rst_frame: side.rst_frame,
        truncated_frames: side.truncated_frames,
        opening: side
            .opening
            .as_ref()
            .map(|(frame, kind, head)| OpeningReport {
                frame: *frame,
                kind: *kind,
                head: head.iter().fold(String::new(), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                }),
            }),
    }
}
