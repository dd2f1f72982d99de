//! Handshake messages (RFC 5246 §7.4, RFC 8446 §4), from complete message bytes to owned values.
//!
//! ClientHello's fixed part is read with `tls-parser`; everything tls-parser does not lay out
//! (TLS 1.3 Certificate with its context and per-entry extensions, TLS 1.3 CertificateRequest
//! with its extensions, draft ServerHellos) is read here with the bounded `Reader`. Extensions
//! are walked one by one so that one malformed extension does not hide the others.

use super::codec::Reader;
use super::names;
use crate::x509::{self, CertSummary};

/// `HelloRetryRequest.random` (RFC 8446 §4.1.3): SHA-256 of "HelloRetryRequest".
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Extension numbers used below (IANA TLS ExtensionType Values).
mod ext {
    pub(super) const SERVER_NAME: u16 = 0;
    pub(super) const SUPPORTED_GROUPS: u16 = 10;
    pub(super) const SIGNATURE_ALGORITHMS: u16 = 13;
    pub(super) const ALPN: u16 = 16;
    pub(super) const EXTENDED_MASTER_SECRET: u16 = 23;
    pub(super) const SESSION_TICKET: u16 = 35;
    pub(super) const PRE_SHARED_KEY: u16 = 41;
    pub(super) const SUPPORTED_VERSIONS: u16 = 43;
    pub(super) const CERTIFICATE_AUTHORITIES: u16 = 47;
    pub(super) const OID_FILTERS: u16 = 48;
    pub(super) const POST_HANDSHAKE_AUTH: u16 = 49;
    pub(super) const SIGNATURE_ALGORITHMS_CERT: u16 = 50;
    pub(super) const KEY_SHARE: u16 = 51;
    pub(super) const RENEGOTIATION_INFO: u16 = 0xff01;
}

/// A handshake message whose bytes were all captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeMessage {
    /// HandshakeType.
    pub typ: u8,
    /// Declared length of the body.
    pub length: u32,
    /// What could be read from the body.
    pub details: Details,
}

/// The parts of a message body the report uses.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Details {
    /// Nothing beyond the type is reported (Finished, ServerHelloDone, …).
    None,
    /// A ClientHello.
    ClientHello(Box<ClientHello>),
    /// A ServerHello or HelloRetryRequest.
    ServerHello(Box<ServerHello>),
    /// A Certificate message.
    /// (Shared: a capture's connections often carry the same chain, read once.)
    Certificate(std::sync::Arc<CertificateMessage>),
    /// A CertificateRequest.
    CertificateRequest(Box<CertificateRequest>),
    /// A NewSessionTicket.
    NewSessionTicket {
        /// Ticket lifetime hint, seconds.
        lifetime: u32,
        /// Ticket length.
        ticket_length: usize,
    },
    /// A TLS 1.2 CertificateVerify: the scheme the signature claims.
    CertificateVerify {
        /// Signature scheme, when the version carries one (TLS 1.2 and 1.3).
        signature_scheme: Option<String>,
        /// A TLS 1.2 client's signature checked over the handshake transcript with its
        /// certificate's public key (`None`: not checked).
        check: Option<crate::verify::Verdict>,
    },
    /// A KeyUpdate.
    KeyUpdate {
        /// The sender asks the peer to update its keys too.
        update_requested: bool,
    },
    /// The body does not have the layout its type requires.
    Malformed {
        /// What did not fit.
        reason: String,
    },
}

/// A list of names (cipher suites, groups, …). Shared: the ClientHellos of one client offer the
/// same lists on every connection, and a capture keeps each distinct list once
/// (`tls::Shared`).
pub type Names = std::sync::Arc<[String]>;

