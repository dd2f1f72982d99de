//! Findings: rules over a connection's model that say what failed, why, and what to change,
//! each with the frames that prove it.
//!
//! ```text
//! model::Connection (facts) ─► rules (one file per family, fixed order) ─► Vec<Finding>
//! ```
//!
//! A rule states only what the capture's bytes show. When it infers (TLS 1.3 without keys, a
//! client stack guessed from its ClientHello), the finding's confidence is `likely` and its
//! explanation says what the inference rests on. Every code is documented in
//! [`crate::codes`] (rendered as docs/findings.md, checked by a test).

mod context;
mod rules;

use crate::codes::{Confidence, FindingCode, Severity};
use crate::error::{CaptureError, CaptureErrorKind};
use crate::model::{Connection, FrameNumber};
use crate::x509::Certificate;
pub(crate) use context::{Ctx, Neighbours, StackGuess};

/// One diagnosis.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    /// Stable code.
    pub(crate) code: FindingCode,
    /// How bad it is.
    pub(crate) severity: Severity,
    /// How sure it is.
    pub(crate) confidence: Confidence,
    /// One line.
    pub(crate) title: String,
    /// What happened, naming who did what, in plain words.
    pub(crate) explanation: String,
    /// What to change.
    pub(crate) remediation: String,
    /// The frames that show it, in order.
    pub(crate) frames: Vec<FrameNumber>,
}

impl Finding {
    /// A finding with its code's usual severity.
    pub(crate) fn new(code: FindingCode, confidence: Confidence, title: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            confidence,
            title: title.into(),
            explanation: String::new(),
            remediation: String::new(),
            frames: Vec::new(),
        }
    }

    pub(crate) fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the explanation; every line starts a sentence, so its first letter is capitalised.
    pub(crate) fn explain(mut self, text: impl Into<String>) -> Self {
        let text: String = text.into();
        self.explanation = text
            .lines()
            .map(crate::words::capitalize)
            .collect::<Vec<_>>()
            .join("\n");
        self
    }

    pub(crate) fn fix(mut self, text: impl Into<String>) -> Self {
        self.remediation = text.into();
        self
    }

    /// The evidence: frames that are present, sorted, each once.
    pub(crate) fn frames<F: Into<Option<FrameNumber>>>(
        mut self,
        frames: impl IntoIterator<Item = F>,
    ) -> Self {
        let mut frames: Vec<FrameNumber> = frames.into_iter().filter_map(Into::into).collect();
        frames.sort_unstable();
        frames.dedup();
        self.frames = frames;
        self
    }
}

/// What the capture as a whole showed, for the capture-wide findings.
#[derive(Clone, Debug)]
pub(crate) struct CaptureFacts {
    /// Packet records read.
    pub(crate) frames: u64,
    /// Why reading stopped before the end of the file, if it did.
    pub(crate) error: Option<CaptureError>,
    /// Frames of UDP were passed over.
    pub(crate) udp: bool,
}

/// What the capture-wide findings need of the connections, counted as each is diagnosed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    /// Connections diagnosed.
    pub(crate) connections: u64,
    /// Those that carry TLS.
    pub(crate) tls: u64,
    /// TLS handshakes that completed, failed, or whose end is not in the capture.
    pub(crate) established: u64,
    pub(crate) failed: u64,
    pub(crate) incomplete: u64,
    /// Some connection has an error finding (it says why there is no TLS, if there is none).
    pub(crate) explained: bool,
    /// The first frames of the first connections, by id.
    first_frames: Vec<(u32, FrameNumber)>,
}

impl Tally {
    /// Counts a connection and its findings.
    pub(crate) fn add(&mut self, c: &Connection, found: &[Finding]) {
        self.connections += 1;
        match c.outcome {
            crate::model::Outcome::NotTls => {}
            crate::model::Outcome::Established => self.established += 1,
            crate::model::Outcome::Failed => self.failed += 1,
            crate::model::Outcome::Incomplete => self.incomplete += 1,
        }
        if c.outcome != crate::model::Outcome::NotTls {
            self.tls += 1;
        }
        self.explained |= found.iter().any(|f| f.severity == Severity::Error);
        let at = self.first_frames.partition_point(|(id, _)| *id < c.id);
        if at < 5 {
            self.first_frames.insert(at, (c.id, c.first_frame));
            self.first_frames.truncate(5);
        }
    }
}

