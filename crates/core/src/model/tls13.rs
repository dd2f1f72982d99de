//! TLS 1.3 without keys: what the sizes and places of the encrypted records say.
//!
//! After the ServerHello everything is encrypted (RFC 8446 §2), but each record's length shows:
//! a record is its content, one byte of inner content type, any padding, and a 16-byte AEAD tag
//! (§5.2). So an alert is 2 + 1 + 16 = 19 bytes, an empty client Certificate 4 + 1 + 3 + 1 + 16
//! = 25, a Finished 4 + hash + 1 + 16 = 53 (SHA-256 suites) or 69 (SHA-384). Stacks that pad
//! their records (Java's JSSE adds 16 bytes to each) shift every size by the same amount.
//!
//! ```text
//! server flight   EncryptedExtensions [CertificateRequest] Certificate CertificateVerify Finished
//!                 (one record each, as OpenSSL, Go, Java and nginx send them: 5 records when a
//!                 client certificate is asked for, 4 when not, 2 when a PSK resumes)
//! client flight   [Certificate (25 when empty) [CertificateVerify]] Finished, then data —
//!                 or one alert-sized record, or a close: the client refused the server's flight
//! server answer   NewSessionTicket…, data — or one alert-sized record, or a close: a refusal
//! ```
//!
//! A server that aborts before its flight sends one alert-sized record after its ServerHello.
//! Ambiguous sizes stay ambiguous: a lone 19-byte server record is 2 bytes of data or an alert
//! unless its place (right after a client Certificate, before any request) decides.
//!
//! Each encrypted record gets a label ([`Inferred`]); a record read as an alert becomes an
//! alert event, marked inferred. The [`Reading`] says what follows for the handshake: whether a
//! client certificate was asked for and sent, and who rejected whom. All of it is `likely`: a
//! key log replaces it with the messages themselves.

use super::{Alert, Connection, Event, EventKind, FrameNumber, Likely, Party};
use crate::tls::enums::{CipherSuite, HandshakeType};
use crate::tls::handshake::Details;

/// What an encrypted TLS 1.3 record most likely holds, from its size and place.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Inferred {
    /// The server's EncryptedExtensions.
    EncryptedExtensions,
    /// The server's CertificateRequest.
    CertificateRequest,
    /// The server's Certificate message.
    ServerCertificate,
    /// A CertificateVerify.
    CertificateVerify,
    /// A Finished.
    Finished,
    /// The server's whole encrypted flight in one record.
    ServerFlight,
    /// The client's Certificate message, empty.
    EmptyCertificate,
    /// The client's empty Certificate and its Finished in one record.
    EmptyCertificateAndFinished,
    /// The client's Certificate message, holding a certificate.
    ClientCertificate,
    /// The client's Certificate, CertificateVerify and Finished in one record.
    CertificateFlight,
    /// A NewSessionTicket.
    NewSessionTicket,
    /// Application data.
    ApplicationData,
    /// 2 bytes of data or an alert: the size fits both.
    DataOrAlert,
}

impl Inferred {
    /// The name the report gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::EncryptedExtensions => "encrypted_extensions",
            Self::CertificateRequest => "certificate_request",
            Self::ServerCertificate | Self::ClientCertificate => "certificate",
            Self::CertificateVerify => "certificate_verify",
            Self::Finished => "finished",
            Self::ServerFlight => "server_handshake_flight",
            Self::EmptyCertificate => "empty_certificate",
            Self::EmptyCertificateAndFinished => "empty_certificate_and_finished",
            Self::CertificateFlight => "certificate_certificate_verify_finished",
            Self::NewSessionTicket => "new_session_ticket",
            Self::ApplicationData => "application_data",
            Self::DataOrAlert => "data_or_alert",
        }
    }

    /// In prose, as the ladder shows it.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::EncryptedExtensions => "EncryptedExtensions",
            Self::CertificateRequest => "CertificateRequest",
            Self::ServerCertificate | Self::ClientCertificate => "Certificate",
            Self::CertificateVerify => "CertificateVerify",
            Self::Finished => "Finished",
            Self::ServerFlight => "the server's whole flight (EncryptedExtensions … Finished)",
            Self::EmptyCertificate => "an empty Certificate",
            Self::EmptyCertificateAndFinished => "an empty Certificate and Finished",
            Self::CertificateFlight => "Certificate, CertificateVerify and Finished",
            Self::NewSessionTicket => "NewSessionTicket",
            Self::ApplicationData => "application data",
            Self::DataOrAlert => "2 bytes of data, or an alert",
        }
    }
}

/// What the client's flight showed of its Certificate message.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum ClientCertificate {
    /// No Certificate message could be told in the flight.
    NotSeen,
    /// An empty one, in the event at this index.
    Empty(usize),
    /// One holding a certificate, in the event at this index.
    Sent(usize),
}

