//! Certificates: DER in, an owned summary out (RFC 5280), judged against nothing but itself.
//!
//! Validity is kept as numbers too, so that later stages can compare it with the capture's own
//! time (never the wall clock). A certificate that does not parse is kept with the reason, never
//! dropped.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

use crate::capture::Timestamp;
use crate::verify::Verdict;

/// What the report says about one certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CertSummary {
    /// Subject distinguished name, e.g. `CN=localhost, O=Example`.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// DNS names, IP addresses, e-mail addresses and URIs of the subjectAltName extension.
    pub subject_alt_names: Vec<String>,
    /// Key type and size: `RSA 2048`, `EC P-256`, `Ed25519`, …
    pub public_key: String,
    /// Signature algorithm, by name where known.
    pub signature_algorithm: String,
    /// SHA-256 of the DER encoding, in hex.
    pub sha256: String,
    /// Subject and issuer are the same name (and the key identifiers, when present, agree),
    /// and, where it can be checked, its own key made its signature.
    pub self_signed: bool,
    /// Key usage flags (`digitalSignature`, `keyCertSign`, …); empty without the extension.
    pub key_usage: Vec<String>,
    /// Extended key usages (`serverAuth`, `clientAuth`, …); empty without the extension.
    pub extended_key_usage: Vec<String>,
    /// Basic constraints: a CA certificate.
    pub is_ca: bool,
    /// Length of the DER encoding.
    pub der_length: usize,
    /// Start of validity, for comparisons.
    #[serde(skip)]
    pub not_before_time: Timestamp,
    /// End of validity, for comparisons.
    #[serde(skip)]
    pub not_after_time: Timestamp,
    /// Raw subject name (DER), for matching against CA lists.
    #[serde(skip)]
    pub subject_der: Vec<u8>,
    /// Raw issuer name (DER).
    #[serde(skip)]
    pub issuer_der: Vec<u8>,
    /// The SubjectPublicKeyInfo (DER), for checking signatures made with the key.
    #[serde(skip)]
    pub spki_der: Vec<u8>,
    /// Its signature checked with the key of its issuer, when the issuer is the next
    /// certificate of the same chain (or itself, when self-signed): `true` valid, `false` not
    /// made by that key. Absent when not checked (issuer not in the chain, or an algorithm not
    /// checked here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_valid: Option<bool>,
    /// The DER, kept for the top of a chain only (its issuer may be in a trust store).
    #[serde(skip)]
    pub der_for_anchor: Option<Vec<u8>>,
}

/// Checks the signature of a certificate (DER) with the public key (SubjectPublicKeyInfo, DER)
/// of the certificate said to have issued it.
pub fn check_signature(der: &[u8], issuer_spki: &[u8]) -> Verdict {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Verdict::Unchecked("the certificate cannot be read".into());
    };
    let algorithm = &cert.signature_algorithm;
    let scheme = match algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.5" => 0x0201,
        "1.2.840.113549.1.1.11" => 0x0401,
        "1.2.840.113549.1.1.12" => 0x0501,
        "1.2.840.113549.1.1.13" => 0x0601,
        "1.2.840.10045.4.1" => 0x0203,
        "1.2.840.10045.4.3.2" => 0x0403,
        "1.2.840.10045.4.3.3" => 0x0503,
        "1.2.840.10045.4.3.4" => 0x0603,
        "1.3.101.112" => 0x0807,
        "1.2.840.113549.1.1.10" => {
            // RSASSA-PSS: the hash is in the parameters (salt length = hash length, as issued
            // by every common CA; other salt lengths show as not verifying).
            match pss_hash(algorithm) {
                Some(scheme) => scheme,
                None => return Verdict::Unchecked("RSASSA-PSS parameters not checked".into()),
            }
        }
        other => return Verdict::Unchecked(format!("signature algorithm {other} is not checked")),
    };
    crate::verify::tls_signature(
        issuer_spki,
        scheme,
        cert.tbs_certificate.as_ref(),
        &cert.signature_value.data,
    )
}

