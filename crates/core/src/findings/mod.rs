//! Findings: rules over a connection's rebuilt handshake that say what failed, why, and what to
//! change, each with the frames that prove it.
//!
//! ```text
//! ConnectionReport (facts) ─► rules (one file each, fixed order) ─► Vec<Finding>
//! ```
//!
//! A rule states only what the capture's bytes show. When it infers (TLS 1.3 without keys, a
//! client stack guessed from its ClientHello), the finding's confidence is `likely` and its
//! explanation says what the inference rests on. Every code is documented in [`docs`] (rendered
//! as docs/findings.md, checked by a test).

mod context;
pub mod docs;
mod rules;

pub(crate) use context::Ctx;

/// How bad a finding is. The CLI exits with 1 when any finding is an error.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something failed, or will fail.
    Error,
    /// Something is wrong or risky but the connection went through, or the evidence is partial.
    Warning,
    /// Context: what is hidden, what was resumed, what went well.
    Info,
}

/// How sure a finding is.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The capture shows it directly.
    Certain,
    /// Inferred from sizes, order or stack fingerprints; the explanation says from what.
    Likely,
}

/// One diagnosis.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    /// Stable kebab-case code, documented in docs/findings.md.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// How sure it is.
    pub confidence: Confidence,
    /// One line.
    pub title: String,
    /// What happened, naming who did what, in plain words.
    pub explanation: String,
    /// What to change.
    pub remediation: String,
    /// The frames that show it, in order.
    pub frames: Vec<u64>,
}

impl Finding {
    /// A finding with its code's default severity.
    pub(crate) fn new(
        code: &'static str,
        confidence: Confidence,
        title: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: docs::severity(code),
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
            .map(|line| {
                let mut chars = line.chars();
                chars
                    .next()
                    .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
            })
            .collect::<Vec<_>>()
            .join("\n");
        self
    }

    pub(crate) fn fix(mut self, text: impl Into<String>) -> Self {
        self.remediation = text.into();
        self
    }

    pub(crate) fn frames(mut self, frames: impl IntoIterator<Item = u64>) -> Self {
        let mut frames: Vec<u64> = frames.into_iter().filter(|f| *f > 0).collect();
        frames.sort_unstable();
        frames.dedup();
        self.frames = frames;
        self
    }
}

/// Findings about the capture as a whole.
pub(crate) fn capture_wide(report: &crate::report::Report) -> Vec<Finding> {
    let mut out = Vec::new();
    let tls = report
        .connections
        .iter()
        .filter(|c| c.outcome != crate::report::Outcome::NotTls)
        .count();
    if tls == 0 && report.capture.error.is_none() {
        let tcp = report.connections.len();
        out.push(
            Finding::new("no-tls-in-capture", Confidence::Certain, "The capture holds no TLS connection")
                .explain(format!(
                    "{} frames, {tcp} TCP connection{}, none of them carrying TLS (recognised by content, on any port, also after STARTTLS).{}",
                    report.capture.frames,
                    if tcp == 1 { "" } else { "s" },
                    if report.capture.not_analysed.iter().any(|n| n.detail == "UDP") {
                        " UDP traffic is not analysed: QUIC (HTTP/3) and DTLS are out of scope."
                    } else {
                        ""
                    }
                ))
                .fix("Capture the connection that fails: check the capture filter (host and port of the server), and start the capture before the client connects.")
                .frames(report.connections.iter().map(|c| c.first_frame).take(5)),
        );
    }
    out
}

/// Runs every rule on one connection; findings in a fixed order (severity, first frame, code).
pub(crate) fn diagnose(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        rule(ctx, &mut out);
    }
    out.sort_by(|a, b| {
        (a.severity, a.frames.first(), a.code).cmp(&(b.severity, b.frames.first(), b.code))
    });
    out
}
