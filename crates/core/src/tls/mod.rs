//! TLS over one TCP connection: two reassembled byte streams in, an ordered list of events out.
//!
//! ```text
//! Delivery (per side) ─► record layer ─► handshake assembler ─► TlsEvent { side, frame, kind }
//!                        (record.rs;       (assembler.rs; messages split
//!                         RFC 5246 §6.2,    over records, RFC 8446 §4)
//!                         RFC 8446 §5)
//!                             │                 │
//!                             │                 └► transcript.rs: a TLS 1.2 client's
//!                             │                    CertificateVerify checked (RFC 5246 §7.4.8)
//!                             └► decryption.rs: records opened with a key log (RFC 9850)
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

mod assembler;
mod cipher;
pub(crate) mod codec;
pub(crate) mod decryption;
pub(crate) mod enums;
pub(crate) mod handshake;
pub(crate) mod keylog;
mod names;
mod record;
mod shared;
mod transcript;

use crate::capture::Timestamp;
use crate::flow::{PerSide, Side};
use crate::reassembly::Delivery;
use decryption::Decryption;
use enums::{AlertDescription, AlertLevel, HandshakeType, ProtocolVersion};
use handshake::HandshakeMessage;
pub(crate) use shared::Shared;

/// The largest handshake message that is buffered and parsed (certificate chains stay far below).
pub(crate) const MAX_HANDSHAKE_MESSAGE: u32 = 1 << 20;
/// Events kept per connection; further ones are counted.
const MAX_EVENTS: usize = 512;
/// Encrypted records listed per direction; further ones are counted.
const MAX_LISTED_ENCRYPTED: u32 = 16;

/// Something that happened on a connection's TLS layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TlsEvent {
    /// The side that sent it.
    pub(crate) side: Side,
    /// The frame whose arrival completed it (as Wireshark places a reassembled message).
    pub(crate) frame: u64,
    /// The frame that carried its first byte.
    pub(crate) first_frame: u64,
    /// Time of `frame`.
    pub(crate) time: Option<Timestamp>,
    /// What happened.
    pub(crate) kind: EventKind,
    /// Read from a record decrypted with the key log.
    pub(crate) decrypted: bool,
}

