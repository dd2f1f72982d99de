//! The words for facts that both the findings' prose and the report print: one place for how a
//! record, an anomaly, a date or some bytes read.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::capture::Timestamp;
use crate::model::{Anomaly, AnomalyKind, Event, EventKind, Party};
use crate::tls::decryption::{HiddenReason, Unsupported};

/// `client_hello` → `ClientHello`.
pub(crate) fn camel(snake: &str) -> String {
    snake.split('_').map(capitalize).collect()
}

/// `the client` → `The client`.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Bytes with everything but printable ASCII escaped (`GET / HTTP/1.1\r\n`).
pub(crate) fn printable(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

/// The first line of some text (up to 100 bytes), escaped: `GET / HTTP/1.1`.
pub(crate) fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .windows(2)
        .position(|w| w == b"\r\n")
        .or_else(|| bytes.iter().position(|b| *b == b'\n'))
        .unwrap_or(bytes.len())
        .min(100);
    printable(&bytes[..end])
}

/// What an HTTP answer's page says: the text of its `<title>`, when it has one in the bytes.
pub(crate) fn http_title(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("<title>")? + "<title>".len();
    let end = start + text[start..].find("</title>")?;
    let title = text[start..end].trim();
    // "400 The plain HTTP request was sent to HTTPS port": the status code is said already.
    let title = title
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim();
    (!title.is_empty()).then(|| printable(&title.as_bytes()[..title.len().min(120)]))
}

/// Text in quotes when the bytes are printable text, hex otherwise.
fn quoted_or_hex(bytes: &[u8]) -> String {
    if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\r' || *b == b'\n')
    {
        format!("\"{}\"", printable(bytes))
    } else {
        hex(bytes)
    }
}

/// A certificate date: RFC 3339 in UTC, to the second.
pub(crate) fn date(at: Timestamp) -> String {
    at.to_rfc3339().replace(".000000000Z", "Z")
}

/// A record's type as the report's `type` field spells it: the handshake type's name
/// (`client_hello`, `hello_retry_request`, …), or `encrypted_handshake`, `change_cipher_spec`,
/// `encrypted_record`, `application_data`, `heartbeat`, `sslv2_message_N`; `alert` for alerts.
pub(crate) fn record_type(e: &Event) -> Cow<'static, str> {
    match &e.kind {
        EventKind::Message(m) => m.kind().name(),
        EventKind::EncryptedHandshake { .. } => "encrypted_handshake".into(),
        EventKind::ChangeCipherSpec => "change_cipher_spec".into(),
        EventKind::Encrypted { .. } => "encrypted_record".into(),
        EventKind::ApplicationData { .. } => "application_data".into(),
        EventKind::Heartbeat { .. } => "heartbeat".into(),
        EventKind::Sslv2 { message_type, .. } => format!("sslv2_message_{message_type}").into(),
        EventKind::Alert(_) => "alert".into(),
    }
}

/// A record's name in prose: `ClientHello`, `ChangeCipherSpec`, `SSL 2.0 message`.
pub(crate) fn record_name(e: &Event) -> String {
    match e.kind {
        EventKind::Sslv2 { .. } => "SSL 2.0 message".to_string(),
        _ => camel(&record_type(e)),
    }
}

/// The report's name for an anomaly's kind.
pub(crate) fn anomaly_kind(kind: &AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::Midstream => "midstream",
        AnomalyKind::Gap { .. } => "gap",
        AnomalyKind::Overlap { .. } => "overlap",
        AnomalyKind::Truncated { .. } => "truncated",
        AnomalyKind::OutOfOrder => "out_of_order",
        AnomalyKind::StartTls { .. } => "starttls",
        AnomalyKind::NotTls { .. } => "not_tls",
        AnomalyKind::Resync { .. } => "resync",
        AnomalyKind::IncompleteMessage { .. } => "incomplete_message",
        AnomalyKind::OversizedMessage { .. } => "oversized_message",
        AnomalyKind::OneSided => "one_sided",
        AnomalyKind::Evicted { .. } => "evicted",
    }
}

/// An anomaly in words.
pub(crate) fn anomaly(a: &Anomaly) -> String {
    match &a.kind {
        AnomalyKind::Midstream => "the capture starts after this direction's SYN".into(),
        AnomalyKind::Gap { offset, len } => {
            format!("{len} bytes at stream offset {offset} were never captured")
        }
        AnomalyKind::Overlap { offset } => format!(
            "a retransmission differs from the first copy at stream offset {offset}; the first copy was kept"
        ),
        AnomalyKind::Truncated { offset, len } => {
            format!("the capture's snapshot length cut {len} bytes at stream offset {offset}")
        }
        AnomalyKind::OutOfOrder => "segments arrived out of order (reordered)".into(),
        AnomalyKind::StartTls { offset } => {
            format!("TLS starts after {offset} bytes of another protocol")
        }
        AnomalyKind::NotTls { offset, head } => format!(
            "bytes at stream offset {offset} are not TLS: {}",
            quoted_or_hex(head)
        ),
        AnomalyKind::Resync { offset } => {
            format!("TLS records found again at stream offset {offset}")
        }
        AnomalyKind::IncompleteMessage {
            typ,
            length,
            missing,
        } => format!("{missing} of {length} bytes of the {typ} are missing from the capture"),
        AnomalyKind::OversizedMessage { typ, length } => {
            format!("a {typ} claims {length} bytes; not read")
        }
        AnomalyKind::Evicted { limit } => format!(
            "{limit} connections were open at once: this one, idle since this frame, was analysed \
             as it stood, and later segments of its endpoints would count as another connection"
        ),
        AnomalyKind::OneSided => format!(
            "only the {}'s packets were captured",
            match a.from {
                Party::Client => "server",
                Party::Server => "client",
            }
        ),
    }
}

/// Why a direction's records stayed encrypted.
pub(crate) fn hidden_reason(reason: HiddenReason, unsupported: Option<Unsupported>) -> String {
    match reason {
        HiddenReason::Missing(label) => format!("the key log has no {}", label.name()),
        HiddenReason::Failed => {
            "decryption failed (or bytes of the record are missing from the capture)".into()
        }
        HiddenReason::Unsupported => {
            unsupported.map_or_else(|| "not decrypted by this tool".into(), |u| u.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(camel("client_hello"), "ClientHello");
        assert_eq!(capitalize("the server"), "The server");
        assert_eq!(printable(b"GET \r\n"), "GET \\r\\n");
        assert_eq!(quoted_or_hex(b"GET /"), "\"GET /\"");
        assert_eq!(quoted_or_hex(&[0, 1]), "0001");
        assert_eq!(hex(&[0xab, 0x01]), "ab01");
        assert_eq!(date(Timestamp::from_parts(0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            first_line(b"GET / HTTP/1.1\r\nHost: x\r\n"),
            "GET / HTTP/1.1"
        );
        let page = b"HTTP/1.1 400 Bad Request\r\n\r\n<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>";
        assert_eq!(
            http_title(page).as_deref(),
            Some("The plain HTTP request was sent to HTTPS port")
        );
        assert_eq!(http_title(b"HTTP/1.1 200 OK\r\n\r\nok"), None);
    }
}
