//! What happens below TLS: a side that does not speak TLS, a server that never answers,
//! connections closed or reset during the handshake.
//!
//! Codes: not-tls, no-server-response, connection-reset, connection-closed.
//!
//! ## References
//! RFC 9293 §3.5 (TCP opening, reset and closing); RFC 8446 §5.1, §6.1.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::flow::Opening;
use crate::model::{Event, FrameNumber, Outcome, Party, Traffic};
use crate::tls::enums::{AlertDescription, HandshakeType};
use crate::words::printable;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let (c, s) = (&conn.client_to_server, &conn.server_to_client);
    let client = ctx.who(Party::Client);
    let server = ctx.who(Party::Server);
    let opening = |t: &Traffic| {
        t.opening
            .as_ref()
            .map(|o| (o.kind, o.frame, printable(&o.head)))
    };
    if conn.outcome == Outcome::NotTls {
        match (opening(c), opening(s)) {
            (Some((Opening::Text, frame, head)), None) if s.fin || s.rst => out.push(
                Finding::new(C::NotTls, Confidence::Likely, "Plain text was sent to what looks like a TLS port")
                    .explain(format!(
                        "{client} sent \"{head}\" (frame {frame}), not a TLS ClientHello, and {server} closed the connection without answering (frame {}). An HTTP or other plain-text server would have answered; a TLS server closes like this.",
                        s.closed_at().map_or(0, FrameNumber::get)
                    ))
                    .fix("Use https:// (or the protocol's TLS mode) for this port, or the server's plain-text port for plain text.")
                    .frames([Some(frame), s.closed_at()]),
            ),
            (Some((Opening::Text, frame, head)), Some((kind, sframe, _))) if kind.is_tls() => out.push(
                Finding::new(C::NotTls, Confidence::Certain, "Plain text was sent to a TLS server")
                    .explain(format!("{client} sent \"{head}\" (frame {frame}), and {server} answered with TLS (frame {sframe}): the port expects TLS."))
                    .fix("Use https:// (or the protocol's TLS mode) for this port.")
                    .frames([frame, sframe]),
            ),
            _ => {}
        }
        return;
    }
    if let (Some((kind, frame, _)), Some((Opening::Text | Opening::Binary, sframe, head))) =
        (opening(c), opening(s))
        && kind.is_tls()
        && !conn.records().any(|m| m.from == Party::Server)
    {
        out.push(
                Finding::new(C::NotTls, Confidence::Certain, "The server does not speak TLS on this port")
                    .explain(format!("{client} sent a TLS ClientHello (frame {frame}); {server} answered \"{head}\" (frame {sframe}), which is not TLS."))
                    .fix("Connect to the server's TLS port, or enable TLS on this one (a plain-text port needs http:// or the protocol's STARTTLS).")
                    .frames([frame, sframe]),
            );
        return;
    }
    // A failure another rule explained needs no "closed" finding on top.
    if conn.outcome == Outcome::Established || out.iter().any(|f| f.severity == Severity::Error) {
        return;
    }
    let Some(hello) = ctx.message(Party::Client, HandshakeType::ClientHello) else {
        return;
    };
    let server_spoke = conn.records().any(|m| m.from == Party::Server);
    let last = |p: Party| conn.records().filter(|m| m.from == p).last();
    // Who ended it first, and how.
    let ends = [
        (Party::Server, s.rst_frame, true),
        (Party::Server, s.fin_frame, false),
        (Party::Client, c.rst_frame, true),
        (Party::Client, c.fin_frame, false),
    ];
    let first_end = ends
        .iter()
        .filter_map(|(p, f, rst)| f.map(|f| (f, *p, *rst)))
        .min_by_key(|(frame, _, _)| *frame);
    // An alert sent before the close explains it (other rules report it).
    if let Some((end, _, _)) = first_end {
        if conn.alerts().any(|(a, _)| a.frame <= end) {
            return;
        }
    } else if conn.alerts().next().is_some() {
        return;
    }
    // A server that never sent a byte did not answer, whoever closed in the end.
    // With no frame of the server at all the capture is one-sided (capture-one-sided says so):
    // the server may well have answered.
    let silent_server = !server_spoke
        && s.payload_bytes == 0
        && s.frames > 0
        && first_end.is_none_or(|(_, who, _)| who == Party::Client);
    match first_end {
        _ if silent_server => out.push(
            Finding::new(C::NoServerResponse, Confidence::Certain, "The server never answered the ClientHello")
                .explain(format!(
                    "{client} sent a ClientHello (frame {}); the capture holds no reply from {server}{}.{}",
                    hello.frame,
                    " beyond TCP acknowledgments",
                    first_end.map_or_else(String::new, |(frame, who, rst)| format!(
                        " {} gave up and {} the connection at frame {frame}{}.",
                        ctx.who_cap(who),
                        if rst { "reset" } else { "closed" },
                        elapsed(ctx, hello)
                    ))
                ))
                .fix(format!("Check that the server process is up and answers TLS on this port and that no firewall or proxy drops the traffic. If the reply may exist, capture both directions: {}", ctx.tcpdump()))
                .frames([hello.frame]),
        ),
        Some((frame, who, rst)) => {
            let after = last(who.other()).map_or_else(
                || "before anything was exchanged".to_string(),
                |m| format!("after the {} (frame {})", message_name(m), m.frame),
            );
            let reaction = conn
                .alerts()
                .find(|(a, alert)| a.from == who.other() && a.frame > frame && !alert.is_encrypted())
                .map_or_else(String::new, |(a, alert)| {
                    format!(
                        " {} then sent a {} alert ({}, frame {}), its answer to the closed stream.",
                        ctx.who_cap(who.other()),
                        alert.description().map_or_else(|| "(unknown)".into(), AlertDescription::name),
                        alert.description().map_or(0, AlertDescription::value),
                        a.frame
                    )
                });
            let (code, title, verb) = if rst {
                (C::ConnectionReset, "The connection was reset during the handshake", "reset the connection (TCP RST)")
            } else {
                (C::ConnectionClosed, "The connection was closed during the handshake without an alert", "closed the connection (TCP FIN)")
            };
            out.push(
                Finding::new(code, Confidence::Certain, title)
                    .explain(format!(
                        "{} {verb} at frame {frame}, {after}, {}.{}{reaction}",
                        ctx.who_cap(who),
                        // A record left encrypted (no key for it) may be the alert.
                        last(who).filter(|m| m.is_encrypted() && m.seq > last(who.other()).map_or(0, |o| o.seq)).map_or_else(
                            || "without sending a TLS alert first".to_string(),
                            |m| format!("with no readable alert: its last record before that (frame {}) stayed encrypted and may hold one", m.frame),
                        ),
                        if who == Party::Server && !server_spoke {
                            " A server that closes right after the ClientHello usually refuses it by policy (an unknown SNI, a blocked client, a protocol it does not accept) or is not a TLS server."
                        } else {
                            ""
                        }
                    ))
                    .fix(format!(
                        "Read the logs of {} at that time, and of any proxy or firewall in front of it.",
                        ctx.who(who)
                    ))
                    .frames([Some(hello.frame), last(who.other()).map(|m| m.frame), Some(frame)]),
            );
        }
        None => {}
    }
}

