//! From one connection's flow statistics, reassembly anomalies and TLS events to its
//! [`Connection`]: sides A/B become client and server here, once the roles are known.

use super::{
    Anomaly, AnomalyKind, Connection, Decryption, Event, EventKind, Failure, FirstPayload,
    FrameNumber, Hidden, HttpResponse, Message, Outcome, Party, StartTls, Traffic,
};
use crate::flow::{self, PerSide, Roles, Side, SideStats};
use crate::reassembly::StreamEvent;
use crate::tls::enums::HandshakeType;
use crate::tls::handshake::Details;
use crate::tls::{self, RecordCount, TlsConnection};

/// Builds the model of a connection; `keylog_in_use`: a key log was given (its coverage is
/// then part of the connection).
pub(crate) fn build(
    conn: &flow::Connection,
    tls: &TlsConnection,
    stream_events: PerSide<&[StreamEvent]>,
    keylog_in_use: bool,
) -> Connection {
    let roles = conn.roles();
    let mut anomalies = Vec::new();
    let mut events = Vec::with_capacity(tls.events.len());
    for event in tls.events.iter().chain(tls.tails()) {
        let from = roles.party(event.side);
        let frame = FrameNumber::new(event.frame);
        let (kind, anomaly) = event_kind(&event.kind);
        if let Some(kind) = anomaly {
            anomalies.push(Anomaly { frame, from, kind });
        }
        if let Some(kind) = kind {
            events.push(Event {
                seq: events.len(),
                frame,
                first_frame: FrameNumber::new(event.first_frame),
                time: event.time,
                from,
                decrypted: event.decrypted,
                kind,
                inferred: None,
            });
        }
    }
    for side in Side::BOTH {
        let from = roles.party(side);
        anomalies.extend(stream_events[side].iter().map(|e| stream_anomaly(e, from)));
    }
    let (client_stats, server_stats) = conn.stats_by_role();
    for (silent, stats) in [(Party::Server, server_stats), (Party::Client, client_stats)] {
        if stats.frames == 0 {
            anomalies.push(Anomaly {
                frame: FrameNumber::new(conn.first_frame),
                from: silent,
                kind: AnomalyKind::OneSided,
            });
        }
    }
    anomalies.sort_by_key(|a| a.frame);
    let app = |party| tls.app_data(roles.side(party));
    let mut model = Connection {
        id: conn.id,
        client: roles.client,
        server: roles.server,
        role_basis: roles.basis,
        first_frame: FrameNumber::new(conn.first_frame),
        last_frame: FrameNumber::new(conn.last_frame),
        start: conn.start,
        end: conn.end,
        client_to_server: traffic(client_stats, app(Party::Client)),
        server_to_client: traffic(server_stats, app(Party::Server)),
        starttls: tls
            .upgraded()
            .then(|| starttls_protocol(client_stats, server_stats)),
        outcome: Outcome::NotTls,
        resumed: false,
        client_certificate_requested: None,
        events,
        anomalies,
        dropped_events: tls.dropped_events,
        decryption: None,
        tls13: None,
    };
    if model.refused() || model.syn_unanswered() {
        // No connection was made: the server's lone reset is not a capture that started late,
        // and a silent server is not a one-sided capture.
        model
            .anomalies
            .retain(|a| !matches!(a.kind, AnomalyKind::Midstream | AnomalyKind::OneSided));
    }
    super::outcome::decide(&mut model, tls.is_tls());
    if keylog_in_use && model.outcome != Outcome::NotTls {
        model.decryption = Some(decryption(tls, &roles));
    }
    model
}

/// A TLS event as the model lists it (`None` for what is only an anomaly), and the anomaly it
/// shows (a message with bytes missing, an upgrade, bytes that are not TLS).
fn event_kind(kind: &tls::EventKind) -> (Option<EventKind>, Option<AnomalyKind>) {
    let listed = |kind| (Some(kind), None);
    match kind {
        tls::EventKind::Handshake(m) => listed(EventKind::Message(Message {
            typ: m.typ,
            length: m.length,
            incomplete: false,
            details: m.details.clone(),
        })),
        tls::EventKind::HandshakeIncomplete {
            typ,
            length,
            missing,
        } => (
            Some(incomplete(*typ, *length)),
            Some(AnomalyKind::IncompleteMessage {
                typ: *typ,
                length: *length,
                missing: *missing,
            }),
        ),
        tls::EventKind::HandshakeOversized { typ, length } => (
            Some(incomplete(*typ, *length)),
            Some(AnomalyKind::OversizedMessage {
                typ: *typ,
                length: *length,
            }),
        ),
        tls::EventKind::EncryptedHandshake { length } => {
            listed(EventKind::EncryptedHandshake { length: *length })
        }
        tls::EventKind::ChangeCipherSpec { .. } => listed(EventKind::ChangeCipherSpec),
        tls::EventKind::Alert { level, description } => {
            listed(EventKind::Alert(super::Alert::Clear {
                level: *level,
                description: *description,
            }))
        }
        tls::EventKind::EncryptedAlert { length } => {
            listed(EventKind::Alert(super::Alert::Encrypted {
                length: *length,
            }))
        }
        tls::EventKind::EncryptedRecord { length } => {
            listed(EventKind::Encrypted { length: *length })
        }
        tls::EventKind::ApplicationData { length } => {
            listed(EventKind::ApplicationData { length: *length })
        }
        tls::EventKind::Heartbeat { length } => listed(EventKind::Heartbeat { length: *length }),
        tls::EventKind::Sslv2Record {
            message_type,
            length,
        } => listed(EventKind::Sslv2 {
            message_type: *message_type,
            length: *length,
        }),
        tls::EventKind::Upgrade { offset } => {
            (None, Some(AnomalyKind::StartTls { offset: *offset }))
        }
        tls::EventKind::NotTls { offset, head } => (
            None,
            Some(AnomalyKind::NotTls {
                offset: *offset,
                head: head.clone(),
            }),
        ),
        tls::EventKind::Resync { offset } => (None, Some(AnomalyKind::Resync { offset: *offset })),
    }
}