/// Findings about the capture as a whole, given what its connections showed.
pub(crate) fn capture_wide(facts: &CaptureFacts, tally: &Tally) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(error) = &facts.error {
        out.extend(cut_short(facts.frames, error));
    }
    // A connection refused, unanswered, or in plain text says why there is no TLS better than
    // a word about the capture filter.
    if tally.tls == 0 && facts.error.is_none() && !tally.explained {
        let tcp = tally.connections;
        out.push(
            Finding::new(FindingCode::NoTlsInCapture, Confidence::Certain, "The capture holds no TLS connection")
                .explain(format!(
                    "{} frames, {tcp} TCP connection{}, none of them carrying TLS (recognised by content, on any port, also after STARTTLS).{}",
                    facts.frames,
                    if tcp == 1 { "" } else { "s" },
                    if facts.udp {
                        " UDP traffic is not analysed: QUIC (HTTP/3) and DTLS are out of scope."
                    } else {
                        ""
                    }
                ))
                .fix("Capture the connection that fails: check the capture filter (host and port of the server), and start the capture before the client connects.")
                .frames(tally.first_frames.iter().map(|(_, f)| *f)),
        );
    }
    out
}

/// A capture file that ends early, or cannot be read from some byte on: what was read before
/// is analysed. (A file that is not a capture at all has no findings: it has no report.)
fn cut_short(frames: u64, error: &CaptureError) -> Option<Finding> {
    let after = if frames == 0 {
        "no frame could be read".to_string()
    } else {
        format!(
            "the {frames} frame{} before it {} analysed",
            if frames == 1 { "" } else { "s" },
            if frames == 1 { "is" } else { "are" }
        )
    };
    let (title, what) = match &error.kind {
        CaptureErrorKind::Empty | CaptureErrorKind::NotACapture { .. } => return None,
        CaptureErrorKind::CutShort { what, missing } => (
            "The capture file is cut short",
            format!(
                "The file ends inside {} (its {what} starts at byte {} and lacks {missing} byte{}): the file was copied or read while still being written, or the capture tool was stopped abruptly. Everything after is missing; {after}.",
                match *what {
                    "pcap record" => format!("frame {}", frames + 1),
                    "pcapng block" => format!("a pcapng block, most likely frame {}", frames + 1),
                    _ => "its header".to_string(),
                },
                error.offset,
                if *missing == 1 { "" } else { "s" },
            ),
        ),
        _ => (
            "The capture file cannot be read to its end",
            format!(
                "Reading stops at byte {}: {error}. {}.",
                error.offset,
                crate::words::capitalize(&after)
            ),
        ),
    };
    Some(
        Finding::new(FindingCode::CaptureTruncated, Confidence::Certain, title)
            .explain(what)
            .fix("Let the capture tool finish (stop tcpdump with Ctrl-C or SIGINT, not SIGKILL) before copying the file, and copy it whole; what happened after the cut is not in this file.")
            .frames([(frames > 0).then(|| FrameNumber::new(frames))]),
    )
}

/// What the user supplied besides the capture.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Supplied<'a> {
    /// The chain the user says the client should have sent (`--client-cert`), leaf first.
    pub(crate) client_chain: &'a [Certificate],
    /// The CAs the user trusts (`--ca`).
    pub(crate) trust_store: &'a [Certificate],
}

/// Runs every rule on one connection; findings in a fixed order (severity, first frame, code).
pub(crate) fn diagnose(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        rule(ctx, &mut out);
    }
    out.sort_by(|a, b| {
        (a.severity, a.frames.first(), a.code.as_str()).cmp(&(
            b.severity,
            b.frames.first(),
            b.code.as_str(),
        ))
    });
    out
}

