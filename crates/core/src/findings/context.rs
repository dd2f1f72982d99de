//! What rules ask of a connection: its facts, in the words and frames the findings need.

use std::collections::HashMap;

use super::Supplied;
use crate::capture::Timestamp;
use crate::model::{Alert, Connection, Endpoint, Event, FrameNumber, Party};
use crate::tls::enums::{CipherSuite, ExtensionType, HandshakeType, NamedGroup};
use crate::tls::handshake::ClientHello;
use crate::x509::{Certificate, Name};

/// The client stacks recognised by their ClientHello.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Stack {
    /// Java's JSSE (status_request_v2, which only JSSE sends; or signature_algorithms_cert
    /// without OpenSSL's encrypt_then_mac).
    Java,
    /// Go's crypto/tls (signed_certificate_timestamp and renegotiation_info, without GREASE or
    /// encrypt_then_mac).
    Go,
    /// Node.js: OpenSSL with Node's default cipher order (ECDHE-RSA-AES128-GCM-SHA256 first).
    Node,
    /// A browser (GREASE values, RFC 8701: Chrome, Edge, Safari).
    Browser,
    /// GnuTLS.
    GnuTls,
    /// OpenSSL and what builds on it: curl, Python, s_client, nginx as a client.
    OpenSsl,
    /// Windows' SChannel (.NET on Windows, WinHTTP, WinINET): Windows 10 and 11's default
    /// order of TLS 1.2 suites and of groups.
    Schannel,
}

impl Stack {
    /// The report's code for it.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Java => "java",
            Self::Go => "go",
            Self::Node => "nodejs",
            Self::Browser => "browser",
            Self::GnuTls => "gnutls",
            Self::OpenSsl => "openssl",
            Self::Schannel => "schannel",
        }
    }

    /// As the explanations name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Java => "Java (JSSE)",
            Self::Go => "Go (crypto/tls)",
            Self::Node => "Node.js (tls, https)",
            Self::Browser => "a browser",
            Self::GnuTls => "GnuTLS",
            Self::OpenSsl => "OpenSSL (curl, Python, s_client, nginx, …)",
            Self::Schannel => "Windows SChannel (.NET on Windows, WinHTTP, WinINET, …)",
        }
    }

    /// Picks a certificate by the CertificateRequest's CA list and sends an empty Certificate,
    /// without an error of its own, when none fits (Java's key manager, Go's
    /// `tls.Config.Certificates`, browsers); OpenSSL-based stacks send what they are given.
    /// SChannel is taken as an unknown stack is (the findings' general words name .NET among
    /// those that pick).
    pub(crate) fn picks_by_ca_list(self) -> bool {
        matches!(self, Self::Java | Self::Go | Self::Browser | Self::Schannel)
    }
}

/// A client stack recognised by its ClientHello, and on what that rests.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct StackGuess {
    /// The stack.
    pub(crate) stack: Stack,
    /// What in the ClientHello tells it, in words.
    pub(crate) basis: &'static str,
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
    pub(crate) other_addresses: Vec<Other>,
    /// Another connection of the capture to the same server address and port that carries
    /// TLS, by its id.
    pub(crate) tls_on_same_port: Option<u32>,
    /// The client's stack from its first ClientHello: worked out once, for the advice and for
    /// the report alike.
    pub(crate) stack_guess: Option<StackGuess>,
}

/// Another connection, as a refused connection's context names it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Other {
    /// Its id.
    pub(crate) id: u32,
    /// Its server.
    pub(crate) server: Endpoint,
    refused: bool,
    unanswered: bool,
}

impl Other {
    fn of(c: &Connection) -> Self {
        Self {
            id: c.id,
            server: c.server,
            refused: c.refused(),
            unanswered: c.syn_unanswered(),
        }
    }

    /// It was refused too.
    pub(crate) fn refused(&self) -> bool {
        self.refused
    }

    /// Its SYNs were not answered either.
    pub(crate) fn syn_unanswered(&self) -> bool {
        self.unanswered
    }
}

/// What a connection's context needs of the other connections of the capture: built up as
/// connections end ([`Neighbours::add`]), small and bounded whatever the number of connections
/// (nothing here may look at all of them for each).
#[derive(Debug, Default)]
pub(crate) struct Neighbours {
    /// Per server endpoint: connections with a full handshake whose server Certificate is
    /// visible, with that message's frame — the first (by id) and the latest few.
    full_handshakes: HashMap<Endpoint, FullHandshakes>,
    /// Per server endpoint: the first connection (by id) that carries TLS.
    tls: HashMap<Endpoint, u32>,
    /// Per (server port, IPv4?): the first connections by id.
    by_port: HashMap<(u16, bool), Vec<Other>>,
}

