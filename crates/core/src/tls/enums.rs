//! TLS registry values as types (IANA "Transport Layer Security (TLS) Parameters"): every value
//! read from the wire is kept, known or not. An unknown alert, handshake type or cipher suite is
//! shown by its number, never turned into a parse error (an analyser is better off reading
//! values than refusing them).
//!
//! Small registries are enums with an `Unknown` variant (`From` both ways); large ones (cipher
//! suites, signature schemes, groups, extensions, versions) are newtypes over the number with
//! constants for the values the rules use. Each type names itself ([`HandshakeType::name`], …):
//! the report and the findings' prose print those names, and nothing else compares them.

use std::borrow::Cow;
use std::fmt;

use super::names;

/// Declares a registry enum over `$repr` whose unknown values are kept.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ty, unknown $unknown:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value without a name here, as it was on the wire. (Build values with `From`:
            /// `Unknown` of a known number is not equal to its named variant.)
            Unknown($repr),
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other),
                }
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl $name {
            /// The registry's name (`Unknown` ones by number).
            pub fn name(self) -> Cow<'static, str> {
                match self {
                    $( Self::$variant => Cow::Borrowed($text), )+
                    Self::Unknown(value) => Cow::Owned(format!($unknown, value)),
                }
            }

            /// The number on the wire.
            pub fn value(self) -> $repr {
                self.into()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.name())
            }
        }
    };
}

wire_enum! {
    /// `ContentType` of a record (RFC 8446 §5.1; heartbeat: RFC 6520).
    pub enum ContentType: u8, unknown "unknown_content_type_{}" {
        /// change_cipher_spec(20).
        ChangeCipherSpec = 20 => "change_cipher_spec",
        /// alert(21).
        Alert = 21 => "alert",
        /// handshake(22).
        Handshake = 22 => "handshake",
        /// application_data(23).
        ApplicationData = 23 => "application_data",
        /// heartbeat(24).
        Heartbeat = 24 => "heartbeat",
    }
}

wire_enum! {
    /// `HandshakeType` (RFC 8446 §4, RFC 5246 §7.4 and later registrations). The names are the
    /// report's `type` values.
    pub enum HandshakeType: u8, unknown "unknown_handshake_{}" {
        /// hello_request(0), TLS ≤ 1.2.
        HelloRequest = 0 => "hello_request",
        /// client_hello(1).
        ClientHello = 1 => "client_hello",
        /// server_hello(2); also a HelloRetryRequest (RFC 8446 §4.1.4).
        ServerHello = 2 => "server_hello",
        /// hello_verify_request(3), DTLS.
        HelloVerifyRequest = 3 => "hello_verify_request",
        /// new_session_ticket(4).
        NewSessionTicket = 4 => "new_session_ticket",
        /// end_of_early_data(5).
        EndOfEarlyData = 5 => "end_of_early_data",
        /// hello_retry_request(6), TLS 1.3 drafts.
        HelloRetryRequest = 6 => "hello_retry_request",
        /// encrypted_extensions(8).
        EncryptedExtensions = 8 => "encrypted_extensions",
        /// certificate(11).
        Certificate = 11 => "certificate",
        /// server_key_exchange(12).
        ServerKeyExchange = 12 => "server_key_exchange",
        /// certificate_request(13).
        CertificateRequest = 13 => "certificate_request",
        /// server_hello_done(14).
        ServerHelloDone = 14 => "server_hello_done",
        /// certificate_verify(15).
        CertificateVerify = 15 => "certificate_verify",
        /// client_key_exchange(16).
        ClientKeyExchange = 16 => "client_key_exchange",
        /// finished(20).
        Finished = 20 => "finished",
        /// certificate_url(21).
        CertificateUrl = 21 => "certificate_url",
        /// certificate_status(22).
        CertificateStatus = 22 => "certificate_status",
        /// supplemental_data(23).
        SupplementalData = 23 => "supplemental_data",
        /// key_update(24).
        KeyUpdate = 24 => "key_update",
        /// compressed_certificate(25), RFC 8879.
        CompressedCertificate = 25 => "compressed_certificate",
        /// next_protocol(67), NPN.
        NextProtocol = 67 => "next_protocol",
        /// message_hash(254).
        MessageHash = 254 => "message_hash",
    }
}