/// What a ClientHello offers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClientHello {
    /// `legacy_version` (the highest version before TLS 1.3).
    pub legacy_version: String,
    /// Versions of the supported_versions extension, in order (GREASE omitted).
    pub supported_versions: Names,
    /// Cipher suites, in order of preference.
    pub cipher_suites: Names,
    /// Server Name Indication.
    pub sni: Option<String>,
    /// ALPN protocols offered.
    pub alpn: Names,
    /// Named groups (supported_groups).
    pub groups: Names,
    /// Groups with a key share (TLS 1.3).
    pub key_share_groups: Names,
    /// signature_algorithms.
    pub signature_algorithms: Names,
    /// Length of the legacy session id (non-zero: resumption attempt or middlebox compatibility).
    pub session_id_length: usize,
    /// A non-empty session ticket is offered (RFC 5077 resumption).
    pub session_ticket: bool,
    /// A pre-shared key is offered (TLS 1.3 resumption).
    pub pre_shared_key: bool,
    /// renegotiation_info or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746).
    pub renegotiation_info: bool,
    /// post_handshake_auth (RFC 8446 §4.2.6).
    pub post_handshake_auth: bool,
    /// extended_master_secret (RFC 7627).
    pub extended_master_secret: bool,
    /// TLS_FALLBACK_SCSV is offered (RFC 7507).
    pub fallback_scsv: bool,
    /// Extension types in order.
    pub extensions: Names,
    /// Sent in the SSL 2.0-compatible format.
    pub sslv2_format: bool,
    /// The highest version offered (numeric).
    #[serde(skip)]
    pub max_version: u16,
    /// The session id bytes, to match a resumption.
    #[serde(skip)]
    pub session_id: Vec<u8>,
}

/// What a ServerHello chose.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServerHello {
    /// This is a HelloRetryRequest (RFC 8446 §4.1.4).
    pub hello_retry_request: bool,
    /// `legacy_version`.
    pub legacy_version: String,
    /// The version chosen (supported_versions when present, else legacy_version).
    pub version: String,
    /// The cipher suite chosen.
    pub cipher_suite: String,
    /// ALPN protocol chosen (visible in TLS ≤ 1.2 only).
    pub alpn: Option<String>,
    /// Key share group (TLS 1.3).
    pub key_share_group: Option<String>,
    /// The server accepted a pre-shared key (TLS 1.3 resumption).
    pub pre_shared_key: bool,
    /// extended_master_secret.
    pub extended_master_secret: bool,
    /// renegotiation_info.
    pub renegotiation_info: bool,
    /// The server will send a NewSessionTicket (session_ticket extension, TLS ≤ 1.2).
    pub session_ticket: bool,
    /// Length of the session id.
    pub session_id_length: usize,
    /// Extension types in order.
    pub extensions: Vec<String>,
    /// The negotiated version (numeric).
    #[serde(skip)]
    pub version_number: u16,
    /// The chosen suite (numeric).
    #[serde(skip)]
    pub cipher_suite_number: u16,
    /// The session id bytes.
    #[serde(skip)]
    pub session_id: Vec<u8>,
}

/// A Certificate message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CertificateMessage {
    /// The certificate_list length ("Certificates Length" in Wireshark); 0 is an empty message.
    pub list_length: u32,
    /// TLS 1.3 certificate_request_context length.
    pub context_length: Option<usize>,
    /// The certificates, leaf first; one that fails to parse is kept with the reason. (Shared:
    /// every connection that carries the same chain points at one copy.)
    pub certificates: std::sync::Arc<[CertEntry]>,
    /// The message's lengths disagree (for example a list longer than the message); the
    /// certificates that fit are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub malformed: Option<String>,
}

/// One certificate of a Certificate message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum CertEntry {
    /// A certificate that parsed.
    Parsed(Box<CertSummary>),
    /// A certificate that did not.
    Unparsable {
        /// Why.
        error: String,
        /// Its length.
        der_length: usize,
    },
}

/// A CertificateRequest in either form.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CertificateRequest {
    /// The TLS 1.3 form (context + extensions).
    pub tls13: bool,
    /// certificate_types (TLS ≤ 1.2).
    pub certificate_types: Vec<String>,
    /// signature_algorithms.
    pub signature_algorithms: Vec<String>,
    /// signature_algorithms_cert (TLS 1.3).
    pub signature_algorithms_cert: Vec<String>,
    /// Accepted CA distinguished names; empty = "any CA".
    pub certificate_authorities: Vec<String>,
    /// oid_filters (TLS 1.3), as `OID=hexvalue`.
    pub oid_filters: Vec<String>,
    /// The raw CA names, for matching.
    #[serde(skip)]
    pub certificate_authorities_der: Vec<Vec<u8>>,
}

