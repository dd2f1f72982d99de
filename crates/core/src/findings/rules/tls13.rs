//! TLS 1.3 without keys: what is hidden, and what the record sizes tell (RFC 8446 §5.2: an
//! encrypted record is its content + 1 type byte + 16 tag bytes; an alert is 19 bytes; an empty
//! client Certificate 25; Finished 53 with SHA-256 suites, 69 with SHA-384).
//!
//! Codes: tls13-handshake-encrypted, post-handshake-auth; with `likely` confidence
//! client-cert-missing, client-auth-optional-no-cert, client-cert-rejected,
//! server-cert-untrusted, server-cert-expired.
//!
//! The model's TLS 1.3 reading (`model::tls13`) labels each encrypted record from its size and
//! place and says who refused whom; these rules put it in words, with what it rests on.
//!
//! ## References
//! RFC 8446 §2, §4.4.2, §4.6.2, §5.2; RFC 8740 (no post-handshake authentication in HTTP/2).

use super::super::{Ctx, Finding};
use super::client_auth::{error_page, missing_words};
use super::{about_a_certificate, fatal_alert_words, server_alert_stack};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::findings::context::Stack;
use crate::model::{
    Alert, ClientCertificate, Event, EventKind, FrameNumber, Inferred, ONE_CERTIFICATE, Outcome,
    Party, Reading, Rejection,
};
use crate::tls::enums::{AlertDescription as A, HandshakeType};

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

/// Post-handshake authentication (RFC 8446 §4.6.2) as the record sizes show it.
fn post_handshake_auth(ctx: &Ctx<'_>, out: &mut Vec<Finding>, r: &Reading) {
    let Some(pha) = r.post_handshake_auth else {
        return;
    };
    let events = &ctx.conn.events;
    let (request, finished) = (&events[pha.request], &events[pha.finished]);
    let answer = match pha.certificate {
        ClientCertificate::Sent(i) => format!(
            "a Certificate ({} bytes), a CertificateVerify and a Finished (frame {}): it sent a certificate",
            events[i].length(),
            events[i].frame
        ),
        ClientCertificate::Empty(i) => format!(
            "an empty Certificate ({} bytes) and a Finished (frame {}): it had no certificate to offer",
            events[i].length(),
            events[i].frame
        ),
        ClientCertificate::NotSeen => {
            format!("records ending with a Finished (frame {})", finished.frame)
        }
    };
    out.push(
        Finding::new(C::PostHandshakeAuth, Confidence::Likely, "TLS 1.3: the server asked for a client certificate after the handshake")
            .explain(format!(
                "{} offered post-handshake authentication in its ClientHello. After the handshake, {} sent a {}-byte record (frame {}) and the client answered at once with records the sizes of {answer}. So the server most likely sent a CertificateRequest. All of it is encrypted.",
                ctx.who_cap(Party::Client),
                ctx.who(Party::Server),
                request.length(),
                request.frame,
            ))
            .fix("Nothing to fix if the request then succeeded. Post-handshake authentication fails over HTTP/2 (RFC 8740) and with clients that do not offer it; asking for the certificate in the main handshake avoids both. A key log shows the messages.")
            .frames([request.frame, finished.frame]),
    );
}

