//! Certificates (RFC 5280): DER in, a typed summary out, judged against nothing but itself.
//!
//! ```text
//! DER ─► Certificate { names, validity, key, usages, fingerprint }   (this file)
//!     ─► chain: each signature checked by the next certificate's key  (chain.rs, verify.rs)
//!     ─► anchor: a chain followed up to a trust store (`--ca`)        (chain.rs)
//! certificate files (`--client-cert`, `--ca`): PEM or DER             (file.rs)
//! ```
//!
//! Validity is kept as timestamps, compared with the capture's own time by later stages (never
//! the wall clock). A certificate that does not parse is kept with the reason, never dropped.
//! Names render as x509-parser writes them (`CN=…, O=…`); matching is on the DER.

mod chain;
mod file;
pub(crate) mod verify;

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest, Sha256};
use x509_parser::der_parser::oid::Oid;
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey as ParsedKey;

use crate::capture::Timestamp;
use crate::tls::enums::KeyFamily;
pub(crate) use chain::{Trust, anchor, chain_signatures};
pub use file::CertificateFileError;
pub(crate) use file::{read_certificates, read_trust_store};

/// One certificate, as far as the diagnosis needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Certificate {
    /// Subject distinguished name.
    pub subject: Name,
    /// Issuer distinguished name.
    pub issuer: Name,
    /// Serial number (its DER integer bytes).
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: Timestamp,
    /// End of validity.
    pub not_after: Timestamp,
    /// DNS names, IP addresses, e-mail addresses, URIs and directory names of the
    /// subjectAltName extension.
    pub subject_alt_names: Vec<AltName>,
    /// The public key's kind and size.
    pub public_key: PublicKey,
    /// The signature algorithm's OID.
    pub signature_algorithm: Algorithm,
    /// SHA-256 of the DER encoding.
    pub sha256: [u8; 32],
    /// Subject and issuer are the same name (and the key identifiers, when present, agree),
    /// and, where it can be checked, its own key made its signature.
    pub self_signed: bool,
    /// Key usage flags, in RFC 5280 order; empty without the extension.
    pub key_usage: Vec<KeyUsage>,
    /// Extended key usages; empty without the extension.
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
    /// Basic constraints: a CA certificate.
    pub is_ca: bool,
    /// Length of the DER encoding.
    pub der_length: usize,
    /// The SubjectPublicKeyInfo (DER), for checking signatures made with the key.
    pub spki_der: Vec<u8>,
    /// Its signature checked with the key of its issuer, when the issuer is the next
    /// certificate of the same chain (or itself, when self-signed): `true` valid, `false` not
    /// made by that key; `None` when not checked.
    pub signature_valid: Option<bool>,
    /// The DER encoding (shared: every connection that carries the certificate points at one
    /// copy), for exporting it and for checking its signature.
    pub der: std::sync::Arc<[u8]>,
    /// The top of a chain a peer sent that is not self-signed: its issuer may be in a trust
    /// store (`--ca`).
    pub anchor_candidate: bool,
}

impl Certificate {
    /// Takes in the link check: `signature_valid`, and `self_signed` corrected.
    pub(crate) fn set_link(&mut self, link: chain::Link) {
        match link {
            chain::Link::Unchecked => {}
            chain::Link::Valid => self.signature_valid = Some(true),
            chain::Link::Invalid => self.signature_valid = Some(false),
            chain::Link::NotSelfSigned => self.self_signed = false,
        }
    }

