//! The server's certificate as the client sees it: trust, chain, dates and name.
//!
//! Codes: server-cert-untrusted, server-cert-self-signed, server-cert-incomplete-chain,
//! server-cert-expired, server-cert-not-yet-valid, server-cert-hostname-mismatch.
//!
//! ## References
//! RFC 5246 §7.2.2, §7.4.2; RFC 8446 §4.4.2, §6.2; RFC 5280 §4.1.2.5, §6; RFC 6125 §6.

use super::super::{Ctx, Finding};
use super::{about_a_certificate, fatal_alert_words};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::model::Party;
use crate::tls::enums::{AlertDescription, HandshakeType};
use crate::x509::{self, Trust, Validity};

/// A client that finished the handshake and closed without a request or an alert: its own
/// check of the certificate failed after the handshake.
fn gave_up_words(ctx: &Ctx<'_>) -> String {
    let node = if ctx.client_stack() == Some(crate::findings::context::Stack::Node) {
        "The client looks like Node.js, which checks the server's certificate in JavaScript once the handshake is done and, when it rejects it (`rejectUnauthorized`, the default), closes without an alert; curl does the same when its host-name check fails."
    } else {
        "That is how a client whose own check of the certificate fails after the handshake ends it: Node.js (`rejectUnauthorized`, the default) and curl's host-name check close without an alert."
    };
    format!(
        " The client finished the handshake and closed the connection (frame {}) without sending a request or an alert. {node}",
        ctx.conn
            .client_to_server
            .fin_frame
            .map_or_else(|| "?".to_string(), |f| f.to_string())
    )
}

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let Some(certificate) = ctx.message(Party::Server, HandshakeType::Certificate) else {
        return;
    };
    let chain = ctx.server_chain();
    let Some(leaf) = chain.first().copied() else {
        return;
    };
    // The client's fatal alert answering the server's flight: before the client finished that
    // handshake (a later one, seen with a key log, is about something else).
    let client_done = conn
        .records()
        .find(|m| {
            m.from == Party::Client
                && m.seq > certificate.seq
                && (m.is_message(HandshakeType::Finished)
                    || m.is_encrypted_handshake()
                    || m.is_application_data())
        })
        .map(|m| m.seq);
    // Only an alert about a certificate: a client that gives up for another reason (an
    // internal_error, a version it refuses) says so with another alert.
    let alert = ctx
        .fatal_alert(Party::Client, certificate.seq, client_done)
        .filter(|(_, a)| a.description().is_some_and(about_a_certificate));
    // curl checks the name after the handshake and closes without a word.
    // The client finished the handshake and closed without a request (in TLS 1.3 its
    // Finished is an application_data record on the wire).
    let data_allowed = u64::from(ctx.is_tls13());
    let client_gave_up = conn.client_to_server.application_data_records <= data_allowed
        && conn.client_to_server.fin_frame.is_some()
        && conn.server_to_client.application_data_records == 0;
    // Without any alert, not even close_notify: it rejected the certificate on its own (a
    // client that sends close_notify may just have had nothing to say).
    let silent = client_gave_up && !conn.alerts().any(|(e, _)| e.from == Party::Client);
    let rejected = alert.is_some() || ctx.failed() || silent;
    let severity = if rejected {
        Severity::Error
    } else {
        Severity::Warning
    };
    let server = ctx.who(Party::Server);
    let client = ctx.who(Party::Client);
    let client_cap = ctx.who_cap(Party::Client);
    let subject = &leaf.subject;
    let alert_text = match alert {
        Some((e, a)) => format!(
            " The client rejected it with {}.",
            fatal_alert_words(a.description(), e.frame)
        ),
        None if silent => gave_up_words(ctx),
        None => String::new(),
    };
    let frames = [
        Some(certificate.frame),
        alert.map(|(e, _)| e.frame),
        conn.client_to_server
            .fin_frame
            .filter(|_| alert.is_none() && silent),
    ];
    let before = out.len();

    if leaf.self_signed {
        out.push(
            Finding::new(C::ServerCertSelfSigned, Confidence::Certain, "The server presents a self-signed certificate")
                .severity(severity)
                .explain(format!(
                    "{server} sent the certificate {subject} (frame {}), which is issued by itself. A client trusts it only if it was added to its trust store on purpose.{alert_text}",
                    certificate.frame
                ))
                .fix("Deploy a certificate issued by a CA the clients trust (with its intermediates), or add this certificate to the clients' trust stores deliberately.")
                .frames(frames),
        );
    }
    if let Some(at) = ctx.time()
        && let Err(problem) = leaf.validity_at(at)
    {
        let (code, word, when, date) = match problem {
            Validity::Expired(date) => (C::ServerCertExpired, "expired", "expired on", date),
            Validity::NotYetValid(date) => (
                C::ServerCertNotYetValid,
                "not yet valid",
                "is valid only from",
                date,
            ),
        };
        out.push(
                Finding::new(code, Confidence::Certain, format!("The server's certificate is {word}"))
                    .severity(severity)
                    .explain(format!(
                        "{server} sent the certificate {subject} (frame {}), which {when} {}; the connection was made at {}.{alert_text}",
                        certificate.frame,
                        crate::words::date(date),
                        at.to_rfc3339()
                    ))
                    .fix(if code == C::ServerCertExpired {
                        "Renew the server's certificate; check NTP on both hosts."
                    } else {
                        "Check the clocks of the client and the server (NTP); reissue the certificate if its dates are wrong."
                    })
                    .frames(frames),
            );
    }
    if let Some(sni) = conn.sni() {
        let names = leaf.host_names();
        if !names.iter().any(|n| name_matches(n, sni)) {
            let severity = if rejected || client_gave_up {
                Severity::Error
            } else {
                Severity::Warning
            };
            let behaviour = if alert.is_none() && client_gave_up && !silent {
                " The client finished the handshake and closed the connection without sending a request — what curl does when its own host-name check fails."
            } else {
                ""
            };
            out.push(
                Finding::new(C::ServerCertHostnameMismatch, Confidence::Certain, format!("The server's certificate does not cover the name {sni}"))
                    .severity(severity)
                    .explain(format!(
                        "{client} asked for {sni} (SNI in the ClientHello); {server} sent the certificate {subject} (frame {}), which covers {}.{alert_text}{behaviour}",
                        certificate.frame,
                        if names.is_empty() { "no name at all".to_string() } else { names.join(", ") }
                    ))
                    .fix(format!("Connect with a name the certificate lists, or add {sni} to the certificate's subjectAltName; check the server's name-based virtual hosts (a default certificate is served for unknown names)."))
                    .frames(frames.into_iter().chain([conn.client_to_server.fin_frame.filter(|_| alert.is_none() && client_gave_up)])),
            );
        }
    }
    let issuer_sent = chain
        .iter()
        .skip(1)
        .any(|c| c.subject.der() == leaf.issuer.der());
    if !leaf.self_signed && !issuer_sent {
        let severity = if alert.is_some_and(|(_, a)| {
            matches!(
                a.description(),
                Some(
                    AlertDescription::BadCertificate
                        | AlertDescription::CertificateUnknown
                        | AlertDescription::UnknownCa
                )
            )
        }) {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new(C::ServerCertIncompleteChain, Confidence::Certain, "The server does not send the CA certificate that issued its certificate")
                .severity(severity)
                .explain(format!(
                    "{server} sent {} certificate(s) (frame {}); its certificate {subject} is issued by {}, which is not among them. Clients that have that CA only as an intermediate (not in their trust store) cannot build the chain.{alert_text}",
                    chain.len(),
                    certificate.frame,
                    leaf.issuer
                ))
                .fix("Configure the server with its full chain (the leaf, then each intermediate CA).")
                .frames(frames),
        );
    }
    let trust = (!ctx.trust.is_empty()).then(|| x509::anchor(&chain, ctx.trust));
    if let Some(Trust::Broken { at, why }) = &trust {
        out.push(
            Finding::new(C::ServerCertUntrusted, Confidence::Certain, "The server's chain does not lead to a CA of your trust store")
                .severity(severity)
                .explain(format!(
                    "Checked against your trust store (--ca, {} CA{}): the chain {server} sent (frame {}) breaks at [{at}] {}: {why}.{alert_text}",
                    ctx.trust.len(),
                    if ctx.trust.len() == 1 { "" } else { "s" },
                    certificate.frame,
                    chain.get(*at).map_or_else(String::new, |c| c.subject.to_string()),
                ))
                .fix("If the client should trust this server: add the CA that issued the top of the chain to the client's trust store, or have the server send its full chain up to a CA the client trusts.")
                .frames(frames),
        );
    }
    let yours = match &trust {
        Some(Trust::Anchored { ca, .. }) => format!(
            " Your trust store (--ca) does trust this chain (it leads to {ca}): the client's trust store differs from yours."
        ),
        _ => String::new(),
    };
    if let Some((e, a)) = alert
        && (out.len() == before || out[before..].iter().all(|f| f.severity != Severity::Error))
    {
        out.push(
                Finding::new(C::ServerCertUntrusted, Confidence::Certain, "The client rejected the server's certificate")
                    .explain(format!(
                        "{server} sent the certificate {subject}, issued by {} (frame {}). {client_cap} answered with {}{}.",
                        leaf.issuer,
                        certificate.frame,
                        fatal_alert_words(a.description(), e.frame),
                        match a.description() {
                            Some(AlertDescription::UnknownCa) => ": the client does not know the issuing CA",
                            Some(AlertDescription::CertificateUnknown) => ": a generic trust failure; Java clients send it for any path problem (\"PKIX path building failed\")",
                            Some(AlertDescription::BadCertificate) => ": GnuTLS and OpenSSL clients send it for a certificate they cannot accept (not yet valid, bad signature, untrusted)",
                            Some(AlertDescription::CertificateExpired) => ": the client finds it expired",
                            _ => "",
                        }
                    ) + &yours)
                    .fix("Install the issuing CA in the client's trust store (Java: `keytool -importcert` into the trust store; curl `--cacert`), or deploy a server certificate from a CA the client trusts, with its intermediates.")
                    .frames([e.frame, certificate.frame]),
            );
    }
}