/// A record's name in prose: "ServerHello", "encrypted record", …
fn message_name(m: &Event) -> String {
    if m.is_encrypted_record() {
        "encrypted record".to_string()
    } else if m.is_encrypted_handshake() {
        "encrypted handshake message".to_string()
    } else {
        crate::words::record_name(m)
    }
}

/// ", N s after the ClientHello", from the ClientHello's time to the connection's last frame.
fn elapsed(ctx: &Ctx<'_>, hello: &Event) -> String {
    match (hello.time, ctx.conn.end) {
        (Some(a), Some(b)) if b > a => {
            let ms = (b.nanos() - a.nanos()) / 1_000_000;
            format!(
                ", {}.{} s after the ClientHello",
                ms / 1000,
                (ms % 1000) / 100
            )
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::{Confidence, FindingCode as C};
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Opening, Party};
    use crate::tls::enums::ProtocolVersion;

    #[test]
    fn plain_text_closed_by_the_server_is_likely_not_tls() {
        let conn = Scenario::tls12()
            .opening(Party::Client, 4, Opening::Text, b"GET / HTTP/1.1\r\n")
            .fin(Party::Server, 5)
            .build();
        let f = expect(&conn, C::NotTls);
        assert_eq!(f.confidence, Confidence::Likely);
        assert!(
            f.explanation.contains("GET / HTTP/1.1\\r\\n"),
            "{}",
            f.explanation
        );
        // Near miss: plain text answered in plain text is another protocol, not an error.
        let http = Scenario::tls12()
            .opening(Party::Client, 4, Opening::Text, b"GET / HTTP/1.1\r\n")
            .opening(Party::Server, 5, Opening::Text, b"HTTP/1.1 200 OK\r\n")
            .fin(Party::Server, 6)
            .build();
        assert!(!codes(&http).contains(&C::NotTls));
    }

    #[test]
    fn a_client_hello_without_an_answer_is_no_server_response() {
        let conn = Scenario::tls12()
            .at(4)
            .client(hello())
            .fin(Party::Client, 20)
            .build();
        expect(&conn, C::NoServerResponse);
        let answered = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .fin(Party::Client, 20)
            .build();
        assert!(!codes(&answered).contains(&C::NoServerResponse));
    }

    #[test]
    fn a_reset_or_a_close_without_an_alert_during_the_handshake() {
        let reset = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .rst(Party::Server, 7)
            .build();
        let f = expect(&reset, C::ConnectionReset);
        assert!(
            f.explanation.contains("after the ClientHello (frame 4)"),
            "{}",
            f.explanation
        );
        let closed = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .fin(Party::Client, 7)
            .build();
        let f = expect(&closed, C::ConnectionClosed);
        assert!(
            f.explanation.contains("after the ServerHello (frame 6)"),
            "{}",
            f.explanation
        );
        // Near miss: a close after an alert is explained by the alert.
        let alerted = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(alert(
                crate::tls::enums::AlertLevel::Fatal,
                crate::tls::enums::AlertDescription::HandshakeFailure,
            ))
            .fin(Party::Server, 7)
            .build();
        assert!(!codes(&alerted).contains(&C::ConnectionClosed));
        assert!(!codes(&alerted).contains(&C::ConnectionReset));
    }
}
