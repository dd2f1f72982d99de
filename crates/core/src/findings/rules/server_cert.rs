//! The server's certificate as the client sees it: trust, chain, dates and name.
//!
//! Codes: server-cert-untrusted, server-cert-self-signed, server-cert-incomplete-chain,
//! server-cert-expired, server-cert-not-yet-valid, server-cert-hostname-mismatch.

use super::super::context::validity_problem;
use super::super::{Confidence, Ctx, Finding, Severity};
use crate::report::Party;
use crate::x509::{self, Trust};

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Some(certificate) = ctx.message(Party::Server, "certificate") else {
        return;
    };
    let chain = ctx.server_chain();
    let Some(leaf) = chain.first().copied() else {
        return;
    };
    // The client's fatal alert answering the server's flight: before the client finished that
    // handshake (a later one, seen with a key log, is about something else).
    let client_done = ctx
        .conn
        .messages
        .iter()
        .find(|m| {
            m.from == Party::Client
                && m.seq > certificate.seq
                && matches!(
                    &*m.typ,
                    "finished" | "encrypted_handshake" | "application_data"
                )
        })
        .map_or(usize::MAX, |m| m.seq);
    let alert = ctx.conn.alerts.iter().find(|a| {
        a.from == Party::Client
            && a.level.as_deref() == Some("fatal")
            && a.seq > certificate.seq
            && a.seq < client_done
    });
    // curl checks the name after the handshake and closes without a word.
    let client_gave_up = ctx.conn.client_to_server.application_data_records <= 1
        && ctx.conn.client_to_server.fin_frame.is_some()
        && ctx.conn.server_to_client.application_data_records == 0;
    let rejected = alert.is_some() || ctx.failed();
    let severity = if rejected {
        Severity::Error
    } else {
        Severity::Warning
    };
    let server = ctx.who(Party::Server);
    let client = ctx.who(Party::Client);
    let client_cap = ctx.who_cap(Party::Client);
    let subject = &leaf.subject;
    let alert_text = alert.map_or_else(String::new, |a| {
        format!(
            " The client rejected it with a fatal {} alert ({}, frame {}).",
            a.description.as_deref().unwrap_or("(unknown)"),
            a.code.unwrap_or(0),
            a.frame
        )
    });
    let frames = [certificate.frame, alert.map_or(0, |a| a.frame)];
    let before = out.len();

    if leaf.self_signed {
        out.push(
            Finding::new("server-cert-self-signed", Confidence::Certain, "The server presents a self-signed certificate")
                .severity(severity)
                .explain(format!(
                    "{server} sent the certificate {subject} (frame {}), which is issued by itself. A client trusts it only if it was added to its trust store on purpose.{alert_text}",
                    certificate.frame
                ))
                .fix("Deploy a certificate issued by a CA the clients trust (with its intermediates), or add this certificate to the clients' trust stores deliberately.")
                .frames(frames),
        );
    }
    if let Some(at) = ctx.time()
        && let Some((problem, date)) = validity_problem(leaf, at)
    {
        let (code, when) = if problem == "expired" {
            ("server-cert-expired", "expired on")
        } else {
            ("server-cert-not-yet-valid", "is valid only from")
        };
        out.push(
                Finding::new(code, Confidence::Certain, format!("The server's certificate is {problem}"))
                    .severity(severity)
                    .explain(format!(
                        "{server} sent the certificate {subject} (frame {}), which {when} {date}; the connection was made at {}.{alert_text}",
                        certificate.frame,
                        at.to_rfc3339()
                    ))
                    .fix(if problem == "expired" {
                        "Renew the server's certificate; check NTP on both hosts."
                    } else {
                        "Check the clocks of the client and the server (NTP); reissue the certificate if its dates are wrong."
                    })
                    .frames(frames),
            );
    }
    if let Some(sni) = &ctx.conn.sni {
        let dns: Vec<&str> = leaf
            .subject_alt_names
            .iter()
            .filter_map(|n| n.strip_prefix("DNS:"))
            .collect();
        let names: Vec<String> = if dns.is_empty() {
            // Without a subjectAltName, clients fall back to the common name (RFC 6125 §6.4.4).
            subject
                .split(", ")
                .filter_map(|p| p.strip_prefix("CN="))
                .map(str::to_string)
                .collect()
        } else {
            dns.iter().map(|s| (*s).to_string()).collect()
        };
        if !names.iter().any(|n| name_matches(n, sni)) {
            let severity = if rejected || client_gave_up {
                Severity::Error
            } else {
                Severity::Warning
            };
            let behaviour = if alert.is_none() && client_gave_up {
                " The client finished the handshake and closed the connection without sending a request — what curl does when its own host-name check fails."
            } else {
                ""
            };
            out.push(
                Finding::new("server-cert-hostname-mismatch", Confidence::Certain, format!("The server's certificate does not cover the name {sni}"))
                    .severity(severity)
                    .explain(format!(
                        "{client} asked for {sni} (SNI in the ClientHello); {server} sent the certificate {subject} (frame {}), which covers {}.{alert_text}{behaviour}",
                        certificate.frame,
                        if names.is_empty() { "no name at all".to_string() } else { names.join(", ") }
                    ))
                    .fix(format!("Connect with a name the certificate lists, or add {sni} to the certificate's subjectAltName; check the server's name-based virtual hosts (a default certificate is served for unknown names)."))
                    .frames(frames.into_iter().chain(ctx.conn.client_to_server.fin_frame.filter(|_| alert.is_none() && client_gave_up))),
            );
        }
    }
    let issuer_sent = chain
        .iter()
        .skip(1)
        .any(|c| c.subject_der == leaf.issuer_der);
    if !leaf.self_signed && !issuer_sent {
        let severity = if alert.is_some_and(|a| matches!(a.code, Some(42 | 46 | 48))) {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(
            Finding::new("server-cert-incomplete-chain", Confidence::Certain, "The server does not send the CA certificate that issued its certificate")
                .severity(severity)
                .explain(format!(
                    "{server} sent {} certificate(s) (frame {}); its certificate {subject} is issued by {}, which is not among them. Clients that have that CA only as an intermediate (not in their trust store) cannot build the chain.{alert_text}",
                    chain.len(),
                    certificate.frame,
                    leaf.issuer
                ))
                .fix("Configure the server with its full chain (the leaf, then each intermediate CA).")
                .frames(frames),
        );
    }
    let trust = (!ctx.trust.is_empty()).then(|| x509::anchor(&chain, ctx.trust));
    if let Some(Trust::Broken { at, why }) = &trust {
        out.push(
            Finding::new("server-cert-untrusted", Confidence::Certain, "The server's chain does not lead to a CA of your trust store")
                .severity(severity)
                .explain(format!(
                    "Checked against your trust store (--ca, {} CA{}): the chain {server} sent (frame {}) breaks at [{at}] {}: {why}.{alert_text}",
                    ctx.trust.len(),
                    if ctx.trust.len() == 1 { "" } else { "s" },
                    certificate.frame,
                    chain.get(*at).map_or("", |c| c.subject.as_str()),
                ))
                .fix("If the client should trust this server: add the CA that issued the top of the chain to the client's trust store, or have the server send its full chain up to a CA the client trusts.")
                .frames([certificate.frame, alert.map_or(0, |a| a.frame)]),
        );
    }
    let yours = match &trust {
        Some(Trust::Anchored { ca, .. }) => format!(
            " Your trust store (--ca) does trust this chain (it leads to {ca}): the client's trust store differs from yours."
        ),
        _ => String::new(),
    };
    if let Some(a) = alert
        && (out.len() == before || out[before..].iter().all(|f| f.severity != Severity::Error))
    {
        out.push(
                Finding::new("server-cert-untrusted", Confidence::Certain, "The client rejected the server's certificate")
                    .explain(format!(
                        "{server} sent the certificate {subject}, issued by {} (frame {}). {client_cap} answered with a fatal {} alert ({}, frame {}){}.",
                        leaf.issuer,
                        certificate.frame,
                        a.description.as_deref().unwrap_or("(unknown)"),
                        a.code.unwrap_or(0),
                        a.frame,
                        match a.code {
                            Some(48) => ": the client does not know the issuing CA",
                            Some(46) => ": a generic trust failure; Java clients send it for any path problem (\"PKIX path building failed\")",
                            Some(42) => ": GnuTLS and OpenSSL clients send it for a certificate they cannot accept (not yet valid, bad signature, untrusted)",
                            Some(45) => ": the client finds it expired",
                            _ => "",
                        }
                    ) + &yours)
                    .fix("Install the issuing CA in the client's trust store (Java: `keytool -importcert` into the trust store; curl `--cacert`), or deploy a server certificate from a CA the client trusts, with its intermediates.")
                    .frames([certificate.frame, a.frame]),
            );
    }
}

/// RFC 6125 §6.4: exact, case-insensitive; a wildcard covers one leftmost label.
fn name_matches(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    if let Some(rest) = pattern.strip_prefix("*.") {
        name.split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest)
    } else {
        pattern == name
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(name_matches("api.example.com", "API.example.com"));
        assert!(name_matches("*.example.com", "api.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("wrong.example", "localhost"));
    }
}