/// The TLS scheme for an RSASSA-PSS AlgorithmIdentifier (by its hash).
fn pss_hash(algorithm: &x509_parser::x509::AlgorithmIdentifier<'_>) -> Option<u16> {
    let params = algorithm.parameters.as_ref()?;
    // RSASSA-PSS-params: SEQUENCE { [0] hashAlgorithm, … }; the OID bytes of SHA-256/384/512
    // end in 04 02 01 / 02 / 03.
    let raw = params.as_bytes();
    let find = |suffix: &[u8]| raw.windows(suffix.len()).any(|w| w == suffix);
    if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]) {
        Some(0x0804)
    } else if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02]) {
        Some(0x0805)
    } else if find(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03]) {
        Some(0x0806)
    } else {
        None
    }
}

/// What the link check says about one certificate of a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Not checked: the issuer is not in the chain, or an algorithm not checked here.
    Unchecked,
    /// The issuer's key made the signature.
    Valid,
    /// The issuer (the next certificate, named as issuer) did not make it.
    Invalid,
    /// Subject and issuer are the same name, but the certificate's own key did not sign it: it
    /// was issued by another CA with the same name (not self-signed).
    NotSelfSigned,
}

/// The most certificates of one chain whose signatures are checked (real chains have 2 to 4;
/// the cap bounds the work a hostile capture can ask for).
pub const MAX_CHAIN_CHECKS: usize = 8;

/// Checks each certificate of a chain (leaf first, with the DER of each) against the next one
/// when that one is its issuer, and a certificate naming itself as issuer against its own key;
/// the first [`MAX_CHAIN_CHECKS`] only.
pub fn chain_signatures(chain: &[&CertSummary], ders: &[&[u8]]) -> Vec<Link> {
    chain
        .iter()
        .zip(ders)
        .take(MAX_CHAIN_CHECKS)
        .enumerate()
        .map(|(i, (cert, der))| {
            let issuer = if cert.self_signed {
                Some(*cert)
            } else {
                chain
                    .get(i + 1)
                    .copied()
                    .filter(|next| next.subject_der == cert.issuer_der)
            };
            let Some(issuer) = issuer else {
                return Link::Unchecked;
            };
            match check_signature(der, &issuer.spki_der) {
                Verdict::Valid => Link::Valid,
                Verdict::Invalid if cert.self_signed => Link::NotSelfSigned,
                Verdict::Invalid => Link::Invalid,
                Verdict::Unchecked(_) => Link::Unchecked,
            }
        })
        .collect()
}

impl CertSummary {
    /// Takes in the link check: `signature_valid`, and `self_signed` corrected.
    pub fn set_link(&mut self, link: Link) {
        match link {
            Link::Unchecked => {}
            Link::Valid => self.signature_valid = Some(true),
            Link::Invalid => self.signature_valid = Some(false),
            Link::NotSelfSigned => self.self_signed = false,
        }
    }
}

/// Where a chain meets a trust store (`--ca`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The chain leads to a CA of the store: the CA's name, and the chain position that it
    /// signed (or that is itself in the store).
    Anchored {
        /// The trusted CA.
        ca: String,
        /// Position in the chain (0 = leaf).
        at: usize,
    },
    /// The chain breaks at this position, for this reason.
    Broken {
        /// Position in the chain (0 = leaf).
        at: usize,
        /// Why.
        why: String,
    },
    /// It cannot be told (an algorithm not checked here).
    Unknown(String),
}