/// Parses a complete message (`body` without the 4-byte header). `version` is the negotiated
/// version when known: the Certificate and CertificateRequest layouts depend on it.
pub fn parse(typ: u8, body: &[u8], version: Option<u16>) -> Details {
    let result = match typ {
        1 => client_hello(body).map(|c| Details::ClientHello(Box::new(c))),
        2 => server_hello(body).map(|s| Details::ServerHello(Box::new(s))),
        4 => new_session_ticket(body, version),
        11 => certificate(body, version).map(|c| Details::Certificate(std::sync::Arc::new(c))),
        13 => certificate_request(body, version).map(|c| Details::CertificateRequest(Box::new(c))),
        15 => Ok(certificate_verify(body, version)),
        24 => match body {
            [flag] => Ok(Details::KeyUpdate {
                update_requested: *flag == 1,
            }),
            _ => Err("a KeyUpdate holds one byte".to_string()),
        },
        _ => Ok(Details::None),
    };
    result.unwrap_or_else(|reason| Details::Malformed { reason })
}

fn names16(list: &[u16], f: fn(u16) -> String) -> Vec<String> {
    list.iter().map(|&v| f(v)).collect()
}

/// Walks an extension block: (type, data) pairs; a truncated block ends the walk.
fn extensions(block: Option<&[u8]>) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    let mut r = Reader::new(block.unwrap_or_default());
    while let (Some(typ), Some(data)) = (r.u16(), r.vec16()) {
        out.push((typ, data.rest()));
    }
    out
}

fn alpn_list(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(mut list) = Reader::new(data).vec16() {
        while let Some(p) = list.vec8() {
            out.push(String::from_utf8_lossy(p.rest()).into_owned());
        }
    }
    out
}

fn client_hello(body: &[u8]) -> Result<ClientHello, String> {
    let (_, ch) = tls_parser::parse_tls_handshake_client_hello(body)
        .map_err(|_| "the ClientHello's fixed fields do not fit".to_string())?;
    let suites: Vec<u16> = ch.ciphers.iter().map(|c| c.0).collect();
    let mut out = ClientHello {
        legacy_version: names::version(ch.version.0),
        cipher_suites: names16(&suites, names::cipher_suite).into(),
        session_id_length: ch.session_id.map_or(0, <[u8]>::len),
        session_id: ch.session_id.unwrap_or_default().to_vec(),
        renegotiation_info: suites.contains(&0x00ff),
        fallback_scsv: suites.contains(&0x5600),
        max_version: ch.version.0,
        ..ClientHello::default()
    };
    let (mut extension_names, mut key_share_groups) = (Vec::new(), Vec::new());
    for (typ, data) in extensions(ch.ext) {
        extension_names.push(names::extension(typ));
        match typ {
            ext::SERVER_NAME => {
                if let Ok((_, tls_parser::TlsExtension::SNI(names))) =
                    tls_parser::parse_tls_extension_sni_content(data)
                {
                    out.sni = names
                        .iter()
                        .find(|(t, _)| t.0 == 0)
                        .map(|(_, n)| String::from_utf8_lossy(n).into_owned());
                }
            }
            ext::SUPPORTED_GROUPS => {
                if let Some(list) = Reader::new(data).vec16() {
                    out.groups = names16(&list.u16_list(), names::group).into();
                }
            }
            ext::SIGNATURE_ALGORITHMS => {
                if let Some(list) = Reader::new(data).vec16() {
                    out.signature_algorithms =
                        names16(&list.u16_list(), names::signature_scheme).into();
                }
            }
            ext::ALPN => out.alpn = alpn_list(data).into(),
            ext::EXTENDED_MASTER_SECRET => out.extended_master_secret = true,
            ext::SESSION_TICKET => out.session_ticket = !data.is_empty(),
            ext::PRE_SHARED_KEY => out.pre_shared_key = true,
            ext::SUPPORTED_VERSIONS => {
                if let Some(list) = Reader::new(data).vec8() {
                    let versions: Vec<u16> = list
                        .u16_list()
                        .into_iter()
                        .filter(|v| !names::is_grease(*v))
                        .collect();
                    if let Some(&max) = versions
                        .iter()
                        .filter(|v| **v <= 0x0304 || **v >= 0x7f00)
                        .max()
                    {
                        out.max_version = out.max_version.max(max);
                    }
                    out.supported_versions = names16(&versions, names::version).into();
                }
            }
            ext::POST_HANDSHAKE_AUTH => out.post_handshake_auth = true,
            ext::KEY_SHARE => {
                if let Some(mut list) = Reader::new(data).vec16() {
                    while let (Some(group), Some(_)) = (list.u16(), list.vec16()) {
                        key_share_groups.push(names::group(group));
                    }
                }
            }
            ext::RENEGOTIATION_INFO => out.renegotiation_info = true,
            _ => {}
        }
    }
    out.extensions = extension_names.into();
    out.key_share_groups = key_share_groups.into();
    Ok(out)
}

