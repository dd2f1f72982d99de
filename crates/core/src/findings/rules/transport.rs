//! What happens below TLS: a side that does not speak TLS, a server that never answers,
//! connections closed or reset during the handshake.
//!
//! Codes: not-tls, no-server-response, connection-reset, connection-closed.

use super::super::{Confidence, Ctx, Finding};
use crate::flow::Opening;
use crate::report::{Outcome, Party};

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let (c, s) = (&conn.client_to_server, &conn.server_to_client);
    let client = ctx.who(Party::Client);
    let server = ctx.who(Party::Server);
    let opening = |t: &crate::report::Traffic| {
        t.opening
            .as_ref()
            .map(|o| (o.kind, o.frame, crate::words::printable_hex(&o.head)))
    };
    if conn.outcome == Outcome::NotTls {
        match (opening(c), opening(s)) {
            (Some((Opening::Text, frame, head)), None) if s.fin || s.rst => out.push(
                Finding::new("not-tls", Confidence::Likely, "Plain text was sent to what looks like a TLS port")
                    .explain(format!(
                        "{client} sent \"{head}\" (frame {frame}), not a TLS ClientHello, and {server} closed the connection without answering (frame {}). An HTTP or other plain-text server would have answered; a TLS server closes like this.",
                        s.fin_frame.or(s.rst_frame).unwrap_or(0)
                    ))
                    .fix("Use https:// (or the protocol's TLS mode) for this port, or the server's plain-text port for plain text.")
                    .frames([frame, s.fin_frame.or(s.rst_frame).unwrap_or(0)]),
            ),
            (Some((Opening::Text, frame, head)), Some((kind, sframe, _))) if kind.is_tls() => out.push(
                Finding::new("not-tls", Confidence::Certain, "Plain text was sent to a TLS server")
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
        && !conn.messages.iter().any(|m| m.from == Party::Server)
    {
        out.push(
                Finding::new("not-tls", Confidence::Certain, "The server does not speak TLS on this port")
                    .explain(format!("{client} sent a TLS ClientHello (frame {frame}); {server} answered \"{head}\" (frame {sframe}), which is not TLS."))
                    .fix("Connect to the server's TLS port, or enable TLS on this one (a plain-text port needs http:// or the protocol's STARTTLS).")
                    .frames([frame, sframe]),
            );
        return;
    }
    // A failure another rule explained needs no "closed" finding on top.
    if conn.outcome == Outcome::Established
        || out
            .iter()
            .any(|f| f.severity == super::super::Severity::Error)
    {
        return;
    }
    let Some(hello) = ctx.message(Party::Client, "client_hello") else {
        return;
    };
    let server_spoke = conn.messages.iter().any(|m| m.from == Party::Server);
    let last = |p: Party| conn.messages.iter().rfind(|m| m.from == p);
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
        if conn.alerts.iter().any(|a| a.frame <= end) {
            return;
        }
    } else if !conn.alerts.is_empty() {
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
            Finding::new("no-server-response", Confidence::Certain, "The server never answered the ClientHello")
                .explain(format!(
                    "{client} sent a ClientHello (frame {}); the capture holds no reply from {server}{}.{}",
                    hello.frame,
                    " beyond TCP acknowledgments",
                    first_end.map_or_else(String::new, |(frame, who, rst)| format!(
                        " {} gave up and {} the connection at frame {frame}{}.",
                        crate::words::capitalize(&ctx.who(who)),
                        if rst { "reset" } else { "closed" },
                        elapsed(ctx, hello.frame)
                    ))
                ))
                .fix(format!("Check that the server process is up and answers TLS on this port and that no firewall or proxy drops the traffic. If the reply may exist, capture both directions: {}", ctx.tcpdump()))
                .frames([hello.frame]),
        ),
        Some((frame, who, rst)) => {
            let after = last(who.other()).map_or_else(
                || "before anything was exchanged".to_string(),
                |m| format!("after the {} (frame {})", message_name(&m.typ), m.frame),
            );
            let reaction = conn
                .alerts
                .iter()
                .find(|a| a.from == who.other() && a.frame > frame && !a.encrypted)
                .map_or_else(String::new, |a| {
                    format!(
                        " {} then sent a {} alert ({}, frame {}), its answer to the closed stream.",
                        crate::words::capitalize(&ctx.who(who.other())),
                        a.description.as_deref().unwrap_or("(unknown)"),
                        a.code.unwrap_or(0),
                        a.frame
                    )
                });
            let (code, title, verb) = if rst {
                ("connection-reset", "The connection was reset during the handshake", "reset the connection (TCP RST)")
            } else {
                ("connection-closed", "The connection was closed during the handshake without an alert", "closed the connection (TCP FIN)")
            };
            out.push(
                Finding::new(code, Confidence::Certain, title)
                    .explain(format!(
                        "{} {verb} at frame {frame}, {after}, {}.{}{reaction}",
                        crate::words::capitalize(&ctx.who(who)),
                        // A record left encrypted (no key for it) may be the alert.
                        last(who).filter(|m| m.encrypted && m.seq > last(who.other()).map_or(0, |o| o.seq)).map_or_else(
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
                    .frames([hello.frame, last(who.other()).map_or(0, |m| m.frame), frame]),
            );
        }
        None => {}
    }
}

/// A message's name in prose.
fn message_name(typ: &str) -> String {
    match typ {
        "encrypted_record" => "encrypted record".to_string(),
        "encrypted_handshake" => "encrypted handshake message".to_string(),
        t if t.starts_with("sslv2_message_") => "SSL 2.0 message".to_string(),
        t => crate::words::camel(t),
    }
}

/// ", N s after the ClientHello", from the ClientHello's time to the connection's last frame.
fn elapsed(ctx: &Ctx<'_>, hello: u64) -> String {
    let start = ctx
        .conn
        .messages
        .iter()
        .find(|m| m.frame == hello)
        .and_then(|m| m.time);
    match (start, ctx.conn.end_timestamp) {
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

impl Party {
    fn other(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}
