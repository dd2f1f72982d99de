//! The headline: a server that asks for a client certificate (TLS ≤ 1.2, where the
//! CertificateRequest is visible) and what the client answered.
//!
//! Codes: client-cert-missing, client-auth-optional-no-cert, client-cert-rejected,
//! client-cert-not-in-ca-list, client-cert-expired, client-cert-not-yet-valid,
//! client-cert-untrusted-issuer, client-cert-incomplete-chain, client-cert-wrong-key-usage,
//! client-cert-key-mismatch.

use super::super::context::validity_problem;
use super::super::{Confidence, Ctx, Finding, Severity};
use super::server_alert_stack;
use crate::report::{AlertReport, Outcome, Party};
use crate::x509::CertSummary;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let certificate = ctx.client_certificate();
    // In TLS ≤ 1.2 a client sends a Certificate only when asked: when the capture lost the
    // CertificateRequest (a snapshot length, a gap), the client's Certificate still shows it.
    let Some(request) = ctx
        .message(Party::Server, "certificate_request")
        .or_else(|| certificate.filter(|_| !ctx.is_tls13()))
    else {
        return;
    };
    // The server's fatal alert after the client's answer.
    let alert = ctx.conn.alerts.iter().find(|a| {
        a.from == Party::Server && a.level.as_deref() == Some("fatal") && a.seq > request.seq
    });
    if ctx.client_cert_empty() {
        let certificate_frame = certificate.map_or(0, |c| c.frame);
        let note = supplied(ctx, out, request.frame, certificate_frame, alert);
        missing(
            ctx,
            out,
            request.frame,
            certificate.map(|c| c.frame),
            alert,
            &note,
        );
        if ctx.supplied.is_empty() {
            type_mismatch(ctx, out, request.frame, certificate_frame, alert);
        }
    } else if !ctx.client_chain().is_empty() {
        let before = out.len();
        sent(ctx, out, alert);
        // The user expected another certificate: say so wherever the sent one is judged.
        if let (Some(expected), Some(leaf)) = (ctx.supplied.first(), ctx.client_chain().first())
            && expected.sha256 != leaf.sha256
        {
            let note = format!(
                "\nNote: the client sent {} (SHA-256 {}…), not the certificate you supplied, {} (SHA-256 {}…): it is configured with another certificate.",
                leaf.subject,
                leaf.sha256.get(..16).unwrap_or_default(),
                expected.subject,
                expected.sha256.get(..16).unwrap_or_default()
            );
            for finding in &mut out[before..] {
                finding.explanation.push_str(&note);
            }
        }
    }
}

/// The key family of a certificate's public key, as signature schemes name it.
fn key_family(cert: &CertSummary) -> &'static str {
    let key = cert.public_key.as_str();
    if key.starts_with("RSA") {
        "RSA"
    } else if key.starts_with("EC ") {
        "ECDSA"
    } else if key.starts_with("Ed") {
        "EdDSA"
    } else if key.starts_with("DSA") {
        "DSA"
    } else {
        "other"
    }
}

/// Is any certificate of a chain issued by (or itself) a CA the CertificateRequest lists?
/// `None` when the request is not readable or lists no CA (any is accepted).
fn chain_listed(ctx: &Ctx<'_>, chain: &[&CertSummary]) -> Option<bool> {
    let accepted = &ctx
        .conn
        .certificate_request
        .as_ref()?
        .certificate_authorities_der;
    if accepted.is_empty() {
        return None;
    }
    let listed = |name: &[u8]| accepted.iter().any(|ca| ca.as_slice() == name);
    Some(
        chain
            .iter()
            .any(|c| listed(&c.issuer_der) || listed(&c.subject_der)),
    )
}