/// "25 bytes (frame 8), 69 bytes (frame 8)".
fn describe(events: &[Event], records: &[usize]) -> String {
    records
        .iter()
        .map(|&i| format!("{} bytes (frame {})", events[i].length(), events[i].frame))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The record taken for a label in the server's flight.
fn labelled(ctx: &Ctx<'_>, r: &Reading, label: Inferred) -> Option<usize> {
    r.server_flight
        .iter()
        .copied()
        .find(|&i| ctx.conn.events[i].inferred == Some(label))
}

/// What the server's Certificate record's size says of its chain.
fn certificate_room(ctx: &Ctx<'_>, r: &Reading) -> String {
    let events = &ctx.conn.events;
    let Some(&first) = r.server_certificate.first() else {
        return String::new();
    };
    let size: u32 = r
        .server_certificate
        .iter()
        .map(|&i| events[i].length())
        .sum();
    if size < ONE_CERTIFICATE {
        format!(
            " The server's Certificate record ({size} bytes, frame {}) has room for one certificate only: most likely a self-signed certificate, or a leaf sent without its intermediate CA.",
            events[first].frame
        )
    } else {
        format!(
            " The server's Certificate record ({size} bytes, frame {}) is large enough for a chain of two or more certificates, so an incomplete chain is less likely than a CA the client does not trust, a name the certificate does not cover, or dates.",
            events[first].frame
        )
    }
}

/// The fix for a client that does not trust the server's certificate, by its stack.
fn trust_fix(ctx: &Ctx<'_>) -> String {
    let knob = match ctx.client_stack() {
        Some(Stack::Go) => "Go: the system pool, or `tls.Config.RootCAs`",
        Some(Stack::Node) => {
            "Node.js: the `ca` option or NODE_EXTRA_CA_CERTS; `rejectUnauthorized: false` only hides the problem"
        }
        Some(Stack::Java) => "Java: the trust store, `javax.net.ssl.trustStore`",
        _ => {
            "curl: `--cacert`; OpenSSL: `-CAfile`; Python: `cafile=`; Go: `tls.Config.RootCAs`; Node.js: `ca`; Java: the trust store"
        }
    };
    format!(
        "Have the server send its full chain (leaf, then intermediates), and give the client the root CA that issued it ({knob}). Check that the certificate covers the name the client uses{} and is within its dates. A key log (SSLKEYLOGFILE) shows the certificate and the alert.",
        ctx.conn
            .sni()
            .map_or_else(String::new, |sni| format!(" ({sni})"))
    )
}

/// The client refused the server's flight: with an alert (in clear or, by its size, encrypted)
/// or by closing.
fn client_refused(ctx: &Ctx<'_>, out: &mut Vec<Finding>, r: &Reading, rejection: Rejection) {
    let conn = ctx.conn;
    let client = ctx.who_cap(Party::Client);
    let flight = r.server_flight.last().map_or_else(String::new, |&i| {
        format!(" (up to frame {})", conn.events[i].frame)
    });
    let room = certificate_room(ctx, r);
    let frames = |rejected: FrameNumber| {
        [
            r.server_certificate.first().map(|&i| conn.events[i].frame),
            Some(rejected),
        ]
    };
    let finding = match rejection {
        Rejection::Alert(i) => {
            let e = &conn.events[i];
            match e.kind {
                EventKind::Alert(a @ Alert::Clear { description, .. }) => {
                    if !about_a_certificate(description) {
                        return;
                    }
                    let code = if description == A::CertificateExpired {
                        C::ServerCertExpired
                    } else {
                        C::ServerCertUntrusted
                    };
                    Finding::new(code, Confidence::Likely, "TLS 1.3: the client rejected the server's certificate")
                        .explain(format!(
                            "{client} answered the server's encrypted flight{flight} with {} in clear text instead of its Finished: in TLS 1.3 the client checks the server's certificate at this point, and this alert is about a certificate{}. The certificate itself is encrypted in this capture.{room}",
                            fatal_alert_words(a.description(), e.frame),
                            client_alert_meaning(description)
                        ))
                        .fix(trust_fix(ctx))
                        .frames(frames(e.frame))
                }
                EventKind::Alert(Alert::Inferred { length, .. }) => {
                    let go = if ctx.client_stack() == Some(Stack::Go) {
                        " The client looks like Go, which sends this alert encrypted: bad_certificate (42) for an untrusted, expired or misnamed certificate."
                    } else {
                        ""
                    };
                    Finding::new(C::ServerCertUntrusted, Confidence::Likely, "TLS 1.3: the client most likely rejected the server's certificate")
                        .explain(format!(
                            "{client} answered the server's encrypted flight{flight} with a single {length}-byte record (frame {}) — the size of an encrypted alert (2 bytes, its content type and a 16-byte tag) — instead of its Finished, and the connection ended. In TLS 1.3 this is how a client rejects the server, almost always its certificate (unknown CA, expired, wrong name); the certificate and the alert are encrypted in this capture.{go}{room}",
                            e.frame
                        ))
                        .fix(trust_fix(ctx))
                        .frames(frames(e.frame))
                }
                _ => return,
            }
        }
        Rejection::Closed(frame) => {
            let node = match ctx.client_stack() {
                Some(Stack::Node) => "The client looks like Node.js, ",
                _ => "",
            };
            Finding::new(C::ServerCertUntrusted, Confidence::Likely, "TLS 1.3: the client closed the connection after the server's certificate, without a Finished")
                .explain(format!(
                    "{client} closed the connection (frame {frame}) right after the server's encrypted flight{flight}, without its Finished and without an alert. {node}{}: a Node.js client checks the server's certificate in JavaScript once OpenSSL has read it and, when it rejects it (`rejectUnauthorized`, the default), closes without an alert. Other clients send an alert; one that closes silently may also have been stopped or timed out.{room}",
                    if node.is_empty() { "This is most likely a rejection of the server's certificate" } else { "whose rejection of a certificate looks exactly like this" }
                ))
                .fix(trust_fix(ctx))
                .frames(frames(frame))
        }
    };
    out.push(finding);
}

/// What a client's certificate alert says, for the explanation.
fn client_alert_meaning(description: A) -> &'static str {
    match description {
        A::UnknownCa => {
            " (unknown_ca: the chain does not lead to a CA the client trusts — a self-signed certificate, a private CA, or a missing intermediate)"
        }
        A::CertificateExpired => " (certificate_expired: outside its dates, by the client's clock)",
        A::BadCertificate => {
            " (bad_certificate: Go and others send it for an untrusted or misnamed certificate)"
        }
        A::CertificateUnknown => {
            " (certificate_unknown: Java sends it for any certificate path problem)"
        }
        _ => "",
    }
}