/// How a side ended the handshake, refusing the other.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Rejection {
    /// With an alert: the event at this index (in clear, decrypted, or inferred from its size).
    Alert(usize),
    /// By closing the connection (FIN or RST) without a word, at this frame.
    Closed(FrameNumber),
}

/// What a TLS 1.3 handshake's encrypted records say, read from their sizes.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub(crate) struct Reading {
    /// The server's encrypted records between its ServerHello and the client's flight.
    pub(crate) server_flight: Vec<usize>,
    /// The records holding the server's Certificate, when told.
    pub(crate) server_certificate: Vec<usize>,
    /// The bytes of padding in the server's records (its Finished's size tells), when told.
    pub(crate) server_padding: Option<u16>,
    /// The bytes of padding in the client's records, when told.
    pub(crate) client_padding: Option<u16>,
    /// Did the server ask for a client certificate? `None`: the records do not tell.
    pub(crate) certificate_requested: Option<bool>,
    /// The client's records from the end of the server's flight to the server's next record.
    pub(crate) client_flight: Vec<usize>,
    /// The client's Certificate message, as its flight shows it.
    pub(crate) client_certificate: Option<ClientCertificate>,
    /// The client's Finished (possibly after the server's answer, as Java sends it).
    pub(crate) client_finished: Option<usize>,
    /// The client refused the server's flight.
    pub(crate) client_rejected: Option<Rejection>,
    /// The server refused the client's flight.
    pub(crate) server_rejected: Option<Rejection>,
    /// The server went on after the client's flight (tickets, data).
    pub(crate) answered: bool,
    /// A CertificateRequest after the handshake and the client's answer (RFC 8446 §4.6.2).
    pub(crate) post_handshake_auth: Option<PostHandshakeAuth>,
}

/// Post-handshake authentication as the record sizes show it: a server record answered at once
/// by a burst of client records ending with a Finished.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct PostHandshakeAuth {
    /// The server's record taken for the CertificateRequest.
    pub(crate) request: usize,
    /// The client's Certificate in its answer.
    pub(crate) certificate: ClientCertificate,
    /// The client's Finished closing its answer.
    pub(crate) finished: usize,
}

/// Record sizes for a suite's hash and a padding.
struct Sizes {
    /// Finished: 4 + hash + 1 + 16.
    finished: u16,
    /// An empty client Certificate: 4 + 1 + 3 + 1 + 16.
    empty_certificate: u16,
    /// An empty Certificate and a Finished in one record.
    empty_and_finished: u16,
    /// An alert: 2 + 1 + 16.
    alert: u16,
}

impl Sizes {
    fn of(suite: Option<CipherSuite>) -> Self {
        // TLS_AES_256_GCM_SHA384 is the one suite of RFC 8446 with SHA-384.
        let hash = if suite == Some(CipherSuite(0x1302)) {
            48
        } else {
            32
        };
        Self {
            finished: 4 + hash + 17,
            empty_certificate: 25,
            empty_and_finished: 8 + 4 + hash + 17,
            alert: 19,
        }
    }
}

/// The largest Certificate record taken to hold a single certificate (a certificate is some 0.5
/// to 2 KB; two rarely fit in 1300 bytes).
pub(crate) const ONE_CERTIFICATE: u32 = 1300;

/// The smallest record taken for a client Certificate holding a certificate (the smallest
/// certificates, Ed25519 ones, are some 300 bytes).
const MIN_CERTIFICATE: u16 = 200;

/// The largest record taken for a NewSessionTicket (they are some 200 to 1200 bytes; a run of
/// records of one larger size is bulk data cut into full records).
const MAX_TICKET: u16 = 4096;

/// Java pads each TLS 1.3 record with 16 bytes; others send none.
const PADDINGS: [u16; 2] = [0, 16];

/// `size` is `base` plus a padding some stack uses.
fn fits(size: u16, base: u16) -> bool {
    PADDINGS.iter().any(|p| size == base + p)
}

/// An alert-sized record (19 bytes, or padded).
fn alert_sized(size: u16) -> bool {
    fits(size, 19)
}

