//! Handshake messages (RFC 5246 §7.4, RFC 8446 §4), from complete message bytes to owned values.
//!
//! ClientHello's fixed part is read with `tls-parser`; everything tls-parser does not lay out
//! (TLS 1.3 Certificate with its context and per-entry extensions, TLS 1.3 CertificateRequest
//! with its extensions, draft ServerHellos) is read here with the bounded `Reader`. Extensions
//! are walked one by one so that one malformed extension does not hide the others.

use std::sync::Arc;

use super::codec::Reader;
use super::enums::{
    CipherSuite, ClientCertificateType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion,
    SignatureScheme,
};
use crate::x509::verify::Verdict;
use crate::x509::{self, Certificate, CertificateError, Name};

/// `HelloRetryRequest.random` (RFC 8446 §4.1.3): SHA-256 of "HelloRetryRequest".
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Extension numbers used below (IANA TLS ExtensionType Values).
mod ext {
    pub(super) const SERVER_NAME: u16 = 0;
    pub(super) const SUPPORTED_GROUPS: u16 = 10;
    pub(super) const EC_POINT_FORMATS: u16 = 11;
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
pub(crate) struct HandshakeMessage {
    /// HandshakeType.
    pub typ: HandshakeType,
    /// Declared length of the body.
    pub length: u32,
    /// What could be read from the body.
    pub details: Details,
}

/// The parts of a message body the diagnosis uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Details {
    /// Nothing beyond the type is reported (Finished, ServerHelloDone, …).
    None,
    /// A ClientHello.
    ClientHello(Box<ClientHello>),
    /// A ServerHello or HelloRetryRequest.
    ServerHello(Box<ServerHello>),
    /// A Certificate message.
    /// (Shared: a capture's connections often carry the same chain, read once.)
    Certificate(Arc<CertificateMessage>),
    /// A CertificateRequest.
    CertificateRequest(Box<CertificateRequest>),
    /// A NewSessionTicket.
    NewSessionTicket {
        /// Ticket lifetime hint, seconds.
        lifetime: u32,
        /// Ticket length.
        ticket_length: usize,
    },
    /// A CertificateVerify: the scheme the signature claims.
    CertificateVerify {
        /// Signature scheme, when the version carries one (TLS 1.2 and 1.3).
        signature_scheme: Option<SignatureScheme>,
        /// A TLS 1.2 client's signature checked over the handshake transcript with its
        /// certificate's public key (`None`: not checked).
        check: Option<Verdict>,
    },
    /// A KeyUpdate.
    KeyUpdate {
        /// The sender asks the peer to update its keys too.
        update_requested: bool,
    },
    /// The body does not have the layout its type requires.
    Malformed(ParseError),
}

/// Why a handshake message's body does not have its type's layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseError {
    /// A field or list runs past the message.
    #[error("{0}")]
    DoesNotFit(Field),
    /// Bytes follow a CertificateRequest's last field.
    #[error("{0} bytes after certificate_authorities")]
    TrailingBytes(usize),
    /// A KeyUpdate body is one byte.
    #[error("a KeyUpdate holds one byte")]
    KeyUpdateLength,
}

