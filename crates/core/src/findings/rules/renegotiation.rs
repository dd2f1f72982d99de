//! A renegotiation after the handshake (TLS ≤ 1.2): an encrypted handshake message once
//! application data flowed. Servers such as IIS ask for the client certificate this way.
//!
//! Code: renegotiation.
//!
//! ## References
//! RFC 5246 §7.4.1.1 (HelloRequest); RFC 5746; RFC 9113 §9.2.1 (no renegotiation in HTTP/2);
//! Microsoft Learn, `netsh http add sslcert` (clientcertnegotiation).

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::{Event, FrameNumber, Party};
use crate::tls::enums::HandshakeType;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.is_tls13() {
        return;
    }
    let conn = ctx.conn;
    if conn.records().any(|m| m.decrypted) {
        decrypted(ctx, out);
        return;
    }
    // Each side's first encrypted handshake message is its Finished. A second one, after
    // application data, starts a new handshake. (With False Start the client sends data before
    // the server's Finished, so data alone does not end the first handshake.)
    let Some(first_data) = conn.records().find(|m| m.is_encrypted_record()) else {
        return;
    };
    let finished = |p: Party| {
        conn.records()
            .find(|m| m.from == p && m.is_encrypted_handshake())
            .map(|m| m.seq)
    };
    let Some(later) = conn.records().find(|m| {
        m.is_encrypted_handshake()
            && m.seq > first_data.seq
            && finished(m.from).is_some_and(|f| f < m.seq)
    }) else {
        return;
    };
    let by_server = later.from == Party::Server;
    let mut answers: Vec<FrameNumber> = conn
        .records()
        .filter(|m| m.is_encrypted_handshake() && m.seq > later.seq)
        .map(|m| m.frame)
        .take(6)
        .collect();
    answers.dedup();
    // In the new handshake, a client record large enough for a certificate after the server's
    // flight says the client sent one.
    let certificate = conn
        .records()
        .filter(|m| m.is_encrypted_handshake() && m.seq > later.seq && m.from == Party::Client)
        .skip(1)
        .find(|m| m.length() >= 300)
        .map_or_else(String::new, |m| {
            format!(" In the new handshake the client answered with a {}-byte record (frame {}), large enough to hold a certificate: it most likely sent one.", m.length(), m.frame)
        });
    out.push(
        Finding::new(C::Renegotiation, Confidence::Likely, if by_server { "The server renegotiated after the handshake to ask for a client certificate" } else { "The client renegotiated after the handshake" })
            .explain(format!(
                "After application data began (frame {}), {} sent an encrypted handshake message (frame {}){}. The new handshake is encrypted, so its CertificateRequest and Certificate messages cannot be seen.{}",
                first_data.frame,
                ctx.who(later.from),
                later.frame,
                if answers.is_empty() {
                    String::new()
                } else {
                    format!(" and more followed (frames {})", answers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
                },
                if by_server {
                    " A server that renegotiates once it has read the request usually asks for a client certificate for that URL (IIS/http.sys \"client certificate negotiation\"); HTTP/2 and TLS 1.3 forbid this."
                } else {
                    ""
                }
            ) + &certificate)
            .fix(if by_server {
                "Ask for the client certificate in the initial handshake instead (IIS: enable \"Negotiate Client Certificate\" / `netsh http … clientcertnegotiation=enable`; ASP.NET Core: client certificate mode at the connection level); a key log shows the renegotiated handshake."
            } else {
                "Check why the client renegotiates; a key log shows the renegotiated handshake."
            })
            .frames([first_data.frame, later.frame].into_iter().chain(answers)),
    );
    if by_server && ctx.failed() {
        refused(ctx, out, later);
    }
}

