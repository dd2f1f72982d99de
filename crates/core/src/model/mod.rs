//! The typed model of a connection: what the rules read, and what the report projects.
//!
//! ```text
//! flow::Connection + reassembly events + tls::TlsConnection ─► build ─► Connection
//!                                                               (build.rs, outcome.rs)
//! ```
//!
//! One [`Connection`] per TCP connection, built once when the connection ends (or at the end of
//! the capture): its sides resolved into client and server ([`Party`]), its TLS events in order
//! with typed wire values (handshake types, alerts, versions, suites, signature schemes,
//! certificates and CertificateRequests, each keeping values it does not know), its anomalies,
//! traffic, negotiated parameters and outcome. Frames are [`FrameNumber`]s, 1-based as Wireshark
//! numbers them; a fact that may be absent is an `Option`, never a 0.
//!
//! The model holds no words: names, hex and RFC 3339 times are written by the report (and by the
//! findings' prose, through the values' own `Display`).

mod build;
mod outcome;
#[cfg(test)]
pub(crate) mod testkit;
mod tls13;

use std::fmt;
use std::sync::Arc;

use crate::capture::Timestamp;
pub(crate) use crate::flow::{Endpoint, Opening, Party, RoleBasis};
use crate::tls::decryption::{HiddenReason, Unsupported};
use crate::tls::enums::{
    AlertDescription, AlertLevel, CipherSuite, HandshakeType, ProtocolVersion,
};
use crate::tls::handshake::{
    CertEntry, CertificateRequest, ClientHello, Details, List, ServerHello,
};
use crate::tls::keylog::Label;
use crate::x509::Certificate;
pub(crate) use build::{build, update_flow};
#[cfg(test)]
pub(crate) use outcome::decide;
pub(crate) use tls13::{ClientCertificate, Inferred, ONE_CERTIFICATE, Reading, Rejection};

/// A frame number, 1-based, as Wireshark shows it.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub(crate) struct FrameNumber(u64);

impl FrameNumber {
    /// The frame numbered `n` (frames count from 1).
    pub(crate) const fn new(n: u64) -> Self {
        Self(n)
    }

    /// The number.
    pub(crate) const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for FrameNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How a connection's TLS handshake ended.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Outcome {
    /// Both sides finished the handshake (for TLS 1.3 without keys: inferred from sizes).
    Established,
    /// A fatal alert, or the connection closed, before the handshake finished.
    Failed,
    /// The capture ends before the handshake did.
    Incomplete,
    /// No TLS on this connection.
    NotTls,
}

/// The protocol a connection spoke before switching to TLS (STARTTLS and its equivalents).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum StartTls {
    /// PostgreSQL SSLRequest.
    Postgresql,
    /// IMAP STARTTLS.
    Imap,
    /// POP3 STLS.
    Pop3,
    /// SMTP STARTTLS.
    Smtp,
    /// FTP AUTH TLS.
    Ftp,
    /// XMPP starttls.
    Xmpp,
    /// LDAP StartTLS extended operation.
    Ldap,
    /// MySQL SSL request.
    Mysql,
    /// Something else.
    Other,
}

/// One TCP connection, with everything its TLS layer showed.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    /// 1-based, in order of first appearance.
    pub(crate) id: u32,
    /// The client's endpoint.
    pub(crate) client: Endpoint,
    /// The server's endpoint.
    pub(crate) server: Endpoint,
    /// What decided which side is the client.
    pub(crate) role_basis: RoleBasis,
    /// First frame of the connection.
    pub(crate) first_frame: FrameNumber,
    /// Last frame of the connection.
    pub(crate) last_frame: FrameNumber,
    /// Time of the earliest frame.
    pub(crate) start: Option<Timestamp>,
    /// Time of the latest frame.
    pub(crate) end: Option<Timestamp>,
    /// Traffic from the client.
    pub(crate) client_to_server: Traffic,
    /// Traffic from the server.
    pub(crate) server_to_client: Traffic,
    /// TLS started after another protocol.
    pub(crate) starttls: Option<StartTls>,
    /// How the handshake ended.
    pub(crate) outcome: Outcome,
    /// An abbreviated (resumed) handshake.
    pub(crate) resumed: bool,
    /// Did the server ask for a client certificate? `None`: cannot be known (encrypted).
    pub(crate) client_certificate_requested: Option<bool>,
    /// The TLS events, in order (an event's `seq` is its index).
    pub(crate) events: Vec<Event>,
    /// Capture and stream anomalies, in frame order.
    pub(crate) anomalies: Vec<Anomaly>,
    /// TLS events not kept because of the per-connection limit.
    pub(crate) dropped_events: u64,
    /// What a key log decrypted; `None` without a key log (or without TLS).
    pub(crate) decryption: Option<Decryption>,
    /// TLS 1.3: what the encrypted records' sizes and places say (or, decrypted, the messages).
    pub(crate) tls13: Option<Reading>,
}

