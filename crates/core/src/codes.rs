//! The vocabulary of the diagnosis: every finding code (a stable public name), its usual
//! severity, and its documentation — what it means, why it happens, how to fix it, and where to
//! read more. docs/findings.md is rendered from [`DOCS`] (a test keeps it in step), so a code and
//! its documentation cannot drift apart.
//!
//! The rules (`findings`) attach these codes to connections; the report writes them out. Both
//! read this module; it reads neither.

use std::fmt;

/// Declares [`FindingCode`] with its kebab-case names and the list of all codes.
macro_rules! finding_codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )+) => {
        /// A finding's stable code, as the report writes it (`client-cert-missing`, …). The names
        /// are a public interface: tools match on them.
        #[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[non_exhaustive]
        pub enum FindingCode {
            $( $(#[$doc])* #[cfg_attr(feature = "ts", ts(rename = $name))] $variant, )+
        }

        impl FindingCode {
            /// Every code, in the order docs/findings.md lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The kebab-case name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )+
                }
            }
        }
    };
}

finding_codes! {
    /// A required client certificate was not sent.
    ClientCertMissing = "client-cert-missing",
    /// A client certificate was asked for, none came, and the server went on.
    ClientAuthOptionalNoCert = "client-auth-optional-no-cert",
    /// The server rejected the client's certificate.
    ClientCertRejected = "client-cert-rejected",
    /// The client's chain has no issuer among the CAs the server lists.
    ClientCertNotInCaList = "client-cert-not-in-ca-list",
    /// The client's certificate had expired.
    ClientCertExpired = "client-cert-expired",
    /// The client's certificate was not yet valid.
    ClientCertNotYetValid = "client-cert-not-yet-valid",
    /// The server does not trust the client's issuing CA.
    ClientCertUntrustedIssuer = "client-cert-untrusted-issuer",
    /// The client left out its intermediate CA.
    ClientCertIncompleteChain = "client-cert-incomplete-chain",
    /// The client's certificate is not for client authentication.
    ClientCertWrongKeyUsage = "client-cert-wrong-key-usage",
    /// The client's CertificateVerify does not match its certificate.
    ClientCertKeyMismatch = "client-cert-key-mismatch",
    /// The client's key type is not one the server accepts.
    ClientCertTypeMismatch = "client-cert-type-mismatch",
    /// The client rejected the server's certificate.
    ServerCertUntrusted = "server-cert-untrusted",
    /// The server's certificate is self-signed.
    ServerCertSelfSigned = "server-cert-self-signed",
    /// The server left out its intermediate CA.
    ServerCertIncompleteChain = "server-cert-incomplete-chain",
    /// The server's certificate had expired.
    ServerCertExpired = "server-cert-expired",
    /// The server's certificate was not yet valid.
    ServerCertNotYetValid = "server-cert-not-yet-valid",
    /// The server's certificate does not cover the requested name.
    ServerCertHostnameMismatch = "server-cert-hostname-mismatch",
    /// No protocol version in common.
    ProtocolVersionMismatch = "protocol-version-mismatch",
    /// Nothing in common to negotiate.
    NoSharedCipher = "no-shared-cipher",
    /// The server does not know the requested name.
    ServerNameUnrecognized = "server-name-unrecognized",
    /// No application protocol in common.
    AlpnMismatch = "alpn-mismatch",
    /// A version fallback was refused.
    InappropriateFallback = "inappropriate-fallback",
    /// A fatal alert no other finding explains.
    FatalAlert = "fatal-alert",
    /// The server never answered the ClientHello.
    NoServerResponse = "no-server-response",
    /// A TCP reset during the handshake.
    ConnectionReset = "connection-reset",
    /// A close without an alert during the handshake.
    ConnectionClosed = "connection-closed",
    /// The SYN was answered by a reset.
    ConnectionRefused = "connection-refused",
    /// The SYN was never answered.
    NoSynAnswer = "no-syn-answer",
    /// One side does not speak TLS.
    NotTls = "not-tls",
    /// TLS 1.3 without keys: what is hidden.
    Tls13HandshakeEncrypted = "tls13-handshake-encrypted",
    /// An alert whose content is encrypted.
    EncryptedAlert = "encrypted-alert",
    /// An abbreviated handshake.
    ResumedSession = "resumed-session",
    /// A renegotiation after the handshake.
    Renegotiation = "renegotiation",
    /// A TLS 1.3 certificate request after the handshake.
    PostHandshakeAuth = "post-handshake-auth",
    /// A healthy handshake.
    HandshakeOk = "handshake-ok",
    /// No TLS in the whole capture.
    NoTlsInCapture = "no-tls-in-capture",
    /// The capture cut messages short.
    CaptureTruncated = "capture-truncated",
    /// Bytes are missing from the capture.
    CaptureGap = "capture-gap",
    /// The capture starts inside the connection.
    CaptureMidstream = "capture-midstream",
    /// Only one direction was captured.
    CaptureOneSided = "capture-one-sided",
    /// The key log has no secrets for the connection.
    KeylogNoMatch = "keylog-no-match",
    /// The key log covers the connection in part.
    KeylogIncomplete = "keylog-incomplete",
    /// The key log's secrets do not decrypt the connection.
    KeylogDecryptFailed = "keylog-decrypt-failed",
}

