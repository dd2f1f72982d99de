//! A healthy handshake says so.
//!
//! Code: handshake-ok.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::model::{Outcome, Party};
use crate::tls::enums::HandshakeType;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    if conn.outcome != Outcome::Established || out.iter().any(|f| f.severity != Severity::Info) {
        return;
    }
    let mutual = ctx.client_chain().first().map_or_else(String::new, |leaf| {
        format!(
            " The client authenticated with the certificate {}.",
            leaf.subject
        )
    });
    let how = match (conn.version(), conn.cipher_suite()) {
        (Some(v), Some(s)) => format!("{v} with {s}"),
        _ => "TLS".to_string(),
    };
    let last = conn
        .records()
        .find(|m| m.is_encrypted_handshake() || m.is_encrypted_record())
        .map(|m| m.frame);
    out.push(
        Finding::new(
            C::HandshakeOk,
            Confidence::Certain,
            "The handshake completed",
        )
        .explain(format!(
            "{} and {} completed a {how} handshake{}.{mutual}",
            ctx.who(Party::Client),
            ctx.who(Party::Server),
            if conn.resumed {
                ", resuming an earlier session"
            } else {
                ""
            }
        ))
        .frames([
            ctx.message(Party::Client, HandshakeType::ClientHello)
                .map(|m| m.frame),
            last,
        ]),
    );
}
