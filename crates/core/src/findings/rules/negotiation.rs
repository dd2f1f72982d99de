//! Alerts that refuse the ClientHello itself: versions, cipher suites, server name, ALPN,
//! fallback.
//!
//! Codes: protocol-version-mismatch, no-shared-cipher, server-name-unrecognized, alpn-mismatch,
//! inappropriate-fallback.
//!
//! ## References
//! RFC 8446 §4.1.1, §4.2.1; RFC 8996; RFC 9325 §4; RFC 6066 §3; RFC 7301 §3.2; RFC 7507 §3.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::model::{Alert, Party};
use crate::tls::enums::{AlertDescription as A, AlertLevel, HandshakeType};

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    let Some(hello) = ctx.message(Party::Client, HandshakeType::ClientHello) else {
        return;
    };
    let Some(ch) = conn.client_hello() else {
        return;
    };
    let server_hello = ctx.message(Party::Server, HandshakeType::ServerHello);
    let client = ctx.who(Party::Client);
    let server = ctx.who(Party::Server);
    let server_cap = ctx.who_cap(Party::Server);
    for (alert, a) in conn.alerts() {
        let Alert::Clear { level, description } = *a else {
            continue;
        };
        let before_server_hello = server_hello.is_none_or(|sh| alert.seq < sh.seq);
        let offered = if ch.supported_versions.is_empty() {
            format!("up to {}", ch.legacy_version)
        } else {
            Ctx::list(&ch.supported_versions, usize::MAX)
        };
        let fatal = level == AlertLevel::Fatal;
        let frames = [hello.frame, alert.frame];
        let finding = match (description, alert.from) {
            (A::ProtocolVersion, from) => {
                let chosen = conn.version();
                Finding::new(C::ProtocolVersionMismatch, Confidence::Certain, "Client and server share no protocol version")
                    .explain(match (from, chosen) {
                        (Party::Server, _) => format!(
                            "{client} offered {offered} (ClientHello, frame {}); {server} refused with a fatal protocol_version alert (70, frame {}): it accepts none of these versions.{}",
                            hello.frame,
                            alert.frame,
                            if ch.supported_versions.is_empty() && ch.legacy_version.is_before_tls12() {
                                " TLS 1.0 and 1.1 are disabled by default in current stacks (RFC 8996)."
                            } else {
                                ""
                            }
                        ),
                        (Party::Client, v) => format!(
                            "{server} chose {} and {client}, which offered {offered}, refused it with a fatal protocol_version alert (70, frame {}).",
                            v.map_or_else(|| "a version".to_string(), |v| v.to_string()),
                            alert.frame
                        ),
                    })
                    .fix("Enable TLS 1.2 and TLS 1.3 on the side limited to older versions (Java: `jdk.tls.client.protocols=TLSv1.2,TLSv1.3`; .NET: SslProtocols; OpenSSL: MinProtocol in openssl.cnf); do not lower the server's minimum below TLS 1.2.")
            }
            (A::HandshakeFailure | A::InsufficientSecurity, Party::Server) if before_server_hello => {
                let weak: Vec<String> = ch
                    .cipher_suites
                    .iter()
                    .filter_map(|s| s.weakness().map(|w| format!("{s} ({})", w.words())))
                    .collect();
                let modern = ch
                    .cipher_suites
                    .iter()
                    .any(|s| s.weakness().is_none() && !s.is_scsv() && !s.is_grease());
                Finding::new(C::NoSharedCipher, Confidence::Certain, "The server refused the ClientHello: nothing in common to negotiate")
                    .explain(format!(
                        "{client} offered {} cipher suite(s) (ClientHello, frame {}): {}. {server_cap} answered straight away with a fatal {description} alert ({}, frame {}), before any ServerHello: it accepts none of the suites (or groups, or signature algorithms) offered.{}",
                        ch.cipher_suites.len(),
                        hello.frame,
                        Ctx::list(&ch.cipher_suites, 8),
                        description.value(),
                        alert.frame,
                        if !weak.is_empty() && !modern {
                            format!(" Everything offered is legacy: {}.", Ctx::list(&weak, 6))
                        } else {
                            String::new()
                        }
                    ))
                    .fix("Enable modern suites on the client (ECDHE with AES-GCM or ChaCha20-Poly1305, TLS 1.3), or widen the server's cipher list to include one the client offers. Also compare supported groups and signature algorithms.")
            }
            (A::UnrecognizedName, Party::Server) => Finding::new(C::ServerNameUnrecognized, Confidence::Certain, "The server does not recognise the requested host name")
                .severity(if fatal { Severity::Error } else { Severity::Warning })
                .explain(format!(
                    "{client} asked for {} (SNI, ClientHello frame {}); {server} answered with a {level} unrecognized_name alert (112, frame {}): it has no virtual host for that name.",
                    ch.sni.as_deref().unwrap_or("no name"),
                    hello.frame,
                    alert.frame
                ))
                .fix("Connect with a host name the server is configured for (not an IP address or an alias it does not know), or add a virtual host and certificate for this name."),
            (A::NoApplicationProtocol, Party::Server) => Finding::new(C::AlpnMismatch, Confidence::Certain, "No application protocol (ALPN) in common")
                .explain(format!(
                    "{client} offered the application protocols {} (ClientHello, frame {}); {server} accepts none of them and answered no_application_protocol (120, frame {}).",
                    if ch.alpn.is_empty() { "(none)".to_string() } else { ch.alpn.join(", ") },
                    hello.frame,
                    alert.frame
                ))
                .fix("Align ALPN: enable the protocol on the server or proxy (for example h2 for gRPC), or offer one the server speaks (http/1.1)."),
            (A::InappropriateFallback, Party::Server) => Finding::new(C::InappropriateFallback, Confidence::Certain, "The server refused a version fallback")
                .explain(format!(
                    "{client} retried with {offered} and TLS_FALLBACK_SCSV{} (ClientHello, frame {}); {server} supports a higher version and answered inappropriate_fallback (86, frame {}). An earlier attempt failed, and that failure is the real problem.",
                    if ch.fallback_scsv { "" } else { " (not visible)" },
                    hello.frame,
                    alert.frame
                ))
                .fix("Find the earlier connection to this server in the capture and diagnose why it failed; do not disable the fallback protection."),
            _ => continue,
        };
        out.push(finding.frames(frames));
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::{FindingCode as C, Severity};
    use crate::findings::run::{codes, expect, frames};
    use crate::model::testkit::*;
    use crate::model::{Connection, Party};
    use crate::tls::enums::{AlertDescription as A, AlertLevel, ProtocolVersion};

    /// A ClientHello (frame 4) answered by the server's alert (frame 5), with or without a
    /// ServerHello before it.
    fn refused(level: AlertLevel, description: A, after_server_hello: bool) -> Connection {
        let mut s = Scenario::tls12().at(4).client(hello()).at(5);
        if after_server_hello {
            s = s.server(server_hello(ProtocolVersion::TLS12));
        }
        s.server(alert(level, description))
            .fin(Party::Server, 6)
            .build()
    }

    #[test]
    fn each_refusal_of_the_client_hello_has_its_code() {
        use AlertLevel::Fatal;
        for (description, code) in [
            (A::ProtocolVersion, C::ProtocolVersionMismatch),
            (A::HandshakeFailure, C::NoSharedCipher),
            (A::InsufficientSecurity, C::NoSharedCipher),
            (A::UnrecognizedName, C::ServerNameUnrecognized),
            (A::NoApplicationProtocol, C::AlpnMismatch),
            (A::InappropriateFallback, C::InappropriateFallback),
        ] {
            let f = expect(&refused(Fatal, description, false), code);
            assert_eq!(frames(&f), [4, 5], "{code}");
            assert_eq!(f.severity, Severity::Error, "{code}");
        }
    }

    #[test]
    fn near_misses_of_the_refusals() {
        // handshake_failure after the ServerHello is not about the ClientHello's offer.
        let later = refused(AlertLevel::Fatal, A::HandshakeFailure, true);
        assert!(!codes(&later).contains(&C::NoSharedCipher));
        // unrecognized_name as a warning is a warning.
        let warning = refused(AlertLevel::Warning, A::UnrecognizedName, false);
        assert_eq!(
            expect(&warning, C::ServerNameUnrecognized).severity,
            Severity::Warning
        );
        // An alert the client sends does not say the server refused its ALPN.
        let from_client = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(5)
            .client(alert(AlertLevel::Fatal, A::NoApplicationProtocol))
            .build();
        assert!(!codes(&from_client).contains(&C::AlpnMismatch));
    }
}
