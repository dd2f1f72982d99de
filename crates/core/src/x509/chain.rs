//! Chains: each certificate's signature checked with the key of the certificate it names as
//! issuer (RFC 5280 §6.1, as far as the capture holds the issuer), and a chain followed up to a
//! trust store the user gives (`--ca`).

use std::fmt;

use x509_parser::prelude::{FromDer, X509Certificate};

use super::verify::{Unchecked, Verdict, tls_signature};
use super::{Certificate, Name};

/// Checks the signature of a certificate (DER) with the public key (SubjectPublicKeyInfo, DER)
/// of the certificate said to have issued it.
pub(crate) fn check_signature(der: &[u8], issuer_spki: &[u8]) -> Verdict {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Verdict::Unchecked(Unchecked::UnreadableCertificate);
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
                None => return Verdict::Unchecked(Unchecked::PssParameters),
            }
        }
        other => {
            return Verdict::Unchecked(Unchecked::CertificateAlgorithm(other.to_string()));
        }
    };
    tls_signature(
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
pub(crate) enum Link {
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
pub(crate) const MAX_CHAIN_CHECKS: usize = 8;

/// Checks each certificate of a chain (leaf first, with the DER of each) against the next one
/// when that one is its issuer, and a certificate naming itself as issuer against its own key;
/// the first [`MAX_CHAIN_CHECKS`] only.
pub(crate) fn chain_signatures(chain: &[&Certificate], ders: &[&[u8]]) -> Vec<Link> {
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
                    .filter(|next| next.subject.der() == cert.issuer.der())
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

/// Where a chain meets a trust store (`--ca`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Trust {
    /// The chain leads to a CA of the store: the CA's name, and the chain position that it
    /// signed (or that is itself in the store).
    Anchored {
        /// The trusted CA.
        ca: Name,
        /// Position in the chain (0 = leaf).
        at: usize,
    },
    /// The chain breaks at this position, for this reason.
    Broken {
        /// Position in the chain (0 = leaf).
        at: usize,
        /// Why.
        why: Break,
    },
    /// It cannot be told (an algorithm not checked here).
    Unknown,
}

/// Why a chain breaks before a trusted CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Break {
    /// The certificate's signature does not verify with the key of the next one, its named
    /// issuer (at this position).
    NotSignedByNext(usize),
    /// A self-signed certificate that the store does not hold.
    SelfSignedUntrusted,
    /// Its issuer is neither in the chain nor in the store.
    IssuerUnknown(Name),
    /// The store holds a CA of that name, but it did not sign the certificate.
    OtherCaSameName(Name),
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSignedByNext(next) => write!(
                f,
                "its signature does not verify with the key of [{next}], which it names as issuer"
            ),
            Self::SelfSignedUntrusted => {
                f.write_str("it is self-signed and not in the trust store")
            }
            Self::IssuerUnknown(issuer) => write!(
                f,
                "its issuer {issuer} is neither in the chain sent nor in the trust store"
            ),
            Self::OtherCaSameName(issuer) => write!(
                f,
                "the trust store's {issuer} did not sign it (a different CA with the same name)"
            ),
        }
    }
}

/// Follows a chain (leaf first, its links checked) up to a trust store.
pub(crate) fn anchor(chain: &[&Certificate], store: &[Certificate]) -> Trust {
    for (i, cert) in chain.iter().enumerate() {
        if store.iter().any(|ca| ca.sha256 == cert.sha256) {
            return Trust::Anchored {
                ca: cert.subject.clone(),
                at: i,
            };
        }
        let next_is_issuer = chain
            .get(i + 1)
            .is_some_and(|next| next.subject.der() == cert.issuer.der());
        match cert.signature_valid {
            Some(true) if !cert.self_signed => continue,
            Some(false) => {
                return Trust::Broken {
                    at: i,
                    why: Break::NotSignedByNext(i + 1),
                };
            }
            _ if cert.self_signed => {
                return Trust::Broken {
                    at: i,
                    why: Break::SelfSignedUntrusted,
                };
            }
            None if next_is_issuer => return Trust::Unknown,
            _ => {}
        }
        let candidates: Vec<&Certificate> = store
            .iter()
            .filter(|ca| ca.subject.der() == cert.issuer.der())
            .collect();
        if candidates.is_empty() {
            return Trust::Broken {
                at: i,
                why: Break::IssuerUnknown(cert.issuer.clone()),
            };
        }
        if !cert.anchor_candidate {
            return Trust::Unknown;
        }
        let der = &cert.der;
        let mut unchecked = false;
        for ca in &candidates {
            match check_signature(der, &ca.spki_der) {
                Verdict::Valid => {
                    return Trust::Anchored {
                        ca: ca.subject.clone(),
                        at: i,
                    };
                }
                Verdict::Invalid => {}
                Verdict::Unchecked(_) => unchecked = true,
            }
        }
        return if unchecked {
            Trust::Unknown
        } else {
            Trust::Broken {
                at: i,
                why: Break::OtherCaSameName(cert.issuer.clone()),
            }
        };
    }
    Trust::Unknown
}