/// Running the rules on a scenario, for the rules' unit tests.
#[cfg(test)]
pub(crate) mod run {
    use super::{Ctx, Finding, Supplied, diagnose};
    use crate::codes::FindingCode;
    use crate::model::Connection;

    /// The findings of a connection alone in its capture.
    pub(crate) fn findings(conn: &Connection) -> Vec<Finding> {
        let all = std::slice::from_ref(conn);
        diagnose(&Ctx::new(
            conn,
            &super::Neighbours::new(all),
            Supplied::default(),
        ))
    }

    /// The findings of `all[i]` among the connections of a capture.
    pub(crate) fn findings_among(all: &[Connection], i: usize) -> Vec<Finding> {
        diagnose(&Ctx::new(
            &all[i],
            &super::Neighbours::new(all),
            Supplied::default(),
        ))
    }

    /// Their codes.
    pub(crate) fn codes(conn: &Connection) -> Vec<FindingCode> {
        findings(conn).iter().map(|f| f.code).collect()
    }

    /// The finding of this code; panics, listing what was found, when there is none.
    pub(crate) fn expect(conn: &Connection, code: FindingCode) -> Finding {
        let all = findings(conn);
        let codes: Vec<FindingCode> = all.iter().map(|f| f.code).collect();
        all.into_iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no {code}; found {codes:?}"))
    }

    /// Frames as numbers.
    pub(crate) fn frames(f: &Finding) -> Vec<u64> {
        f.frames.iter().map(|f| f.get()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{CaptureFacts, Finding, Tally};
    use crate::model::Connection;

    /// The capture-wide findings of these connections with their findings.
    fn capture_wide(
        facts: &CaptureFacts,
        all: &[Connection],
        found: &[Vec<Finding>],
    ) -> Vec<Finding> {
        let mut tally = Tally::default();
        for (c, f) in all.iter().zip(found) {
            tally.add(c, f);
        }
        super::capture_wide(facts, &tally)
    }
    use crate::codes::FindingCode;
    use crate::model::testkit::{Scenario, hello};
    use crate::model::{Opening, Party};

    #[test]
    fn a_file_cut_short_says_where() {
        let cut = crate::error::CaptureError {
            kind: crate::error::CaptureErrorKind::CutShort {
                what: "pcap record",
                missing: 9,
            },
            offset: 3684,
        };
        let facts = CaptureFacts {
            frames: 9,
            error: Some(cut),
            udp: false,
        };
        let found = capture_wide(
            &facts,
            &[Scenario::tls12().at(4).client(hello()).build()],
            &[Vec::new()],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, FindingCode::CaptureTruncated);
        assert!(
            found[0].explanation.starts_with("The file ends inside frame 10 (its pcap record starts at byte 3684 and lacks 9 bytes)"),
            "{}",
            found[0].explanation
        );
        // Near miss: a whole file.
        let whole = CaptureFacts {
            error: None,
            ..facts
        };
        assert!(
            capture_wide(
                &whole,
                &[Scenario::tls12().at(4).client(hello()).build()],
                &[Vec::new()]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_capture_without_tls_says_so_unless_it_could_not_be_read() {
        let plain = Scenario::tls12()
            .opening(Party::Client, 4, Opening::Text, b"GET / HTTP/1.1\r\n")
            .build();
        let facts = CaptureFacts {
            frames: 5,
            error: None,
            udp: true,
        };
        let found = capture_wide(&facts, std::slice::from_ref(&plain), &[Vec::new()]);
        assert_eq!(found[0].code, FindingCode::NoTlsInCapture);
        assert!(
            found[0].explanation.contains("QUIC"),
            "{}",
            found[0].explanation
        );
        let tls = Scenario::tls12().at(4).client(hello()).build();
        assert!(capture_wide(&facts, &[plain, tls], &[Vec::new(), Vec::new()]).is_empty());
        // A connection whose own finding explains the absence of TLS: no word about the filter.
        let refused = Scenario::refused().build();
        let why = super::run::findings(&refused);
        assert!(capture_wide(&facts, &[refused], &[why]).is_empty());
    }
}
