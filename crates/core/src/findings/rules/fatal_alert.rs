//! Any fatal alert no other rule explained (decode_error, illegal_parameter, internal_error, …),
//! named with the message it answered.
//!
//! Code: fatal-alert.
//!
//! ## References
//! RFC 8446 §6.2; RFC 5246 §7.2.2.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::{FrameNumber, Party};
use crate::tls::enums::AlertDescription as A;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let explained = |frame: FrameNumber| out.iter().any(|f| f.frames.contains(&frame));
    let closed_before = |from: Party, frame: FrameNumber| {
        conn.traffic(from.other())
            .closed_at()
            .is_some_and(|f| f < frame)
    };
    let mut found = Vec::new();
    for (alert, a) in conn.alerts() {
        let Some(description) = a.description().filter(|_| a.is_fatal()) else {
            continue;
        };
        if explained(alert.frame) || closed_before(alert.from, alert.frame) {
            continue;
        }
        let answered = ctx.answered(alert);
        let answered_words = answered.map_or_else(
            || "before the other side sent any handshake message".to_string(),
            |m| {
                format!(
                    "answering the {} (frame {})",
                    crate::words::record_type(m).replace('_', " "),
                    m.frame
                )
            },
        );
        let meaning = match description {
            A::UnexpectedMessage => {
                "a message arrived that the sender did not expect at this point (RFC 8446 §6.2); a post-handshake CertificateRequest without post-handshake authentication gives this"
            }
            A::IllegalParameter => {
                "a field had a value the sender considers illegal: an interoperability bug or a middlebox altering the handshake"
            }
            A::DecodeError => {
                "a message could not be decoded: an interoperability bug, a middlebox truncating messages, or (GnuTLS servers) a missing client certificate"
            }
            A::InternalError => {
                "a local failure on the sender (a certificate callback, an HSM, memory)"
            }
            A::UserCanceled => {
                "the user or the application cancelled the handshake (for example a certificate picker closed)"
            }
            A::MissingExtension => "a mandatory TLS 1.3 extension is missing",
            A::UnsupportedExtension => "an extension arrived that was not offered",
            _ => "",
        };
        found.push(
            Finding::new(
                C::FatalAlert,
                Confidence::Certain,
                format!(
                    "{} sent the fatal alert {description} ({})",
                    if alert.from == Party::Client {
                        "The client"
                    } else {
                        "The server"
                    },
                    description.value()
                ),
            )
            .explain(format!(
                "{} sent a fatal {description} alert ({}, frame {}), {answered_words}{}.",
                ctx.who_cap(alert.from),
                description.value(),
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
            .frames([answered.map(|m| m.frame), Some(alert.frame)]),
        );
    }
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::Party;
    use crate::model::testkit::*;
    use crate::tls::enums::{AlertDescription as A, AlertLevel, ProtocolVersion};

    #[test]
    fn an_unexplained_fatal_alert_is_named_with_what_it_answered() {
        let conn = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .at(7)
            .client(alert(AlertLevel::Fatal, A::DecodeError))
            .fin(Party::Client, 8)
            .build();
        let f = expect(&conn, C::FatalAlert);
        assert!(
            f.explanation
                .contains("answering the server hello (frame 6)"),
            "{}",
            f.explanation
        );
        // Near miss: a warning alert is not a failure.
        let warning = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .at(7)
            .client(alert(AlertLevel::Warning, A::UserCanceled))
            .build();
        assert!(!codes(&warning).contains(&C::FatalAlert));
    }
}