/// The parts of handshake messages whose length can run past the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Field {
    /// ClientHello's version, random, session id, suites and compression methods.
    #[error("the ClientHello's fixed fields do not fit")]
    ClientHelloFixed,
    /// An SSL 2.0 ClientHello's header.
    #[error("the SSLv2 ClientHello header does not fit")]
    Sslv2Header,
    /// An SSL 2.0 ClientHello's cipher specs.
    #[error("the SSLv2 cipher specs run past the message")]
    Sslv2CipherSpecs,
    /// ServerHello's version, random, session id, suite and compression method.
    #[error("the ServerHello's fixed fields do not fit")]
    ServerHelloFixed,
    /// TLS 1.3 certificate_request_context.
    #[error("the certificate_request_context does not fit")]
    CertificateRequestContext,
    /// The certificate_list length.
    #[error("the certificate_list length does not fit")]
    CertificateListLength,
    /// TLS 1.2 certificate_types.
    #[error("certificate_types do not fit")]
    CertificateTypes,
    /// TLS 1.2 supported_signature_algorithms.
    #[error("supported_signature_algorithms do not fit")]
    SupportedSignatureAlgorithms,
    /// certificate_authorities.
    #[error("certificate_authorities do not fit")]
    CertificateAuthorities,
    /// One name of certificate_authorities.
    #[error("a distinguished name runs past the list")]
    DistinguishedName,
    /// A TLS 1.3 CertificateRequest's extensions.
    #[error("the extensions do not fit")]
    Extensions,
    /// signature_algorithms.
    #[error("signature_algorithms do not fit")]
    SignatureAlgorithms,
    /// signature_algorithms_cert.
    #[error("signature_algorithms_cert do not fit")]
    SignatureAlgorithmsCert,
    /// oid_filters.
    #[error("oid_filters do not fit")]
    OidFilters,
    /// NewSessionTicket lifetime.
    #[error("the ticket lifetime does not fit")]
    TicketLifetime,
    /// NewSessionTicket ticket_age_add (TLS 1.3).
    #[error("ticket_age_add does not fit")]
    TicketAgeAdd,
    /// NewSessionTicket nonce (TLS 1.3).
    #[error("the ticket nonce does not fit")]
    TicketNonce,
    /// NewSessionTicket ticket.
    #[error("the ticket does not fit")]
    Ticket,
}

impl From<Field> for ParseError {
    fn from(field: Field) -> Self {
        Self::DoesNotFit(field)
    }
}

/// Why a Certificate message's list is not what its lengths say (its certificates that fit are
/// kept).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ListProblem {
    /// The list is longer than the message.
    #[error("certificate_list claims {claimed} bytes, the message holds {held}")]
    LongerThanMessage {
        /// Its declared length.
        claimed: u32,
        /// The bytes left in the message.
        held: usize,
    },
    /// A certificate runs past the list.
    #[error("a certificate runs past the certificate_list")]
    CertificatePastList,
    /// A TLS 1.3 entry's extensions run past the list.
    #[error("a certificate entry's extensions run past the list")]
    ExtensionsPastList,
}

/// A list of registry values (cipher suites, groups, …). Shared: the ClientHellos of one client
/// offer the same lists on every connection, and a capture keeps each distinct list once
/// (`tls::Shared`).
pub(crate) type List<T> = Arc<[T]>;

/// What a ClientHello offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClientHello {
    /// `legacy_version` (the highest version before TLS 1.3).
    pub legacy_version: ProtocolVersion,
    /// Versions of the supported_versions extension, in order (GREASE omitted).
    pub supported_versions: List<ProtocolVersion>,
    /// Cipher suites, in order of preference, GREASE included (in the SSL 2.0 format: the
    /// cipher specs that are TLS suites).
    pub cipher_suites: List<CipherSuite>,
    /// Server Name Indication.
    pub sni: Option<String>,
    /// ALPN protocols offered (as text, bytes that are not UTF-8 replaced).
    pub alpn: List<String>,
    /// The first and the last byte of the first ALPN protocol, as sent (JA4 reads them; `alpn`
    /// may have replaced them); `None` without ALPN or when the first protocol is empty.
    pub alpn_first_last: Option<[u8; 2]>,
    /// Named groups (supported_groups), GREASE included.
    pub groups: List<NamedGroup>,
    /// ec_point_formats (RFC 8422 §5.1.2), in order.
    pub ec_point_formats: List<u8>,
    /// Groups with a key share (TLS 1.3).
    pub key_share_groups: List<NamedGroup>,
    /// signature_algorithms, in order, GREASE included.
    pub signature_algorithms: List<SignatureScheme>,
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
    /// Extension types in order, GREASE included.
    pub extensions: List<ExtensionType>,
    /// Sent in the SSL 2.0-compatible format.
    pub sslv2_format: bool,
    /// The highest version offered.
    pub max_version: ProtocolVersion,
    /// The session id bytes, to match a resumption.
    pub session_id: Vec<u8>,
}