/// An SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2): the body after the 2-byte record
/// header and the msg_type byte.
pub fn sslv2_client_hello(body: &[u8]) -> Result<ClientHello, String> {
    let mut r = Reader::new(body);
    let fields = (r.u16(), r.u16(), r.u16(), r.u16());
    let (Some(version), Some(specs_len), Some(session_len), Some(_challenge_len)) = fields else {
        return Err("the SSLv2 ClientHello header does not fit".to_string());
    };
    let specs = r
        .bytes(usize::from(specs_len))
        .ok_or("the SSLv2 cipher specs run past the message")?;
    // Three-byte cipher specs; those starting with 0 are TLS cipher suites.
    let suites: Vec<u16> = specs
        .chunks_exact(3)
        .filter(|c| c[0] == 0)
        .map(|c| u16::from_be_bytes([c[1], c[2]]))
        .collect();
    Ok(ClientHello {
        legacy_version: names::version(version),
        cipher_suites: names16(&suites, names::cipher_suite).into(),
        session_id_length: usize::from(session_len),
        renegotiation_info: suites.contains(&0x00ff),
        fallback_scsv: suites.contains(&0x5600),
        sslv2_format: true,
        max_version: version,
        ..ClientHello::default()
    })
}

fn server_hello(body: &[u8]) -> Result<ServerHello, String> {
    let mut r = Reader::new(body);
    let short = || "the ServerHello's fixed fields do not fit".to_string();
    let legacy = r.u16().ok_or_else(short)?;
    let random = r.bytes(32).ok_or_else(short)?;
    // TLS 1.3 drafts before 22 had no session id and no compression method.
    let old_draft = (0x7f00..0x7f16).contains(&legacy);
    let session_id = if old_draft {
        &[][..]
    } else {
        r.vec8().ok_or_else(short)?.rest()
    };
    let suite = r.u16().ok_or_else(short)?;
    if !old_draft {
        r.u8().ok_or_else(short)?;
    }
    let ext_block = if r.is_empty() {
        None
    } else {
        Some(r.vec16().ok_or_else(short)?.rest())
    };
    let mut out = ServerHello {
        hello_retry_request: random == HRR_RANDOM,
        legacy_version: names::version(legacy),
        cipher_suite: names::cipher_suite(suite),
        cipher_suite_number: suite,
        session_id_length: session_id.len(),
        session_id: session_id.to_vec(),
        version_number: legacy,
        ..ServerHello::default()
    };
    for (typ, data) in extensions(ext_block) {
        out.extensions.push(names::extension(typ));
        match typ {
            ext::SUPPORTED_VERSIONS => {
                if let Some(v) = Reader::new(data).u16() {
                    out.version_number = v;
                }
            }
            ext::ALPN => out.alpn = alpn_list(data).into_iter().next(),
            ext::KEY_SHARE => out.key_share_group = Reader::new(data).u16().map(names::group),
            ext::PRE_SHARED_KEY => out.pre_shared_key = true,
            ext::EXTENDED_MASTER_SECRET => out.extended_master_secret = true,
            ext::RENEGOTIATION_INFO => out.renegotiation_info = true,
            ext::SESSION_TICKET => out.session_ticket = true,
            _ => {}
        }
    }
    out.version = names::version(out.version_number);
    Ok(out)
}

/// TLS 1.3 or one of its drafts.
pub fn is_tls13_version(version: u16) -> bool {
    version == 0x0304 || (0x7f00..=0x7fff).contains(&version)
}

fn is_tls13(version: Option<u16>) -> bool {
    version.is_some_and(is_tls13_version)
}

