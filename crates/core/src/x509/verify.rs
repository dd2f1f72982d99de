//! Signature checks in pure Rust (RustCrypto): a signature over some bytes, made with the key of
//! a certificate, in one of the TLS signature schemes. Verification only: no private key is
//! ever handled, and no random numbers are needed.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// The outcome of a signature check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The signature verifies with the key.
    Valid,
    /// It does not: made with another key, or over other bytes.
    Invalid,
    /// It is not checked here, and why.
    Unchecked(Unchecked),
}

/// Why a signature is not checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unchecked {
    /// A TLS signature scheme this tool does not verify (DSA, Ed448, MD5, …).
    #[error("signature scheme 0x{0:04x} is not checked")]
    Scheme(u16),
    /// The key's SubjectPublicKeyInfo does not parse.
    #[error("the certificate's public key cannot be read")]
    UnreadableKey,
    /// An RSA key the RSA implementation refuses (a tiny or huge modulus).
    #[error("the RSA key is not usable")]
    UnusableRsaKey,
    /// An Ed25519 key that is not a curve point.
    #[error("the Ed25519 key is not usable")]
    UnusableEd25519Key,
    /// An elliptic curve other than P-256 and P-384 (its OID, when the key names one).
    #[error("the EC curve {} is not checked", .0.as_deref().unwrap_or("(unnamed)"))]
    Curve(Option<String>),
    /// A certificate whose DER does not parse.
    #[error("the certificate cannot be read")]
    UnreadableCertificate,
    /// A certificate signature algorithm this tool does not verify (its OID).
    #[error("signature algorithm {0} is not checked")]
    CertificateAlgorithm(String),
    /// RSASSA-PSS parameters other than the usual ones.
    #[error("RSASSA-PSS parameters not checked")]
    PssParameters,
    /// A TLS 1.2 client's CertificateVerify that the server accepted (RFC 5246 §7.4.8): the
    /// server checked it, answering with its ChangeCipherSpec.
    #[error("the server accepted it, answering with its ChangeCipherSpec")]
    AcceptedByServer,
    /// Handshake messages it signs are missing from the capture.
    #[error("messages before it are missing from the capture")]
    MessagesMissing,
}

/// The hash of a signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(message).to_vec(),
            Self::Sha256 => Sha256::digest(message).to_vec(),
            Self::Sha384 => Sha384::digest(message).to_vec(),
            Self::Sha512 => Sha512::digest(message).to_vec(),
        }
    }
}

/// The kinds of signature a TLS SignatureScheme names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
    Ed25519,
}

/// A TLS SignatureScheme (RFC 8446 §4.2.3; in TLS 1.2 the SignatureAndHashAlgorithm pair, RFC
/// 5246 §7.4.1.4.1, which has the same numbers for these).
fn kind(scheme: u16) -> Option<Kind> {
    let hash = |h: u8| match h {
        2 => Some(Hash::Sha1),
        4 => Some(Hash::Sha256),
        5 => Some(Hash::Sha384),
        6 => Some(Hash::Sha512),
        _ => None,
    };
    let [hi, lo] = scheme.to_be_bytes();
    match (hi, lo) {
        (8, 4 | 9) => Some(Kind::RsaPss(Hash::Sha256)),
        (8, 5 | 10) => Some(Kind::RsaPss(Hash::Sha384)),
        (8, 6 | 11) => Some(Kind::RsaPss(Hash::Sha512)),
        (8, 7) => Some(Kind::Ed25519),
        (h, 1) => hash(h).map(Kind::RsaPkcs1),
        (h, 3) => hash(h).map(Kind::Ecdsa),
        _ => None,
    }
}

