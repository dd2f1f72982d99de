//! The streaming analyser: chunks of a capture in, a [`Report`] out.
//!
//! ```text
//! push(chunk) ─► capture ─► wire ─► flow ─► reassembly ─► tls      (per frame, as it comes)
//!                                  a connection whose two directions ended ─► model
//! finish()    ─► the open connections ─► model ─► findings ─► report
//! ```
//!
//! Memory follows the connections still open: a connection whose two directions ended (a FIN
//! with everything before it delivered) is reduced to its model at once, and its reassembly
//! and TLS state are freed.

use std::collections::{BTreeMap, BTreeSet};

use crate::capture::{CaptureReader, Frame, FrameSink, LinkType, Timestamp};
use crate::error::{CaptureError, DiagnoseError};
use crate::findings::{self, CaptureFacts, Ctx, Supplied};
use crate::flow::{ConnectionTable, PerSide, Side};
use crate::model;
use crate::reassembly::{self, Reassembler};
use crate::report::{self, Report, Tool};
use crate::tls::{Now, Shared, TlsConnection};
use crate::wire::{self, NotTcp};
use crate::{Certificates, KeyLog};

/// The streaming analyser: push the capture in chunks of any size, then [`finish`](Self::finish).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let capture = include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-openssl.pcap");
/// let mut analyzer = pcap_tls_diagnose_core::Analyzer::new();
/// for chunk in capture.chunks(4096) {
///     analyzer.push(chunk)?;
/// }
/// let report = analyzer.finish()?;
/// assert_eq!(report.connections[0].findings[0].code.as_str(), "client-cert-missing");
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct Analyzer {
    reader: CaptureReader,
    state: State,
    /// The certificate chain the user says the client should have sent.
    client_certificates: Certificates,
    /// The CAs the user trusts (`--ca`).
    trust_store: Certificates,
}

/// What the analysis has gathered so far.
#[derive(Default)]
struct State {
    table: ConnectionTable,
    /// Reassembly and TLS state (or, once a connection ended, its model), by connection index.
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
    shared: Shared,
    secrets_bytes: usize,
    secrets_blocks: u64,
}

/// A connection's analysis: live while it is open; once both directions have ended, its model.
/// (A reset connection stays live to the end: the peer's last segments, often its alert, can
/// follow the RST in the capture.)
enum Stream {
    Live(Box<StreamState>),
    Done(Box<model::Connection>),
}

impl Default for Stream {
    fn default() -> Self {
        Self::Live(Box::default())
    }
}

/// A connection's two byte streams and its TLS layer.
#[derive(Default)]
struct StreamState {
    reassembly: PerSide<Reassembler>,
    tls: TlsConnection,
}

impl StreamState {
    /// Delivers everything still held (end of capture).
    fn flush(&mut self, frame: u64, shared: &Shared) {
        for side in Side::BOTH {
            let Self { reassembly, tls } = self;
            reassembly[side].flush(frame, &mut |d| tls.deliver(side, &d, None, shared));
        }
    }