/// Checks the chain the user supplied (`--client-cert`) against the CertificateRequest, after
/// the client sent an empty Certificate: each problem found is a certain finding. Returns a
/// sentence for the client-cert-missing explanation (empty without a supplied chain).
fn supplied(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: u64,
    certificate: u64,
    alert: Option<&AlertReport>,
) -> String {
    let Some(leaf) = ctx.supplied.first() else {
        return String::new();
    };
    let Some(cr) = &ctx.conn.certificate_request else {
        return "\nThe certificate you supplied cannot be checked: the CertificateRequest is not readable in this capture.".to_string();
    };
    let severity = if ctx.failed() || alert.is_some() {
        Severity::Error
    } else {
        Severity::Warning
    };
    let frames = [request, certificate, alert.map_or(0, |a| a.frame)];
    let yours = format!(
        "The certificate you supplied, {} (issued by {}),",
        leaf.subject, leaf.issuer
    );
    let java_like = !ctx
        .client_stack()
        .unwrap_or_default()
        .starts_with("OpenSSL");
    let consequence = if java_like {
        format!(
            "Java, Go, .NET and browsers skip such a certificate and send an empty Certificate without any error on their side, which is what this client did (frame {certificate})."
        )
    } else {
        format!(
            "An OpenSSL-based client sends it anyway, so its empty Certificate (frame {certificate}) also means it was not configured with it; but the server would not accept it either."
        )
    };
    let before = out.len();

    let chain: Vec<&CertSummary> = ctx.supplied.iter().collect();
    if chain_listed(ctx, &chain) == Some(false) {
        out.push(
            Finding::new("client-cert-not-in-ca-list", Confidence::Certain, "Your client certificate is not issued by a CA the server accepts")
                .severity(severity)
                .explain(format!(
                    "{yours} has no issuer among the CAs of the server's CertificateRequest (frame {request}), nor has any certificate of the chain you supplied. {}\n{consequence}{}",
                    accepted(ctx),
                    if chain.len() == 1 && !leaf.self_signed {
                        format!(" If {} is an intermediate CA under one of the listed CAs, the client needs it in its chain (key store entry or certificate file) to pick this certificate: supply the whole chain here to check.", leaf.issuer)
                    } else {
                        String::new()
                    }
                ))
                .fix("Get a client certificate issued by one of the accepted CAs, or have the server's operator add your issuing CA (root and intermediate) to its client-CA list (nginx: `ssl_client_certificate`; Java: the server's trust store).")
                .frames(frames),
        );
    }
    let family = key_family(leaf);
    let mut allowed = families(&cr.signature_algorithms);
    if !cr.tls13 && !cr.certificate_types.is_empty() {
        let by_type: Vec<&str> = cr
            .certificate_types
            .iter()
            .filter_map(|t| match t.as_str() {
                "rsa_sign" | "rsa_fixed_dh" => Some("RSA"),
                "ecdsa_sign" | "rsa_fixed_ecdh" | "ecdsa_fixed_ecdh" => Some("ECDSA"),
                "dss_sign" | "dss_fixed_dh" => Some("DSA"),
                _ => None,
            })
            .collect();
        if !by_type.is_empty() {
            allowed.retain(|f| by_type.contains(f) || *f == "EdDSA");
        }
    }
    if !cr.signature_algorithms.is_empty() && !allowed.contains(&family) {
        out.push(
            Finding::new("client-cert-type-mismatch", Confidence::Certain, format!("Your client certificate's key ({}) is not one the server accepts", leaf.public_key))
                .severity(severity)
                .explain(format!(
                    "{yours} has the key type {}. The server's CertificateRequest (frame {request}) allows {} keys only (certificate types {}; signature algorithms {}). A client cannot sign the handshake with this key in a way the server accepts, so it sends an empty Certificate (frame {certificate}).",
                    leaf.public_key,
                    if allowed.is_empty() { "no usable".to_string() } else { allowed.join(" or ") },
                    if cr.certificate_types.is_empty() { "none".to_string() } else { cr.certificate_types.join(", ") },
                    Ctx::list(&cr.signature_algorithms, 6)
                ))
                .fix(format!("Use a client certificate with {} key, or have the server allow your key's signature algorithms (OpenSSL servers: `-client_sigalgs` / `ClientSignatureAlgorithms`).", allowed.first().map_or_else(|| "another".to_string(), |f| format!("an {f}"))))
                .frames(frames),
        );
    }
    if let Some(at) = ctx.time()
        && let Some((problem, date)) = validity_problem(leaf, at)
    {
        let (code, when, fix) = validity_words(problem);
        out.push(
            Finding::new(code, Confidence::Certain, format!("Your client certificate is {problem}"))
                .severity(severity)
                .explain(format!(
                    "{yours} {when} {date}; the connection was made at {}. Java's key manager and browsers do not offer a certificate outside its validity: they send an empty Certificate (frame {certificate}).",
                    at.to_rfc3339()
                ))
                .fix(fix)
                .frames(frames),
        );
    }
    if let Some(what) = usage_problem(leaf) {
        out.push(
            Finding::new("client-cert-wrong-key-usage", Confidence::Certain, "Your client certificate is not allowed for client authentication")
                .severity(severity)
                .explain(format!(
                    "{yours} cannot authenticate a client: {what}. Java's key manager does not offer such a certificate for client authentication (it sends an empty Certificate, frame {certificate}), and servers reject it."
                ))
                .fix("Issue the client certificate with extendedKeyUsage clientAuth and keyUsage digitalSignature (a server certificate cannot stand in for a client certificate).")
                .frames(frames),
        );
    }
    if out.len() > before {
        return String::new();
    }
    let listed = match chain_listed(ctx, &chain) {
        Some(true) => "its chain leads to an accepted CA",
        _ => "the server accepts any CA",
    };
    format!(
        "\nThe certificate you supplied, {} (issued by {}), fits this request: {listed}, its {family} key is allowed, it is valid at the connection's time and allowed for client authentication. So the client did not use it: check that it is configured with this certificate and its private key.",
        leaf.subject, leaf.issuer
    )
}