/// How the server refused the client's flight, in words, and its frame.
fn server_reaction(ctx: &Ctx<'_>, r: &Reading, rejection: Rejection) -> (String, FrameNumber) {
    let conn = ctx.conn;
    let server = ctx.who_cap(Party::Server);
    match rejection {
        Rejection::Alert(i) => {
            let e = &conn.events[i];
            let padded = if r.server_padding == Some(16) {
                " (19 bytes and the 16 bytes of padding Java's JSSE adds to each record)"
            } else {
                ""
            };
            match e.kind {
                EventKind::Alert(a @ Alert::Clear { .. }) => (
                    format!(
                        "{server} answered with {}{}",
                        fatal_alert_words(a.description(), e.frame),
                        a.description().map_or("", server_alert_stack)
                    ),
                    e.frame,
                ),
                _ => (
                    format!(
                        "{server} answered with one {}-byte record (frame {}), the size of an encrypted alert{padded}, and the connection ended — certificate_required (116) from OpenSSL-based servers (nginx, Node.js), bad_certificate (42) from Go and Java servers",
                        e.length(),
                        e.frame
                    ),
                    e.frame,
                ),
            }
        }
        Rejection::Closed(frame) => (
            format!(
                "{server} then closed the connection (frame {frame}) without an alert and without a record more — how a Node.js server with `requestCert` and `rejectUnauthorized` rejects a client certificate: it checks the certificate in JavaScript after OpenSSL's handshake, and its log names the reason (for example UNABLE_TO_VERIFY_LEAF_SIGNATURE)"
            ),
            frame,
        ),
    }
}

/// "The client … answered with an empty Certificate — a 25-byte record (frame 8), …".
fn empty_words(ctx: &Ctx<'_>, r: &Reading, empty: usize) -> String {
    let e = &ctx.conn.events[empty];
    if e.decrypted {
        return format!(
            "{} answered with an empty Certificate (frame {}, decrypted with the key log)",
            ctx.who_cap(Party::Client),
            e.frame
        );
    }
    let padded = if r.client_padding == Some(16) || e.length() == 41 {
        " and the 16 bytes of padding Java adds to each record"
    } else {
        ""
    };
    let finished = r
        .client_finished
        .filter(|&f| f != empty)
        .map_or_else(String::new, |f| {
            format!(
                ", then its Finished ({} bytes, frame {})",
                ctx.conn.events[f].length(),
                ctx.conn.events[f].frame
            )
        });
    format!(
        "{} answered with an empty Certificate: a {}-byte record (frame {}), the size of a Certificate message holding no certificate (8 bytes) plus its content type and 16-byte tag{padded}, too small to hold one{finished}",
        ctx.who_cap(Party::Client),
        e.length(),
        e.frame
    )
}

/// "the server's flight most likely asked for a client certificate (…)".
fn request_words(ctx: &Ctx<'_>, r: &Reading) -> String {
    let server = ctx.who_cap(Party::Server);
    match labelled(ctx, r, Inferred::CertificateRequest) {
        Some(i) => format!(
            "{server} most likely asked for a client certificate: its encrypted flight has a {}-byte record (frame {}) where a CertificateRequest goes.",
            ctx.conn.events[i].length(),
            ctx.conn.events[i].frame
        ),
        None => format!(
            "{server} most likely asked for a client certificate: the client answered its encrypted flight with a Certificate message, which a client sends only when asked."
        ),
    }
}

