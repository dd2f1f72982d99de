//! How a handshake ended, whether it resumed a session, and whether the server asked for a
//! client certificate — decided from the connection's events, and for TLS 1.3 without keys from
//! record sizes (RFC 8446 §5.2: an encrypted record is its content + 1 type byte + a 16-byte
//! tag, so an alert is 19 bytes).

use super::{ClientCertificate, Connection, Event, FrameNumber, Outcome, Party, Reading};
use crate::tls::enums::HandshakeType;

/// Decides what follows from the events: resumption, whether a client certificate was asked
/// for, and the outcome; `tls`: either direction was read as TLS.
pub(crate) fn decide(conn: &mut Connection, tls: bool) {
    conn.resumed = resumed(conn);
    conn.tls13 = super::tls13::read(conn);
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
    if first_fatal.is_none() && one_sided_but_done(conn) {
        return Outcome::Established;
    }
    if let Some(reading) = &conn.tls13 {
        return tls13_outcome(conn, reading, first_fatal);
    }
    match (established_frame(conn), first_fatal) {
        (Some(done), Some(alert)) if alert < done => Outcome::Failed,
        (Some(_), _) if renegotiation_refused(conn) => Outcome::Failed,
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

/// The frame at which the handshake visibly completed, if it did.
fn established_frame(conn: &Connection) -> Option<FrameNumber> {
    let events = &conn.events;
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

/// TLS 1.3, from what the encrypted records (or the key log's messages) say: failed when a side
/// refused the other's flight; established once the client's Finished is sent and, if it carried
/// a certificate, the server went on (or the client closed first, done with the connection).
fn tls13_outcome(conn: &Connection, r: &Reading, first_fatal: Option<FrameNumber>) -> Outcome {
    if r.client_rejected.is_some() || r.server_rejected.is_some() {
        return Outcome::Failed;
    }
    let (c, s) = (&conn.client_to_server, &conn.server_to_client);
    let closed = c.closed_at().is_some() || s.closed_at().is_some();
    let Some(finished) = r.client_finished.map(|i| conn.events[i].frame) else {
        // The client's Finished could not be told from the sizes: a flight the server answered
        // held it.
        return if !r.client_flight.is_empty() && r.answered && first_fatal.is_none() {
            Outcome::Established
        } else if closed || first_fatal.is_some() {
            Outcome::Failed
        } else {
            Outcome::Incomplete
        };
    };
    if first_fatal.is_some_and(|alert| alert < finished) {
        return Outcome::Failed;
    }
    let certificate = matches!(
        r.client_certificate,
        Some(ClientCertificate::Empty(_) | ClientCertificate::Sent(_))
    );
    let client_closed_first = match (c.closed_at(), s.closed_at()) {
        (Some(client), Some(server)) => client < server,
        (client, _) => client.is_some(),
    };
    if r.answered || !certificate || client_closed_first {
        Outcome::Established
    } else if closed {
        Outcome::Failed
    } else {
        Outcome::Incomplete
    }
}

/// TLS ≤ 1.2: a renegotiation that the server ended with an alert (encrypted, or fatal when
/// decrypted) instead of its ChangeCipherSpec, with no data from it afterwards: the connection
/// failed in its second handshake (for a client certificate, typically).
fn renegotiation_refused(conn: &Connection) -> bool {
    let Some(start) = conn.renegotiation() else {
        return false;
    };
    let events = &conn.events[start..];
    let from_server = |e: &&Event| e.from == Party::Server;
    if events
        .iter()
        .filter(from_server)
        .any(Event::is_change_cipher_spec)
    {
        return false;
    }
    let Some(alert) = events.iter().filter(from_server).position(
        |e| matches!(e.kind, super::EventKind::Alert(a) if a.is_fatal() || a.is_encrypted()),
    ) else {
        return false;
    };
    !events
        .iter()
        .filter(from_server)
        .skip(alert + 1)
        .any(|e| e.is_encrypted_record() || e.is_application_data())
}

/// Only one direction was captured, and that side went on to application data after its
/// handshake: from its view the handshake completed (a TLS 1.3 client sends its Finished only
/// after the server's; a TLS 1.2 side sends data only after both Finished messages). Its first
/// application_data record after ChangeCipherSpec is a TLS 1.3 Finished when no encrypted
/// handshake record (a TLS 1.2 Finished) came before it.
fn one_sided_but_done(conn: &Connection) -> bool {
    let Some(silent) = conn
        .anomalies
        .iter()
        .find(|a| a.kind == super::AnomalyKind::OneSided)
        .map(|a| a.from)
    else {
        return false;
    };
    let talker = silent.other();
    let mut after_ccs = conn
        .events
        .iter()
        .filter(|e| e.from == talker)
        .skip_while(|e| !e.is_change_cipher_spec());
    let mut tls12_finished = false;
    let mut records = 0;
    for e in after_ccs.by_ref() {
        tls12_finished |= e.is_encrypted_handshake();
        if e.is_encrypted_record() || e.is_application_data() {
            records += 1;
        }
    }
    records >= if tls12_finished { 1 } else { 2 }
}