/// For a client certificate outside its validity: the code, the verb for its date, the fix.
fn validity_words(problem: &str) -> (&'static str, &'static str, &'static str) {
    if problem == "expired" {
        (
            "client-cert-expired",
            "expired on",
            "Renew the client certificate (and check the clocks: NTP on the client and the server).",
        )
    } else {
        (
            "client-cert-not-yet-valid",
            "is valid only from",
            "Check the clocks of the client, the server and the issuing CA; reissue the certificate if its dates are wrong.",
        )
    }
}

/// Why a certificate may not authenticate a client: an EKU without clientAuth, or a key usage
/// without digitalSignature.
fn usage_problem(cert: &CertSummary) -> Option<String> {
    let eku_without_client_auth = !cert.extended_key_usage.is_empty()
        && !cert
            .extended_key_usage
            .iter()
            .any(|e| e == "clientAuth" || e == "anyExtendedKeyUsage");
    let ku_without_signature =
        !cert.key_usage.is_empty() && !cert.key_usage.iter().any(|k| k == "digitalSignature");
    if eku_without_client_auth {
        Some(format!(
            "its extended key usage is {} without clientAuth",
            cert.extended_key_usage.join(", ")
        ))
    } else if ku_without_signature {
        Some(format!(
            "its key usage is {} without digitalSignature",
            cert.key_usage.join(", ")
        ))
    } else {
        None
    }
}

/// After the handshake: the client sent a request, the server answered with one short record
/// (under 1 KiB) and closed at once. Returns that record and the closing frame.
fn short_answer_then_close<'a>(ctx: &Ctx<'a>) -> Option<(&'a crate::report::MessageReport, u64)> {
    let messages = &ctx.conn.messages;
    let request = messages
        .iter()
        .find(|m| m.from == Party::Client && m.typ == "encrypted_record")?;
    let answers: Vec<_> = messages
        .iter()
        .filter(|m| m.from == Party::Server && m.typ == "encrypted_record" && m.seq > request.seq)
        .collect();
    let [answer] = answers[..] else { return None };
    let s = &ctx.conn.server_to_client;
    let close = s.fin_frame.or(s.rst_frame)?;
    (answer.length < 1024).then_some((answer, close))
}