/// Reads the TLS 1.3 handshake of `conn`: labels its encrypted records, turns those that are
/// alerts by their size and place into inferred alerts, and returns what follows. `None` when
/// the connection is not TLS 1.3 (or the capture lacks its ServerHello).
pub(crate) fn read(conn: &mut Connection) -> Option<Reading> {
    if !conn.is_tls13() {
        return None;
    }
    let hello = conn.events.iter().position(|e| {
        e.from == Party::Server
            && e.message().is_some_and(|m| {
                m.typ == HandshakeType::ServerHello
                    && matches!(&m.details, Details::ServerHello(sh) if !sh.hello_retry_request)
            })
    })?;
    let sizes = Sizes::of(conn.cipher_suite());
    let mut reading = Reading::default();
    let mut labels: Vec<(usize, Inferred)> = Vec::new();
    let decrypted = conn.events[hello..].iter().any(|e| e.decrypted);
    let flight_end = if decrypted {
        read_decrypted(conn, hello, &mut reading)
    } else {
        read_flights(conn, hello, &sizes, &mut reading, &mut labels)
    };
    if let Some(flight_end) = flight_end {
        read_answer(conn, flight_end, &sizes, &mut reading, &mut labels);
    }
    for rejection in [reading.client_rejected, reading.server_rejected] {
        if let Some(Rejection::Alert(i)) = rejection {
            infer_alert(conn, i, Likely::Fatal);
        }
    }
    if !decrypted {
        reading.post_handshake_auth = post_handshake_auth(conn, &sizes, &reading, &mut labels);
    }
    for (i, label) in labels {
        conn.events[i].inferred = Some(label);
    }
    Some(reading)
}

/// The handshake as a key log opened it: the client's Certificate and Finished are messages.
/// Returns the index of the client's Finished, or `None` when the client never sent it (it
/// refused the server's flight: with an alert, or by closing).
fn read_decrypted(conn: &Connection, hello: usize, reading: &mut Reading) -> Option<usize> {
    let events = &conn.events;
    let from_client = |e: &Event| e.from == Party::Client;
    reading.certificate_requested = Some(
        events[hello..]
            .iter()
            .any(|e| e.from == Party::Server && e.is_message(HandshakeType::CertificateRequest)),
    )
    .filter(|_| {
        events[hello..]
            .iter()
            .any(|e| e.from == Party::Server && e.is_message(HandshakeType::Finished))
    });
    let Some(finished) = events[hello..]
        .iter()
        .position(|e| from_client(e) && e.is_message(HandshakeType::Finished))
        .map(|i| hello + i)
    else {
        reading.client_rejected = events[hello..]
            .iter()
            .position(|e| from_client(e) && matches!(e.kind, EventKind::Alert(a) if a.is_fatal()))
            .map(|i| Rejection::Alert(hello + i))
            .or_else(|| conn.client_to_server.closed_at().map(Rejection::Closed));
        return None;
    };
    reading.client_finished = Some(finished);
    reading.client_certificate = Some(
        events[hello..finished]
            .iter()
            .position(|e| from_client(e) && e.is_message(HandshakeType::Certificate))
            .map_or(ClientCertificate::NotSeen, |i| {
                let i = hello + i;
                if events[i]
                    .handshake()
                    .is_some_and(crate::model::Message::is_empty_certificate)
                {
                    ClientCertificate::Empty(i)
                } else {
                    ClientCertificate::Sent(i)
                }
            }),
    );
    Some(finished)
}

/// Reads the server's flight and the client's; returns the index where the client's flight
/// ends (its last record), or `None` when the client refused the server's flight.
fn read_flights(
    conn: &Connection,
    hello: usize,
    sizes: &Sizes,
    reading: &mut Reading,
    labels: &mut Vec<(usize, Inferred)>,
) -> Option<usize> {
    let events = &conn.events;
    let encrypted = |i: usize| events[i].encrypted_length().is_some();
    let client_closed = conn.client_to_server.closed_at();
    // The server's flight: its encrypted records until the client says anything (or closes).
    let mut i = hello + 1;
    while i < events.len()
        && !(events[i].from == Party::Client
            && (encrypted(i) || matches!(events[i].kind, EventKind::Alert(_))))
        && client_closed.is_none_or(|c| events[i].frame < c)
    {
        if events[i].from == Party::Server && encrypted(i) {
            reading.server_flight.push(i);
        }
        i += 1;
    }
    // One alert-sized record instead of the flight: the server aborted right after its
    // ServerHello (an ALPN or extension it cannot accept, RFC 7301 §3.2, RFC 8446 §4.2).
    if let [only] = reading.server_flight[..]
        && events[only].encrypted_length().is_some_and(alert_sized)
    {
        reading.server_rejected = Some(Rejection::Alert(only));
        return None;
    }
    label_server_flight(events, sizes, reading, labels);
    // A client alert in clear, right away: it refused the server's flight.
    if let Some(e) = events.get(i)
        && e.from == Party::Client
        && let EventKind::Alert(a) = e.kind
        && a.is_fatal()
    {
        reading.client_rejected = Some(Rejection::Alert(i));
        return None;
    }
    // The client's flight: its encrypted records until the server's next record.
    while i < events.len()
        && !(events[i].from == Party::Server
            && (encrypted(i) || matches!(events[i].kind, EventKind::Alert(_))))
    {
        if events[i].from == Party::Client && encrypted(i) {
            reading.client_flight.push(i);
        }
        i += 1;
    }
    let Some(&first) = reading.client_flight.first() else {
        // Nothing from the client after the server's flight: if it closed, it refused it.
        reading.client_rejected = client_closed.map(Rejection::Closed);
        return None;
    };
    label_client_flight(conn, first, sizes, reading, labels);
    if reading.client_rejected.is_some() {
        return None;
    }
    reading.client_flight.last().copied()
}