/// The kinds of [`TlsEvent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A cleartext (or decrypted) handshake message.
    Handshake(HandshakeMessage),
    /// A handshake message with bytes missing from the capture.
    HandshakeIncomplete {
        /// Its type.
        typ: HandshakeType,
        /// Its declared length.
        length: u32,
        /// Bytes the capture lacks.
        missing: u64,
    },
    /// A handshake message longer than [`MAX_HANDSHAKE_MESSAGE`]: skipped.
    HandshakeOversized {
        /// Its type.
        typ: HandshakeType,
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
    /// A cleartext (or decrypted) alert.
    Alert {
        /// Its level.
        level: AlertLevel,
        /// Its description.
        description: AlertDescription,
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
pub(crate) struct RecordCount {
    /// application_data records in all.
    pub(crate) records: u64,
    /// Their bytes.
    pub(crate) bytes: u64,
}

/// The TLS state of one connection.
#[derive(Debug, Default)]
pub(crate) struct TlsConnection {
    sides: PerSide<record::SideState>,
    /// The version the ServerHello chose, once seen.
    pub(crate) version: Option<ProtocolVersion>,
    /// What happened, in order.
    pub(crate) events: Vec<TlsEvent>,
    /// Events not kept because of the cap.
    pub(crate) dropped_events: u64,
    /// TLS ≤ 1.2: the handshake messages up to the client's CertificateVerify, for checking it.
    transcript: transcript::Transcript,
    /// Key log decryption and its coverage.
    pub(crate) decryption: Decryption,
    /// The record being read was decrypted: events it yields are marked so.
    decrypting: bool,
    /// The client's CertificateVerify (with the index of its event), until the server accepts
    /// it or the connection is over.
    deferred: Option<(usize, transcript::DeferredCheck)>,
}

/// The frame being processed: events it completes are placed here.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Now {
    /// Frame number.
    pub(crate) frame: u64,
    /// Its time.
    pub(crate) time: Option<Timestamp>,
}

impl TlsConnection {
    /// True when either direction carried TLS.
    pub(crate) fn is_tls(&self) -> bool {
        self.sides.0.iter().any(record::SideState::is_tls)
            || self
                .events
                .iter()
                .any(|e| !matches!(e.kind, EventKind::NotTls { .. }))
    }

    /// True when a direction switched to TLS after a cleartext start (STARTTLS).
    pub(crate) fn upgraded(&self) -> bool {
        self.sides.0.iter().any(|s| s.upgraded)
    }

    /// application_data counts of a side.
    pub(crate) fn app_data(&self, side: Side) -> RecordCount {
        self.sides[side].app_data
    }

    /// True once `side` sends encrypted records (after its ChangeCipherSpec, or any
    /// application_data record: TLS 1.3 encrypts everything after the ServerHello). From there
    /// on its stream is walked by record headers, and the reassembler need not keep its bytes
    /// to compare retransmissions with.
    pub(crate) fn past_cleartext(&self, side: Side) -> bool {
        self.sides[side].past_cleartext()
    }

    /// Notes that a direction's capture started mid-connection (before its first delivery).
    pub(crate) fn midstream(&mut self, side: Side) {
        self.sides[side].midstream = true;
    }

    /// Takes what the reassembler delivers for `side`. Events are placed at `now`, the frame
    /// being processed; without one (at the end of the capture) at the frame that carried the
    /// bytes.
    pub(crate) fn deliver(
        &mut self,
        side: Side,
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

    fn push(&mut self, side: Side, first_frame: u64, now: Now, kind: EventKind) {
        self.flush_tails();
        let event = self.event(side, first_frame, now, kind);
        self.keep(event);
    }

    /// An event placed at `now`, marked decrypted when the record being read was.
    fn event(&self, side: Side, first_frame: u64, now: Now, kind: EventKind) -> TlsEvent {
        TlsEvent {
            side,
            frame: now.frame,
            first_frame,
            time: now.time,
            kind,
            decrypted: self.decrypting,
        }
    }

    fn keep(&mut self, event: TlsEvent) {
        if self.events.len() >= MAX_EVENTS {
            self.dropped_events += 1;
        } else {
            self.events.push(event);
        }
    }

    /// Holds an application_data record past the listed ones as its side's latest, replacing
    /// the one held before: it is listed only if it turns out to be the last before another
    /// event or the end.
    fn hold_tail(&mut self, side: Side, first_frame: u64, now: Now, kind: EventKind) {
        self.sides[side].tail = Some(self.event(side, first_frame, now, kind));
    }

    /// Lists the records held as tails, in frame order, before a later event.
    fn flush_tails(&mut self) {
        let mut tails: Vec<TlsEvent> = Side::BOTH
            .into_iter()
            .filter_map(|side| self.sides[side].tail.take())
            .collect();
        tails.sort_by_key(|t| t.frame);
        for tail in tails {
            self.keep(tail);
        }
    }

    /// The records still held as tails at the end: each side's last application_data record
    /// past the listed ones, in frame order. They come after every event.
    pub(crate) fn tails(&self) -> Vec<&TlsEvent> {
        let mut tails: Vec<&TlsEvent> = Side::BOTH
            .iter()
            .filter_map(|&side| self.sides[side].tail.as_ref())
            .collect();
        tails.sort_by_key(|t| t.frame);
        tails
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

    /// Past the listed application_data records, the last one before another event (or the
    /// end) is kept: it is where a close_notify, or a TLS 1.3 alert by its size, shows.
    #[test]
    fn the_last_record_past_the_listed_ones_is_kept() {
        let record = |len: u8| {
            let mut r = vec![0x17, 0x03, 0x03, 0x00, len];
            r.resize(5 + usize::from(len), 0xaa);
            r
        };
        let mut tls = TlsConnection::default();
        for i in 0..20u8 {
            let bytes = record(30 + i);
            tls.deliver(
                Side::A,
                &data(&bytes, 4 + u64::from(i)),
                now(4 + u64::from(i)),
                &Shared::default(),
            );
        }
        assert_eq!(tls.events.len(), MAX_LISTED_ENCRYPTED as usize);
        let tails = tls.tails();
        assert_eq!(tails.len(), 1);
        assert_eq!(tails[0].kind, EventKind::EncryptedRecord { length: 49 });
        assert_eq!(tls.app_data(Side::A).records, 20);
        // Another event lists it first, in order.
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00];
        tls.deliver(Side::B, &data(&alert, 30), now(30), &Shared::default());
        let lengths: Vec<&EventKind> = tls.events.iter().rev().take(2).map(|e| &e.kind).collect();
        assert_eq!(lengths[1], &EventKind::EncryptedRecord { length: 49 });
        assert!(matches!(lengths[0], EventKind::Alert { .. }));
        assert!(tls.tails().is_empty());
    }

    /// A ServerHelloDone split over two records, the second record split over two segments,
    /// then an alert coalesced into the same segment: RFC 8446 §5.1 allows handshake messages
    /// to span records and records to share segments.
    #[test]
    fn messages_span_records_and_records_span_segments() {
        let mut tls = TlsConnection::default();
        let record1 = [0x16, 0x03, 0x03, 0x00, 0x02, 0x0e, 0x00];
        let record2 = [0x16, 0x03, 0x03, 0x00, 0x02, 0x00, 0x00];
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];
        tls.deliver(Side::A, &data(&record1, 4), now(4), &Shared::default());
        tls.deliver(Side::A, &data(&record2[..3], 5), now(5), &Shared::default());
        let mut tail = record2[3..].to_vec();
        tail.extend(alert);
        tls.deliver(Side::A, &data(&tail, 6), now(6), &Shared::default());
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
                    typ: HandshakeType::ServerHelloDone,
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
                    level: AlertLevel::Fatal,
                    description: AlertDescription::HandshakeFailure
                }
            )
        ));
        assert_eq!(kinds.len(), 2);
    }

    #[test]
    fn a_gap_inside_a_record_keeps_the_framing() {
        let mut tls = TlsConnection::default();
        // An 8-byte handshake record holding a Certificate message with a 4-byte body, two
        // bytes of which the capture lacks; then an alert, which must still be found.
        tls.deliver(
            Side::A,
            &data(
                &[0x16, 0x03, 0x03, 0x00, 0x08, 0x0b, 0x00, 0x00, 0x04, 0xaa],
                4,
            ),
            now(4),
            &Shared::default(),
        );
        tls.deliver(
            Side::A,
            &Delivery::Gap {
                offset: 10,
                len: 2,
                frame: 5,
            },
            now(5),
            &Shared::default(),
        );
        tls.deliver(
            Side::A,
            &data(&[0xbb, 0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00], 6),
            now(6),
            &Shared::default(),
        );
        assert!(matches!(
            tls.events[0].kind,
            EventKind::HandshakeIncomplete {
                typ: HandshakeType::Certificate,
                length: 4,
                missing: 2
            }
        ));
        assert!(matches!(
            tls.events[1].kind,
            EventKind::Alert {
                level: AlertLevel::Warning,
                description: AlertDescription::CloseNotify
            }
        ));
    }

    #[test]
    fn tls13_change_cipher_spec_does_not_switch_to_encrypted() {
        let mut tls = TlsConnection {
            version: Some(ProtocolVersion::TLS13),
            ..TlsConnection::default()
        };
        tls.deliver(
            Side::A,
            &data(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01], 8),
            now(8),
            &Shared::default(),
        );
        // A cleartext alert after the dummy CCS is still read (RFC 8446 Appendix D.4).
        tls.deliver(
            Side::A,
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
                description: AlertDescription::UnknownCa,
                ..
            }
        ));
    }

    #[test]
    fn text_before_tls_is_an_upgrade_and_garbage_is_not_tls() {
        let mut tls = TlsConnection::default();
        tls.deliver(
            Side::A,
            &data(b"STARTTLS\r\n", 4),
            now(4),
            &Shared::default(),
        );
        let hello = [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00];
        tls.deliver(Side::A, &data(&hello, 6), now(6), &Shared::default());
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
            EventKind::Handshake(HandshakeMessage {
                typ: HandshakeType::ClientHello,
                ..
            })
        ));
        assert!(tls.upgraded());
    }
}
