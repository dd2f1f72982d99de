//! Encrypted alerts (TLS ≤ 1.2 after ChangeCipherSpec): say what they most likely are when they
//! matter, that is when they do not close a finished exchange.
//!
//! Code: encrypted-alert.
//!
//! ## References
//! RFC 5246 §7.2 (alerts are protected once ChangeCipherSpec is sent); RFC 8446 §5.2, §6.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::Party;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    // TLS 1.3 alerts inferred from their sizes are the TLS 1.3 rules' to explain.
    for (alert, a) in conn
        .alerts()
        .filter(|(_, a)| a.is_encrypted() && a.inferred().is_none())
    {
        // An answer to the other side's close (OpenSSL answers an unexpected EOF with an
        // alert) says nothing of its own.
        if conn
            .traffic(alert.from.other())
            .closed_at()
            .is_some_and(|closed| closed < alert.frame)
        {
            continue;
        }
        // After application data, an encrypted alert is usually the close_notify that ends the
        // exchange: nothing to say.
        let data_before = |p: Party| {
            conn.records()
                .any(|m| m.from == p && m.is_encrypted_record() && m.seq < alert.seq)
        };
        if data_before(Party::Client) || data_before(Party::Server) {
            continue;
        }
        // Only the first: the other side's answer is its own close.
        if conn
            .alerts()
            .any(|(e, other)| other.is_encrypted() && e.seq < alert.seq)
        {
            continue;
        }
        out.push(
            Finding::new(C::EncryptedAlert, Confidence::Likely, format!("An encrypted alert from the {} right after the handshake", if alert.from == Party::Client { "client" } else { "server" }))
                .explain(format!(
                    "{} sent an encrypted alert ({} bytes, frame {}) right after the handshake, before any application data. Its content is encrypted; at this point it is most likely a fatal alert or a deliberate close (close_notify) by a side that decided not to go on.",
                    ctx.who_cap(alert.from),
                    a.length(),
                    alert.frame
                ))
                .fix("A key log (SSLKEYLOGFILE) shows which alert it is; the findings above say what likely caused it.")
                .frames([alert.frame]),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Connection, Party};
    use crate::tls::enums::ProtocolVersion;

    fn handshake_then(data: bool) -> Connection {
        let mut s = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .client_finished(8)
            .server_finished(9);
        if data {
            s = s.at(10).client(encrypted(100));
        }
        s.at(11)
            .client(encrypted_alert(26))
            .fin(Party::Client, 12)
            .build()
    }

    #[test]
    fn an_encrypted_alert_before_any_data_is_pointed_out() {
        let f = expect(&handshake_then(false), C::EncryptedAlert);
        assert!(
            f.explanation.contains("26 bytes, frame 11"),
            "{}",
            f.explanation
        );
        // Near miss: after data it is the close_notify that ends the exchange.
        assert!(!codes(&handshake_then(true)).contains(&C::EncryptedAlert));
    }
}