impl ClientHello {
    /// A ClientHello offering `legacy_version` and nothing else, to be filled in.
    pub(crate) fn new(legacy_version: ProtocolVersion) -> Self {
        Self {
            legacy_version,
            supported_versions: Arc::new([]),
            cipher_suites: Arc::new([]),
            sni: None,
            alpn: Arc::new([]),
            alpn_first_last: None,
            groups: Arc::new([]),
            ec_point_formats: Arc::new([]),
            key_share_groups: Arc::new([]),
            signature_algorithms: Arc::new([]),
            session_id_length: 0,
            session_ticket: false,
            pre_shared_key: false,
            renegotiation_info: false,
            post_handshake_auth: false,
            extended_master_secret: false,
            fallback_scsv: false,
            extensions: Arc::new([]),
            sslv2_format: false,
            max_version: legacy_version,
            session_id: Vec::new(),
        }
    }

    /// Offers this extension.
    pub(crate) fn has(&self, extension: ExtensionType) -> bool {
        self.extensions.contains(&extension)
    }
}

/// What a ServerHello chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerHello {
    /// This is a HelloRetryRequest (RFC 8446 §4.1.4).
    pub hello_retry_request: bool,
    /// `legacy_version`.
    pub legacy_version: ProtocolVersion,
    /// The version chosen (supported_versions when present, else legacy_version).
    pub version: ProtocolVersion,
    /// The cipher suite chosen.
    pub cipher_suite: CipherSuite,
    /// ALPN protocol chosen (visible in TLS ≤ 1.2 only).
    pub alpn: Option<String>,
    /// Key share group (TLS 1.3).
    pub key_share_group: Option<NamedGroup>,
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
    pub extensions: Vec<ExtensionType>,
    /// The session id bytes.
    pub session_id: Vec<u8>,
}

/// A Certificate message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CertificateMessage {
    /// The certificate_list length ("Certificates Length" in Wireshark); 0 is an empty message.
    pub list_length: u32,
    /// TLS 1.3 certificate_request_context length.
    pub context_length: Option<usize>,
    /// The certificates, leaf first; one that fails to parse is kept with the reason. (Shared:
    /// every connection that carries the same chain points at one copy.)
    pub certificates: Arc<[CertEntry]>,
    /// The message's lengths disagree; the certificates that fit are kept.
    pub malformed: Option<ListProblem>,
}

/// One certificate of a Certificate message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CertEntry {
    /// A certificate that parsed.
    Parsed(Box<Certificate>),
    /// A certificate that did not.
    Unparsable {
        /// Why.
        error: CertificateError,
        /// Its length.
        der_length: usize,
    },
}

impl CertEntry {
    /// The certificate, when it parsed.
    pub(crate) fn parsed(&self) -> Option<&Certificate> {
        match self {
            Self::Parsed(c) => Some(c),
            Self::Unparsable { .. } => None,
        }
    }
}

/// A CertificateRequest in either form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CertificateRequest {
    /// The TLS 1.3 form (context + extensions).
    pub tls13: bool,
    /// certificate_types (TLS ≤ 1.2).
    pub certificate_types: Vec<ClientCertificateType>,
    /// signature_algorithms.
    pub signature_algorithms: Vec<SignatureScheme>,
    /// signature_algorithms_cert (TLS 1.3).
    pub signature_algorithms_cert: Vec<SignatureScheme>,
    /// Accepted CA distinguished names; empty = "any CA".
    pub certificate_authorities: Vec<Name>,
    /// oid_filters (TLS 1.3).
    pub oid_filters: Vec<OidFilter>,
}

/// One entry of a TLS 1.3 CertificateRequest's oid_filters (RFC 8446 §4.2.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OidFilter {
    /// The certificate extension's OID, dotted.
    pub oid: String,
    /// The DER values it must hold.
    pub values: Vec<u8>,
}