    /// The DNS names the certificate is for: its subjectAltName DNS entries, or without any, its
    /// subject's common names (RFC 6125 §6.4.4).
    pub(crate) fn host_names(&self) -> Vec<String> {
        let dns: Vec<String> = self
            .subject_alt_names
            .iter()
            .filter_map(|n| match n {
                AltName::Dns(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        if dns.is_empty() {
            self.subject.common_names()
        } else {
            dns
        }
    }

    /// Allowed to authenticate a TLS client? `Err` says why not: an extended key usage without
    /// clientAuth, or a key usage without digitalSignature (RFC 5280 §4.2.1.3, §4.2.1.12).
    pub(crate) fn client_auth_usage(&self) -> Result<(), UsageProblem> {
        let eku_without_client_auth = !self.extended_key_usage.is_empty()
            && !self
                .extended_key_usage
                .iter()
                .any(|e| matches!(e, ExtendedKeyUsage::ClientAuth | ExtendedKeyUsage::Any));
        if eku_without_client_auth {
            return Err(UsageProblem::ExtendedKeyUsage(
                self.extended_key_usage.clone(),
            ));
        }
        let ku_without_signature =
            !self.key_usage.is_empty() && !self.key_usage.contains(&KeyUsage::DigitalSignature);
        if ku_without_signature {
            return Err(UsageProblem::KeyUsage(self.key_usage.clone()));
        }
        Ok(())
    }

    /// Validity at a time: `Err` when expired or not yet valid.
    pub(crate) fn validity_at(&self, at: Timestamp) -> Result<(), Validity> {
        if at > self.not_after {
            Err(Validity::Expired(self.not_after))
        } else if at < self.not_before {
            Err(Validity::NotYetValid(self.not_before))
        } else {
            Ok(())
        }
    }
}

/// Why a certificate may not authenticate a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UsageProblem {
    /// Its extended key usages, none of them clientAuth.
    ExtendedKeyUsage(Vec<ExtendedKeyUsage>),
    /// Its key usages, without digitalSignature.
    KeyUsage(Vec<KeyUsage>),
}

impl fmt::Display for UsageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExtendedKeyUsage(ekus) => write!(
                f,
                "its extended key usage is {} without clientAuth",
                join(ekus)
            ),
            Self::KeyUsage(kus) => {
                write!(f, "its key usage is {} without digitalSignature", join(kus))
            }
        }
    }
}

/// A certificate outside its validity period at some time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Expired, at this notAfter.
    Expired(Timestamp),
    /// Not yet valid, until this notBefore.
    NotYetValid(Timestamp),
}

/// Items joined with ", ".
fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A distinguished name: its DER (for matching) and how it reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Name {
    der: Vec<u8>,
    /// `CN=…, O=…` as x509-parser writes it; `None` when the DER does not parse.
    text: Option<String>,
}

impl Name {
    /// A name from its DER encoding (from a certificate, or a CertificateRequest's CA list).
    pub(crate) fn from_der(der: &[u8]) -> Self {
        Self {
            der: der.to_vec(),
            text: X509Name::from_der(der).ok().map(|(_, n)| text(&n)),
        }
    }

    fn parsed(n: &X509Name<'_>) -> Self {
        Self {
            der: n.as_raw().to_vec(),
            text: Some(text(n)),
        }
    }

    /// The DER encoding.
    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }

    /// The first organization (O) attribute.
    pub(crate) fn organisation(&self) -> Option<String> {
        let (_, name) = X509Name::from_der(&self.der).ok()?;
        name.iter_organization().next().map(attribute_text)
    }

    /// The common name (CN) attributes.
    pub(crate) fn common_names(&self) -> Vec<String> {
        X509Name::from_der(&self.der)
            .map(|(_, name)| name.iter_common_name().map(attribute_text).collect())
            .unwrap_or_default()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = &self.text {
            return f.write_str(text);
        }
        f.write_str("(unparsable name: ")?;
        for b in &self.der {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// An attribute's value as text: the string types x509-parser reads, else its bytes (a
/// TeletexString, for example, as old certificates use for ASCII names).
fn attribute_text(a: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    a.as_str().map_or_else(
        |_| String::from_utf8_lossy(a.attr_value().data).into_owned(),
        str::to_string,
    )
}

fn text(n: &X509Name<'_>) -> String {
    let s = n.to_string();
    if s.is_empty() {
        "(empty name)".to_string()
    } else {
        s
    }
}

/// A subjectAltName entry (RFC 5280 §4.2.1.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AltName {
    /// dNSName.
    Dns(String),
    /// iPAddress.
    Ip(IpAddr),
    /// iPAddress of another length than 4 or 16 bytes.
    OtherIp(Vec<u8>),
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// directoryName.
    Directory(Name),
}

impl fmt::Display for AltName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(s) => write!(f, "DNS:{s}"),
            Self::Ip(ip) => write!(f, "IP:{ip}"),
            Self::OtherIp(bytes) => {
                f.write_str("IP:")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            Self::Email(s) => write!(f, "email:{s}"),
            Self::Uri(s) => write!(f, "URI:{s}"),
            Self::Directory(name) => write!(f, "DirName:{name}"),
        }
    }
}

