//! From one connection's TLS events to what the report says about its handshake: the message
//! ladder, alerts, negotiated parameters, certificates and the outcome.
//!
//! Sides A/B of the flow table become client/server here, once the roles are known.

use std::borrow::Cow;

use crate::flow::{Connection, Roles};
use crate::reassembly::StreamEvent;
use crate::report::{
    AlertReport, Anomaly, CertificateRequestReport, DecryptionFailure, DecryptionReport,
    HiddenRecords, HttpResponse, MessageReport, Outcome, Party,
};
use crate::tls::decryption::HiddenReason;
use crate::tls::handshake::{self, CertEntry, ClientHello, Details, ServerHello};
use crate::tls::{EventKind, TlsConnection, TlsEvent, names};
use crate::verify::Verdict;

/// The TLS part of a connection's report.
#[derive(Debug, Default)]
pub(crate) struct TlsView {
    pub(crate) tls_version: Option<String>,
    pub(crate) cipher_suite: Option<String>,
    pub(crate) sni: Option<String>,
    pub(crate) alpn: handshake::Names,
    pub(crate) alpn_selected: Option<String>,
    pub(crate) outcome: Option<Outcome>,
    pub(crate) resumed: bool,
    pub(crate) client_certificate_requested: Option<bool>,
    pub(crate) certificate_request: Option<CertificateRequestReport>,
    pub(crate) server_certificates: Option<std::sync::Arc<[CertEntry]>>,
    pub(crate) client_certificates: Option<std::sync::Arc<[CertEntry]>>,
    pub(crate) client_hello: Option<ClientHello>,
    pub(crate) server_hello: Option<ServerHello>,
    pub(crate) messages: Vec<MessageReport>,
    pub(crate) alerts: Vec<AlertReport>,
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) starttls: bool,
    pub(crate) dropped_events: u64,
}

fn party(side: usize, roles: &Roles) -> Party {
    if (side == 0) == roles.client_is_a {
        Party::Client
    } else {
        Party::Server
    }
}

/// Builds the TLS view of a connection.
pub(crate) fn build(
    conn: &Connection,
    roles: &Roles,
    tls: &TlsConnection,
    stream_events: [&[StreamEvent]; 2],
) -> TlsView {
    let mut view = TlsView {
        starttls: tls.upgraded(),
        dropped_events: tls.dropped_events,
        ..TlsView::default()
    };
    let version = tls.version;
    for (seq, event) in tls.events.iter().enumerate() {
        tls_event(&mut view, event, party(event.side, roles), seq);
    }
    for (side, events) in stream_events.iter().enumerate() {
        let from = party(side, roles);
        view.anomalies
            .extend(events.iter().map(|e| stream_anomaly(e, from)));
    }
    let (client, server) = conn.stats_by_role();
    for (silent, talker, stats) in [
        (Party::Server, "client", server),
        (Party::Client, "server", client),
    ] {
        if stats.frames == 0 {
            view.anomalies.push(Anomaly {
                frame: conn.first_frame,
                from: silent,
                kind: "one_sided".into(),
                detail: format!("only the {talker}'s packets were captured"),
            });
        }
    }
    view.anomalies.sort_by_key(|a| a.frame);
    if let Some(sh) = &view.server_hello {
        view.tls_version = Some(sh.version.clone());
        view.cipher_suite = Some(sh.cipher_suite.clone());
        view.alpn_selected.clone_from(&sh.alpn);
    } else if let Some(ch) = &view.client_hello {
        // No ServerHello: nothing was negotiated; the version stays unknown.
        let _ = ch;
    }
    if let Some(ch) = &view.client_hello {
        view.sni.clone_from(&ch.sni);
        view.alpn.clone_from(&ch.alpn);
    }
    view.resumed = resumed(&view, version);
    view.client_certificate_requested = certificate_requested(&view, version);
    view.outcome = Some(outcome(conn, roles, tls, &view, version));
    view
}