/// Labels the server's flight: one record per message, as OpenSSL, Go, Java, Node.js and nginx
/// send them (a Certificate larger than a record spans several).
fn label_server_flight(
    events: &[Event],
    sizes: &Sizes,
    reading: &mut Reading,
    labels: &mut Vec<(usize, Inferred)>,
) {
    let flight = reading.server_flight.clone();
    let size = |i: usize| events[i].encrypted_length().unwrap_or(0);
    if let [only] = flight[..] {
        labels.push((only, Inferred::ServerFlight));
        return;
    }
    if let [extensions, finished] = flight[..]
        && fits(size(finished), sizes.finished)
    {
        // A PSK resumption: EncryptedExtensions, Finished; no CertificateRequest (RFC 8446
        // §4.3.2 forbids one in a PSK handshake).
        labels.push((extensions, Inferred::EncryptedExtensions));
        labels.push((finished, Inferred::Finished));
        reading.certificate_requested = Some(false);
        reading.server_padding = Some(size(finished) - sizes.finished);
        return;
    }
    // The Finished: after EncryptedExtensions, Certificate and CertificateVerify at least.
    let Some(k) = (3..flight.len()).find(|&k| fits(size(flight[k]), sizes.finished)) else {
        return;
    };
    reading.server_padding = Some(size(flight[k]) - sizes.finished);
    // A CertificateRequest comes second, unless the second record is a full one: the first
    // part of a Certificate larger than a record (2^14 bytes, RFC 8446 §5.1).
    let requested = k >= 4 && size(flight[1]) < 1 << 14;
    let certificate = if requested { 2 } else { 1 };
    labels.push((flight[0], Inferred::EncryptedExtensions));
    if requested {
        labels.push((flight[1], Inferred::CertificateRequest));
    }
    for &i in &flight[certificate..k - 1] {
        labels.push((i, Inferred::ServerCertificate));
    }
    labels.push((flight[k - 1], Inferred::CertificateVerify));
    labels.push((flight[k], Inferred::Finished));
    reading.server_certificate = flight[certificate..k - 1].to_vec();
    reading.certificate_requested = Some(requested);
    for &later in &flight[k + 1..] {
        labels.push((later, Inferred::NewSessionTicket));
    }
}

/// Labels the client's second flight and finds its Certificate and Finished.
fn label_client_flight(
    conn: &Connection,
    first: usize,
    sizes: &Sizes,
    reading: &mut Reading,
    labels: &mut Vec<(usize, Inferred)>,
) {
    let events = &conn.events;
    let size = |i: usize| events[i].encrypted_length().unwrap_or(0);
    let flight = reading.client_flight.clone();
    // One alert-sized record instead of a Finished: the client refused the server's flight.
    if flight.len() == 1 && alert_sized(size(first)) {
        reading.client_rejected = Some(Rejection::Alert(first));
        return;
    }
    let asked = reading.certificate_requested != Some(false);
    // The next message after the Certificate (and CertificateVerify), by position among the
    // client's records: the Finished (Java sends it only after the server's answer).
    let mut next = 0;
    if asked && fits(size(first), sizes.empty_certificate) {
        labels.push((first, Inferred::EmptyCertificate));
        reading.client_certificate = Some(ClientCertificate::Empty(first));
        next = 1;
    } else if asked && fits(size(first), sizes.empty_and_finished) {
        labels.push((first, Inferred::EmptyCertificateAndFinished));
        reading.client_certificate = Some(ClientCertificate::Empty(first));
        reading.client_finished = Some(first);
        reading.client_padding = Some(size(first) - sizes.empty_and_finished);
    } else if fits(size(first), sizes.finished) {
        reading.client_certificate = Some(ClientCertificate::NotSeen);
    } else if asked && size(first) >= MIN_CERTIFICATE {
        reading.client_certificate = Some(ClientCertificate::Sent(first));
        if flight.len() == 1 {
            labels.push((first, Inferred::CertificateFlight));
            reading.client_finished = Some(first);
        } else {
            labels.push((first, Inferred::ClientCertificate));
            labels.push((flight[1], Inferred::CertificateVerify));
            next = 2;
        }
    }
    if reading.client_finished.is_none() && reading.client_certificate.is_some() {
        let candidate = events[first..]
            .iter()
            .filter(|e| e.from == Party::Client && e.encrypted_length().is_some())
            .nth(next)
            .map(|e| e.seq);
        if let Some(finished) = candidate
            && fits(size(finished), sizes.finished)
        {
            labels.push((finished, Inferred::Finished));
            reading.client_finished = Some(finished);
            reading.client_padding = Some(size(finished) - sizes.finished);
        }
    }
    for &i in &flight {
        if !labels.iter().any(|(l, _)| *l == i) && reading.client_finished.is_some_and(|f| i > f) {
            labels.push((i, Inferred::ApplicationData));
        }
    }
}

