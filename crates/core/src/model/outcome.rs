//! How a handshake ended, whether it resumed a session, and whether the server asked for a
//! client certificate — decided from the connection's events, and for TLS 1.3 without keys from
//! record sizes (RFC 8446 §5.2: an encrypted record is its content + 1 type byte + a 16-byte
//! tag, so an alert is 19 bytes).

use super::{Alert, Connection, Event, EventKind, FrameNumber, Outcome, Party};
use crate::tls::enums::HandshakeType;
use crate::tls::handshake::Details;

/// The largest TLS 1.3 record taken for an encrypted alert: 19 bytes plus a little padding.
pub(crate) const ALERT_SIZED: u16 = 24;

/// Decides what follows from the events: resumption, whether a client certificate was asked
/// for, and the outcome; `tls`: either direction was read as TLS.
pub(crate) fn decide(conn: &mut Connection, tls: bool) {
    conn.resumed = resumed(conn);
    conn.client_certificate_requested = certificate_requested(conn);
    conn.outcome = outcome(conn, tls);
}

/// TLS ≤ 1.2: the server went from ServerHello straight to ChangeCipherSpec (abbreviated
/// handshake, RFC 5246 §7.3). TLS 1.3: the server accepted a pre-shared key.
fn resumed(conn: &Connection) -> bool {
    let Some(sh) = conn.server_hello() else {
        return false;
    };
    if conn.is_tls13() {
        return sh.pre_shared_key;
    }
    let mut after_hello = conn
        .records()
        .filter(|e| e.from == Party::Server)
        .skip_while(|e| !e.is_message(HandshakeType::ServerHello));
    after_hello.next();
    after_hello
        .find(|e| !e.is_message(HandshakeType::NewSessionTicket))
        .is_some_and(Event::is_change_cipher_spec)
}

/// Whether the server asked for a client certificate: `None` when it cannot be seen.
fn certificate_requested(conn: &Connection) -> Option<bool> {
    if conn.certificate_request().is_some()
        || conn
            .message(Party::Server, HandshakeType::CertificateRequest)
            .is_some()
    {
        return Some(true);
    }
    if conn.is_tls13() {
        return None;
    }
    // In TLS ≤ 1.2 a CertificateRequest comes before ServerHelloDone, in clear.
    let done = conn
        .message(Party::Server, HandshakeType::ServerHelloDone)
        .is_some();
    (done || conn.resumed).then_some(false)
}

/// How the handshake ended; `tls`: either direction was read as TLS.
fn outcome(conn: &Connection, tls: bool) -> Outcome {
    if !tls || conn.events.is_empty() {
        return Outcome::NotTls;
    }
    let first_fatal = conn
        .alerts()
        .find(|(_, a)| a.is_fatal())
        .map(|(e, _)| e.frame);
    match (established_frame(conn), first_fatal) {
        (Some(done), Some(alert)) if alert < done => Outcome::Failed,
        (Some(_), _) => Outcome::Established,
        (None, Some(_)) => Outcome::Failed,
        (None, None) => {
            let (c, s) = (&conn.client_to_server, &conn.server_to_client);
            let closed = c.fin || c.rst || s.fin || s.rst;
            if closed || conn.alerts().any(|(_, a)| a.is_encrypted()) {
                Outcome::Failed
            } else {
                Outcome::Incomplete
            }
        }
    }
}

/// A complete Finished message.
fn is_finished(e: &Event) -> bool {
    e.message()
        .is_some_and(|m| m.typ == HandshakeType::Finished)
}

/// The frame at which the handshake visibly completed, if it did.
fn established_frame(conn: &Connection) -> Option<FrameNumber> {
    let events = &conn.events;
    let finished = |party: Party| {
        events
            .iter()
            .position(|e| e.from == party && is_finished(e))
    };
    if conn.is_tls13()
        && let (Some(client_fin), Some(_)) = (finished(Party::Client), finished(Party::Server))
    {
        // Decrypted: the client's Finished completes the handshake, unless the server's next
        // word is a fatal alert (it rejected the client's flight: certificate_required, …).
        let answers: Vec<&Event> = events[client_fin + 1..]
            .iter()
            .filter(|e| {
                e.from == Party::Server
                    && (matches!(
                        e.kind,
                        EventKind::Alert(Alert::Clear { .. })
                            | EventKind::ApplicationData { .. }
                            | EventKind::Encrypted { .. }
                    ) || e.message().is_some())
            })
            .collect();
        // A record the key log could not open counts by its size, as without keys.
        let rejected = match answers.first().map(|e| &e.kind) {
            Some(EventKind::Alert(a)) => a.is_fatal(),
            Some(EventKind::Encrypted { length }) => answers.len() == 1 && *length <= ALERT_SIZED,
            _ => false,
        };
        return (!rejected).then(|| events[client_fin].frame);
    }
    if conn.is_tls13() {
        // Without keys, from record sizes. The client's first encrypted record after the
        // ServerHello starts its Finished flight; an alert-sized one instead is a rejection.
        // After it, a server that sends one alert-sized record and nothing else rejected the
        // client; anything more (a NewSessionTicket, application data) means the handshake held.
        let hello = events.iter().position(|e| {
            e.from == Party::Server
                && e.message().is_some_and(
                    |m| matches!(&m.details, Details::ServerHello(sh) if !sh.hello_retry_request),
                )
        })?;
        let client_first = events[hello..]
            .iter()
            .position(|e| e.from == Party::Client && e.encrypted_length().is_some())?
            + hello;
        // An alert-sized record alone is a rejection; followed by more records of the same
        // flight it is a small handshake message (EndOfEarlyData is 21 bytes).
        let flight_continues = events[client_first + 1..]
            .iter()
            .find(|e| e.encrypted_length().is_some())
            .is_some_and(|e| e.from == Party::Client);
        if events[client_first]
            .encrypted_length()
            .is_some_and(|l| l <= ALERT_SIZED)
            && !flight_continues
        {
            return None;
        }
        let server_after: Vec<u16> = events[client_first..]
            .iter()
            .filter(|e| e.from == Party::Server)
            .filter_map(Event::encrypted_length)
            .collect();
        let rejected = matches!(server_after[..], [only] if only <= ALERT_SIZED);
        return (!server_after.is_empty() && !rejected).then(|| events[client_first].frame);
    }
    // TLS ≤ 1.2: both sides sent ChangeCipherSpec and an encrypted (or decrypted) handshake
    // message: Finished.
    let finished = |party: Party| {
        let ccs = events
            .iter()
            .position(|e| e.from == party && e.is_change_cipher_spec())?;
        events[ccs..]
            .iter()
            .find(|e| e.from == party && (e.is_encrypted_handshake() || e.message().is_some()))
            .map(|e| e.frame)
    };
    Some(finished(Party::Client)?.max(finished(Party::Server)?))
}