/// A server-initiated renegotiation that the server ended with an alert instead of its
/// ChangeCipherSpec: by the client's final flight (RFC 5246 §7.3: [Certificate]
/// ClientKeyExchange [CertificateVerify] before its ChangeCipherSpec), a client certificate
/// missing or rejected, likely.
fn refused(ctx: &Ctx<'_>, out: &mut Vec<Finding>, start: &Event) {
    let conn = ctx.conn;
    let client_records: Vec<&Event> = conn
        .events
        .iter()
        .filter(|e| e.seq > start.seq && e.from == Party::Client)
        .collect();
    // The client's ClientHello, then its final flight up to its ChangeCipherSpec.
    let Some(ccs) = client_records
        .iter()
        .position(|e| e.is_change_cipher_spec())
    else {
        return;
    };
    let flight: Vec<&Event> = client_records[..ccs]
        .iter()
        .skip(1)
        .copied()
        .filter(|e| e.is_encrypted_handshake())
        .collect();
    let Some(alert) = conn
        .alerts()
        .map(|(e, _)| e)
        .find(|e| e.from == Party::Server && e.seq > client_records[ccs].seq)
    else {
        return;
    };
    let sizes = flight
        .iter()
        .map(|e| format!("{} bytes", e.length()))
        .collect::<Vec<_>>()
        .join(", ");
    let server_answer = format!(
        "{} answered with an encrypted alert ({} bytes, frame {}) instead of its ChangeCipherSpec and Finished, and sent no more data",
        ctx.who_cap(Party::Server),
        alert.length(),
        alert.frame
    );
    let finding = match flight[..] {
        [certificate, _, _, ..] if certificate.length() >= 300 => Finding::new(C::ClientCertRejected, Confidence::Likely, "The server most likely rejected the client's certificate in the renegotiation")
            .explain(format!(
                "In the renegotiated handshake the client's final flight (frame {}) was {sizes} before its ChangeCipherSpec: a first record large enough for a Certificate, then ClientKeyExchange and CertificateVerify — it sent a certificate. {server_answer}: it most likely rejected the certificate (an issuer it does not trust, expired dates, no clientAuth usage). All of it is encrypted under the first handshake's keys.",
                certificate.frame
            ))
            .fix("Check the client certificate against the server's trust store for client certificates and its dates and key usage; the server's log names the reason. A key log (SSLKEYLOGFILE) shows the certificate and the alert."),
        [empty, _] if empty.length() < 100 => {
            let (why, fix) = super::client_auth::missing_words(ctx);
            Finding::new(C::ClientCertMissing, Confidence::Likely, "The server most likely required a client certificate in the renegotiation and the client sent none")
                .explain(format!(
                    "In the renegotiated handshake the client's final flight (frame {}) was {sizes} before its ChangeCipherSpec: two handshake records, the size of an empty Certificate (7 bytes and the record's encryption) and a ClientKeyExchange — a certificate would take hundreds of bytes, and without a request there is no Certificate at all. {server_answer}: it most likely required a certificate.\n{why}",
                    empty.frame
                ))
                .fix(format!("{fix} A key log (SSLKEYLOGFILE) makes this certain."))
        }
        _ => return,
    };
    out.push(finding.frames([start.frame, flight[0].frame, alert.frame]));
}