/// The frame of the record taken for the CertificateRequest.
fn request_frame(ctx: &Ctx<'_>, r: &Reading) -> Option<FrameNumber> {
    labelled(ctx, r, Inferred::CertificateRequest).map(|i| ctx.conn.events[i].frame)
}

/// The server refused the client's flight: with an alert-sized record, or by closing.
fn server_refused(ctx: &Ctx<'_>, out: &mut Vec<Finding>, r: &Reading, rejection: Rejection) {
    let conn = ctx.conn;
    let (reaction, reaction_frame) = server_reaction(ctx, r, rejection);
    let flight = describe(&conn.events, &r.client_flight);
    match r.client_certificate {
        Some(ClientCertificate::Empty(empty)) => {
            let (why, fix) = missing_words(ctx);
            let late = r
                .client_finished
                .map(|f| conn.events[f].frame)
                .filter(|&f| f > reaction_frame)
                .map_or("", |_| " The client sent its Finished only after the server's answer, as Java does; the server had already refused it.");
            out.push(
                Finding::new(C::ClientCertMissing, Confidence::Likely, "TLS 1.3: the server most likely required a client certificate and the client sent none")
                    .explain(format!(
                        "{} {}. {reaction}.{late} {} so this rests on their sizes and order.\n{why}",
                        request_words(ctx, r),
                        empty_words(ctx, r, empty),
                        if conn.events[empty].decrypted {
                            "The CertificateRequest and the alert stayed encrypted,"
                        } else {
                            "The CertificateRequest, the Certificate and the alert are encrypted in TLS 1.3,"
                        }
                    ))
                    .fix(format!("{fix} A key log (SSLKEYLOGFILE) makes this certain and shows the server's list of accepted CAs."))
                    .frames([request_frame(ctx, r), Some(conn.events[empty].frame), Some(reaction_frame)]),
            );
        }
        Some(ClientCertificate::Sent(sent)) => {
            let e = &conn.events[sent];
            let what = match ctx.client_chain().first() {
                Some(leaf) if e.decrypted => format!(
                    "the certificate {} (frame {}, decrypted with the key log)",
                    leaf.subject, e.frame
                ),
                _ => format!(
                    "a certificate: its second flight was {flight}, the first record ({} bytes, frame {}) large enough to hold a certificate, followed by its CertificateVerify and Finished",
                    e.length(),
                    e.frame
                ),
            };
            let hidden = match rejection {
                Rejection::Alert(_) => "The alert is encrypted in TLS 1.3.",
                Rejection::Closed(_) => "",
            };
            out.push(
                Finding::new(C::ClientCertRejected, Confidence::Likely, "TLS 1.3: the server most likely rejected the client's certificate")
                    .explain(format!(
                        "{} sent {what}. {reaction}. So the server most likely rejected the certificate: an issuer it does not trust, an incomplete chain, expired dates, no clientAuth usage, or its own policy. {hidden}",
                        ctx.who_cap(Party::Client),
                    ).trim_end().to_string())
                    .fix("Check the client certificate against the server's trust store and policy: its issuer (with the intermediates after the leaf), its dates, its extendedKeyUsage clientAuth. The server's log names the reason; a key log (SSLKEYLOGFILE) shows the certificate here and makes each check certain.")
                    .frames([Some(conn.events[sent].frame), Some(reaction_frame)]),
            );
        }
        _ => {}
    }
}