    /// The connection's model, its TLS state settled.
    fn model(&mut self, conn: &crate::flow::Connection, keylog_in_use: bool) -> model::Connection {
        self.tls.settle();
        let events = PerSide([
            self.reassembly[Side::A].events(),
            self.reassembly[Side::B].events(),
        ]);
        model::build(conn, &self.tls, events, keylog_in_use)
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
        let segment = match wire::decode(frame.link_type, frame.data) {
            Ok(segment) => segment,
            Err(reason) => {
                *self.not_tcp.entry(reason).or_default() += 1;
                return;
            }
        };
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
        let side = tracked.side;
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
            let peer = side.other();
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
        if reassembly.0.iter().all(Reassembler::is_finished) {
            let conn = &self.table.connections()[tracked.index];
            // The key log's part is dropped at the end when there is no key log.
            let done = stream.model(conn, true);
            self.streams[tracked.index] = Stream::Done(Box::new(done));
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
    /// with [`Certificates::client_chain`]. Each CertificateRequest is checked against it:
    /// issuer among the accepted CAs, key type, validity at the connection's time, key usage,
    /// and whether the client sent it. This turns an empty Certificate's "why" from likely to
    /// certain.
    pub fn set_client_certificates(&mut self, chain: Certificates) {
        self.client_certificates = chain;
    }

    /// A trust store (read with [`Certificates::trust_store`]): each server and client chain is
    /// followed up to it, and where one breaks (an issuer neither sent nor trusted, a signature
    /// that does not verify) becomes a certain finding.
    pub fn set_trust_store(&mut self, cas: Certificates) {
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

    /// Uses a key log already read (with [`KeyLog::add`]), as when one key log serves several
    /// captures; replaces any given before. Call it before [`push`](Self::push).
    pub fn set_key_log(&mut self, log: KeyLog) {
        self.state.shared.keylog = log;
    }

    /// Checks every TLS 1.2 client CertificateVerify, also those the server accepted. By
    /// default a signature is checked only when the server did not answer it with its
    /// ChangeCipherSpec (which it sends only after verifying it): the check explains a failure,
    /// and on a capture of many mutual-TLS connections it would be most of the work.
    pub fn set_check_accepted_signatures(&mut self, check: bool) {
        self.state.shared.check_accepted_signatures = check;
    }

    /// Connections seen so far, and how many of them are still open: their reassembly and TLS
    /// state is held. A connection whose two directions have ended (FIN) is reduced to its
    /// model at once, so memory follows the open connections, not the file.
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
    pub fn key_log(&self) -> &KeyLog {
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
        let mut capture = report::capture_summary(report::CaptureCounts {
            info,
            link_types: &state.link_types,
            first: state.first_timestamp,
            last: state.last_timestamp,
            truncated_frames: state.truncated_frames,
            tcp_frames: state.tcp_frames,
            not_tcp: &state.not_tcp,
            secrets_blocks: state.secrets_blocks,
            untracked_connections: state.table.untracked_connections(),
            untracked_frames: state.table.untracked_frames(),
            error: result.as_ref().err().cloned(),
        });
        // Each connection's TLS state is dropped as soon as its model is built.
        let mut streams = std::mem::take(&mut state.streams).into_iter();
        let connections: Vec<model::Connection> = state
            .table
            .into_connections()
            .iter()
            .map(|conn| match streams.next().unwrap_or_default() {
                Stream::Live(mut stream) => stream.model(conn, keylog_in_use),
                Stream::Done(mut done) => {
                    // Frames after the end (the last ACKs) still count.
                    model::update_flow(conn, &mut done);
                    if !keylog_in_use {
                        done.decryption = None;
                    }
                    *done
                }
            })
            .collect();
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
        let supplied = Supplied {
            client_chain: &self.client_certificates.0,
            trust_store: &self.trust_store.0,
        };
        let facts = CaptureFacts {
            frames: capture.frames,
            error: capture.error.clone(),
            udp: state.not_tcp.contains_key(&NotTcp::OtherTransport(17)),
        };
        let neighbours = findings::Neighbours::new(&connections);
        let diagnoses: Vec<Vec<findings::Finding>> = connections
            .iter()
            .map(|c| findings::diagnose(&Ctx::new(c, &connections, &neighbours, supplied)))
            .collect();
        drop(neighbours);
        let capture_findings = findings::capture_wide(&facts, &connections, &diagnoses);
        // Each model is dropped as soon as its report entry is made. (The projector's shared
        // lists are keyed by the models' lists, all allocated before: a key cannot be reused.)
        let mut projector = report::Projector::default();
        let entries = connections
            .into_iter()
            .zip(diagnoses)
            .map(|(c, found)| projector.connection(&c, found))
            .collect();
        drop(projector);
        let report = Report {
            schema_version: report::SCHEMA_VERSION,
            tool: Tool::default(),
            capture,
            connections: entries,
            findings: capture_findings.into_iter().map(report::finding).collect(),
            supplied_client_certificates: self
                .client_certificates
                .0
                .iter()
                .map(report::certificate)
                .collect(),
            trust_store: self
                .trust_store
                .0
                .iter()
                .map(|ca| ca.subject.to_string())
                .collect(),
        };
        match result {
            Ok(()) => Ok(report),
            Err(error) => Err(Box::new(DiagnoseError {
                error,
                partial: report,
            })),
        }
    }
}