/// A public key: its kind and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// RSA, with its modulus size in bits.
    Rsa(usize),
    /// An elliptic-curve key.
    Ec(Curve),
    /// DSA, with its size in bits.
    Dsa(usize),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// X25519 (key agreement only).
    X25519,
    /// ML-DSA-44, -65 or -87 (FIPS 204), by level.
    MlDsa(u8),
    /// Another algorithm, by its OID.
    Other(Algorithm),
}

impl PublicKey {
    /// The family that signs with this key (`None` for keys that do not sign in TLS 1.2/1.3
    /// certificates as this tool knows them).
    pub(crate) fn family(&self) -> Option<KeyFamily> {
        match self {
            Self::Rsa(_) => Some(KeyFamily::Rsa),
            Self::Ec(_) => Some(KeyFamily::Ecdsa),
            Self::Dsa(_) => Some(KeyFamily::Dsa),
            Self::Ed25519 | Self::Ed448 => Some(KeyFamily::EdDsa),
            Self::X25519 | Self::MlDsa(_) | Self::Other(_) => None,
        }
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa(bits) => write!(f, "RSA {bits}"),
            Self::Ec(curve) => write!(f, "EC {curve}"),
            Self::Dsa(bits) => write!(f, "DSA {bits}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::X25519 => f.write_str("X25519"),
            Self::MlDsa(level) => write!(f, "ML-DSA-{level}"),
            Self::Other(algorithm) => algorithm.fmt(f),
        }
    }
}

/// The curve of an EC key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    /// secp256r1.
    P256,
    /// secp384r1.
    P384,
    /// secp521r1.
    P521,
    /// secp256k1.
    Secp256k1,
    /// Another named curve, by its OID.
    Named(String),
    /// The key names no curve.
    Unknown,
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::Secp256k1 => "secp256k1",
            Self::Named(oid) => oid,
            Self::Unknown => "(curve unknown)",
        })
    }
}

/// An algorithm identifier's OID, named from x509-parser's registry where it knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Algorithm(Oid<'static>);

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match x509_parser::objects::oid2sn(&self.0, x509_parser::objects::oid_registry()) {
            Ok(name) => f.write_str(name),
            Err(_) => f.write_str(&self.0.to_id_string()),
        }
    }
}

/// Declares a flag list type whose items name themselves.
macro_rules! named_flags {
    ($(#[$meta:meta])* pub(crate) enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub(crate) enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self {
                    $( Self::$variant => $text, )+
                })
            }
        }
    };
}

named_flags! {
    /// A key usage bit (RFC 5280 §4.2.1.3).
    pub(crate) enum KeyUsage {
        /// digitalSignature.
        DigitalSignature => "digitalSignature",
        /// nonRepudiation (contentCommitment).
        NonRepudiation => "nonRepudiation",
        /// keyEncipherment.
        KeyEncipherment => "keyEncipherment",
        /// dataEncipherment.
        DataEncipherment => "dataEncipherment",
        /// keyAgreement.
        KeyAgreement => "keyAgreement",
        /// keyCertSign.
        KeyCertSign => "keyCertSign",
        /// cRLSign.
        CrlSign => "cRLSign",
        /// encipherOnly.
        EncipherOnly => "encipherOnly",
        /// decipherOnly.
        DecipherOnly => "decipherOnly",
    }
}

/// An extended key usage (RFC 5280 §4.2.1.12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExtendedKeyUsage {
    /// anyExtendedKeyUsage.
    Any,
    /// id-kp-serverAuth.
    ServerAuth,
    /// id-kp-clientAuth.
    ClientAuth,
    /// id-kp-codeSigning.
    CodeSigning,
    /// id-kp-emailProtection.
    EmailProtection,
    /// id-kp-timeStamping.
    TimeStamping,
    /// id-kp-OCSPSigning.
    OcspSigning,
    /// Another purpose, by its OID (dotted).
    Other(String),
}

impl fmt::Display for ExtendedKeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Any => "anyExtendedKeyUsage",
            Self::ServerAuth => "serverAuth",
            Self::ClientAuth => "clientAuth",
            Self::CodeSigning => "codeSigning",
            Self::EmailProtection => "emailProtection",
            Self::TimeStamping => "timeStamping",
            Self::OcspSigning => "OCSPSigning",
            Self::Other(oid) => oid,
        })
    }
}