impl FindingCode {
    /// The code's documentation.
    pub fn doc(self) -> &'static CodeDoc {
        // DOCS lists every code once, in the order of ALL (a test checks it).
        &DOCS[self as usize]
    }

    /// The code's usual severity (a rule may lower it where the evidence is weaker).
    pub fn severity(self) -> Severity {
        self.doc().severity
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How bad a finding is. The CLI exits with 1 when any finding is an error.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something failed, or will fail.
    Error,
    /// Something is wrong or risky but the connection went through, or the evidence is partial.
    Warning,
    /// Context: what is hidden, what was resumed, what went well.
    Info,
}

/// How sure a finding is.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The capture shows it directly.
    Certain,
    /// Inferred from sizes, order or stack fingerprints; the explanation says from what.
    Likely,
}

/// One code's documentation.
#[derive(Debug)]
pub struct CodeDoc {
    /// The code.
    pub code: FindingCode,
    /// Its usual severity.
    pub severity: Severity,
    /// A one-line title.
    pub title: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// Why it happens.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Public references: RFC sections, the documentation of the stacks involved.
    pub references: &'static str,
}

use FindingCode as C;
use Severity::{Error, Info, Warning};

/// Every code's documentation, in the order of [`FindingCode::ALL`].
pub const DOCS: &[CodeDoc] = &[
    CodeDoc {
        code: C::ClientCertMissing,
        severity: Error,
        title: "The server required a client certificate and the client sent none",
        meaning: "The server's CertificateRequest asked for a client certificate; the client answered with an empty Certificate message (\"Certificates Length: 0\") or none at all, and the server aborted the handshake — or, reported as likely, completed it and answered the first request with one short record before closing (nginx's HTTP 400 inside TLS). In TLS 1.3 without keys it is inferred from record sizes (likely).",
        why: "Java (JSSE), Go, .NET and browsers send only a certificate whose issuer is in the CertificateRequest's list of accepted CAs and whose key fits its signature algorithms; when none fits they send an empty Certificate and log nothing. OpenSSL-based clients (curl, Python, nginx as a client) send their configured certificate regardless, so an empty one means none was configured. The server's alert tells its stack: handshake_failure(40) OpenSSL-based servers (nginx, Node.js, Python) and BoringSSL; bad_certificate(42) Java and Go (Go for every client-certificate problem, in TLS 1.3 too); decode_error(50) GnuTLS; certificate_required(116) OpenSSL-based servers in TLS 1.3. A Node.js server that rejects a certificate it received closes the connection without an alert, before its Finished.",
        fix: "Configure the client with a certificate (and its chain) issued by one of the accepted CAs shown with the finding. For Java, import the key and the full chain into the key store under one alias (`keytool -importkeystore`), and check that the chain's issuer matches the list. Or ask the server's operator to add your issuing CA to the accepted list (nginx: `ssl_client_certificate`, which is advertised, not `ssl_trusted_certificate`, which is not).",
        references: "RFC 5246 §7.4.4, §7.4.6; RFC 8446 §4.2.4, §4.3.2, §4.4.2.4; Java SE `X509KeyManager.chooseClientAlias` (issuers); Go `crypto/tls` `CertificateRequestInfo.SupportsCertificate`; nginx `ssl_verify_client`, `ssl_client_certificate`",
    },
    CodeDoc {
        code: C::ClientAuthOptionalNoCert,
        severity: Warning,
        title: "The server asked for a client certificate, got none, and went on",
        meaning: "A CertificateRequest was answered with an empty Certificate and the handshake completed: client authentication is optional on this server, or the application decides later.",
        why: "Servers with optional client authentication (OpenSSL `-verify`, nginx `ssl_verify_client optional`) accept the connection without a certificate. nginx with `ssl_verify_client on` also completes the handshake and then answers the request with HTTP 400 \"No required SSL certificate was sent\", inside TLS, so the rejection is not visible without keys.",
        fix: "If the request then failed (an HTTP 400 or 403), treat this as a missing client certificate: configure one issued by an accepted CA. A key log (SSLKEYLOGFILE) shows the server's answer.",
        references: "RFC 5246 §7.4.6; RFC 8446 §4.4.2.4; nginx `ssl_verify_client`",
    },
    CodeDoc {
        code: C::ClientCertRejected,
        severity: Error,
        title: "The client sent a certificate and the server rejected it",
        meaning: "The client's Certificate held a certificate and the server aborted right after it: with a fatal alert, or by closing the connection without one (a Node.js server, before its own Finished). In TLS 1.3 without keys it is inferred (likely) from the sizes: a client flight large enough for a certificate, then one alert-sized record from the server, or its close.",
        why: "The alert names the reason class: bad_certificate(42) the certificate itself; unsupported_certificate(43) its purpose or algorithm; certificate_revoked(44); certificate_expired(45); certificate_unknown(46) a generic trust failure (Java servers send it for any path problem); unknown_ca(48) an issuer the server does not trust or a missing intermediate; access_denied(49) a valid certificate that is not authorised; decrypt_error(51) a CertificateVerify that does not match.",
        fix: "Read the server's log for the exact reason; compare the certificate shown with the finding against the server's trust store and policy.",
        references: "RFC 5246 §7.2.2; RFC 8446 §6.2; RFC 5280 §6 (path validation)",
    },
    CodeDoc {
        code: C::ClientCertNotInCaList,
        severity: Error,
        title: "The client's certificate chain has no issuer among the CAs the server accepts",
        meaning: "None of the certificates the client sent is issued by (or is) a CA named in the server's CertificateRequest. With `--client-cert`, the same check on the chain you supplied: when the client sent an empty Certificate, this is the certain reason a Java, Go or .NET client skipped your certificate.",
        why: "The client is configured with a certificate from another CA than the one the server trusts for client authentication.",
        fix: "Use a client certificate issued by one of the accepted CAs, or have the server's operator add your issuing CA (root and intermediate) to its client-CA list.",
        references: "RFC 5246 §7.4.4; RFC 8446 §4.2.4; Java SE `X509KeyManager.chooseClientAlias`",
    },
    CodeDoc {
        code: C::ClientCertExpired,
        severity: Error,
        title: "The client's certificate had expired when the connection was made",
        meaning: "The client's leaf certificate's notAfter is before the capture's own timestamp of the connection.",
        why: "The certificate was not renewed, or the capturing host's clock is wrong.",
        fix: "Renew the client certificate; check NTP on both hosts.",
        references: "RFC 5280 §4.1.2.5; RFC 5246 §7.2.2 (certificate_expired)",
    },
    CodeDoc {
        code: C::ClientCertNotYetValid,
        severity: Error,
        title: "The client's certificate was not yet valid when the connection was made",
        meaning: "The client's leaf certificate's notBefore is after the capture's timestamp of the connection.",
        why: "The certificate was issued with a future start date, or a clock is wrong.",
        fix: "Check the clocks (NTP) of the client, the server and the CA; reissue the certificate if its dates are wrong.",
        references: "RFC 5280 §4.1.2.5",
    },
    CodeDoc {
        code: C::ClientCertUntrustedIssuer,
        severity: Error,
        title: "The server does not trust the CA that issued the client's certificate",
        meaning: "The client sent a complete chain and the server answered unknown_ca(48) or certificate_unknown(46).",
        why: "The issuing CA is not in the server's trust store for client certificates (or revocation could not be checked, for certificate_unknown).",
        fix: "Add the issuing CA to the server's client trust store, or use a certificate from a CA it trusts.",
        references: "RFC 5246 §7.2.2; RFC 8446 §6.2; RFC 5280 §6",
    },
    CodeDoc {
        code: C::ClientCertIncompleteChain,
        severity: Error,
        title: "The client sent its certificate without the intermediate CA that issued it",
        meaning: "The issuer of the client's leaf certificate is neither among the certificates it sent nor among the CAs the server accepts.",
        why: "The client's key store or PFX holds the leaf only; the server cannot build a path to a root it trusts.",
        fix: "Put the intermediate CA certificate(s) into the client's key store entry (Java: import the full chain under the key's alias; OpenSSL/curl: `--cert` with a file holding leaf then intermediates).",
        references: "RFC 5246 §7.4.2 (certificate_list order); RFC 8446 §4.4.2",
    },
    CodeDoc {
        code: C::ClientCertWrongKeyUsage,
        severity: Error,
        title: "The client's certificate is not allowed for client authentication",
        meaning: "The client's leaf certificate has an extended key usage without clientAuth, or a key usage without digitalSignature, or the server answered unsupported_certificate(43).",
        why: "A server certificate (serverAuth only) or a certificate for another purpose was configured as the client certificate.",
        fix: "Issue the client certificate with extendedKeyUsage clientAuth and keyUsage digitalSignature.",
        references: "RFC 5280 §4.2.1.3, §4.2.1.12",
    },
    CodeDoc {
        code: C::ClientCertKeyMismatch,
        severity: Error,
        title: "The client's proof of owning its private key failed",
        meaning: "The client's CertificateVerify signature does not verify with its certificate's public key: checked here over the handshake's messages (TLS 1.2: RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256/P-384, Ed25519), or, when the capture does not allow that, as the server said with decrypt_error(51).",
        why: "The client signs with a private key that does not belong to the certificate it sent (a key store entry with the wrong key, a swapped file), or a smart card or HSM fails with the chosen signature scheme.",
        fix: "Compare the certificate's public key with the private key (`openssl x509 -noout -pubkey` and `openssl pkey -pubout`); re-create the key store entry from the matching pair.",
        references: "RFC 5246 §7.4.8; RFC 8446 §4.4.3",
    },
    CodeDoc {
        code: C::ClientCertTypeMismatch,
        severity: Warning,
        title: "The client's key type is not among those the server accepts",
        meaning: "The CertificateRequest allows signatures from one key family only (for example RSA), and the client did not send a certificate that fits: an OpenSSL-based client sent an empty Certificate, which it does only when its key cannot produce any allowed signature (likely). With `--client-cert`, the key of the certificate you supplied is checked against the request's certificate types and signature algorithms (certain, and an error when the handshake failed).",
        why: "The client's certificate has an EC key and the server allows only RSA signatures (or the reverse), or the server's signature algorithms exclude what the key (or its HSM or smart card) can do.",
        fix: "Use a client certificate with a key type the server accepts, or widen the server's client signature algorithms. Supplying the client's certificate (`--client-cert`) makes the verdict certain.",
        references: "RFC 5246 §7.4.4, §7.4.8; RFC 8422 §5.5; RFC 8446 §4.2.3, §4.3.2",
    },
    CodeDoc {
        code: C::ServerCertUntrusted,
        severity: Error,
        title: "The client rejected the server's certificate",
        meaning: "The client aborted right after the server's Certificate: with a fatal alert, or by closing without one (Node.js checks the certificate after the handshake). In TLS 1.3 without keys the certificate is encrypted and this is inferred (likely) from the client's answer to the server's flight — a fatal alert in clear, one alert-sized record instead of its Finished, or a close — with the Certificate record's size telling a lone certificate from a chain.",
        why: "The client cannot build a trusted path to the server's certificate (unknown_ca 48, certificate_unknown 46 from Java, bad_certificate 42 from Go, GnuTLS or OpenSSL; Go's is encrypted in TLS 1.3; a Node.js client sends none), or the certificate is expired (45), revoked (44) or not for this host.",
        fix: "Install the issuing CA in the client's trust store, or have the server send a certificate from a CA the client trusts, with its intermediates.",
        references: "RFC 5246 §7.2.2; RFC 8446 §6.2; RFC 5280 §6",
    },
    CodeDoc {
        code: C::ServerCertSelfSigned,
        severity: Error,
        title: "The server presents a self-signed certificate",
        meaning: "The server's leaf certificate is issued by itself.",
        why: "A test or default certificate is deployed; clients that do not trust it explicitly reject it.",
        fix: "Deploy a certificate from a CA the clients trust, or add this certificate to the clients' trust stores on purpose.",
        references: "RFC 5280 §3.2, §6.1",
    },
    CodeDoc {
        code: C::ServerCertIncompleteChain,
        severity: Warning,
        title: "The server does not send the intermediate CA of its certificate",
        meaning: "The issuer of the server's leaf certificate is not among the certificates the server sent.",
        why: "The server is configured with its leaf only. Browsers that cache intermediates cope; other clients fail with unknown_ca.",
        fix: "Configure the server with the full chain: leaf, then its intermediates (nginx `ssl_certificate` with the chain file; Java key store entry with the chain).",
        references: "RFC 5246 §7.4.2; RFC 8446 §4.4.2; nginx `ssl_certificate`",
    },
    CodeDoc {
        code: C::ServerCertExpired,
        severity: Error,
        title: "The server's certificate had expired",
        meaning: "The server's leaf certificate's notAfter is before the capture's timestamp of the connection.",
        why: "The certificate was not renewed, or a clock is wrong.",
        fix: "Renew the server certificate; check NTP.",
        references: "RFC 5280 §4.1.2.5",
    },
    CodeDoc {
        code: C::ServerCertNotYetValid,
        severity: Error,
        title: "The server's certificate was not yet valid",
        meaning: "The server's leaf certificate's notBefore is after the capture's timestamp of the connection.",
        why: "A clock is wrong, or the certificate was issued with a future start date.",
        fix: "Check the clocks of the client and the server; reissue the certificate if its dates are wrong.",
        references: "RFC 5280 §4.1.2.5",
    },
    CodeDoc {
        code: C::ServerCertHostnameMismatch,
        severity: Error,
        title: "The server's certificate does not cover the name the client asked for",
        meaning: "The server name the client sent (SNI) matches none of the certificate's subjectAltName DNS names (nor its common name when it has no SAN).",
        why: "The client connects by a name the certificate does not list, the server serves a default certificate for an unknown name, or a load balancer answers with another site's certificate.",
        fix: "Connect with a name the certificate lists, or add the name to the certificate's subjectAltName; check the server's name-based virtual hosts.",
        references: "RFC 6125 §6; RFC 6066 §3",
    },
    CodeDoc {
        code: C::ProtocolVersionMismatch,
        severity: Error,
        title: "Client and server share no protocol version",
        meaning: "A protocol_version(70) alert answered the ClientHello, or the versions offered and accepted do not overlap.",
        why: "One side is limited to old versions (TLS 1.0/1.1, disabled by RFC 8996 and by current defaults) or the other requires newer ones.",
        fix: "Enable TLS 1.2 and 1.3 on the old side (Java: `jdk.tls.client.protocols`, `https.protocols`; OpenSSL: MinProtocol in openssl.cnf).",
        references: "RFC 8446 §4.2.1, Appendix D; RFC 8996",
    },
    CodeDoc {
        code: C::NoSharedCipher,
        severity: Error,
        title: "The server refused the ClientHello: no cipher suite (or group, or signature algorithm) in common",
        meaning: "The server answered the ClientHello directly with handshake_failure(40) or insufficient_security(71), before any ServerHello.",
        why: "The client offers only suites the server does not accept (legacy RSA key exchange, CBC, 3DES, RC4), or no usable group or signature algorithm; sometimes an SNI policy.",
        fix: "Align the cipher suites: enable ECDHE with AES-GCM or ChaCha20-Poly1305 on the client, or widen the server's list. The finding lists what the client offered.",
        references: "RFC 5246 §7.4.1.2; RFC 8446 §4.1.1; RFC 9325 §4.1, §4.2",
    },
    CodeDoc {
        code: C::ServerNameUnrecognized,
        severity: Error,
        title: "The server does not know the name the client asked for",
        meaning: "The server answered the ClientHello's server name (SNI) with unrecognized_name(112).",
        why: "The client uses a host name the server has no virtual host for, or connects by IP address.",
        fix: "Use the server's configured host name, or add a virtual host (and certificate) for the name.",
        references: "RFC 6066 §3",
    },
    CodeDoc {
        code: C::AlpnMismatch,
        severity: Error,
        title: "Client and server share no application protocol (ALPN)",
        meaning: "The server answered no_application_protocol(120): none of the ALPN protocols the client offered is acceptable.",
        why: "For example a gRPC client offers only h2 and a proxy speaks only http/1.1.",
        fix: "Align the ALPN lists (enable h2 on the server or proxy, or http/1.1 on the client).",
        references: "RFC 7301 §3.2",
    },
    CodeDoc {
        code: C::InappropriateFallback,
        severity: Error,
        title: "The client retried with a lower version and the server refused the fallback",
        meaning: "The server answered inappropriate_fallback(86) to a ClientHello carrying TLS_FALLBACK_SCSV.",
        why: "An earlier attempt failed and the client retried with an older version; the real failure is the first attempt.",
        fix: "Find the earlier connection to the same server in the capture and fix what made it fail.",
        references: "RFC 7507 §3",
    },
    CodeDoc {
        code: C::FatalAlert,
        severity: Error,
        title: "A fatal alert ended the handshake",
        meaning: "One side sent a fatal alert that no more specific finding explains.",
        why: "decode_error(50), illegal_parameter(47), unexpected_message(10): an interoperability bug or a middlebox altering messages; internal_error(80): a local failure on the sender (for example a certificate callback or HSM); others as named.",
        fix: "Read the sending side's log at the time of the alert; the finding names the message the alert answered.",
        references: "RFC 8446 §6.2; RFC 5246 §7.2.2",
    },
    CodeDoc {
        code: C::NoServerResponse,
        severity: Error,
        title: "The server never answered the ClientHello",
        meaning: "The client sent a ClientHello and the capture holds no reply from the server.",
        why: "A firewall or load balancer drops the traffic, the server process hangs, or the capture point sees only one direction.",
        fix: "Check that the server listens and that nothing in between drops the packets; capture on the server side too.",
        references: "RFC 8446 §4.1.1; RFC 9293 §3.5",
    },
    CodeDoc {
        code: C::ConnectionReset,
        severity: Error,
        title: "The connection was reset during the handshake",
        meaning: "A TCP RST ended the connection before the handshake finished, without a TLS alert explaining it.",
        why: "A server or middlebox that refuses the connection (policy, SNI filtering, overload), or a crashed peer.",
        fix: "Look at the side that sent the RST (named in the finding): its logs, and any proxy or firewall in front of it.",
        references: "RFC 9293 §3.5.3",
    },
    CodeDoc {
        code: C::ConnectionClosed,
        severity: Error,
        title: "The connection was closed during the handshake without an alert",
        meaning: "One side closed the connection (FIN) before the handshake finished and sent no TLS alert first.",
        why: "A server that does not speak TLS on this port, a server that silently drops clients it refuses, or a client that gave up (for example curl after a host-name check, or on a timeout).",
        fix: "Check the closing side's logs; the finding names it and the last message it received.",
        references: "RFC 8446 §6.1",
    },
    CodeDoc {
        code: C::ConnectionRefused,
        severity: Error,
        title: "The server's host refused the connection",
        meaning: "The client's SYN was answered by a TCP reset (RST/ACK) and nothing else: no TCP connection, so no TLS either.",
        why: "Nothing listens on that port on that address (the service is down, listens on another port, or only on another address family — clients often try IPv6 and IPv4 in turn), or a firewall rejects the connection with a reset.",
        fix: "Check that the service runs and listens on this address and port (`ss -ltn` on the server), on both IPv4 and IPv6 if the name resolves to both, and that no firewall rule rejects it.",
        references: "RFC 9293 §3.5.2 (reset generation), §3.10.7.1",
    },
    CodeDoc {
        code: C::NoSynAnswer,
        severity: Error,
        title: "The client's SYN was never answered",
        meaning: "The client sent a SYN (and retransmitted it) and nothing came back: no TCP connection, so no TLS either.",
        why: "A firewall drops the packets silently, the host is down or unreachable, the route is wrong, or the server's listen queue is full. (A capture that sees only the client's direction looks the same when the client never sent more than SYNs; a client that got an answer sends an ACK.)",
        fix: "Check the path to the server: firewalls and security groups that drop rather than reject, routing, the server host itself; capture on the server side to see whether the SYN arrives.",
        references: "RFC 9293 §3.5, §3.8.1 (retransmission); RFC 6298",
    },
    CodeDoc {
        code: C::NotTls,
        severity: Error,
        title: "One side does not speak TLS",
        meaning: "One side sent something other than TLS on a connection that otherwise looks like TLS (or the server closed on a plain-text request as TLS servers do).",
        why: "Plain HTTP sent to an HTTPS port (`http://` instead of `https://`), or TLS sent to a plain-text port, or a STARTTLS protocol used without the upgrade.",
        fix: "Use the right scheme and port (https:// for a TLS port), or enable TLS on the server's port.",
        references: "RFC 8446 §5.1 (record layer); RFC 9110 §4.2.2 (the https scheme); nginx `ngx_http_ssl_module` (error 497, plain HTTP to an HTTPS port)",
    },
    CodeDoc {
        code: C::Tls13HandshakeEncrypted,
        severity: Info,
        title: "TLS 1.3: the certificates and the client authentication are encrypted",
        meaning: "After the ServerHello everything in TLS 1.3 is encrypted: the server's certificate, any CertificateRequest, the client's Certificate and most alerts. What follows from record sizes is stated as likely.",
        why: "RFC 8446 encrypts the handshake after the key exchange.",
        fix: "To see the messages, capture with a key log: set SSLKEYLOGFILE for the client (curl, Firefox, Chrome, Python ≥ 3.8, OpenSSL `-keylogfile`) and give it to the tool, or use `editcap --inject-secrets`.",
        references: "RFC 8446 §2, §5.2; RFC 9850 (SSLKEYLOGFILE)",
    },
    CodeDoc {
        code: C::EncryptedAlert,
        severity: Info,
        title: "An encrypted alert",
        meaning: "An alert record whose content is encrypted (TLS ≤ 1.2 after ChangeCipherSpec).",
        why: "Usually close_notify at the end of a connection; an encrypted alert right after the handshake, before any application data, is usually a fatal one.",
        fix: "Nothing if it closes a finished exchange; otherwise a key log shows which alert it is.",
        references: "RFC 5246 §7.2; RFC 8446 §5.2, §6",
    },
    CodeDoc {
        code: C::ResumedSession,
        severity: Info,
        title: "A resumed session: certificates are not exchanged again",
        meaning: "An abbreviated handshake reused an earlier session (TLS ≤ 1.2 session id or ticket, TLS 1.3 pre-shared key); client authentication, if any, happened in the original full handshake.",
        why: "Clients resume to save a full handshake.",
        fix: "To diagnose authentication, look at the full handshake (the finding points to it when it is in the capture) or capture a new connection.",
        references: "RFC 5246 §7.3; RFC 5077; RFC 8446 §2.2",
    },
    CodeDoc {
        code: C::Renegotiation,
        severity: Warning,
        title: "The server renegotiated after the handshake (client certificate likely requested)",
        meaning: "After the first handshake finished, the server sent an encrypted handshake message and a second, encrypted handshake followed.",
        why: "Servers like IIS/http.sys ask for the client certificate only for some URLs, by renegotiating after reading the request; the CertificateRequest is then encrypted. HTTP/2 and TLS 1.3 forbid this.",
        fix: "Ask for the client certificate in the initial handshake (IIS: `netsh http … clientcertnegotiation=enable` / \"Negotiate Client Certificate\"; ASP.NET Core `ClientCertificateMode` at the connection level).",
        references: "RFC 5246 §7.4.1.1; RFC 5746; RFC 9113 §9.2.1; Microsoft Learn: `netsh http add sslcert` (clientcertnegotiation)",
    },
    CodeDoc {
        code: C::PostHandshakeAuth,
        severity: Warning,
        title: "TLS 1.3: the server asked for a client certificate after the handshake",
        meaning: "The client offered post-handshake authentication, and after the handshake the record sizes show a CertificateRequest answered by a Certificate, a CertificateVerify and a Finished.",
        why: "Servers that decide about client certificates per request (an Apache `SSLVerifyClient` in a location, IIS-like setups on TLS 1.3) use post-handshake authentication. It fails over HTTP/2 and with clients that do not offer it (`unexpected_message`).",
        fix: "Ask for the client certificate in the main handshake when possible; a key log shows the messages.",
        references: "RFC 8446 §4.2.6, §4.6.2; RFC 8740",
    },
    CodeDoc {
        code: C::HandshakeOk,
        severity: Info,
        title: "The handshake completed",
        meaning: "Both sides finished the handshake and no problem was found.",
        why: "",
        fix: "",
        references: "",
    },
    CodeDoc {
        code: C::NoTlsInCapture,
        severity: Warning,
        title: "The capture holds no TLS connection",
        meaning: "No TCP connection in the capture carries TLS.",
        why: "The capture filter or interface missed the connection, the capture started after it, the traffic is QUIC or DTLS (UDP, not analysed), or the client speaks plain text to a TLS port.",
        fix: "Capture again with a filter for the server's host and port, started before the client connects.",
        references: "",
    },
    CodeDoc {
        code: C::CaptureTruncated,
        severity: Warning,
        title: "The capture cut the TLS messages short",
        meaning: "Frames were captured shorter than they were on the wire (a snapshot length), so messages are incomplete; or the capture file itself ends early (inside a frame) or cannot be read from some byte on, so what came after is missing.",
        why: "tcpdump or another capture tool ran with a small snapshot length (`-s 96`); or the file was copied, downloaded or read while still being written, or the capture tool was killed (SIGKILL) instead of stopped.",
        fix: "Capture with the full length (`tcpdump -s 0`, the default in current tcpdump); stop the capture tool with Ctrl-C or SIGINT and copy the file whole once it has finished.",
        references: "tcpdump(1): `-s snaplen`; the pcap and pcapng file formats (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng)",
    },
    CodeDoc {
        code: C::CaptureGap,
        severity: Warning,
        title: "Bytes are missing from the capture",
        meaning: "TCP segments that were sent (the peer acknowledged them, or later data shows they existed) are not in the capture.",
        why: "The capture tool dropped packets (a busy host, a small buffer), or the capture was filtered or edited.",
        fix: "Capture with a larger buffer (`tcpdump -B 8192`), write to a fast disk, filter to the connection of interest.",
        references: "tcpdump(1): `-B buffer_size`; Wireshark User's Guide, TCP Analysis (\"ACKed segment that wasn't captured\")",
    },
    CodeDoc {
        code: C::CaptureMidstream,
        severity: Warning,
        title: "The capture starts in the middle of the connection",
        meaning: "No SYN was captured: the handshake may have happened before the capture started.",
        why: "The capture was started after the connection was opened (long-lived connections, connection pools).",
        fix: "Start the capture before the connection is made (restart the client, or close its pooled connections).",
        references: "RFC 9293 §3.5",
    },
    CodeDoc {
        code: C::CaptureOneSided,
        severity: Warning,
        title: "Only one direction of the connection was captured",
        meaning: "All captured packets go one way.",
        why: "Asymmetric routing, a capture on a mirror port that sees one direction, or a filter on one address.",
        fix: "Capture on the client or the server itself, on the interface that carries both directions (`-i any`).",
        references: "tcpdump(1): `-i any`",
    },
    CodeDoc {
        code: C::KeylogNoMatch,
        severity: Warning,
        title: "The key log has no secrets for this connection",
        meaning: "A key log was given (`--keylog`, or a pcapng Decryption Secrets Block), but none of its lines carries this connection's ClientHello random: nothing of the connection could be decrypted.",
        why: "Key log lines are matched by the ClientHello random, which is new for every connection. A key log from another process, another run, or a program that was not told to log (SSLKEYLOGFILE unset for it; Java has no built-in key log) has no line for it.",
        fix: "Log the keys of the very process and run that was captured (SSLKEYLOGFILE for curl, browsers and Python; `openssl s_client -keylogfile`; an agent such as extract-tls-secrets for Java), and keep the key log with its capture (`editcap --inject-secrets tls,keys.txt`).",
        references: "RFC 9850; pcapng specification, Decryption Secrets Block",
    },
    CodeDoc {
        code: C::KeylogIncomplete,
        severity: Warning,
        title: "The key log covers this connection only in part",
        meaning: "The key log has some of this connection's secrets but not all that its records needed, or the connection uses a version or suite this tool does not decrypt; the finding lists what stayed encrypted and why.",
        why: "TLS 1.3 uses one secret per direction and phase: the handshake traffic secrets for the handshake, `CLIENT_TRAFFIC_SECRET_0` and `SERVER_TRAFFIC_SECRET_0` after it. The server's alert to a client certificate (certificate_required, bad_certificate) comes after its Finished and needs `SERVER_TRAFFIC_SECRET_0`; OpenSSL may not log it when the handshake fails early (OpenSSL's bug tracker, https://github.com/openssl/openssl/issues/25711), and a key log cut to the handshake lines lacks it. A TLS 1.3 connection with only a `CLIENT_RANDOM` line was logged by a program that knows only the TLS 1.2 format. SSL 3.0, TLS 1.0 and 1.1, and suites other than AES-GCM, ChaCha20-Poly1305 and AES-CBC are not decrypted.",
        fix: "Give the whole key log of the same run, written by a program that logs every TLS 1.3 secret (curl, Python, OpenSSL, browsers), or log on the other side of the connection.",
        references: "RFC 9850; RFC 8446 §7.1",
    },
    CodeDoc {
        code: C::KeylogDecryptFailed,
        severity: Warning,
        title: "The key log's secrets do not decrypt this connection",
        meaning: "The key log has a line for this connection's ClientHello random, but a record does not decrypt with its secret: the authentication tag (or MAC) does not match. That side's records from there on stayed encrypted.",
        why: "The secret in the key log is not the one the peers used: the file was edited or garbled, or lines of different runs were mixed under one random. A record missing from the capture shifts the record sequence numbers, which fails the same way.",
        fix: "Use the key log written by the same run as the capture, unmodified, and capture with `-s 0` and without drops.",
        references: "RFC 9850; RFC 8446 §5.2; RFC 5246 §6.2.3",
    },
];

