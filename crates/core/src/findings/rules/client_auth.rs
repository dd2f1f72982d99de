//! The headline: a server that asks for a client certificate (TLS ≤ 1.2, where the
//! CertificateRequest is visible, or any version with a key log) and what the client answered.
//!
//! Codes: client-cert-missing, client-auth-optional-no-cert, client-cert-rejected,
//! client-cert-not-in-ca-list, client-cert-expired, client-cert-not-yet-valid,
//! client-cert-untrusted-issuer, client-cert-incomplete-chain, client-cert-wrong-key-usage,
//! client-cert-key-mismatch, client-cert-type-mismatch.
//!
//! ## What it means
//! RFC 5246 §7.4.4 and RFC 8446 §4.3.2: the server's CertificateRequest names the CAs it accepts
//! and the signature algorithms it allows; the client answers with a Certificate message, empty
//! when it has nothing acceptable (RFC 5246 §7.4.6, RFC 8446 §4.4.2.4).
//!
//! ## Why it happens
//! Java, Go, .NET and browsers pick only a certificate whose issuer is listed and whose key fits;
//! OpenSSL-based clients send what they are configured with. The server's alert names its stack.
//!
//! ## How to fix
//! Each finding names the knob of the client's stack (a key store, a certificate file).
//!
//! ## Evidence shown
//! The CertificateRequest's frame, the client's Certificate, the server's alert or answer.
//!
//! ## References
//! RFC 5246 §7.4.4, §7.4.6, §7.4.8; RFC 8446 §4.2.4, §4.3.2, §4.4.2.4; RFC 5280 §4.2.1.3,
//! §4.2.1.12.

use std::collections::BTreeSet;

use super::super::{Ctx, Finding};
use super::{fatal_alert_words, server_alert_stack};
use crate::codes::{Confidence, FindingCode as C, Severity};
use crate::findings::context::Stack;
use crate::model::{Alert, Event, FrameNumber, Outcome, Party};
use crate::tls::enums::{AlertDescription, HandshakeType, KeyFamily, SignatureScheme};
use crate::x509::{Certificate, Name, Validity};

/// The server's fatal alert after the client's answer.
type ServerAlert<'a> = Option<(&'a Event, Alert)>;

pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let certificate = ctx.client_certificate();
    // In TLS ≤ 1.2 a client sends a Certificate only when asked: when the capture lost the
    // CertificateRequest (a snapshot length, a gap), the client's Certificate still shows it.
    let Some(request) = ctx
        .message(Party::Server, HandshakeType::CertificateRequest)
        .or_else(|| certificate.filter(|_| !ctx.is_tls13()))
    else {
        return;
    };
    let alert = ctx.fatal_alert(Party::Server, request.seq, None);
    if ctx.client_cert_empty() {
        let Some(certificate) = certificate else {
            return;
        };
        let note = supplied(ctx, out, request.frame, certificate.frame, alert);
        missing(
            ctx,
            out,
            request.frame,
            Some(certificate.frame),
            alert,
            &note,
        );
        if ctx.supplied.is_empty() {
            type_mismatch(ctx, out, request.frame, certificate.frame, alert);
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
                crate::words::hex(&leaf.sha256[..8]),
                expected.subject,
                crate::words::hex(&expected.sha256[..8])
            );
            for finding in &mut out[before..] {
                finding.explanation.push_str(&note);
            }
        }
    }
}

/// The key family of a certificate, as signature schemes name it ("other" for keys that do not
/// sign in TLS here).
fn family_name(cert: &Certificate) -> &'static str {
    cert.public_key.family().map_or("other", KeyFamily::name)
}

/// Is any certificate of a chain issued by (or itself) a CA the CertificateRequest lists?
/// `None` when the request is not readable or lists no CA (any is accepted).
fn chain_listed(ctx: &Ctx<'_>, chain: &[&Certificate]) -> Option<bool> {
    let accepted = &ctx.conn.certificate_request()?.certificate_authorities;
    if accepted.is_empty() {
        return None;
    }
    let listed = |name: &Name| accepted.iter().any(|ca| ca.der() == name.der());
    Some(
        chain
            .iter()
            .any(|c| listed(&c.issuer) || listed(&c.subject)),
    )
}

