//! What rules ask of a connection: its facts, in the words and frames the findings need.

use super::Supplied;
use crate::capture::Timestamp;
use crate::model::{Alert, Connection, Event, FrameNumber, Party};
use crate::tls::enums::{CipherSuite, ExtensionType, HandshakeType};
use crate::x509::{Certificate, Name};

/// The client stacks recognised by their ClientHello.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Stack {
    /// Java's JSSE (status_request_v2, which only JSSE sends).
    Java,
    /// GnuTLS.
    GnuTls,
    /// OpenSSL and what builds on it: curl, Python, s_client, nginx as a client.
    OpenSsl,
}

impl Stack {
    /// As the explanations name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Java => "Java (JSSE)",
            Self::GnuTls => "GnuTLS",
            Self::OpenSsl => "OpenSSL (curl, Python, s_client, nginx, …)",
        }
    }
}

/// A connection under diagnosis.
pub(crate) struct Ctx<'a> {
    /// The facts.
    pub(crate) conn: &'a Connection,
    /// For a resumed session: an earlier connection to the same server with a full handshake
    /// (its id and the frame of its server Certificate).
    pub(crate) earlier_full_handshake: Option<(u32, FrameNumber)>,
    /// The chain the user says the client should have sent (`--client-cert`), leaf first.
    pub(crate) supplied: &'a [Certificate],
    /// The CAs the user trusts (`--ca`).
    pub(crate) trust: &'a [Certificate],
    /// Other connections of the capture to the same server port on another address (a client
    /// trying the IPv6 and the IPv4 address of a name in turn), with their ids.
    pub(crate) other_addresses: Vec<&'a Connection>,
    /// Another connection of the capture to the same server address and port that carries
    /// TLS, by its id.
    pub(crate) tls_on_same_port: Option<u32>,
}

impl<'a> Ctx<'a> {
    /// The context of `conn` among all the capture's connections.
    pub(crate) fn new(conn: &'a Connection, all: &'a [Connection], supplied: Supplied<'a>) -> Self {
        let earlier_full_handshake = if conn.resumed {
            all.iter()
                .filter(|c| c.id < conn.id && c.server == conn.server && !c.resumed)
                .filter_map(|c| {
                    c.message(Party::Server, HandshakeType::Certificate)
                        .map(|m| (c.id, m.frame))
                })
                .next_back()
        } else {
            None
        };
        let other_addresses = all
            .iter()
            .filter(|c| {
                c.id != conn.id
                    && c.server.port == conn.server.port
                    && c.server.ip != conn.server.ip
                    && c.client.ip.is_ipv4() != conn.client.ip.is_ipv4()
            })
            .collect();
        let tls_on_same_port = all
            .iter()
            .find(|c| {
                c.id != conn.id
                    && c.server == conn.server
                    && c.outcome != crate::model::Outcome::NotTls
            })
            .map(|c| c.id);
        Self {
            conn,
            earlier_full_handshake,
            supplied: supplied.client_chain,
            trust: supplied.trust_store,
            other_addresses,
            tls_on_same_port,
        }
    }

    /// "the client 10.0.0.5:53144" / "the server 203.0.113.7:443".
    pub(crate) fn who(&self, party: Party) -> String {
        match party {
            Party::Client => format!("the client {}", self.conn.client),
            Party::Server => format!("the server {}", self.conn.server),
        }
    }

    /// "The client 10.0.0.5:53144", to start a sentence.
    pub(crate) fn who_cap(&self, party: Party) -> String {
        crate::words::capitalize(&self.who(party))
    }

    /// When the connection started: certificates are judged at this time.
    pub(crate) fn time(&self) -> Option<Timestamp> {
        self.conn.start
    }

    pub(crate) fn is_tls13(&self) -> bool {
        self.conn.is_tls13()
    }

    pub(crate) fn failed(&self) -> bool {
        self.conn.outcome == crate::model::Outcome::Failed
    }

    /// The first message of this kind from this party.
    pub(crate) fn message(&self, from: Party, kind: HandshakeType) -> Option<&'a Event> {
        self.conn.message(from, kind)
    }

    /// The last handshake message (or record other than ChangeCipherSpec) the other party sent
    /// before `alert`.
    pub(crate) fn answered(&self, alert: &Event) -> Option<&'a Event> {
        self.conn
            .records()
            .filter(|m| m.from != alert.from && m.seq < alert.seq && !m.is_change_cipher_spec())
            .last()
    }

    /// The client's Certificate message, when visible.
    pub(crate) fn client_certificate(&self) -> Option<&'a Event> {
        self.message(Party::Client, HandshakeType::Certificate)
    }

    /// The client sent an empty Certificate message.
    pub(crate) fn client_cert_empty(&self) -> bool {
        self.conn
            .certificates(Party::Client)
            .is_some_and(|list| list.is_empty())
    }

    pub(crate) fn client_chain(&self) -> Vec<&'a Certificate> {
        self.conn.chain(Party::Client)
    }

    pub(crate) fn server_chain(&self) -> Vec<&'a Certificate> {
        self.conn.chain(Party::Server)
    }

    /// The accepted CA names of the CertificateRequest (empty when none or any).
    pub(crate) fn accepted_cas(&self) -> &'a [Name] {
        self.conn
            .certificate_request()
            .map_or(&[][..], |cr| cr.certificate_authorities.as_slice())
    }

    /// The first fatal alert in clear from `from` after the event numbered `after` (and before
    /// `before`, when given).
    pub(crate) fn fatal_alert(
        &self,
        from: Party,
        after: usize,
        before: Option<usize>,
    ) -> Option<(&'a Event, Alert)> {
        self.conn
            .alerts()
            .find(|(e, a)| {
                e.from == from && a.is_fatal() && e.seq > after && before.is_none_or(|b| e.seq < b)
            })
            .map(|(e, a)| (e, *a))
    }

    /// A guess at the client's TLS stack from its ClientHello's shape.
    pub(crate) fn client_stack(&self) -> Option<Stack> {
        let ch = self.conn.client_hello()?;
        if ch.has(ExtensionType::STATUS_REQUEST_V2) {
            Some(Stack::Java)
        } else if ch.has(ExtensionType::RECORD_SIZE_LIMIT)
            && ch.has(ExtensionType::ENCRYPT_THEN_MAC)
            && ch.has(ExtensionType::RENEGOTIATION_INFO)
        {
            Some(Stack::GnuTls)
        } else if ch.has(ExtensionType::ENCRYPT_THEN_MAC)
            && !ch.has(ExtensionType::RENEGOTIATION_INFO)
            && ch
                .cipher_suites
                .contains(&CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV)
        {
            Some(Stack::OpenSsl)
        } else {
            None
        }
    }

    /// Lists up to `n` items, then "… and N more".
    pub(crate) fn list<T: std::fmt::Display>(items: &[T], n: usize) -> String {
        let shown: Vec<String> = items.iter().take(n).map(ToString::to_string).collect();
        if items.len() <= n {
            shown.join(", ")
        } else {
            format!("{}, … and {} more", shown.join(", "), items.len() - n)
        }
    }

    /// The tcpdump command that would capture this connection properly.
    pub(crate) fn tcpdump(&self) -> String {
        format!(
            "tcpdump -i any -s 0 -w capture.pcap 'host {} and tcp port {}' (start it before the connection, on the client or the server)",
            self.conn.server.ip, self.conn.server.port
        )
    }
}