/// Reads what came after the client's flight: the server's rejection (a fatal alert, or an
/// alert-sized record and a close, or a close alone) or its answer (tickets, data), and the
/// close_notify alerts that end the connection.
fn read_answer(
    conn: &mut Connection,
    flight_end: usize,
    sizes: &Sizes,
    reading: &mut Reading,
    labels: &mut Vec<(usize, Inferred)>,
) {
    let events = &conn.events;
    let flight_start = reading.client_flight.first().copied().unwrap_or(flight_end);
    let server_after: Vec<usize> = (flight_start..events.len())
        .filter(|&i| events[i].from == Party::Server && !events[i].is_change_cipher_spec())
        .collect();
    let size = |i: usize| events[i].encrypted_length();
    let server_alert = |i: usize| {
        size(i).is_some_and(|l| match reading.server_padding {
            Some(pad) => l == sizes.alert + pad,
            None => alert_sized(l),
        })
    };
    let certificate = matches!(
        reading.client_certificate,
        Some(ClientCertificate::Empty(_) | ClientCertificate::Sent(_))
    );
    // A request the client sent before the server's record: 2 bytes of answer to it fit the
    // size of an alert as well. After a certificate the server accepted, that is the one
    // reading that leaves both open; after an empty one, a refusal is by far the likelier.
    let requested_before = |i: usize| {
        reading.client_finished.is_some_and(|f| {
            (f + 1..i).any(|k| events[k].from == Party::Client && size(k).is_some())
        })
    };
    let sent = matches!(reading.client_certificate, Some(ClientCertificate::Sent(_)));
    let mut alerts: Vec<(usize, Likely)> = Vec::new();
    match server_after[..] {
        [first, ..] if matches!(events[first].kind, EventKind::Alert(a) if a.is_fatal()) => {
            reading.server_rejected = Some(Rejection::Alert(first));
        }
        [only] if sent && size(only) == Some(sizes.alert) && requested_before(only) => {
            labels.push((only, Inferred::DataOrAlert));
            reading.answered = true;
        }
        [only] if certificate && server_alert(only) => {
            reading.server_rejected = Some(Rejection::Alert(only));
            alerts.push((only, Likely::Fatal));
        }
        [only] if size(only) == Some(sizes.alert) => {
            labels.push((only, Inferred::DataOrAlert));
            reading.answered = true;
        }
        [] if certificate && server_closed_first(conn) => {
            reading.server_rejected = conn.server_to_client.closed_at().map(Rejection::Closed);
        }
        [] => {}
        _ => reading.answered = true,
    }
    if reading.answered {
        label_answer(conn, &server_after, labels, &mut alerts);
    }
    // The client's own records after its flight: data, and a close_notify before its FIN.
    let client_after: Vec<usize> = (flight_end + 1..events.len())
        .filter(|&i| {
            events[i].from == Party::Client
                && size(i).is_some()
                && !labels.iter().any(|(l, _)| *l == i)
        })
        .collect();
    let client_alert = |l: u16| match reading.client_padding {
        Some(pad) => l == sizes.alert + pad,
        None => alert_sized(l),
    };
    if let Some(&last) = client_after.last()
        && size(last).is_some_and(client_alert)
        && ends(conn, last)
    {
        alerts.push((last, Likely::CloseNotify));
    }
    for &i in &client_after {
        if !alerts.iter().any(|(a, _)| *a == i) {
            labels.push((i, Inferred::ApplicationData));
        }
    }
    for (i, likely) in alerts {
        infer_alert(conn, i, likely);
    }
}

