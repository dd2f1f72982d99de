//! TLS over one TCP connection: two reassembled byte streams in, an ordered list of events out.
//!
//! ```text
//! Delivery (per direction) ─► record layer ─► handshake layer ─► TlsEvent { side, frame, kind }
//!                              (RFC 5246 §6.2,   (messages split over records,
//!                               RFC 8446 §5)       RFC 8446 §4)
//! ```
//!
//! TLS is recognised by content, on any port: a stream that starts with a TLS record header or an
//! SSL 2.0-compatible ClientHello is TLS. A stream that starts otherwise (SMTP, IMAP, POP3, FTP,
//! PostgreSQL, … before STARTTLS) is watched for a handshake record at the start of a later
//! segment, which marks the upgrade. A stream captured mid-connection, or whose framing a capture
//! gap broke, is resynchronised at the next segment that starts with a plausible record header.
//!
//! Encrypted content is never guessed at: records after ChangeCipherSpec (TLS ≤ 1.2) and every
//! application_data record are events with their sizes. In TLS 1.3, ChangeCipherSpec is the
//! middlebox-compatibility dummy (RFC 8446 Appendix D.4) and changes nothing.
//!
//! Memory: a record is buffered only when its content is read (handshake, alert, CCS; at most
//! 18 KiB); a handshake message at most [`MAX_HANDSHAKE_MESSAGE`] bytes — a larger declared
//! length is reported and its bytes skipped unbuffered. Events per connection are capped.

mod cipher;
pub(crate) mod codec;
pub mod decryption;
pub mod handshake;
pub mod keylog;
pub mod names;

use crate::capture::Timestamp;
use crate::reassembly::Delivery;
use decryption::Decryption;
use handshake::{Details, HandshakeMessage};
use keylog::KeyLog;

/// The largest handshake message that is buffered and parsed (certificate chains stay far below).
pub const MAX_HANDSHAKE_MESSAGE: u32 = 1 << 20;
/// The largest record length accepted as TLS (RFC 5246 §6.2.3: 2^14 + 2048).
const MAX_RECORD: u16 = 18432;
/// Events kept per connection; further ones are counted.
const MAX_EVENTS: usize = 512;
/// Encrypted records listed per direction; further ones are counted.
const MAX_LISTED_ENCRYPTED: u32 = 16;
/// Bytes of a non-TLS stream watched for a STARTTLS upgrade before giving up.
const MAX_PREAMBLE: u64 = 1 << 20;

/// Which side of the connection (the flow table's A or B) sent something.
pub type SideIndex = usize;

/// Something that happened on a connection's TLS layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsEvent {
    /// 0 for side A, 1 for side B.
    pub side: SideIndex,
    /// The frame whose arrival completed it (as Wireshark places a reassembled message).
    pub frame: u64,
    /// The frame that carried its first byte.
    pub first_frame: u64,
    /// Time of `frame`.
    pub time: Option<Timestamp>,
    /// What happened.
    pub kind: EventKind,
    /// Read from a record decrypted with the key log.
    pub decrypted: bool,
}

/// The kinds of [`TlsEvent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A cleartext handshake message.
    Handshake(HandshakeMessage),
    /// A handshake message with bytes missing from the capture.
    HandshakeIncomplete {
        /// Its type.
        typ: u8,
        /// Its declared length.
        length: u32,
        /// Bytes the capture lacks.
        missing: u64,
    },
    /// A handshake message longer than [`MAX_HANDSHAKE_MESSAGE`]: skipped.
    HandshakeOversized {
        /// Its type.
        typ: u8,
        /// Its declared length.
        length: u32,
    },
    /// A handshake record after ChangeCipherSpec (TLS ≤ 1.2): Finished or a renegotiation.
    EncryptedHandshake {
        /// Record length.
        length: u16,
    },
    /// ChangeCipherSpec.
    ChangeCipherSpec {
        /// The TLS 1.3 middlebox-compatibility dummy.
        middlebox: bool,
    },
    /// A cleartext alert.
    Alert {
        /// 1 warning, 2 fatal.
        level: u8,
        /// AlertDescription.
        description: u8,
    },
    /// An alert record whose content is encrypted.
    EncryptedAlert {
        /// Record length.
        length: u16,
    },
    /// An application_data record (in TLS 1.3 also every encrypted handshake record).
    EncryptedRecord {
        /// Record length.
        length: u16,
    },
    /// An application_data record decrypted with the key log (its content is not kept).
    ApplicationData {
        /// Record length.
        length: u16,
    },
    /// A heartbeat record (RFC 6520).
    Heartbeat {
        /// Record length.
        length: u16,
    },
    /// An SSL 2.0 record other than the ClientHello.
    Sslv2Record {
        /// SSLv2 message type (4 is SERVER-HELLO).
        message_type: u8,
        /// Record length.
        length: u16,
    },
    /// The stream switched to TLS after a cleartext protocol (STARTTLS).
    Upgrade {
        /// Stream offset where TLS starts.
        offset: u64,
    },
    /// The stream stopped looking like TLS here (or never did).
    NotTls {
        /// Stream offset.
        offset: u64,
        /// Up to 16 bytes found there.
        head: Vec<u8>,
    },
    /// Parsing found its footing again after a gap or a mid-stream start.
    Resync {
        /// Stream offset.
        offset: u64,
    },
}

