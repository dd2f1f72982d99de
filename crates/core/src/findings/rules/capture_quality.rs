//! What the capture itself hides: truncated frames, gaps, a start after the handshake, one
//! direction only — each with the tcpdump command that would do better.
//!
//! Codes: capture-truncated, capture-gap, capture-midstream, capture-one-sided.
//!
//! ## References
//! tcpdump(1) (`-s`, `-B`, `-i any`); RFC 9293 §3.4 (sequence numbers: what a gap is).

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::{Anomaly, AnomalyKind};

/// Which anomalies each code reports.
fn kind_of(a: &Anomaly) -> Option<C> {
    match a.kind {
        AnomalyKind::Truncated { .. } => Some(C::CaptureTruncated),
        AnomalyKind::Gap { .. } => Some(C::CaptureGap),
        AnomalyKind::Midstream => Some(C::CaptureMidstream),
        AnomalyKind::OneSided => Some(C::CaptureOneSided),
        _ => None,
    }
}

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    // A refused or unanswered SYN explains why there is no second direction or no SYN of the
    // server's: not the capture's fault.
    if ctx.conn.refused() || ctx.conn.syn_unanswered() {
        return;
    }
    let kinds = [
        (
            C::CaptureTruncated,
            "The capture's snapshot length cut this connection's TLS messages",
            "Capture full frames: `tcpdump -s 0` (the current default).",
        ),
        (
            C::CaptureGap,
            "Bytes of this connection are missing from the capture",
            "Capture with a larger buffer (`tcpdump -B 8192`) and a filter for this connection, to a fast disk.",
        ),
        (
            C::CaptureMidstream,
            "The capture starts in the middle of this connection",
            "Start the capture before the connection is opened (restart the client or close its pooled connections first).",
        ),
        (
            C::CaptureOneSided,
            "Only one direction of this connection was captured",
            "Capture on the client or the server itself, on an interface that sees both directions (`-i any`).",
        ),
    ];
    for (code, title, fix) in kinds {
        let matching: Vec<&Anomaly> = ctx
            .conn
            .anomalies
            .iter()
            .filter(|a| kind_of(a) == Some(code))
            .collect();
        let Some(first) = matching.first() else {
            continue;
        };
        let details: Vec<String> = matching
            .iter()
            .take(3)
            .map(|a| format!("frame {}: {}", a.frame, crate::words::anomaly(a)))
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

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{AnomalyKind, Party};

    #[test]
    fn each_limit_of_the_capture_has_its_code() {
        for (kind, code) in [
            (
                AnomalyKind::Truncated {
                    offset: 96,
                    len: 1400,
                },
                C::CaptureTruncated,
            ),
            (
                AnomalyKind::Gap {
                    offset: 200,
                    len: 1448,
                },
                C::CaptureGap,
            ),
            (AnomalyKind::Midstream, C::CaptureMidstream),
            (AnomalyKind::OneSided, C::CaptureOneSided),
        ] {
            let conn = Scenario::tls12()
                .at(4)
                .client(hello())
                .anomaly(5, Party::Server, kind)
                .build();
            let f = expect(&conn, code);
            assert!(
                f.remediation.contains("tcpdump"),
                "{code}: {}",
                f.remediation
            );
        }
        // Near miss: a reordering hides nothing.
        let reordered = Scenario::tls12()
            .at(4)
            .client(hello())
            .anomaly(5, Party::Server, AnomalyKind::OutOfOrder)
            .build();
        assert!(
            codes(&reordered)
                .iter()
                .all(|c| !c.as_str().starts_with("capture-"))
        );
    }
}