impl Connection {
    /// A party's traffic.
    pub(crate) fn traffic(&self, from: Party) -> &Traffic {
        match from {
            Party::Client => &self.client_to_server,
            Party::Server => &self.server_to_client,
        }
    }

    /// The non-alert events: handshake messages and other records, as the ladder lists them.
    pub(crate) fn records(&self) -> impl Iterator<Item = &Event> {
        self.events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Alert(_)))
    }

    /// The alerts, in order.
    pub(crate) fn alerts(&self) -> impl Iterator<Item = (&Event, &Alert)> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Alert(a) => Some((e, a)),
            _ => None,
        })
    }

    /// The first message of this kind from this party.
    pub(crate) fn message(&self, from: Party, kind: HandshakeType) -> Option<&Event> {
        self.events
            .iter()
            .find(|e| e.from == from && e.is_message(kind))
    }

    /// The last complete message of this party whose details match `pick`.
    fn last_details<'a, T: ?Sized>(
        &'a self,
        from: Party,
        pick: impl Fn(&'a Details) -> Option<&'a T>,
    ) -> Option<&'a T> {
        self.events
            .iter()
            .rev()
            .filter(|e| e.from == from)
            .find_map(|e| e.message().and_then(|m| pick(&m.details)))
    }

    /// What the (last) ClientHello offered: after a HelloRetryRequest the second one counts.
    pub(crate) fn client_hello(&self) -> Option<&ClientHello> {
        self.last_details(Party::Client, |d| match d {
            Details::ClientHello(ch) => Some(&**ch),
            _ => None,
        })
    }

    /// What the (last) ServerHello, or HelloRetryRequest, chose.
    pub(crate) fn server_hello(&self) -> Option<&ServerHello> {
        self.last_details(Party::Server, |d| match d {
            Details::ServerHello(sh) => Some(&**sh),
            _ => None,
        })
    }

    /// The server's (last) CertificateRequest, when readable.
    pub(crate) fn certificate_request(&self) -> Option<&CertificateRequest> {
        self.last_details(Party::Server, |d| match d {
            Details::CertificateRequest(cr) => Some(&**cr),
            _ => None,
        })
    }

    /// A party's (last) Certificate message's certificates; `[]` is an empty message, `None`
    /// none visible.
    pub(crate) fn certificates(&self, from: Party) -> Option<&Arc<[CertEntry]>> {
        self.last_details(from, |d| match d {
            Details::Certificate(c) => Some(&c.certificates),
            _ => None,
        })
    }

    /// The certificates of a party's chain that parsed, leaf first.
    pub(crate) fn chain(&self, from: Party) -> Vec<&Certificate> {
        self.certificates(from)
            .map(|list| list.iter().filter_map(CertEntry::parsed).collect())
            .unwrap_or_default()
    }

    /// The version the ServerHello chose.
    pub(crate) fn version(&self) -> Option<ProtocolVersion> {
        self.server_hello().map(|sh| sh.version)
    }

    /// The cipher suite the ServerHello chose.
    pub(crate) fn cipher_suite(&self) -> Option<CipherSuite> {
        self.server_hello().map(|sh| sh.cipher_suite)
    }

    /// The server name the client asked for (SNI).
    pub(crate) fn sni(&self) -> Option<&str> {
        self.client_hello().and_then(|ch| ch.sni.as_deref())
    }

    /// The ALPN protocols the client offered.
    pub(crate) fn alpn(&self) -> Option<&List<String>> {
        self.client_hello().map(|ch| &ch.alpn)
    }

    /// TLS 1.3 was negotiated.
    pub(crate) fn is_tls13(&self) -> bool {
        self.version().is_some_and(ProtocolVersion::is_tls13)
    }

    /// The server's host refused the connection: the client's SYN was answered by a RST alone
    /// (RFC 9293 §3.5.2: nothing listens on the port, or a firewall rejects).
    pub(crate) fn refused(&self) -> bool {
        let (c, s) = (&self.client_to_server, &self.server_to_client);
        c.syns > 0
            && !c.syn_ack
            && s.rst
            && s.syns == 0
            && c.payload_bytes == 0
            && s.payload_bytes == 0
    }

    /// The client's SYNs were never answered: it sent its SYN again (RFC 6298 §5: after its
    /// retransmission timeout) and nothing else (a client that gets a SYN-ACK acknowledges it),
    /// and nothing came back. A lone SYN may just be the capture's last packet.
    pub(crate) fn syn_unanswered(&self) -> bool {
        let (c, s) = (&self.client_to_server, &self.server_to_client);
        c.syns > 1 && !c.syn_ack && c.frames == u64::from(c.syns) && s.frames == 0
    }

    /// TLS ≤ 1.2: the event where a renegotiation begins — the first handshake record after
    /// application data from a side that had already sent its Finished (RFC 5246 §7.4.1.1: a
    /// HelloRequest or a new ClientHello, encrypted under the first handshake's keys).
    pub(crate) fn renegotiation(&self) -> Option<usize> {
        if self.is_tls13() {
            return None;
        }
        let events = &self.events;
        let first_data = events
            .iter()
            .position(|e| e.is_encrypted_record() || e.is_application_data())?;
        let finished = |p: Party| {
            events.iter().position(|e| {
                e.from == p && (e.is_encrypted_handshake() || e.is_message(HandshakeType::Finished))
            })
        };
        let handshake = |e: &Event| {
            e.is_encrypted_handshake()
                || e.handshake()
                    .is_some_and(|m| m.typ != HandshakeType::NewSessionTicket)
        };
        (first_data..events.len())
            .find(|&i| handshake(&events[i]) && finished(events[i].from).is_some_and(|f| f < i))
    }

    /// Either side's first payload looks like TLS.
    pub(crate) fn starts_like_tls(&self) -> bool {
        [&self.client_to_server, &self.server_to_client]
            .iter()
            .any(|t| t.opening.as_ref().is_some_and(|o| o.kind.is_tls()))
    }
}