/// Counts of application data beyond the listed records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordCount {
    /// application_data records in all.
    pub records: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// How a direction's stream is being read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    /// Nothing received yet.
    #[default]
    Start,
    /// Reading TLS records.
    Tls,
    /// Looking for TLS at the start of each segment: `strict` accepts only a handshake record
    /// carrying a hello (an upgrade); otherwise any plausible record (resynchronisation).
    Searching { strict: bool },
    /// Given up.
    Stopped,
}

/// A record being received.
#[derive(Debug)]
struct Record {
    content_type: u8,
    /// The header's version bytes (part of what AEAD ciphers authenticate).
    version: [u8; 2],
    /// Bulk application data under the key log's keys: skipped unread.
    bulk: bool,
    length: u16,
    received: u16,
    first_frame: u64,
    /// The content is read (handshake before ChangeCipherSpec, alert, ChangeCipherSpec).
    keep: bool,
    /// Content, for the types that are read.
    data: Vec<u8>,
    /// Missing byte ranges within the record: (position, length).
    holes: Vec<(usize, usize)>,
}

/// Handshake message assembly (messages span records).
#[derive(Debug, Default)]
struct HandshakeAssembler {
    buf: Vec<u8>,
    first_frame: u64,
    missing: u64,
    /// Bytes still to skip of an oversized message.
    skip: u64,
    /// The framing was lost in a gap: wait for the next handshake record.
    lost: bool,
}

/// One direction's parsing state.
#[derive(Debug, Default)]
struct Side {
    mode: Mode,
    header: Vec<u8>,
    record: Option<Record>,
    handshake: HandshakeAssembler,
    /// ChangeCipherSpec was sent (TLS ≤ 1.2): later records are encrypted.
    encrypted: bool,
    listed_encrypted: u32,
    app_data: RecordCount,
    /// Stream offset of the next byte.
    offset: u64,
    /// The direction started mid-connection.
    midstream: bool,
    reported_not_tls: bool,
    /// The stream started with something else and switched to TLS.
    upgraded: bool,
    /// This side sent a ClientHello offering TLS 1.3.
    offered_tls13: bool,
    /// A ChangeCipherSpec came before any ServerHello from a client offering TLS 1.3: the next
    /// handshake record is a cleartext ClientHello (after a HelloRetryRequest) or encrypted.
    ambiguous_ccs: bool,
}

/// The TLS state of one connection.
#[derive(Debug, Default)]
pub struct TlsConnection {
    sides: [Side; 2],
    /// The version the ServerHello chose, once seen.
    pub version: Option<u16>,
    /// What happened, in order.
    pub events: Vec<TlsEvent>,
    /// Events not kept because of the cap.
    pub dropped_events: u64,
    /// TLS ≤ 1.2: the handshake messages up to the client's CertificateVerify, for checking it.
    transcript: Transcript,
    /// Key log decryption and its coverage.
    pub decryption: Decryption,
    /// The record being read was decrypted: events it yields are marked so.
    decrypting: bool,
    /// The client's CertificateVerify (with the index of its event), until the server accepts
    /// it or the report is built.
    deferred: Option<(usize, DeferredCheck)>,
}

/// The most transcript bytes kept for checking a CertificateVerify (certificates included).
pub const MAX_TRANSCRIPT: usize = 1 << 20;

/// The handshake messages of a TLS ≤ 1.2 handshake, in order, from the ClientHello up to the
/// client's CertificateVerify (RFC 5246 §7.4.8: what the client signs).
#[derive(Debug, Default)]
struct Transcript {
    bytes: Vec<u8>,
    /// Which side sent the ClientHello.
    client: Option<SideIndex>,
    /// The client's certificate key (SubjectPublicKeyInfo).
    client_key: Option<Vec<u8>>,
    /// Stopped: a message is missing or unreadable, the transcript is too long, or the
    /// CertificateVerify was checked.
    stopped: bool,
    /// The handshake types in the transcript, as bits.
    seen: u32,
}

/// What a transcript needs before the client's CertificateVerify: ClientHello, ServerHello,
/// CertificateRequest, ServerHelloDone and ClientKeyExchange (a server flight with a message
/// missing from the capture — not yet known as a gap when the client's flight arrives — would
/// otherwise make a good signature look bad).
const TRANSCRIPT_NEEDS: u32 = (1 << 1) | (1 << 2) | (1 << 13) | (1 << 14) | (1 << 16);

impl Transcript {
    /// Takes in a complete message (`message`: its 4-byte header and body); for the client's
    /// CertificateVerify, returns the check of its signature.
    fn message(
        &mut self,
        side: SideIndex,
        message: &[u8],
        details: &Details,
        version: Option<u16>,
    ) -> Option<Check> {
        if self.stopped || message.first() == Some(&0) {
            // Stopped, or a HelloRequest (never part of the transcript).
            return None;
        }
        match (details, self.client) {
            (Details::ClientHello(ch), None) if !ch.sslv2_format => self.client = Some(side),
            (_, None) => {
                // The capture does not start at the ClientHello.
                self.stop();
                return None;
            }
            (Details::ClientHello(_), Some(_)) => {
                // A second ClientHello (a renegotiation in clear): start again.
                self.bytes.clear();
                self.client = Some(side);
                self.client_key = None;
                self.seen = 0;
            }
            _ => {}
        }
        if version.is_some_and(handshake::is_tls13_version) {
            // TLS 1.3 signs a transcript hash inside the encrypted flight: not checked here.
            self.stop();
            return None;
        }
        if Some(side) == self.client {
            if let Details::Certificate(c) = details {
                self.client_key = c.certificates.first().and_then(|e| match e {
                    handshake::CertEntry::Parsed(cert) => Some(cert.spki_der.clone()),
                    handshake::CertEntry::Unparsable { .. } => None,
                });
            }
            if message.first() == Some(&15) {
                let check = self.certificate_verify(message);
                self.stop();
                return check;
            }
        }
        if self.bytes.len() + message.len() > MAX_TRANSCRIPT {
            self.stop();
            return None;
        }
        self.bytes.extend_from_slice(message);
        if let Some(&typ) = message.first()
            && typ < 32
        {
            self.seen |= 1 << typ;
        }
        if Some(side) == self.client && message.first() == Some(&16) && self.client_key.is_none() {
            // ClientKeyExchange without a client certificate: no CertificateVerify follows.
            self.stop();
        }
        None
    }