/// The key families a list of signature schemes can serve, in a fixed order.
fn families(schemes: &[SignatureScheme]) -> Vec<KeyFamily> {
    schemes
        .iter()
        .filter_map(|s| s.key_family())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Families joined with " or ".
fn either(families: &[KeyFamily]) -> String {
    families
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Checks the chain the user supplied (`--client-cert`) against the CertificateRequest, after
/// the client sent an empty Certificate: each problem found is a certain finding. Returns a
/// sentence for the client-cert-missing explanation (empty without a supplied chain).
fn supplied(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: FrameNumber,
    certificate: FrameNumber,
    alert: ServerAlert<'_>,
) -> String {
    let Some(leaf) = ctx.supplied.first() else {
        return String::new();
    };
    let Some(cr) = ctx.conn.certificate_request() else {
        return "\nThe certificate you supplied cannot be checked: the CertificateRequest is not readable in this capture.".to_string();
    };
    let severity = if ctx.failed() || alert.is_some() {
        Severity::Error
    } else {
        Severity::Warning
    };
    let frames = [
        Some(request),
        Some(certificate),
        alert.map(|(e, _)| e.frame),
    ];
    let yours = format!(
        "The certificate you supplied, {} (issued by {}),",
        leaf.subject, leaf.issuer
    );
    let java_like = ctx.client_stack().is_none_or(Stack::picks_by_ca_list);
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

    let chain: Vec<&Certificate> = ctx.supplied.iter().collect();
    if chain_listed(ctx, &chain) == Some(false) {
        out.push(
            Finding::new(C::ClientCertNotInCaList, Confidence::Certain, "Your client certificate is not issued by a CA the server accepts")
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
    let family = leaf.public_key.family();
    let mut allowed = families(&cr.signature_algorithms);
    if !cr.tls13 && !cr.certificate_types.is_empty() {
        let by_type: Vec<KeyFamily> = cr
            .certificate_types
            .iter()
            .filter_map(|t| t.key_family())
            .collect();
        if !by_type.is_empty() {
            allowed.retain(|f| by_type.contains(f) || *f == KeyFamily::EdDsa);
        }
    }
    if !cr.signature_algorithms.is_empty() && !family.is_some_and(|f| allowed.contains(&f)) {
        out.push(
            Finding::new(C::ClientCertTypeMismatch, Confidence::Certain, format!("Your client certificate's key ({}) is not one the server accepts", leaf.public_key))
                .severity(severity)
                .explain(format!(
                    "{yours} has the key type {}. The server's CertificateRequest (frame {request}) allows {} keys only (certificate types {}; signature algorithms {}). A client cannot sign the handshake with this key in a way the server accepts, so it sends an empty Certificate (frame {certificate}).",
                    leaf.public_key,
                    if allowed.is_empty() { "no usable".to_string() } else { either(&allowed) },
                    if cr.certificate_types.is_empty() { "none".to_string() } else { Ctx::list(&cr.certificate_types, usize::MAX) },
                    Ctx::list(&cr.signature_algorithms, 6)
                ))
                .fix(format!("Use a client certificate with {} key, or have the server allow your key's signature algorithms (OpenSSL servers: `-client_sigalgs` / `ClientSignatureAlgorithms`).", allowed.first().map_or_else(|| "another".to_string(), |f| format!("an {f}"))))
                .frames(frames),
        );
    }
    if let Some(at) = ctx.time()
        && let Err(problem) = leaf.validity_at(at)
    {
        let (code, word, when, date, fix) = validity_words(problem);
        out.push(
            Finding::new(code, Confidence::Certain, format!("Your client certificate is {word}"))
                .severity(severity)
                .explain(format!(
                    "{yours} {when} {date}; the connection was made at {}. Java's key manager and browsers do not offer a certificate outside its validity: they send an empty Certificate (frame {certificate}).",
                    at.to_rfc3339()
                ))
                .fix(fix)
                .frames(frames),
        );
    }
    if let Err(what) = leaf.client_auth_usage() {
        out.push(
            Finding::new(C::ClientCertWrongKeyUsage, Confidence::Certain, "Your client certificate is not allowed for client authentication")
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
        "\nThe certificate you supplied, {} (issued by {}), fits this request: {listed}, its {} key is allowed, it is valid at the connection's time and allowed for client authentication. So the client did not use it: check that it is configured with this certificate and its private key.",
        leaf.subject,
        leaf.issuer,
        family_name(leaf)
    )
}

/// For a client certificate outside its validity: the code, the adjective, the verb for its
/// date, the date, the fix.
fn validity_words(problem: Validity) -> (C, &'static str, &'static str, String, &'static str) {
    match problem {
        Validity::Expired(date) => (
            C::ClientCertExpired,
            "expired",
            "expired on",
            crate::words::date(date),
            "Renew the client certificate (and check the clocks: NTP on the client and the server).",
        ),
        Validity::NotYetValid(date) => (
            C::ClientCertNotYetValid,
            "not yet valid",
            "is valid only from",
            crate::words::date(date),
            "Check the clocks of the client, the server and the issuing CA; reissue the certificate if its dates are wrong.",
        ),
    }
}

/// Why a client of this stack sent no certificate, and how to give it one: the "Why" sentence
/// and the fix of client-cert-missing, by the stack its ClientHello shows.
pub(super) fn missing_words(ctx: &Ctx<'_>) -> (String, String) {
    let stack = ctx.client_stack();
    let looks = |s: Stack| {
        format!(
            "Why: from its ClientHello the client looks like {}.",
            s.name()
        )
    };
    let why = match stack {
        Some(s @ Stack::Java) => format!(
            "{} Java, like Go, .NET and browsers, sends only a certificate whose issuer is in the server's list and whose key fits the requested signature algorithms. When its key store holds none (or no key store is set, or the entry lacks the listed intermediate CA), it sends an empty Certificate and reports no error on the client side.",
            looks(s)
        ),
        Some(s @ Stack::Go) => format!(
            "{} Go sends a certificate of `tls.Config.Certificates` only when it fits the server's request (issuer in the list, a key the requested signature algorithms allow); when none fits, or none is configured, it sends an empty Certificate and the application sees only \"remote error: tls: bad certificate\" or \"handshake failure\".",
            looks(s)
        ),
        Some(s @ Stack::Browser) => format!(
            "{} A browser offers only certificates of its (or the system's) certificate store issued by a listed CA, and sends an empty Certificate when there is none or the user picks none.",
            looks(s)
        ),
        Some(s @ Stack::Node) => format!(
            "{} Node.js sends the certificate of its TLS options (`key` and `cert`, or `pfx`) whatever the server's list says, so an empty Certificate means none was given for this connection.",
            looks(s)
        ),
        Some(s @ (Stack::GnuTls | Stack::OpenSsl)) => format!(
            "{} Such clients send their configured certificate even when its issuer is not in the list, so an empty Certificate means no client certificate and key were configured for this connection.",
            looks(s)
        ),
        // SChannel: the general words, which name .NET among the stacks that pick.
        Some(Stack::Schannel) | None => "Why: Java, Go, .NET and browsers send only a certificate issued by a listed CA and otherwise send an empty Certificate silently; OpenSSL-based clients (curl, Python, Node.js) send whatever certificate they are configured with, so for them an empty Certificate means none was configured.".to_string(),
    };
    let server_side = "Or ask the server's operator to add your issuing CA to the accepted list (nginx: `ssl_client_certificate`, not `ssl_trusted_certificate`, which is not advertised; Go: `tls.Config.ClientCAs`; Node.js: the server's `ca` option).";
    let fix = match stack {
        Some(Stack::Java) => format!(
            "Give the Java client a key store entry whose certificate is issued by an accepted CA, with its full chain under the same alias (`keytool -importkeystore -srckeystore client.p12 …`), and point the client at it (`javax.net.ssl.keyStore` or the HTTP client's SSLContext). `-Djavax.net.debug=ssl:handshake` shows which alias JSSE considered. {server_side}"
        ),
        Some(Stack::Go) => format!(
            "Put a certificate issued by an accepted CA in `tls.Config.Certificates`, with its intermediates after the leaf (`tls.LoadX509KeyPair` reads a chain file), or return it from `tls.Config.GetClientCertificate`, which Go calls with the server's request. {server_side}"
        ),
        Some(Stack::Node) => format!(
            "Pass the client certificate and its key in the TLS options (`key` and `cert`, with the intermediates after the leaf in `cert`, or `pfx`), for example in `https.request` or an `https.Agent`, using a certificate issued by an accepted CA. {server_side}"
        ),
        Some(Stack::Browser) => format!(
            "Import the client certificate with its key (a .p12 file) into the browser's or the system's certificate store, issued by an accepted CA, and pick it when the browser asks. {server_side}"
        ),
        Some(Stack::OpenSsl) => format!(
            "Configure the client certificate and key (curl `--cert client.crt --key client.key`, Python `context.load_cert_chain(...)`, nginx as a client `proxy_ssl_certificate`), using a certificate issued by an accepted CA, with its intermediates in the same file after the leaf. {server_side}"
        ),
        _ => format!(
            "Configure the client with a certificate and key issued by an accepted CA (with its intermediate CAs). {server_side}"
        ),
    };
    (why, fix)
}

/// The client's first request after the handshake answered by one record the size of an error
/// page, after which the server closed the connection: nginx with `ssl_verify_client on` and no
/// client certificate completes the handshake and answers HTTP 400 "No required SSL certificate
/// was sent" (some 390 bytes with its headers), then closes. A smaller answer (a served
/// request), more data, or a client that closed first do not fit. Returns the answer record and
/// the frame where the server closed.
pub(super) fn error_page<'a>(ctx: &Ctx<'a>) -> Option<(&'a Event, FrameNumber)> {
    let conn = ctx.conn;
    let data = |m: &Event| {
        m.is_encrypted_record()
            && m.inferred
                .is_none_or(|i| i == crate::model::Inferred::ApplicationData)
    };
    let request = conn
        .records()
        .filter(|m| m.from == Party::Client && data(m))
        .find(|m| {
            // In TLS 1.3 the client's Finished is an encrypted record too: the request follows it.
            conn.tls13
                .as_ref()
                .and_then(|r| r.client_finished)
                .is_none_or(|f| m.seq > f)
        })?;
    let answers: Vec<&Event> = conn
        .records()
        .filter(|m| m.from == Party::Server && data(m) && m.seq > request.seq)
        .collect();
    let [answer] = answers[..] else { return None };
    let (server, client) = (
        conn.server_to_client.closed_at()?,
        conn.client_to_server.closed_at(),
    );
    let fits = ERROR_PAGE.contains(&answer.length());
    (fits && client.is_none_or(|c| server < c)).then_some((answer, server))
}

/// Record sizes that fit nginx's 400 pages for a client certificate ("No required SSL
/// certificate was sent", "The SSL certificate error"): 389 bytes of headers and body from
/// nginx 1.22 (its `ngx_http_error_496_page` and the tail naming its version; 375 with
/// `server_tokens off`), so 340 to 420 bytes, plus the record's overhead (16 bytes with
/// ChaCha20, 17 in TLS 1.3, 24 with AES-GCM in TLS 1.2, up to some 80 with CBC and HMAC).
const ERROR_PAGE: std::ops::RangeInclusive<u32> = 340 + 16..=420 + 80;

/// The server closed the connection first, without an alert and before its own
/// ChangeCipherSpec and Finished, after the client's certificate: its frame, and the words for
/// it. That is how a Node.js server with `requestCert` and `rejectUnauthorized` rejects a
/// client certificate: it checks it in JavaScript once OpenSSL has read it.
fn silent_close(ctx: &Ctx<'_>, certificate: FrameNumber) -> Option<(FrameNumber, String)> {
    let conn = ctx.conn;
    let closed = conn.server_to_client.closed_at()?;
    let client_first = conn
        .client_to_server
        .closed_at()
        .is_some_and(|c| c < closed);
    let finished = conn
        .records()
        .any(|m| m.from == Party::Server && m.frame > certificate && m.is_change_cipher_spec());
    (!client_first && !finished).then(|| {
        (
            closed,
            format!(
                "The server then closed the connection (frame {closed}) without an alert, before its own ChangeCipherSpec and Finished — how a Node.js server with `requestCert` and `rejectUnauthorized` rejects a client certificate: it checks the certificate in JavaScript once OpenSSL has read it, and its log names the reason (for example UNABLE_TO_VERIFY_LEAF_SIGNATURE)."
            ),
        )
    })
}

/// The accepted CAs as an indented list, or a sentence when the list is empty.
fn accepted(ctx: &Ctx<'_>) -> String {
    let cas = ctx.accepted_cas();
    if ctx.conn.certificate_request().is_none() {
        "Which CAs it accepts cannot be read.".to_string()
    } else if cas.is_empty() {
        "The server named no CA (an empty list), which lets the client choose any certificate."
            .to_string()
    } else {
        let mut s = "The server accepts certificates issued by:".to_string();
        for ca in cas {
            s.push_str("\n    ");
            s.push_str(&ca.to_string());
        }
        s
    }
}

fn request_where(ctx: &Ctx<'_>, frame: FrameNumber) -> String {
    if ctx.conn.certificate_request().is_some() {
        format!("CertificateRequest, frame {frame}")
    } else {
        "its CertificateRequest is not readable in this capture, but a TLS 1.2 client sends a Certificate message only when asked".to_string()
    }
}

fn request_details(ctx: &Ctx<'_>) -> String {
    if ctx.conn.certificate_request().is_some() {
        "\n(The certificate types and signature algorithms it allows are listed under \"certificate request\" below.)".to_string()
    } else {
        String::new()
    }
}

fn missing(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: FrameNumber,
    certificate: Option<FrameNumber>,
    alert: ServerAlert<'_>,
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
    let (why, fix) = missing_words(ctx);
    let accepted = accepted(ctx);
    let details = request_details(ctx);
    let why = format!("{why}{note}");
    match (ctx.conn.outcome, alert) {
        (Outcome::Failed, _) | (_, Some(_)) => {
            let s = &ctx.conn.server_to_client;
            let c = &ctx.conn.client_to_server;
            let closer = [
                (s.rst_frame.or(s.fin_frame), "the server"),
                (c.rst_frame.or(c.fin_frame), "the client"),
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
                |(e, a)| {
                    format!(
                        "so the server ended the handshake with {}{}",
                        fatal_alert_words(a.description(), e.frame),
                        a.description().map_or("", server_alert_stack)
                    )
                },
            );
            out.push(
                Finding::new(C::ClientCertMissing, Confidence::Certain, "The server requires a client certificate and the client sent none")
                    .explain(format!(
                        "{server} asked for a client certificate ({}). {accepted}{details}\n{answered}, {ending}.\n{why}",
                        request_where(ctx, request)
                    ))
                    .fix(fix)
                    .frames([Some(request), certificate, alert.map(|(e, _)| e.frame)]),
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
                    Finding::new(C::ClientCertMissing, Confidence::Certain, "The server refused the request because the client sent no certificate")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}. The handshake completed, and the server answered the client's request with \"{}\" (frame {}, decrypted with the key log), whose body says \"No required SSL certificate was sent\": nginx's answer when `ssl_verify_client on` gets no certificate.\n{why}",
                            http.status_line, http.frame
                        ))
                        .fix(fix)
                        .frames([Some(request), certificate, Some(http.frame)]),
                );
            } else if let Some((answer, close)) = error_page(ctx) {
                out.push(
                    Finding::new(C::ClientCertMissing, Confidence::Likely, "The server most likely refused the request because the client sent no certificate")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}. The handshake completed, but the server answered the client's first request with a single {}-byte record (frame {}) and closed the connection (frame {close}). That is what nginx with `ssl_verify_client on` does: it completes the handshake and answers HTTP 400 \"No required SSL certificate was sent\" (some 390 bytes with its headers, which this record's size fits) inside TLS, encrypted in this capture.\n{why}",
                            answer.length(), answer.frame
                        ))
                        .fix(format!("{fix} A key log (SSLKEYLOGFILE) shows the server's answer and makes this certain."))
                        .frames([Some(request), certificate, Some(answer.frame), Some(close)]),
                );
            } else {
                let answer = http.map_or_else(
                    || "(nginx with `ssl_verify_client on` completes the handshake and then answers HTTP 400 \"No required SSL certificate was sent\" inside TLS, which is encrypted in this capture)".to_string(),
                    |h| format!("(its answer to the request, decrypted with the key log: \"{}\", frame {})", h.status_line, h.frame),
                );
                out.push(
                    Finding::new(C::ClientAuthOptionalNoCert, Confidence::Certain, "The server asked for a client certificate, got none, and accepted the connection")
                        .explain(format!(
                            "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}; the server finished the handshake anyway, so client authentication is optional here, or the application decides later {answer}.\n{why}"
                        ))
                        .fix(format!("If the request failed (HTTP 400/403), this is the cause. {fix}"))
                        .frames([Some(request), certificate]),
                );
            }
        }
        _ => out.push(
            Finding::new(C::ClientCertMissing, Confidence::Certain, "The client sent no certificate although the server asked for one")
                .severity(Severity::Warning)
                .explain(format!(
                    "{server} asked for a client certificate (CertificateRequest, frame {request}). {accepted}\n{answered}; the capture ends before the server's answer.\n{why}"
                ))
                .fix(fix)
                .frames([Some(request), certificate]),
        ),
    }
}

