//! Connections built in a few lines, for the rules' unit tests: a scenario is the ladder of a
//! handshake, frame by frame, as RFC 5246 §7.3 and RFC 8446 §2 draw it.
//!
//! ```text
//! Scenario::tls12()                                  10.0.0.1:50000 → 10.0.0.2:443, SYNs at 1-3
//!     .at(4).client(hello())                         ClientHello
//!     .at(6).server(server_hello(TLS12))             ServerHello, Certificate, CertificateRequest…
//!     .at(8).client(certificate(&[]))                an empty Certificate
//!     .at(9).server(alert(Fatal, HandshakeFailure))
//!     .fin(Party::Server, 10)
//!     .build()
//! ```
//!
//! Certificates come from pcaps/certs (the PKI of the repository's captures): real DER, read
//! with the same code as the captures'.

use std::sync::Arc;

use super::{
    Alert, Anomaly, AnomalyKind, Connection, Decryption, Event, EventKind, FirstPayload,
    FrameNumber, Message, Opening, Outcome, Party, RoleBasis, Traffic,
};
use crate::capture::Timestamp;
use crate::flow::Endpoint;
use crate::tls::enums::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, ExtensionType, HandshakeType,
    ProtocolVersion, SignatureScheme,
};
use crate::tls::handshake::{
    CertEntry, CertificateMessage, CertificateRequest, ClientHello, Details, ServerHello,
};
use crate::x509::Certificate;
use crate::x509::verify::Verdict;

/// A TLS 1.3 server flight asking for a client certificate, one record per message:
/// EncryptedExtensions, CertificateRequest, Certificate (a chain), CertificateVerify, Finished.
pub(crate) const REQUESTING: [u16; 5] = [23, 123, 1762, 281, 53];

/// The same flight without a CertificateRequest.
pub(crate) const NOT_REQUESTING: [u16; 4] = [23, 1762, 281, 53];

/// 2026-12-01T00:00:00Z: inside the validity of the repository's test certificates.
pub(crate) const NOW: Timestamp = Timestamp(1_796_083_200_000_000_000);

/// A connection being written down.
pub(crate) struct Scenario {
    conn: Connection,
    frame: u64,
}

impl Scenario {
    /// A TCP connection from 10.0.0.1:50000 to 10.0.0.2:443 whose SYN, SYN-ACK and ACK are
    /// frames 1 to 3, at [`NOW`].
    pub(crate) fn tls12() -> Self {
        let endpoint = |last: u8, port| Endpoint {
            ip: std::net::IpAddr::from([10, 0, 0, last]),
            port,
        };
        let traffic = |frames, syn_ack, frame| Traffic {
            frames,
            syn: true,
            syns: 1,
            syn_ack,
            syn_frame: Some(FrameNumber::new(frame)),
            ..Traffic::default()
        };
        Self {
            conn: Connection {
                id: 1,
                client: endpoint(1, 50000),
                server: endpoint(2, 443),
                role_basis: RoleBasis::Syn,
                first_frame: FrameNumber::new(1),
                last_frame: FrameNumber::new(3),
                start: Some(NOW),
                end: Some(NOW),
                client_to_server: traffic(2, false, 1),
                server_to_client: traffic(1, true, 2),
                starttls: None,
                outcome: Outcome::NotTls,
                resumed: false,
                client_certificate_requested: None,
                events: Vec::new(),
                anomalies: Vec::new(),
                dropped_events: 0,
                decryption: None,
                tls13: None,
            },
            frame: 3,
        }
    }

    /// A client's SYN (frame 1) answered by the server's RST/ACK (frame 2), and nothing else.
    pub(crate) fn refused() -> Self {
        let mut s = Self::tls12();
        s.conn.client_to_server.frames = 1;
        s.conn.server_to_client = Traffic {
            frames: 1,
            rst: true,
            rst_frame: Some(FrameNumber::new(2)),
            ..Traffic::default()
        };
        s.conn.last_frame = FrameNumber::new(2);
        s
    }

    /// A client's SYN sent `count` times, one a frame from frame 1, and nothing back.
    pub(crate) fn unanswered(count: u32) -> Self {
        let mut s = Self::tls12();
        let c = &mut s.conn.client_to_server;
        c.frames = u64::from(count);
        c.syns = count;
        s.conn.server_to_client = Traffic::default();
        s.conn.last_frame = FrameNumber::new(u64::from(count));
        s.conn.end = Some(Timestamp(NOW.0 + i64::from(count) * 1_000_000_000));
        s
    }

