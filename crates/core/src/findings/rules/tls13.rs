//! TLS 1.3 without keys: what is hidden, and what the record sizes tell (RFC 8446 §5.2: an
//! encrypted record is its content + 1 type byte + 16 tag bytes; an alert is 19 bytes; an empty
//! client Certificate 25; Finished 53 with SHA-256 suites, 69 with SHA-384).
//!
//! Codes: tls13-handshake-encrypted, post-handshake-auth; with `likely` confidence
//! client-cert-missing, client-cert-rejected, server-cert-untrusted.
//!
//! ## References
//! RFC 8446 §2, §4.4.2, §4.6.2, §5.2; RFC 8740 (no post-handshake authentication in HTTP/2).

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::{Event, Party};
use crate::tls::enums::HandshakeType;

/// Post-handshake authentication seen with a key log: a CertificateRequest after the client's
/// Finished, and the client's answer.
fn decrypted_post_handshake_auth(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let Some(finished) = ctx.message(Party::Client, HandshakeType::Finished) else {
        return;
    };
    let Some(request) = conn.records().find(|m| {
        m.from == Party::Server
            && m.is_message(HandshakeType::CertificateRequest)
            && m.seq > finished.seq
    }) else {
        return;
    };
    let certificate = conn.records().find(|m| {
        m.from == Party::Client && m.is_message(HandshakeType::Certificate) && m.seq > request.seq
    });
    let answer = match certificate {
        Some(c)
            if c.handshake()
                .is_some_and(crate::model::Message::is_empty_certificate) =>
        {
            format!(
                "an empty Certificate (frame {}): the client had no certificate to offer",
                c.frame
            )
        }
        Some(c) => format!(
            "{} (frame {})",
            ctx.client_chain().first().map_or_else(
                || "a certificate".to_string(),
                |leaf| format!("the certificate {}", leaf.subject)
            ),
            c.frame
        ),
        None => "nothing that this capture shows".to_string(),
    };
    out.push(
        Finding::new(C::PostHandshakeAuth, Confidence::Certain, "TLS 1.3: the server asked for a client certificate after the handshake")
            .explain(format!(
                "After the handshake (the client's Finished, frame {}), {} sent a CertificateRequest (frame {}, decrypted with the key log); the client answered with {answer}.",
                finished.frame,
                ctx.who(Party::Server),
                request.frame
            ))
            .fix("Nothing to fix if the request then succeeded. Post-handshake authentication fails over HTTP/2 (RFC 8740) and with clients that do not offer it; asking for the certificate in the main handshake avoids both.")
            .frames([Some(request.frame), certificate.map(|c| c.frame)]),
    );
}

/// Post-handshake authentication (RFC 8446 §4.6.2): after the handshake, a server record (the
/// CertificateRequest) answered at once by a burst of client records ending with a
/// Finished-sized one (Certificate, CertificateVerify, Finished).
fn post_handshake_auth(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    client: &[&Event],
    server: &[&Event],
    finished: Option<&Event>,
) {
    let offered = ctx
        .conn
        .client_hello()
        .is_some_and(|ch| ch.post_handshake_auth);
    let Some(finished) = finished else { return };
    if !offered {
        return;
    }
    let later: Vec<&Event> = client
        .iter()
        .copied()
        .filter(|m| m.seq > finished.seq)
        .collect();
    for (i, first) in later.iter().enumerate() {
        let request = server.iter().copied().rfind(|s| s.seq < first.seq);
        let Some(request) = request.filter(|r| r.seq > finished.seq) else {
            continue;
        };
        // The burst: client records with no server record in between.
        let burst: Vec<&Event> = later[i..]
            .iter()
            .copied()
            .take_while(|m| !server.iter().any(|s| s.seq > first.seq && s.seq < m.seq))
            .collect();
        let ends_with_finished = burst
            .last()
            .is_some_and(|m| FINISHED.iter().any(|f| (*f..f + 8).contains(&m.length())));
        if burst.len() < 2 || !ends_with_finished || (i > 0 && later[i - 1].seq > request.seq) {
            continue;
        }
        let with_certificate = burst.iter().any(|m| m.length() >= 300);
        let sizes = burst
            .iter()
            .map(|m| format!("{} bytes", m.length()))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(
            Finding::new(C::PostHandshakeAuth, Confidence::Likely, "TLS 1.3: the server asked for a client certificate after the handshake")
                .explain(format!(
                    "{} offered post-handshake authentication in its ClientHello. After the handshake, {} sent a {}-byte record (frame {}) and the client answered at once with {} (frame {}) — the shape of a Certificate, a CertificateVerify and a Finished, so the server most likely sent a CertificateRequest and the client {}. All of it is encrypted.",
                    ctx.who_cap(Party::Client),
                    ctx.who(Party::Server),
                    request.length(),
                    request.frame,
                    sizes,
                    first.frame,
                    if with_certificate { "sent a certificate" } else { "answered without a certificate" }
                ))
                .fix("Nothing to fix if the request then succeeded. Post-handshake authentication fails over HTTP/2 (RFC 8740) and with clients that do not offer it; asking for the certificate in the main handshake avoids both. A key log shows the messages.")
                .frames([request.frame, first.frame]),
        );
        return;
    }
}

