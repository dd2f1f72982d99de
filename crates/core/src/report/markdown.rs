//! The report as Markdown, to paste into a ticket, an issue or a forum post: the summary, each
//! connection with a problem (its findings with their explanation and fix, the handshake as a
//! table, the CertificateRequest's CAs and the certificates' key facts). It uses only what
//! CommonMark and GitHub Flavored Markdown tables have in common (headings, emphasis, lists,
//! code spans, pipe tables), which GitHub, GitLab, Jira's Markdown paste, Discourse and plain
//! text readers all show well. Run it over a redacted report ([`super::redact`]) before
//! sharing it.

use std::fmt::Write;

use super::text::{
    Shown, addresses, alert_text, causes, duration, endpoints, header, ids, message_text, plural,
    problem_groups, relative, selection,
};
use super::{
    CertificateEntry, CertificateRequest, Confidence, ConnectionReport, Finding, Outcome, Party,
    Report, Severity,
};

/// What to include.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarkdownOptions {
    /// Every connection, also those without a problem.
    pub all: bool,
    /// The report's connections were filtered (`--host`, `--port`, …) from this many.
    pub filtered_from: Option<usize>,
}

/// Renders the report as Markdown.
pub fn render(report: &Report, options: MarkdownOptions) -> String {
    let mut out = String::from("## TLS diagnosis\n\n");
    let mut head = String::new();
    header(&mut head, report, options.filtered_from);
    for line in head.lines() {
        let _ = writeln!(out, "{}  ", escape(line));
    }
    problems_line(&mut out, report);
    for f in &report.findings {
        out.push('\n');
        finding(&mut out, f, "###");
    }
    let (shown, hidden) = selection(report, options.all, options.filtered_from);
    match shown {
        Shown::Groups => groups(&mut out, report),
        Shown::Each(conns) => {
            for conn in conns {
                out.push('\n');
                connection(&mut out, report, conn);
            }
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{hidden} connection{} without problems not shown.",
            plural(hidden as u64)
        );
    }
    let redacted = report
        .connections
        .iter()
        .any(|c| c.client.alias.is_some() || c.server.alias.is_some());
    let _ = writeln!(
        out,
        "\n---\n*{} {}{}. Frame numbers are those Wireshark shows for the capture.*",
        report.tool.name,
        report.tool.version,
        if redacted {
            "; addresses, host names and certificate names are replaced by pseudonyms"
        } else {
            ""
        }
    );
    out
}

fn problems_line(out: &mut String, report: &Report) {
    let causes = causes(report);
    if causes.is_empty() {
        if report.findings.is_empty() && !report.connections.is_empty() {
            out.push_str("\n**No problems found.**\n");
        }
        return;
    }
    let parts: Vec<String> = causes
        .iter()
        .map(|(code, (n, _))| format!("`{code}` ×{n}"))
        .collect();
    let _ = writeln!(out, "\n**Problems:** {}", parts.join(", "));
}

/// More connections with a problem than [`super::text::GROUP_FROM`]: one section per cause, its first error
/// connection in full.
fn groups(out: &mut String, report: &Report) {
    let groups = problem_groups(report);
    let _ = writeln!(
        out,
        "\n{} connections with a problem, in {} group{} by cause.",
        groups.iter().map(|(_, c)| c.len()).sum::<usize>(),
        groups.len(),
        plural(groups.len() as u64)
    );
    for (headline, conns) in &groups {
        let _ = writeln!(
            out,
            "\n### {} `{}` ×{}: {}\n",
            mark(headline.severity),
            headline.code.as_str(),
            conns.len(),
            escape(&headline.title)
        );
        let _ = writeln!(
            out,
            "- clients: {}",
            escape(&addresses(conns.iter().map(|c| c.client)))
        );
        let _ = writeln!(
            out,
            "- servers: {}",
            escape(&endpoints(conns.iter().map(|c| c.server)))
        );
        let first = conns.iter().filter_map(|c| c.start).min();
        let last = conns.iter().filter_map(|c| c.start).max();
        if let (Some(first), Some(last)) = (first, last) {
            let _ = writeln!(
                out,
                "- starting {} s to {} s into the capture ({} to {})",
                relative(report.capture.start, Some(first)),
                relative(report.capture.start, Some(last)),
                first.to_rfc3339(),
                last.to_rfc3339()
            );
        }
        let _ = writeln!(out, "- connections: {}", ids(conns));
        if let Some(example) = conns.first() {
            out.push('\n');
            connection(out, report, example);
        }
    }
}

fn mark(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "✗",
        Severity::Warning => "⚠",
        Severity::Info => "ℹ",
    }
}