/// A renegotiation seen with a key log: a second ClientHello after application data, and what
/// the new handshake asked and got.
fn decrypted(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let Some(first_data) = conn.records().find(|m| m.is_application_data()) else {
        return;
    };
    let after = |kind: HandshakeType, seq: usize| -> Option<&Event> {
        conn.records().find(|m| m.is_message(kind) && m.seq > seq)
    };
    let Some(hello) = after(HandshakeType::ClientHello, first_data.seq) else {
        return;
    };
    let request = conn
        .records()
        .filter(|m| {
            m.is_message(HandshakeType::HelloRequest) && m.seq < hello.seq && m.seq > first_data.seq
        })
        .last();
    let asked = after(HandshakeType::CertificateRequest, hello.seq);
    let certificate = conn.records().find(|m| {
        m.from == Party::Client && m.is_message(HandshakeType::Certificate) && m.seq > hello.seq
    });
    let started = request.map_or_else(
        || format!("the client started a new handshake (ClientHello, frame {})", hello.frame),
        |r| {
            format!(
                "the server asked for a new handshake (HelloRequest, frame {}) and the client started one (ClientHello, frame {})",
                r.frame, hello.frame
            )
        },
    );
    let empty = |c: &Event| {
        c.handshake()
            .is_some_and(crate::model::Message::is_empty_certificate)
    };
    let client_auth = match (asked, certificate) {
        (Some(cr), Some(c)) if empty(c) => format!(
            " In it the server asked for a client certificate (CertificateRequest, frame {}) and the client sent none (an empty Certificate, frame {}).",
            cr.frame, c.frame
        ),
        (Some(cr), Some(c)) => format!(
            " In it the server asked for a client certificate (CertificateRequest, frame {}) and the client sent one (frame {}).",
            cr.frame, c.frame
        ),
        (Some(cr), None) => format!(
            " In it the server asked for a client certificate (CertificateRequest, frame {}).",
            cr.frame
        ),
        (None, _) => " The new handshake did not ask for a client certificate.".to_string(),
    };
    let by_server = request.is_some() || asked.is_some();
    out.push(
        Finding::new(C::Renegotiation, Confidence::Certain, if by_server { "The server renegotiated after the handshake to ask for a client certificate" } else { "The client renegotiated after the handshake" })
            .explain(format!(
                "After application data began (frame {}), {started}; the key log decrypts it.{client_auth} The findings about the client certificate above are about this new handshake.",
                first_data.frame
            ))
            .fix(if by_server {
                "Ask for the client certificate in the initial handshake instead (IIS: enable \"Negotiate Client Certificate\" / `netsh http … clientcertnegotiation=enable`; ASP.NET Core: client certificate mode at the connection level); HTTP/2 and TLS 1.3 forbid renegotiation."
            } else {
                "Check why the client renegotiates."
            })
            .frames(
                [Some(first_data.frame), request.map(|r| r.frame), Some(hello.frame), asked.map(|m| m.frame), certificate.map(|c| c.frame)],
            ),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::{Confidence, FindingCode as C};
    use crate::findings::run::{codes, expect, frames};
    use crate::model::testkit::*;
    use crate::model::{Connection, Party};
    use crate::tls::enums::{HandshakeType as H, ProtocolVersion};

    /// A TLS 1.2 handshake (frames 4 to 9), application data (10, 11), then what `then` adds.
    fn after_handshake(then: impl FnOnce(Scenario) -> Scenario) -> Connection {
        let s = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(msg(H::ServerHelloDone))
            .client_finished(8)
            .server_finished(9)
            .at(10)
            .client(encrypted(120))
            .at(11)
            .server(encrypted(400));
        then(s).build()
    }

    #[test]
    fn an_encrypted_handshake_after_data_is_a_renegotiation() {
        let conn = after_handshake(|s| {
            s.at(12)
                .server(encrypted_handshake(40))
                .at(13)
                .client(encrypted_handshake(250))
                .at(14)
                .server(encrypted_handshake(1900))
                .at(15)
                .client(encrypted_handshake(1800))
        });
        let f = expect(&conn, C::Renegotiation);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(f.title.contains("server renegotiated"), "{}", f.title);
        assert!(
            f.explanation.contains("1800-byte record (frame 15)"),
            "{}",
            f.explanation
        );
        assert_eq!(frames(&f)[..3], [10, 12, 13]);
        // Near miss: the handshake's own Finished messages only.
        assert!(!codes(&after_handshake(|s| s)).contains(&C::Renegotiation));
    }

    /// The server asks for a new handshake (frame 12); the client's ClientHello (13), the
    /// server's flight (15) and the client's final flight of these sizes (16), then `end`.
    fn renegotiated(final_flight: &[u16], end: impl FnOnce(Scenario) -> Scenario) -> Connection {
        after_handshake(|s| {
            let mut s = s
                .at(12)
                .server(encrypted_handshake(28))
                .at(13)
                .client(encrypted_handshake(240))
                .at(15);
            for size in [109, 1764, 324, 131, 28] {
                s = s.server(encrypted_handshake(size));
            }
            s = s.at(16);
            for &size in final_flight {
                s = s.client(encrypted_handshake(size));
            }
            end(s.client(ccs()).client(encrypted_handshake(40)).at(17))
        })
    }

    #[test]
    fn a_renegotiation_the_server_ends_with_an_alert_failed_for_the_client_certificate() {
        let refuse = |s: Scenario| s.server(encrypted_alert(26)).fin(Party::Server, 18);
        let missing = renegotiated(&[31, 61], refuse);
        assert_eq!(missing.outcome, crate::model::Outcome::Failed);
        let f = expect(&missing, C::ClientCertMissing);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(
            f.explanation.contains("31 bytes, 61 bytes"),
            "{}",
            f.explanation
        );
        let rejected = renegotiated(&[510, 61, 103], refuse);
        assert_eq!(
            expect(&rejected, C::ClientCertRejected).confidence,
            Confidence::Likely
        );
        // Near miss: the server finished the new handshake (ChangeCipherSpec, Finished).
        let accepted = renegotiated(&[1751, 61, 288], |s| {
            s.server(ccs()).server(encrypted_handshake(40))
        });
        assert_eq!(accepted.outcome, crate::model::Outcome::Established);
        let found = codes(&accepted);
        assert!(found.contains(&C::Renegotiation) && found.contains(&C::HandshakeOk));
        assert!(!found.contains(&C::ClientCertRejected));
    }

    #[test]
    fn a_decrypted_renegotiation_says_what_the_new_handshake_asked() {
        let conn = after_handshake(|s| {
            s.at(12)
                .server_decrypted(msg(H::HelloRequest))
                .at(13)
                .client_decrypted(hello())
                .at(14)
                .server_decrypted(certificate_request(&[&root()]))
                .at(15)
                .client_decrypted(certificate(&[]))
        });
        let conn = {
            // The application data before it was decrypted too.
            let mut c = conn;
            for e in &mut c.events {
                if e.is_encrypted_record() {
                    e.kind = crate::model::EventKind::ApplicationData { length: 100 };
                    e.decrypted = true;
                }
            }
            c
        };
        let f = expect(&conn, C::Renegotiation);
        assert_eq!(f.confidence, Confidence::Certain);
        assert!(
            f.explanation.contains("the client sent none"),
            "{}",
            f.explanation
        );
    }
}