/// Full handshakes to one server: the first by id, and the latest [`FULL_HANDSHAKES`].
#[derive(Debug)]
struct FullHandshakes {
    first: (u32, FrameNumber),
    latest: Vec<(u32, FrameNumber)>,
}

/// Full handshakes remembered per server endpoint besides the first (the latest by id).
const FULL_HANDSHAKES: usize = 16;

/// Server endpoints (and ports) remembered; beyond, new ones are not indexed.
const ENDPOINTS: usize = 65_536;

impl Neighbours {
    /// Indexes all of `all` (as if each had ended).
    #[cfg(test)]
    pub(crate) fn new(all: &[Connection]) -> Self {
        let mut n = Self::default();
        for c in all {
            n.add(c);
        }
        n
    }

    /// The latest connection before `conn` (by id) to its server with a full handshake whose
    /// server Certificate is visible: its id and that message's frame.
    pub(crate) fn earlier_full_handshake(&self, conn: &Connection) -> Option<(u32, FrameNumber)> {
        let known = self.full_handshakes.get(&conn.server)?;
        let before = known.latest.partition_point(|(id, _)| *id < conn.id);
        // The latest before it; if those remembered all came after it, the first (a full
        // handshake before it, if not the latest one).
        before
            .checked_sub(1)
            .map(|i| known.latest[i])
            .or(Some(known.first).filter(|(id, _)| *id < conn.id))
    }

    /// Indexes a connection that ended.
    pub(crate) fn add(&mut self, c: &Connection) {
        if !c.resumed
            && let Some(m) = c.message(Party::Server, HandshakeType::Certificate)
            && (self.full_handshakes.len() < ENDPOINTS
                || self.full_handshakes.contains_key(&c.server))
        {
            let known = self
                .full_handshakes
                .entry(c.server)
                .or_insert(FullHandshakes {
                    first: (c.id, m.frame),
                    latest: Vec::new(),
                });
            if c.id < known.first.0 {
                known.first = (c.id, m.frame);
            }
            let list = &mut known.latest;
            let at = list.partition_point(|(id, _)| *id < c.id);
            list.insert(at, (c.id, m.frame));
            if list.len() > FULL_HANDSHAKES {
                list.remove(0);
            }
        }
        if c.outcome != crate::model::Outcome::NotTls
            && (self.tls.len() < ENDPOINTS || self.tls.contains_key(&c.server))
        {
            let first = self.tls.entry(c.server).or_insert(c.id);
            *first = (*first).min(c.id);
        }
        let key = (c.server.port, c.server.ip.is_ipv4());
        if self.by_port.len() < ENDPOINTS || self.by_port.contains_key(&key) {
            let list = self.by_port.entry(key).or_default();
            let at = list.partition_point(|o| o.id < c.id);
            // The first few by id are all a context names.
            if at < OTHER_ADDRESSES + 1 {
                list.insert(at, Other::of(c));
                list.truncate(OTHER_ADDRESSES + 1);
            }
        }
    }
}

/// The most other-address connections a refused connection names.
const OTHER_ADDRESSES: usize = 8;