/// A handshake message whose details could not be read.
fn incomplete(typ: HandshakeType, length: u32) -> EventKind {
    EventKind::Message(Message {
        typ,
        length,
        incomplete: true,
        details: Details::None,
    })
}

/// Sets what comes from the flow's frames again (counts, first and last frame, times): for a
/// connection built when it ended, at the end of the capture (its last ACKs still count).
pub(crate) fn update_flow(conn: &flow::Connection, model: &mut Connection) {
    let (client, server) = conn.stats_by_role();
    model.first_frame = FrameNumber::new(conn.first_frame);
    model.last_frame = FrameNumber::new(conn.last_frame);
    model.start = conn.start;
    model.end = conn.end;
    let app = |t: &Traffic| RecordCount {
        records: t.application_data_records,
        bytes: t.application_data_bytes,
    };
    model.client_to_server = traffic(client, app(&model.client_to_server));
    model.server_to_client = traffic(server, app(&model.server_to_client));
}

fn traffic(side: &SideStats, app: RecordCount) -> Traffic {
    Traffic {
        frames: side.frames,
        bytes: side.bytes,
        payload_bytes: side.payload_bytes,
        syn: side.syn_seq.is_some() || side.sent_syn_ack,
        syns: side.syns,
        syn_ack: side.sent_syn_ack,
        syn_frame: side.syn_frame.map(FrameNumber::new),
        fin: side.sent_fin,
        rst: side.sent_rst,
        fin_frame: side.fin_frame.map(FrameNumber::new),
        rst_frame: side.rst_frame.map(FrameNumber::new),
        truncated_frames: side.truncated_frames,
        application_data_records: app.records,
        application_data_bytes: app.bytes,
        opening: side
            .opening
            .as_ref()
            .map(|(frame, kind, head)| FirstPayload {
                frame: FrameNumber::new(*frame),
                kind: *kind,
                head: head.clone(),
            }),
    }
}

/// Names the protocol that preceded a STARTTLS-style upgrade, from the first bytes each side sent.
fn starttls_protocol(client: &SideStats, server: &SideStats) -> StartTls {
    fn head(s: &SideStats) -> &[u8] {
        s.opening.as_ref().map_or(&[][..], |(_, _, h)| h.as_slice())
    }
    let (c, s) = (head(client), head(server));
    let starts =
        |h: &[u8], p: &str| h.len() >= p.len() && h[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if c == [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f] {
        StartTls::Postgresql
    } else if starts(s, "* OK") || starts(c, "a") && starts(s, "* ") {
        StartTls::Imap
    } else if starts(s, "+OK") {
        StartTls::Pop3
    } else if starts(s, "220") && (starts(c, "EHLO") || starts(c, "HELO")) {
        StartTls::Smtp
    } else if starts(s, "220") {
        StartTls::Ftp
    } else if starts(c, "<?xml") || starts(c, "<stream") {
        StartTls::Xmpp
    } else if c.first() == Some(&0x30) {
        StartTls::Ldap
    } else if s.get(4) == Some(&0x0a) {
        // MySQL's greeting: 3-byte length, sequence 0, protocol version 10.
        StartTls::Mysql
    } else {
        StartTls::Other
    }
}

/// A reassembly anomaly of a party's direction.
fn stream_anomaly(e: &StreamEvent, from: Party) -> Anomaly {
    let (frame, kind) = match *e {
        StreamEvent::MidstreamStart { frame } => (frame, AnomalyKind::Midstream),
        StreamEvent::Gap { frame, offset, len } => (frame, AnomalyKind::Gap { offset, len }),
        StreamEvent::Overlap { frame, offset } => (frame, AnomalyKind::Overlap { offset }),
        StreamEvent::Truncated { frame, offset, len } => {
            (frame, AnomalyKind::Truncated { offset, len })
        }
        StreamEvent::OutOfOrder { frame } => (frame, AnomalyKind::OutOfOrder),
    };
    Anomaly {
        frame: FrameNumber::new(frame),
        from,
        kind,
    }
}

/// What the key log decrypted on a connection, and what it left hidden.
fn decryption(tls: &TlsConnection, roles: &Roles) -> Decryption {
    let d = &tls.decryption;
    Decryption {
        matched: d.matched,
        looked_up: d.looked_up,
        secrets: d.found.iter().copied().collect(),
        missing: d.missing.iter().copied().collect(),
        records_decrypted: d.records,
        hidden: Side::BOTH
            .into_iter()
            .filter_map(|side| {
                let h = d.hidden[side]?;
                Some(Hidden {
                    from: roles.party(side),
                    first_frame: FrameNumber::new(h.first_frame),
                    records: h.records,
                    reason: h.reason,
                })
            })
            .collect(),
        failures: d
            .failures
            .iter()
            .map(|f| Failure {
                from: roles.party(f.side),
                frame: FrameNumber::new(f.frame),
                authentication: f.authentication,
            })
            .collect(),
        unsupported: d.unsupported,
        http_response: d.http.as_ref().map(|h| HttpResponse {
            frame: FrameNumber::new(h.frame),
            status_line: h.status_line.clone(),
            no_client_certificate: h.no_client_certificate,
        }),
    }
}