/// Something on a connection's TLS layer.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// Its position among the connection's events.
    pub(crate) seq: usize,
    /// The frame that completed it (where Wireshark shows it).
    pub(crate) frame: FrameNumber,
    /// The frame that carried its first byte.
    pub(crate) first_frame: FrameNumber,
    /// Time of `frame`.
    pub(crate) time: Option<Timestamp>,
    /// Who sent it.
    pub(crate) from: Party,
    /// Read from a record decrypted with the key log.
    pub(crate) decrypted: bool,
    /// What it is.
    pub(crate) kind: EventKind,
    /// A TLS 1.3 record not decrypted: what its size and place say it most likely holds.
    pub(crate) inferred: Option<Inferred>,
}

impl Event {
    /// The handshake message, complete or not.
    pub(crate) fn handshake(&self) -> Option<&Message> {
        match &self.kind {
            EventKind::Message(m) => Some(m),
            _ => None,
        }
    }

    /// The handshake message, when all its bytes were captured.
    pub(crate) fn message(&self) -> Option<&Message> {
        self.handshake().filter(|m| !m.incomplete)
    }

    /// A handshake message of this kind (see [`Message::kind`]), complete or not.
    pub(crate) fn is_message(&self, kind: HandshakeType) -> bool {
        self.handshake().is_some_and(|m| m.kind() == kind)
    }

    /// A TLS ≤ 1.2 handshake record after ChangeCipherSpec.
    pub(crate) fn is_encrypted_handshake(&self) -> bool {
        matches!(self.kind, EventKind::EncryptedHandshake { .. })
    }

    /// An application_data record not decrypted (in TLS 1.3 also the encrypted handshake).
    pub(crate) fn is_encrypted_record(&self) -> bool {
        matches!(self.kind, EventKind::Encrypted { .. })
    }