/// Why a certificate could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The DER is not an X.509 certificate (x509-parser's reason).
    #[error("not a valid X.509 certificate: {0}")]
    NotX509(String),
    /// Bytes follow the certificate.
    #[error("{0} bytes after the certificate")]
    TrailingBytes(usize),
}

/// Reads a DER certificate, or says why it cannot be read.
pub(crate) fn summarize(der: &[u8]) -> Result<Certificate, CertificateError> {
    let (rest, cert) =
        X509Certificate::from_der(der).map_err(|e| CertificateError::NotX509(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CertificateError::TrailingBytes(rest.len()));
    }
    let validity = cert.validity();
    let mut subject_alt_names = Vec::new();
    let mut key_usage = Vec::new();
    let mut extended_key_usage = Vec::new();
    let mut subject_key_id = None;
    let mut authority_key_id = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                subject_alt_names.extend(san.general_names.iter().filter_map(alt_name));
            }
            ParsedExtension::KeyUsage(ku) => {
                let flags = [
                    (ku.digital_signature(), KeyUsage::DigitalSignature),
                    (ku.non_repudiation(), KeyUsage::NonRepudiation),
                    (ku.key_encipherment(), KeyUsage::KeyEncipherment),
                    (ku.data_encipherment(), KeyUsage::DataEncipherment),
                    (ku.key_agreement(), KeyUsage::KeyAgreement),
                    (ku.key_cert_sign(), KeyUsage::KeyCertSign),
                    (ku.crl_sign(), KeyUsage::CrlSign),
                    (ku.encipher_only(), KeyUsage::EncipherOnly),
                    (ku.decipher_only(), KeyUsage::DecipherOnly),
                ];
                key_usage = flags
                    .into_iter()
                    .filter_map(|(on, usage)| on.then_some(usage))
                    .collect();
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let flags = [
                    (eku.any, ExtendedKeyUsage::Any),
                    (eku.server_auth, ExtendedKeyUsage::ServerAuth),
                    (eku.client_auth, ExtendedKeyUsage::ClientAuth),
                    (eku.code_signing, ExtendedKeyUsage::CodeSigning),
                    (eku.email_protection, ExtendedKeyUsage::EmailProtection),
                    (eku.time_stamping, ExtendedKeyUsage::TimeStamping),
                    (eku.ocsp_signing, ExtendedKeyUsage::OcspSigning),
                ];
                extended_key_usage.extend(
                    flags
                        .into_iter()
                        .filter_map(|(on, usage)| on.then_some(usage)),
                );
                extended_key_usage.extend(
                    eku.other
                        .iter()
                        .map(|oid| ExtendedKeyUsage::Other(oid.to_string())),
                );
            }
            ParsedExtension::SubjectKeyIdentifier(id) => subject_key_id = Some(id.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec());
            }
            _ => {}
        }
    }
    let same_name = cert.subject().as_raw() == cert.issuer().as_raw();
    let keys_agree = match (&subject_key_id, &authority_key_id) {
        (Some(s), Some(a)) => s == a,
        _ => true,
    };
    Ok(Certificate {
        subject: Name::parsed(cert.subject()),
        issuer: Name::parsed(cert.issuer()),
        serial: cert.raw_serial().to_vec(),
        not_before: Timestamp::from_parts(validity.not_before.timestamp(), 0),
        not_after: Timestamp::from_parts(validity.not_after.timestamp(), 0),
        subject_alt_names,
        public_key: public_key(&cert),
        signature_algorithm: Algorithm(cert.signature_algorithm.algorithm.to_owned()),
        sha256: Sha256::digest(der).into(),
        self_signed: same_name && keys_agree,
        key_usage,
        extended_key_usage,
        is_ca: cert.is_ca(),
        der_length: der.len(),
        spki_der: cert.public_key().raw.to_vec(),
        signature_valid: None,
        der: der.into(),
        anchor_candidate: false,
    })
}

fn alt_name(n: &GeneralName<'_>) -> Option<AltName> {
    Some(match n {
        GeneralName::DNSName(s) => AltName::Dns((*s).to_string()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => AltName::Ip(IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]])),
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(bytes);
                AltName::Ip(IpAddr::from(a))
            }
            _ => AltName::OtherIp(bytes.to_vec()),
        },
        GeneralName::RFC822Name(s) => AltName::Email((*s).to_string()),
        GeneralName::URI(s) => AltName::Uri((*s).to_string()),
        GeneralName::DirectoryName(d) => AltName::Directory(Name::parsed(d)),
        _ => return None,
    })
}