/// The server's only record after its ServerHello is alert-sized: it aborted before its flight.
/// In TLS 1.3 a server decides this late only on what it read in the ClientHello: ALPN most often
/// (no_application_protocol, RFC 7301 §3.2), or an extension it cannot accept.
fn aborted_after_hello(ctx: &Ctx<'_>, out: &mut Vec<Finding>, hello: &Event, alert: usize) {
    let conn = ctx.conn;
    let e = &conn.events[alert];
    let offered = conn.alpn().filter(|list| !list.is_empty());
    let explanation = format!(
        "{} sent its ServerHello (frame {}) and then, instead of its encrypted flight (EncryptedExtensions, Certificate, …), a single {}-byte record (frame {}) — the size of an encrypted alert — and the handshake ended. A TLS 1.3 server aborts at this point over something in the ClientHello it cannot accept once it has chosen its parameters: {}",
        ctx.who_cap(Party::Server),
        hello.frame,
        e.length(),
        e.frame,
        offered.map_or_else(
            || "a missing or malformed extension most often.".to_string(),
            |list| format!(
                "most often the application protocol (ALPN): the client offered only {}, and a server that supports none of them answers no_application_protocol (120).",
                Ctx::list(list, 6)
            )
        )
    );
    let finding = if offered.is_some() {
        Finding::new(C::AlpnMismatch, Confidence::Likely, "TLS 1.3: the server most likely shares no application protocol (ALPN) with the client")
            .fix("Align the ALPN lists: offer a protocol the server supports (h2 or http/1.1), or enable the client's protocol on the server (Go: `tls.Config.NextProtos`; Node.js: `ALPNProtocols`; nginx: `http2`). A key log (SSLKEYLOGFILE) shows the alert.")
    } else {
        Finding::new(C::EncryptedAlert, Confidence::Likely, "TLS 1.3: the server aborted right after its ServerHello")
            .severity(Severity::Error)
            .fix("Read the server's log at this time; a key log (SSLKEYLOGFILE) shows which alert it sent.")
    };
    out.push(finding.explain(explanation).frames([hello.frame, e.frame]));
}

/// The handshake held with an empty client Certificate: optional client authentication, unless
/// the server's answer is the size of nginx's 400 page and it then closed.
fn served_without_certificate(ctx: &Ctx<'_>, out: &mut Vec<Finding>, r: &Reading, empty: usize) {
    let conn = ctx.conn;
    let (why, fix) = missing_words(ctx);
    let answered = empty_words(ctx, r, empty);
    let frame = conn.events[empty].frame;
    if let Some((answer, close)) = error_page(ctx) {
        out.push(
            Finding::new(C::ClientCertMissing, Confidence::Likely, "TLS 1.3: the server most likely refused the request because the client sent no certificate")
                .explain(format!(
                    "{} {answered}. The handshake completed, but the server answered the client's request with a single {}-byte record (frame {}) and closed the connection (frame {close}). That is what nginx with `ssl_verify_client on` does: it completes the handshake and answers HTTP 400 \"No required SSL certificate was sent\" (some 390 bytes with its headers, which this record's size fits) inside TLS.\n{why}",
                    request_words(ctx, r),
                    answer.length(),
                    answer.frame
                ))
                .fix(format!("{fix} A key log (SSLKEYLOGFILE) shows the server's answer and makes this certain."))
                .frames([Some(frame), Some(answer.frame), Some(close)]),
        );
        return;
    }
    let served = conn
        .events
        .iter()
        .find(|e| {
            e.from == Party::Server
                && e.inferred == Some(Inferred::ApplicationData)
                && r.client_finished.is_some_and(|f| e.seq > f)
        })
        .map_or_else(
            || "it finished the handshake".to_string(),
            |e| {
                format!(
                    "it answered with application data ({} bytes, frame {})",
                    e.length(),
                    e.frame
                )
            },
        );
    out.push(
        Finding::new(C::ClientAuthOptionalNoCert, Confidence::Likely, "TLS 1.3: the server most likely asked for a client certificate, got none, and went on")
            .explain(format!(
                "{} {answered}. The server went on: {served}, which is neither an alert nor nginx's 400 page by its size. So client authentication is optional on this server, or the application decides later.\n{why}",
                request_words(ctx, r)
            ))
            .fix(format!("If the request then failed (an HTTP 400 or 403), this is the cause. {fix}"))
            .frames([frame]),
    );
}

