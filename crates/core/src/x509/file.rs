//! Certificate files a user supplies: the client's chain (`--client-cert`) and a trust store
//! (`--ca`), in PEM (RFC 7468) or DER, read with bounds on their size and number.

use x509_parser::prelude::{FromDer, X509Certificate};

use super::{Certificate, CertificateError, chain_signatures, summarize};

/// The most certificates a user-supplied chain may hold.
pub(crate) const MAX_SUPPLIED_CERTIFICATES: usize = 32;

/// The largest chain file accepted.
pub(crate) const MAX_SUPPLIED_FILE: usize = 4 << 20;

/// The most certificates a trust store (`--ca`) may hold.
pub(crate) const MAX_TRUST_STORE: usize = 10_000;

/// The largest trust store file accepted.
const MAX_TRUST_STORE_FILE: usize = 16 << 20;

/// Why a certificate file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateFileError {
    /// The file is larger than any certificate file should be.
    #[error("{size} bytes is too big for a certificate file (at most {limit})")]
    TooBig {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A PEM file whose blocks do not parse.
    #[error("not a readable PEM file: {0}")]
    Pem(String),
    /// Neither PEM nor a DER certificate.
    #[error("neither a PEM file with a certificate nor a DER certificate")]
    NotACertificate,
    /// One of several DER certificates is not X.509 (1-based position, reason).
    #[error("DER certificate {0} is not valid X.509 ({1})")]
    BadDer(usize, String),
    /// No certificate at all.
    #[error("no certificate in the file")]
    Empty,
    /// Only other PEM blocks (a key, a CSR): their labels.
    #[error(
        "no certificate in the file, only {} (a certificate starts with -----BEGIN CERTIFICATE-----)",
        .0.join(", ")
    )]
    OnlyOtherBlocks(Vec<String>),
    /// More certificates than a chain holds.
    #[error("more than {0} certificates: give the client's chain, not a trust store")]
    TooManyForAChain(usize),
    /// More certificates than a trust store here may hold.
    #[error("more than {0} certificates: that is not a trust store")]
    TooManyForATrustStore(usize),
    /// A certificate of the chain does not parse (1-based position).
    #[error("certificate {0}: {1}")]
    Certificate(usize, CertificateError),
}

/// Reads a certificate file the user supplies (`--client-cert`): PEM with one or more
/// `CERTIFICATE` blocks (other blocks, such as a private key, are skipped and never kept), or
/// DER, one certificate or several concatenated. The leaf comes first, as in a TLS Certificate
/// message.
pub(crate) fn read_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, CertificateFileError> {
    let ders = read_ders(bytes, MAX_SUPPLIED_FILE, MAX_SUPPLIED_CERTIFICATES)
        .map_err(|e| e.too_many(CertificateFileError::TooManyForAChain))?;
    let mut chain = ders
        .iter()
        .enumerate()
        .map(|(i, der)| summarize(der).map_err(|e| CertificateFileError::Certificate(i + 1, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let slices: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
    let checked = chain_signatures(&chain.iter().collect::<Vec<_>>(), &slices);
    for (cert, link) in chain.iter_mut().zip(checked) {
        cert.set_link(link);
    }
    Ok(chain)
}

/// Reads a trust store (`--ca`): a PEM bundle (or DER certificates) of the CAs to trust.
/// Certificates that do not parse are skipped, as TLS stacks skip them.
pub(crate) fn read_trust_store(bytes: &[u8]) -> Result<Vec<Certificate>, CertificateFileError> {
    let ders = read_ders(bytes, MAX_TRUST_STORE_FILE, MAX_TRUST_STORE)
        .map_err(|e| e.too_many(CertificateFileError::TooManyForATrustStore))?;
    Ok(ders.iter().filter_map(|der| summarize(der).ok()).collect())
}

/// What [`read_ders`] can fail with: a file error, or too many certificates (which the caller
/// words for a chain or a trust store).
enum ReadError {
    File(CertificateFileError),
    TooMany(usize),
}

impl ReadError {
    fn too_many(self, word: fn(usize) -> CertificateFileError) -> CertificateFileError {
        match self {
            Self::File(e) => e,
            Self::TooMany(limit) => word(limit),
        }
    }
}

/// The DER certificates of a PEM or DER file.
fn read_ders(
    bytes: &[u8],
    max_bytes: usize,
    max_certificates: usize,
) -> Result<Vec<Vec<u8>>, ReadError> {
    if bytes.len() > max_bytes {
        return Err(ReadError::File(CertificateFileError::TooBig {
            size: bytes.len(),
            limit: max_bytes,
        }));
    }
    let mut other_blocks = Vec::new();
    // PEM, possibly with text around the blocks (`openssl pkcs12` writes "Bag Attributes").
    let pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    let mut ders = Vec::new();
    if pem {
        for block in x509_parser::pem::Pem::iter_from_buffer(bytes) {
            let block =
                block.map_err(|e| ReadError::File(CertificateFileError::Pem(e.to_string())))?;
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
            let (after, _) = X509Certificate::from_der(rest).map_err(|e| {
                ReadError::File(match ders.len() {
                    0 => CertificateFileError::NotACertificate,
                    n => CertificateFileError::BadDer(n + 1, e.to_string()),
                })
            })?;
            let used = rest.len() - after.len();
            ders.push(rest[..used].to_vec());
            rest = after;
        }
    }
    if ders.is_empty() {
        return Err(ReadError::File(if other_blocks.is_empty() {
            CertificateFileError::Empty
        } else {
            CertificateFileError::OnlyOtherBlocks(other_blocks)
        }));
    }
    if ders.len() > max_certificates {
        return Err(ReadError::TooMany(max_certificates));
    }
    Ok(ders)
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
        assert_eq!(chain[0].signature_valid, Some(true));
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
        assert_eq!(read_certificates(EC_DER).unwrap().len(), 1);
        let two = [EC_DER, EC_DER].concat();
        assert_eq!(read_certificates(&two).unwrap().len(), 2);
    }

    #[test]
    fn says_why_a_file_is_not_a_certificate() {
        let key = b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(
            read_certificates(key).unwrap_err().to_string(),
            "no certificate in the file, only EC PRIVATE KEY (a certificate starts with -----BEGIN CERTIFICATE-----)"
        );
        assert_eq!(
            read_certificates(b"hello").unwrap_err(),
            CertificateFileError::NotACertificate
        );
        assert_eq!(
            read_certificates(b"").unwrap_err(),
            CertificateFileError::Empty
        );
        // Cut anywhere, a certificate file gives an error or fewer certificates, never a panic.
        for cut in 0..EC_DER.len() {
            assert!(read_certificates(&EC_DER[..cut]).is_err());
        }
        for cut in (0..CHAIN_PEM.len()).step_by(7) {
            let _ = read_certificates(&CHAIN_PEM[..cut]);
        }
        let many = EC_DER.repeat(MAX_SUPPLIED_CERTIFICATES + 1);
        assert_eq!(
            read_certificates(&many).unwrap_err(),
            CertificateFileError::TooManyForAChain(MAX_SUPPLIED_CERTIFICATES)
        );
        let huge = vec![b'-'; MAX_SUPPLIED_FILE + 1];
        assert!(
            read_certificates(&huge)
                .unwrap_err()
                .to_string()
                .contains("too big")
        );
        assert!(read_trust_store(&EC_DER.repeat(3)).unwrap().len() == 3);
    }
}