    /// The check of the client's CertificateVerify (`message`: header and body) over the
    /// transcript, which it takes.
    fn certificate_verify(&mut self, message: &[u8]) -> Option<Check> {
        self.client_key.as_ref()?;
        if self.seen & TRANSCRIPT_NEEDS != TRANSCRIPT_NEEDS {
            return Some(Check::Done(crate::verify::Verdict::Unchecked(
                "messages before it are missing from the capture".into(),
            )));
        }
        // CertificateVerify: SignatureAndHashAlgorithm (2), signature length (2), signature.
        let body = message.get(4..)?;
        let scheme = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
        let len = usize::from(u16::from_be_bytes([*body.get(2)?, *body.get(3)?]));
        let signature = body.get(4..4 + len)?.to_vec();
        Some(Check::Deferred(DeferredCheck {
            key: self.client_key.take()?,
            scheme,
            transcript: std::mem::take(&mut self.bytes),
            signature,
        }))
    }

    /// Stops collecting and frees what was kept: the transcript is checked, lost (a message
    /// could not be read whole) or of no use.
    fn stop(&mut self) {
        self.stopped = true;
        self.bytes = Vec::new();
        self.client_key = None;
    }
}

/// What becomes of a client's CertificateVerify.
#[derive(Debug)]
enum Check {
    /// Decided at once (it cannot be checked).
    Done(crate::verify::Verdict),
    /// To be checked unless the server accepts it.
    Deferred(DeferredCheck),
}

/// A client's CertificateVerify kept until the handshake is decided. A server that answers
/// with its ChangeCipherSpec has verified the signature (RFC 5246 §7.4.8; a bad one gets a
/// decrypt_error alert): checking it again would cost an RSA or ECDSA verification per
/// connection for nothing, and on a busy mutual-TLS capture that was a quarter of the time.
/// Otherwise (an alert, a closed connection, the end of the capture) it is checked when the
/// connection's report is built ([`TlsConnection::settle`]).
#[derive(Debug)]
struct DeferredCheck {
    /// The client certificate's SubjectPublicKeyInfo.
    key: Vec<u8>,
    scheme: u16,
    /// The handshake messages it signs.
    transcript: Vec<u8>,
    signature: Vec<u8>,
}

/// What all connections of a capture share: the key log, and the Certificate messages already
/// read. A server sends the same chain on every connection: parsing it and checking its
/// signatures once is enough (on a busy capture this was most of the time).
#[derive(Debug, Default)]
pub struct Shared {
    /// Key log secrets (`--keylog` and the capture's Decryption Secrets Blocks).
    pub keylog: KeyLog,
    /// Check a client's CertificateVerify even when the server accepted it (see
    /// [`crate::Analyzer::set_check_accepted_signatures`]).
    pub check_accepted_signatures: bool,
    certificates: std::cell::RefCell<CertificateCache>,
    /// Name lists of ClientHellos, each distinct one kept once.
    names: std::cell::RefCell<rustc_hash::FxHashSet<handshake::Names>>,
}

/// Most distinct name lists shared (beyond, new lists are kept by their own connections).
const MAX_SHARED_NAME_LISTS: usize = 4096;

/// Certificate messages by the SHA-256 of their version and body.
#[derive(Debug, Default)]
struct CertificateCache {
    map: rustc_hash::FxHashMap<[u8; 32], Details>,
    /// Body bytes of the cached messages.
    bytes: usize,
}

/// Most body bytes of Certificate messages kept parsed (the cache starts afresh when full).
const MAX_CACHED_CERTIFICATES: usize = 4 << 20;

impl Shared {
    /// Makes a ClientHello's name lists share the copies of an earlier, identical list: a
    /// client offers the same suites, groups and extensions on every connection, and a capture
    /// of thousands of connections would otherwise hold thousands of copies.
    fn share_names(&self, ch: &mut handshake::ClientHello) {
        let mut known = self.names.borrow_mut();
        for list in [
            &mut ch.supported_versions,
            &mut ch.cipher_suites,
            &mut ch.alpn,
            &mut ch.groups,
            &mut ch.key_share_groups,
            &mut ch.signature_algorithms,
            &mut ch.extensions,
        ] {
            if let Some(same) = known.get(&**list) {
                *list = same.clone();
            } else if known.len() < MAX_SHARED_NAME_LISTS {
                known.insert(list.clone());
            }
        }
    }

