//! Key log coverage: why decryption worked, partly worked or did not work, and what to collect
//! next.
//!
//! Codes: keylog-no-match, keylog-incomplete, keylog-decrypt-failed.
//!
//! ## References
//! RFC 9850 (the SSLKEYLOGFILE format); RFC 8446 §7.1 (which secret protects what); OpenSSL
//! issue openssl/openssl#25711 (secrets not logged when a handshake fails early).

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::Party;
use crate::tls::enums::HandshakeType;
use crate::tls::keylog::Label;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(d) = &ctx.conn.decryption else {
        return;
    };
    let hello = ctx.message(Party::Client, HandshakeType::ClientHello);
    let note = d.note();
    if !d.matched {
        // Without a ClientHello and ServerHello nothing can be matched (capture-midstream says
        // so); a connection that never negotiated has nothing encrypted.
        let (Some(hello), None) = (hello, note) else {
            return;
        };
        if ctx.conn.server_hello().is_none() {
            return;
        }
        out.push(
            Finding::new(C::KeylogNoMatch, Confidence::Certain, "The key log has no secrets for this connection")
                .explain(format!(
                    "A key log was given, but none of its lines carries this connection's ClientHello random (frame {}), so nothing of it was decrypted. The key log was written by another process or another run than the one captured, or the program did not log this connection.",
                    hello.frame
                ))
                .fix("Set SSLKEYLOGFILE (or `openssl s_client -keylogfile`, curl, Python's `keylog_filename`) for the very process that makes the captured connection, and capture the same run; Java needs an agent such as extract-tls-secrets. `editcap --inject-secrets tls,keys.txt capture.pcap out.pcapng` keeps the key log with its capture.")
                .frames([hello.frame]),
        );
        return;
    }
    if let Some(failure) = d.failures.iter().find(|f| f.authentication) {
        out.push(
            Finding::new(C::KeylogDecryptFailed, Confidence::Certain, "The key log's secrets do not decrypt this connection")
                .explain(format!(
                    "The key log has secrets for this connection's ClientHello random, but {}'s record at frame {} does not decrypt with them: its authentication tag does not match. {} records after it stayed encrypted. The secret logged for this connection is not the one its peers used: the key log was edited or garbled, or lines of different runs were mixed; a record missing from the capture shifts the sequence numbers the same way.",
                    ctx.who(failure.from),
                    failure.frame,
                    if failure.from == Party::Client { "The client's" } else { "The server's" }
                ))
                .fix("Use the key log written by the same run as the capture, unmodified (append-only: SSLKEYLOGFILE files collect many runs, which is fine). Capture with `-s 0` and without drops so that no record is missing.")
                .frames([failure.frame]),
        );
        return;
    }
    if d.missing.is_empty() && note.is_none() {
        return;
    }
    let mut hidden: Vec<String> = d
        .hidden
        .iter()
        .map(|h| {
            format!(
                "{} {} record{} from frame {} ({})",
                h.records,
                if h.from == Party::Client {
                    "client"
                } else {
                    "server"
                },
                if h.records == 1 { "" } else { "s" },
                h.first_frame,
                crate::words::hidden_reason(h.reason, d.unsupported)
            )
        })
        .collect();
    if hidden.is_empty()
        && let Some(note) = note
    {
        hidden.push(note.to_string());
    }
    let only_tls12_line = ctx.is_tls13() && d.secrets == [Label::ClientRandom];
    let advice = if only_tls12_line {
        " This TLS 1.3 connection has only a CLIENT_RANDOM line, the TLS 1.2 format: the program that wrote the key log does not log TLS 1.3 secrets."
    } else if d.missing.contains(&Label::ServerTraffic0) {
        " SERVER_TRAFFIC_SECRET_0 protects what the server sends after its Finished, including its alert to the client's certificate (certificate_required, bad_certificate, …). OpenSSL may not log it when the handshake fails early (openssl#25711)."
    } else {
        ""
    };
    out.push(
        Finding::new(C::KeylogIncomplete, Confidence::Certain, "The key log covers this connection only in part")
            .explain(format!(
                "The key log has {} for this connection; still encrypted: {}.{advice}",
                d.secrets.iter().map(|l| l.name()).collect::<Vec<_>>().join(", "),
                hidden.join("; ")
            ))
            .fix("Log the keys on the side that logs all of them (curl, Python and OpenSSL log every TLS 1.3 secret; for the server side use its SSLKEYLOGFILE support or an agent), and give the whole key log of the same run.")
            .frames(d.hidden.iter().map(|h| h.first_frame)),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::model::{Connection, Decryption, Failure, FrameNumber, Hidden, Party};
    use crate::tls::decryption::HiddenReason;
    use crate::tls::enums::ProtocolVersion;
    use crate::tls::keylog::Label;

    fn with(d: Decryption) -> Connection {
        Scenario::tls12()
            .at(4)
            .client(hello13())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS13))
            .decryption(d)
            .build()
    }

    fn matched() -> Decryption {
        Decryption {
            matched: true,
            looked_up: true,
            secrets: vec![
                Label::ClientHandshake,
                Label::ServerHandshake,
                Label::ClientTraffic0,
                Label::ServerTraffic0,
            ],
            ..Decryption::default()
        }
    }

    #[test]
    fn a_key_log_without_this_connection_is_no_match() {
        let none = with(Decryption {
            looked_up: true,
            ..Decryption::default()
        });
        expect(&none, C::KeylogNoMatch);
        assert!(!codes(&with(matched())).contains(&C::KeylogNoMatch));
    }

    #[test]
    fn secrets_that_fail_authentication_are_a_decryption_failure() {
        let failed = with(Decryption {
            failures: vec![Failure {
                from: Party::Server,
                frame: FrameNumber::new(6),
                authentication: true,
            }],
            ..matched()
        });
        expect(&failed, C::KeylogDecryptFailed);
        let malformed = with(Decryption {
            failures: vec![Failure {
                from: Party::Server,
                frame: FrameNumber::new(6),
                authentication: false,
            }],
            ..matched()
        });
        assert!(!codes(&malformed).contains(&C::KeylogDecryptFailed));
    }

    #[test]
    fn a_missing_secret_is_an_incomplete_key_log() {
        let partial = with(Decryption {
            secrets: vec![Label::ClientHandshake, Label::ServerHandshake],
            missing: vec![Label::ServerTraffic0],
            hidden: vec![Hidden {
                from: Party::Server,
                first_frame: FrameNumber::new(9),
                records: 1,
                reason: HiddenReason::Missing(Label::ServerTraffic0),
            }],
            ..matched()
        });
        let f = expect(&partial, C::KeylogIncomplete);
        assert!(
            f.explanation
                .contains("the key log has no SERVER_TRAFFIC_SECRET_0"),
            "{}",
            f.explanation
        );
        assert!(!codes(&with(matched())).contains(&C::KeylogIncomplete));
    }
}