/// The accepted CAs as an indented list, or a sentence when the list is empty.
fn accepted(ctx: &Ctx<'_>) -> String {
    let cas = ctx.accepted_cas();
    if ctx.conn.certificate_request.is_none() {
        "Which CAs it accepts cannot be read.".to_string()
    } else if cas.is_empty() {
        "The server named no CA (an empty list), which lets the client choose any certificate."
            .to_string()
    } else {
        let mut s = "The server accepts certificates issued by:".to_string();
        for ca in cas {
            s.push_str("\n    ");
            s.push_str(ca);
        }
        s
    }
}

fn request_where(ctx: &Ctx<'_>, frame: u64) -> String {
    if ctx.conn.certificate_request.is_some() {
        format!("CertificateRequest, frame {frame}")
    } else {
        "its CertificateRequest is not readable in this capture, but a TLS 1.2 client sends a Certificate message only when asked".to_string()
    }
}

fn request_details(ctx: &Ctx<'_>) -> String {
    if ctx.conn.certificate_request.is_some() {
        "\n(The certificate types and signature algorithms it allows are listed under \"certificate request\" below.)".to_string()
    } else {
        String::new()
    }
}

fn missing(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: u64,
    certificate: Option<u64>,
    alert: Option<&AlertReport>,
    note: &str,
) {
    let client = ctx.who(Party::Client);
    let server = ctx.who(Party::Server);
    let answered = match certificate {
        Some(frame) => format!(
            "{client} sent none: its Certificate message is empty (frame {frame}, \"Certificates Length: 0\")"
        ),
        None => format!("{client} sent no certificate"),
    };
    let stack = ctx.client_stack();
    let why = match stack {
        Some(s) if s.starts_with("Java") => format!(
            "Why: from its ClientHello the client looks like {s}. Java, like Go, .NET and browsers, sends only a certificate whose issuer is in the list above and whose key fits the requested signature algorithms. When its key store holds none (or no key store is set, or the entry lacks the listed intermediate CA), it sends an empty Certificate and reports no error on the client side."
        ),
        Some(s) => format!(
            "Why: from its ClientHello the client looks like {s}. Such clients send their configured certificate even when its issuer is not in the list, so an empty Certificate means no client certificate and key were configured for this connection."
        ),
        None => "Why: Java, Go, .NET and browsers send only a certificate issued by a listed CA and otherwise send an empty Certificate silently; OpenSSL-based clients (curl, Python) send whatever certificate they are configured with, so for them an empty Certificate means none was configured.".to_string(),
    };
    let fix = match stack {
        Some(s) if s.starts_with("Java") => {
            "Give the Java client a key store entry whose certificate is issued by one of the CAs above, with its full chain under the same alias (`keytool -importkeystore -srckeystore client.p12 …`), and point the client at it (`javax.net.ssl.keyStore` or the HTTP client's SSLContext). `-Djavax.net.debug=ssl:handshake` shows which alias JSSE considered. Or ask the server's operator to add your issuing CA to the accepted list (nginx: `ssl_client_certificate`, not `ssl_trusted_certificate`, which is not advertised)."
        }
        Some(s) if s.starts_with("OpenSSL") => {
            "Configure the client certificate and key (curl `--cert client.crt --key client.key`, Python `context.load_cert_chain(...)`, nginx as a client `proxy_ssl_certificate`), using a certificate issued by one of the CAs above, with its intermediates in the same file after the leaf."
        }
        _ => {
            "Configure the client with a certificate and key issued by one of the CAs above (with its intermediate CAs), or ask the server's operator to add your issuing CA to the accepted list (nginx: `ssl_client_certificate` is advertised, `ssl_trusted_certificate` is not)."
        }
    };
    let accepted = accepted(ctx);
    let details = request_details(ctx);
    let why = format!("{why}{note}");
    match (ctx.conn.outcome, alert) {
        (Outcome::Failed, _) | (_, Some(_)) => {
            let closer = [
                (ctx.conn.server_to_client.rst_frame.or(ctx.conn.server_to_client.fin_frame), "the server"),
                (ctx.conn.client_to_server.rst_frame.or(ctx.conn.client_to_server.fin_frame), "the client"),
            ]
            .into_iter()
            .filter_map(|(f, who)| f.map(|f| (f, who)))
            .min();
            let ending = alert.map_or_else(
                || {
                    closer.map_or_else(
                        || "and the handshake went no further".to_string(),
                        |(frame, who)| {
                            format!(
                                "and {who} then closed the connection (frame {frame}) — no alert is visible in this capture"
                            )
                        },
                    )
                },
                |a| {
                    format!(
                        "so the server ended the handshake with a fatal {} alert ({}, frame {}){}",
                        a.description.as_deref().unwrap_or("(unknown)"),
                        a.code.unwrap_or(0),
                        a.frame,
                        server_alert_stack(a.code.unwrap_or(0))
                    )
                },
            );
            out.push(
                Finding::new("client-cert-missing", Confidence::Certain, "The server requires a client certificate and the client sent none")
                    .explain(format!(
                        "{server} asked for a client certificate ({}). {accepted}{details}\n{answered}, {ending}.\n{why}",
                        request_where(ctx, request)
                    ))
                    .fix(fix)
                    .frames([request, certificate.unwrap_or(0), alert.map_or(0, |a| a.frame)]),
            );
        }
        (Outcome::Established, None) => {
            let http = ctx
                .conn
                .decryption
                .as_ref()
                .and_then(|d| d.http_response.as_ref());
            if let Some(http) = http.filter(|h| h.no_client_certificate) {
                out.push(
                    Finding::new("client-cert-missing", Confidence::Certain, "The server refused the request because the client sent no certificate")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}. The handshake completed, and the server answered the client's request with \"{}\" (frame {}, decrypted with the key log), whose body says \"No required SSL certificate was sent\": nginx's answer when `ssl_verify_client on` gets no certificate.\n{why}",
                            http.status_line, http.frame
                        ))
                        .fix(fix)
                        .frames([request, certificate.unwrap_or(0), http.frame]),
                );
            } else if let Some((answer, close)) = short_answer_then_close(ctx) {
                out.push(
                    Finding::new("client-cert-missing", Confidence::Likely, "The server most likely refused the request because the client sent no certificate")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}. The handshake completed, but the server answered the client's first request with a single {}-byte record (frame {}) and closed the connection (frame {close}): the shape of an error page. nginx with `ssl_verify_client on` does exactly this — it completes the handshake and answers HTTP 400 \"No required SSL certificate was sent\" inside TLS (encrypted in this capture).\n{why}",
                            answer.length, answer.frame
                        ))
                        .fix(format!("{fix} A key log (SSLKEYLOGFILE) shows the server's answer and makes this certain."))
                        .frames([request, certificate.unwrap_or(0), answer.frame, close]),
                );
            } else {
                let answer = http.map_or_else(
                    || "(nginx with `ssl_verify_client on` completes the handshake and then answers HTTP 400 \"No required SSL certificate was sent\" inside TLS, which is encrypted in this capture)".to_string(),
                    |h| format!("(its answer to the request, decrypted with the key log: \"{}\", frame {})", h.status_line, h.frame),
                );
                out.push(
                    Finding::new("client-auth-optional-no-cert", Confidence::Certain, "The server asked for a client certificate, got none, and accepted the connection")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}; the server finished the handshake anyway, so client authentication is optional here, or the application decides later {answer}.\n{why}"
                        ))
                        .fix(format!("If the request failed (HTTP 400/403), this is the cause. {fix}"))
                        .frames([request, certificate.unwrap_or(0)]),
                );
            }
        }
        _ => out.push(
            Finding::new("client-cert-missing", Confidence::Certain, "The client sent no certificate although the server asked for one")
                .severity(Severity::Warning)
                .explain(format!(
                    "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}; the capture ends before the server's answer.\n{why}"
                ))
                .fix(fix)
                .frames([request, certificate.unwrap_or(0)]),
        ),
    }
}