fn public_key(cert: &X509Certificate<'_>) -> PublicKey {
    let spki = cert.public_key();
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(ParsedKey::RSA(rsa)) => PublicKey::Rsa(rsa.key_size()),
        Ok(ParsedKey::EC(_)) => PublicKey::Ec(
            spki.algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map_or(Curve::Unknown, |oid| match oid.to_id_string().as_str() {
                    "1.2.840.10045.3.1.7" => Curve::P256,
                    "1.3.132.0.34" => Curve::P384,
                    "1.3.132.0.35" => Curve::P521,
                    "1.3.132.0.10" => Curve::Secp256k1,
                    other => Curve::Named(other.to_string()),
                }),
        ),
        Ok(ParsedKey::DSA(y)) => {
            PublicKey::Dsa(y.len().saturating_sub(usize::from(y.first() == Some(&0))) * 8)
        }
        _ => match algorithm.as_str() {
            "1.3.101.112" => PublicKey::Ed25519,
            "1.3.101.113" => PublicKey::Ed448,
            "1.3.101.110" => PublicKey::X25519,
            "2.16.840.1.101.3.4.3.17" => PublicKey::MlDsa(44),
            "2.16.840.1.101.3.4.3.18" => PublicKey::MlDsa(65),
            "2.16.840.1.101.3.4.3.19" => PublicKey::MlDsa(87),
            _ => PublicKey::Other(Algorithm(spki.algorithm.algorithm.to_owned())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN_PEM: &[u8] = include_bytes!("../../../../pcaps/certs/client-chain.pem");
    const EC_DER: &[u8] = include_bytes!("../../../../pcaps/certs/client-ec.der");

    #[test]
    fn a_certificate_reads_into_typed_facts() {
        let chain = read_certificates(CHAIN_PEM).unwrap();
        let (leaf, ca) = (&chain[0], &chain[1]);
        assert_eq!(leaf.issuer, ca.subject);
        assert!(ca.is_ca && !leaf.is_ca);
        assert_eq!(leaf.public_key, PublicKey::Rsa(2048));
        assert_eq!(leaf.public_key.family(), Some(KeyFamily::Rsa));
        assert!(
            leaf.extended_key_usage
                .contains(&ExtendedKeyUsage::ClientAuth)
        );
        assert_eq!(leaf.client_auth_usage(), Ok(()));
        assert_eq!(
            ca.subject.organisation().as_deref(),
            Some("pcap-tls-diagnose")
        );
        assert_eq!(ca.subject.common_names(), ["Test Issuing CA 1"]);
        assert_eq!(
            ca.subject.to_string(),
            "CN=Test Issuing CA 1, O=pcap-tls-diagnose"
        );
        let ec = &read_certificates(EC_DER).unwrap()[0];
        assert_eq!(ec.public_key.to_string(), "EC P-256");
        assert_eq!(ec.public_key.family(), Some(KeyFamily::Ecdsa));
    }

    #[test]
    fn validity_and_usage_problems_are_typed() {
        let leaf = &read_certificates(CHAIN_PEM).unwrap()[0];
        assert_eq!(leaf.validity_at(leaf.not_before), Ok(()));
        assert_eq!(
            leaf.validity_at(Timestamp(leaf.not_after.0 + 1)),
            Err(Validity::Expired(leaf.not_after))
        );
        assert_eq!(
            leaf.validity_at(Timestamp(leaf.not_before.0 - 1)),
            Err(Validity::NotYetValid(leaf.not_before))
        );
        let mut server_only = leaf.clone();
        server_only.extended_key_usage = vec![ExtendedKeyUsage::ServerAuth];
        assert_eq!(
            server_only.client_auth_usage().unwrap_err().to_string(),
            "its extended key usage is serverAuth without clientAuth"
        );
    }

    #[test]
    fn unparsable_names_show_their_bytes() {
        let name = Name::from_der(&[0x30, 0x01]);
        assert_eq!(name.to_string(), "(unparsable name: 3001)");
        assert_eq!(name.organisation(), None);
    }
}
