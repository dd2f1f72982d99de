//! The human-readable rendering of a [`Report`].

use std::fmt::Write;

use super::{ConnectionReport, Report, Traffic};
use crate::flow::{Opening, RoleBasis};

/// Renders the report as plain text (no colour; the CLI adds none at this stage).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
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
    if let (Some(start), Some(end)) = (&capture.start, &capture.end) {
        let _ = write!(out, ", {start} to {end}");
    }
    out.push('\n');
    let tls = report
        .connections
        .iter()
        .filter(|c| c.starts_like_tls)
        .count();
    let _ = writeln!(
        out,
        "{} TCP connection{}, {tls} starting like TLS",
        report.connections.len(),
        plural(report.connections.len() as u64),
    );
    if capture.truncated_frames > 0 {
        let _ = writeln!(
            out,
            "{} frame{} cut short by the capture's snapshot length",
            capture.truncated_frames,
            plural(capture.truncated_frames)
        );
    }
    if capture.decryption_secrets_blocks > 0 {
        let _ = writeln!(
            out,
            "{} pcapng decryption secrets block{} (key log) in the file",
            capture.decryption_secrets_blocks,
            plural(capture.decryption_secrets_blocks)
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
    for conn in &report.connections {
        out.push('\n');
        render_connection(&mut out, conn);
    }
    out
}

fn render_connection(out: &mut String, conn: &ConnectionReport) {
    let basis = match conn.role_basis {
        RoleBasis::Syn => "client sent the SYN",
        RoleBasis::SynAck => "server sent the SYN-ACK",
        RoleBasis::TlsHello => "client sent the TLS ClientHello",
        RoleBasis::Port => "guessed from the port numbers",
    };
    let _ = writeln!(
        out,
        "connection {}  {} → {}  ({basis})",
        conn.id, conn.client, conn.server
    );
    let _ = writeln!(
        out,
        "  frames {}–{}{}",
        conn.first_frame,
        conn.last_frame,
        match (conn.start_timestamp, conn.end_timestamp) {
            (Some(s), Some(e)) => {
                let ms = (e.nanos() - s.nanos()) / 1_000_000;
                format!(", {}.{:03} s", ms / 1000, ms % 1000)
            }
            _ => String::new(),
        }
    );
    traffic(out, "client → server", &conn.client_to_server);
    traffic(out, "server → client", &conn.server_to_client);
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
            Opening::Text => format!("text \"{}\"", printable(&opening.head)),
            Opening::Binary => format!("bytes {}", opening.head),
        };
        let _ = write!(out, "; starts with {what} (frame {})", opening.frame);
    }
    out.push('\n');
}

/// Decodes the hex head back to text, escaping what is not printable.
fn printable(hex: &str) -> String {
    let bytes =
        (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok());
    bytes
        .flat_map(|b| std::ascii::escape_default(b).map(char::from))
        .collect()
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