    /// A ChangeCipherSpec.
    pub(crate) fn is_change_cipher_spec(&self) -> bool {
        matches!(self.kind, EventKind::ChangeCipherSpec)
    }

    /// Decrypted application data.
    pub(crate) fn is_application_data(&self) -> bool {
        matches!(self.kind, EventKind::ApplicationData { .. })
    }

    /// Its content is encrypted.
    pub(crate) fn is_encrypted(&self) -> bool {
        match &self.kind {
            EventKind::EncryptedHandshake { .. }
            | EventKind::Encrypted { .. }
            | EventKind::Heartbeat { .. } => true,
            EventKind::Alert(a) => a.is_encrypted(),
            _ => false,
        }
    }

    /// Handshake messages: the declared body length; records: the record length.
    pub(crate) fn length(&self) -> u32 {
        match &self.kind {
            EventKind::Message(m) => m.length,
            EventKind::EncryptedHandshake { length }
            | EventKind::Encrypted { length }
            | EventKind::ApplicationData { length }
            | EventKind::Heartbeat { length }
            | EventKind::Sslv2 { length, .. } => u32::from(*length),
            EventKind::ChangeCipherSpec => 1,
            EventKind::Alert(a) => u32::from(a.length()),
        }
    }

    /// The size of a record not decrypted.
    pub(crate) fn encrypted_length(&self) -> Option<u16> {
        match self.kind {
            EventKind::Encrypted { length } => Some(length),
            _ => None,
        }
    }
}

/// The kinds of [`Event`].
#[derive(Clone, Debug)]
pub(crate) enum EventKind {
    /// A handshake message in clear (or decrypted).
    Message(Message),
    /// A handshake record after ChangeCipherSpec (TLS ≤ 1.2): Finished or a renegotiation.
    EncryptedHandshake {
        /// Record length.
        length: u16,
    },
    /// ChangeCipherSpec (in TLS 1.3 the middlebox-compatibility dummy, RFC 8446 Appendix D.4).
    ChangeCipherSpec,
    /// An application_data record that was not decrypted (in TLS 1.3 also every encrypted
    /// handshake record).
    Encrypted {
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
    Sslv2 {
        /// SSLv2 message type.
        message_type: u8,
        /// Record length.
        length: u16,
    },
    /// An alert.
    Alert(Alert),
}

/// A handshake message.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// HandshakeType.
    pub(crate) typ: HandshakeType,
    /// Declared body length.
    pub(crate) length: u32,
    /// Bytes of it are missing from the capture (or it was too large to read): no details.
    pub(crate) incomplete: bool,
    /// What could be read from the body.
    pub(crate) details: Details,
}

impl Message {
    /// Its kind: the handshake type, except that a HelloRetryRequest — a ServerHello with the
    /// special random (RFC 8446 §4.1.3) — is its own kind.
    pub(crate) fn kind(&self) -> HandshakeType {
        match &self.details {
            Details::ServerHello(sh) if sh.hello_retry_request => HandshakeType::HelloRetryRequest,
            _ => self.typ,
        }
    }

    /// An empty Certificate message ("Certificates Length: 0").
    pub(crate) fn is_empty_certificate(&self) -> bool {
        matches!(&self.details, Details::Certificate(c) if c.list_length == 0)
    }

    /// A TLS 1.2 client's CertificateVerify checked here: `Some(true)` valid, `Some(false)`
    /// made with another key.
    pub(crate) fn signature_valid(&self) -> Option<bool> {
        match &self.details {
            Details::CertificateVerify {
                check: Some(crate::x509::verify::Verdict::Valid),
                ..
            } => Some(true),
            Details::CertificateVerify {
                check: Some(crate::x509::verify::Verdict::Invalid),
                ..
            } => Some(false),
            _ => None,
        }
    }
}

/// An alert, read or left encrypted.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Alert {
    /// In clear (or decrypted).
    Clear {
        /// Its level.
        level: AlertLevel,
        /// Its description.
        description: AlertDescription,
    },
    /// Its content is encrypted.
    Encrypted {
        /// Record length.
        length: u16,
    },
    /// A TLS 1.3 record not decrypted that its size (an alert's, RFC 8446 §5.2) and place make
    /// an alert.
    Inferred {
        /// Record length.
        length: u16,
        /// Which alert its place suggests.
        likely: Likely,
    },
}