/// RFC 5246 §7.4.2 `opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>;`
/// RFC 8446 §4.4.2 adds `opaque certificate_request_context<0..2^8-1>` and per-entry
/// `Extension extensions<0..2^16-1>`.
/// Checks the signatures of a Certificate message's chain, link by link, as far as the
/// certificates parsed.
fn check_links(entries: &mut [CertEntry], ders: &[&[u8]]) {
    let chain: Vec<&CertSummary> = entries
        .iter()
        .map_while(|e| match e {
            CertEntry::Parsed(c) => Some(&**c),
            CertEntry::Unparsable { .. } => None,
        })
        .collect();
    let parsed = chain.len();
    let checked = x509::chain_signatures(&chain, ders);
    for (entry, link) in entries.iter_mut().zip(checked) {
        if let CertEntry::Parsed(c) = entry {
            c.set_link(link);
        }
    }
    // The top of the chain: its issuer may be in a trust store (`--ca`).
    if let (Some(CertEntry::Parsed(top)), Some(der)) = (
        entries.get_mut(parsed.wrapping_sub(1)),
        ders.get(parsed.wrapping_sub(1)),
    ) && !top.self_signed
    {
        top.der_for_anchor = Some(der.to_vec());
    }
}

fn certificate(body: &[u8], version: Option<u16>) -> Result<CertificateMessage, String> {
    let tls13 = is_tls13(version);
    let mut r = Reader::new(body);
    let context_length = if tls13 {
        Some(
            r.vec8()
                .ok_or("the certificate_request_context does not fit")?
                .rest()
                .len(),
        )
    } else {
        None
    };
    let list_length = r.u24().ok_or("the certificate_list length does not fit")?;
    let mut malformed = None;
    // A list longer than the message is read as far as it goes, as Wireshark does.
    let mut list = if let Some(bytes) = r.bytes(list_length as usize) {
        Reader::new(bytes)
    } else {
        malformed = Some(format!(
            "certificate_list claims {list_length} bytes, the message holds {}",
            r.rest().len()
        ));
        Reader::new(r.rest())
    };
    let mut certificates = Vec::new();
    let mut ders = Vec::new();
    while !list.is_empty() {
        let Some(der) = list.vec24() else {
            malformed.get_or_insert_with(|| "a certificate runs past the certificate_list".into());
            break;
        };
        if tls13 && list.vec16().is_none() {
            malformed
                .get_or_insert_with(|| "a certificate entry's extensions run past the list".into());
        }
        let der = der.rest();
        ders.push(der);
        certificates.push(match x509::summarize(der) {
            Ok(summary) => CertEntry::Parsed(Box::new(summary)),
            Err(error) => CertEntry::Unparsable {
                error,
                der_length: der.len(),
            },
        });
    }
    check_links(&mut certificates, &ders);
    Ok(CertificateMessage {
        list_length,
        context_length,
        certificates: certificates.into(),
        malformed,
    })
}

/// RFC 5246 §7.4.4 (TLS 1.2; TLS 1.0/1.1 lack supported_signature_algorithms) and RFC 8446
/// §4.3.2 (context + extensions).
fn certificate_request(body: &[u8], version: Option<u16>) -> Result<CertificateRequest, String> {
    if is_tls13(version) {
        return certificate_request_tls13(body);
    }
    // Without a known version, the TLS 1.2 layout is tried first, then the older one.
    let with_algorithms = version.is_none_or(|v| v >= 0x0303);
    match certificate_request_tls12(body, with_algorithms) {
        Ok(cr) => Ok(cr),
        Err(_) if version.is_none() => certificate_request_tls12(body, false),
        Err(e) => Err(e),
    }
}

fn certificate_request_tls12(
    body: &[u8],
    with_algorithms: bool,
) -> Result<CertificateRequest, String> {
    let mut r = Reader::new(body);
    let types = r.vec8().ok_or("certificate_types do not fit")?;
    let mut out = CertificateRequest {
        certificate_types: types
            .rest()
            .iter()
            .map(|&t| names::certificate_type(t))
            .collect(),
        ..CertificateRequest::default()
    };
    if with_algorithms {
        let algorithms = r
            .vec16()
            .ok_or("supported_signature_algorithms do not fit")?;
        out.signature_algorithms = names16(&algorithms.u16_list(), names::signature_scheme);
    }
    let authorities = r.vec16().ok_or("certificate_authorities do not fit")?;
    if !r.is_empty() {
        return Err(format!(
            "{} bytes after certificate_authorities",
            r.rest().len()
        ));
    }
    read_authorities(authorities, &mut out)?;
    Ok(out)
}

/// `DistinguishedName authorities<3..2^16-1>; opaque DistinguishedName<1..2^16-1>;`
fn read_authorities(mut list: Reader<'_>, out: &mut CertificateRequest) -> Result<(), String> {
    while !list.is_empty() {
        let dn = list
            .vec16()
            .ok_or("a distinguished name runs past the list")?
            .rest();
        out.certificate_authorities
            .push(x509::distinguished_name(dn));
        out.certificate_authorities_der.push(dn.to_vec());
    }
    Ok(())
}