/// Parses a complete message (`body` without the 4-byte header). `version` is the negotiated
/// version when known: the Certificate and CertificateRequest layouts depend on it.
pub(crate) fn parse(typ: HandshakeType, body: &[u8], version: Option<ProtocolVersion>) -> Details {
    let result = match typ {
        HandshakeType::ClientHello => client_hello(body).map(|c| Details::ClientHello(Box::new(c))),
        HandshakeType::ServerHello => server_hello(body).map(|s| Details::ServerHello(Box::new(s))),
        HandshakeType::NewSessionTicket => new_session_ticket(body, version),
        HandshakeType::Certificate => {
            certificate(body, version).map(|c| Details::Certificate(Arc::new(c)))
        }
        HandshakeType::CertificateRequest => {
            certificate_request(body, version).map(|c| Details::CertificateRequest(Box::new(c)))
        }
        HandshakeType::CertificateVerify => Ok(certificate_verify(body, version)),
        HandshakeType::KeyUpdate => match body {
            [flag] => Ok(Details::KeyUpdate {
                update_requested: *flag == 1,
            }),
            _ => Err(ParseError::KeyUpdateLength),
        },
        _ => Ok(Details::None),
    };
    result.unwrap_or_else(Details::Malformed)
}

/// A list of 16-bit registry values as their type.
fn list16<T: From<u16>>(list: &[u16]) -> Vec<T> {
    list.iter().map(|&v| T::from(v)).collect()
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

fn client_hello(body: &[u8]) -> Result<ClientHello, ParseError> {
    let (_, ch) =
        tls_parser::parse_tls_handshake_client_hello(body).map_err(|_| Field::ClientHelloFixed)?;
    let suites: Vec<u16> = ch.ciphers.iter().map(|c| c.0).collect();
    let mut out = ClientHello {
        cipher_suites: list16(&suites).into(),
        session_id_length: ch.session_id.map_or(0, <[u8]>::len),
        session_id: ch.session_id.unwrap_or_default().to_vec(),
        renegotiation_info: suites.contains(&CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV.0),
        fallback_scsv: suites.contains(&CipherSuite::FALLBACK_SCSV.0),
        ..ClientHello::new(ProtocolVersion(ch.version.0))
    };
    let (mut extension_types, mut key_share_groups) = (Vec::new(), Vec::new());
    for (typ, data) in extensions(ch.ext) {
        extension_types.push(ExtensionType(typ));
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
                    out.groups = list16(&list.u16_list()).into();
                }
            }
            ext::EC_POINT_FORMATS => {
                if let Some(list) = Reader::new(data).vec8() {
                    out.ec_point_formats = list.rest().into();
                }
            }
            ext::SIGNATURE_ALGORITHMS => {
                if let Some(list) = Reader::new(data).vec16() {
                    out.signature_algorithms = list16(&list.u16_list()).into();
                }
            }
            ext::ALPN => {
                out.alpn = alpn_list(data).into();
                out.alpn_first_last = Reader::new(data)
                    .vec16()
                    .and_then(|mut list| list.vec8())
                    .and_then(|first| Some([*first.rest().first()?, *first.rest().last()?]));
            }
            ext::EXTENDED_MASTER_SECRET => out.extended_master_secret = true,
            ext::SESSION_TICKET => out.session_ticket = !data.is_empty(),
            ext::PRE_SHARED_KEY => out.pre_shared_key = true,
            ext::SUPPORTED_VERSIONS => {
                if let Some(list) = Reader::new(data).vec8() {
                    let versions: Vec<u16> = list
                        .u16_list()
                        .into_iter()
                        .filter(|v| !super::names::is_grease(*v))
                        .collect();
                    if let Some(&max) = versions
                        .iter()
                        .filter(|v| **v <= 0x0304 || **v >= 0x7f00)
                        .max()
                    {
                        out.max_version = out.max_version.max(ProtocolVersion(max));
                    }
                    out.supported_versions = list16(&versions).into();
                }
            }
            ext::POST_HANDSHAKE_AUTH => out.post_handshake_auth = true,
            ext::KEY_SHARE => {
                if let Some(mut list) = Reader::new(data).vec16() {
                    while let (Some(group), Some(_)) = (list.u16(), list.vec16()) {
                        key_share_groups.push(NamedGroup(group));
                    }
                }
            }
            ext::RENEGOTIATION_INFO => out.renegotiation_info = true,
            _ => {}
        }
    }
    out.extensions = extension_types.into();
    out.key_share_groups = key_share_groups.into();
    Ok(out)
}

