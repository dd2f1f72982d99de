//! What happens below TLS: a side that does not speak TLS, a server that never answers,
//! connections closed or reset during the handshake.
//!
//! Codes: not-tls, no-server-response, connection-reset, connection-closed.
//!
//! ## References
//! RFC 9293 §3.5 (TCP opening, reset and closing); RFC 8446 §5.1, §6.1.

use std::fmt::Write as _;

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::flow::Opening;
use crate::model::{Event, FrameNumber, Outcome, Party, Traffic};
use crate::tls::enums::{AlertDescription, HandshakeType};
use crate::words::first_line;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    if conn.refused() {
        return refused(ctx, out);
    }
    if conn.syn_unanswered() {
        return unanswered(ctx, out);
    }
    if conn.outcome == Outcome::NotTls {
        return plain_text(ctx, out);
    }
    let (c, s) = (&conn.client_to_server, &conn.server_to_client);
    let client = ctx.who(Party::Client);
    let server = ctx.who(Party::Server);
    let opening = |t: &Traffic| {
        t.opening
            .as_ref()
            .map(|o| (o.kind, o.frame, first_line(&o.head)))
    };
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

/// A connection without TLS: plain text sent to a TLS port (the server closed without a word,
/// answered in TLS, or said in plain text that it expected TLS), or plain text where the same
/// server speaks TLS on other connections.
fn plain_text(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let (c, s) = (&conn.client_to_server, &conn.server_to_client);
    let Some(sent) = c.opening.as_ref().filter(|o| o.kind == Opening::Text) else {
        return;
    };
    let client = ctx.who_cap(Party::Client);
    let server = ctx.who(Party::Server);
    let head = first_line(&sent.head);
    let elsewhere = ctx.tls_on_same_port.map_or_else(String::new, |id| {
        format!(" The same server port speaks TLS on connection {id} of this capture.")
    });
    let fix = "Use https:// (or the protocol's TLS mode) for this port, or the server's plain-text port for plain text.";
    match s.opening.as_ref() {
        None if s.fin || s.rst => out.push(
            Finding::new(C::NotTls, Confidence::Likely, "Plain text was sent to what looks like a TLS port")
                .explain(format!(
                    "{client} sent \"{head}\" (frame {}), not a TLS ClientHello, and {server} closed the connection without answering (frame {}). An HTTP or other plain-text server would have answered; a TLS server closes like this (OpenSSL-based servers do).{elsewhere}",
                    sent.frame,
                    s.closed_at().map_or(0, FrameNumber::get)
                ))
                .fix(fix)
                .frames([Some(sent.frame), s.closed_at()]),
        ),
        Some(answer) if answer.kind.is_tls() => out.push(
            Finding::new(C::NotTls, Confidence::Certain, "Plain text was sent to a TLS server")
                .explain(format!(
                    "{client} sent \"{head}\" (frame {}), and {server} answered with TLS (frame {}): the port expects TLS.{elsewhere}",
                    sent.frame, answer.frame
                ))
                .fix("Use https:// (or the protocol's TLS mode) for this port.")
                .frames([sent.frame, answer.frame]),
        ),
        Some(answer) if answer.kind == Opening::Text => {
            let words = crate::words::http_title(&answer.head);
            let says_tls = words.as_deref().is_some_and(|w| {
                let w = w.to_ascii_lowercase();
                w.contains("https") || w.contains("tls") || w.contains("ssl")
            });
            // An HTTP error status (RFC 9110 §15.5, §15.6) to a plain request on a port that
            // speaks TLS on another connection.
            let refused = first_line(&answer.head)
                .strip_prefix("HTTP/")
                .and_then(|rest| rest.split(' ').nth(1))
                .is_some_and(|status| status.starts_with('4') || status.starts_with('5'));
            let expects_tls = says_tls || (refused && ctx.tls_on_same_port.is_some());
            if !expects_tls {
                // Plain text answered in plain text: another protocol (or a multiplexer such as
                // sslh in front of both), not a mistake this capture can show.
                return;
            }
            let quote = words.map_or_else(String::new, |w| format!(", saying \"{w}\""));
            out.push(
                Finding::new(C::NotTls, Confidence::Certain, "Plain text was sent to a TLS port")
                    .explain(format!(
                        "{client} sent \"{head}\" (frame {}), not a TLS ClientHello. {} answered in plain text \"{}\" (frame {}){quote}{}.{elsewhere}",
                        sent.frame,
                        crate::words::capitalize(&server),
                        first_line(&answer.head),
                        answer.frame,
                        if says_tls { ": the port expects TLS (nginx answers plain HTTP on its TLS port this way)" } else { "" }
                    ))
                    .fix(fix)
                    .frames([sent.frame, answer.frame]),
            );
        }
        _ => {}
    }
}

