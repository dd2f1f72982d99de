//! What the capture itself hides: truncated frames, gaps, a start after the handshake, one
//! direction only — each with the tcpdump command that would do better.
//!
//! Codes: capture-truncated, capture-gap, capture-midstream, capture-one-sided.

use super::super::{Confidence, Ctx, Finding};

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let kinds = [
        (
            "truncated",
            "capture-truncated",
            "The capture's snapshot length cut this connection's TLS messages",
            "Capture full frames: `tcpdump -s 0` (the current default).",
        ),
        (
            "gap",
            "capture-gap",
            "Bytes of this connection are missing from the capture",
            "Capture with a larger buffer (`tcpdump -B 8192`) and a filter for this connection, to a fast disk.",
        ),
        (
            "midstream",
            "capture-midstream",
            "The capture starts in the middle of this connection",
            "Start the capture before the connection is opened (restart the client or close its pooled connections first).",
        ),
        (
            "one_sided",
            "capture-one-sided",
            "Only one direction of this connection was captured",
            "Capture on the client or the server itself, on an interface that sees both directions (`-i any`).",
        ),
    ];
    for (kind, code, title, fix) in kinds {
        let matching: Vec<_> = ctx
            .conn
            .anomalies
            .iter()
            .filter(|a| a.kind == kind)
            .collect();
        let Some(first) = matching.first() else {
            continue;
        };
        let details: Vec<String> = matching
            .iter()
            .take(3)
            .map(|a| format!("frame {}: {}", a.frame, a.detail))
            .collect();
        out.push(
            Finding::new(code, Confidence::Certain, title)
                .explain(format!(
                    "{}{}. What depends on the missing part cannot be diagnosed.",
                    details.join("; "),
                    if matching.len() > 3 {
                        format!("; and {} more", matching.len() - 3)
                    } else {
                        String::new()
                    }
                ))
                .fix(format!("{fix} For example: {}", ctx.tcpdump()))
                .frames(matching.iter().map(|a| a.frame).chain([first.frame])),
        );
    }
}