    /// A TLS 1.3 handshake without keys up to the server's flight (RFC 8446 §2): the
    /// ClientHello (frame 4), then the ServerHello, ChangeCipherSpec and encrypted records of
    /// these sizes (frame 6), with TLS_AES_128_GCM_SHA256 (a 53-byte Finished). See
    /// [`REQUESTING`] and [`NOT_REQUESTING`].
    pub(crate) fn tls13(server_flight: &[u16]) -> Self {
        Self::tls12()
            .at(4)
            .client(hello13())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS13))
            .server(ccs())
            .records(Party::Server, server_flight)
    }

    /// Encrypted records of these sizes from `from`, in the current frame.
    pub(crate) fn records(mut self, from: Party, sizes: &[u16]) -> Self {
        for &size in sizes {
            self = self.add(from, encrypted(size), false);
        }
        self
    }

    /// What follows happens in frame `frame`.
    pub(crate) fn at(mut self, frame: u64) -> Self {
        self.frame = frame;
        self.conn.last_frame = self.conn.last_frame.max(FrameNumber::new(frame));
        self
    }

    fn add(mut self, from: Party, kind: EventKind, decrypted: bool) -> Self {
        let frame = FrameNumber::new(self.frame);
        let traffic = match from {
            Party::Client => &mut self.conn.client_to_server,
            Party::Server => &mut self.conn.server_to_client,
        };
        traffic.frames += 1;
        traffic.payload_bytes += u64::from(
            5 + match &kind {
                EventKind::Message(m) => m.length + 4,
                _ => 0,
            },
        );
        if let EventKind::Encrypted { length } = kind {
            traffic.application_data_records += 1;
            traffic.application_data_bytes += u64::from(length);
        }
        self.conn.events.push(Event {
            seq: self.conn.events.len(),
            frame,
            first_frame: frame,
            time: Some(NOW),
            from,
            decrypted,
            kind,
            inferred: None,
        });
        self
    }

    /// The client sends this.
    pub(crate) fn client(self, kind: EventKind) -> Self {
        self.add(Party::Client, kind, false)
    }

    /// The server sends this.
    pub(crate) fn server(self, kind: EventKind) -> Self {
        self.add(Party::Server, kind, false)
    }

    /// The client's ChangeCipherSpec and encrypted Finished (TLS ≤ 1.2) in frame `frame`.
    pub(crate) fn client_finished(self, frame: u64) -> Self {
        self.at(frame).client(ccs()).client(encrypted_handshake(40))
    }

    /// The server's ChangeCipherSpec and encrypted Finished (TLS ≤ 1.2) in frame `frame`.
    pub(crate) fn server_finished(self, frame: u64) -> Self {
        self.at(frame).server(ccs()).server(encrypted_handshake(40))
    }

    /// The client sends this, read with a key log.
    pub(crate) fn client_decrypted(self, kind: EventKind) -> Self {
        self.add(Party::Client, kind, true)
    }

    /// The server sends this, read with a key log.
    pub(crate) fn server_decrypted(self, kind: EventKind) -> Self {
        self.add(Party::Server, kind, true)
    }

    fn traffic(&mut self, party: Party) -> &mut Traffic {
        match party {
            Party::Client => &mut self.conn.client_to_server,
            Party::Server => &mut self.conn.server_to_client,
        }
    }

    /// `party` closes with a FIN in frame `frame`.
    pub(crate) fn fin(mut self, party: Party, frame: u64) -> Self {
        let t = self.traffic(party);
        t.fin = true;
        t.fin_frame = Some(FrameNumber::new(frame));
        self.at(frame)
    }

    /// `party` resets the connection in frame `frame`.
    pub(crate) fn rst(mut self, party: Party, frame: u64) -> Self {
        let t = self.traffic(party);
        t.rst = true;
        t.rst_frame = Some(FrameNumber::new(frame));
        self.at(frame)
    }

    /// `party`'s first payload, in frame `frame`.
    pub(crate) fn opening(mut self, party: Party, frame: u64, kind: Opening, head: &[u8]) -> Self {
        let t = self.traffic(party);
        t.opening = Some(FirstPayload {
            frame: FrameNumber::new(frame),
            kind,
            head: head.to_vec(),
        });
        t.payload_bytes += head.len() as u64;
        self
    }

    /// An anomaly in frame `frame`.
    pub(crate) fn anomaly(mut self, frame: u64, from: Party, kind: AnomalyKind) -> Self {
        self.conn.anomalies.push(Anomaly {
            frame: FrameNumber::new(frame),
            from,
            kind,
        });
        self
    }

    /// The connection starts at this time instead of [`NOW`].
    pub(crate) fn starting(mut self, at: Timestamp) -> Self {
        self.conn.start = Some(at);
        self
    }

    /// A key log's coverage.
    pub(crate) fn decryption(mut self, d: Decryption) -> Self {
        self.conn.decryption = Some(d);
        self
    }

    /// The connection, its outcome decided as for a capture.
    pub(crate) fn build(mut self) -> Connection {
        let tls = !self.conn.events.is_empty();
        super::decide(&mut self.conn, tls);
        self.conn
    }
}