fn certificate_request_tls13(body: &[u8]) -> Result<CertificateRequest, String> {
    let mut r = Reader::new(body);
    r.vec8()
        .ok_or("the certificate_request_context does not fit")?;
    let block = r.vec16().ok_or("the extensions do not fit")?;
    let mut out = CertificateRequest {
        tls13: true,
        ..CertificateRequest::default()
    };
    for (typ, data) in extensions(Some(block.rest())) {
        match typ {
            ext::SIGNATURE_ALGORITHMS => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or("signature_algorithms do not fit")?;
                out.signature_algorithms = names16(&list.u16_list(), names::signature_scheme);
            }
            ext::SIGNATURE_ALGORITHMS_CERT => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or("signature_algorithms_cert do not fit")?;
                out.signature_algorithms_cert = names16(&list.u16_list(), names::signature_scheme);
            }
            ext::CERTIFICATE_AUTHORITIES => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or("certificate_authorities do not fit")?;
                read_authorities(list, &mut out)?;
            }
            ext::OID_FILTERS => {
                let mut list = Reader::new(data).vec16().ok_or("oid_filters do not fit")?;
                while let (Some(oid), Some(values)) = (list.vec8(), list.vec16()) {
                    out.oid_filters.push(format!(
                        "{}={}",
                        oid_string(oid.rest()),
                        crate::hex(values.rest())
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Dotted form of a DER-encoded OID body.
fn oid_string(bytes: &[u8]) -> String {
    x509_parser::der_parser::oid::Oid::new(bytes.into()).to_id_string()
}

fn new_session_ticket(body: &[u8], version: Option<u16>) -> Result<Details, String> {
    let mut r = Reader::new(body);
    let lifetime = r.u32().ok_or("the ticket lifetime does not fit")?;
    if is_tls13(version) {
        r.u32().ok_or("ticket_age_add does not fit")?;
        r.vec8().ok_or("the ticket nonce does not fit")?;
    }
    let ticket = r.vec16().ok_or("the ticket does not fit")?;
    Ok(Details::NewSessionTicket {
        lifetime,
        ticket_length: ticket.rest().len(),
    })
}

fn certificate_verify(body: &[u8], version: Option<u16>) -> Details {
    let carries_scheme = version.is_none_or(|v| v >= 0x0303);
    Details::CertificateVerify {
        signature_scheme: if carries_scheme {
            Reader::new(body).u16().map(names::signature_scheme)
        } else {
            None
        },
        check: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TLS 1.3 CertificateRequest as OpenSSL 3.0.19 `s_server -Verify 1` sent it, decrypted
    /// from frame 6 of pcaps/tls13-mtls-missing-client-cert-keylog.pcap by tshark 4.0 with the
    /// key log beside it (`-o tls.keylog_file:… -x`): empty context, signature_algorithms (16
    /// schemes), certificate_authorities naming the test root CA.
    #[rustfmt::skip]
    const TLS13_CERTIFICATE_REQUEST: [u8; 106] = [
        0x0d, 0x00, 0x00, 0x66, 0x00, 0x00, 0x63, 0x00, 0x0d, 0x00, 0x22, 0x00, 0x20, 0x04, 0x03, 0x05,
        0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08,
        0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x00, 0x2f, 0x00,
        0x39, 0x00, 0x37, 0x00, 0x35, 0x30, 0x33, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03,
        0x0c, 0x0c, 0x54, 0x65, 0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x20, 0x43, 0x41, 0x31, 0x1a,
        0x30, 0x18, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x11, 0x70, 0x63, 0x61, 0x70, 0x2d, 0x74, 0x6c,
        0x73, 0x2d, 0x64, 0x69, 0x61, 0x67, 0x6e, 0x6f, 0x73, 0x65,
    ];

    #[test]
    fn tls13_certificate_request_from_openssl() {
        let body = &TLS13_CERTIFICATE_REQUEST[4..];
        let Details::CertificateRequest(cr) = parse(13, body, Some(0x0304)) else {
            panic!("not parsed: {:?}", parse(13, body, Some(0x0304)));
        };
        assert!(cr.tls13);
        assert_eq!(cr.signature_algorithms.len(), 16);
        assert_eq!(
            cr.signature_algorithms[..4],
            [
                "ecdsa_secp256r1_sha256",
                "ecdsa_secp384r1_sha384",
                "ecdsa_secp521r1_sha512",
                "ed25519"
            ]
        );
        assert!(
            cr.signature_algorithms
                .contains(&"rsa_pss_rsae_sha256".to_string())
        );
        assert!(
            cr.signature_algorithms
                .contains(&"ecdsa_sha224".to_string())
        );
        assert_eq!(
            cr.certificate_authorities,
            vec!["CN=Test Root CA, O=pcap-tls-diagnose"]
        );
        assert!(cr.certificate_types.is_empty());
        // Read with the TLS 1.2 layout the same bytes do not fit: the version decides.
        assert!(matches!(
            parse(13, body, Some(0x0303)),
            Details::Malformed { .. }
        ));
    }

    #[test]
    fn tls12_certificate_request_and_its_older_form() {
        // types rsa_sign + ecdsa_sign; sigalgs rsa_pkcs1_sha256; no CA names.
        let tls12 = [0x02, 0x01, 0x40, 0x00, 0x02, 0x04, 0x01, 0x00, 0x00];
        let Details::CertificateRequest(cr) = parse(13, &tls12, Some(0x0303)) else {
            panic!("TLS 1.2 form");
        };
        assert_eq!(cr.certificate_types, vec!["rsa_sign", "ecdsa_sign"]);
        assert_eq!(cr.signature_algorithms, vec!["rsa_pkcs1_sha256"]);
        assert!(cr.certificate_authorities.is_empty());
        // TLS 1.1: no signature algorithms.
        let tls11 = [0x01, 0x01, 0x00, 0x00];
        let Details::CertificateRequest(cr) = parse(13, &tls11, None) else {
            panic!("older form");
        };
        assert_eq!(cr.certificate_types, vec!["rsa_sign"]);
    }

    #[test]
    fn certificate_messages_in_both_forms_and_empty() {
        // TLS 1.2 empty Certificate: certificate_list length 0.
        let Details::Certificate(c) = parse(11, &[0, 0, 0], Some(0x0303)) else {
            panic!("empty");
        };
        assert_eq!(
            (c.list_length, c.certificates.len(), c.context_length),
            (0, 0, None)
        );
        // TLS 1.3 empty Certificate: context length 0, list length 0.
        let Details::Certificate(c) = parse(11, &[0, 0, 0, 0], Some(0x0304)) else {
            panic!("empty 1.3");
        };
        assert_eq!((c.list_length, c.context_length), (0, Some(0)));
        // A list holding garbage instead of a certificate is kept, with the reason.
        let Details::Certificate(c) = parse(11, &[0, 0, 5, 0, 0, 2, 0xde, 0xad], Some(0x0303))
        else {
            panic!("garbage");
        };
        assert!(matches!(
            c.certificates[..],
            [CertEntry::Unparsable { der_length: 2, .. }]
        ));
        // A list length beyond the message is kept, marked malformed, never a panic.
        let Details::Certificate(c) = parse(11, &[0, 0, 9, 0], Some(0x0303)) else {
            panic!("too long");
        };
        assert_eq!(c.list_length, 9);
        assert!(c.malformed.is_some());
    }

    #[test]
    fn server_hello_with_supported_versions_and_hello_retry_request() {
        let mut body = vec![0x03, 0x03];
        body.extend(HRR_RANDOM);
        body.extend([0x00, 0x13, 0x01, 0x00]); // no session id, suite, compression
        body.extend([0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        let Details::ServerHello(sh) = parse(2, &body, None) else {
            panic!("server hello");
        };
        assert!(sh.hello_retry_request);
        assert_eq!(
            (sh.version.as_str(), sh.cipher_suite.as_str()),
            ("TLS 1.3", "TLS_AES_128_GCM_SHA256")
        );
    }

    #[test]
    fn truncated_bodies_are_malformed_never_a_panic() {
        let body = [0x03, 0x03, 1, 2, 3];
        for typ in [1u8, 2, 4, 11, 13, 15, 24] {
            for cut in 0..body.len() {
                let _ = parse(typ, &body[..cut], Some(0x0303));
                let _ = parse(typ, &body[..cut], Some(0x0304));
            }
        }
        assert!(matches!(parse(2, &body, None), Details::Malformed { .. }));
    }
}
