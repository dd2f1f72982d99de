//! Encrypted alerts (TLS ≤ 1.2 after ChangeCipherSpec): say what they most likely are when they
//! matter, that is when they do not close a finished exchange.
//!
//! Code: encrypted-alert.

use super::super::{Confidence, Ctx, Finding};
use crate::report::Party;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for alert in ctx.conn.alerts.iter().filter(|a| a.encrypted) {
        // After application data, an encrypted alert is usually the close_notify that ends the
        // exchange: nothing to say.
        let data_before = |p: Party| {
            ctx.conn
                .messages
                .iter()
                .any(|m| m.from == p && m.typ == "encrypted_record" && m.seq < alert.seq)
        };
        if data_before(Party::Client) || data_before(Party::Server) {
            continue;
        }
        // Only the first: the other side's answer is its own close.
        if ctx
            .conn
            .alerts
            .iter()
            .any(|a| a.encrypted && a.seq < alert.seq)
        {
            continue;
        }
        out.push(
            Finding::new("encrypted-alert", Confidence::Likely, format!("An encrypted alert from the {} right after the handshake", if alert.from == Party::Client { "client" } else { "server" }))
                .explain(format!(
                    "{} sent an encrypted alert ({} bytes, frame {}) right after the handshake, before any application data. Its content is encrypted; at this point it is most likely a fatal alert or a deliberate close (close_notify) by a side that decided not to go on.",
                    crate::words::capitalize(&ctx.who(alert.from)),
                    alert.length,
                    alert.frame
                ))
                .fix("A key log (SSLKEYLOGFILE) shows which alert it is; the findings above say what likely caused it.")
                .frames([alert.frame]),
        );
    }
}