/// The client's SYN answered by a reset.
fn refused(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let (syn, rst) = (
        conn.client_to_server.syn_frame,
        conn.server_to_client.rst_frame,
    );
    // Clients try each address of a name in turn (RFC 8305): a refusal followed by a
    // connection to another address of the same port is a detour, not the failure.
    let answered = ctx
        .other_addresses
        .iter()
        .find(|o| !o.refused() && !o.syn_unanswered());
    let mut also = String::new();
    for o in ctx
        .other_addresses
        .iter()
        .filter(|o| answered.is_none_or(|a| a.id != o.id))
    {
        let _ = write!(
            also,
            " The client also tried {} (connection {}): {}.",
            o.server,
            o.id,
            if o.refused() {
                "refused too — no address of this name takes the connection on this port"
            } else if o.syn_unanswered() {
                "no answer at all"
            } else {
                "that address did answer"
            }
        );
    }
    let reset = format!(
        "{} sent a SYN to {} (frame {}) and got a reset back (RST/ACK, frame {})",
        ctx.who_cap(Party::Client),
        conn.server,
        syn.map_or(0, FrameNumber::get),
        rst.map_or(0, FrameNumber::get),
    );
    if let Some(o) = answered {
        out.push(
            Finding::new(C::ConnectionRefused, Confidence::Certain, format!("The TCP connection to {} was refused; the client connected to {} instead", conn.server, o.server))
                .severity(Severity::Warning)
                .explain(format!(
                    "{reset}: nothing listens on port {} at {}, or a firewall rejects it. The client then connected to {} (connection {}), as clients do with the addresses of a name in turn (RFC 8305, Happy Eyeballs).{also}",
                    conn.server.port,
                    conn.server.ip,
                    o.server,
                    o.id
                ))
                .fix(format!("Nothing to fix if connection {} works; to spare the detour, have the service listen on {} too, or let the name resolve only to the address it listens on.", o.id, conn.server.ip))
                .frames([syn, rst]),
        );
        return;
    }
    out.push(
        Finding::new(C::ConnectionRefused, Confidence::Certain, "The server's host refused the TCP connection")
            .explain(format!(
                "{reset} instead of a SYN-ACK: nothing listens on port {} at {}, or a firewall rejects the connection. No TLS was attempted.{also}",
                conn.server.port,
                conn.server.ip
            ))
            .fix("Start the service or point the client at the port it listens on (`ss -ltnp` on the server shows what listens where), on both IPv4 and IPv6 if the name resolves to both; check firewall rules that reject with a reset.")
            .frames([syn, rst]),
    );
}