/// A handshake message with its details.
pub(crate) fn message(typ: HandshakeType, details: Details) -> EventKind {
    EventKind::Message(Message {
        typ,
        length: 100,
        incomplete: false,
        details,
    })
}

/// A message whose details do not matter (Finished, ServerHelloDone, ClientKeyExchange, …).
pub(crate) fn msg(typ: HandshakeType) -> EventKind {
    message(typ, Details::None)
}

/// A ClientHello as OpenSSL 3 sends it for TLS 1.2 (encrypt_then_mac, the renegotiation SCSV,
/// no renegotiation_info extension), with SNI `localhost`.
pub(crate) fn hello() -> EventKind {
    let mut ch = ClientHello::new(ProtocolVersion::TLS12);
    ch.cipher_suites = Arc::new([
        CipherSuite(0xc02f),
        CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV,
    ]);
    ch.extensions = Arc::new([ExtensionType(0), ExtensionType::ENCRYPT_THEN_MAC]);
    ch.sni = Some("localhost".into());
    ch.renegotiation_info = true;
    hello_with(ch)
}

/// A ClientHello as Java's JSSE sends it (status_request_v2).
pub(crate) fn java_hello() -> EventKind {
    let mut ch = ClientHello::new(ProtocolVersion::TLS12);
    ch.cipher_suites = Arc::new([CipherSuite(0xc02f)]);
    ch.extensions = Arc::new([ExtensionType::STATUS_REQUEST_V2]);
    hello_with(ch)
}

/// A ClientHello offering TLS 1.3 (and 1.2).
pub(crate) fn hello13() -> EventKind {
    let mut ch = ClientHello::new(ProtocolVersion::TLS12);
    ch.cipher_suites = Arc::new([CipherSuite(0x1301), CipherSuite(0xc02f)]);
    ch.supported_versions = Arc::new([ProtocolVersion::TLS13, ProtocolVersion::TLS12]);
    ch.max_version = ProtocolVersion::TLS13;
    ch.sni = Some("localhost".into());
    hello_with(ch)
}

/// A ClientHello of these contents.
pub(crate) fn hello_with(ch: ClientHello) -> EventKind {
    message(
        HandshakeType::ClientHello,
        Details::ClientHello(Box::new(ch)),
    )
}

/// A ServerHello choosing `version` (and a suite fit for it).
pub(crate) fn server_hello(version: ProtocolVersion) -> EventKind {
    server_hello_with(|_| {}, version)
}

/// A ServerHello choosing `version`, adjusted by `edit`.
pub(crate) fn server_hello_with(
    edit: impl FnOnce(&mut ServerHello),
    version: ProtocolVersion,
) -> EventKind {
    let mut sh = ServerHello {
        hello_retry_request: false,
        legacy_version: ProtocolVersion::TLS12,
        version,
        cipher_suite: CipherSuite(if version.is_tls13() { 0x1301 } else { 0xc02f }),
        alpn: None,
        key_share_group: None,
        pre_shared_key: false,
        extended_master_secret: true,
        renegotiation_info: true,
        session_ticket: false,
        session_id_length: 0,
        extensions: Vec::new(),
        session_id: Vec::new(),
    };
    edit(&mut sh);
    message(
        HandshakeType::ServerHello,
        Details::ServerHello(Box::new(sh)),
    )
}