wire_enum! {
    /// `AlertLevel` (RFC 5246 §7.2; in TLS 1.3 only close_notify and user_canceled are
    /// warnings, RFC 8446 §6).
    pub enum AlertLevel: u8, unknown "unknown_level_{}" {
        /// warning(1).
        Warning = 1 => "warning",
        /// fatal(2).
        Fatal = 2 => "fatal",
    }
}

wire_enum! {
    /// `AlertDescription` (RFC 8446 §6, RFC 5246 §7.2 and later registrations).
    pub enum AlertDescription: u8, unknown "unknown_alert_{}" {
        /// close_notify(0).
        CloseNotify = 0 => "close_notify",
        /// unexpected_message(10).
        UnexpectedMessage = 10 => "unexpected_message",
        /// bad_record_mac(20).
        BadRecordMac = 20 => "bad_record_mac",
        /// decryption_failed(21).
        DecryptionFailed = 21 => "decryption_failed",
        /// record_overflow(22).
        RecordOverflow = 22 => "record_overflow",
        /// decompression_failure(30).
        DecompressionFailure = 30 => "decompression_failure",
        /// handshake_failure(40).
        HandshakeFailure = 40 => "handshake_failure",
        /// no_certificate(41), SSL 3.0.
        NoCertificate = 41 => "no_certificate",
        /// bad_certificate(42).
        BadCertificate = 42 => "bad_certificate",
        /// unsupported_certificate(43).
        UnsupportedCertificate = 43 => "unsupported_certificate",
        /// certificate_revoked(44).
        CertificateRevoked = 44 => "certificate_revoked",
        /// certificate_expired(45).
        CertificateExpired = 45 => "certificate_expired",
        /// certificate_unknown(46).
        CertificateUnknown = 46 => "certificate_unknown",
        /// illegal_parameter(47).
        IllegalParameter = 47 => "illegal_parameter",
        /// unknown_ca(48).
        UnknownCa = 48 => "unknown_ca",
        /// access_denied(49).
        AccessDenied = 49 => "access_denied",
        /// decode_error(50).
        DecodeError = 50 => "decode_error",
        /// decrypt_error(51).
        DecryptError = 51 => "decrypt_error",
        /// export_restriction(60).
        ExportRestriction = 60 => "export_restriction",
        /// protocol_version(70).
        ProtocolVersion = 70 => "protocol_version",
        /// insufficient_security(71).
        InsufficientSecurity = 71 => "insufficient_security",
        /// internal_error(80).
        InternalError = 80 => "internal_error",
        /// inappropriate_fallback(86), RFC 7507.
        InappropriateFallback = 86 => "inappropriate_fallback",
        /// user_canceled(90).
        UserCanceled = 90 => "user_canceled",
        /// no_renegotiation(100).
        NoRenegotiation = 100 => "no_renegotiation",
        /// missing_extension(109).
        MissingExtension = 109 => "missing_extension",
        /// unsupported_extension(110).
        UnsupportedExtension = 110 => "unsupported_extension",
        /// certificate_unobtainable(111).
        CertificateUnobtainable = 111 => "certificate_unobtainable",
        /// unrecognized_name(112), RFC 6066.
        UnrecognizedName = 112 => "unrecognized_name",
        /// bad_certificate_status_response(113).
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        /// bad_certificate_hash_value(114).
        BadCertificateHashValue = 114 => "bad_certificate_hash_value",
        /// unknown_psk_identity(115).
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        /// certificate_required(116), TLS 1.3.
        CertificateRequired = 116 => "certificate_required",
        /// no_application_protocol(120), RFC 7301.
        NoApplicationProtocol = 120 => "no_application_protocol",
        /// ech_required(121).
        EchRequired = 121 => "ech_required",
    }
}