/// Follows a chain (leaf first, its links checked) up to a trust store.
pub fn anchor(chain: &[&CertSummary], store: &[CertSummary]) -> Trust {
    for (i, cert) in chain.iter().enumerate() {
        if store.iter().any(|ca| ca.sha256 == cert.sha256) {
            return Trust::Anchored {
                ca: cert.subject.clone(),
                at: i,
            };
        }
        let next_is_issuer = chain
            .get(i + 1)
            .is_some_and(|next| next.subject_der == cert.issuer_der);
        match cert.signature_valid {
            Some(true) if !cert.self_signed => continue,
            Some(false) => {
                return Trust::Broken {
                    at: i,
                    why: format!(
                        "its signature does not verify with the key of [{}], which it names as issuer",
                        i + 1
                    ),
                };
            }
            _ if cert.self_signed => {
                return Trust::Broken {
                    at: i,
                    why: "it is self-signed and not in the trust store".to_string(),
                };
            }
            None if next_is_issuer => {
                return Trust::Unknown(format!(
                    "the signature of [{i}] ({}) is not checked here",
                    cert.signature_algorithm
                ));
            }
            _ => {}
        }
        let candidates: Vec<&CertSummary> = store
            .iter()
            .filter(|ca| ca.subject_der == cert.issuer_der)
            .collect();
        if candidates.is_empty() {
            return Trust::Broken {
                at: i,
                why: format!(
                    "its issuer {} is neither in the chain sent nor in the trust store",
                    cert.issuer
                ),
            };
        }
        let Some(der) = &cert.der_for_anchor else {
            return Trust::Unknown("the certificate is not kept for checking".into());
        };
        let mut unchecked = None;
        for ca in &candidates {
            match check_signature(der, &ca.spki_der) {
                Verdict::Valid => {
                    return Trust::Anchored {
                        ca: ca.subject.clone(),
                        at: i,
                    };
                }
                Verdict::Invalid => {}
                Verdict::Unchecked(why) => unchecked = Some(why),
            }
        }
        return match unchecked {
            Some(why) => Trust::Unknown(why),
            None => Trust::Broken {
                at: i,
                why: format!(
                    "the trust store's {} did not sign it (a different CA with the same name)",
                    cert.issuer
                ),
            },
        };
    }
    Trust::Unknown("no certificate".into())
}

/// The most certificates a user-supplied file may hold.
pub const MAX_SUPPLIED_CERTIFICATES: usize = 32;

/// The largest certificate file accepted.
pub const MAX_SUPPLIED_FILE: usize = 4 << 20;

