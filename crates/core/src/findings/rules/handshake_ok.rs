//! A healthy handshake says so.
//!
//! Code: handshake-ok.

use super::super::{Confidence, Ctx, Finding, Severity};
use crate::report::{Outcome, Party};

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    if conn.outcome != Outcome::Established || out.iter().any(|f| f.severity != Severity::Info) {
        return;
    }
    let mutual = if ctx.client_chain().is_empty() {
        String::new()
    } else {
        format!(
            " The client authenticated with the certificate {}.",
            ctx.client_chain()[0].subject
        )
    };
    let how = match (&conn.tls_version, &conn.cipher_suite) {
        (Some(v), Some(s)) => format!("{v} with {s}"),
        _ => "TLS".to_string(),
    };
    let last = conn
        .messages
        .iter()
        .filter(|m| m.typ == "encrypted_handshake" || m.typ == "encrypted_record")
        .map(|m| m.frame)
        .next();
    out.push(
        Finding::new(
            "handshake-ok",
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
            ctx.message(Party::Client, "client_hello")
                .map_or(0, |m| m.frame),
            last.unwrap_or(0),
        ]),
    );
}
