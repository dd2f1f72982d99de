//! The record layer (RFC 5246 §6.2, RFC 8446 §5.1): a direction's byte stream cut into records,
//! whose content is read (handshake, alert, ChangeCipherSpec), decrypted with a key log, or
//! counted by its size (application data).
//!
//! A direction starts in [`Mode::Start`]: TLS when its first bytes are a record header or an
//! SSL 2.0-compatible ClientHello, otherwise it is searched for TLS at each segment start (a
//! STARTTLS upgrade, or after a capture gap, a resynchronisation).

use super::assembler::HandshakeAssembler;
use super::enums::{AlertDescription, AlertLevel, ContentType, HandshakeType};
use super::handshake::{self, Details, HandshakeMessage};
use super::{EventKind, MAX_LISTED_ENCRYPTED, Now, RecordCount, Shared, TlsConnection};
use crate::flow::Side;

/// The largest record length accepted as TLS (RFC 5246 §6.2.3: 2^14 + 2048).
const MAX_RECORD: u16 = 18432;
/// Bytes of a non-TLS stream watched for a STARTTLS upgrade before giving up.
const MAX_PREAMBLE: u64 = 1 << 20;

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
pub(super) struct Record {
    content_type: ContentType,
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

/// One direction's parsing state.
#[derive(Debug, Default)]
pub(super) struct SideState {
    mode: Mode,
    header: Vec<u8>,
    record: Option<Record>,
    pub(super) handshake: HandshakeAssembler,
    /// ChangeCipherSpec was sent (TLS ≤ 1.2): later records are encrypted.
    encrypted: bool,
    listed_encrypted: u32,
    /// The latest application_data record past the listed ones: the last record before a close
    /// (a close_notify, or an alert by its size in TLS 1.3) says how the direction ended.
    pub(super) tail: Option<super::TlsEvent>,
    pub(super) app_data: RecordCount,
    /// Stream offset of the next byte.
    offset: u64,
    /// The direction started mid-connection.
    pub(super) midstream: bool,
    reported_not_tls: bool,
    /// The stream started with something else and switched to TLS.
    pub(super) upgraded: bool,
    /// This side sent a ClientHello offering TLS 1.3.
    pub(super) offered_tls13: bool,
    /// A ChangeCipherSpec came before any ServerHello from a client offering TLS 1.3: the next
    /// handshake record is a cleartext ClientHello (after a HelloRetryRequest) or encrypted.
    ambiguous_ccs: bool,
}

impl SideState {
    /// Records are being read.
    pub(super) fn is_tls(&self) -> bool {
        self.mode == Mode::Tls
    }

