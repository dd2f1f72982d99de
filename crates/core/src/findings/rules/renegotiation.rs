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