/// An OpenSSL-based client sends its configured certificate whatever the CA list says; it sends
/// an empty one when its key cannot sign with any algorithm the server allows. A server that
/// allows signatures from one key family only then makes a key-type mismatch likely.
fn type_mismatch(
    ctx: &Ctx<'_>,
    out: &mut Vec<Finding>,
    request: FrameNumber,
    certificate: FrameNumber,
    alert: ServerAlert<'_>,
) {
    let Some(cr) = ctx.conn.certificate_request() else {
        return;
    };
    let allowed = families(&cr.signature_algorithms);
    let [family] = allowed[..] else { return };
    if ctx.client_stack() != Some(Stack::OpenSsl) {
        return;
    }
    // "an RSA key", "an ECDSA key", "a DSA key".
    let a = if family == KeyFamily::Dsa { "a" } else { "an" };
    out.push(
        Finding::new(C::ClientCertTypeMismatch, Confidence::Likely, format!("The server accepts only {family} client keys; the client's key is probably of another type"))
            .severity(Severity::Warning)
            .explain(format!(
                "The server's CertificateRequest (frame {request}) allows client signatures with {family} keys only: {}. The client looks like OpenSSL, which sends its configured certificate even when its issuer is not listed, but sends an empty Certificate (frame {certificate}) when its key cannot produce any allowed signature. So if this client has a certificate configured, its key is most likely not {a} {family} key (for example an EC key when only RSA is allowed); if it has none, client-cert-missing says it all.",
                Ctx::list(&cr.signature_algorithms, 6)
            ))
            .fix(format!("Use a client certificate with {a} {family} key, or have the server allow your key's signature algorithms (OpenSSL servers: `-client_sigalgs` / `ClientSignatureAlgorithms`). `--client-cert` with your certificate makes this certain."))
            .frames([Some(request), Some(certificate), alert.map(|(e, _)| e.frame)]),
    );
}