/// Largest record taken for an encrypted alert (19 plus a little padding).
const ALERT: u32 = 24;
/// An encrypted empty Certificate: 4 + 1 + 3 + 1 + 16.
const EMPTY_CERTIFICATE: u32 = 25;
/// Encrypted Finished for SHA-256 and SHA-384 suites.
const FINISHED: [u32; 2] = [53, 69];

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !ctx.is_tls13() {
        return;
    }
    let conn = ctx.conn;
    if conn.records().any(|m| m.decrypted) {
        // A key log opened the handshake: the other rules read its messages; nothing is
        // inferred from sizes.
        decrypted_post_handshake_auth(ctx, out);
        return;
    }
    let Some(hello) = ctx.message(Party::Server, HandshakeType::ServerHello) else {
        return;
    };
    let encrypted = |from: Party| -> Vec<&Event> {
        conn.records()
            .filter(|m| m.from == from && m.is_encrypted_record() && m.seq > hello.seq)
            .collect()
    };
    let (client, server) = (encrypted(Party::Client), encrypted(Party::Server));
    let client_flight: Vec<&Event> = match client.first() {
        // The client's second flight: its records before the server's next one.
        Some(first) => client
            .iter()
            .copied()
            .take_while(|m| !server.iter().any(|s| s.seq > first.seq && s.seq < m.seq))
            .collect(),
        None => Vec::new(),
    };
    let sizes: Vec<u32> = client_flight.iter().map(|m| m.length()).collect();
    let after: Vec<&Event> = client_flight
        .first()
        .map(|f| server.iter().copied().filter(|m| m.seq > f.seq).collect())
        .unwrap_or_default();
    let failed = ctx.failed();
    let describe = |ms: &[&Event]| {
        ms.iter()
            .map(|m| format!("{} bytes (frame {})", m.length(), m.frame))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut inference = String::new();
    let client_who = ctx.who_cap(Party::Client);
    let server_who = ctx.who_cap(Party::Server);

    // The client answered the server's flight with an alert-sized record: it rejected the server.
    if let [only] = sizes[..]
        && only <= ALERT
        && failed
    {
        let frames = [
            Some(hello.frame),
            Some(client_flight[0].frame),
            conn.client_to_server.closed_at(),
        ];
        out.push(
                Finding::new(C::ServerCertUntrusted, Confidence::Likely, "TLS 1.3: the client most likely rejected the server's certificate")
                    .explain(format!(
                        "{client_who} answered the server's encrypted flight with a single {only}-byte record (frame {}) — the size of an encrypted alert — instead of its Finished, and the connection ended. In TLS 1.3 this is how a client rejects the server, usually its certificate (unknown CA, expired, wrong name); the certificate itself is encrypted in this capture.",
                        client_flight[0].frame
                    ))
                    .fix("Check the client's trust store and the server's certificate chain and name; a key log (SSLKEYLOGFILE) shows the alert and the certificate.")
                    .frames(frames),
            );
        inference = " The client's answer is alert-sized: see the finding above.".into();
    }
    let server_rejected = matches!(after[..], [only] if only.length() <= ALERT) && failed;
    if inference.is_empty() && server_rejected {
        let alert = after[0];
        let empty_certificate = (sizes.len() >= 2
            && (EMPTY_CERTIFICATE..=EMPTY_CERTIFICATE + 8).contains(&sizes[0])
            && FINISHED.iter().any(|f| (f..&(f + 8)).contains(&&sizes[1])))
            || (sizes.len() == 1 && [61, 77].iter().any(|f| (*f..f + 8).contains(&sizes[0])));
        let with_certificate = sizes.iter().any(|s| *s >= 300);
        let mut frames = vec![hello.frame, alert.frame];
        frames.extend(client_flight.iter().map(|m| m.frame));
        if empty_certificate {
            out.push(
                Finding::new(C::ClientCertMissing, Confidence::Likely, "TLS 1.3: the server most likely required a client certificate and the client sent none")
                    .explain(format!(
                        "{client_who}'s second flight was {} — an empty Certificate (25 bytes encrypted) and a Finished, too small to hold a certificate. {server_who} answered with one {}-byte record (frame {}), the size of an encrypted alert (certificate_required, 116, when a required certificate is missing), and the connection ended. The CertificateRequest, the Certificate and the alert are encrypted in TLS 1.3, so this is inferred from their sizes.",
                        describe(&client_flight),
                        alert.length(),
                        alert.frame
                    ))
                    .fix("Configure the client with a certificate issued by a CA the server accepts (see client-cert-missing). A key log (SSLKEYLOGFILE) turns this inference into certainty and shows the server's list of accepted CAs.")
                    .frames(frames.clone()),
            );
            inference =
                " The client's second flight holds an empty Certificate: see the finding above."
                    .into();
        } else if with_certificate {
            out.push(
                Finding::new(C::ClientCertRejected, Confidence::Likely, "TLS 1.3: the server most likely rejected the client's certificate")
                    .explain(format!(
                        "{client_who}'s second flight was {}, large enough to hold a certificate and its CertificateVerify. {server_who} answered with one {}-byte record (frame {}), the size of an encrypted alert, and the connection ended: it most likely rejected the certificate.",
                        describe(&client_flight),
                        alert.length(),
                        alert.frame
                    ))
                    .fix("Check the client certificate against the server's trust store and policy (issuer, chain, validity, key usage); a key log shows the alert.")
                    .frames(frames.clone()),
            );
            inference =
                " The client sent a certificate that the server rejected: see the finding above."
                    .into();
        }
    }
    post_handshake_auth(ctx, out, &client, &server, client_flight.first().copied());
    let mut hidden = "the server's certificate, whether it asked for a client certificate (CertificateRequest) and which CAs it accepts, the client's certificate, and the alerts".to_string();
    if conn.client_hello().is_some_and(|ch| ch.post_handshake_auth) {
        hidden.push_str("; the client also offered post-handshake authentication, so the server could ask for a certificate later");
    }
    let flight = if client_flight.is_empty() {
        "The client sent no encrypted record after the ServerHello.".to_string()
    } else {
        format!("The client's second flight: {}.", describe(&client_flight))
    };
    let server_after = if after.is_empty() {
        String::new()
    } else {
        format!(" The server then sent {}.", describe(&after))
    };
    out.push(
        Finding::new(C::Tls13HandshakeEncrypted, Confidence::Certain, "TLS 1.3: the certificates and client authentication are encrypted in this capture")
            .explain(format!(
                "After the ServerHello (frame {}) everything is encrypted: {hidden}. {flight}{server_after}{inference}",
                hello.frame
            ))
            .fix("Capture a key log with the traffic (SSLKEYLOGFILE for curl, browsers and Python; `openssl s_client -keylogfile`) to see every message; or capture a TLS 1.2 connection to the same server.")
            .frames([hello.frame]),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::{Confidence, FindingCode as C};
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Connection, EventKind, Party};
    use crate::tls::enums::ProtocolVersion;

    /// RFC 8446 §2 without keys: the server's flight (frame 6) as records of these sizes, the
    /// client's second flight (frame 8), then the server's records (frame 9) and its FIN.
    fn tls13(client_flight: &[u16], server_after: &[u16], hello: EventKind) -> Connection {
        let mut s = Scenario::tls12()
            .at(4)
            .client(hello)
            .at(6)
            .server(server_hello(ProtocolVersion::TLS13))
            .server(ccs());
        for size in [23, 1800, 264, 53] {
            s = s.server(encrypted(size));
        }
        s = s.at(8).client(ccs());
        for &size in client_flight {
            s = s.client(encrypted(size));
        }
        s = s.at(9);
        for &size in server_after {
            s = s.server(encrypted(size));
        }
        s.fin(Party::Server, 10).build()
    }

    #[test]
    fn what_tls13_hides_is_said_and_tls12_needs_no_such_words() {
        let conn = tls13(&[53], &[300, 300], hello13());
        assert_eq!(codes(&conn), [C::HandshakeOk, C::Tls13HandshakeEncrypted]);
        let tls12 = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .build();
        assert!(!codes(&tls12).contains(&C::Tls13HandshakeEncrypted));
    }

    #[test]
    fn an_empty_certificate_answered_by_an_alert_sized_record_is_a_likely_missing_certificate() {
        let conn = tls13(&[25, 53], &[19], hello13());
        let f = expect(&conn, C::ClientCertMissing);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(
            f.explanation
                .contains("25 bytes (frame 8), 53 bytes (frame 8)"),
            "{}",
            f.explanation
        );
        // Near miss: the server went on after the same flight.
        let served = tls13(&[25, 53], &[19, 400], hello13());
        assert!(!codes(&served).contains(&C::ClientCertMissing));
    }

    #[test]
    fn a_certificate_answered_by_an_alert_sized_record_is_a_likely_rejection() {
        let conn = tls13(&[1500, 280, 53], &[19], hello13());
        assert_eq!(
            expect(&conn, C::ClientCertRejected).confidence,
            Confidence::Likely
        );
        let served = tls13(&[1500, 280, 53], &[300, 400], hello13());
        assert!(!codes(&served).contains(&C::ClientCertRejected));
    }

    #[test]
    fn a_client_answering_with_an_alert_sized_record_likely_rejected_the_server() {
        let conn = tls13(&[19], &[], hello13());
        let f = expect(&conn, C::ServerCertUntrusted);
        assert_eq!(f.confidence, Confidence::Likely);
        let finished = tls13(&[53], &[300], hello13());
        assert!(!codes(&finished).contains(&C::ServerCertUntrusted));
    }

    #[test]
    fn a_late_request_answered_by_a_certificate_burst_is_post_handshake_auth() {
        let offering = || {
            let EventKind::Message(mut m) = hello13() else {
                unreachable!()
            };
            if let crate::tls::handshake::Details::ClientHello(ch) = &mut m.details {
                ch.post_handshake_auth = true;
            }
            EventKind::Message(m)
        };
        let conn = Scenario::tls12()
            .at(4)
            .client(offering())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS13))
            .server(encrypted(1800))
            .at(8)
            .client(encrypted(53))
            .at(9)
            .server(encrypted(250))
            .at(13)
            .server(encrypted(155))
            .at(14)
            .client(encrypted(1781))
            .client(encrypted(281))
            .client(encrypted(69))
            .build();
        let f = expect(&conn, C::PostHandshakeAuth);
        assert!(
            f.explanation.contains("sent a certificate"),
            "{}",
            f.explanation
        );
        // Near miss: the same records, but the client never offered it.
        let plain = Scenario::tls12()
            .at(4)
            .client(hello13())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS13))
            .server(encrypted(1800))
            .at(8)
            .client(encrypted(53))
            .at(13)
            .server(encrypted(155))
            .at(14)
            .client(encrypted(1781))
            .client(encrypted(69))
            .build();
        assert!(!codes(&plain).contains(&C::PostHandshakeAuth));
    }
}