/// An SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2): the body after the 2-byte record
/// header and the msg_type byte.
pub(crate) fn sslv2_client_hello(body: &[u8]) -> Result<ClientHello, ParseError> {
    let mut r = Reader::new(body);
    let fields = (r.u16(), r.u16(), r.u16(), r.u16());
    let (Some(version), Some(specs_len), Some(session_len), Some(_challenge_len)) = fields else {
        return Err(Field::Sslv2Header.into());
    };
    let specs = r
        .bytes(usize::from(specs_len))
        .ok_or(Field::Sslv2CipherSpecs)?;
    // Three-byte cipher specs; those starting with 0 are TLS cipher suites.
    let suites: Vec<u16> = specs
        .chunks_exact(3)
        .filter(|c| c[0] == 0)
        .map(|c| u16::from_be_bytes([c[1], c[2]]))
        .collect();
    Ok(ClientHello {
        cipher_suites: list16(&suites).into(),
        session_id_length: usize::from(session_len),
        renegotiation_info: suites.contains(&CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV.0),
        fallback_scsv: suites.contains(&CipherSuite::FALLBACK_SCSV.0),
        sslv2_format: true,
        ..ClientHello::new(ProtocolVersion(version))
    })
}

fn server_hello(body: &[u8]) -> Result<ServerHello, ParseError> {
    let mut r = Reader::new(body);
    let short = Field::ServerHelloFixed;
    let legacy = r.u16().ok_or(short)?;
    let random = r.bytes(32).ok_or(short)?;
    // TLS 1.3 drafts before 22 had no session id and no compression method.
    let old_draft = (0x7f00..0x7f16).contains(&legacy);
    let session_id = if old_draft {
        &[][..]
    } else {
        r.vec8().ok_or(short)?.rest()
    };
    let suite = r.u16().ok_or(short)?;
    if !old_draft {
        r.u8().ok_or(short)?;
    }
    let ext_block = if r.is_empty() {
        None
    } else {
        Some(r.vec16().ok_or(short)?.rest())
    };
    let mut out = ServerHello {
        hello_retry_request: random == HRR_RANDOM,
        legacy_version: ProtocolVersion(legacy),
        version: ProtocolVersion(legacy),
        cipher_suite: CipherSuite(suite),
        alpn: None,
        key_share_group: None,
        pre_shared_key: false,
        extended_master_secret: false,
        renegotiation_info: false,
        session_ticket: false,
        session_id_length: session_id.len(),
        extensions: Vec::new(),
        session_id: session_id.to_vec(),
    };
    for (typ, data) in extensions(ext_block) {
        out.extensions.push(ExtensionType(typ));
        match typ {
            ext::SUPPORTED_VERSIONS => {
                if let Some(v) = Reader::new(data).u16() {
                    out.version = ProtocolVersion(v);
                }
            }
            ext::ALPN => out.alpn = alpn_list(data).into_iter().next(),
            ext::KEY_SHARE => out.key_share_group = Reader::new(data).u16().map(NamedGroup),
            ext::PRE_SHARED_KEY => out.pre_shared_key = true,
            ext::EXTENDED_MASTER_SECRET => out.extended_master_secret = true,
            ext::RENEGOTIATION_INFO => out.renegotiation_info = true,
            ext::SESSION_TICKET => out.session_ticket = true,
            _ => {}
        }
    }
    Ok(out)
}

fn is_tls13(version: Option<ProtocolVersion>) -> bool {
    version.is_some_and(ProtocolVersion::is_tls13)
}