impl<'a> Ctx<'a> {
    /// The context of `conn` among the capture's other connections (those that ended so far,
    /// indexed by `neighbours`).
    pub(crate) fn new(
        conn: &'a Connection,
        neighbours: &Neighbours,
        supplied: Supplied<'a>,
    ) -> Self {
        let earlier_full_handshake = if conn.resumed {
            neighbours.earlier_full_handshake(conn)
        } else {
            None
        };
        // A client trying a name's IPv6 and IPv4 addresses in turn: only a refused connection
        // speaks of them.
        let other_addresses = if conn.refused() {
            let family = !conn.client.ip.is_ipv4();
            neighbours
                .by_port
                .get(&(conn.server.port, family))
                .map(|list| {
                    list.iter()
                        .filter(|c| c.id != conn.id && c.server.ip != conn.server.ip)
                        .take(OTHER_ADDRESSES)
                        .copied()
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let tls_on_same_port = neighbours
            .tls
            .get(&conn.server)
            .copied()
            .filter(|&id| id != conn.id);
        Self {
            conn,
            earlier_full_handshake,
            supplied: supplied.client_chain,
            trust: supplied.trust_store,
            other_addresses,
            tls_on_same_port,
            stack_guess: first_client_hello(conn).and_then(client_stack),
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
        self.stack_guess.map(|g| g.stack)
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

/// The client's first ClientHello: a renegotiation's replaces the SCSV with the extension.
fn first_client_hello(conn: &Connection) -> Option<&ClientHello> {
    conn.events.iter().find_map(|e| match e.message() {
        Some(m) if e.from == Party::Client => match &m.details {
            crate::tls::handshake::Details::ClientHello(ch) => Some(&**ch),
            _ => None,
        },
        _ => None,
    })
}

/// A guess at a client's TLS stack from its ClientHello's shape: the extensions it sends (and
/// does not send), GREASE, and the order of its TLS 1.2 cipher suites.
pub(crate) fn client_stack(ch: &ClientHello) -> Option<StackGuess> {
    use ExtensionType as E;
    let guess = |stack, basis| Some(StackGuess { stack, basis });
    let grease = ch.cipher_suites.iter().any(|s| s.is_grease())
        || ch.extensions.iter().any(|e| e.is_grease());
    if grease {
        guess(
            Stack::Browser,
            "GREASE values (RFC 8701) among its cipher suites or extensions",
        )
    } else if ch.has(E::STATUS_REQUEST_V2) {
        guess(Stack::Java, "status_request_v2, which only JSSE sends")
    } else if ch.has(E::SIGNATURE_ALGORITHMS_CERT) && !ch.has(E::ENCRYPT_THEN_MAC) {
        guess(
            Stack::Java,
            "signature_algorithms_cert without GREASE or encrypt_then_mac",
        )
    } else if ch.has(E::SIGNED_CERTIFICATE_TIMESTAMP)
        && ch.has(E::RENEGOTIATION_INFO)
        && !ch.has(E::ENCRYPT_THEN_MAC)
    {
        guess(
            Stack::Go,
            "signed_certificate_timestamp and renegotiation_info without GREASE or encrypt_then_mac",
        )
    } else if ch.has(E::RECORD_SIZE_LIMIT)
        && ch.has(E::ENCRYPT_THEN_MAC)
        && ch.has(E::RENEGOTIATION_INFO)
    {
        guess(
            Stack::GnuTls,
            "record_size_limit, encrypt_then_mac and renegotiation_info",
        )
    } else if ch.has(E::ENCRYPT_THEN_MAC)
        && !ch.has(E::RENEGOTIATION_INFO)
        && ch
            .cipher_suites
            .contains(&CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV)
    {
        // Node.js's default cipher list puts ECDHE-RSA-AES128-GCM-SHA256 (0xc02f), then
        // ECDHE-ECDSA-AES128-GCM-SHA256 (0xc02b), first among the TLS 1.2 suites; OpenSSL's own
        // default starts with the AES-256 ones.
        if tls12_suites_start(ch, &[CipherSuite(0xc02f), CipherSuite(0xc02b)]) {
            guess(
                Stack::Node,
                "encrypt_then_mac and the renegotiation SCSV without renegotiation_info (OpenSSL), TLS 1.2 suites in Node.js's default order (ECDHE-RSA-AES128-GCM-SHA256 first)",
            )
        } else {
            guess(
                Stack::OpenSsl,
                "encrypt_then_mac and TLS_EMPTY_RENEGOTIATION_INFO_SCSV without renegotiation_info",
            )
        }
    } else if !ch.has(E::ENCRYPT_THEN_MAC)
        && tls12_suites_start(ch, &WINDOWS_TLS12_SUITES)
        && ch.groups[..] == WINDOWS_GROUPS
    {
        guess(
            Stack::Schannel,
            "TLS 1.2 suites and groups in Windows 10 and 11's default order (ECDHE-ECDSA-AES256-GCM-SHA384, ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384, ECDHE-RSA-AES128-GCM-SHA256 first; x25519, secp256r1, secp384r1), without GREASE or encrypt_then_mac",
        )
    } else {
        None
    }
}

/// The first TLS 1.2 suites of SChannel's default order since Windows 10 v1511, Windows 11 and
/// Windows Server 2022 included ("TLS Cipher Suites in Windows 10 v1511" and its successors,
/// <https://learn.microsoft.com/windows/win32/secauthn/cipher-suites-in-schannel>).
const WINDOWS_TLS12_SUITES: [CipherSuite; 4] = [
    CipherSuite(0xc02c),
    CipherSuite(0xc02b),
    CipherSuite(0xc030),
    CipherSuite(0xc02f),
];

/// SChannel's default groups since Windows 10 v1607: curve25519, NistP256, NistP384
/// (<https://learn.microsoft.com/windows/win32/secauthn/tls-elliptic-curves-in-windows-10-1607-and-later>).
const WINDOWS_GROUPS: [NamedGroup; 3] = [NamedGroup(29), NamedGroup(23), NamedGroup(24)];

/// The ClientHello's TLS 1.2 suites (TLS 1.3 suites and signalling values left out) start with
/// these.
fn tls12_suites_start(ch: &ClientHello, first: &[CipherSuite]) -> bool {
    let mut tls12 = ch
        .cipher_suites
        .iter()
        .filter(|s| !s.is_tls13() && !s.is_scsv());
    first.iter().all(|want| tls12.next() == Some(want))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Stack, client_stack as guess};

    fn client_stack(ch: &ClientHello) -> Option<Stack> {
        guess(ch).map(|g| g.stack)
    }
    use crate::tls::enums::{CipherSuite, ExtensionType, ProtocolVersion};
    use crate::tls::handshake::ClientHello;

    /// A ClientHello with these extensions and cipher suites, as the stacks sent them on the
    /// repository's captures (pcaps/README.md).
    fn hello(extensions: &[u16], suites: &[u16]) -> ClientHello {
        let mut ch = ClientHello::new(ProtocolVersion::TLS12);
        ch.extensions = extensions
            .iter()
            .map(|&e| ExtensionType(e))
            .collect::<Arc<[_]>>();
        ch.cipher_suites = suites.iter().map(|&s| CipherSuite(s)).collect::<Arc<[_]>>();
        ch
    }

    #[test]
    fn stacks_are_told_by_their_client_hello() {
        // Go 1.19: status_request, SCT and renegotiation_info, no encrypt_then_mac.
        let go = hello(
            &[0, 5, 10, 11, 13, 0xff01, 18, 43, 51],
            &[0xc02b, 0xc02f, 0x1301],
        );
        assert_eq!(client_stack(&go), Some(Stack::Go));
        // Node.js 20 (OpenSSL 3 inside) with its default cipher order.
        let node = hello(
            &[0, 11, 10, 35, 22, 23, 13],
            &[0xc02f, 0xc02b, 0xc030, 0xc02c, 0x00ff],
        );
        assert_eq!(client_stack(&node), Some(Stack::Node));
        // OpenSSL's own default order (curl, s_client): the AES-256 suites first.
        let openssl = hello(
            &[0, 11, 10, 35, 22, 23, 13],
            &[0x1302, 0xc02c, 0xc030, 0x00ff],
        );
        assert_eq!(client_stack(&openssl), Some(Stack::OpenSsl));
        // JDK 17 in TLS 1.3 only: signature_algorithms_cert, no status_request_v2.
        let java13 = hello(&[5, 10, 13, 43, 45, 50, 51], &[0x1302, 0x1301, 0x1303]);
        assert_eq!(client_stack(&java13), Some(Stack::Java));
        let java12 = hello(&[5, 10, 11, 13, 50, 17, 23, 0xff01], &[0xc02c, 0xc02b]);
        assert_eq!(client_stack(&java12), Some(Stack::Java));
        // A browser: GREASE (RFC 8701), whatever else it sends.
        let chrome = hello(
            &[0x0a0a, 0, 23, 0xff01, 18, 43, 51],
            &[0x2a2a, 0x1301, 0xc02b],
        );
        assert_eq!(client_stack(&chrome), Some(Stack::Browser));
        // Windows SChannel (ja4/latest.pcapng of FoxIO's JA4 repository, connection 4, from a
        // Windows 10 host): Windows' default suites and groups, no encrypt_then_mac.
        let mut windows = hello(
            &[0, 5, 10, 11, 13, 35, 23, 0xff01],
            &[0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023],
        );
        windows.groups = [29, 23, 24].map(crate::tls::enums::NamedGroup).into();
        assert_eq!(client_stack(&windows), Some(Stack::Schannel));
        // Near misses: other groups (rustls and Java add their own), or encrypt_then_mac.
        let mut other_groups = windows.clone();
        other_groups.groups = [29, 23, 24, 25].map(crate::tls::enums::NamedGroup).into();
        assert_eq!(client_stack(&other_groups), None);
        let mut etm = windows;
        etm.extensions = [0, 10, 11, 13, 22, 23].map(ExtensionType).into();
        assert_eq!(client_stack(&etm), None);
        // Near misses: a bare ClientHello says nothing.
        assert_eq!(client_stack(&hello(&[0, 10, 13], &[0xc02f])), None);
        assert!(Stack::Go.picks_by_ca_list() && !Stack::Node.picks_by_ca_list());
    }
}
