//! A renegotiation after the handshake (TLS ≤ 1.2): an encrypted handshake message once
//! application data flowed. Servers such as IIS ask for the client certificate this way.
//!
//! Code: renegotiation.

use super::super::{Confidence, Ctx, Finding};
use crate::report::Party;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if ctx.is_tls13() {
        return;
    }
    let messages = &ctx.conn.messages;
    if messages.iter().any(|m| m.decrypted) {
        decrypted(ctx, out);
        return;
    }
    // Each side's first encrypted handshake message is its Finished. A second one, after
    // application data, starts a new handshake. (With False Start the client sends data before
    // the server's Finished, so data alone does not end the first handshake.)
    let Some(first_data) = messages.iter().find(|m| m.typ == "encrypted_record") else {
        return;
    };
    let finished = |p: Party| {
        messages
            .iter()
            .find(|m| m.from == p && m.typ == "encrypted_handshake")
            .map(|m| m.seq)
    };
    let Some(later) = messages.iter().find(|m| {
        m.typ == "encrypted_handshake"
            && m.seq > first_data.seq
            && finished(m.from).is_some_and(|f| f < m.seq)
    }) else {
        return;
    };
    let by_server = later.from == Party::Server;
    let answers: Vec<u64> = messages
        .iter()
        .filter(|m| m.typ == "encrypted_handshake" && m.seq > later.seq)
        .map(|m| m.frame)
        .take(6)
        .collect();
    let mut answers = answers;
    answers.dedup();
    // In the new handshake, a client record large enough for a certificate after the server's
    // flight says the client sent one.
    let certificate = messages
        .iter()
        .filter(|m| m.typ == "encrypted_handshake" && m.seq > later.seq && m.from == Party::Client)
        .skip(1)
        .find(|m| m.length >= 300)
        .map_or_else(String::new, |m| {
            format!(" In the new handshake the client answered with a {}-byte record (frame {}), large enough to hold a certificate: it most likely sent one.", m.length, m.frame)
        });
    out.push(
        Finding::new("renegotiation", Confidence::Likely, if by_server { "The server renegotiated after the handshake to ask for a client certificate" } else { "The client renegotiated after the handshake" })
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
}

/// A renegotiation seen with a key log: a second ClientHello after application data, and what
/// the new handshake asked and got.
fn decrypted(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let messages = &ctx.conn.messages;
    let Some(first_data) = messages.iter().find(|m| m.typ == "application_data") else {
        return;
    };
    let Some(hello) = messages
        .iter()
        .find(|m| m.typ == "client_hello" && m.seq > first_data.seq)
    else {
        return;
    };
    let request = messages
        .iter()
        .rfind(|m| m.typ == "hello_request" && m.seq < hello.seq && m.seq > first_data.seq);
    let asked = messages
        .iter()
        .find(|m| m.typ == "certificate_request" && m.seq > hello.seq);
    let certificate = messages
        .iter()
        .find(|m| m.from == Party::Client && m.typ == "certificate" && m.seq > hello.seq);
    let started = request.map_or_else(
        || format!("the client started a new handshake (ClientHello, frame {})", hello.frame),
        |r| {
            format!(
                "the server asked for a new handshake (HelloRequest, frame {}) and the client started one (ClientHello, frame {})",
                r.frame, hello.frame
            )
        },
    );
    let client_auth = match (asked, certificate) {
        (Some(cr), Some(c)) if c.certificates_length == Some(0) => format!(
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
        Finding::new("renegotiation", Confidence::Certain, if by_server { "The server renegotiated after the handshake to ask for a client certificate" } else { "The client renegotiated after the handshake" })
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
                [first_data.frame, request.map_or(0, |r| r.frame), hello.frame, asked.map_or(0, |m| m.frame), certificate.map_or(0, |c| c.frame)],
            ),
    );
}
