//! The streaming analyser: chunks of a capture in, a [`Report`] out — or its connections one
//! by one as they end ([`Analyzer::take_connections`]).
//!
//! ```text
//! push(chunk) ─► capture ─► wire ─► flow ─► reassembly ─► tls      (per frame, as it comes)
//!             a connection that ended (FIN both ways, or a reset), once its last ACKs are in
//!             ─► model ─► findings (its context: the connections that ended before) ─► entry
//! finish()    ─► the connections still open ─► model ─► findings ─► report
//! ```
//!
//! Memory follows the connections still open, never the file: a connection that ended is
//! reduced to its report entry and its state freed, and at most 100,000 are open at once (the
//! longest idle are ended early when more start). Connections whose findings speak of later
//! ones (a refused connection and the address the client tried next, plain text on a port that
//! speaks TLS elsewhere, a resumed session and its full handshake) wait for the end of the
//! capture, a bounded number of them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::capture::{CaptureReader, Frame, FrameSink, LinkType, Timestamp};
use crate::error::{CaptureError, DiagnoseError};
use crate::findings::{self, CaptureFacts, Ctx, Neighbours, Supplied, Tally};
use crate::flow::{ConnectionTable, Endpoint, Entry, PerSide, Retired, Side};
use crate::model;
use crate::reassembly::{self, Reassembler};
use crate::report::{self, ConnectionReport, Projector, Report, Tool};
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
}

/// What the analysis has gathered so far.
#[derive(Default)]
struct State {
    /// The open connections (and those that ended, until their last ACKs are in), each with
    /// its reassembly and TLS state or, once both directions ended, its model.
    table: ConnectionTable<Stream>,
    /// Connections that ended, oldest first, to be taken out of the table a little later.
    ending: VecDeque<Ending>,
    /// Scratch: entries that left the table while a segment was tracked.
    retired: Vec<(Entry<Stream>, Retired)>,
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
    /// The diagnosis of the connections that ended.
    finisher: Finisher,
}

/// A connection's analysis: live while it is open; once both directions have ended, its model.
/// (A reset connection stays live until it leaves the table: the peer's last segments, often
/// its alert, can follow the RST in the capture.)
#[derive(Default)]
struct Stream {
    phase: Phase,
    /// It is in [`State::ending`].
    ending: bool,
}

enum Phase {
    Live(Box<StreamState>),
    Done(Box<model::Connection>),
}

impl Default for Phase {
    fn default() -> Self {
        Self::Live(Box::default())
    }
}

/// A connection that ended: when and where.
struct Ending {
    id: u32,
    a: Endpoint,
    b: Endpoint,
    time: Option<Timestamp>,
}

/// A connection that ended leaves the table once this much capture time went by (TCP's
/// TIME-WAIT: its last ACKs, retransmissions, or the alert after a reset still count), or when
/// more than [`MAX_ENDING`] wait. Its later segments are counted as late (`untracked_frames`).
const ENDING_NANOS: i64 = 60_000_000_000;
const MAX_ENDING: usize = 1024;

/// A connection's two byte streams and its TLS layer.
#[derive(Default)]
struct StreamState {
    reassembly: PerSide<Reassembler>,
    tls: TlsConnection,
}

impl StreamState {
    /// Delivers everything still held (end of the connection or of the capture).
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

/// The diagnosis stage: each connection's model in, its report entry out.
#[derive(Default)]
struct Finisher {
    /// What the connections that ended so far tell the next ones' findings.
    neighbours: Neighbours,
    /// Connections whose findings may speak of later connections, diagnosed at the end.
    waiting: VecDeque<model::Connection>,
    projector: Projector,
    /// Report entries not yet taken, in the order the connections ended.
    ready: Vec<ConnectionReport>,
    /// Entries dropped because [`MAX_LISTED`] were waiting to be taken.
    unlisted: u64,
    tally: Tally,
    /// Connections the key log had secrets for.
    keylog_matched: usize,
    /// The certificate chain the user says the client should have sent.
    client_chain: Certificates,
    /// The CAs the user trusts (`--ca`).
    trust_store: Certificates,
}

/// Most connections that wait for the end of the capture; beyond, the oldest is diagnosed
/// with what is known by then.
const MAX_WAITING: usize = 1024;

/// Most report entries held for the caller: a report lists at most this many connections
/// (a caller that takes them as they come, as `--format jsonl` does, gets them all).
pub const MAX_LISTED: usize = 100_000;

impl Finisher {
    /// A connection's model, complete.
    fn add(&mut self, conn: model::Connection) {
        self.neighbours.add(&conn);
        // Its findings may name a connection that ends later: the address a refused client
        // tried next, TLS on the port that got plain text, the full handshake of a resumed
        // session (when none before it has ended yet).
        let later = conn.refused()
            || conn.syn_unanswered()
            || conn.outcome == model::Outcome::NotTls
            || (conn.resumed && self.neighbours.earlier_full_handshake(&conn).is_none());
        if later {
            if self.waiting.len() >= MAX_WAITING
                && let Some(oldest) = self.waiting.pop_front()
            {
                self.diagnose(&oldest);
            }
            self.waiting.push_back(conn);
        } else {
            self.diagnose(&conn);
        }
    }

