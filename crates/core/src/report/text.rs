//! The human-readable rendering of a [`Report`]: a summary first, then each connection with a
//! problem — its findings (what, why, what to change, evidence frames), the handshake as a
//! ladder (frame, time since the connection's first frame, direction, message, key details),
//! the certificates and the server's CertificateRequest. Healthy connections are counted, and
//! shown with [`TextOptions::all`]. Deterministic: no clock; colour only when asked for.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{
    Alert, CertificateEntry, Confidence, ConnectionReport, Finding, Message, Opening, Outcome,
    Party, Report, RoleBasis, Severity, Timestamp, Traffic,
};

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Show healthy connections too (those with only informational findings).
    pub all: bool,
    /// ANSI colours (for a terminal).
    pub color: bool,
    /// The report's connections were filtered (`--host`, `--port`, …) from this many.
    pub filtered_from: Option<usize>,
}

/// ANSI styles, empty when colour is off.
struct Style {
    red: &'static str,
    yellow: &'static str,
    cyan: &'static str,
    bold: &'static str,
    dim: &'static str,
    reset: &'static str,
}

impl Style {
    fn new(color: bool) -> Self {
        if color {
            Self {
                red: "\x1b[31m",
                yellow: "\x1b[33m",
                cyan: "\x1b[36m",
                bold: "\x1b[1m",
                dim: "\x1b[2m",
                reset: "\x1b[0m",
            }
        } else {
            Self {
                red: "",
                yellow: "",
                cyan: "",
                bold: "",
                dim: "",
                reset: "",
            }
        }
    }
}

/// Renders the report as text with the default options (problems only, no colour).
pub fn render(report: &Report) -> String {
    render_with(report, TextOptions::default())
}

