//! The rules, one file each, run in this order (later rules look at what earlier ones found).

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
/// send it (KNOWLEDGE.md §5.1 and the observed behaviour of real stacks).
pub(super) fn server_alert_stack(code: u8) -> &'static str {
    match code {
        40 => {
            " — how OpenSSL-based servers (OpenSSL, nginx, Python, HAProxy), BoringSSL and newer Go answer a missing client certificate"
        }
        42 => {
            " — how Java (JSSE) servers, and older Go servers, answer a missing or unacceptable client certificate"
        }
        43 => {
            " — the certificate's purpose or algorithm is not allowed (OpenSSL: no clientAuth; Java: algorithm constraints)"
        }
        44 => " — the server found the certificate revoked (in a CRL or by OCSP)",
        45 => " — the certificate is expired (or a CRL is)",
        46 => " — a generic trust failure; Java servers send it for any certificate path problem",
        48 => " — the issuer is unknown: an untrusted CA or a missing intermediate",
        49 => " — the certificate is valid but not authorised (an allow-list or RBAC policy)",
        50 => " — GnuTLS servers answer a missing client certificate this way",
        51 => " — the CertificateVerify signature does not match the certificate's key",
        116 => " — certificate_required, the TLS 1.3 alert for a missing client certificate",
        _ => "",
    }
}