    fn diagnose(&mut self, conn: &model::Connection) {
        let supplied = Supplied {
            client_chain: &self.client_chain.0,
            trust_store: &self.trust_store.0,
        };
        let ctx = Ctx::new(conn, &self.neighbours, supplied);
        let resumes = ctx.earlier_full_handshake.map(|(id, _)| id);
        let stack = ctx.stack_guess;
        let found = findings::diagnose(&ctx);
        self.tally.add(conn, &found);
        if conn.decryption.as_ref().is_some_and(|d| d.matched) {
            self.keylog_matched += 1;
        }
        if self.ready.len() >= MAX_LISTED {
            self.unlisted += 1;
        } else {
            self.ready
                .push(self.projector.connection(conn, found, resumes, stack));
        }
    }

    /// The end of the capture: the waiting connections, now that all are known.
    fn end(&mut self) {
        while let Some(conn) = self.waiting.pop_front() {
            self.diagnose(&conn);
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
        self.retire_ended(frame.timestamp);
        let segment = match wire::decode(frame.link_type, frame.data) {
            Ok(segment) => segment,
            Err(reason) => {
                *self.not_tcp.entry(reason).or_default() += 1;
                return;
            }
        };
        self.tcp_frames += 1;
        let Some((side, entry)) = self.table.track(
            &segment,
            frame.number,
            frame.original_len,
            truncated,
            frame.timestamp,
            &mut self.retired,
        ) else {
            return;
        };
        let now = Some(Now {
            frame: frame.number,
            time: frame.timestamp,
        });
        let keys = &self.shared;
        let Entry { conn, data } = entry;
        let mut ended = false;
        if let Phase::Live(stream) = &mut data.phase {
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
                // The key log's part is dropped later when there is no key log.
                let done = stream.model(conn, true);
                data.phase = Phase::Done(Box::new(done));
                ended = true;
            }
        }
        // Both directions ended, or one was reset: the connection leaves the table once its
        // last segments are in. (Later segments of a connection that ended are retransmissions
        // and ACKs: they only count.)
        if (ended || segment.flags.rst()) && !data.ending {
            data.ending = true;
            self.ending.push_back(Ending {
                id: conn.id,
                a: conn.a,
                b: conn.b,
                time: frame.timestamp,
            });
        }
        if !self.retired.is_empty() {
            let mut retired = std::mem::take(&mut self.retired);
            for (entry, why) in retired.drain(..) {
                let at = entry.conn.last_frame;
                self.conclude(entry, Some(why), at);
            }
            // The scratch vector's allocation is kept for the next time.
            self.retired = retired;
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

impl State {
    /// Takes the connections that ended long enough ago out of the table and diagnoses them.
    fn retire_ended(&mut self, time: Option<Timestamp>) {
        while let Some(first) = self.ending.front() {
            let long_ago = matches!((first.time, time), (Some(t), Some(now)) if now.nanos() - t.nanos() > ENDING_NANOS)
                || self.ending.len() > MAX_ENDING;
            if !long_ago {
                break;
            }
            let Some(mut ending) = self.ending.pop_front() else {
                break;
            };
            // The endpoints may have moved on to another connection (ports reused) or the
            // connection may have been evicted: then it was concluded already.
            let Some(entry) = self
                .table
                .get_mut(ending.a, ending.b)
                .filter(|e| e.conn.id == ending.id)
            else {
                continue;
            };
            // Still active (segments after a reset, late ACKs): the minute starts again from
            // its latest segment, unless too many wait.
            let active = matches!((entry.conn.end, ending.time), (Some(last), Some(t)) if last.nanos() > t.nanos());
            if active && self.ending.len() < MAX_ENDING {
                ending.time = entry.conn.end;
                self.ending.push_back(ending);
                continue;
            }
            if let Some(entry) = self.table.remove(ending.a, ending.b) {
                let at = entry.conn.last_frame;
                self.conclude(entry, None, at);
            }
        }
    }

    /// A connection that left the table: its model (flushed at `flush_at` if it was still
    /// live) goes to the diagnosis.
    fn conclude(&mut self, entry: Entry<Stream>, why: Option<Retired>, flush_at: u64) {
        let Entry { conn, data } = entry;
        let keylog_in_use = !self.shared.keylog.is_empty();
        let mut model = match data.phase {
            Phase::Live(mut stream) => {
                stream.flush(flush_at, &self.shared);
                stream.model(&conn, keylog_in_use)
            }
            Phase::Done(mut done) => {
                // Frames after the end (the last ACKs) still count.
                model::update_flow(&conn, &mut done);
                if !keylog_in_use {
                    done.decryption = None;
                }
                *done
            }
        };
        if why == Some(Retired::Evicted) {
            model.anomalies.push(model::Anomaly {
                frame: model::FrameNumber::new(conn.last_frame),
                from: model::Party::Client,
                kind: model::AnomalyKind::Evicted {
                    limit: self.table.limit(),
                },
            });
        }
        self.finisher.add(model);
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

    /// The report entries of the connections that ended and were diagnosed since the last
    /// call, in the order they ended: with this, memory stays flat whatever the number of
    /// connections ([`finish`](Self::finish) then returns only the rest). Without it, a report
    /// lists at most [`MAX_LISTED`] connections.
    ///
    /// A connection leaves the analysis a little after it ended (its last ACKs still count);
    /// a refused one, one in plain text and a resumed session wait for the end of the capture,
    /// since their findings can name a later connection.
    pub fn take_connections(&mut self) -> Vec<ConnectionReport> {
        std::mem::take(&mut self.state.finisher.ready)
    }

    /// The certificate chain (leaf first) the user believes the client should have sent, read
    /// with [`Certificates::client_chain`]. Each CertificateRequest is checked against it:
    /// issuer among the accepted CAs, key type, validity at the connection's time, key usage,
    /// and whether the client sent it. This turns an empty Certificate's "why" from likely to
    /// certain.
    pub fn set_client_certificates(&mut self, chain: Certificates) {
        self.state.finisher.client_chain = chain;
    }

    /// A trust store (read with [`Certificates::trust_store`]): each server and client chain is
    /// followed up to it, and where one breaks (an issuer neither sent nor trusted, a signature
    /// that does not verify) becomes a certain finding.
    pub fn set_trust_store(&mut self, cas: Certificates) {
        self.state.finisher.trust_store = cas;
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

    /// The most connections open at once (default
    /// [`MAX_OPEN_CONNECTIONS`](crate::internals::MAX_OPEN_CONNECTIONS), at least 8): when
    /// another one starts, the eighth that were idle longest are analysed as they stand, with
    /// an `evicted` anomaly. Call it before [`push`](Self::push).
    pub fn set_max_open_connections(&mut self, limit: usize) {
        self.state.table.set_limit(limit);
    }

    /// Connections seen so far, and how many of them are still held: open, or ended but not
    /// yet diagnosed (their last ACKs may still come). Memory follows these, not the file.
    pub fn connections(&self) -> (usize, usize) {
        (self.state.table.seen() as usize, self.state.table.open())
    }

    /// The key log gathered so far.
    pub fn key_log(&self) -> &KeyLog {
        &self.state.shared.keylog
    }

    /// Ends the capture and builds the report: the capture's summary and findings, and the
    /// connections not yet taken with [`take_connections`](Self::take_connections), in order of
    /// first appearance.
    pub fn finish(mut self) -> Result<Report, Box<DiagnoseError>> {
        let result = self.reader.finish(&mut self.state);
        let info = self.reader.info();
        let mut state = self.state;
        let last = state.last_frame;
        state.ending.clear();
        for entry in state.table.drain() {
            state.conclude(entry, None, last);
        }
        state.finisher.end();
        let mut capture = report::capture_summary(report::CaptureCounts {
            info,
            link_types: &state.link_types,
            first: state.first_timestamp,
            last: state.last_timestamp,
            truncated_frames: state.truncated_frames,
            tcp_frames: state.tcp_frames,
            not_tcp: &state.not_tcp,
            secrets_blocks: state.secrets_blocks,
            evicted_connections: state.table.evicted(),
            late_frames: state.table.late_frames(),
            error: result.as_ref().err().cloned(),
        });
        let finisher = state.finisher;
        capture.unlisted_connections = finisher.unlisted;
        let tally = &finisher.tally;
        capture.outcomes = report::OutcomeCounts {
            connections: tally.connections,
            tls: tally.tls,
            established: tally.established,
            failed: tally.failed,
            incomplete: tally.incomplete,
        };
        if !state.shared.keylog.is_empty() {
            capture.key_log = Some(report::KeyLogSummary {
                sessions: state.shared.keylog.sessions(),
                lines: state.shared.keylog.lines(),
                skipped_lines: state.shared.keylog.skipped_lines(),
                connections_matched: finisher.keylog_matched,
            });
        }
        let facts = CaptureFacts {
            frames: capture.frames,
            error: capture.error.clone(),
            udp: state.not_tcp.contains_key(&NotTcp::OtherTransport(17)),
        };
        let capture_findings = findings::capture_wide(&facts, &finisher.tally);
        let mut connections = finisher.ready;
        connections.sort_unstable_by_key(|c| c.id);
        let report = Report {
            schema_version: report::SCHEMA_VERSION,
            tool: Tool::default(),
            capture,
            connections,
            findings: capture_findings.into_iter().map(report::finding).collect(),
            supplied_client_certificates: finisher
                .client_chain
                .0
                .iter()
                .map(report::certificate)
                .collect(),
            trust_store: finisher
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
