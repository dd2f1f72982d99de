//! A healthy handshake says so.
//!
//! Code: handshake-ok.

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::model::{Outcome, Party};
use crate::tls::enums::HandshakeType;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let conn = ctx.conn;
    if conn.outcome != Outcome::Established || out.iter().any(|f| f.severity == Severity::Error) {
        return;
    }
    let mutual = ctx.client_chain().first().map_or_else(String::new, |leaf| {
        format!(
            " The client authenticated with the certificate {}.",
            leaf.subject
        )
    });
    let how = match (conn.version(), conn.cipher_suite()) {
        (Some(v), Some(s)) => format!("{v} with {s}"),
        _ => "TLS".to_string(),
    };
    let last = conn
        .records()
        .find(|m| m.is_encrypted_handshake() || m.is_encrypted_record())
        .map(|m| m.frame);
    out.push(
        Finding::new(
            C::HandshakeOk,
            Confidence::Certain,
            "The handshake completed",
        )
        .explain(format!(
            "{} and {} completed a {how} handshake{}.{mutual}",
            ctx.who(Party::Client),
            ctx.who(Party::Server),
            if conn.resumed {
                ", resuming an earlier session"
            } else {
                ""
            }
        ))
        .frames([
            ctx.message(Party::Client, HandshakeType::ClientHello)
                .map(|m| m.frame),
            last,
        ]),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::Connection;
    use crate::model::testkit::*;
    use crate::tls::enums::{HandshakeType as H, ProtocolVersion};

    fn handshake(chain: &[crate::x509::Certificate]) -> Connection {
        Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(certificate(chain))
            .server(msg(H::ServerHelloDone))
            .client_finished(8)
            .server_finished(9)
            .build()
    }

    #[test]
    fn a_healthy_handshake_says_so_even_with_a_warning_but_not_with_an_error() {
        let f = expect(&handshake(&server_chain()), C::HandshakeOk);
        assert!(
            f.explanation
                .contains("TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "{}",
            f.explanation
        );
        // The server's chain lacks its intermediate (a warning): the handshake still held.
        let leaf = server_chain().remove(0);
        let warned = handshake(&[leaf]);
        assert!(codes(&warned).contains(&C::ServerCertIncompleteChain));
        assert!(codes(&warned).contains(&C::HandshakeOk));
        // Near miss: a self-signed certificate after which the client closed without a word
        // (Node.js rejecting it) is an error, and the handshake is not called healthy.
        let mut rejected = handshake(&[root()]);
        rejected.client_to_server.fin = true;
        rejected.client_to_server.fin_frame = Some(crate::model::FrameNumber::new(10));
        assert!(codes(&rejected).contains(&C::ServerCertSelfSigned));
        assert!(!codes(&rejected).contains(&C::HandshakeOk));
    }
}