wire_enum! {
    /// `ClientCertificateType` of a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4, RFC 8422 §5.5).
    pub enum ClientCertificateType: u8, unknown "unknown_certificate_type_{}" {
        /// rsa_sign(1).
        RsaSign = 1 => "rsa_sign",
        /// dss_sign(2).
        DssSign = 2 => "dss_sign",
        /// rsa_fixed_dh(3).
        RsaFixedDh = 3 => "rsa_fixed_dh",
        /// dss_fixed_dh(4).
        DssFixedDh = 4 => "dss_fixed_dh",
        /// rsa_ephemeral_dh(5).
        RsaEphemeralDh = 5 => "rsa_ephemeral_dh",
        /// dss_ephemeral_dh(6).
        DssEphemeralDh = 6 => "dss_ephemeral_dh",
        /// fortezza_dms(20).
        FortezzaDms = 20 => "fortezza_dms",
        /// ecdsa_sign(64).
        EcdsaSign = 64 => "ecdsa_sign",
        /// rsa_fixed_ecdh(65).
        RsaFixedEcdh = 65 => "rsa_fixed_ecdh",
        /// ecdsa_fixed_ecdh(66).
        EcdsaFixedEcdh = 66 => "ecdsa_fixed_ecdh",
    }
}

/// The families of keys that sign in TLS: what a client certificate's key must be for a
/// CertificateRequest's certificate types and signature algorithms to allow it.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum KeyFamily {
    /// RSA (PKCS#1 v1.5 or PSS signatures).
    Rsa,
    /// ECDSA.
    Ecdsa,
    /// Ed25519 or Ed448.
    EdDsa,
    /// DSA.
    Dsa,
}

impl KeyFamily {
    /// The family as signature schemes name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ecdsa => "ECDSA",
            Self::EdDsa => "EdDSA",
            Self::Dsa => "DSA",
        }
    }
}

impl fmt::Display for KeyFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl ClientCertificateType {
    /// The key family a certificate of this type has (`None` for types without a signing key
    /// family here, such as fortezza_dms).
    pub fn key_family(self) -> Option<KeyFamily> {
        match self {
            Self::RsaSign | Self::RsaFixedDh => Some(KeyFamily::Rsa),
            Self::EcdsaSign | Self::RsaFixedEcdh | Self::EcdsaFixedEcdh => Some(KeyFamily::Ecdsa),
            Self::DssSign | Self::DssFixedDh => Some(KeyFamily::Dsa),
            _ => None,
        }
    }
}

/// Declares a newtype over a large registry's number, with a constant per value the rules use.
macro_rules! wire_number {
    (
        $(#[$meta:meta])*
        pub(crate) struct $name:ident($repr:ty), named by $namer:path;
        $( $(#[$cmeta:meta])* const $konst:ident = $value:literal; )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
        pub(crate) struct $name(pub(crate) $repr);

        impl $name {
            $( $(#[$cmeta])* pub(crate) const $konst: Self = Self($value); )*

            /// The registry's name (an unknown value by its number).
            pub(crate) fn name(self) -> Cow<'static, str> {
                $namer(self.0)
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.name())
            }
        }
    };
}

wire_number! {
    /// `ProtocolVersion` (RFC 8446 §4.1.2, §4.2.1): SSL 2.0 to TLS 1.3 and its drafts.
    pub(crate) struct ProtocolVersion(u16), named by names::version;
    /// SSL 2.0 (as an SSLv2-format ClientHello says it).
    const SSL2 = 0x0002;
    /// SSL 3.0.
    const SSL3 = 0x0300;
    /// TLS 1.0.
    const TLS10 = 0x0301;
    /// TLS 1.1.
    const TLS11 = 0x0302;
    /// TLS 1.2.
    const TLS12 = 0x0303;
    /// TLS 1.3.
    const TLS13 = 0x0304;
}

impl ProtocolVersion {
    /// TLS 1.3, one of its drafts (0x7fNN) or of the experimental variants browsers deployed
    /// while it was drafted (0x7eNN).
    pub(crate) fn is_tls13(self) -> bool {
        self == Self::TLS13 || (0x7e01..=0x7fff).contains(&self.0)
    }

    /// SSL 2.0 to TLS 1.1: versions current stacks no longer accept (RFC 8996).
    pub(crate) fn is_before_tls12(self) -> bool {
        matches!(self, Self::SSL2 | Self::SSL3 | Self::TLS10 | Self::TLS11)
    }
}

wire_number! {
    /// A cipher suite (RFC 8446 §B.4, RFC 5246 Appendix A.5 and the IANA registry).
    pub(crate) struct CipherSuite(u16), named by names::cipher_suite;
    /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
    const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
    /// TLS_FALLBACK_SCSV (RFC 7507 §6).
    const FALLBACK_SCSV = 0x5600;
}

/// Why a cipher suite is no longer fit to be all a client offers (RFC 9325 §4.1, RFC 7465,
/// RFC 8996).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Weakness {
    /// No encryption, no authentication, or export strength.
    Insecure,
    /// RC4, DES or 3DES.
    BrokenCipher,
    /// Static RSA key exchange.
    NoForwardSecrecy,
    /// CBC mode.
    Cbc,
}

impl Weakness {
    /// In words, as the findings list it.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::Insecure => "insecure",
            Self::BrokenCipher => "broken cipher",
            Self::NoForwardSecrecy => "no forward secrecy",
            Self::Cbc => "CBC",
        }
    }
}