/// The same answer after a sent certificate: nginx's 400 page for a certificate it rejects.
fn served_with_rejected_certificate(ctx: &Ctx<'_>, out: &mut Vec<Finding>, sent: usize) {
    let Some((answer, close)) = error_page(ctx) else {
        return;
    };
    let conn = ctx.conn;
    out.push(
        Finding::new(C::ClientCertRejected, Confidence::Likely, "TLS 1.3: the server most likely refused the request because of the client's certificate")
            .explain(format!(
                "{} sent a certificate (its {}-byte Certificate record, frame {}). The handshake completed, but the server answered the client's request with a single {}-byte record (frame {}) and closed the connection (frame {close}): the size of nginx's HTTP 400 page \"The SSL certificate error\", which nginx with `ssl_verify_client on` sends when the certificate does not verify.",
                ctx.who_cap(Party::Client),
                conn.events[sent].length(),
                conn.events[sent].frame,
                answer.length(),
                answer.frame
            ))
            .fix("Check the client certificate against the server's trusted client CAs (nginx: `ssl_client_certificate`, and `ssl_verify_depth` for chains) and its dates; the server's error log names the reason. A key log (SSLKEYLOGFILE) shows the answer.")
            .frames([conn.events[sent].frame, answer.frame, close]),
    );
}

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !ctx.is_tls13() {
        return;
    }
    let conn = ctx.conn;
    if ctx
        .message(Party::Server, HandshakeType::Finished)
        .is_some()
    {
        // A key log opened the server's handshake: the other rules read its messages; nothing
        // is inferred from sizes.
        decrypted_post_handshake_auth(ctx, out);
        return;
    }
    let (Some(r), Some(hello)) = (
        conn.tls13.as_ref(),
        ctx.message(Party::Server, HandshakeType::ServerHello),
    ) else {
        return;
    };
    let established = conn.outcome == Outcome::Established;
    if let Some(rejection) = r.client_rejected {
        client_refused(ctx, out, r, rejection);
    } else if let (Some(Rejection::Alert(alert)), true) =
        (r.server_rejected, r.server_flight.len() == 1)
    {
        aborted_after_hello(ctx, out, hello, alert);
    } else if let Some(rejection) = r.server_rejected {
        server_refused(ctx, out, r, rejection);
    } else if let (Some(ClientCertificate::Empty(empty)), true) =
        (r.client_certificate, established)
    {
        served_without_certificate(ctx, out, r, empty);
    } else if let (Some(ClientCertificate::Sent(sent)), true) = (r.client_certificate, established)
    {
        served_with_rejected_certificate(ctx, out, sent);
    } else if let (Some(ClientCertificate::Empty(empty)), Outcome::Incomplete) =
        (r.client_certificate, conn.outcome)
    {
        let (why, fix) = missing_words(ctx);
        out.push(
            Finding::new(C::ClientCertMissing, Confidence::Likely, "TLS 1.3: the client most likely sent no certificate although the server asked for one")
                .severity(Severity::Warning)
                .explain(format!(
                    "{} {}; the capture ends before the server's answer.\n{why}",
                    request_words(ctx, r),
                    empty_words(ctx, r, empty)
                ))
                .fix(fix)
                .frames([request_frame(ctx, r), Some(conn.events[empty].frame)]),
        );
    }
    post_handshake_auth(ctx, out, r);
    // With part of the handshake decrypted, the key log findings say what stayed hidden.
    if !conn.events.iter().any(|e| e.decrypted) {
        summary(ctx, out, r, hello);
    }
}