/// Reads a certificate file the user supplies (`--client-cert`): PEM with one or more
/// `CERTIFICATE` blocks (other blocks, such as a private key, are skipped and never kept), or
/// DER, one certificate or several concatenated. The leaf comes first, as in a TLS Certificate
/// message.
pub fn read_certificates(bytes: &[u8]) -> Result<Vec<CertSummary>, String> {
    let ders = read_ders(
        bytes,
        MAX_SUPPLIED_FILE,
        MAX_SUPPLIED_CERTIFICATES,
        "give the client's chain, not a trust store",
    )?;
    let mut chain = ders
        .iter()
        .enumerate()
        .map(|(i, der)| summarize(der).map_err(|e| format!("certificate {}: {e}", i + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let slices: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
    let checked = chain_signatures(&chain.iter().collect::<Vec<_>>(), &slices);
    for (cert, link) in chain.iter_mut().zip(checked) {
        cert.set_link(link);
    }
    Ok(chain)
}

/// The most certificates a trust store (`--ca`) may hold.
pub const MAX_TRUST_STORE: usize = 10_000;

/// Reads a trust store (`--ca`): a PEM bundle (or DER certificates) of the CAs to trust.
/// Certificates that do not parse are skipped, as TLS stacks skip them.
pub fn read_trust_store(bytes: &[u8]) -> Result<Vec<CertSummary>, String> {
    let ders = read_ders(
        bytes,
        16 << 20,
        MAX_TRUST_STORE,
        "that is not a trust store",
    )?;
    Ok(ders.iter().filter_map(|der| summarize(der).ok()).collect())
}

/// The DER certificates of a PEM or DER file.
fn read_ders(
    bytes: &[u8],
    max_bytes: usize,
    max_certificates: usize,
    too_many: &str,
) -> Result<Vec<Vec<u8>>, String> {
    if bytes.len() > max_bytes {
        return Err(format!(
            "{} bytes is too big for a certificate file (at most {max_bytes})",
            bytes.len()
        ));
    }
    let mut other_blocks = Vec::new();
    // PEM, possibly with text around the blocks (`openssl pkcs12` writes "Bag Attributes").
    let pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    let mut ders = Vec::new();
    if pem {
        for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
            let block = block.map_err(|e| format!("not a readable PEM file: {e}"))?;
            if block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
                ders.push(block.contents);
            } else if !other_blocks.contains(&block.label) {
                other_blocks.push(block.label);
            }
            if ders.len() > max_certificates {
                break;
            }
        }
    } else {
        let mut rest = bytes;
        while !rest.is_empty() && ders.len() <= max_certificates {
            let (after, _) = X509Certificate::from_der(rest).map_err(|e| match ders.len() {
                0 => "neither a PEM file with a certificate nor a DER certificate".to_string(),
                n => format!("DER certificate {} is not valid X.509 ({e})", n + 1),
            })?;
            let used = rest.len() - after.len();
            ders.push(rest[..used].to_vec());
            rest = after;
        }
    }
    if ders.is_empty() {
        return Err(if other_blocks.is_empty() {
            "no certificate in the file".to_string()
        } else {
            format!(
                "no certificate in the file, only {} (a certificate starts with -----BEGIN CERTIFICATE-----)",
                other_blocks.join(", ")
            )
        });
    }
    if ders.len() > max_certificates {
        return Err(format!(
            "more than {max_certificates} certificates: {too_many}"
        ));
    }
    Ok(ders)
}

/// Summarises a DER certificate, or says why it cannot be read.
pub fn summarize(der: &[u8]) -> Result<CertSummary, String> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| format!("not a valid X.509 certificate: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the certificate", rest.len()));
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
                subject_alt_names.extend(san.general_names.iter().filter_map(general_name));
            }
            ParsedExtension::KeyUsage(ku) => {
                // RFC 5280 §4.2.1.3 names.
                let flags = [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                    (ku.encipher_only(), "encipherOnly"),
                    (ku.decipher_only(), "decipherOnly"),
                ];
                key_usage = flags
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| (*n).to_string())
                    .collect();
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let flags = [
                    (eku.any, "anyExtendedKeyUsage"),
                    (eku.server_auth, "serverAuth"),
                    (eku.client_auth, "clientAuth"),
                    (eku.code_signing, "codeSigning"),
                    (eku.email_protection, "emailProtection"),
                    (eku.time_stamping, "timeStamping"),
                    (eku.ocsp_signing, "OCSPSigning"),
                ];
                extended_key_usage.extend(
                    flags
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, n)| (*n).to_string()),
                );
                extended_key_usage.extend(eku.other.iter().map(ToString::to_string));
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
    Ok(CertSummary {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        serial: crate::hex(cert.raw_serial()),
        not_before: rfc3339(validity.not_before.timestamp()),
        not_after: rfc3339(validity.not_after.timestamp()),
        subject_alt_names,
        public_key: public_key(&cert),
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        sha256: crate::hex(&Sha256::digest(der)),
        self_signed: same_name && keys_agree,
        key_usage,
        extended_key_usage,
        is_ca: cert.is_ca(),
        der_length: der.len(),
        not_before_time: Timestamp::from_parts(validity.not_before.timestamp(), 0),
        not_after_time: Timestamp::from_parts(validity.not_after.timestamp(), 0),
        subject_der: cert.subject().as_raw().to_vec(),
        issuer_der: cert.issuer().as_raw().to_vec(),
        spki_der: cert.public_key().raw.to_vec(),
        signature_valid: None,
        der_for_anchor: None,
    })
}

/// Formats a DER distinguished name (as found in a CertificateRequest's CA list).
pub fn distinguished_name(der: &[u8]) -> String {
    match X509Name::from_der(der) {
        Ok((_, n)) => name(&n),
        Err(_) => format!("(unparsable name: {})", crate::hex(der)),
    }
}

fn name(n: &X509Name<'_>) -> String {
    let s = n.to_string();
    if s.is_empty() {
        "(empty name)".to_string()
    } else {
        s
    }
}

fn rfc3339(unix: i64) -> String {
    Timestamp::from_parts(unix, 0)
        .to_rfc3339()
        .replace(".000000000Z", "Z")
}