impl CipherSuite {
    /// A signalling value (RFC 5746 §3.3, RFC 7507), not a suite.
    pub(crate) fn is_scsv(self) -> bool {
        matches!(
            self,
            Self::EMPTY_RENEGOTIATION_INFO_SCSV | Self::FALLBACK_SCSV
        )
    }

    /// A GREASE value (RFC 8701).
    pub(crate) fn is_grease(self) -> bool {
        names::is_grease(self.0)
    }

    /// A TLS 1.3 suite (RFC 8446 §B.4: 0x13xx).
    pub(crate) fn is_tls13(self) -> bool {
        self.0 >> 8 == 0x13
    }

    /// How the suite falls short of current practice, from the components its IANA name
    /// spells out (`TLS_{key exchange}_WITH_{cipher}_{mode}_{mac}`); `None` for a sound suite
    /// or a value that is not a suite.
    pub(crate) fn weakness(self) -> Option<Weakness> {
        let name = self.name();
        if name.contains("_NULL_") || name.contains("_anon_") || name.contains("EXPORT") {
            Some(Weakness::Insecure)
        } else if name.contains("RC4") || name.contains("3DES") || name.contains("_DES_") {
            Some(Weakness::BrokenCipher)
        } else if name.starts_with("TLS_RSA_") {
            Some(Weakness::NoForwardSecrecy)
        } else if name.contains("_CBC_") {
            Some(Weakness::Cbc)
        } else {
            None
        }
    }
}

wire_number! {
    /// A `SignatureScheme` (RFC 8446 §4.2.3), or in TLS 1.2 a `SignatureAndHashAlgorithm` pair
    /// (RFC 5246 §7.4.1.4.1), which shares the numbers.
    pub(crate) struct SignatureScheme(u16), named by names::signature_scheme;
}

impl SignatureScheme {
    /// A GREASE value (RFC 8701).
    pub(crate) fn is_grease(self) -> bool {
        names::is_grease(self.0)
    }

    /// The key family that makes signatures of this scheme.
    pub(crate) fn key_family(self) -> Option<KeyFamily> {
        match self.0 {
            // ed25519, ed448.
            0x0807 | 0x0808 => Some(KeyFamily::EdDsa),
            // RSASSA-PSS with rsaEncryption and PSS keys.
            0x0804..=0x0806 | 0x0809..=0x080b => Some(KeyFamily::Rsa),
            // ECDSA with brainpool curves (TLS 1.3).
            0x081a..=0x081c => Some(KeyFamily::Ecdsa),
            // TLS 1.2 pairs (and the TLS 1.3 PKCS#1 and ECDSA schemes, which use their numbers):
            // the signature in the low byte, a hash in the high byte.
            v if (1..=6).contains(&(v >> 8)) => match v & 0xff {
                1 => Some(KeyFamily::Rsa),
                2 => Some(KeyFamily::Dsa),
                3 => Some(KeyFamily::Ecdsa),
                _ => None,
            },
            _ => None,
        }
    }
}

wire_number! {
    /// A `NamedGroup` (RFC 8446 §4.2.7, RFC 7919, hybrid post-quantum drafts).
    pub(crate) struct NamedGroup(u16), named by names::group;
}

impl NamedGroup {
    /// A GREASE value (RFC 8701).
    pub(crate) fn is_grease(self) -> bool {
        names::is_grease(self.0)
    }
}