/// Checks `signature` over `message` with the public key of a certificate (its
/// SubjectPublicKeyInfo, DER) in the TLS signature scheme `scheme`.
pub(crate) fn tls_signature(spki: &[u8], scheme: u16, message: &[u8], signature: &[u8]) -> Verdict {
    let Some(kind) = kind(scheme) else {
        return Verdict::Unchecked(Unchecked::Scheme(scheme));
    };
    let Ok((_, info)) = SubjectPublicKeyInfo::from_der(spki) else {
        return Verdict::Unchecked(Unchecked::UnreadableKey);
    };
    let key = info.parsed();
    let valid = match (kind, key) {
        (Kind::RsaPkcs1(hash) | Kind::RsaPss(hash), Ok(PublicKey::RSA(rsa))) => {
            let Ok(key) = RsaPublicKey::new(
                BigUint::from_bytes_be(rsa.modulus),
                BigUint::from_bytes_be(rsa.exponent),
            ) else {
                return Verdict::Unchecked(Unchecked::UnusableRsaKey);
            };
            let hashed = hash.digest(message);
            let result = match (kind, hash) {
                (Kind::RsaPss(_), Hash::Sha256) => {
                    key.verify(Pss::new::<Sha256>(), &hashed, signature)
                }
                (Kind::RsaPss(_), Hash::Sha384) => {
                    key.verify(Pss::new::<Sha384>(), &hashed, signature)
                }
                (Kind::RsaPss(_), _) => key.verify(Pss::new::<Sha512>(), &hashed, signature),
                (_, Hash::Sha1) => key.verify(Pkcs1v15Sign::new::<Sha1>(), &hashed, signature),
                (_, Hash::Sha256) => key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature),
                (_, Hash::Sha384) => key.verify(Pkcs1v15Sign::new::<Sha384>(), &hashed, signature),
                (_, Hash::Sha512) => key.verify(Pkcs1v15Sign::new::<Sha512>(), &hashed, signature),
            };
            result.is_ok()
        }
        (Kind::Ecdsa(hash), Ok(PublicKey::EC(point))) => {
            let hashed = hash.digest(message);
            let curve = info
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => {
                    let (Ok(key), Ok(sig)) = (
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(point.data()),
                        p256::ecdsa::Signature::from_der(signature),
                    ) else {
                        return Verdict::Invalid;
                    };
                    key.verify_prehash(&hashed, &sig).is_ok()
                }
                Some("1.3.132.0.34") => {
                    let (Ok(key), Ok(sig)) = (
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(point.data()),
                        p384::ecdsa::Signature::from_der(signature),
                    ) else {
                        return Verdict::Invalid;
                    };
                    key.verify_prehash(&hashed, &sig).is_ok()
                }
                other => {
                    return Verdict::Unchecked(Unchecked::Curve(other.map(str::to_string)));
                }
            }
        }
        (Kind::Ed25519, _) if info.algorithm.algorithm.to_id_string() == "1.3.101.112" => {
            let key_bytes: Option<[u8; 32]> = info.subject_public_key.data.as_ref().try_into().ok();
            let (Some(key_bytes), Ok(sig)) =
                (key_bytes, ed25519_dalek::Signature::from_slice(signature))
            else {
                return Verdict::Invalid;
            };
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes) else {
                return Verdict::Unchecked(Unchecked::UnusableEd25519Key);
            };
            key.verify_strict(message, &sig).is_ok()
        }
        _ => {
            // A scheme that does not fit the key is a signature the key cannot have made.
            return Verdict::Invalid;
        }
    };
    if valid {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_map_to_hash_and_kind() {
        assert_eq!(kind(0x0401), Some(Kind::RsaPkcs1(Hash::Sha256)));
        assert_eq!(kind(0x0201), Some(Kind::RsaPkcs1(Hash::Sha1)));
        assert_eq!(kind(0x0804), Some(Kind::RsaPss(Hash::Sha256)));
        assert_eq!(kind(0x080b), Some(Kind::RsaPss(Hash::Sha512)));
        assert_eq!(kind(0x0503), Some(Kind::Ecdsa(Hash::Sha384)));
        assert_eq!(kind(0x0807), Some(Kind::Ed25519));
        assert_eq!(kind(0x0808), None); // ed448
        assert_eq!(kind(0x0101), None); // MD5
    }

    #[test]
    fn garbage_is_never_a_panic() {
        for scheme in [0x0401, 0x0804, 0x0403, 0x0503, 0x0807, 0x1234] {
            for spki in [&b""[..], &[0x30, 0x03, 0x02, 0x01, 0x00][..]] {
                let v = tls_signature(spki, scheme, b"message", b"\x30\x00");
                assert_ne!(v, Verdict::Valid);
            }
        }
    }
}