fn general_name(n: &GeneralName<'_>) -> Option<String> {
    Some(match n {
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => format!(
                "IP:{}",
                std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])
            ),
            16 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(bytes);
                format!("IP:{}", std::net::Ipv6Addr::from(a))
            }
            _ => format!("IP:{}", crate::hex(bytes)),
        },
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::DirectoryName(d) => format!("DirName:{}", name(d)),
        _ => return None,
    })
}

fn public_key(cert: &X509Certificate<'_>) -> String {
    let spki = cert.public_key();
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map_or_else(
                    || "(curve unknown)".to_string(),
                    |oid| match oid.to_id_string().as_str() {
                        "1.2.840.10045.3.1.7" => "P-256".to_string(),
                        "1.3.132.0.34" => "P-384".to_string(),
                        "1.3.132.0.35" => "P-521".to_string(),
                        "1.3.132.0.10" => "secp256k1".to_string(),
                        other => other.to_string(),
                    },
                );
            format!("EC {curve}")
        }
        Ok(PublicKey::DSA(y)) => format!(
            "DSA {}",
            y.len().saturating_sub(usize::from(y.first() == Some(&0))) * 8
        ),
        _ => match algorithm.as_str() {
            "1.3.101.112" => "Ed25519".to_string(),
            "1.3.101.113" => "Ed448".to_string(),
            "1.3.101.110" => "X25519".to_string(),
            "2.16.840.1.101.3.4.3.17" => "ML-DSA-44".to_string(),
            "2.16.840.1.101.3.4.3.18" => "ML-DSA-65".to_string(),
            "2.16.840.1.101.3.4.3.19" => "ML-DSA-87".to_string(),
            _ => oid_name(&spki.algorithm.algorithm),
        },
    }
}

fn oid_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map_or_else(|_| oid.to_id_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN_PEM: &[u8] = include_bytes!("../../../../pcaps/certs/client-chain.pem");
    const EC_DER: &[u8] = include_bytes!("../../../../pcaps/certs/client-ec.der");

    #[test]
    fn reads_a_pem_chain_leaf_first() {
        let chain = read_certificates(CHAIN_PEM).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0].issuer, chain[1].subject);
        assert!(chain[1].is_ca);
    }

    #[test]
    fn skips_keys_and_text_around_pem_blocks() {
        let mut file = b"Bag Attributes\n    friendlyName: client\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec();
        file.extend_from_slice(CHAIN_PEM);
        file.extend_from_slice(b"trailing words\n");
        assert_eq!(read_certificates(&file).unwrap().len(), 2);
    }

    #[test]
    fn reads_der_single_and_concatenated() {
        assert_eq!(read_certificates(EC_DER).unwrap()[0].public_key, "EC P-256");
        let two = [EC_DER, EC_DER].concat();
        assert_eq!(read_certificates(&two).unwrap().len(), 2);
    }

    #[test]
    fn says_why_a_file_is_not_a_certificate() {
        let key = b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(
            read_certificates(key).unwrap_err(),
            "no certificate in the file, only EC PRIVATE KEY (a certificate starts with -----BEGIN CERTIFICATE-----)"
        );
        assert!(
            read_certificates(b"hello")
                .unwrap_err()
                .starts_with("neither")
        );
        assert!(read_certificates(b"").is_err());
        // Cut anywhere, a certificate file gives an error or fewer certificates, never a panic.
        for cut in 0..EC_DER.len() {
            assert!(read_certificates(&EC_DER[..cut]).is_err());
        }
        for cut in (0..CHAIN_PEM.len()).step_by(7) {
            let _ = read_certificates(&CHAIN_PEM[..cut]);
        }
        let many = EC_DER.repeat(MAX_SUPPLIED_CERTIFICATES + 1);
        assert!(
            read_certificates(&many)
                .unwrap_err()
                .starts_with("more than")
        );
        let huge = vec![b'-'; MAX_SUPPLIED_FILE + 1];
        assert!(read_certificates(&huge).unwrap_err().contains("too big"));
    }
}
