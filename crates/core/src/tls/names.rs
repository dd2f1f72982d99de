//! Names of TLS registry values (IANA "Transport Layer Security (TLS) Parameters") for the
//! large registries; the small ones name themselves in [`super::enums`].
//!
//! Every function answers for every value: an unknown value is shown by its number, so the report
//! never loses what was on the wire. GREASE values (RFC 8701) are named as such.

use std::borrow::Cow;

/// True for a GREASE value (RFC 8701 §2): 0x?a?a with both bytes equal.
pub(super) fn is_grease(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
}

/// A protocol version: `TLS 1.2`, `SSL 3.0`, `TLS 1.3 (draft 23)`, …
pub(super) fn version(value: u16) -> Cow<'static, str> {
    match value {
        0x0002 => "SSL 2.0".into(),
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        0x7f00..=0x7fff => format!("TLS 1.3 (draft {})", value & 0xff).into(),
        0x7e01..=0x7eff => format!("TLS 1.3 (Facebook draft {})", value & 0xff).into(),
        v if is_grease(v) => format!("GREASE 0x{v:04x}").into(),
        v => format!("0x{v:04x}").into(),
    }
}

/// A cipher suite's IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
pub(super) fn cipher_suite(value: u16) -> Cow<'static, str> {
    match value {
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
        0x5600 => "TLS_FALLBACK_SCSV".into(),
        v if is_grease(v) => format!("GREASE 0x{v:04x}").into(),
        v => tls_parser::TlsCipherSuite::from_id(v)
            .map_or_else(|| format!("0x{v:04x}").into(), |s| s.name.into()),
    }
}

/// A signature scheme (RFC 8446 §4.2.3) or a TLS 1.2 hash/signature pair (RFC 5246 §7.4.1.4.1).
pub(super) fn signature_scheme(value: u16) -> Cow<'static, str> {
    let name = match value {
        0x0401 => "rsa_pkcs1_sha256",
        0x0501 => "rsa_pkcs1_sha384",
        0x0601 => "rsa_pkcs1_sha512",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904 => "mldsa44",
        0x0905 => "mldsa65",
        0x0906 => "mldsa87",
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        v if is_grease(v) => return Cow::Owned(format!("GREASE 0x{v:04x}")),
        v => {
            // A TLS 1.2 pair: hash in the high byte, signature in the low one.
            let hash = match v >> 8 {
                1 => "md5",
                2 => "sha1",
                3 => "sha224",
                4 => "sha256",
                5 => "sha384",
                6 => "sha512",
                _ => return Cow::Owned(format!("0x{v:04x}")),
            };
            let signature = match v & 0xff {
                1 => "rsa",
                2 => "dsa",
                3 => "ecdsa",
                _ => return Cow::Owned(format!("0x{v:04x}")),
            };
            return Cow::Owned(format!("{signature}_{hash}"));
        }
    };
    name.into()
}

/// A named group (RFC 8446 §4.2.7, RFC 7919, hybrid post-quantum drafts).
pub(super) fn group(value: u16) -> Cow<'static, str> {
    let name = match value {
        1..=22 => return Cow::Owned(format!("sect/secp legacy curve {value}")),
        23 => "secp256r1",
        24 => "secp384r1",
        25 => "secp521r1",
        26 => "brainpoolP256r1",
        27 => "brainpoolP384r1",
        28 => "brainpoolP512r1",
        29 => "x25519",
        30 => "x448",
        256 => "ffdhe2048",
        257 => "ffdhe3072",
        258 => "ffdhe4096",
        259 => "ffdhe6144",
        260 => "ffdhe8192",
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        0x6399 => "X25519Kyber768Draft00",
        v if is_grease(v) => return Cow::Owned(format!("GREASE 0x{v:04x}")),
        v => return Cow::Owned(format!("0x{v:04x}")),
    };
    name.into()
}

/// An extension type's name.
pub(super) fn extension(value: u16) -> Cow<'static, str> {
    let name = match value {
        0 => "server_name",
        1 => "max_fragment_length",
        5 => "status_request",
        10 => "supported_groups",
        11 => "ec_point_formats",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        27 => "compress_certificate",
        28 => "record_size_limit",
        35 => "session_ticket",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        0xfe0d => "encrypted_client_hello",
        0xff01 => "renegotiation_info",
        v if is_grease(v) => return Cow::Owned(format!("GREASE 0x{v:04x}")),
        v => return Cow::Owned(format!("0x{v:04x}")),
    };
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_a_name_and_unknown_ones_keep_their_number() {
        for v in 0..=u16::MAX {
            assert!(!signature_scheme(v).is_empty());
            assert!(!group(v).is_empty());
            assert!(!cipher_suite(v).is_empty());
            assert!(!version(v).is_empty());
        }
        assert_eq!(cipher_suite(0x1301), "TLS_AES_128_GCM_SHA256");
        assert_eq!(
            cipher_suite(0xc02f),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        );
        assert_eq!(cipher_suite(0x1234), "0x1234");
        assert_eq!(cipher_suite(0x2a2a), "GREASE 0x2a2a");
        assert_eq!(version(0x0303), "TLS 1.2");
        assert_eq!(version(0x7f12), "TLS 1.3 (draft 18)");
        assert_eq!(signature_scheme(0x0804), "rsa_pss_rsae_sha256");
        assert_eq!(signature_scheme(0x0402), "dsa_sha256");
        assert_eq!(group(29), "x25519");
        assert!(is_grease(0xfafa) && !is_grease(0xfa0a));
    }
}