/// Post-handshake authentication (RFC 8446 §4.6.2), offered by the client: after its Finished,
/// a server record (the CertificateRequest) answered at once by a burst of client records that
/// ends with a Finished: Certificate, CertificateVerify, Finished, or an empty Certificate and
/// a Finished. Relabels those records.
fn post_handshake_auth(
    conn: &Connection,
    sizes: &Sizes,
    reading: &Reading,
    labels: &mut Vec<(usize, Inferred)>,
) -> Option<PostHandshakeAuth> {
    let events = &conn.events;
    if !conn.client_hello().is_some_and(|ch| ch.post_handshake_auth) {
        return None;
    }
    let finished = reading.client_finished?;
    let size = |i: usize| events[i].encrypted_length().unwrap_or(0);
    let records: Vec<usize> = (finished + 1..events.len())
        .filter(|&i| events[i].encrypted_length().is_some())
        .collect();
    for (k, &request) in records.iter().enumerate() {
        if events[request].from != Party::Server {
            continue;
        }
        let burst: Vec<usize> = records[k + 1..]
            .iter()
            .copied()
            .take_while(|&i| events[i].from == Party::Client)
            .collect();
        let pad = reading.client_padding.unwrap_or(0);
        let answer = match burst[..] {
            [certificate, verify, last]
                if size(certificate) >= MIN_CERTIFICATE && size(last) == sizes.finished + pad =>
            {
                Some((ClientCertificate::Sent(certificate), Some(verify), last))
            }
            [empty, last]
                if size(empty) == sizes.empty_certificate + pad
                    && size(last) == sizes.finished + pad =>
            {
                Some((ClientCertificate::Empty(empty), None, last))
            }
            _ => None,
        };
        let Some((certificate, verify, last)) = answer else {
            continue;
        };
        let relabel = |labels: &mut Vec<(usize, Inferred)>, i: usize, label| {
            labels.retain(|(l, _)| *l != i);
            labels.push((i, label));
        };
        relabel(labels, request, Inferred::CertificateRequest);
        match certificate {
            ClientCertificate::Sent(i) => relabel(labels, i, Inferred::ClientCertificate),
            ClientCertificate::Empty(i) => relabel(labels, i, Inferred::EmptyCertificate),
            ClientCertificate::NotSeen => {}
        }
        if let Some(verify) = verify {
            relabel(labels, verify, Inferred::CertificateVerify);
        }
        relabel(labels, last, Inferred::Finished);
        return Some(PostHandshakeAuth {
            request,
            certificate,
            finished: last,
        });
    }
    None
}

/// Turns the record at `i`, not decrypted, into an alert inferred from its size and place.
fn infer_alert(conn: &mut Connection, i: usize, likely: Likely) {
    if let Some(length) = conn.events[i].encrypted_length() {
        conn.events[i].kind = EventKind::Alert(Alert::Inferred { length, likely });
    }
}

/// The server's records after the client's flight, when it went on: tickets first (the same
/// size again and again), then data, and a close_notify last before its FIN.
fn label_answer(
    conn: &Connection,
    server_after: &[usize],
    labels: &mut Vec<(usize, Inferred)>,
    alerts: &mut Vec<(usize, Likely)>,
) {
    let size = |i: usize| conn.events[i].encrypted_length();
    let open: Vec<usize> = server_after
        .iter()
        .copied()
        .filter(|&i| size(i).is_some() && !labels.iter().any(|(l, _)| *l == i))
        .collect();
    let mut rest = &open[..];
    if let [a, b, ..] = open[..]
        && size(a) == size(b)
        && size(a).is_some_and(|l| l < MAX_TICKET)
    {
        let tickets = open.iter().take_while(|&&i| size(i) == size(a)).count();
        for &i in &open[..tickets] {
            labels.push((i, Inferred::NewSessionTicket));
        }
        rest = &open[tickets..];
    }
    if let Some(&last) = rest.last()
        && size(last).is_some_and(alert_sized)
        && ends(conn, last)
    {
        alerts.push((last, Likely::CloseNotify));
        rest = &rest[..rest.len() - 1];
    }
    for &i in rest {
        labels.push((i, Inferred::ApplicationData));
    }
}

/// The event at `i` is its sender's last, and the connection was closed (FIN or RST, by either
/// side) after it: the place of a close_notify (RFC 8446 §6.1).
fn ends(conn: &Connection, i: usize) -> bool {
    let e = &conn.events[i];
    let last = !conn.events[i + 1..]
        .iter()
        .any(|later| later.from == e.from);
    let closed = [&conn.client_to_server, &conn.server_to_client]
        .iter()
        .flat_map(|t| [t.fin_frame, t.rst_frame])
        .flatten()
        .any(|at| at >= e.frame);
    last && closed
}