/// docs/findings.md, rendered from [`DOCS`].
pub fn markdown() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "# Finding codes\n\nEvery finding the tool reports, by its stable code. This page is generated from\n`crates/core/src/codes.rs` (a test fails when it is out of date).\n\n| code | severity | title |\n|---|---|---|\n",
    );
    for d in DOCS {
        let _ = writeln!(
            out,
            "| [`{0}`](#{0}) | {1:?} | {2} |",
            d.code, d.severity, d.title
        );
    }
    for d in DOCS {
        let _ = write!(
            out,
            "\n## {}\n\n**{}** ({:?})\n\n",
            d.code, d.title, d.severity
        );
        for (head, text) in [
            ("What it means", d.meaning),
            ("Why it happens", d.why),
            ("How to fix", d.fix),
            ("References", d.references),
        ] {
            if !text.is_empty() {
                let _ = write!(out, "*{head}.* {text}\n\n");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_documentation_in_order() {
        assert_eq!(DOCS.len(), FindingCode::ALL.len());
        for (i, code) in FindingCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i);
            assert_eq!(code.doc().code, *code, "DOCS[{i}]");
            assert!(!code.doc().title.is_empty() && !code.doc().meaning.is_empty());
        }
    }

    #[test]
    fn names_are_kebab_case_and_distinct() {
        let mut seen = std::collections::BTreeSet::new();
        for code in FindingCode::ALL {
            let name = code.as_str();
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
            assert!(seen.insert(name), "{name} twice");
        }
    }

    #[test]
    fn references_are_public() {
        for d in DOCS {
            assert!(!d.references.contains("KNOWLEDGE"), "{}", d.code);
        }
    }
}