/// Which alert an inferred one most likely is.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Likely {
    /// A fatal alert: a side refusing the other's flight.
    Fatal,
    /// close_notify: the last record before a side's FIN.
    CloseNotify,
}

impl Likely {
    /// The name the report gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Fatal => "fatal",
            Self::CloseNotify => "close_notify",
        }
    }
}

impl Alert {
    /// A fatal alert in clear.
    pub(crate) fn is_fatal(self) -> bool {
        matches!(
            self,
            Self::Clear {
                level: AlertLevel::Fatal,
                ..
            }
        )
    }

    /// The description, when readable.
    pub(crate) fn description(self) -> Option<AlertDescription> {
        match self {
            Self::Clear { description, .. } => Some(description),
            Self::Encrypted { .. } | Self::Inferred { .. } => None,
        }
    }

    /// Its content is encrypted.
    pub(crate) fn is_encrypted(self) -> bool {
        matches!(self, Self::Encrypted { .. } | Self::Inferred { .. })
    }

    /// Inferred from its size: which alert it most likely is.
    pub(crate) fn inferred(self) -> Option<Likely> {
        match self {
            Self::Inferred { likely, .. } => Some(likely),
            _ => None,
        }
    }

    /// The record length (2 for an alert in clear).
    pub(crate) fn length(self) -> u16 {
        match self {
            Self::Clear { .. } => 2,
            Self::Encrypted { length } | Self::Inferred { length, .. } => length,
        }
    }
}

/// Something about the capture or the stream that limits what can be seen.
#[derive(Clone, Debug)]
pub(crate) struct Anomaly {
    /// The frame where it shows.
    pub(crate) frame: FrameNumber,
    /// Whose direction.
    pub(crate) from: Party,
    /// What it is.
    pub(crate) kind: AnomalyKind,
}

/// The kinds of [`Anomaly`].
#[derive(Clone, Debug, Eq, PartialEq)]
pub(crate) enum AnomalyKind {
    /// The capture starts after this direction's SYN.
    Midstream,
    /// Bytes never captured.
    Gap {
        /// Stream offset.
        offset: u64,
        /// How many.
        len: u64,
    },
    /// A retransmission that differs from the first copy.
    Overlap {
        /// Stream offset.
        offset: u64,
    },
    /// Bytes cut by the snapshot length.
    Truncated {
        /// Stream offset.
        offset: u64,
        /// How many.
        len: u64,
    },
    /// Segments arrived out of order.
    OutOfOrder,
    /// TLS starts after another protocol.
    StartTls {
        /// Stream offset.
        offset: u64,
    },
    /// Bytes that are not TLS.
    NotTls {
        /// Stream offset.
        offset: u64,
        /// Up to 16 of them.
        head: Vec<u8>,
    },
    /// TLS records found again.
    Resync {
        /// Stream offset.
        offset: u64,
    },
    /// A handshake message with bytes missing.
    IncompleteMessage {
        /// Its type.
        typ: HandshakeType,
        /// Its declared length.
        length: u32,
        /// Bytes missing.
        missing: u64,
    },
    /// A handshake message too large to read.
    OversizedMessage {
        /// Its type.
        typ: HandshakeType,
        /// Its declared length.
        length: u32,
    },
    /// No frame of this party was captured (`from` is the silent party).
    OneSided,
    /// Too many connections were open at once: this one, among the longest idle, was analysed
    /// as it stood (`frame`: its last frame); later segments would start another connection.
    Evicted {
        /// The limit of open connections.
        limit: usize,
    },
}

