//! Any fatal alert no other rule explained (decode_error, illegal_parameter, internal_error, …),
//! named with the message it answered.
//!
//! Code: fatal-alert.

use super::super::{Confidence, Ctx, Finding};
use crate::report::Party;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let explained = |frame: u64| out.iter().any(|f| f.frames.contains(&frame));
    let closed_before = |from: Party, frame: u64| {
        let t = match from {
            Party::Client => &ctx.conn.server_to_client,
            Party::Server => &ctx.conn.client_to_server,
        };
        t.fin_frame.or(t.rst_frame).is_some_and(|f| f < frame)
    };
    let mut found = Vec::new();
    for alert in &ctx.conn.alerts {
        if alert.level.as_deref() != Some("fatal")
            || explained(alert.frame)
            || closed_before(alert.from, alert.frame)
        {
            continue;
        }
        let code = alert.code.unwrap_or(0);
        let name = alert.description.as_deref().unwrap_or("(unknown)");
        let answered = ctx.answered(alert).map_or_else(
            || "before the other side sent any handshake message".to_string(),
            |m| {
                format!(
                    "answering the {} (frame {})",
                    m.typ.replace('_', " "),
                    m.frame
                )
            },
        );
        let meaning = match code {
            10 => {
                "a message arrived that the sender did not expect at this point (RFC 8446 §6.2); a post-handshake CertificateRequest without post-handshake authentication gives this"
            }
            47 => {
                "a field had a value the sender considers illegal: an interoperability bug or a middlebox altering the handshake"
            }
            50 => {
                "a message could not be decoded: an interoperability bug, a middlebox truncating messages, or (GnuTLS servers) a missing client certificate"
            }
            80 => "a local failure on the sender (a certificate callback, an HSM, memory)",
            90 => {
                "the user or the application cancelled the handshake (for example a certificate picker closed)"
            }
            109 => "a mandatory TLS 1.3 extension is missing",
            110 => "an extension arrived that was not offered",
            _ => "",
        };
        found.push(
            Finding::new(
                "fatal-alert",
                Confidence::Certain,
                format!(
                    "{} sent the fatal alert {name} ({code})",
                    if alert.from == Party::Client {
                        "The client"
                    } else {
                        "The server"
                    }
                ),
            )
            .explain(format!(
                "{} sent a fatal {name} alert ({code}, frame {}), {answered}{}.",
                crate::words::capitalize(&ctx.who(alert.from)),
                alert.frame,
                if meaning.is_empty() {
                    String::new()
                } else {
                    format!(": {meaning}")
                }
            ))
            .fix(format!(
                "Read the log of {} at that time for the reason behind the alert.",
                ctx.who(alert.from)
            ))
            .frames([ctx.answered(alert).map_or(0, |m| m.frame), alert.frame]),
        );
    }
    out.extend(found);
}
