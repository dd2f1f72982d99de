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
use crate::model::{Connection, FrameNumber};
use crate::x509::Certificate;
pub(crate) use context::Ctx;

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
#[derive(Clone, Copy, Debug)]
pub(crate) struct CaptureFacts {
    /// Packet records read.
    pub(crate) frames: u64,
    /// Reading stopped early (the file is not a capture from some point on).
    pub(crate) read_error: bool,
    /// Frames of UDP were passed over.
    pub(crate) udp: bool,
}

/// Findings about the capture as a whole.
pub(crate) fn capture_wide(facts: CaptureFacts, connections: &[Connection]) -> Vec<Finding> {
    let mut out = Vec::new();
    let tls = connections
        .iter()
        .filter(|c| c.outcome != crate::model::Outcome::NotTls)
        .count();
    if tls == 0 && !facts.read_error {
        let tcp = connections.len();
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
                .frames(connections.iter().map(|c| c.first_frame).take(5)),
        );
    }
    out
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