/// tls13-handshake-encrypted: what TLS 1.3 hides, and what the sizes told.
fn summary(ctx: &Ctx<'_>, out: &mut Vec<Finding>, r: &Reading, hello: &Event) {
    let conn = ctx.conn;
    let mut hidden = "the server's certificate, whether it asked for a client certificate (CertificateRequest) and which CAs it accepts, the client's certificate, and the alerts".to_string();
    if conn.client_hello().is_some_and(|ch| ch.post_handshake_auth) {
        hidden.push_str("; the client also offered post-handshake authentication, so the server could ask for a certificate later");
    }
    let request = match (r.certificate_requested, labelled(ctx, r, Inferred::CertificateRequest)) {
        (Some(true), Some(i)) => format!(
            " By the sizes of its records, the server's flight most likely held a CertificateRequest ({} bytes, frame {}).",
            conn.events[i].length(),
            conn.events[i].frame
        ),
        (Some(false), _) if r.server_certificate.is_empty() => " By the sizes of its records, the server resumed a session (EncryptedExtensions and Finished only): no certificates.".to_string(),
        (Some(false), _) => " By the sizes of its records, the server's flight held no CertificateRequest: it did not ask for a client certificate in the handshake.".to_string(),
        _ => String::new(),
    };
    let flight = if r.client_flight.is_empty() {
        " The client sent no encrypted record after the server's flight.".to_string()
    } else {
        format!(
            " The client's second flight: {}.",
            describe(&conn.events, &r.client_flight)
        )
    };
    out.push(
        Finding::new(C::Tls13HandshakeEncrypted, Confidence::Certain, "TLS 1.3: the certificates and client authentication are encrypted in this capture")
            .explain(format!(
                "After the ServerHello (frame {}) everything is encrypted: {hidden}.{request}{flight} The ladder marks what each record most likely is, from its size and place.",
                hello.frame
            ))
            .fix("Capture a key log with the traffic (SSLKEYLOGFILE for curl, browsers and Python; `openssl s_client -keylogfile`; Go `tls.Config.KeyLogWriter`; Node.js the socket's 'keylog' event) to see every message; or capture a TLS 1.2 connection to the same server.")
            .frames([hello.frame]),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::{Confidence, FindingCode as C, Severity};
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Connection, EventKind, Party};
    use crate::tls::enums::{AlertDescription as A, AlertLevel::Fatal, ProtocolVersion};

    /// RFC 8446 §2 without keys: the server's flight (frame 6), the client's second flight
    /// (frame 8), the server's records (frame 9) and its FIN (frame 10).
    fn tls13(server_flight: &[u16], client_flight: &[u16], server_after: &[u16]) -> Connection {
        Scenario::tls13(server_flight)
            .at(8)
            .client(ccs())
            .records(Party::Client, client_flight)
            .at(9)
            .records(Party::Server, server_after)
            .fin(Party::Server, 10)
            .build()
    }

    #[test]
    fn what_tls13_hides_is_said_and_tls12_needs_no_such_words() {
        let conn = tls13(&NOT_REQUESTING, &[53, 35], &[250, 250, 300]);
        assert_eq!(codes(&conn), [C::HandshakeOk, C::Tls13HandshakeEncrypted]);
        let f = expect(&conn, C::Tls13HandshakeEncrypted);
        assert!(
            f.explanation.contains("held no CertificateRequest"),
            "{}",
            f.explanation
        );
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
        let conn = tls13(&REQUESTING, &[25, 53], &[19]);
        let f = expect(&conn, C::ClientCertMissing);
        assert_eq!(
            (f.confidence, f.severity),
            (Confidence::Likely, Severity::Error)
        );
        assert!(
            f.explanation
                .contains("a 123-byte record (frame 6) where a CertificateRequest goes"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation.contains("a 25-byte record (frame 8)"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation.contains("one 19-byte record (frame 9)"),
            "{}",
            f.explanation
        );
        // Near miss: the server went on after the same flight and served the request.
        let served = tls13(&REQUESTING, &[25, 53, 96], &[282, 282, 167, 19]);
        assert!(!codes(&served).contains(&C::ClientCertMissing));
        let f = expect(&served, C::ClientAuthOptionalNoCert);
        assert!(
            f.explanation.contains("167 bytes, frame 9"),
            "{}",
            f.explanation
        );
        assert!(codes(&served).contains(&C::HandshakeOk));
    }

    #[test]
    fn nginx_400_page_after_an_empty_certificate_is_a_likely_missing_certificate() {
        // nginx `ssl_verify_client on`: tickets, a 406-byte answer (389 bytes of HTTP 400),
        // close_notify and FIN before the client closes.
        let conn = tls13(&REQUESTING, &[25, 53, 96], &[282, 282, 406, 19]);
        let f = expect(&conn, C::ClientCertMissing);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(
            f.explanation.contains("single 406-byte record"),
            "{}",
            f.explanation
        );
        assert!(!codes(&conn).contains(&C::HandshakeOk));
        // Near miss: the same answer, but the client closed first (the server did not end it).
        let client_closed = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[25, 53, 96])
            .at(9)
            .records(Party::Server, &[282, 282, 406])
            .fin(Party::Client, 10)
            .fin(Party::Server, 11)
            .build();
        assert!(!codes(&client_closed).contains(&C::ClientCertMissing));
        assert!(codes(&client_closed).contains(&C::ClientAuthOptionalNoCert));
    }

    #[test]
    fn a_certificate_answered_by_an_alert_sized_record_is_a_likely_rejection() {
        let conn = tls13(&REQUESTING, &[1500, 280, 53], &[19]);
        assert_eq!(
            expect(&conn, C::ClientCertRejected).confidence,
            Confidence::Likely
        );
        let served = tls13(&REQUESTING, &[1500, 280, 53], &[300, 400]);
        assert!(!codes(&served).contains(&C::ClientCertRejected));
        assert!(codes(&served).contains(&C::HandshakeOk));
    }

    #[test]
    fn a_server_closing_after_the_certificate_without_an_alert_rejected_it() {
        let conn = Scenario::tls13(&REQUESTING)
            .at(8)
            .records(Party::Client, &[982, 97, 53, 35])
            .rst(Party::Server, 11)
            .build();
        let f = expect(&conn, C::ClientCertRejected);
        assert!(
            f.explanation.contains("Node.js server"),
            "{}",
            f.explanation
        );
        assert!(!codes(&conn).contains(&C::ConnectionReset));
    }

    #[test]
    fn a_client_answering_with_an_alert_sized_record_likely_rejected_the_server() {
        let conn = tls13(&NOT_REQUESTING, &[19], &[]);
        let f = expect(&conn, C::ServerCertUntrusted);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(
            f.explanation.contains("large enough for a chain"),
            "{}",
            f.explanation
        );
        let finished = tls13(&NOT_REQUESTING, &[53], &[300]);
        assert!(!codes(&finished).contains(&C::ServerCertUntrusted));
    }

    #[test]
    fn a_clear_certificate_alert_after_the_encrypted_flight_is_about_the_server_certificate() {
        let refused = |description| {
            Scenario::tls13(&[23, 839, 281, 53])
                .at(8)
                .client(alert(Fatal, description))
                .fin(Party::Client, 9)
                .build()
        };
        let f = expect(&refused(A::UnknownCa), C::ServerCertUntrusted);
        assert!(
            f.explanation.contains("room for one certificate only"),
            "{}",
            f.explanation
        );
        assert!(!codes(&refused(A::UnknownCa)).contains(&C::FatalAlert));
        assert!(codes(&refused(A::CertificateExpired)).contains(&C::ServerCertExpired));
        // Near miss: an alert that is not about a certificate is left to fatal-alert.
        let other = refused(A::DecodeError);
        assert!(!codes(&other).contains(&C::ServerCertUntrusted));
        assert!(codes(&other).contains(&C::FatalAlert));
    }

    #[test]
    fn a_client_closing_after_the_server_flight_likely_rejected_its_certificate() {
        let conn = Scenario::tls13(&[23, 839, 281, 69])
            .fin(Party::Client, 8)
            .build();
        let f = expect(&conn, C::ServerCertUntrusted);
        assert!(
            f.explanation
                .contains("without its Finished and without an alert"),
            "{}",
            f.explanation
        );
        assert!(!codes(&conn).contains(&C::ConnectionClosed));
    }

    #[test]
    fn an_alert_sized_record_instead_of_the_server_flight_is_an_early_abort() {
        let with_alpn = || {
            let EventKind::Message(mut m) = hello13() else {
                unreachable!()
            };
            if let crate::tls::handshake::Details::ClientHello(ch) = &mut m.details {
                ch.alpn = std::sync::Arc::from(["acme-rpc/1".to_string()]);
            }
            EventKind::Message(m)
        };
        let aborted = |hello: EventKind| {
            Scenario::tls12()
                .at(4)
                .client(hello)
                .at(6)
                .server(server_hello(ProtocolVersion::TLS13))
                .server(ccs())
                .records(Party::Server, &[19])
                .fin(Party::Server, 7)
                .build()
        };
        let alpn = aborted(with_alpn());
        assert_eq!(alpn.outcome, crate::model::Outcome::Failed);
        let f = expect(&alpn, C::AlpnMismatch);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(f.explanation.contains("acme-rpc/1"), "{}", f.explanation);
        assert!(!codes(&alpn).contains(&C::ServerCertUntrusted));
        let other = aborted(hello13());
        let f = expect(&other, C::EncryptedAlert);
        assert_eq!(f.severity, Severity::Error);
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
        let pha = |hello: EventKind| {
            Scenario::tls12()
                .at(4)
                .client(hello)
                .at(6)
                .server(server_hello(ProtocolVersion::TLS13))
                .records(Party::Server, &NOT_REQUESTING)
                .at(8)
                .records(Party::Client, &[53])
                .at(9)
                .records(Party::Server, &[250, 250])
                .at(13)
                .server(encrypted(155))
                .at(14)
                .records(Party::Client, &[1781, 281, 53])
                .build()
        };
        let f = expect(&pha(offering()), C::PostHandshakeAuth);
        assert!(
            f.explanation.contains("it sent a certificate"),
            "{}",
            f.explanation
        );
        // Near miss: the same records, but the client never offered it.
        assert!(!codes(&pha(hello13())).contains(&C::PostHandshakeAuth));
    }
}
