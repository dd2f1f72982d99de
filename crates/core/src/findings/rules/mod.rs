//! The rules, one file per family of codes, run in this order (later rules look at what earlier
//! ones found).

// A rule's length is mostly its wording: explanations and fixes written out in full.
#![allow(clippy::too_many_lines)]

mod capture_quality;
mod client_auth;
mod encrypted_alert;
mod fatal_alert;
mod handshake_ok;
mod keylog;
mod negotiation;
mod renegotiation;
mod resumption;
mod server_cert;
mod tls13;
mod transport;

use super::{Ctx, Finding};
use crate::tls::enums::AlertDescription;

/// A rule adds its findings for one connection.
pub(super) type Rule = fn(&Ctx<'_>, &mut Vec<Finding>);

/// Every rule, in order.
pub(super) const ALL: &[Rule] = &[
    client_auth::check,
    tls13::check,
    server_cert::check,
    negotiation::check,
    transport::check,
    renegotiation::check,
    resumption::check,
    encrypted_alert::check,
    capture_quality::check,
    fatal_alert::check,
    handshake_ok::check,
    keylog::check,
];

/// Explains a server's alert about a missing or rejected client certificate by the stacks that
/// send it (RFC 8446 §6.2, RFC 5246 §7.2.2, and what the stacks were seen to send).
pub(super) fn server_alert_stack(description: AlertDescription) -> &'static str {
    use AlertDescription as A;
    match description {
        A::HandshakeFailure => {
            " — how OpenSSL-based servers (OpenSSL, nginx, Node.js, Python, HAProxy) and BoringSSL answer a missing client certificate"
        }
        A::BadCertificate => {
            " — how Java (JSSE) and Go servers answer a missing or unacceptable client certificate (Go servers send it for every client-certificate problem, in TLS 1.3 too)"
        }
        A::UnsupportedCertificate => {
            " — the certificate's purpose or algorithm is not allowed (OpenSSL: no clientAuth; Java: algorithm constraints)"
        }
        A::CertificateRevoked => {
            " — the server found the certificate revoked (in a CRL or by OCSP)"
        }
        A::CertificateExpired => " — the certificate is expired (or a CRL is)",
        A::CertificateUnknown => {
            " — a generic trust failure; Java servers send it for any certificate path problem"
        }
        A::UnknownCa => " — the issuer is unknown: an untrusted CA or a missing intermediate",
        A::AccessDenied => {
            " — the certificate is valid but not authorised (an allow-list or RBAC policy)"
        }
        A::DecodeError => " — GnuTLS servers answer a missing client certificate this way",
        A::DecryptError => {
            " — the CertificateVerify signature does not match the certificate's key"
        }
        A::CertificateRequired => {
            " — certificate_required, the TLS 1.3 alert for a missing client certificate (OpenSSL-based servers: nginx, Node.js, Python)"
        }
        _ => "",
    }
}

/// Alerts about a certificate (RFC 8446 §6.2, RFC 5246 §7.2.2): what a side sends when it
/// refuses the other's certificate.
pub(super) fn about_a_certificate(description: AlertDescription) -> bool {
    use AlertDescription as A;
    matches!(
        description,
        A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCa
            | A::BadCertificateStatusResponse
    )
}

/// "a fatal handshake_failure alert (40, frame 9)": how the findings cite an alert.
pub(super) fn fatal_alert_words(
    description: Option<AlertDescription>,
    frame: crate::model::FrameNumber,
) -> String {
    format!(
        "a fatal {} alert ({}, frame {frame})",
        description.map_or_else(|| "(unknown)".into(), AlertDescription::name),
        description.map_or(0, AlertDescription::value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_by_the_stacks_that_send_them() {
        assert!(server_alert_stack(AlertDescription::BadCertificate).contains("Java"));
        assert!(server_alert_stack(AlertDescription::HandshakeFailure).contains("OpenSSL"));
        assert_eq!(server_alert_stack(AlertDescription::CloseNotify), "");
    }
}