/// The server closed (FIN or RST) before the client did, or alone.
fn server_closed_first(conn: &Connection) -> bool {
    match (
        conn.server_to_client.closed_at(),
        conn.client_to_server.closed_at(),
    ) {
        (Some(s), Some(c)) => s < c,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{ClientCertificate, Inferred, Rejection};
    use crate::model::testkit::*;
    use crate::model::{Alert, Connection, EventKind, Likely, Outcome, Party};
    use crate::tls::enums::{AlertDescription, AlertLevel};

    /// The labels of a party's records, in order (`None`: not told).
    fn labels(conn: &Connection, from: Party) -> Vec<Option<Inferred>> {
        conn.events
            .iter()
            .filter(|e| e.from == from && (e.encrypted_length().is_some() || e.inferred.is_some()))
            .map(|e| e.inferred)
            .collect()
    }

    /// The alerts inferred from sizes: (frame, which).
    fn inferred_alerts(conn: &Connection) -> Vec<(u64, Likely)> {
        conn.alerts()
            .filter_map(|(e, a)| a.inferred().map(|l| (e.frame.get(), l)))
            .collect()
    }

    #[test]
    fn the_server_flight_is_labelled_one_record_per_message() {
        use Inferred::*;
        let asked = Scenario::tls13(&REQUESTING).build();
        assert_eq!(
            labels(&asked, Party::Server),
            [
                Some(EncryptedExtensions),
                Some(CertificateRequest),
                Some(ServerCertificate),
                Some(CertificateVerify),
                Some(Finished)
            ]
        );
        assert_eq!(
            asked.tls13.as_ref().unwrap().certificate_requested,
            Some(true)
        );
        let not_asked = Scenario::tls13(&NOT_REQUESTING).build();
        assert_eq!(
            not_asked.tls13.as_ref().unwrap().certificate_requested,
            Some(false)
        );
        // A PSK resumption: EncryptedExtensions and Finished.
        let resumed = Scenario::tls13(&[23, 53]).build();
        assert_eq!(
            labels(&resumed, Party::Server),
            [Some(EncryptedExtensions), Some(Finished)]
        );
        // A certificate larger than a record spans two: no CertificateRequest for all that.
        let large = Scenario::tls13(&[23, 16401, 3000, 281, 53]).build();
        let r = large.tls13.as_ref().unwrap();
        assert_eq!(r.certificate_requested, Some(false));
        assert_eq!(r.server_certificate.len(), 2);
    }

    #[test]
    fn an_empty_certificate_then_an_alert_sized_record_is_a_refusal() {
        let conn = Scenario::tls13(&REQUESTING)
            .at(8)
            .client(ccs())
            .records(Party::Client, &[25, 53, 35])
            .at(9)
            .server(encrypted(19))
            .fin(Party::Server, 10)
            .build();
        let r = conn.tls13.as_ref().unwrap();
        assert!(matches!(
            r.client_certificate,
            Some(ClientCertificate::Empty(_))
        ));
        assert!(matches!(r.server_rejected, Some(Rejection::Alert(_))));
        assert_eq!(inferred_alerts(&conn), [(9, Likely::Fatal)]);
        assert_eq!(conn.outcome, Outcome::Failed);
        // Near miss: the server answered with tickets and data; its last record before its FIN
        // is its close_notify.
        let served = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[25, 53, 35])
            .at(9)
            .records(Party::Server, &[250, 250, 4561, 19])
            .fin(Party::Server, 10)
            .build();
        assert_eq!(served.outcome, Outcome::Established);
        assert_eq!(inferred_alerts(&served), [(9, Likely::CloseNotify)]);
        assert_eq!(
            labels(&served, Party::Server)[5..],
            [
                Some(Inferred::NewSessionTicket),
                Some(Inferred::NewSessionTicket),
                Some(Inferred::ApplicationData)
            ]
        );
    }

    #[test]
    fn java_pads_its_records_and_sends_its_finished_after_the_alert() {
        // A JSSE client: the empty Certificate alone and padded (41), the server's alert before
        // the client's Finished (padded too: 69 with this suite).
        let conn = Scenario::tls13(&REQUESTING)
            .at(8)
            .client(ccs())
            .at(10)
            .records(Party::Client, &[41])
            .at(12)
            .server(encrypted(19))
            .fin(Party::Server, 13)
            .at(14)
            .records(Party::Client, &[53 + 16, 51])
            .build();
        let r = conn.tls13.as_ref().unwrap();
        assert!(matches!(
            r.client_certificate,
            Some(ClientCertificate::Empty(_))
        ));
        assert_eq!(r.client_padding, Some(16));
        assert!(matches!(r.server_rejected, Some(Rejection::Alert(_))));
        assert_eq!(conn.outcome, Outcome::Failed);
        // A JSSE server pads its alert too (35); the same size from a server that does not pad
        // (its Finished is 53) is two bytes of data and more.
        let java_server = |finished: u16| {
            Scenario::tls13(&[23 + 16, 123, 1762, 281, finished])
                .at(8)
                .records(Party::Client, &[25, 53])
                .at(9)
                .server(encrypted(35))
                .fin(Party::Server, 10)
                .build()
        };
        assert_eq!(java_server(53 + 16).outcome, Outcome::Failed);
        assert_eq!(java_server(53).outcome, Outcome::Established);
    }

    #[test]
    fn a_lone_19_byte_answer_without_a_certificate_may_be_data() {
        let conn = Scenario::tls13(&NOT_REQUESTING)
            .at(8)
            .records(Party::Client, &[53, 35])
            .at(11)
            .server(encrypted(19))
            .fin(Party::Server, 12)
            .build();
        assert_eq!(conn.outcome, Outcome::Established);
        assert!(inferred_alerts(&conn).is_empty());
        assert_eq!(
            labels(&conn, Party::Server).last(),
            Some(&Some(Inferred::DataOrAlert))
        );
    }

    #[test]
    fn a_client_refuses_the_server_flight_by_alert_or_by_closing() {
        let alerted = Scenario::tls13(&NOT_REQUESTING)
            .at(8)
            .client(ccs())
            .records(Party::Client, &[19])
            .fin(Party::Client, 9)
            .build();
        assert!(matches!(
            alerted.tls13.as_ref().unwrap().client_rejected,
            Some(Rejection::Alert(_))
        ));
        assert_eq!(inferred_alerts(&alerted), [(8, Likely::Fatal)]);
        assert_eq!(alerted.outcome, Outcome::Failed);
        let in_clear = Scenario::tls13(&NOT_REQUESTING)
            .at(8)
            .client(alert(AlertLevel::Fatal, AlertDescription::UnknownCa))
            .fin(Party::Client, 9)
            .build();
        assert!(matches!(
            in_clear.tls13.as_ref().unwrap().client_rejected,
            Some(Rejection::Alert(_))
        ));
        // Node.js: a FIN after the server's flight, nothing else; the server's answer to it
        // is not part of its flight.
        let closed = Scenario::tls13(&NOT_REQUESTING)
            .fin(Party::Client, 8)
            .at(9)
            .server(encrypted(19))
            .build();
        let r = closed.tls13.as_ref().unwrap();
        assert!(matches!(r.client_rejected, Some(Rejection::Closed(_))));
        assert_eq!(r.server_flight.len(), 4);
        assert_eq!(closed.outcome, Outcome::Failed);
    }

    #[test]
    fn a_server_that_closes_after_a_certificate_refused_it() {
        let conn = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[982, 97, 53])
            .at(9)
            .records(Party::Client, &[35])
            .rst(Party::Server, 11)
            .build();
        let r = conn.tls13.as_ref().unwrap();
        assert!(matches!(
            r.client_certificate,
            Some(ClientCertificate::Sent(_))
        ));
        assert!(matches!(r.server_rejected, Some(Rejection::Closed(_))));
        assert_eq!(conn.outcome, Outcome::Failed);
        // Near miss: the client closed first, done with the connection.
        let done = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[982, 97, 53])
            .fin(Party::Client, 9)
            .fin(Party::Server, 10)
            .build();
        assert_eq!(done.outcome, Outcome::Established);
    }

    #[test]
    fn two_bytes_of_answer_to_a_request_after_a_certificate_are_not_a_refusal() {
        // A Go server answering "ok" without close_notify: a 19-byte record after the request.
        let answered = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[1749, 281, 53, 35])
            .at(11)
            .server(encrypted(19))
            .fin(Party::Server, 12)
            .build();
        assert_eq!(answered.outcome, Outcome::Established);
        // Near miss: the same record before any request is the refusal.
        let refused = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[1749, 281, 53])
            .at(9)
            .server(encrypted(19))
            .fin(Party::Server, 10)
            .build();
        assert_eq!(refused.outcome, Outcome::Failed);
    }

    #[test]
    fn one_direction_that_went_on_to_data_completed_its_handshake() {
        use crate::model::AnomalyKind;
        // The client's side only: ClientHello, ChangeCipherSpec, Finished and a request (TLS 1.3).
        let client_only = |records: &[u16]| {
            let mut s = Scenario::tls12()
                .at(4)
                .client(hello13())
                .at(6)
                .client(ccs())
                .records(Party::Client, records)
                .fin(Party::Client, 8)
                .anomaly(1, Party::Server, AnomalyKind::OneSided);
            s = s.at(8);
            s.build()
        };
        assert_eq!(client_only(&[53, 35]).outcome, Outcome::Established);
        // Near miss: its Finished alone says nothing of the server's answer.
        assert_ne!(client_only(&[53]).outcome, Outcome::Established);
    }

    #[test]
    fn bulk_data_in_full_records_is_not_taken_for_tickets() {
        let conn = Scenario::tls13(&NOT_REQUESTING)
            .at(8)
            .records(Party::Client, &[53, 96])
            .at(9)
            .records(Party::Server, &[16401, 16401, 16401, 19])
            .fin(Party::Server, 10)
            .build();
        let server = labels(&conn, Party::Server);
        assert_eq!(server[4..7], [Some(Inferred::ApplicationData); 3]);
        assert!(matches!(
            conn.events.last().map(|e| &e.kind),
            Some(EventKind::Alert(Alert::Inferred {
                likely: Likely::CloseNotify,
                ..
            }))
        ));
    }
}