/// One direction of a connection.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traffic {
    /// Frames.
    pub(crate) frames: u64,
    /// Bytes of those frames on the wire.
    pub(crate) bytes: u64,
    /// TCP payload bytes.
    pub(crate) payload_bytes: u64,
    /// A SYN (or SYN-ACK) was sent.
    pub(crate) syn: bool,
    /// SYN (or SYN-ACK) segments sent, retransmissions included.
    pub(crate) syns: u32,
    /// A SYN-ACK was sent (this side answered a SYN).
    pub(crate) syn_ack: bool,
    /// The frame of the first SYN (or SYN-ACK).
    pub(crate) syn_frame: Option<FrameNumber>,
    /// A FIN was sent.
    pub(crate) fin: bool,
    /// A RST was sent.
    pub(crate) rst: bool,
    /// The frame of the first FIN.
    pub(crate) fin_frame: Option<FrameNumber>,
    /// The frame of the first RST.
    pub(crate) rst_frame: Option<FrameNumber>,
    /// Frames cut by the snapshot length.
    pub(crate) truncated_frames: u64,
    /// TLS application_data records (in TLS 1.3 including the encrypted handshake).
    pub(crate) application_data_records: u64,
    /// Their bytes (record lengths).
    pub(crate) application_data_bytes: u64,
    /// How the first payload looks.
    pub(crate) opening: Option<FirstPayload>,
}

impl Traffic {
    /// The frame of the first FIN, or else of the first RST: where this side closed.
    pub(crate) fn closed_at(&self) -> Option<FrameNumber> {
        self.fin_frame.or(self.rst_frame)
    }
}

/// A direction's first payload.
#[derive(Clone, Debug)]
pub(crate) struct FirstPayload {
    /// The frame that carried it.
    pub(crate) frame: FrameNumber,
    /// How it looks.
    pub(crate) kind: Opening,
    /// Its first bytes (up to 16).
    pub(crate) head: Vec<u8>,
}

/// What a key log decrypted on a connection, and what it left hidden.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decryption {
    /// The key log has secrets for this connection's ClientHello random.
    pub(crate) matched: bool,
    /// The connection's ClientHello and ServerHello were seen, so it was looked up.
    pub(crate) looked_up: bool,
    /// The labels found for it.
    pub(crate) secrets: Vec<Label>,
    /// Labels that records needed but the key log lacks.
    pub(crate) missing: Vec<Label>,
    /// Records decrypted.
    pub(crate) records_decrypted: u64,
    /// Records that stayed encrypted, per direction.
    pub(crate) hidden: Vec<Hidden>,
    /// Records that did not decrypt (the first per direction).
    pub(crate) failures: Vec<Failure>,
    /// A version or suite this tool does not decrypt.
    pub(crate) unsupported: Option<Unsupported>,
    /// The server's first application data, when it is an HTTP response.
    pub(crate) http_response: Option<HttpResponse>,
}

impl Decryption {
    /// Why nothing could be decrypted when that is not the key log's fault.
    pub(crate) fn note(&self) -> Option<DecryptionNote> {
        if self.looked_up {
            self.unsupported.map(DecryptionNote::Unsupported)
        } else {
            Some(DecryptionNote::NoHellos)
        }
    }
}

/// Why a connection was not decrypted, not being the key log's fault.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum DecryptionNote {
    /// The capture lacks the ClientHello or ServerHello by which the key log is matched.
    NoHellos,
    /// A version or suite this tool does not decrypt.
    Unsupported(Unsupported),
}

impl fmt::Display for DecryptionNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHellos => f.write_str(
                "the capture lacks this connection's ClientHello or ServerHello, by which the key log is matched",
            ),
            Self::Unsupported(u) => u.fmt(f),
        }
    }
}

/// Records of one direction that stayed encrypted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hidden {
    /// Whose records.
    pub(crate) from: Party,
    /// The first one's frame.
    pub(crate) first_frame: FrameNumber,
    /// How many.
    pub(crate) records: u64,
    /// Why.
    pub(crate) reason: HiddenReason,
}

/// A record that did not decrypt.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Failure {
    /// Who sent it.
    pub(crate) from: Party,
    /// Its frame.
    pub(crate) frame: FrameNumber,
    /// The authentication tag (or MAC) did not match, rather than a malformed record.
    pub(crate) authentication: bool,
}

/// The server's first decrypted application data, read as an HTTP response. Only the status
/// line is kept; the body is never reported.
#[derive(Clone, Debug)]
pub(crate) struct HttpResponse {
    /// The frame that carried it.
    pub(crate) frame: FrameNumber,
    /// `HTTP/1.1 400 Bad Request`.
    pub(crate) status_line: String,
    /// The body says "No required SSL certificate was sent".
    pub(crate) no_client_certificate: bool,
}