/// The key families a list of signature schemes can serve.
fn families(schemes: &[String]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (family, prefixes) in [
        ("RSA", &["rsa_"][..]),
        ("ECDSA", &["ecdsa_"][..]),
        ("EdDSA", &["ed25519", "ed448"][..]),
        ("DSA", &["dsa_"][..]),
    ] {
        if schemes
            .iter()
            .any(|s| prefixes.iter().any(|p| s.starts_with(p)))
        {
            out.push(family);
        }
    }
    out
}

/// An OpenSSL-based client sends its configured certificate whatever the CA list says; it sends
/// an empty one when its key cannot sign with any algorithm the server allows. A server that
/// allows signatures from one key family only then makes a key-type mismatch likely.
fn type_mismatch(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: u64,
    certificate: u64,
    alert: Option<&AlertReport>,
) {
    let Some(cr) = &ctx.conn.certificate_request else {
        return;
    };
    let stack = ctx.client_stack().unwrap_or_default();
    let allowed = families(&cr.signature_algorithms);
    if !stack.starts_with("OpenSSL") || allowed.len() != 1 {
        return;
    }
    let family = allowed[0];
    // "an RSA key", "an ECDSA key", "a DSA key".
    let a = if family == "DSA" { "a" } else { "an" };
    out.push(
        Finding::new("client-cert-type-mismatch", Confidence::Likely, format!("The server accepts only {family} client keys; the client's key is probably of another type"))
            .severity(Severity::Warning)
            .explain(format!(
                "The server's CertificateRequest (frame {request}) allows client signatures with {family} keys only: {}. The client looks like OpenSSL, which sends its configured certificate even when its issuer is not listed, but sends an empty Certificate (frame {certificate}) when its key cannot produce any allowed signature. So if this client has a certificate configured, its key is most likely not {a} {family} key (for example an EC key when only RSA is allowed); if it has none, client-cert-missing says it all.",
                Ctx::list(&cr.signature_algorithms, 6)
            ))
            .fix(format!("Use a client certificate with {a} {family} key, or have the server allow your key's signature algorithms (OpenSSL servers: `-client_sigalgs` / `ClientSignatureAlgorithms`). `--client-cert` with your certificate makes this certain."))
            .frames([request, certificate, alert.map_or(0, |a| a.frame)]),
    );
}