    /// Past the cleartext handshake: encrypted records only from here on.
    pub(super) fn past_cleartext(&self) -> bool {
        self.mode == Mode::Tls && (self.encrypted || self.app_data.records > 0)
    }
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
    /// Takes a direction's next bytes, carried by `frame`.
    pub(super) fn data(
        &mut self,
        side: Side,
        mut bytes: &[u8],
        frame: u64,
        now: Now,
        shared: &Shared,
    ) {
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
    fn sslv2<'a>(&mut self, side: Side, bytes: &'a [u8], frame: u64, now: Now) -> &'a [u8] {
        let length = usize::from(u16::from_be_bytes([bytes[0] & 0x7f, bytes[1]]));
        let Some(body) = bytes.get(2..2 + length) else {
            // Split over segments: rare enough for a legacy format to read only the header.
            self.sides[side].offset += bytes.len() as u64;
            self.sides[side].mode = Mode::Searching { strict: false };
            return &[];
        };
        let details = match handshake::sslv2_client_hello(&body[1..]) {
            Ok(ch) => Details::ClientHello(Box::new(ch)),
            Err(reason) => Details::Malformed(reason),
        };
        let message = HandshakeMessage {
            typ: HandshakeType::ClientHello,
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
        side: Side,
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
            let content_type = ContentType::from(s.header[0]);
            let version = [s.header[1], s.header[2]];
            let length = u16::from_be_bytes([s.header[3], s.header[4]]);
            s.header.clear();
            let bulk = self.decryption.bulk(side, content_type, length);
            let keeps_data = !bulk
                && (matches!(
                    content_type,
                    ContentType::ChangeCipherSpec | ContentType::Alert
                ) || (content_type == ContentType::Handshake && !s.encrypted)
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
    pub(super) fn gap(&mut self, side: Side, len: u64, now: Now, shared: &Shared) {
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

    fn finish_record(&mut self, side: Side, now: Now, shared: &Shared) {
        let Some(mut record) = self.sides[side].record.take() else {
            return;
        };
        let first = record.first_frame;
        if self.decrypted_record(side, &mut record, now, shared) {
            return;
        }
        let s = &mut self.sides[side];
        match record.content_type {
            ContentType::ChangeCipherSpec => self.change_cipher_spec(side, first, now, shared),
            ContentType::Alert => {
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
                        level: AlertLevel::from(record.data[0]),
                        description: AlertDescription::from(record.data[1]),
                    };
                    self.push(side, first, now, kind);
                }
            }
            ContentType::Handshake => {
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
            ContentType::ApplicationData => {
                s.app_data.records += 1;
                s.app_data.bytes += u64::from(record.length);
                let kind = EventKind::EncryptedRecord {
                    length: record.length,
                };
                if s.listed_encrypted < MAX_LISTED_ENCRYPTED {
                    s.listed_encrypted += 1;
                    self.push(side, first, now, kind);
                } else {
                    self.hold_tail(side, first, now, kind);
                }
            }
            ContentType::Heartbeat | ContentType::Unknown(_) => self.push(
                side,
                first,
                now,
                EventKind::Heartbeat {
                    length: record.length,
                },
            ),
        }
    }

    /// A ChangeCipherSpec in clear.
    fn change_cipher_spec(&mut self, side: Side, first: u64, now: Now, shared: &Shared) {
        let s = &mut self.sides[side];
        // TLS 1.3's dummy ChangeCipherSpec. Without a ServerHello in the capture, a client
        // offering TLS 1.3 may send it ahead of a second ClientHello (after a
        // HelloRetryRequest) or of its encrypted Finished: the next record decides.
        let middlebox = match self.version {
            Some(v) => v.is_tls13(),
            None if s.offered_tls13 => {
                s.ambiguous_ccs = true;
                true
            }
            None => false,
        };
        if !middlebox {
            s.encrypted = true;
            self.decryption.change_cipher_spec(side);
            let client = self.transcript.client();
            if client.is_some_and(|client| client != side) && !shared.check_accepted_signatures {
                self.accept_certificate_verify();
            }
        }
        self.push(side, first, now, EventKind::ChangeCipherSpec { middlebox });
    }

    /// Decrypts a record with the key log and takes its content; false when it stays encrypted
    /// (no keys, a failure, or bytes missing from the capture), noted in the coverage.
    fn decrypted_record(
        &mut self,
        side: Side,
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
            let header = [
                record.content_type.value(),
                record.version[0],
                record.version[1],
            ];
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
                    ContentType::from(typ),
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
            || (record.content_type == ContentType::ApplicationData
                && self
                    .version
                    .is_some_and(super::enums::ProtocolVersion::is_tls13))
        {
            self.decryption.encrypted_record(side, first, false);
        }
        false
    }

    /// Takes a decrypted record's content (`typ`: its content type; `length`: the record's).
    #[allow(clippy::too_many_arguments)]
    fn plaintext(
        &mut self,
        side: Side,
        typ: ContentType,
        data: &[u8],
        length: u16,
        first: u64,
        now: Now,
        shared: &Shared,
    ) {
        let kind = match (typ, data) {
            (ContentType::ChangeCipherSpec, _) => {
                // A renegotiation's ChangeCipherSpec, under the old keys.
                self.decryption.change_cipher_spec(side);
                EventKind::ChangeCipherSpec { middlebox: false }
            }
            (ContentType::Alert, &[level, description]) => EventKind::Alert {
                level: AlertLevel::from(level),
                description: AlertDescription::from(description),
            },
            (ContentType::Alert, _) => EventKind::EncryptedAlert { length },
            (ContentType::Handshake, _) => {
                return self.handshake_record(side, data, &[], first, now, shared);
            }
            (ContentType::ApplicationData, _) => {
                let s = &mut self.sides[side];
                s.app_data.records += 1;
                s.app_data.bytes += u64::from(length);
                self.decryption.application_data(side, data, now.frame);
                let s = &mut self.sides[side];
                if s.listed_encrypted >= MAX_LISTED_ENCRYPTED {
                    self.hold_tail(side, first, now, EventKind::ApplicationData { length });
                    return;
                }
                s.listed_encrypted += 1;
                EventKind::ApplicationData { length }
            }
            _ => EventKind::Heartbeat { length },
        };
        self.push(side, first, now, kind);
    }
}