fn connection(out: &mut String, report: &Report, c: &ConnectionReport) {
    let status = match c.outcome {
        Outcome::Established => "established",
        Outcome::Failed => "FAILED",
        Outcome::Incomplete => "incomplete",
        Outcome::NotTls => "not TLS",
    };
    let _ = writeln!(
        out,
        "### Connection {}: {} → {}, {status}{}\n",
        c.id,
        escape(&c.client.to_string()),
        escape(&c.server.to_string()),
        if c.resumed { " (resumed)" } else { "" }
    );
    let mut facts = Vec::new();
    if let Some(v) = &c.tls_version {
        facts.push(v.clone());
    }
    if let Some(suite) = &c.cipher_suite {
        facts.push(format!("`{suite}`"));
    }
    if let Some(sni) = &c.sni {
        facts.push(format!("SNI `{}`", code_span(sni)));
    }
    if !c.alpn.is_empty() {
        facts.push(format!("ALPN offered `{}`", code_span(&c.alpn.join(", "))));
    }
    facts.push(format!("frames {}–{}", c.first_frame, c.last_frame));
    let took = duration(c.start, c.end);
    if !took.is_empty() {
        facts.push(took);
    }
    if let Some(start) = c.start {
        facts.push(format!(
            "starts {} s into the capture",
            relative(report.capture.start, Some(start))
        ));
    }
    let _ = writeln!(out, "{}", facts.join(" · "));
    // Which client software this was, for the people who know its settings.
    let mut client = Vec::new();
    if let Some(stack) = &c.client_stack {
        client.push(format!(
            "client likely {} ({})",
            escape(stack.name),
            escape(stack.basis)
        ));
    }
    if let Some(ch) = &c.client_hello {
        client.push(format!("JA4 `{}`", code_span(&ch.fingerprints.ja4)));
        client.push(format!("JA3 `{}`", code_span(&ch.fingerprints.ja3)));
    }
    if let Some(sh) = &c.server_hello {
        client.push(format!("JA3S `{}`", code_span(&sh.fingerprints.ja3s)));
    }
    if !client.is_empty() {
        let _ = writeln!(out, "\n{}", client.join(" · "));
    }
    for f in &c.findings {
        out.push('\n');
        finding(out, f, "####");
    }
    if c.outcome != Outcome::NotTls {
        ladder(out, c);
    }
    if let Some(cr) = &c.certificate_request {
        certificate_request(out, c, cr);
    }
    certificates(out, "Server certificates", c.server_certificates.as_deref());
    certificates(out, "Client certificates", c.client_certificates.as_deref());
}

fn finding(out: &mut String, f: &Finding, heading: &str) {
    let likely = if f.confidence == Confidence::Likely {
        " (likely)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{heading} {} `{}`{likely}: {}\n",
        mark(f.severity),
        f.code.as_str(),
        escape(&f.title)
    );
    // The explanation's indented lines (a list of CAs, of names) are a list.
    let mut in_list = false;
    for line in f.explanation.lines() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.len() < line.len() {
            let _ = writeln!(out, "- {}", escape(trimmed));
            in_list = true;
        } else {
            if in_list {
                out.push('\n');
            }
            let _ = writeln!(out, "{}\n", escape(trimmed));
            in_list = false;
        }
    }
    if in_list {
        out.push('\n');
    }
    if !f.remediation.is_empty() {
        let _ = writeln!(out, "**Fix:** {}\n", escape(&f.remediation));
    }
    if !f.frames.is_empty() {
        let frames: Vec<String> = f.frames.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "Evidence: frame{} {}",
            plural(frames.len() as u64),
            frames.join(", ")
        );
    }
}

/// The handshake as a table: frame, time since the connection's first frame, direction, message.
fn ladder(out: &mut String, c: &ConnectionReport) {
    let mut rows: Vec<(usize, u64, Option<super::Timestamp>, Party, String)> = c
        .messages
        .iter()
        .map(|m| (m.seq, m.frame, m.time, m.from, message_text(m)))
        .chain(
            c.alerts
                .iter()
                .map(|a| (a.seq, a.frame, a.time, a.from, alert_text(a))),
        )
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by_key(|(seq, ..)| *seq);
    out.push_str("\n| frame | time (s) | direction | message |\n|---:|---:|---|---|\n");
    for (_, frame, time, from, text) in rows {
        let arrow = match from {
            Party::Client => "client → server",
            Party::Server => "client ← server",
        };
        let _ = writeln!(
            out,
            "| {frame} | {} | {arrow} | {} |",
            relative(c.start, time),
            escape(&text)
        );
    }
    if c.dropped_events > 0 {
        let _ = writeln!(out, "\n{} more TLS events not kept.", c.dropped_events);
    }
    if c.messages.iter().any(|m| m.inferred.is_some())
        || c.alerts.iter().any(|a| a.inferred.is_some())
    {
        out.push_str(
            "\n\"likely\": what a TLS 1.3 record's size and place suggest; a key log shows the \
             real messages.\n",
        );
    }
}