/// A record or message to list: type, encrypted, length, handshake type, incomplete.
type Listed = (Cow<'static, str>, bool, u32, Option<u8>, bool);

/// Adds one TLS event to the view.
fn tls_event(view: &mut TlsView, event: &TlsEvent, from: Party, seq: usize) {
    let Some((typ, encrypted, length, handshake_type, incomplete)) =
        classify(view, event, from, seq)
    else {
        return;
    };
    let mut m = MessageReport {
        frame: event.frame,
        first_frame: (event.first_frame != event.frame).then_some(event.first_frame),
        time: event.time,
        from,
        typ,
        encrypted,
        decrypted: event.decrypted,
        length,
        certificates_length: None,
        incomplete,
        sslv2_format: false,
        handshake_type,
        seq,
        summary: None,
        signature_valid: None,
    };
    if let EventKind::Handshake(msg) = &event.kind {
        absorb(view, from, &msg.details, &mut m);
    }
    view.messages.push(m);
}

/// Records alerts and anomalies; returns what is to be listed as a message.
fn classify(view: &mut TlsView, event: &TlsEvent, from: Party, seq: usize) -> Option<Listed> {
    let anomaly = |kind: &str, detail: String| Anomaly {
        frame: event.frame,
        from,
        kind: kind.into(),
        detail,
    };
    match &event.kind {
        EventKind::Handshake(m) => Some((
            names::handshake_type(m.typ),
            false,
            m.length,
            Some(m.typ),
            false,
        )),
        EventKind::HandshakeIncomplete {
            typ,
            length,
            missing,
        } => {
            let name = names::handshake_type(*typ);
            let detail =
                format!("{missing} of {length} bytes of the {name} are missing from the capture");
            view.anomalies.push(anomaly("incomplete_message", detail));
            Some((name, false, *length, Some(*typ), true))
        }
        EventKind::HandshakeOversized { typ, length } => {
            let name = names::handshake_type(*typ);
            view.anomalies.push(anomaly(
                "oversized_message",
                format!("a {name} claims {length} bytes; not read"),
            ));
            Some((name, false, *length, Some(*typ), true))
        }
        EventKind::EncryptedHandshake { length } => Some((
            "encrypted_handshake".into(),
            true,
            u32::from(*length),
            None,
            false,
        )),
        EventKind::ChangeCipherSpec { .. } => {
            Some(("change_cipher_spec".into(), false, 1, None, false))
        }
        EventKind::EncryptedRecord { length } => Some((
            "encrypted_record".into(),
            true,
            u32::from(*length),
            None,
            false,
        )),
        EventKind::ApplicationData { length } => Some((
            "application_data".into(),
            false,
            u32::from(*length),
            None,
            false,
        )),
        EventKind::Heartbeat { length } => {
            Some(("heartbeat".into(), true, u32::from(*length), None, false))
        }
        EventKind::Sslv2Record {
            message_type,
            length,
        } => Some((
            format!("sslv2_message_{message_type}").into(),
            false,
            u32::from(*length),
            None,
            false,
        )),
        EventKind::Alert { .. } | EventKind::EncryptedAlert { .. } => {
            view.alerts.push(alert(event, from, seq));
            None
        }
        EventKind::Upgrade { offset } => {
            view.anomalies.push(anomaly(
                "starttls",
                format!("TLS starts after {offset} bytes of another protocol"),
            ));
            None
        }
        EventKind::NotTls { offset, head } => {
            let detail = format!(
                "bytes at stream offset {offset} are not TLS: {}",
                printable(head)
            );
            view.anomalies.push(anomaly("not_tls", detail));
            None
        }
        EventKind::Resync { offset } => {
            view.anomalies.push(anomaly(
                "resync",
                format!("TLS records found again at stream offset {offset}"),
            ));
            None
        }
    }
}

fn alert(event: &TlsEvent, from: Party, seq: usize) -> AlertReport {
    let (level, code, length) = match event.kind {
        EventKind::Alert { level, description } => (Some(level), Some(description), 2),
        EventKind::EncryptedAlert { length } => (None, None, length),
        _ => (None, None, 0),
    };
    AlertReport {
        frame: event.frame,
        time: event.time,
        from,
        level: level.map(names::alert_level),
        code,
        description: code.map(names::alert_description),
        encrypted: code.is_none(),
        decrypted: event.decrypted,
        length,
        seq,
    }
}

/// Describes a reassembly anomaly.
fn stream_anomaly(e: &StreamEvent, from: Party) -> Anomaly {
    match *e {
        StreamEvent::MidstreamStart { frame } => Anomaly {
            frame,
            from,
            kind: "midstream".into(),
            detail: "the capture starts after this direction's SYN".into(),
        },
        StreamEvent::Gap { frame, offset, len } => Anomaly {
            frame,
            from,
            kind: "gap".into(),
            detail: format!("{len} bytes at stream offset {offset} were never captured"),
        },
        StreamEvent::Overlap { frame, offset } => Anomaly {
            frame,
            from,
            kind: "overlap".into(),
            detail: format!(
                "a retransmission differs from the first copy at stream offset {offset}; the first copy was kept"
            ),
        },
        StreamEvent::Truncated { frame, offset, len } => Anomaly {
            frame,
            from,
            kind: "truncated".into(),
            detail: format!(
                "the capture's snapshot length cut {len} bytes at stream offset {offset}"
            ),
        },
        StreamEvent::OutOfOrder { frame } => Anomaly {
            frame,
            from,
            kind: "out_of_order".into(),
            detail: "segments arrived out of order (reordered)".into(),
        },
    }
}

/// Takes what the report needs from a message's details.
fn absorb(view: &mut TlsView, from: Party, details: &Details, m: &mut MessageReport) {
    match details {
        Details::ClientHello(ch) if from == Party::Client => {
            m.sslv2_format = ch.sslv2_format;
            m.summary = Some(client_hello_summary(ch));
            // After a HelloRetryRequest the second ClientHello is the one that counts.
            view.client_hello = Some((**ch).clone());
        }
        Details::ServerHello(sh) if from == Party::Server => {
            if sh.hello_retry_request {
                m.typ = "hello_retry_request".into();
            }
            m.summary = Some(format!("{}, {}", sh.version, sh.cipher_suite));
            view.server_hello = Some((**sh).clone());
        }
        Details::Certificate(c) => {
            m.certificates_length = Some(c.list_length);
            m.summary = Some(if c.list_length == 0 {
                "EMPTY: no certificate (certificates length 0)".to_string()
            } else {
                let n = c.certificates.len();
                format!(
                    "{n} certificate{} ({} bytes){}",
                    if n == 1 { "" } else { "s" },
                    c.list_length,
                    c.malformed
                        .as_ref()
                        .map_or(String::new(), |m| format!("; malformed: {m}"))
                )
            });
            let list = Some(c.certificates.clone());
            match from {
                Party::Server => view.server_certificates = list,
                Party::Client => view.client_certificates = list,
            }
        }
        Details::CertificateRequest(cr) if from == Party::Server => {
            m.summary = Some(if cr.certificate_authorities.is_empty() {
                "accepts a certificate from any CA (empty CA list)".to_string()
            } else {
                format!(
                    "accepts certificates issued by {} CA{}",
                    cr.certificate_authorities.len(),
                    if cr.certificate_authorities.len() == 1 {
                        ""
                    } else {
                        "s"
                    }
                )
            });
            view.certificate_request = Some((**cr).clone());
        }
        Details::Malformed { reason } => m.summary = Some(format!("malformed: {reason}")),
        Details::NewSessionTicket { lifetime, .. } => {
            m.summary = Some(format!("lifetime {lifetime} s"));
        }
        Details::CertificateVerify {
            signature_scheme,
            check,
        } => {
            let scheme = signature_scheme.as_deref().unwrap_or("signature");
            m.summary = Some(match check {
                Some(Verdict::Valid) => {
                    m.signature_valid = Some(true);
                    format!("{scheme}, verified with the client certificate's key")
                }
                Some(Verdict::Invalid) => {
                    m.signature_valid = Some(false);
                    format!("{scheme}: DOES NOT VERIFY with the client certificate's key")
                }
                Some(Verdict::Unchecked(why)) => format!("{scheme} (not checked: {why})"),
                None => scheme.to_string(),
            });
        }
        _ => {}
    }
}

fn client_hello_summary(ch: &ClientHello) -> String {
    let mut parts = Vec::new();
    if ch.sslv2_format {
        parts.push("SSLv2 format".to_string());
    }
    parts.push(if ch.supported_versions.is_empty() {
        format!("offers up to {}", ch.legacy_version)
    } else {
        format!("offers {}", ch.supported_versions.join(", "))
    });
    parts.push(format!("{} cipher suites", ch.cipher_suites.len()));
    if let Some(sni) = &ch.sni {
        parts.push(format!("SNI {sni}"));
    }
    if !ch.alpn.is_empty() {
        parts.push(format!("ALPN {}", ch.alpn.join(",")));
    }
    parts.join(", ")
}

/// TLS ≤ 1.2: the server went from ServerHello straight to ChangeCipherSpec (abbreviated
/// handshake, RFC 5246 §7.3). TLS 1.3: the server accepted a pre-shared key.
fn resumed(view: &TlsView, version: Option<u16>) -> bool {
    let Some(sh) = &view.server_hello else {
        return false;
    };
    if version.is_some_and(handshake::is_tls13_version) {
        return sh.pre_shared_key;
    }
    let mut after_hello = view
        .messages
        .iter()
        .filter(|m| m.from == Party::Server)
        .skip_while(|m| m.typ != "server_hello");
    after_hello.next();
    after_hello
        .find(|m| m.typ != "new_session_ticket")
        .is_some_and(|m| m.typ == "change_cipher_spec")
}

/// Whether the server asked for a client certificate: `None` when it cannot be seen.
fn certificate_requested(view: &TlsView, version: Option<u16>) -> Option<bool> {
    if view.certificate_request.is_some()
        || view
            .messages
            .iter()
            .any(|m| m.typ == "certificate_request" && m.from == Party::Server)
    {
        return Some(true);
    }
    if version.is_some_and(handshake::is_tls13_version) {
        return None;
    }
    // In TLS ≤ 1.2 a CertificateRequest comes before ServerHelloDone, in clear.
    let done = view
        .messages
        .iter()
        .any(|m| m.typ == "server_hello_done" && m.from == Party::Server);
    (done || view.resumed).then_some(false)
}

fn outcome(
    conn: &Connection,
    roles: &Roles,
    tls: &TlsConnection,
    view: &TlsView,
    version: Option<u16>,
) -> Outcome {
    if !tls.is_tls() || (view.messages.is_empty() && view.alerts.is_empty()) {
        return Outcome::NotTls;
    }
    let fatal = |e: &&TlsEvent| matches!(e.kind, EventKind::Alert { level: 2, .. });
    let first_fatal = tls.events.iter().find(fatal).map(|e| e.frame);
    let established_at = established_frame(tls, roles, version);
    match (established_at, first_fatal) {
        (Some(done), Some(alert)) if alert < done => Outcome::Failed,
        (Some(_), _) => Outcome::Established,
        (None, Some(_)) => Outcome::Failed,
        (None, None) => {
            let (client, server) = conn.stats_by_role();
            let closed = client.sent_fin || client.sent_rst || server.sent_fin || server.sent_rst;
            if closed || view.alerts.iter().any(|a| a.encrypted) {
                Outcome::Failed
            } else {
                Outcome::Incomplete
            }
        }
    }
}

/// The largest TLS 1.3 record taken for an encrypted alert: 19 bytes plus a little padding.
const ALERT_SIZED: u16 = 24;

/// The frame at which the handshake visibly completed, if it did.
fn established_frame(tls: &TlsConnection, roles: &Roles, version: Option<u16>) -> Option<u64> {
    let side_of = |p: Party| usize::from((p == Party::Client) != roles.client_is_a);
    let (client, server) = (side_of(Party::Client), side_of(Party::Server));
    let finished = |side: usize| {
        tls.events.iter().position(|e| {
            e.side == side && matches!(&e.kind, EventKind::Handshake(m) if m.typ == 20)
        })
    };
    if version.is_some_and(handshake::is_tls13_version)
        && let (Some(client_fin), Some(_)) = (finished(client), finished(server))
    {
        // Decrypted: the client's Finished completes the handshake, unless the server's next
        // word is a fatal alert (it rejected the client's flight: certificate_required, …).
        let answers: Vec<&TlsEvent> = tls.events[client_fin + 1..]
            .iter()
            .filter(|e| {
                e.side == server
                    && matches!(
                        e.kind,
                        EventKind::Alert { .. }
                            | EventKind::ApplicationData { .. }
                            | EventKind::Handshake(_)
                            | EventKind::EncryptedRecord { .. }
                    )
            })
            .collect();
        // A record the key log could not open counts by its size, as without keys.
        let rejected = match answers.first().map(|e| &e.kind) {
            Some(EventKind::Alert { level: 2, .. }) => true,
            Some(EventKind::EncryptedRecord { length }) => {
                answers.len() == 1 && *length <= ALERT_SIZED
            }
            _ => false,
        };
        return (!rejected).then(|| tls.events[client_fin].frame);
    }
    if version.is_some_and(handshake::is_tls13_version) {
        // Without keys, from record sizes (RFC 8446 §5.2: an encrypted alert is 2 + 1 + 16 =
        // 19 bytes, plus any padding). The client's first encrypted record after the ServerHello
        // starts its Finished flight; an alert-sized one instead is a rejection. After it, a
        // server that sends one alert-sized record and nothing else rejected the client;
        // anything more (a NewSessionTicket, application data) means the handshake held.
        let hello = tls.events.iter().position(|e| {
            e.side == server
                && matches!(&e.kind, EventKind::Handshake(m) if matches!(&m.details, Details::ServerHello(sh) if !sh.hello_retry_request))
        })?;
        let size = |e: &TlsEvent| match e.kind {
            EventKind::EncryptedRecord { length } => Some(length),
            _ => None,
        };
        let client_first = tls.events[hello..]
            .iter()
            .position(|e| e.side == client && size(e).is_some())?
            + hello;
        // An alert-sized record alone is a rejection; followed by more records of the same
        // flight it is a small handshake message (EndOfEarlyData is 21 bytes).
        let flight_continues = tls.events[client_first + 1..]
            .iter()
            .find(|e| size(e).is_some())
            .is_some_and(|e| e.side == client);
        if size(&tls.events[client_first]).is_some_and(|l| l <= ALERT_SIZED) && !flight_continues {
            return None;
        }
        let server_after: Vec<u16> = tls.events[client_first..]
            .iter()
            .filter(|e| e.side == server)
            .filter_map(size)
            .collect();
        let rejected = matches!(server_after[..], [only] if only <= ALERT_SIZED);
        return (!server_after.is_empty() && !rejected).then(|| tls.events[client_first].frame);
    }
    // TLS ≤ 1.2: both sides sent ChangeCipherSpec and an encrypted (or decrypted) handshake
    // message: Finished.
    let finished = |side: usize| {
        let ccs = tls
            .events
            .iter()
            .position(|e| e.side == side && matches!(e.kind, EventKind::ChangeCipherSpec { .. }))?;
        tls.events[ccs..]
            .iter()
            .find(|e| {
                e.side == side
                    && matches!(
                        &e.kind,
                        EventKind::EncryptedHandshake { .. } | EventKind::Handshake(_)
                    )
            })
            .map(|e| e.frame)
    };
    Some(finished(client)?.max(finished(server)?))
}

fn printable(bytes: &[u8]) -> String {
    if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\r' || *b == b'\n')
    {
        format!(
            "\"{}\"",
            bytes
                .iter()
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect::<String>()
        )
    } else {
        crate::hex(bytes)
    }
}

/// What the key log decrypted on a connection, and what it left hidden.
pub(crate) fn decryption(tls: &TlsConnection, roles: &Roles) -> DecryptionReport {
    let d = &tls.decryption;
    let from = |side: usize| party(side, roles);
    let note = if d.looked_up {
        d.unsupported.clone()
    } else {
        Some("the capture lacks this connection's ClientHello or ServerHello, by which the key log is matched".to_string())
    };
    DecryptionReport {
        matched: d.matched,
        secrets: d.found.iter().map(|l| l.name()).collect(),
        missing: d.missing.iter().map(|l| l.name()).collect(),
        records_decrypted: d.records,
        hidden: (0..2)
            .filter_map(|side| {
                let h = d.hidden[side]?;
                Some(HiddenRecords {
                    from: from(side),
                    first_frame: h.first_frame,
                    records: h.records,
                    reason: match h.reason {
                        HiddenReason::Missing(label) => {
                            format!("the key log has no {}", label.name())
                        }
                        HiddenReason::Failed => {
                            "decryption failed (or bytes of the record are missing from the capture)".into()
                        }
                        HiddenReason::Unsupported => d
                            .unsupported
                            .clone()
                            .unwrap_or_else(|| "not decrypted by this tool".into()),
                    },
                })
            })
            .collect(),
        failures: d
            .failures
            .iter()
            .map(|f| DecryptionFailure {
                from: from(f.side),
                frame: f.frame,
                reason: if f.authentication {
                    "authentication"
                } else {
                    "malformed"
                },
            })
            .collect(),
        note,
        http_response: d.http.as_ref().map(|h| HttpResponse {
            frame: h.frame,
            status_line: h.status_line.clone(),
            no_client_certificate: h.no_client_certificate,
        }),
    }
}