/// The client sent a certificate: check it, and explain a rejection.
fn sent(ctx: &Ctx<'_>, out: &mut Vec<Finding>, alert: Option<&AlertReport>) {
    let chain = ctx.client_chain();
    let Some(leaf) = chain.first().copied() else {
        return;
    };
    let certificate = ctx.client_certificate().map_or(0, |m| m.frame);
    let request = ctx
        .message(Party::Server, "certificate_request")
        .map_or(0, |m| m.frame);
    let rejected = ctx.failed() || alert.is_some();
    let severity = if rejected {
        Severity::Error
    } else {
        Severity::Warning
    };
    let code = alert.and_then(|a| a.code).unwrap_or(0);
    let alert_text = alert.map_or_else(String::new, |a| {
        format!(
            " The server answered with a fatal {} alert ({code}, frame {}){}.",
            a.description.as_deref().unwrap_or("(unknown)"),
            a.frame,
            server_alert_stack(code)
        )
    });
    let frames = [request, certificate, alert.map_or(0, |a| a.frame)];
    let client = ctx.who(Party::Client);
    let subject = &leaf.subject;
    let before = out.len();

    let verify = ctx.message(Party::Client, "certificate_verify");
    let signature_valid = verify.and_then(|m| m.signature_valid);
    if let Some(verify) = verify
        && (signature_valid == Some(false) || (code == 51 && signature_valid.is_none()))
    {
        let proof = if signature_valid == Some(false) {
            " Checked here: the signature does not verify, over this handshake's messages, with the public key of the certificate the client sent — the client signs with a private key that does not belong to its certificate."
        } else {
            " The signature does not verify with the certificate's public key (the server says so; this capture does not let it be checked here): the client signs with another key."
        };
        out.push(
            Finding::new("client-cert-key-mismatch", Confidence::Certain, "The client's CertificateVerify does not match its certificate")
                .severity(severity)
                .explain(format!(
                    "{client} sent the certificate {subject} (frame {certificate}) and a CertificateVerify (frame {}) signed to prove it holds the certificate's private key.{alert_text}{proof}",
                    verify.frame
                ))
                .fix("Check that the private key belongs to the certificate (compare `openssl x509 -noout -pubkey -in client.crt` with `openssl pkey -pubout -in client.key`) and re-create the key store entry from the matching pair.")
                .frames([certificate, verify.frame, alert.map_or(0, |a| a.frame)]),
        );
    }
    if let Some(at) = ctx.time()
        && let Some((problem, date)) = validity_problem(leaf, at)
    {
        let (code, when, fix) = validity_words(problem);
        out.push(
                Finding::new(code, Confidence::Certain, format!("The client's certificate is {problem}"))
                    .severity(severity)
                    .explain(format!(
                        "{client} sent the certificate {subject} (frame {certificate}), which {when} {date}; the connection was made at {}.{alert_text}",
                        at.to_rfc3339()
                    ))
                    .fix(fix)
                    .frames(frames),
            );
    }
    let usage = usage_problem(leaf);
    if usage.is_some() || code == 43 {
        let what = usage.unwrap_or_else(|| {
            "the server finds its purpose or algorithm unacceptable".to_string()
        });
        out.push(
            Finding::new("client-cert-wrong-key-usage", Confidence::Certain, "The client's certificate is not allowed for client authentication")
                .severity(severity)
                .explain(format!("{client} sent the certificate {subject} (frame {certificate}): {what}.{alert_text}"))
                .fix("Issue the client certificate with extendedKeyUsage clientAuth and keyUsage digitalSignature (a server certificate cannot stand in for a client certificate).")
                .frames(frames),
        );
    }
    let accepted_der: &[Vec<u8>] = ctx
        .conn
        .certificate_request
        .as_ref()
        .map_or(&[], |cr| cr.certificate_authorities_der.as_slice());
    let listed = |name: &[u8]| accepted_der.iter().any(|ca| ca.as_slice() == name);
    let issuer_sent = chain.iter().any(|c| c.subject_der == leaf.issuer_der);
    let issuer_missing = !leaf.self_signed && !issuer_sent && !listed(&leaf.issuer_der);
    if chain_listed(ctx, &chain) == Some(false) {
        let alone = if chain.len() == 1 && issuer_missing {
            format!(
                " The client sent its leaf alone, so either {} is an intermediate CA whose certificate the client should send (then the server could link it to a listed CA), or it is a CA the server does not trust at all.",
                leaf.issuer
            )
        } else {
            String::new()
        };
        out.push(
            Finding::new("client-cert-not-in-ca-list", Confidence::Certain, "The client's certificate is not issued by a CA the server lists")
                .severity(severity)
                .explain(format!(
                    "{client} sent the certificate {subject}, issued by {} (frame {certificate}). {}\nNone of the certificates sent is issued by a listed CA.{alone}{alert_text}",
                    leaf.issuer,
                    accepted(ctx)
                ))
                .fix("Use a client certificate issued by one of the accepted CAs (with its intermediates), or have the server's operator add your issuing CA (root and intermediate) to its client-CA list.")
                .frames(frames),
        );
    }
    // A hole in the chain is certain when other certificates were sent; for a lone leaf, an
    // issuer from the same organisation as a listed CA makes a missing intermediate likely.
    let same_organisation = organisation(&leaf.issuer).is_some_and(|o| {
        ctx.accepted_cas()
            .iter()
            .any(|ca| organisation(ca) == Some(o))
    });
    if issuer_missing && (chain.len() > 1 || same_organisation) {
        let confidence = if chain.len() > 1 {
            Confidence::Certain
        } else {
            Confidence::Likely
        };
        let basis = if chain.len() > 1 {
            String::new()
        } else {
            " Its issuer belongs to the same organisation as a CA the server lists, which suggests an intermediate CA between them.".to_string()
        };
        out.push(
            Finding::new("client-cert-incomplete-chain", confidence, "The client sent its certificate without the intermediate CA that issued it")
                .severity(severity)
                .explain(format!(
                    "{client} sent {} certificate(s) (frame {certificate}); the leaf {subject} is issued by {}, whose certificate was not sent and which the server does not list.{basis}{alert_text}",
                    chain.len(),
                    leaf.issuer
                ))
                .fix("Send the full chain: put the intermediate CA certificate(s) after the leaf in the client's certificate file (curl `--cert`, Python `load_cert_chain`), or import the chain into the Java key store entry under the key's alias.")
                .frames(frames),
        );
    }
    if !ctx.trust.is_empty()
        && let crate::x509::Trust::Broken { at, why } = crate::x509::anchor(&chain, ctx.trust)
    {
        out.push(
            Finding::new("client-cert-untrusted-issuer", Confidence::Certain, "The client's chain does not lead to a CA of your trust store")
                .severity(severity)
                .explain(format!(
                    "Checked against your trust store (--ca, {} CA{}): the chain {client} sent (frame {certificate}) breaks at [{at}] {}: {why}.{alert_text}",
                    ctx.trust.len(),
                    if ctx.trust.len() == 1 { "" } else { "s" },
                    chain.get(at).map_or("", |c| c.subject.as_str()),
                ))
                .fix("Add the CA that issued the top of the client's chain to the server's trust store for client certificates, or send the full chain up to a CA the server trusts.")
                .frames(frames),
        );
    }
    if rejected && out.len() == before {
        let untrusted = matches!(code, 46 | 48);
        if untrusted {
            out.push(
                Finding::new("client-cert-untrusted-issuer", Confidence::Certain, "The server does not trust the client's certificate")
                    .explain(format!(
                        "{client} sent the certificate {subject}, issued by {} (frame {certificate}), with a chain that looks complete.{alert_text}",
                        leaf.issuer
                    ))
                    .fix("Add the issuing CA to the server's trust store for client certificates, or use a certificate from a CA it trusts. For certificate_unknown (46), also check that the server can reach the CRL or OCSP responder.")
                    .frames(frames),
            );
        } else {
            out.push(
                Finding::new("client-cert-rejected", Confidence::Certain, "The server rejected the client's certificate")
                    .explain(format!(
                        "{client} sent the certificate {subject}, issued by {} (frame {certificate}).{}{}",
                        leaf.issuer,
                        if alert_text.is_empty() { " The server then ended the connection without an alert.".to_string() } else { alert_text },
                        if code == 51 && signature_valid == Some(true) {
                            " Its CertificateVerify signature verifies here with the certificate's key, so the key matches: the server failed to check it for another reason (a signature algorithm it cannot process, or its own view of the handshake differs)."
                        } else {
                            ""
                        }
                    ))
                    .fix(match code {
                        44 => "The certificate was revoked: get a new one from the issuing CA. If it should be valid, check the CRL or OCSP responder the server consults.",
                        49 => "The certificate is valid but not authorised: ask the server's operator to allow its subject (or SAN) in the access policy.",
                        _ => "Read the server's log at this time for the exact reason; compare the certificate with the server's trust store and policy.",
                    })
                    .frames(frames),
            );
        }
    }
}

/// The `O=` part of a distinguished name.
fn organisation(dn: &str) -> Option<&str> {
    dn.split(", ").find_map(|part| part.strip_prefix("O="))
}