    /// A Certificate message's details, parsed and signature-checked once per distinct message.
    fn certificate(&self, body: &[u8], version: Option<u16>) -> Details {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        hash.update(version.unwrap_or(0xffff).to_be_bytes());
        hash.update(body);
        let key: [u8; 32] = hash.finalize().into();
        if let Some(details) = self.certificates.borrow().map.get(&key) {
            return details.clone();
        }
        let details = handshake::parse(11, body, version);
        let mut cache = self.certificates.borrow_mut();
        if cache.bytes + body.len() > MAX_CACHED_CERTIFICATES {
            *cache = CertificateCache::default();
        }
        cache.bytes += body.len();
        cache.map.insert(key, details.clone());
        details
    }
}

/// The frame being processed: events it completes are placed here.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    /// Frame number.
    pub frame: u64,
    /// Its time.
    pub time: Option<Timestamp>,
}

fn plausible_header(h: &[u8]) -> bool {
    matches!(h, [20..=24, 3, 0..=4, hi, lo, ..] if u16::from_be_bytes([*hi, *lo]) <= MAX_RECORD)
}

fn sslv2_client_hello(h: &[u8]) -> bool {
    matches!(h, [hi, _, 1, 0 | 3, 0..=4, ..] if hi & 0x80 != 0)
}

/// An SSL 2.0 SERVER-HELLO (message type 4) answering an SSLv2-format hello.
fn sslv2_server_hello(h: &[u8]) -> bool {
    matches!(h, [hi, _, 4, ..] if hi & 0x80 != 0)
}

/// A handshake record that starts with a ClientHello or ServerHello (an upgrade's first bytes).
fn hello_record(h: &[u8]) -> bool {
    plausible_header(h) && h[0] == 22 && matches!(h.get(5), Some(1 | 2))
}

impl TlsConnection {
    /// A connection with nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when either direction carried TLS.
    pub fn is_tls(&self) -> bool {
        self.sides.iter().any(|s| s.mode == Mode::Tls)
            || self
                .events
                .iter()
                .any(|e| !matches!(e.kind, EventKind::NotTls { .. }))
    }

    /// True when a direction switched to TLS after a cleartext start (STARTTLS).
    pub fn upgraded(&self) -> bool {
        self.sides.iter().any(|s| s.upgraded)
    }

    /// application_data counts per side (A, B).
    pub fn app_data(&self) -> [RecordCount; 2] {
        [self.sides[0].app_data, self.sides[1].app_data]
    }

    /// True once `side` sends encrypted records (after its ChangeCipherSpec, or any
    /// application_data record: TLS 1.3 encrypts everything after the ServerHello). From there
    /// on its stream is walked by record headers, and the reassembler need not keep its bytes
    /// to compare retransmissions with.
    pub fn past_cleartext(&self, side: SideIndex) -> bool {
        let s = &self.sides[side];
        s.mode == Mode::Tls && (s.encrypted || s.app_data.records > 0)
    }

    /// Records the check of a client's CertificateVerify (`details`), made now or deferred
    /// (its event is the next one).
    fn certificate_verify_check(&mut self, check: Option<Check>, details: &mut Details) {
        let verdict = match check {
            Some(Check::Done(verdict)) => Some(verdict),
            Some(Check::Deferred(deferred)) => {
                self.deferred = Some((self.events.len(), deferred));
                None
            }
            None => None,
        };
        if let Details::CertificateVerify { check, .. } = details {
            *check = verdict;
        }
    }

    /// The server sent its ChangeCipherSpec: it accepted the client's CertificateVerify.
    fn accept_certificate_verify(&mut self) {
        if let Some((event, _)) = self.deferred.take() {
            self.set_check(
                event,
                crate::verify::Verdict::Unchecked(
                    "the server accepted it, answering with its ChangeCipherSpec".into(),
                ),
            );
        }
    }

    /// Checks a client's CertificateVerify that the server did not accept: call it once the
    /// connection is over, before reading its events.
    pub fn settle(&mut self) {
        if let Some((event, deferred)) = self.deferred.take() {
            let verdict = crate::verify::tls_signature(
                &deferred.key,
                deferred.scheme,
                &deferred.transcript,
                &deferred.signature,
            );
            self.set_check(event, verdict);
        }
    }

    fn set_check(&mut self, event: usize, verdict: crate::verify::Verdict) {
        if let Some(TlsEvent {
            kind:
                EventKind::Handshake(HandshakeMessage {
                    details: Details::CertificateVerify { check, .. },
                    ..
                }),
            ..
        }) = self.events.get_mut(event)
        {
            *check = Some(verdict);
        }
    }

    /// Notes that a direction's capture started mid-connection (before its first delivery).
    pub fn midstream(&mut self, side: SideIndex) {
        self.sides[side].midstream = true;
    }

    /// Takes what the reassembler delivers for `side`. Events are placed at `now`, the frame
    /// being processed; without one (at the end of the capture) at the frame that carried the
    /// bytes.
    pub fn deliver(
        &mut self,
        side: SideIndex,
        delivery: &Delivery<'_>,
        now: Option<Now>,
        shared: &Shared,
    ) {
        match *delivery {
            Delivery::Data {
                bytes, frame, time, ..
            } => {
                let now = now.unwrap_or(Now { frame, time });
                self.data(side, bytes, frame, now, shared);
            }
            Delivery::Gap { len, frame, .. } => {
                let now = now.unwrap_or(Now { frame, time: None });
                self.gap(side, len, now, shared);
            }
        }
    }