fn certificate_request(out: &mut String, c: &ConnectionReport, cr: &CertificateRequest) {
    let frame = c
        .messages
        .iter()
        .find(|m| m.typ == "certificate_request")
        .map(|m| format!(" (frame {})", m.frame))
        .unwrap_or_default();
    let _ = writeln!(out, "\n**CertificateRequest**{frame}");
    if cr.certificate_authorities.is_empty() {
        out.push_str("- accepted CAs: any (the list is empty)\n");
    } else {
        out.push_str("- accepted CAs:\n");
        for ca in &cr.certificate_authorities {
            let _ = writeln!(out, "  - `{}`", code_span(ca));
        }
    }
    if !cr.certificate_types.is_empty() {
        let _ = writeln!(
            out,
            "- certificate types: {}",
            escape(&cr.certificate_types.join(", "))
        );
    }
    if !cr.signature_algorithms.is_empty() {
        let _ = writeln!(
            out,
            "- signature algorithms: {}",
            escape(&cr.signature_algorithms.join(", "))
        );
    }
}

fn certificates(out: &mut String, title: &str, list: Option<&[CertificateEntry]>) {
    let Some(list) = list else { return };
    if list.is_empty() {
        let _ = writeln!(out, "\n**{title}:** none (an empty Certificate message)");
        return;
    }
    let _ = writeln!(
        out,
        "\n**{title}**\n\n| # | subject | issuer | valid | key | SHA-256 | notes |\n|---:|---|---|---|---|---|---|"
    );
    for (i, entry) in list.iter().enumerate() {
        match entry {
            CertificateEntry::Parsed(cert) => {
                let mut notes = Vec::new();
                if cert.self_signed {
                    notes.push("self-signed".to_string());
                }
                if cert.is_ca {
                    notes.push("CA".to_string());
                }
                match cert.signature_valid {
                    Some(true) if !cert.self_signed => {
                        notes.push(format!("signed by #{}", i + 1));
                    }
                    Some(false) => notes.push(format!("SIGNATURE DOES NOT VERIFY with #{}", i + 1)),
                    _ => {}
                }
                if !cert.subject_alt_names.is_empty() {
                    notes.push(format!("names {}", cert.subject_alt_names.join(", ")));
                }
                if !cert.extended_key_usage.is_empty() {
                    notes.push(format!("EKU {}", cert.extended_key_usage.join(", ")));
                }
                let _ = writeln!(
                    out,
                    "| {i} | `{}` | `{}` | {} to {} | {} | `{}` | {} |",
                    code_span(&cert.subject),
                    code_span(&cert.issuer),
                    cert.not_before,
                    cert.not_after,
                    escape(&cert.public_key),
                    code_span(&cert.sha256),
                    escape(&notes.join("; "))
                );
            }
            CertificateEntry::Unparsable { error, der_length } => {
                let _ = writeln!(
                    out,
                    "| {i} | unreadable ({der_length} bytes): {} | | | | | |",
                    escape(error)
                );
            }
        }
    }
}

/// Text that Markdown would otherwise read as markup: emphasis, links, HTML, table cells. Code
/// spans the texts write on purpose (`` `--cert client.crt` ``) stay code spans; an underscore
/// inside a word (`TLS_AES_128_GCM_SHA256`) stays as it is (CommonMark does not read it as
/// emphasis), so prose stays readable as plain text.
fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        if ch == '`'
            && let Some(len) = chars[i + 1..].iter().position(|&c| c == '`')
        {
            // A code span, copied as it is (a pipe in it would still end a table cell).
            for &c in &chars[i..i + len + 2] {
                if c == '|' {
                    out.push('\\');
                }
                out.push(c);
            }
            i += len + 2;
            continue;
        }
        let inside_word = ch == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
        if matches!(ch, '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '|') && !inside_word {
            out.push('\\');
        }
        out.push(ch);
        i += 1;
    }
    // A line that would start a heading, a list or a quote.
    if out.starts_with('#') || out.starts_with("- ") || out.starts_with("+ ") {
        out.insert(0, '\\');
    }
    out
}

/// Text for inside a code span: backticks cannot be escaped there, and a pipe would end a
/// table cell.
fn code_span(text: &str) -> String {
    text.replace('`', "'").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::{code_span, escape};

    #[test]
    fn markup_is_escaped_but_identifiers_stay_readable() {
        assert_eq!(
            escape("TLS_AES_128_GCM_SHA256 *.example.com <b> a|b _x_"),
            "TLS_AES_128_GCM_SHA256 \\*.example.com \\<b\\> a\\|b \\_x\\_"
        );
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(
            escape("use `--cert a_b.pem`, not a lone ` tick"),
            "use `--cert a_b.pem`, not a lone \\` tick"
        );
        assert_eq!(code_span("a`b|c"), "a'b\\|c");
    }
}