/// RFC 6125 §6.4: exact, case-insensitive; a wildcard covers one leftmost label.
fn name_matches(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    if let Some(rest) = pattern.strip_prefix("*.") {
        name.split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest)
    } else {
        pattern == name
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(name_matches("api.example.com", "API.example.com"));
        assert!(name_matches("*.example.com", "api.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("wrong.example", "localhost"));
    }
}

#[cfg(test)]
mod more_tests {
    use crate::codes::{FindingCode as C, Severity};
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Connection, EventKind};
    use crate::tls::enums::{AlertDescription as A, AlertLevel::Fatal, ProtocolVersion};
    use crate::x509::Certificate;

    /// RFC 5246 §7.3: the server's Certificate at frame 6, then the client's refusal at 8 or
    /// its key exchange and Finished.
    fn server_sends(chain: &[Certificate], hello: EventKind, refusal: Option<A>) -> Connection {
        let s = Scenario::tls12()
            .at(4)
            .client(hello)
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(certificate(chain))
            .at(8);
        match refusal {
            Some(a) => s.client(alert(Fatal, a)),
            None => s
                .client_finished(8)
                .server_finished(9)
                .at(10)
                .client(encrypted(90)),
        }
        .build()
    }

    #[test]
    fn only_an_alert_about_a_certificate_is_a_rejection_of_it() {
        let chain = server_chain();
        let refused = server_sends(&chain, hello(), Some(A::UnknownCa));
        assert!(codes(&refused).contains(&C::ServerCertUntrusted));
        // Near miss: curl giving up with internal_error (a signature algorithm its security
        // level refuses) is not about the certificate.
        let other = server_sends(&chain, hello(), Some(A::InternalError));
        assert!(!codes(&other).contains(&C::ServerCertUntrusted));
        assert!(codes(&other).contains(&C::FatalAlert));
    }

    #[test]
    fn a_client_alert_after_the_servers_certificate_is_an_untrusted_server() {
        let conn = server_sends(&server_chain(), hello(), Some(A::UnknownCa));
        let f = expect(&conn, C::ServerCertUntrusted);
        assert!(
            f.explanation.contains("does not know the issuing CA"),
            "{}",
            f.explanation
        );
        let ok = server_sends(&server_chain(), hello(), None);
        assert_eq!(codes(&ok), [C::HandshakeOk]);
    }

    #[test]
    fn a_self_signed_leaf_is_said() {
        let conn = server_sends(&[root()], hello(), Some(A::UnknownCa));
        assert_eq!(
            expect(&conn, C::ServerCertSelfSigned).severity,
            Severity::Error
        );
        assert!(
            !codes(&server_sends(&server_chain(), hello(), Some(A::UnknownCa)))
                .contains(&C::ServerCertSelfSigned)
        );
    }

    #[test]
    fn a_leaf_without_its_intermediate_is_an_incomplete_chain() {
        let leaf = server_chain().remove(0);
        let conn = server_sends(&[leaf], hello(), None);
        assert_eq!(
            expect(&conn, C::ServerCertIncompleteChain).severity,
            Severity::Warning
        );
        assert!(
            !codes(&server_sends(&server_chain(), hello(), None))
                .contains(&C::ServerCertIncompleteChain)
        );
    }

    #[test]
    fn dates_are_judged_at_the_connections_time() {
        let expired = server_sends(
            &pem("client-expired-chain.pem"),
            hello(),
            Some(A::CertificateExpired),
        );
        expect(&expired, C::ServerCertExpired);
        assert!(
            !codes(&server_sends(
                &server_chain(),
                hello(),
                Some(A::CertificateExpired)
            ))
            .contains(&C::ServerCertExpired)
        );
        let early = Scenario::tls12()
            .starting(crate::capture::Timestamp::from_parts(1_600_000_000, 0))
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(certificate(&server_chain()))
            .at(8)
            .client(alert(Fatal, A::BadCertificate))
            .build();
        expect(&early, C::ServerCertNotYetValid);
        assert!(
            !codes(&server_sends(&server_chain(), hello(), None))
                .contains(&C::ServerCertNotYetValid)
        );
    }

    #[test]
    fn a_name_the_certificate_does_not_cover_is_a_hostname_mismatch() {
        let mut ch = crate::tls::handshake::ClientHello::new(ProtocolVersion::TLS12);
        ch.sni = Some("api.example.com".into());
        let conn = server_sends(&server_chain(), hello_with(ch), Some(A::BadCertificate));
        let f = expect(&conn, C::ServerCertHostnameMismatch);
        assert!(
            f.explanation.contains("covers localhost"),
            "{}",
            f.explanation
        );
        assert!(
            !codes(&server_sends(
                &server_chain(),
                hello(),
                Some(A::BadCertificate)
            ))
            .contains(&C::ServerCertHostnameMismatch)
        );
    }
}