/// Renders the report as text.
pub fn render_with(report: &Report, options: TextOptions) -> String {
    let style = Style::new(options.color);
    let mut out = String::new();
    header(&mut out, report, options.filtered_from);
    summary(&mut out, report, &style);
    let (shown, hidden) = selection(report, options.all, options.filtered_from);
    match shown {
        Shown::Groups => groups(&mut out, report, &style),
        Shown::Each(conns) => {
            for conn in conns {
                out.push('\n');
                connection(&mut out, conn, &style);
            }
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{hidden} connection{} without problems not shown (--all shows them)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    out
}

/// What a rendering of the connections shows.
pub(super) enum Shown<'a> {
    /// One group per cause ([`problem_groups`]).
    Groups,
    /// These connections, one by one.
    Each(Vec<&'a ConnectionReport>),
}

/// Which connections a rendering shows — groups when more than [`GROUP_FROM`] have a problem
/// (unless `all`), else each one with a problem (each one with `all`) — and how many without
/// a problem it leaves out, counting those the caller did not keep (a report lists at most
/// 100,000; the CLI keeps only those with problems) unless the connections were filtered.
pub(super) fn selection(
    report: &Report,
    all: bool,
    filtered_from: Option<usize>,
) -> (Shown<'_>, usize) {
    let problems: Vec<&ConnectionReport> = report
        .connections
        .iter()
        .filter(|c| all || c.has_problem())
        .collect();
    let mut hidden = report.connections.len() - problems.len();
    let shown = if !all && problems.len() > GROUP_FROM {
        Shown::Groups
    } else {
        Shown::Each(problems)
    };
    if filtered_from.is_none() && !all {
        let analysed = usize::try_from(report.capture.outcomes.connections).unwrap_or(usize::MAX);
        hidden += analysed.saturating_sub(report.connections.len());
    }
    (shown, hidden)
}

/// More connections with a problem than this are shown as groups, one per cause, each with one
/// example in full (`--all` and `--connection` still show any connection).
pub const GROUP_FROM: usize = 10;

/// Connections with a problem, grouped by their headline finding: how many, which clients and
/// servers, when, and the first one in full.
fn groups(out: &mut String, report: &Report, style: &Style) {
    let groups = problem_groups(report);
    let _ = writeln!(
        out,
        "\n{} connections with a problem, in {} group{} by cause; each group of errors shows its \
         first connection (--connection ID shows any in full, --all shows them all)",
        groups.iter().map(|(_, c)| c.len()).sum::<usize>(),
        groups.len(),
        plural(groups.len() as u64)
    );
    let start = report.capture.start;
    for (headline, conns) in &groups {
        let mark = if headline.severity == Severity::Error {
            format!("{}✗{}", style.red, style.reset)
        } else {
            format!("{}!{}", style.yellow, style.reset)
        };
        let _ = writeln!(
            out,
            "\n{mark} {}{}{} ×{}  {}",
            style.bold,
            headline.code.as_str(),
            style.reset,
            conns.len(),
            headline.title
        );
        let clients = addresses(conns.iter().map(|c| c.client));
        let servers = endpoints(conns.iter().map(|c| c.server));
        let _ = writeln!(out, "    clients: {clients}");
        let _ = writeln!(out, "    servers: {servers}");
        let first = conns.iter().filter_map(|c| c.start).min();
        let last = conns.iter().filter_map(|c| c.start).max();
        if let (Some(first), Some(last)) = (first, last)
            && first == last
        {
            let _ = writeln!(
                out,
                "    at {} ({} s into the capture)",
                first.to_rfc3339(),
                relative(start, Some(first)),
            );
        } else if let (Some(first), Some(last)) = (first, last) {
            let _ = writeln!(
                out,
                "    from {} to {} (connections starting {} s to {} s into the capture)",
                first.to_rfc3339(),
                last.to_rfc3339(),
                relative(start, Some(first)),
                relative(start, Some(last)),
            );
        }
        let _ = writeln!(out, "    connections: {}", ids(conns));
        // An error group's first connection in full; a warning's explanation only.
        match conns.first() {
            Some(example) if headline.severity == Severity::Error => {
                out.push('\n');
                connection_with(out, example, style, false);
            }
            Some(example) => {
                let _ = writeln!(out, "    connection {}:", example.id);
                finding(out, headline, style);
            }
            None => {}
        }
    }
}

/// The connections with a problem by their headline finding (its code and title: a code's
/// title differs when the cause does), errors first, then the largest groups.
pub(super) fn problem_groups(report: &Report) -> Vec<(&Finding, Vec<&ConnectionReport>)> {
    let mut groups: Vec<(&Finding, Vec<&ConnectionReport>)> = Vec::new();
    let mut by_code: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for conn in &report.connections {
        let Some(headline) = conn.findings.iter().find(|f| f.severity != Severity::Info) else {
            continue;
        };
        let key = (headline.code.as_str(), headline.title.as_str());
        let i = *by_code.entry(key).or_insert_with(|| {
            groups.push((headline, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(conn);
    }
    groups.sort_by_key(|(f, conns)| (f.severity, std::cmp::Reverse(conns.len())));
    groups
}

/// Connection ids: up to eight, then how many more.
pub(super) fn ids(conns: &[&ConnectionReport]) -> String {
    let shown: Vec<String> = conns.iter().take(8).map(|c| c.id.to_string()).collect();
    match conns.len().saturating_sub(8) {
        0 => shown.join(", "),
        more => format!("{}, … and {more} more", shown.join(", ")),
    }
}

/// Distinct IP addresses (or their pseudonyms): up to four by name, more as a count and their
/// lowest and highest.
pub(super) fn addresses(clients: impl Iterator<Item = super::Endpoint>) -> String {
    let set: std::collections::BTreeSet<super::Endpoint> =
        clients.map(|c| super::Endpoint { port: 0, ..c }).collect();
    collapsed(&set, "address", "addresses", super::Endpoint::host)
}

/// Distinct servers (address and port), collapsed as [`addresses`] are.
pub(super) fn endpoints(servers: impl Iterator<Item = super::Endpoint>) -> String {
    let set: std::collections::BTreeSet<super::Endpoint> = servers.collect();
    collapsed(&set, "server", "servers", ToString::to_string)
}

fn collapsed<T: Ord>(
    set: &std::collections::BTreeSet<T>,
    one: &str,
    many: &str,
    name: impl Fn(&T) -> String,
) -> String {
    if set.len() <= 4 {
        let names: Vec<String> = set.iter().map(name).collect();
        return names.join(", ");
    }
    match (set.first(), set.last()) {
        (Some(low), Some(high)) => format!("{} {many}, {} to {}", set.len(), name(low), name(high)),
        _ => format!("no {one}"),
    }
}

/// The diagnosis at a glance: failed connections by cause, and capture-wide findings.
/// The connections' headline codes (the first finding worse than informational), counted:
/// errors first, then the most frequent.
pub(super) fn causes(report: &Report) -> Vec<(&str, (usize, Severity))> {
    let mut causes: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for conn in &report.connections {
        if let Some(f) = conn.findings.iter().find(|f| f.severity != Severity::Info) {
            let entry = causes.entry(f.code.as_str()).or_insert((0, f.severity));
            entry.0 += 1;
        }
    }
    let mut list: Vec<(&str, (usize, Severity))> = causes.into_iter().collect();
    list.sort_by_key(|(code, (n, severity))| (*severity, std::cmp::Reverse(*n), *code));
    list
}

fn summary(out: &mut String, report: &Report, style: &Style) {
    let list = causes(report);
    if list.is_empty() && report.findings.is_empty() && !report.connections.is_empty() {
        let _ = writeln!(out, "no problems found");
    }
    if !list.is_empty() {
        let parts: Vec<String> = list
            .iter()
            .map(|(code, (n, severity))| {
                let color = if *severity == Severity::Error {
                    style.red
                } else {
                    style.yellow
                };
                format!("{color}{code}{} ×{n}", style.reset)
            })
            .collect();
        let _ = writeln!(out, "problems: {}", parts.join(", "));
    }
    for f in &report.findings {
        let _ = writeln!(out);
        finding(out, f, style);
    }
}

/// Up to three names, then "…".
fn ca_names(names: &[String]) -> String {
    if names.len() <= 3 {
        names.join("; ")
    } else {
        format!("{}; …", names[..3].join("; "))
    }
}

/// The line that counts the connections, and those with TLS by outcome.
fn counts(
    out: &mut String,
    report: &Report,
    tls: &[&ConnectionReport],
    filtered_from: Option<usize>,
) {
    let shown = report.connections.len();
    let n = match filtered_from {
        // Every connection analysed, listed or not (a report lists at most 100,000; a caller
        // may keep only those with problems).
        None => report.capture.outcomes,
        Some(total) if shown == 0 => {
            let _ = writeln!(
                out,
                "{total} TCP connection{} in the capture, none of them matches the filter",
                plural(total as u64)
            );
            return;
        }
        // The connections the filter kept.
        Some(_) => {
            let count = |o: Outcome| tls.iter().filter(|c| c.outcome == o).count() as u64;
            super::OutcomeCounts {
                connections: shown as u64,
                tls: tls.len() as u64,
                established: count(Outcome::Established),
                failed: count(Outcome::Failed),
                incomplete: count(Outcome::Incomplete),
            }
        }
    };
    let of = filtered_from.map_or_else(String::new, |total| {
        format!(" (of {total} in the capture, by the filter)")
    });
    let _ = writeln!(
        out,
        "{} TCP connection{}{of}, {} with TLS: {} established, {} failed, {} incomplete",
        n.connections,
        plural(n.connections),
        n.tls,
        n.established,
        n.failed,
        n.incomplete,
    );
}

pub(super) fn header(out: &mut String, report: &Report, filtered_from: Option<usize>) {
    let capture = &report.capture;
    let format = match (capture.format, capture.gzip) {
        (Some(f), true) => format!("{f} (gzip)"),
        (Some(f), false) => f.to_string(),
        (None, _) => "unknown format".to_string(),
    };
    let _ = write!(
        out,
        "{format}, {} frame{}",
        capture.frames,
        plural(capture.frames)
    );
    if !capture.link_types.is_empty() {
        let _ = write!(out, " ({})", capture.link_types.join(", "));
    }
    if let (Some(start), Some(end)) = (capture.start, capture.end) {
        let _ = write!(out, ", {} to {}", start.to_rfc3339(), end.to_rfc3339());
    }
    out.push('\n');
    let tls: Vec<&ConnectionReport> = report
        .connections
        .iter()
        .filter(|c| c.outcome != Outcome::NotTls)
        .collect();
    counts(out, report, &tls, filtered_from);
    if let Some(leaf) = report.supplied_client_certificates.first() {
        let more = report.supplied_client_certificates.len() - 1;
        let _ = writeln!(
            out,
            "your client certificate (--client-cert): {}, issued by {}, {}{}",
            leaf.subject,
            leaf.issuer,
            leaf.public_key,
            match more {
                0 => String::new(),
                n => format!(
                    ", with {n} more certificate{} of its chain",
                    plural(n as u64)
                ),
            }
        );
    }
    if !report.trust_store.is_empty() {
        let n = report.trust_store.len();
        let _ = writeln!(
            out,
            "your trust store (--ca): {}{}",
            ca_names(&report.trust_store),
            if n > 3 {
                format!(" ({n} CAs)")
            } else {
                String::new()
            }
        );
    }
    if capture.truncated_frames > 0 {
        let _ = writeln!(
            out,
            "{} frame{} cut short by the capture's snapshot length",
            capture.truncated_frames,
            plural(capture.truncated_frames)
        );
    }
    key_log(out, capture);
    if capture.evicted_connections > 0 {
        let _ = writeln!(
            out,
            "more than {} connections open at once: the {} idle longest were analysed as they stood",
            crate::flow::MAX_OPEN_CONNECTIONS,
            capture.evicted_connections
        );
    }
    if capture.unlisted_connections > 0 {
        let _ = writeln!(
            out,
            "{} more connections were analysed but are not listed: a report lists at most {} \
             (--format jsonl writes every one)",
            capture.unlisted_connections,
            crate::analyzer::MAX_LISTED
        );
    }
    if !capture.not_analysed.is_empty() {
        let parts: Vec<String> = capture
            .not_analysed
            .iter()
            .map(|n| format!("{} {}", n.frames, n.detail))
            .collect();
        let _ = writeln!(out, "not analysed: {}", parts.join(", "));
    }
}

/// The server's CertificateRequest: accepted CAs, certificate types, signature algorithms.
fn certificate_request(out: &mut String, cr: &super::CertificateRequest) {
    let _ = writeln!(out, "  certificate request:");
    if cr.certificate_authorities.is_empty() {
        let _ = writeln!(out, "    accepted CAs: any (the list is empty)");
    } else {
        let _ = writeln!(out, "    accepted CAs:");
        for ca in &cr.certificate_authorities {
            let _ = writeln!(out, "      {ca}");
        }
    }
    if !cr.certificate_types.is_empty() {
        let _ = writeln!(
            out,
            "    certificate types: {}",
            cr.certificate_types.join(", ")
        );
    }
    if !cr.signature_algorithms.is_empty() {
        let _ = writeln!(
            out,
            "    signature algorithms: {}",
            cr.signature_algorithms.join(", ")
        );
    }
}

fn connection(out: &mut String, conn: &ConnectionReport, style: &Style) {
    connection_with(out, conn, style, true);
}

/// A connection: its findings and ladder, then (`full`) its certificates, certificate request
/// and capture notes, or (a group's example) a line that says how to see them.
fn connection_with(out: &mut String, conn: &ConnectionReport, style: &Style, full: bool) {
    let _ = write!(
        out,
        "{}connection {}{}  {} → {}",
        style.bold, conn.id, style.reset, conn.client, conn.server
    );
    if let Some(sni) = &conn.sni {
        let _ = write!(out, "  SNI {sni}");
    }
    if let Some(version) = &conn.tls_version {
        let _ = write!(out, "  {version}");
    }
    let status = match conn.outcome {
        Outcome::Established => "established".to_string(),
        Outcome::Failed => format!("{}FAILED{}", style.red, style.reset),
        Outcome::Incomplete => "incomplete".to_string(),
        Outcome::NotTls => "not TLS".to_string(),
    };
    let _ = writeln!(
        out,
        "  {status}{}",
        if conn.resumed { " (resumed)" } else { "" }
    );
    let basis = match conn.role_basis {
        RoleBasis::Syn => "client sent the SYN",
        RoleBasis::SynAck => "server sent the SYN-ACK",
        RoleBasis::TlsHello => "client sent the ClientHello",
        RoleBasis::Port => "client and server guessed from the ports",
    };
    let mut facts = vec![
        format!("frames {}–{}", conn.first_frame, conn.last_frame),
        duration(conn.start, conn.end),
        basis.to_string(),
    ];
    if let Some(suite) = &conn.cipher_suite {
        facts.insert(0, suite.clone());
    }
    if let Some(protocol) = conn.starttls {
        facts.push(format!("TLS after {protocol} STARTTLS"));
    }
    facts.retain(|f| !f.is_empty());
    let _ = writeln!(out, "  {}{}{}", style.dim, facts.join("; "), style.reset);
    if let Some(d) = &conn.decryption {
        decryption(out, d, style);
    }
    for f in &conn.findings {
        finding(out, f, style);
    }
    if conn.outcome == Outcome::NotTls {
        traffic(out, "client → server", &conn.client_to_server);
        traffic(out, "server → client", &conn.server_to_client);
    } else {
        ladder(out, conn, style);
    }
    let more = conn.server_certificates.is_some()
        || conn.client_certificates.is_some()
        || conn.certificate_request.is_some()
        || !conn.anomalies.is_empty();
    if !full {
        if more {
            let _ = writeln!(
                out,
                "  {}(--connection {} adds its certificates, certificate request, fingerprints and capture notes){}",
                style.dim, conn.id, style.reset
            );
        } else if conn.client_hello.is_some() || conn.server_hello.is_some() {
            let _ = writeln!(
                out,
                "  {}(--connection {} adds its fingerprints){}",
                style.dim, conn.id, style.reset
            );
        }
        return;
    }
    certificates(
        out,
        "server certificates",
        conn.server_certificates.as_deref(),
    );
    certificates(
        out,
        "client certificates",
        conn.client_certificates.as_deref(),
    );
    if let Some(cr) = &conn.certificate_request {
        certificate_request(out, cr);
    }
    fingerprints(out, conn);
    if !conn.anomalies.is_empty() {
        let _ = writeln!(out, "  capture notes:");
        for a in &conn.anomalies {
            let _ = writeln!(
                out,
                "    frame {:>5}  {}: {}",
                a.frame,
                party(a.from),
                a.detail
            );
        }
    }
}

/// The hellos' fingerprints (JA4 and JA3 of the last ClientHello, JA3S of the ServerHello)
/// and the stack the client looks like.
fn fingerprints(out: &mut String, conn: &ConnectionReport) {
    const LABEL: &str = "  fingerprints: ";
    let hanging = " ".repeat(LABEL.len());
    let mut lines = Vec::new();
    if let Some(ch) = &conn.client_hello {
        let f = &ch.fingerprints;
        lines.push(format!("JA4 {}  JA3 {}", f.ja4, f.ja3));
    }
    if let Some(sh) = &conn.server_hello {
        lines.push(format!("JA3S {}", sh.fingerprints.ja3s));
    }
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(out, "{}{line}", if i == 0 { LABEL } else { &hanging });
    }
    if let Some(stack) = &conn.client_stack {
        let text = format!("client stack: likely {}, from {}", stack.name, stack.basis);
        let mut first = true;
        let mut line = String::new();
        for word in text.split_whitespace() {
            let indent = if first { 2 } else { LABEL.len() };
            if !line.is_empty() && indent + line.chars().count() + 1 + word.chars().count() > 100 {
                let _ = writeln!(out, "{}{line}", " ".repeat(indent));
                line.clear();
                first = false;
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        let indent = if first { 2 } else { LABEL.len() };
        let _ = writeln!(out, "{}{line}", " ".repeat(indent));
    }
}

/// One finding: mark, code and title; the explanation; the fix; the evidence frames.
/// The capture's key logs: embedded blocks, and what the key log in use matched.
fn key_log(out: &mut String, capture: &super::CaptureSummary) {
    if capture.decryption_secrets_blocks > 0 {
        let _ = writeln!(
            out,
            "{} pcapng decryption secrets block{} (key log) in the file",
            capture.decryption_secrets_blocks,
            plural(capture.decryption_secrets_blocks)
        );
    }
    let Some(k) = &capture.key_log else {
        return;
    };
    let _ = writeln!(
        out,
        "key log: secrets for {} session{} ({} line{}, {} not used); {} connection{} matched",
        k.sessions,
        plural(k.sessions as u64),
        k.lines,
        plural(k.lines),
        k.skipped_lines,
        k.connections_matched,
        plural(k.connections_matched as u64)
    );
}

/// The key log's coverage of a connection, in a line or a few.
fn decryption(out: &mut String, d: &super::Decryption, style: &Style) {
    let mut line = if d.matched {
        format!(
            "key log: {} record{} decrypted ({})",
            d.records_decrypted,
            plural(d.records_decrypted),
            d.secrets.join(", ")
        )
    } else if let Some(note) = &d.note {
        format!("key log: not used: {note}")
    } else {
        "key log: no secrets for this connection's ClientHello random".to_string()
    };
    if let (true, Some(note)) = (d.matched, &d.note) {
        let _ = write!(line, "; {note}");
    }
    for h in &d.hidden {
        let _ = write!(
            line,
            "; {} {} record{} from frame {} stayed encrypted: {}",
            h.records,
            party(h.from),
            plural(h.records),
            h.first_frame,
            h.reason
        );
    }
    for f in &d.failures {
        let _ = write!(
            line,
            "; the {}'s record at frame {} did not decrypt ({})",
            party(f.from),
            f.frame,
            if f.reason == "authentication" {
                "authentication tag mismatch"
            } else {
                "malformed"
            }
        );
    }
    if let Some(h) = &d.http_response {
        let _ = write!(
            line,
            "; the server answered \"{}\" (frame {})",
            h.status_line, h.frame
        );
    }
    let _ = writeln!(out, "  {}{line}{}", style.dim, style.reset);
}

fn finding(out: &mut String, f: &Finding, style: &Style) {
    let (mark, color) = match f.severity {
        Severity::Error => ("✗", style.red),
        Severity::Warning => ("!", style.yellow),
        Severity::Info => ("i", style.cyan),
    };
    let likely = if f.confidence == Confidence::Likely {
        " (likely)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "  {color}{mark} {}{}  {}{}{}{likely}",
        f.code, style.reset, style.bold, f.title, style.reset
    );
    for line in f.explanation.lines() {
        wrap(out, line, "      ");
    }
    if !f.remediation.is_empty() {
        wrap(out, &format!("Fix: {}", f.remediation), "      ");
    }
    if !f.frames.is_empty() {
        let frames: Vec<String> = f.frames.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "      {}Evidence: frame{} {}{}",
            style.dim,
            if frames.len() == 1 { "" } else { "s" },
            frames.join(", "),
            style.reset
        );
    }
}

/// Writes `text` wrapped at 100 columns; continuation lines keep the text's own indentation.
fn wrap(out: &mut String, text: &str, indent: &str) {
    const WIDTH: usize = 100;
    let own = &text[..text.len() - text.trim_start().len()];
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && indent.len() + own.len() + line.len() + 1 + word.chars().count() > WIDTH
        {
            let _ = writeln!(out, "{indent}{own}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    let _ = writeln!(out, "{indent}{own}{line}");
}

/// One line of the ladder.
enum Step<'a> {
    Message(&'a Message),
    Alert(&'a Alert),
}

fn ladder(out: &mut String, conn: &ConnectionReport, style: &Style) {
    let mut steps: Vec<(usize, Step<'_>)> = conn
        .messages
        .iter()
        .map(|m| (m.seq, Step::Message(m)))
        .chain(conn.alerts.iter().map(|a| (a.seq, Step::Alert(a))))
        .collect();
    steps.sort_by_key(|(seq, _)| *seq);
    let _ = writeln!(out, "  frame  time (s)   direction        message");
    let mut last_frame = None;
    for (_, step) in &steps {
        let (frame, timestamp, from, text) = match step {
            Step::Message(m) => (m.frame, m.time, m.from, message_text(m)),
            Step::Alert(a) => (a.frame, a.time, a.from, alert_text(a)),
        };
        let time = if last_frame == Some(frame) {
            String::new()
        } else {
            relative(conn.start, timestamp)
        };
        let frame_text = if last_frame == Some(frame) {
            String::new()
        } else {
            frame.to_string()
        };
        last_frame = Some(frame);
        let arrow = match from {
            Party::Client => "client → server",
            Party::Server => "client ← server",
        };
        let text = match step {
            Step::Alert(_) => format!("{}{text}{}", style.red, style.reset),
            Step::Message(m) if m.certificates_length == Some(0) => {
                format!("{}{text}{}", style.yellow, style.reset)
            }
            Step::Message(_) => text,
        };
        let _ = writeln!(out, "  {frame_text:>5}  {time:<9}  {arrow}  {text}");
    }
    if conn.dropped_events > 0 {
        let _ = writeln!(
            out,
            "  …      {} more TLS events not kept",
            conn.dropped_events
        );
    }
    if conn.messages.iter().any(|m| m.inferred.is_some())
        || conn.alerts.iter().any(|a| a.inferred.is_some())
    {
        let _ = writeln!(
            out,
            "  (\"likely\": what a TLS 1.3 record's size and place suggest; a key log shows the real messages)"
        );
    }
}

pub(super) fn message_text(m: &Message) -> String {
    let name = match &*m.typ {
        "encrypted_handshake" => format!("encrypted handshake message ({} bytes)", m.length),
        "encrypted_record" => format!("encrypted record ({} bytes)", m.length),
        "change_cipher_spec" => "ChangeCipherSpec".to_string(),
        "heartbeat" => format!("heartbeat ({} bytes)", m.length),
        other => crate::words::camel(other),
    };
    let mut text = name;
    if let Some(summary) = &m.summary {
        let _ = write!(text, "  {summary}");
    }
    if m.incomplete {
        text.push_str("  (incomplete: bytes missing from the capture)");
    }
    text
}

pub(super) fn alert_text(a: &Alert) -> String {
    match (&a.level, &a.description, a.code) {
        (Some(level), Some(description), Some(code)) => {
            format!("Alert {level} {description} ({code})")
        }
        _ => match a.inferred {
            Some("close_notify") => format!(
                "encrypted record ({} bytes)  likely a close_notify alert",
                a.length
            ),
            Some(_) => format!(
                "encrypted record ({} bytes)  likely a fatal alert",
                a.length
            ),
            None => format!("encrypted alert ({} bytes)", a.length),
        },
    }
}

fn certificates(out: &mut String, title: &str, list: Option<&[CertificateEntry]>) {
    let Some(list) = list else { return };
    if list.is_empty() {
        let _ = writeln!(out, "  {title}: none (an empty Certificate message)");
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for (i, entry) in list.iter().enumerate() {
        match entry {
            CertificateEntry::Parsed(c) => {
                let _ = writeln!(out, "    [{i}] {}", c.subject);
                let _ = writeln!(out, "        issuer {}", c.issuer);
                let _ = writeln!(
                    out,
                    "        valid {} to {}; {}; {}{}",
                    c.not_before,
                    c.not_after,
                    c.public_key,
                    c.signature_algorithm,
                    if c.self_signed { "; self-signed" } else { "" }
                );
                match (c.signature_valid, c.self_signed) {
                    (Some(true), true) => {
                        let _ = writeln!(out, "        signature verified with its own key");
                    }
                    (Some(true), false) => {
                        let _ = writeln!(
                            out,
                            "        signature verified with the key of [{}]",
                            i + 1
                        );
                    }
                    (Some(false), _) => {
                        let _ = writeln!(
                            out,
                            "        SIGNATURE DOES NOT VERIFY with the key of [{}], which it names as issuer",
                            i + 1
                        );
                    }
                    (None, _) => {}
                }
                if !c.subject_alt_names.is_empty() {
                    let _ = writeln!(out, "        names {}", c.subject_alt_names.join(", "));
                }
                if !c.extended_key_usage.is_empty() {
                    let _ = writeln!(
                        out,
                        "        extended key usage {}",
                        c.extended_key_usage.join(", ")
                    );
                }
            }
            CertificateEntry::Unparsable { error, der_length } => {
                let _ = writeln!(
                    out,
                    "    [{i}] unreadable certificate ({der_length} bytes): {error}"
                );
            }
        }
    }
}

fn traffic(out: &mut String, label: &str, t: &Traffic) {
    let mut flags = Vec::new();
    if t.syn {
        flags.push("SYN");
    }
    if t.fin {
        flags.push("FIN");
    }
    if t.rst {
        flags.push("RST");
    }
    let _ = write!(
        out,
        "  {label}: {} frame{}, {} bytes ({} payload)",
        t.frames,
        plural(t.frames),
        t.bytes,
        t.payload_bytes
    );
    if !flags.is_empty() {
        let _ = write!(out, ", {}", flags.join(" "));
    }
    if let Some(opening) = &t.opening {
        let what = match opening.kind {
            Opening::TlsClientHello => "a TLS ClientHello".to_string(),
            Opening::Sslv2ClientHello => "an SSLv2-compatible ClientHello".to_string(),
            Opening::TlsServerHello => "a TLS ServerHello".to_string(),
            Opening::TlsRecord => "a TLS record".to_string(),
            Opening::Text => format!("text \"{}\"", crate::words::printable(&opening.raw)),
            Opening::Binary => format!("bytes {}", opening.head),
        };
        let _ = write!(out, "; starts with {what} (frame {})", opening.frame);
    }
    out.push('\n');
}

pub(super) fn party(p: Party) -> &'static str {
    match p {
        Party::Client => "client",
        Party::Server => "server",
    }
}

pub(super) fn duration(start: Option<Timestamp>, end: Option<Timestamp>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{} s", seconds(e.nanos() - s.nanos())),
        _ => String::new(),
    }
}

pub(super) fn relative(start: Option<Timestamp>, at: Option<Timestamp>) -> String {
    match (start, at) {
        (Some(s), Some(t)) => seconds(t.nanos() - s.nanos()),
        _ => String::new(),
    }
}

/// Seconds with millisecond precision, from nanoseconds (integer arithmetic).
fn seconds(nanos: i64) -> String {
    let ms = nanos.div_euclid(1_000_000);
    let sign = if ms < 0 { "-" } else { "" };
    format!("{sign}{}.{:03}", ms.abs() / 1000, ms.abs() % 1000)
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