wire_number! {
    /// An `ExtensionType` (RFC 8446 §4.2 and the IANA registry).
    pub(crate) struct ExtensionType(u16), named by names::extension;
    /// status_request_v2(17), RFC 6961.
    const STATUS_REQUEST_V2 = 17;
    /// signed_certificate_timestamp(18), RFC 6962.
    const SIGNED_CERTIFICATE_TIMESTAMP = 18;
    /// encrypt_then_mac(22), RFC 7366.
    const ENCRYPT_THEN_MAC = 22;
    /// record_size_limit(28), RFC 8449.
    const RECORD_SIZE_LIMIT = 28;
    /// signature_algorithms_cert(50), RFC 8446 §4.2.3.
    const SIGNATURE_ALGORITHMS_CERT = 50;
    /// renegotiation_info(0xff01), RFC 5746.
    const RENEGOTIATION_INFO = 0xff01;
}

impl ExtensionType {
    /// A GREASE value (RFC 8701).
    pub(crate) fn is_grease(self) -> bool {
        names::is_grease(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every number survives the round trip through its type (rustls' `test_enum8`).
    #[test]
    fn every_value_round_trips_and_unknown_ones_keep_their_number() {
        for v in 0..=u8::MAX {
            assert_eq!(u8::from(ContentType::from(v)), v);
            assert_eq!(u8::from(HandshakeType::from(v)), v);
            assert_eq!(u8::from(AlertLevel::from(v)), v);
            assert_eq!(u8::from(AlertDescription::from(v)), v);
            assert_eq!(u8::from(ClientCertificateType::from(v)), v);
            assert!(!HandshakeType::from(v).name().is_empty());
            assert!(!AlertDescription::from(v).name().is_empty());
        }
        assert_eq!(
            AlertDescription::from(116),
            AlertDescription::CertificateRequired
        );
        assert_eq!(AlertDescription::from(116).name(), "certificate_required");
        assert_eq!(AlertDescription::from(200).name(), "unknown_alert_200");
        assert_eq!(HandshakeType::from(99).name(), "unknown_handshake_99");
        assert_eq!(AlertLevel::from(2).to_string(), "fatal");
        assert_eq!(AlertLevel::from(3).to_string(), "unknown_level_3");
        assert_eq!(ClientCertificateType::from(64).name(), "ecdsa_sign");
    }

    #[test]
    fn versions_suites_and_schemes() {
        assert!(ProtocolVersion(0x7f12).is_tls13() && ProtocolVersion::TLS13.is_tls13());
        assert!(!ProtocolVersion::TLS12.is_tls13());
        assert!(
            ProtocolVersion::TLS11.is_before_tls12() && !ProtocolVersion::TLS12.is_before_tls12()
        );
        assert_eq!(ProtocolVersion(0x7f12).to_string(), "TLS 1.3 (draft 18)");
        assert_eq!(
            CipherSuite(0xc02f).to_string(),
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        );
        assert_eq!(CipherSuite(0xc02f).weakness(), None);
        assert_eq!(CipherSuite(0x000a).weakness(), Some(Weakness::BrokenCipher));
        assert_eq!(
            CipherSuite(0x002f).weakness(),
            Some(Weakness::NoForwardSecrecy)
        );
        assert_eq!(CipherSuite(0xc013).weakness(), Some(Weakness::Cbc));
        assert_eq!(CipherSuite(0x0001).weakness(), Some(Weakness::Insecure));
        assert!(
            CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV.is_scsv() && CipherSuite(0x2a2a).is_grease()
        );
        for (scheme, family) in [
            (0x0401, Some(KeyFamily::Rsa)),
            (0x0804, Some(KeyFamily::Rsa)),
            (0x0403, Some(KeyFamily::Ecdsa)),
            (0x0203, Some(KeyFamily::Ecdsa)),
            (0x0807, Some(KeyFamily::EdDsa)),
            (0x0402, Some(KeyFamily::Dsa)),
            (0x0904, None),
        ] {
            assert_eq!(
                SignatureScheme(scheme).key_family(),
                family,
                "{scheme:#06x}"
            );
        }
    }
}
