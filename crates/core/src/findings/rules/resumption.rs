//! An abbreviated handshake: point to the full one.
//!
//! Code: resumed-session.
//!
//! ## References
//! RFC 5246 §7.3 (abbreviated handshake); RFC 5077 (tickets); RFC 8446 §2.2 (PSK resumption).

use super::super::{Ctx, Finding};
use crate::codes::{Confidence, FindingCode as C};
use crate::model::Party;
use crate::tls::enums::HandshakeType;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    if !ctx.conn.resumed {
        return;
    }
    let hello = ctx
        .message(Party::Server, HandshakeType::ServerHello)
        .map(|m| m.frame);
    let how = if ctx.is_tls13() {
        "the server accepted a pre-shared key"
    } else {
        "the ServerHello is followed directly by ChangeCipherSpec"
    };
    let original = ctx.earlier_full_handshake.map_or_else(
        || " The full handshake that created the session is not in this capture.".to_string(),
        |(id, frame)| format!(" The full handshake with this server is connection {id} (its Certificate messages at frame {frame})."),
    );
    out.push(
        Finding::new(C::ResumedSession, Confidence::Certain, "A resumed session: no certificates are exchanged")
            .explain(format!(
                "This connection resumed an earlier session ({how}, frame {}), so neither side sent a certificate here; client authentication, if any, happened in the full handshake.{original}",
                hello.map_or(0, crate::model::FrameNumber::get)
            ))
            .fix("To diagnose certificates, look at the full handshake, or capture a fresh connection (clear the client's session cache).")
            .frames([hello]),
    );
}

#[cfg(test)]
mod tests {
    use crate::codes::FindingCode as C;
    use crate::findings::run::{codes, expect};
    use crate::model::testkit::*;
    use crate::tls::enums::{HandshakeType as H, ProtocolVersion};

    #[test]
    fn a_server_hello_followed_by_change_cipher_spec_resumed_a_session() {
        let resumed = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(5)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(ccs())
            .server(encrypted_handshake(40))
            .at(6)
            .client(ccs())
            .client(encrypted_handshake(40))
            .build();
        assert!(resumed.resumed);
        let f = expect(&resumed, C::ResumedSession);
        assert!(
            f.explanation.contains("not in this capture"),
            "{}",
            f.explanation
        );
        let full = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(5)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(certificate(&server_chain()))
            .server(msg(H::ServerHelloDone))
            .build();
        assert!(!codes(&full).contains(&C::ResumedSession));
    }
}