/// The client's SYNs never answered.
fn unanswered(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let c = &conn.client_to_server;
    let over = match (conn.start, conn.end) {
        (Some(a), Some(b)) if c.syns > 1 => {
            let ms = (b.nanos() - a.nanos()) / 1_000_000;
            format!(
                " and sent it again {} time{} over {}.{} s (frames {}–{})",
                c.syns - 1,
                if c.syns == 2 { "" } else { "s" },
                ms / 1000,
                (ms % 1000) / 100,
                conn.first_frame,
                conn.last_frame
            )
        }
        _ => String::new(),
    };
    out.push(
        Finding::new(C::NoSynAnswer, Confidence::Certain, "The client's SYN was never answered")
            .explain(format!(
                "{} sent a SYN to {} (frame {}){over}; nothing came back, not even a reset, and the client never acknowledged anything (a client that gets a SYN-ACK does). A firewall drops the packets, or the host is down or unreachable. No TLS was attempted.",
                ctx.who_cap(Party::Client),
                conn.server,
                conn.first_frame
            ))
            .fix(format!(
                "Check the path to {}: firewalls and security groups that drop rather than reject, routing, the host itself; capture on the server side to see whether the SYN arrives.",
                conn.server
            ))
            .frames([conn.first_frame, conn.last_frame]),
    );
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
            f.explanation.contains("sent \"GET / HTTP/1.1\" (frame 4)"),
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
    fn a_syn_answered_by_a_reset_is_refused_and_one_never_answered_is_said() {
        let f = expect(&Scenario::refused().build(), C::ConnectionRefused);
        assert!(
            f.explanation.contains("RST/ACK, frame 2"),
            "{}",
            f.explanation
        );
        let f = expect(&Scenario::unanswered(4).build(), C::NoSynAnswer);
        assert!(
            f.explanation
                .contains("again 3 times over 4.0 s (frames 1–4)"),
            "{}",
            f.explanation
        );
        // Near misses: a connection that was made is neither; nor is a capture of the client's
        // side only once it acknowledged the server (it got an answer).
        let made = Scenario::tls12().at(4).client(hello()).build();
        assert!(!codes(&made).contains(&C::ConnectionRefused));
        assert!(!codes(&made).contains(&C::NoSynAnswer));
        let mut one_sided = Scenario::unanswered(1).at(4).client(hello()).build();
        one_sided.client_to_server.frames = 3;
        assert!(!codes(&one_sided).contains(&C::NoSynAnswer));
    }

    /// Moves a connection to IPv6 (`[::1]` and `[::2]` for 10.0.0.1 and 10.0.0.2), with this id.
    fn on_ipv6(mut conn: crate::model::Connection, id: u32) -> crate::model::Connection {
        conn.id = id;
        conn.client.ip = std::net::IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]);
        conn.server.ip = std::net::IpAddr::from([0, 0, 0, 0, 0, 0, 0, 2]);
        conn
    }

    #[test]
    fn a_refusal_followed_by_a_connection_to_another_address_is_a_detour() {
        use crate::codes::Severity;
        use crate::findings::run::findings_among;
        let made = on_ipv6(
            Scenario::tls12()
                .at(4)
                .client(hello())
                .at(6)
                .server(server_hello(ProtocolVersion::TLS12))
                .client_finished(8)
                .server_finished(9)
                .build(),
            2,
        );
        let capture = [Scenario::refused().build(), made];
        let f = findings_among(&capture, 0)
            .into_iter()
            .find(|f| f.code == C::ConnectionRefused)
            .expect("connection-refused");
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.explanation.contains("(connection 2)"),
            "{}",
            f.explanation
        );
        // Near miss: refused on both addresses, an error.
        let both = [
            Scenario::refused().build(),
            on_ipv6(Scenario::refused().build(), 2),
        ];
        let f = findings_among(&both, 0)
            .into_iter()
            .find(|f| f.code == C::ConnectionRefused)
            .expect("connection-refused");
        assert_eq!(f.severity, Severity::Error);
        assert!(f.explanation.contains("refused too"), "{}", f.explanation);
    }

    #[test]
    fn plain_text_answered_in_plain_text_beside_tls_is_said_only_for_an_error_answer() {
        use crate::findings::run::findings_among;
        let tls = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .build();
        let plain = |answer: &[u8]| {
            let mut c = Scenario::tls12()
                .opening(Party::Client, 4, Opening::Text, b"SSH-2.0-OpenSSH_9.2")
                .opening(Party::Server, 5, Opening::Text, answer)
                .build();
            c.id = 2;
            [tls.clone(), c]
        };
        // A multiplexer (sslh) in front of SSH and TLS: a working plain-text exchange.
        let ssh = plain(b"SSH-2.0-OpenSSH_9.2p1");
        assert!(findings_among(&ssh, 1).is_empty());
        // An HTTP error on the port that speaks TLS elsewhere.
        let refused = plain(b"HTTP/1.1 400 Bad Request\r\n");
        assert!(
            findings_among(&refused, 1)
                .iter()
                .any(|f| f.code == C::NotTls)
        );
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