    fn push(&mut self, side: SideIndex, first_frame: u64, now: Now, kind: EventKind) {
        if self.events.len() >= MAX_EVENTS {
            self.dropped_events += 1;
            return;
        }
        self.events.push(TlsEvent {
            side,
            frame: now.frame,
            first_frame,
            time: now.time,
            kind,
            decrypted: self.decrypting,
        });
    }

    fn data(&mut self, side: SideIndex, mut bytes: &[u8], frame: u64, now: Now, shared: &Shared) {
        // Decide how to read a stream at its first bytes, and look for TLS at each segment start
        // while searching.
        match self.sides[side].mode {
            Mode::Start => {
                let s = &mut self.sides[side];
                s.mode = if plausible_header(bytes)
                    || sslv2_client_hello(bytes)
                    || sslv2_server_hello(bytes)
                {
                    Mode::Tls
                } else if s.midstream {
                    Mode::Searching { strict: false }
                } else {
                    Mode::Searching { strict: true }
                };
            }
            Mode::Searching { strict } => {
                let found = if strict {
                    hello_record(bytes)
                } else {
                    plausible_header(bytes)
                };
                if found {
                    let s = &mut self.sides[side];
                    s.mode = Mode::Tls;
                    s.header.clear();
                    s.record = None;
                    s.handshake = HandshakeAssembler::default();
                    let offset = s.offset;
                    let kind = if strict {
                        s.upgraded = true;
                        EventKind::Upgrade { offset }
                    } else {
                        EventKind::Resync { offset }
                    };
                    self.push(side, frame, now, kind);
                }
            }
            Mode::Tls | Mode::Stopped => {}
        }
        if let Mode::Searching { strict } = self.sides[side].mode {
            let s = &mut self.sides[side];
            if !s.reported_not_tls {
                s.reported_not_tls = true;
                let (offset, head) = (s.offset, bytes[..bytes.len().min(16)].to_vec());
                self.push(side, frame, now, EventKind::NotTls { offset, head });
            }
            let s = &mut self.sides[side];
            s.offset += bytes.len() as u64;
            if strict && s.offset > MAX_PREAMBLE {
                s.mode = Mode::Stopped;
            }
            return;
        }
        if self.sides[side].mode == Mode::Stopped {
            self.sides[side].offset += bytes.len() as u64;
            return;
        }
        // An SSL 2.0-compatible ClientHello can only open a stream.
        if self.sides[side].offset == 0 && sslv2_client_hello(bytes) {
            bytes = self.sslv2(side, bytes, frame, now);
        }
        while !bytes.is_empty() && self.sides[side].mode == Mode::Tls {
            bytes = self.record_bytes(side, bytes, frame, now, shared);
        }
        self.sides[side].offset += bytes.len() as u64;
    }