/// The client sent a certificate: check it, and explain a rejection.
fn sent(ctx: &Ctx<'_>, out: &mut Vec<Finding>, alert: ServerAlert<'_>) {
    let chain = ctx.client_chain();
    let Some(leaf) = chain.first().copied() else {
        return;
    };
    let Some(certificate) = ctx.client_certificate().map(|m| m.frame) else {
        return;
    };
    let request = ctx
        .message(Party::Server, HandshakeType::CertificateRequest)
        .map(|m| m.frame);
    let rejected = ctx.failed() || alert.is_some();
    let severity = if rejected {
        Severity::Error
    } else {
        Severity::Warning
    };
    let description = alert.and_then(|(_, a)| a.description());
    let alert_frame = alert.map(|(e, _)| e.frame);
    let closed = silent_close(ctx, certificate).filter(|_| alert.is_none() && rejected);
    let alert_frame = alert_frame.or(closed.as_ref().map(|(frame, _)| *frame));
    let alert_text = match (alert, closed) {
        (Some((e, a)), _) => format!(
            " The server answered with {}{}.",
            fatal_alert_words(a.description(), e.frame),
            a.description().map_or("", server_alert_stack)
        ),
        (None, Some((_, words))) => format!(" {words}"),
        (None, None) => String::new(),
    };
    let frames = [request, Some(certificate), alert_frame];
    let client = ctx.who(Party::Client);
    let subject = &leaf.subject;
    let before = out.len();

    let verify = ctx.message(Party::Client, HandshakeType::CertificateVerify);
    let signature_valid = verify.and_then(|m| m.handshake()?.signature_valid());
    if let Some(verify) = verify
        && (signature_valid == Some(false)
            || (description == Some(AlertDescription::DecryptError) && signature_valid.is_none()))
    {
        let proof = if signature_valid == Some(false) {
            " Checked here: the signature does not verify, over this handshake's messages, with the public key of the certificate the client sent — the client signs with a private key that does not belong to its certificate."
        } else {
            " The signature does not verify with the certificate's public key (the server says so; this capture does not let it be checked here): the client signs with another key."
        };
        out.push(
            Finding::new(C::ClientCertKeyMismatch, Confidence::Certain, "The client's CertificateVerify does not match its certificate")
                .severity(severity)
                .explain(format!(
                    "{client} sent the certificate {subject} (frame {certificate}) and a CertificateVerify (frame {}) signed to prove it holds the certificate's private key.{alert_text}{proof}",
                    verify.frame
                ))
                .fix("Check that the private key belongs to the certificate (compare `openssl x509 -noout -pubkey -in client.crt` with `openssl pkey -pubout -in client.key`) and re-create the key store entry from the matching pair.")
                .frames([Some(certificate), Some(verify.frame), alert_frame]),
        );
    }
    if let Some(at) = ctx.time()
        && let Err(problem) = leaf.validity_at(at)
    {
        let (code, word, when, date, fix) = validity_words(problem);
        out.push(
            Finding::new(code, Confidence::Certain, format!("The client's certificate is {word}"))
                .severity(severity)
                .explain(format!(
                    "{client} sent the certificate {subject} (frame {certificate}), which {when} {date}; the connection was made at {}.{alert_text}",
                    at.to_rfc3339()
                ))
                .fix(fix)
                .frames(frames),
        );
    }
    let usage = leaf.client_auth_usage().err();
    if usage.is_some() || description == Some(AlertDescription::UnsupportedCertificate) {
        let what = usage.map_or_else(
            || "the server finds its purpose or algorithm unacceptable".to_string(),
            |u| u.to_string(),
        );
        out.push(
            Finding::new(C::ClientCertWrongKeyUsage, Confidence::Certain, "The client's certificate is not allowed for client authentication")
                .severity(severity)
                .explain(format!("{client} sent the certificate {subject} (frame {certificate}): {what}.{alert_text}"))
                .fix("Issue the client certificate with extendedKeyUsage clientAuth and keyUsage digitalSignature (a server certificate cannot stand in for a client certificate).")
                .frames(frames),
        );
    }
    let accepted_cas = ctx.accepted_cas();
    let listed = |name: &Name| accepted_cas.iter().any(|ca| ca.der() == name.der());
    let issuer_sent = chain.iter().any(|c| c.subject.der() == leaf.issuer.der());
    let issuer_missing = !leaf.self_signed && !issuer_sent && !listed(&leaf.issuer);
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
            Finding::new(C::ClientCertNotInCaList, Confidence::Certain, "The client's certificate is not issued by a CA the server lists")
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
    let same_organisation = leaf.issuer.organisation().is_some_and(|o| {
        accepted_cas
            .iter()
            .any(|ca| ca.organisation().as_ref() == Some(&o))
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
            Finding::new(C::ClientCertIncompleteChain, confidence, "The client sent its certificate without the intermediate CA that issued it")
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
            Finding::new(C::ClientCertUntrustedIssuer, Confidence::Certain, "The client's chain does not lead to a CA of your trust store")
                .severity(severity)
                .explain(format!(
                    "Checked against your trust store (--ca, {} CA{}): the chain {client} sent (frame {certificate}) breaks at [{at}] {}: {why}.{alert_text}",
                    ctx.trust.len(),
                    if ctx.trust.len() == 1 { "" } else { "s" },
                    chain.get(at).map_or_else(String::new, |c| c.subject.to_string()),
                ))
                .fix("Add the CA that issued the top of the client's chain to the server's trust store for client certificates, or send the full chain up to a CA the server trusts.")
                .frames(frames),
        );
    }
    if rejected && out.len() == before {
        let untrusted = matches!(
            description,
            Some(AlertDescription::CertificateUnknown | AlertDescription::UnknownCa)
        );
        if untrusted {
            out.push(
                Finding::new(C::ClientCertUntrustedIssuer, Confidence::Certain, "The server does not trust the client's certificate")
                    .explain(format!(
                        "{client} sent the certificate {subject}, issued by {} (frame {certificate}), with a chain that looks complete.{alert_text}",
                        leaf.issuer
                    ))
                    .fix("Add the issuing CA to the server's trust store for client certificates, or use a certificate from a CA it trusts. For certificate_unknown (46), also check that the server can reach the CRL or OCSP responder.")
                    .frames(frames),
            );
        } else {
            out.push(
                Finding::new(C::ClientCertRejected, Confidence::Certain, "The server rejected the client's certificate")
                    .explain(format!(
                        "{client} sent the certificate {subject}, issued by {} (frame {certificate}).{}{}",
                        leaf.issuer,
                        if alert_text.is_empty() { " The server then ended the connection without an alert.".to_string() } else { alert_text },
                        if description == Some(AlertDescription::DecryptError) && signature_valid == Some(true) {
                            " Its CertificateVerify signature verifies here with the certificate's key, so the key matches: the server failed to check it for another reason (a signature algorithm it cannot process, or its own view of the handshake differs)."
                        } else {
                            ""
                        }
                    ))
                    .fix(match description {
                        Some(AlertDescription::CertificateRevoked) => "The certificate was revoked: get a new one from the issuing CA. If it should be valid, check the CRL or OCSP responder the server consults.",
                        Some(AlertDescription::AccessDenied) => "The certificate is valid but not authorised: ask the server's operator to allow its subject (or SAN) in the access policy.",
                        _ => "Read the server's log at this time for the exact reason; compare the certificate with the server's trust store and policy.",
                    })
                    .frames(frames),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::{Confidence, FindingCode as C, Severity};
    use crate::findings::run::{codes, expect, frames};
    use crate::model::testkit::*;
    use crate::model::{Connection, Party};
    use crate::tls::enums::{
        AlertDescription as A, AlertLevel::Fatal, HandshakeType as H, ProtocolVersion,
    };
    use crate::x509::Certificate;
    use crate::x509::verify::Verdict;

    /// RFC 5246 §7.3 with client authentication: the server's flight asks for a certificate
    /// (frame 6), the client answers with `sent` (frame 8), and `end` follows: the server's
    /// alert at frame 9, or its ChangeCipherSpec and Finished.
    fn mutual(
        hello: EventKindFn,
        request: EventKindFn,
        sent: &[Certificate],
        verify: Option<Verdict>,
        refusal: Option<A>,
    ) -> Connection {
        let mut s = Scenario::tls12()
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(certificate(&server_chain()))
            .server(request())
            .server(msg(H::ServerHelloDone))
            .at(8)
            .client(certificate(sent))
            .client(msg(H::ClientKeyExchange));
        if let Some(check) = verify {
            s = s.client(certificate_verify(Some(check)));
        }
        s = s.client(ccs()).client(encrypted_handshake(40));
        match refusal {
            Some(a) => s.at(9).server(alert(Fatal, a)).fin(Party::Server, 10),
            None => s.server_finished(9).at(10).client(encrypted(100)),
        }
        .build()
    }

    type EventKindFn = fn() -> crate::model::EventKind;

    /// An OpenSSL client sent `chain` to a server listing the test root, which refused it.
    fn sent(chain: &[Certificate], refusal: A) -> Connection {
        mutual(
            hello,
            root_request,
            chain,
            Some(Verdict::Valid),
            Some(refusal),
        )
    }

    fn root_request() -> crate::model::EventKind {
        certificate_request(&[&root()])
    }

    fn any_ca_request() -> crate::model::EventKind {
        certificate_request(&[])
    }

    fn rsa_only_request() -> crate::model::EventKind {
        certificate_request_with(&[&root()], &[0x0401, 0x0804])
    }

    #[test]
    fn an_empty_certificate_refused_by_the_server_is_a_missing_certificate() {
        let conn = mutual(hello, root_request, &[], None, Some(A::HandshakeFailure));
        let f = expect(&conn, C::ClientCertMissing);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Error, Confidence::Certain)
        );
        assert_eq!(frames(&f), [6, 8, 9]);
        assert!(
            f.explanation
                .contains("CN=Test Root CA, O=pcap-tls-diagnose"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation.contains("OpenSSL-based servers"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation.contains("looks like OpenSSL"),
            "{}",
            f.explanation
        );
        // Near miss: a client that sent its certificate and was accepted.
        let ok = mutual(
            hello,
            root_request,
            &client_chain(),
            Some(Verdict::Valid),
            None,
        );
        assert_eq!(codes(&ok), [C::HandshakeOk]);
    }

    #[test]
    fn an_empty_certificate_the_server_accepts_is_optional_client_auth() {
        let conn = mutual(java_hello, root_request, &[], None, None);
        let f = expect(&conn, C::ClientAuthOptionalNoCert);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.explanation.contains("Java (JSSE)"), "{}", f.explanation);
        // Near miss: refused with an alert, it is a missing certificate, not optional.
        let refused = mutual(java_hello, root_request, &[], None, Some(A::BadCertificate));
        assert!(!codes(&refused).contains(&C::ClientAuthOptionalNoCert));
        assert!(
            expect(&refused, C::ClientCertMissing)
                .explanation
                .contains("Java (JSSE) and Go servers")
        );
    }

    #[test]
    fn a_certificate_refused_for_another_reason_is_rejected() {
        let conn = sent(&client_chain(), A::CertificateRevoked);
        let f = expect(&conn, C::ClientCertRejected);
        assert!(f.remediation.contains("revoked"), "{}", f.remediation);
        assert_eq!(frames(&f), [6, 8, 9]);
        // Near miss: the same certificate accepted.
        let ok = mutual(
            hello,
            root_request,
            &client_chain(),
            Some(Verdict::Valid),
            None,
        );
        assert!(!codes(&ok).contains(&C::ClientCertRejected));
    }

    #[test]
    fn a_certificate_from_an_unlisted_ca_is_not_in_the_ca_list() {
        let conn = sent(&pem("client-unrelated.pem"), A::UnknownCa);
        let f = expect(&conn, C::ClientCertNotInCaList);
        assert!(
            f.explanation.contains("CN=Unrelated Partner CA"),
            "{}",
            f.explanation
        );
        let listed = sent(&client_chain(), A::UnknownCa);
        assert!(!codes(&listed).contains(&C::ClientCertNotInCaList));
    }

    #[test]
    fn a_server_closing_before_its_finished_says_how_it_refused() {
        // A Node.js server: FIN after the client's certificate, no alert, no ChangeCipherSpec.
        let refused = |silent: bool| {
            let s = Scenario::tls12()
                .at(4)
                .client(hello())
                .at(6)
                .server(server_hello(ProtocolVersion::TLS12))
                .server(root_request())
                .server(msg(H::ServerHelloDone))
                .at(8)
                .client(certificate(&pem("client-unrelated.pem")))
                .client(msg(H::ClientKeyExchange))
                .client(certificate_verify(Some(Verdict::Valid)))
                .client(ccs())
                .client(encrypted_handshake(40));
            if silent {
                s.fin(Party::Server, 9).build()
            } else {
                s.at(9)
                    .server(alert(Fatal, A::UnknownCa))
                    .fin(Party::Server, 10)
                    .build()
            }
        };
        let f = expect(&refused(true), C::ClientCertNotInCaList);
        assert!(
            f.explanation
                .contains("closed the connection (frame 9) without an alert"),
            "{}",
            f.explanation
        );
        assert!(f.explanation.contains("Node.js"), "{}", f.explanation);
        assert_eq!(frames(&f), [6, 8, 9]);
        // Near miss: a server that says why in an alert is quoted instead.
        let f = expect(&refused(false), C::ClientCertNotInCaList);
        assert!(!f.explanation.contains("Node.js"), "{}", f.explanation);
    }

    #[test]
    fn validity_is_judged_at_the_connections_time() {
        let expired = sent(&pem("client-expired-chain.pem"), A::CertificateExpired);
        let f = expect(&expired, C::ClientCertExpired);
        assert!(
            f.explanation.contains("expired on 2021-"),
            "{}",
            f.explanation
        );
        let valid = sent(&client_chain(), A::CertificateExpired);
        assert!(!codes(&valid).contains(&C::ClientCertExpired));
        // The same certificate, before its notBefore: not yet valid.
        let early = Scenario::tls12()
            .starting(crate::capture::Timestamp::from_parts(1_600_000_000, 0))
            .at(4)
            .client(hello())
            .at(6)
            .server(server_hello(ProtocolVersion::TLS12))
            .server(root_request())
            .at(8)
            .client(certificate(&client_chain()))
            .at(9)
            .server(alert(Fatal, A::BadCertificate))
            .build();
        expect(&early, C::ClientCertNotYetValid);
        assert!(!codes(&valid).contains(&C::ClientCertNotYetValid));
    }

    #[test]
    fn a_complete_chain_answered_unknown_ca_is_an_untrusted_issuer() {
        let conn = mutual(
            hello,
            any_ca_request,
            &client_chain(),
            Some(Verdict::Valid),
            Some(A::UnknownCa),
        );
        expect(&conn, C::ClientCertUntrustedIssuer);
        let revoked = mutual(
            hello,
            any_ca_request,
            &client_chain(),
            Some(Verdict::Valid),
            Some(A::CertificateRevoked),
        );
        assert!(!codes(&revoked).contains(&C::ClientCertUntrustedIssuer));
    }

    #[test]
    fn a_leaf_without_its_intermediate_is_an_incomplete_chain() {
        let conn = sent(&pem("client.pem"), A::UnknownCa);
        let f = expect(&conn, C::ClientCertIncompleteChain);
        // One certificate alone: inferred from the issuer's organisation.
        assert_eq!(f.confidence, Confidence::Likely);
        let whole = sent(&client_chain(), A::UnknownCa);
        assert!(!codes(&whole).contains(&C::ClientCertIncompleteChain));
    }

    #[test]
    fn a_certificate_without_client_auth_is_the_wrong_key_usage() {
        let conn = sent(
            &pem("client-server-eku-chain.pem"),
            A::UnsupportedCertificate,
        );
        let f = expect(&conn, C::ClientCertWrongKeyUsage);
        assert!(
            f.explanation.contains("serverAuth without clientAuth"),
            "{}",
            f.explanation
        );
        let ok = sent(&client_chain(), A::CertificateRevoked);
        assert!(!codes(&ok).contains(&C::ClientCertWrongKeyUsage));
    }

    #[test]
    fn a_signature_that_does_not_verify_is_a_key_mismatch() {
        let conn = mutual(
            java_hello,
            root_request,
            &client_chain(),
            Some(Verdict::Invalid),
            Some(A::DecryptError),
        );
        let f = expect(&conn, C::ClientCertKeyMismatch);
        assert!(f.explanation.contains("Checked here"), "{}", f.explanation);
        let valid = mutual(
            java_hello,
            root_request,
            &client_chain(),
            Some(Verdict::Valid),
            Some(A::DecryptError),
        );
        assert!(!codes(&valid).contains(&C::ClientCertKeyMismatch));
        assert!(
            expect(&valid, C::ClientCertRejected)
                .explanation
                .contains("the key matches")
        );
    }

    #[test]
    fn an_openssl_client_silent_under_one_key_family_likely_has_the_other_type() {
        let conn = mutual(
            hello,
            rsa_only_request,
            &[],
            None,
            Some(A::HandshakeFailure),
        );
        let f = expect(&conn, C::ClientCertTypeMismatch);
        assert_eq!(
            (f.severity, f.confidence),
            (Severity::Warning, Confidence::Likely)
        );
        assert!(f.title.contains("only RSA"), "{}", f.title);
        let both = mutual(hello, root_request, &[], None, Some(A::HandshakeFailure));
        assert!(!codes(&both).contains(&C::ClientCertTypeMismatch));
        // A Java client picks by CA list: its empty Certificate says nothing about key types.
        let java = mutual(
            java_hello,
            rsa_only_request,
            &[],
            None,
            Some(A::HandshakeFailure),
        );
        assert!(!codes(&java).contains(&C::ClientCertTypeMismatch));
    }
}