/// A Certificate message holding `chain` (empty: "Certificates Length: 0").
pub(crate) fn certificate(chain: &[Certificate]) -> EventKind {
    let certificates: Arc<[CertEntry]> = chain
        .iter()
        .map(|c| CertEntry::Parsed(Box::new(c.clone())))
        .collect();
    let list_length = chain.iter().map(|c| c.der_length as u32 + 3).sum();
    message(
        HandshakeType::Certificate,
        Details::Certificate(Arc::new(CertificateMessage {
            list_length,
            context_length: None,
            certificates,
            malformed: None,
        })),
    )
}

/// A TLS 1.2 CertificateRequest for RSA and ECDSA keys, naming these CAs.
pub(crate) fn certificate_request(cas: &[&Certificate]) -> EventKind {
    certificate_request_with(cas, &[0x0401, 0x0804, 0x0403])
}

/// A TLS 1.2 CertificateRequest naming these CAs and allowing these signature schemes.
pub(crate) fn certificate_request_with(cas: &[&Certificate], schemes: &[u16]) -> EventKind {
    message(
        HandshakeType::CertificateRequest,
        Details::CertificateRequest(Box::new(CertificateRequest {
            tls13: false,
            certificate_types: vec![
                ClientCertificateType::RsaSign,
                ClientCertificateType::EcdsaSign,
            ],
            signature_algorithms: schemes.iter().map(|&s| SignatureScheme(s)).collect(),
            signature_algorithms_cert: Vec::new(),
            certificate_authorities: cas.iter().map(|c| c.subject.clone()).collect(),
            oid_filters: Vec::new(),
        })),
    )
}

/// A TLS 1.2 client's CertificateVerify, checked with this verdict.
pub(crate) fn certificate_verify(check: Option<Verdict>) -> EventKind {
    message(
        HandshakeType::CertificateVerify,
        Details::CertificateVerify {
            signature_scheme: Some(SignatureScheme(0x0804)),
            check,
        },
    )
}

/// A ChangeCipherSpec.
pub(crate) fn ccs() -> EventKind {
    EventKind::ChangeCipherSpec
}

/// A TLS ≤ 1.2 handshake record after ChangeCipherSpec of `length` bytes (Finished: 40).
pub(crate) fn encrypted_handshake(length: u16) -> EventKind {
    EventKind::EncryptedHandshake { length }
}

/// An application_data record of `length` bytes, not decrypted.
pub(crate) fn encrypted(length: u16) -> EventKind {
    EventKind::Encrypted { length }
}

/// An alert in clear.
pub(crate) fn alert(level: AlertLevel, description: AlertDescription) -> EventKind {
    EventKind::Alert(Alert::Clear { level, description })
}

/// An alert record whose content is encrypted.
pub(crate) fn encrypted_alert(length: u16) -> EventKind {
    EventKind::Alert(Alert::Encrypted { length })
}

/// Certificates of the repository's test PKI (pcaps/certs), by file name.
pub(crate) fn pem(name: &str) -> Vec<Certificate> {
    let bytes = match name {
        "client.pem" => &include_bytes!("../../../../pcaps/certs/client.pem")[..],
        "client-chain.pem" => include_bytes!("../../../../pcaps/certs/client-chain.pem"),
        "client-ec.pem" => include_bytes!("../../../../pcaps/certs/client-ec.pem"),
        "client-expired-chain.pem" => {
            include_bytes!("../../../../pcaps/certs/client-expired-chain.pem")
        }
        "client-server-eku-chain.pem" => {
            include_bytes!("../../../../pcaps/certs/client-server-eku-chain.pem")
        }
        "client-unrelated.pem" => include_bytes!("../../../../pcaps/certs/client-unrelated.pem"),
        "root.pem" => include_bytes!("../../../../pcaps/certs/root.pem"),
        "server-chain.pem" => include_bytes!("../../../../pcaps/certs/server-chain.pem"),
        other => panic!("no certificate file {other}"),
    };
    crate::x509::read_certificates(bytes).expect("the repository's certificates")
}

/// The test PKI's root CA.
pub(crate) fn root() -> Certificate {
    pem("root.pem").remove(0)
}

/// The server's leaf (CN=localhost, SAN DNS:localhost) with its intermediate.
pub(crate) fn server_chain() -> Vec<Certificate> {
    pem("server-chain.pem")
}

/// The client leaf (CN=client.partner.example, issued by Test Issuing CA 1) with that
/// intermediate.
pub(crate) fn client_chain() -> Vec<Certificate> {
    pem("client-chain.pem")
}