    /// Reads an SSLv2-format record at the start of a stream; returns the rest.
    fn sslv2<'a>(&mut self, side: SideIndex, bytes: &'a [u8], frame: u64, now: Now) -> &'a [u8] {
        let length = usize::from(u16::from_be_bytes([bytes[0] & 0x7f, bytes[1]]));
        let Some(body) = bytes.get(2..2 + length) else {
            // Split over segments: rare enough for a legacy format to read only the header.
            self.sides[side].offset += bytes.len() as u64;
            self.sides[side].mode = Mode::Searching { strict: false };
            return &[];
        };
        let details = match handshake::sslv2_client_hello(&body[1..]) {
            Ok(ch) => Details::ClientHello(Box::new(ch)),
            Err(reason) => Details::Malformed { reason },
        };
        let message = HandshakeMessage {
            typ: 1,
            length: u32::try_from(length).unwrap_or(0),
            details,
        };
        self.push(side, frame, now, EventKind::Handshake(message));
        self.sides[side].offset += (2 + length) as u64;
        &bytes[2 + length..]
    }

    /// Consumes record bytes; returns what is left of `bytes`.
    fn record_bytes<'a>(
        &mut self,
        side: SideIndex,
        bytes: &'a [u8],
        frame: u64,
        now: Now,
        shared: &Shared,
    ) -> &'a [u8] {
        let s = &mut self.sides[side];
        if s.record.is_none() {
            // A server answering an SSLv2 hello in SSLv2 (SERVER-HELLO): noted, not followed.
            if s.offset == 0 && bytes[0] & 0x80 != 0 && bytes.len() >= 3 {
                let length = u16::from_be_bytes([bytes[0] & 0x7f, bytes[1]]);
                let kind = EventKind::Sslv2Record {
                    message_type: bytes[2],
                    length,
                };
                s.offset += bytes.len() as u64;
                s.mode = Mode::Stopped;
                self.push(side, frame, now, kind);
                return &[];
            }
            let need = 5 - s.header.len();
            let take = need.min(bytes.len());
            s.header.extend_from_slice(&bytes[..take]);
            s.offset += take as u64;
            let rest = &bytes[take..];
            if s.header.len() < 5 {
                return rest;
            }
            if !plausible_header(&s.header) {
                let offset = s.offset - 5;
                let head: Vec<u8> = s
                    .header
                    .iter()
                    .chain(rest.iter())
                    .take(16)
                    .copied()
                    .collect();
                s.header.clear();
                s.mode = Mode::Searching { strict: false };
                s.reported_not_tls = true;
                self.push(side, frame, now, EventKind::NotTls { offset, head });
                // The rest of this segment cannot be framed; the next segment may resync.
                self.sides[side].offset += rest.len() as u64;
                return &[];
            }
            let content_type = s.header[0];
            let version = [s.header[1], s.header[2]];
            let length = u16::from_be_bytes([s.header[3], s.header[4]]);
            s.header.clear();
            let bulk = self.decryption.bulk(side, content_type, length);
            let keeps_data = !bulk
                && (matches!(content_type, 20 | 21)
                    || (content_type == 22 && !s.encrypted)
                    || self.decryption.wants(side, content_type));
            s.record = Some(Record {
                content_type,
                version,
                bulk,
                length,
                received: 0,
                first_frame: frame,
                keep: keeps_data,
                data: if keeps_data {
                    Vec::with_capacity(usize::from(length))
                } else {
                    Vec::new()
                },
                holes: Vec::new(),
            });
            if length == 0 {
                self.finish_record(side, now, shared);
            }
            return rest;
        }
        let Some(record) = s.record.as_mut() else {
            return &[];
        };
        let take = usize::from(record.length - record.received).min(bytes.len());
        if record.keep {
            record.data.extend_from_slice(&bytes[..take]);
        }
        record.received += take as u16;
        s.offset += take as u64;
        if record.received == record.length {
            self.finish_record(side, now, shared);
        }
        &bytes[take..]
    }

    /// Bytes missing from the capture in this direction.
    fn gap(&mut self, side: SideIndex, len: u64, now: Now, shared: &Shared) {
        let s = &mut self.sides[side];
        s.offset += len;
        if s.mode != Mode::Tls {
            return;
        }
        if let Some(record) = s.record.as_mut() {
            let remaining = u64::from(record.length - record.received);
            if len <= remaining {
                // The gap lies inside this record: its framing survives.
                record.holes.push((record.data.len(), len as usize));
                if record.keep {
                    record.data.resize(record.data.len() + len as usize, 0);
                }
                record.received += len as u16;
                if record.received == record.length {
                    self.finish_record(side, now, shared);
                }
                return;
            }
        }
        // The gap swallowed a record header: the framing is lost until a segment resyncs.
        let s = &mut self.sides[side];
        s.record = None;
        s.header.clear();
        s.handshake.lost = true;
        s.mode = Mode::Searching { strict: false };
        // A whole message may have gone with it, and records with their sequence numbers.
        self.transcript.stop();
        self.decryption.framing_lost(side);
    }

    fn finish_record(&mut self, side: SideIndex, now: Now, shared: &Shared) {
        let Some(mut record) = self.sides[side].record.take() else {
            return;
        };
        let first = record.first_frame;
        if self.decrypted_record(side, &mut record, now, shared) {
            return;
        }
        let s = &mut self.sides[side];
        match record.content_type {
            20 => {
                // TLS 1.3's dummy ChangeCipherSpec. Without a ServerHello in the capture, a client
                // offering TLS 1.3 may send it ahead of a second ClientHello (after a
                // HelloRetryRequest) or of its encrypted Finished: the next record decides.
                let middlebox = match self.version {
                    Some(v) => handshake::is_tls13_version(v),
                    None if s.offered_tls13 => {
                        s.ambiguous_ccs = true;
                        true
                    }
                    None => false,
                };
                if !middlebox {
                    s.encrypted = true;
                    self.decryption.change_cipher_spec(side);
                    if self.transcript.client.is_some_and(|client| client != side)
                        && !shared.check_accepted_signatures
                    {
                        self.accept_certificate_verify();
                    }
                }
                self.push(side, first, now, EventKind::ChangeCipherSpec { middlebox });
            }
            21 => {
                if s.encrypted || record.length != 2 || !record.holes.is_empty() {
                    self.push(
                        side,
                        first,
                        now,
                        EventKind::EncryptedAlert {
                            length: record.length,
                        },
                    );
                } else {
                    let kind = EventKind::Alert {
                        level: record.data[0],
                        description: record.data[1],
                    };
                    self.push(side, first, now, kind);
                }
            }
            22 => {
                if s.ambiguous_ccs {
                    // After a CCS whose meaning was open: a cleartext second ClientHello, or
                    // the encrypted flight.
                    s.ambiguous_ccs = false;
                    let d = &record.data;
                    let client_hello = d.len() >= 4
                        && d[0] == 1
                        && u32::from_be_bytes([0, d[1], d[2], d[3]]) as usize + 4 <= d.len();
                    s.encrypted |= !client_hello;
                }
                if s.encrypted {
                    self.push(
                        side,
                        first,
                        now,
                        EventKind::EncryptedHandshake {
                            length: record.length,
                        },
                    );
                } else {
                    self.handshake_record(
                        side,
                        &record.data,
                        &record.holes,
                        record.first_frame,
                        now,
                        shared,
                    );
                }
            }
            23 => {
                s.app_data.records += 1;
                s.app_data.bytes += u64::from(record.length);
                if s.listed_encrypted < MAX_LISTED_ENCRYPTED {
                    s.listed_encrypted += 1;
                    self.push(
                        side,
                        first,
                        now,
                        EventKind::EncryptedRecord {
                            length: record.length,
                        },
                    );
                }
            }
            _ => self.push(
                side,
                first,
                now,
                EventKind::Heartbeat {
                    length: record.length,
                },
            ),
        }
    }

    /// Decrypts a record with the key log and takes its content; false when it stays encrypted
    /// (no keys, a failure, or bytes missing from the capture), noted in the coverage.
    fn decrypted_record(
        &mut self,
        side: SideIndex,
        record: &mut Record,
        now: Now,
        shared: &Shared,
    ) -> bool {
        let first = record.first_frame;
        if record.bulk {
            self.decryption.skip_record(side);
            let s = &mut self.sides[side];
            s.app_data.records += 1;
            s.app_data.bytes += u64::from(record.length);
            return true;
        }
        if self.decryption.wants(side, record.content_type) {
            let header = [record.content_type, record.version[0], record.version[1]];
            let incomplete = !record.holes.is_empty();
            let opened = if incomplete {
                None
            } else {
                self.decryption.open(side, header, &mut record.data, first)
            };
            if let Some((typ, range)) = opened {
                self.decrypting = true;
                self.plaintext(
                    side,
                    typ,
                    &record.data[range],
                    record.length,
                    first,
                    now,
                    shared,
                );
                self.decrypting = false;
                self.decryption.after_record(side);
                return true;
            }
            self.decryption.encrypted_record(side, first, incomplete);
        } else if self.sides[side].encrypted
            || (record.content_type == 23 && self.version.is_some_and(handshake::is_tls13_version))
        {
            self.decryption.encrypted_record(side, first, false);
        }
        false
    }

    /// Takes a decrypted record's content (`typ`: its content type; `length`: the record's).
    #[allow(clippy::too_many_arguments)]
    fn plaintext(
        &mut self,
        side: SideIndex,
        typ: u8,
        data: &[u8],
        length: u16,
        first: u64,
        now: Now,
        shared: &Shared,
    ) {
        let kind = match (typ, data) {
            (20, _) => {
                // A renegotiation's ChangeCipherSpec, under the old keys.
                self.decryption.change_cipher_spec(side);
                EventKind::ChangeCipherSpec { middlebox: false }
            }
            (21, &[level, description]) => EventKind::Alert { level, description },
            (21, _) => EventKind::EncryptedAlert { length },
            (22, _) => return self.handshake_record(side, data, &[], first, now, shared),
            (23, _) => {
                let s = &mut self.sides[side];
                s.app_data.records += 1;
                s.app_data.bytes += u64::from(length);
                self.decryption.application_data(side, data, now.frame);
                let s = &mut self.sides[side];
                if s.listed_encrypted >= MAX_LISTED_ENCRYPTED {
                    return;
                }
                s.listed_encrypted += 1;
                EventKind::ApplicationData { length }
            }
            _ => EventKind::Heartbeat { length },
        };
        self.push(side, first, now, kind);
    }

    /// Feeds a cleartext (or decrypted) handshake record to the message assembler; `holes`:
    /// byte ranges the capture lacks.
    fn handshake_record(
        &mut self,
        side: SideIndex,
        data: &[u8],
        holes: &[(usize, usize)],
        first_frame: u64,
        now: Now,
        shared: &Shared,
    ) {
        let mut pos = 0;
        let mut holes = holes.iter().peekable();
        {
            let hs = &mut self.sides[side].handshake;
            if hs.lost {
                // Take the record start as a message start again.
                *hs = HandshakeAssembler::default();
            }
        }
        while pos < data.len() {
            let (chunk_end, hole) = match holes.peek() {
                Some(&&(at, len)) if at == pos => {
                    holes.next();
                    (pos + len, true)
                }
                Some(&&(at, _)) => (at, false),
                None => (data.len(), false),
            };
            let chunk = &data[pos..chunk_end];
            self.handshake_bytes(side, chunk, hole, first_frame, now, shared);
            pos = chunk_end;
        }
    }

    fn handshake_bytes(
        &mut self,
        side: SideIndex,
        mut chunk: &[u8],
        hole: bool,
        frame: u64,
        now: Now,
        shared: &Shared,
    ) {
        while !chunk.is_empty() {
            let version = self.version;
            let hs = &mut self.sides[side].handshake;
            if hs.lost {
                return;
            }
            if hs.skip > 0 {
                let take = (hs.skip as usize).min(chunk.len());
                hs.skip -= take as u64;
                chunk = &chunk[take..];
                continue;
            }
            if hs.buf.is_empty() {
                hs.first_frame = frame;
            }
            if hs.buf.len() < 4 {
                if hole {
                    // The message header itself is missing.
                    hs.lost = true;
                    return;
                }
                let take = (4 - hs.buf.len()).min(chunk.len());
                hs.buf.extend_from_slice(&chunk[..take]);
                chunk = &chunk[take..];
                if hs.buf.len() < 4 {
                    return;
                }
            }
            let typ = hs.buf[0];
            let length = u32::from_be_bytes([0, hs.buf[1], hs.buf[2], hs.buf[3]]);
            if length > MAX_HANDSHAKE_MESSAGE {
                hs.skip = u64::from(length);
                hs.buf.clear();
                self.transcript.stop();
                let first = hs.first_frame;
                self.push(
                    side,
                    first,
                    now,
                    EventKind::HandshakeOversized { typ, length },
                );
                continue;
            }
            let want = 4 + length as usize - hs.buf.len();
            let take = want.min(chunk.len());
            hs.buf.extend_from_slice(&chunk[..take]);
            if hole {
                hs.missing += take as u64;
            }
            chunk = &chunk[take..];
            if hs.buf.len() < 4 + length as usize {
                return;
            }
            let body = std::mem::take(&mut hs.buf);
            let (first, missing) = (hs.first_frame, std::mem::take(&mut hs.missing));
            let kind = if missing > 0 {
                self.transcript.stop();
                EventKind::HandshakeIncomplete {
                    typ,
                    length,
                    missing,
                }
            } else {
                let mut details = if typ == 11 {
                    shared.certificate(&body[4..], version)
                } else {
                    handshake::parse(typ, &body[4..], version)
                };
                if let Details::ClientHello(ch) = &mut details {
                    shared.share_names(ch);
                }
                let check = self.transcript.message(side, &body, &details, version);
                self.certificate_verify_check(check, &mut details);
                match &details {
                    Details::ServerHello(sh) => {
                        self.version = Some(sh.version_number);
                        self.decryption.server_hello(&body[4..], sh, &shared.keylog);
                    }
                    Details::ClientHello(ch) => {
                        self.sides[side].offered_tls13 |=
                            handshake::is_tls13_version(ch.max_version);
                        self.decryption.client_hello(side, &body[4..]);
                    }
                    _ => {}
                }
                if self.decrypting {
                    self.decryption.handshake_message(side, typ);
                }
                EventKind::Handshake(HandshakeMessage {
                    typ,
                    length,
                    details,
                })
            };
            self.push(side, first, now, kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deliveries in these tests happen while their own frame is processed.
    #[allow(clippy::unnecessary_wraps)]
    fn now(frame: u64) -> Option<Now> {
        Some(Now { frame, time: None })
    }

    fn data(bytes: &[u8], frame: u64) -> Delivery<'_> {
        Delivery::Data {
            offset: 0,
            bytes,
            frame,
            time: None,
        }
    }

    /// A ServerHelloDone split over two records, the second record split over two segments,
    /// then an alert coalesced into the same segment: RFC 8446 §5.1 allows handshake messages
    /// to span records and records to share segments.
    #[test]
    fn messages_span_records_and_records_span_segments() {
        let mut tls = TlsConnection::new();
        let record1 = [0x16, 0x03, 0x03, 0x00, 0x02, 0x0e, 0x00];
        let record2 = [0x16, 0x03, 0x03, 0x00, 0x02, 0x00, 0x00];
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];
        tls.deliver(0, &data(&record1, 4), now(4), &Shared::default());
        tls.deliver(0, &data(&record2[..3], 5), now(5), &Shared::default());
        let mut tail = record2[3..].to_vec();
        tail.extend(alert);
        tls.deliver(0, &data(&tail, 6), now(6), &Shared::default());
        let kinds: Vec<(u64, u64, &EventKind)> = tls
            .events
            .iter()
            .map(|e| (e.first_frame, e.frame, &e.kind))
            .collect();
        assert!(matches!(
            kinds[0],
            (
                4,
                6,
                EventKind::Handshake(HandshakeMessage {
                    typ: 14,
                    length: 0,
                    ..
                })
            )
        ));
        assert!(matches!(
            kinds[1],
            (
                6,
                6,
                EventKind::Alert {
                    level: 2,
                    description: 40
                }
            )
        ));
        assert_eq!(kinds.len(), 2);
    }

    #[test]
    fn a_gap_inside_a_record_keeps_the_framing() {
        let mut tls = TlsConnection::new();
        // An 8-byte handshake record holding a Certificate message with a 4-byte body, two
        // bytes of which the capture lacks; then an alert, which must still be found.
        tls.deliver(
            0,
            &data(
                &[0x16, 0x03, 0x03, 0x00, 0x08, 0x0b, 0x00, 0x00, 0x04, 0xaa],
                4,
            ),
            now(4),
            &Shared::default(),
        );
        tls.deliver(
            0,
            &Delivery::Gap {
                offset: 10,
                len: 2,
                frame: 5,
            },
            now(5),
            &Shared::default(),
        );
        tls.deliver(
            0,
            &data(&[0xbb, 0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00], 6),
            now(6),
            &Shared::default(),
        );
        assert!(matches!(
            tls.events[0].kind,
            EventKind::HandshakeIncomplete {
                typ: 11,
                length: 4,
                missing: 2
            }
        ));
        assert!(matches!(
            tls.events[1].kind,
            EventKind::Alert {
                level: 1,
                description: 0
            }
        ));
    }

    #[test]
    fn tls13_change_cipher_spec_does_not_switch_to_encrypted() {
        let mut tls = TlsConnection::new();
        tls.version = Some(0x0304);
        tls.deliver(
            0,
            &data(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01], 8),
            now(8),
            &Shared::default(),
        );
        // A cleartext alert after the dummy CCS is still read (RFC 8446 Appendix D.4).
        tls.deliver(
            0,
            &data(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x30], 9),
            now(9),
            &Shared::default(),
        );
        assert!(matches!(
            tls.events[0].kind,
            EventKind::ChangeCipherSpec { middlebox: true }
        ));
        assert!(matches!(
            tls.events[1].kind,
            EventKind::Alert {
                description: 48,
                ..
            }
        ));
    }

    #[test]
    fn text_before_tls_is_an_upgrade_and_garbage_is_not_tls() {
        let mut tls = TlsConnection::new();
        tls.deliver(0, &data(b"STARTTLS\r\n", 4), now(4), &Shared::default());
        let hello = [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00];
        tls.deliver(0, &data(&hello, 6), now(6), &Shared::default());
        assert!(matches!(
            tls.events[0].kind,
            EventKind::NotTls { offset: 0, .. }
        ));
        assert!(matches!(
            tls.events[1].kind,
            EventKind::Upgrade { offset: 10 }
        ));
        assert!(matches!(
            tls.events[2].kind,
            EventKind::Handshake(HandshakeMessage { typ: 1, .. })
        ));
        assert!(tls.upgraded());
    }
}