/// Checks the signatures of a Certificate message's chain, link by link, as far as the
/// certificates parsed.
fn check_links(entries: &mut [CertEntry], ders: &[&[u8]]) {
    let chain: Vec<&Certificate> = entries.iter().map_while(CertEntry::parsed).collect();
    let parsed = chain.len();
    let checked = x509::chain_signatures(&chain, ders);
    for (entry, link) in entries.iter_mut().zip(checked) {
        if let CertEntry::Parsed(c) = entry {
            c.set_link(link);
        }
    }
    // The top of the chain: its issuer may be in a trust store (`--ca`).
    if let Some(CertEntry::Parsed(top)) = entries.get_mut(parsed.wrapping_sub(1))
        && !top.self_signed
    {
        top.anchor_candidate = true;
    }
}

/// RFC 5246 §7.4.2 `opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>;`
/// RFC 8446 §4.4.2 adds `opaque certificate_request_context<0..2^8-1>` and per-entry
/// `Extension extensions<0..2^16-1>`.
fn certificate(
    body: &[u8],
    version: Option<ProtocolVersion>,
) -> Result<CertificateMessage, ParseError> {
    let tls13 = is_tls13(version);
    let mut r = Reader::new(body);
    let context_length = if tls13 {
        Some(
            r.vec8()
                .ok_or(Field::CertificateRequestContext)?
                .rest()
                .len(),
        )
    } else {
        None
    };
    let list_length = r.u24().ok_or(Field::CertificateListLength)?;
    let mut malformed = None;
    // A list longer than the message is read as far as it goes, as Wireshark does.
    let mut list = if let Some(bytes) = r.bytes(list_length as usize) {
        Reader::new(bytes)
    } else {
        malformed = Some(ListProblem::LongerThanMessage {
            claimed: list_length,
            held: r.rest().len(),
        });
        Reader::new(r.rest())
    };
    let mut certificates = Vec::new();
    let mut ders = Vec::new();
    while !list.is_empty() {
        let Some(der) = list.vec24() else {
            malformed.get_or_insert(ListProblem::CertificatePastList);
            break;
        };
        if tls13 && list.vec16().is_none() {
            malformed.get_or_insert(ListProblem::ExtensionsPastList);
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
fn certificate_request(
    body: &[u8],
    version: Option<ProtocolVersion>,
) -> Result<CertificateRequest, ParseError> {
    if is_tls13(version) {
        return certificate_request_tls13(body);
    }
    // Without a known version, the TLS 1.2 layout is tried first, then the older one.
    let with_algorithms = version.is_none_or(|v| v >= ProtocolVersion::TLS12);
    match certificate_request_tls12(body, with_algorithms) {
        Ok(cr) => Ok(cr),
        Err(_) if version.is_none() => certificate_request_tls12(body, false),
        Err(e) => Err(e),
    }
}

/// RFC 5246 §7.4.4:
/// `ClientCertificateType certificate_types<1..2^8-1>;`
/// `SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;`
/// `DistinguishedName certificate_authorities<0..2^16-1>;`
fn certificate_request_tls12(
    body: &[u8],
    with_algorithms: bool,
) -> Result<CertificateRequest, ParseError> {
    let mut r = Reader::new(body);
    let types = r.vec8().ok_or(Field::CertificateTypes)?;
    let mut out = CertificateRequest {
        certificate_types: types
            .rest()
            .iter()
            .map(|&t| ClientCertificateType::from(t))
            .collect(),
        ..CertificateRequest::default()
    };
    if with_algorithms {
        let algorithms = r.vec16().ok_or(Field::SupportedSignatureAlgorithms)?;
        out.signature_algorithms = list16(&algorithms.u16_list());
    }
    let authorities = r.vec16().ok_or(Field::CertificateAuthorities)?;
    if !r.is_empty() {
        return Err(ParseError::TrailingBytes(r.rest().len()));
    }
    read_authorities(authorities, &mut out)?;
    Ok(out)
}

/// `DistinguishedName authorities<3..2^16-1>; opaque DistinguishedName<1..2^16-1>;`
fn read_authorities(mut list: Reader<'_>, out: &mut CertificateRequest) -> Result<(), ParseError> {
    while !list.is_empty() {
        let dn = list.vec16().ok_or(Field::DistinguishedName)?.rest();
        out.certificate_authorities.push(Name::from_der(dn));
    }
    Ok(())
}

/// RFC 8446 §4.3.2: `opaque certificate_request_context<0..2^8-1>;
/// Extension extensions<0..2^16-1>;`
fn certificate_request_tls13(body: &[u8]) -> Result<CertificateRequest, ParseError> {
    let mut r = Reader::new(body);
    r.vec8().ok_or(Field::CertificateRequestContext)?;
    let block = r.vec16().ok_or(Field::Extensions)?;
    let mut out = CertificateRequest {
        tls13: true,
        ..CertificateRequest::default()
    };
    for (typ, data) in extensions(Some(block.rest())) {
        match typ {
            ext::SIGNATURE_ALGORITHMS => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or(Field::SignatureAlgorithms)?;
                out.signature_algorithms = list16(&list.u16_list());
            }
            ext::SIGNATURE_ALGORITHMS_CERT => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or(Field::SignatureAlgorithmsCert)?;
                out.signature_algorithms_cert = list16(&list.u16_list());
            }
            ext::CERTIFICATE_AUTHORITIES => {
                let list = Reader::new(data)
                    .vec16()
                    .ok_or(Field::CertificateAuthorities)?;
                read_authorities(list, &mut out)?;
            }
            ext::OID_FILTERS => {
                let mut list = Reader::new(data).vec16().ok_or(Field::OidFilters)?;
                while let (Some(oid), Some(values)) = (list.vec8(), list.vec16()) {
                    out.oid_filters.push(OidFilter {
                        oid: oid_string(oid.rest()),
                        values: values.rest().to_vec(),
                    });
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

/// RFC 5077 §3.3 (TLS 1.2) and RFC 8446 §4.6.1 (with ticket_age_add and a nonce).
fn new_session_ticket(
    body: &[u8],
    version: Option<ProtocolVersion>,
) -> Result<Details, ParseError> {
    let mut r = Reader::new(body);
    let lifetime = r.u32().ok_or(Field::TicketLifetime)?;
    if is_tls13(version) {
        r.u32().ok_or(Field::TicketAgeAdd)?;
        r.vec8().ok_or(Field::TicketNonce)?;
    }
    let ticket = r.vec16().ok_or(Field::Ticket)?;
    Ok(Details::NewSessionTicket {
        lifetime,
        ticket_length: ticket.rest().len(),
    })
}

fn certificate_verify(body: &[u8], version: Option<ProtocolVersion>) -> Details {
    let carries_scheme = version.is_none_or(|v| v >= ProtocolVersion::TLS12);
    Details::CertificateVerify {
        signature_scheme: if carries_scheme {
            Reader::new(body).u16().map(SignatureScheme)
        } else {
            None
        },
        check: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CR: HandshakeType = HandshakeType::CertificateRequest;
    const CERT: HandshakeType = HandshakeType::Certificate;

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
        let Details::CertificateRequest(cr) = parse(CR, body, Some(ProtocolVersion::TLS13)) else {
            panic!(
                "not parsed: {:?}",
                parse(CR, body, Some(ProtocolVersion::TLS13))
            );
        };
        assert!(cr.tls13);
        assert_eq!(cr.signature_algorithms.len(), 16);
        assert_eq!(
            cr.signature_algorithms[..4],
            [0x0403, 0x0503, 0x0603, 0x0807].map(SignatureScheme)
        );
        assert_eq!(
            cr.signature_algorithms[0].to_string(),
            "ecdsa_secp256r1_sha256"
        );
        assert!(cr.signature_algorithms.contains(&SignatureScheme(0x0804)));
        assert!(cr.signature_algorithms.contains(&SignatureScheme(0x0303)));
        assert_eq!(
            cr.certificate_authorities
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["CN=Test Root CA, O=pcap-tls-diagnose"]
        );
        assert!(cr.certificate_types.is_empty());
        // Read with the TLS 1.2 layout the same bytes do not fit: the version decides.
        assert!(matches!(
            parse(CR, body, Some(ProtocolVersion::TLS12)),
            Details::Malformed(_)
        ));
    }

    #[test]
    fn tls12_certificate_request_and_its_older_form() {
        // types rsa_sign + ecdsa_sign; sigalgs rsa_pkcs1_sha256; no CA names.
        let tls12 = [0x02, 0x01, 0x40, 0x00, 0x02, 0x04, 0x01, 0x00, 0x00];
        let Details::CertificateRequest(cr) = parse(CR, &tls12, Some(ProtocolVersion::TLS12))
        else {
            panic!("TLS 1.2 form");
        };
        assert_eq!(
            cr.certificate_types,
            [
                ClientCertificateType::RsaSign,
                ClientCertificateType::EcdsaSign
            ]
        );
        assert_eq!(cr.signature_algorithms, [SignatureScheme(0x0401)]);
        assert!(cr.certificate_authorities.is_empty());
        // TLS 1.1: no signature algorithms.
        let tls11 = [0x01, 0x01, 0x00, 0x00];
        let Details::CertificateRequest(cr) = parse(CR, &tls11, None) else {
            panic!("older form");
        };
        assert_eq!(cr.certificate_types, [ClientCertificateType::RsaSign]);
    }

    #[test]
    fn certificate_messages_in_both_forms_and_empty() {
        // TLS 1.2 empty Certificate: certificate_list length 0.
        let Details::Certificate(c) = parse(CERT, &[0, 0, 0], Some(ProtocolVersion::TLS12)) else {
            panic!("empty");
        };
        assert_eq!(
            (c.list_length, c.certificates.len(), c.context_length),
            (0, 0, None)
        );
        // TLS 1.3 empty Certificate: context length 0, list length 0.
        let Details::Certificate(c) = parse(CERT, &[0, 0, 0, 0], Some(ProtocolVersion::TLS13))
        else {
            panic!("empty 1.3");
        };
        assert_eq!((c.list_length, c.context_length), (0, Some(0)));
        // A list holding garbage instead of a certificate is kept, with the reason.
        let Details::Certificate(c) = parse(
            CERT,
            &[0, 0, 5, 0, 0, 2, 0xde, 0xad],
            Some(ProtocolVersion::TLS12),
        ) else {
            panic!("garbage");
        };
        assert!(matches!(
            c.certificates[..],
            [CertEntry::Unparsable { der_length: 2, .. }]
        ));
        // A list length beyond the message is kept, marked malformed, never a panic.
        let Details::Certificate(c) = parse(CERT, &[0, 0, 9, 0], Some(ProtocolVersion::TLS12))
        else {
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
        let Details::ServerHello(sh) = parse(HandshakeType::ServerHello, &body, None) else {
            panic!("server hello");
        };
        assert!(sh.hello_retry_request);
        assert_eq!(
            (sh.version, sh.cipher_suite),
            (ProtocolVersion::TLS13, CipherSuite(0x1301))
        );
    }

    #[test]
    fn truncated_bodies_are_malformed_never_a_panic() {
        let body = [0x03, 0x03, 1, 2, 3];
        for typ in [1u8, 2, 4, 11, 13, 15, 24] {
            for cut in 0..body.len() {
                let typ = HandshakeType::from(typ);
                let _ = parse(typ, &body[..cut], Some(ProtocolVersion::TLS12));
                let _ = parse(typ, &body[..cut], Some(ProtocolVersion::TLS13));
            }
        }
        assert_eq!(
            parse(HandshakeType::ServerHello, &body, None),
            Details::Malformed(ParseError::DoesNotFit(Field::ServerHelloFixed))
        );
    }
}
