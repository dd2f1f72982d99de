//! TLS fingerprints of the hellos, written from their parsed fields:
//!
//! - JA4 of a ClientHello and its raw and original-order forms JA4_r, JA4_o, JA4_ro
//!   (FoxIO, BSD 3-Clause: <https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md>).
//!   The other JA4+ methods are under another licence and are not made here.
//! - JA3 of a ClientHello and JA3S of a ServerHello (<https://github.com/salesforce/ja3>).
//!
//! GREASE values (RFC 8701) are left out of both, everywhere. Over TCP only: JA4's first
//! character is always `t` (QUIC and DTLS are not analysed).

use std::fmt::Write as _;

use sha2::Digest as _;

use super::{ClientFingerprints, ServerFingerprints};
use crate::tls::enums::ExtensionType;
use crate::tls::handshake::{ClientHello, ServerHello};

/// server_name(0), RFC 6066.
const SERVER_NAME: ExtensionType = ExtensionType(0);
/// application_layer_protocol_negotiation(16), RFC 7301.
const ALPN: ExtensionType = ExtensionType(16);
/// supported_versions(43), RFC 8446 §4.2.1.
const SUPPORTED_VERSIONS: ExtensionType = ExtensionType(43);

/// The most a JA4 count says: two digits.
const MAX_COUNT: usize = 99;

/// A ClientHello's JA4 (all four forms) and JA3.
pub(crate) fn client(ch: &ClientHello) -> ClientFingerprints {
    let ciphers: Vec<u16> = ch
        .cipher_suites
        .iter()
        .filter(|s| !s.is_grease())
        .map(|s| s.0)
        .collect();
    let extensions: Vec<u16> = ch
        .extensions
        .iter()
        .filter(|e| !e.is_grease())
        .map(|e| e.0)
        .collect();
    let signatures: Vec<u16> = ch
        .signature_algorithms
        .iter()
        .filter(|s| !s.is_grease())
        .map(|s| s.0)
        .collect();

    // JA4_a: protocol, version, SNI, counts, ALPN.
    let a = format!(
        "t{}{}{:02}{:02}{}",
        ja4_version(ch),
        if ch.has(SERVER_NAME) { 'd' } else { 'i' },
        ciphers.len().min(MAX_COUNT),
        extensions.len().min(MAX_COUNT),
        ja4_alpn(ch.alpn_first_last),
    );
    let mut sorted_ciphers = ciphers.clone();
    sorted_ciphers.sort_unstable();
    // The sorted extensions leave out SNI and ALPN, which JA4_a already tells.
    let mut sorted_extensions: Vec<u16> = extensions
        .iter()
        .copied()
        .filter(|&e| e != SERVER_NAME.0 && e != ALPN.0)
        .collect();
    sorted_extensions.sort_unstable();
    let signatures = hex_list(&signatures);
    // Without signature algorithms the string ends without an underscore.
    let with_signatures = |extensions: &[u16]| {
        let mut s = hex_list(extensions);
        if !signatures.is_empty() {
            s.push('_');
            s.push_str(&signatures);
        }
        s
    };
    let (b_sorted, c_sorted) = (
        hex_list(&sorted_ciphers),
        with_signatures(&sorted_extensions),
    );
    let (b_original, c_original) = (hex_list(&ciphers), with_signatures(&extensions));

    let ja3_string = format!(
        "{},{},{},{},{}",
        ch.legacy_version.0,
        decimal_list(ciphers.iter().copied()),
        decimal_list(extensions.iter().copied()),
        decimal_list(ch.groups.iter().filter(|g| !g.is_grease()).map(|g| g.0)),
        decimal_list(ch.ec_point_formats.iter().map(|&f| u16::from(f))),
    );
    ClientFingerprints {
        ja4: format!("{a}_{}_{}", hash12(&b_sorted), hash12(&c_sorted)),
        ja4_r: format!("{a}_{b_sorted}_{c_sorted}"),
        ja4_o: format!("{a}_{}_{}", hash12(&b_original), hash12(&c_original)),
        ja4_ro: format!("{a}_{b_original}_{c_original}"),
        ja3: md5_hex(&ja3_string),
        ja3_string,
    }
}

/// A ServerHello's (or HelloRetryRequest's) JA3S: `SSLVersion,Cipher,Extensions`, the
/// extensions in the order sent, as the reference implementation writes them.
pub(crate) fn server(sh: &ServerHello) -> ServerFingerprints {
    let ja3s_string = format!(
        "{},{},{}",
        sh.legacy_version.0,
        sh.cipher_suite.0,
        decimal_list(sh.extensions.iter().map(|e| e.0)),
    );
    ServerFingerprints {
        ja3s: md5_hex(&ja3s_string),
        ja3s_string,
    }
}

/// JA4's two characters of the version: the highest of supported_versions when the extension
/// is there (GREASE is already left out of the parsed list), else the ClientHello's version.
fn ja4_version(ch: &ClientHello) -> &'static str {
    let version = if ch.has(SUPPORTED_VERSIONS) {
        ch.supported_versions.iter().copied().max()
    } else {
        Some(ch.legacy_version)
    };
    match version.map(|v| v.0) {
        Some(0x0304) => "13",
        Some(0x0303) => "12",
        Some(0x0302) => "11",
        Some(0x0301) => "10",
        Some(0x0300) => "s3",
        Some(0x0002) => "s2",
        Some(0xfeff) => "d1",
        Some(0xfefd) => "d2",
        Some(0xfefc) => "d3",
        // A draft, an unknown value, or a supported_versions of GREASE only.
        _ => "00",
    }
}

/// JA4's two characters of ALPN: the first and last characters of the first protocol when
/// both are ASCII letters or digits, else the first hex digit of its first byte and the last
/// hex digit of its last byte; `00` without one.
fn ja4_alpn(first_last: Option<[u8; 2]>) -> String {
    match first_last {
        None => "00".to_string(),
        Some([first, last]) if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() => {
            [char::from(first), char::from(last)].iter().collect()
        }
        Some([first, last]) => {
            let digits = b"0123456789abcdef";
            [
                char::from(digits[usize::from(first >> 4)]),
                char::from(digits[usize::from(last & 0x0f)]),
            ]
            .iter()
            .collect()
        }
    }
}

/// `0a0a,1301,…`: four lower-case hex digits each, comma-separated.
fn hex_list(values: &[u16]) -> String {
    let mut s = String::with_capacity(values.len() * 5);
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{v:04x}");
    }
    s
}

/// `4865-4866-…`: decimal, dash-separated.
fn decimal_list(values: impl Iterator<Item = u16>) -> String {
    let mut s = String::new();
    for (i, v) in values.enumerate() {
        if i > 0 {
            s.push('-');
        }
        let _ = write!(s, "{v}");
    }
    s
}

/// The first 12 hex digits of the SHA-256 of `s`; `000000000000` for an empty list, "to make
/// it clear that a field has no values" (JA4.md).
fn hash12(s: &str) -> String {
    if s.is_empty() {
        return "0".repeat(12);
    }
    let digest = sha2::Sha256::digest(s.as_bytes());
    hex(&digest[..6])
}

fn md5_hex(s: &str) -> String {
    hex(&md5::Md5::digest(s.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{client, server};
    use crate::tls::enums::{
        CipherSuite, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
    };
    use crate::tls::handshake::{self as hs, ClientHello, Details};

    /// The ClientHello of JA4.md's example: its ciphers, extensions (in the order given there)
    /// and signature algorithms, TLS 1.3 in supported_versions, SNI, ALPN h2.
    fn example() -> ClientHello {
        let mut ch = ClientHello::new(ProtocolVersion::TLS12);
        ch.cipher_suites = [
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
            0x009c, 0x009d, 0x002f, 0x0035,
        ]
        .map(CipherSuite)
        .into();
        ch.extensions = [
            0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
            0x002b, 0xff01, 0x000b, 0x000a, 0x0015,
        ]
        .map(ExtensionType)
        .into();
        ch.signature_algorithms = [
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ]
        .map(SignatureScheme)
        .into();
        ch.supported_versions = [ProtocolVersion::TLS13, ProtocolVersion::TLS12].into();
        ch.alpn_first_last = Some(*b"h2");
        ch
    }

    /// With GREASE inserted everywhere it may appear.
    fn with_grease(mut ch: ClientHello) -> ClientHello {
        let grease = |list: &[u16], g: u16| -> Vec<u16> {
            let mut out = vec![g];
            out.extend_from_slice(list);
            out.push(g);
            out
        };
        let suites: Vec<u16> = ch.cipher_suites.iter().map(|s| s.0).collect();
        ch.cipher_suites = grease(&suites, 0x2a2a)
            .into_iter()
            .map(CipherSuite)
            .collect();
        let extensions: Vec<u16> = ch.extensions.iter().map(|e| e.0).collect();
        ch.extensions = grease(&extensions, 0xdada)
            .into_iter()
            .map(ExtensionType)
            .collect();
        let schemes: Vec<u16> = ch.signature_algorithms.iter().map(|s| s.0).collect();
        ch.signature_algorithms = grease(&schemes, 0x3a3a)
            .into_iter()
            .map(SignatureScheme)
            .collect();
        ch.groups = [0x4a4a, 0x001d, 0x0017].map(NamedGroup).into();
        ch
    }

    #[test]
    fn the_specification_example() {
        let f = client(&example());
        assert_eq!(f.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert_eq!(
            f.ja4_r,
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
        );
        assert_eq!(
            f.ja4_ro,
            "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601"
        );
        assert_eq!(f.ja4_o, "t13d1516h2_acb858a92679_18f69afefd3d");
    }

    #[test]
    fn grease_is_left_out_everywhere() {
        let plain = client(&example());
        let greased = client(&with_grease(example()));
        // Counts, lists and hashes as without GREASE.
        assert_eq!(greased.ja4, plain.ja4);
        assert_eq!(greased.ja4_r, plain.ja4_r);
        assert_eq!(greased.ja4_o, plain.ja4_o);
        assert_eq!(greased.ja4_ro, plain.ja4_ro);
        assert!(!greased.ja3_string.contains("10794")); // 0x2a2a
        assert!(!greased.ja3_string.contains("56026")); // 0xdada
        assert!(greased.ja3_string.ends_with(",29-23,"));
    }

    #[test]
    fn without_sni_without_alpn_and_without_signature_algorithms() {
        let mut ch = example();
        ch.extensions = [0x000a, 0x000b, 0x0023].map(ExtensionType).into();
        ch.signature_algorithms = Arc::new([]);
        ch.supported_versions = Arc::new([]);
        ch.alpn_first_last = None;
        let f = client(&ch);
        // No supported_versions: the ClientHello's version; no SNI: `i`; no ALPN: `00`; no
        // signature algorithms: no trailing underscore.
        assert!(f.ja4.starts_with("t12i150300_8daaf6152771_"), "{}", f.ja4);
        assert!(f.ja4_r.ends_with("_000a,000b,0023"), "{}", f.ja4_r);
        // The extension hash is of "000a,000b,0023" alone.
        assert_eq!(&f.ja4[24..], &super::hash12("000a,000b,0023")[..]);
        // Only SNI and ALPN: the sorted list is empty, its hash 000000000000; the original
        // order keeps them.
        ch.extensions = [0x0000, 0x0010].map(ExtensionType).into();
        let f = client(&ch);
        assert!(f.ja4.ends_with("_000000000000"), "{}", f.ja4);
        assert!(f.ja4_r.ends_with('_'), "{}", f.ja4_r);
        assert!(f.ja4_ro.ends_with("_0000,0010"), "{}", f.ja4_ro);
        assert!(!f.ja4_o.ends_with("_000000000000"), "{}", f.ja4_o);
        // No cipher suite at all (GREASE only): 00 and 000000000000.
        ch.cipher_suites = [CipherSuite(0x0a0a)].into();
        let f = client(&ch);
        assert!(f.ja4.starts_with("t12d0002"), "{}", f.ja4);
        assert_eq!(&f.ja4[11..23], "000000000000");
    }

    #[test]
    fn alpn_characters_and_their_hex_form() {
        // JA4.md's examples, as (first byte, last byte) of the first protocol.
        for (bytes, expected) in [
            (*b"h2", "h2"),
            ([b'h', b'1'], "h1"), // http/1.1
            ([0xab, 0xab], "ab"), // a single byte 0xAB
            ([0x20, 0x20], "20"),
            ([0xab, 0xcd], "ad"),
            ([0x20, 0x61], "21"),
            ([0x30, 0xab], "3b"),
            ([0x61, 0x20], "60"),
            ([0x30, 0xcd], "3d"), // 0x30 0x31 0xAB 0xCD
            ([0x30, 0x31], "01"), // 0x30 0xAB 0xCD 0x31
            ([b'q', b'q'], "qq"), // a single character is both
        ] {
            assert_eq!(super::ja4_alpn(Some(bytes)), expected, "{bytes:x?}");
        }
        assert_eq!(super::ja4_alpn(None), "00");
        // From the wire: the non-ASCII protocol 0xBA 0xAD of FoxIO's tls-non-ascii-alpn.pcapng
        // as the first, then "http/1.1".
        let mut body = hello_body(&[(
            0x10,
            &[
                0x00, 0x0c, 0x02, 0xba, 0xad, 0x08, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
            ],
        )]);
        let ch = parse(&body);
        assert_eq!(ch.alpn_first_last, Some([0xba, 0xad]));
        assert_eq!(&client(&ch).ja4[8..10], "bd");
        // An empty first protocol: 00.
        body = hello_body(&[(0x10, &[0x00, 0x04, 0x00, 0x02, b'h', b'2'])]);
        assert_eq!(&client(&parse(&body)).ja4[8..10], "00");
    }

    #[test]
    fn counts_stop_at_99() {
        let mut ch = example();
        ch.cipher_suites = (1..=150u16).map(CipherSuite).collect();
        ch.extensions = (100..=230u16).map(ExtensionType).collect();
        let f = client(&ch);
        assert!(f.ja4.starts_with("t12i9999"), "{}", f.ja4);
        // The lists keep every value.
        assert_eq!(f.ja4_ro.split('_').nth(1).unwrap().split(',').count(), 150);
        assert_eq!(
            f.ja3_string.split(',').nth(1).unwrap().split('-').count(),
            150
        );
    }

    #[test]
    fn versions() {
        let mut ch = example();
        for (versions, expected) in [
            (&[0x0304u16, 0x0303][..], "13"),
            (&[0x0303, 0x0302, 0x0301][..], "12"),
            (&[0x7f17, 0x0303][..], "00"), // a draft is the highest
            (&[][..], "00"),               // GREASE only (left out when parsed)
        ] {
            ch.supported_versions = versions.iter().map(|&v| ProtocolVersion(v)).collect();
            assert_eq!(&client(&ch).ja4[1..3], expected, "{versions:x?}");
        }
        for (legacy, expected) in [
            (0x0300, "s3"),
            (0x0002, "s2"),
            (0x0301, "10"),
            (0x0305, "00"),
        ] {
            let mut ch = ClientHello::new(ProtocolVersion(legacy));
            ch.cipher_suites = [CipherSuite(0x002f)].into();
            assert_eq!(&client(&ch).ja4[1..3], expected, "{legacy:#x}");
        }
    }

    #[test]
    fn an_sslv2_format_client_hello() {
        // SSL 2.0-compatible ClientHello offering TLS 1.0 (RFC 5246 Appendix E.2): the TLS
        // suites 0x000039, 0x000004 and the SSL 2.0 kind SSL_CK_RC4_128_WITH_MD5 (0x010080),
        // which has no two-byte code.
        let body = [
            0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x39, 0x00, 0x00, 0x04,
            0x01, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let ch = hs::sslv2_client_hello(&body).expect("SSLv2 ClientHello");
        let f = client(&ch);
        assert_eq!(f.ja4_r, "t10i020000_0004,0039_");
        assert_eq!(
            f.ja4,
            format!("t10i020000_{}_000000000000", super::hash12("0004,0039"))
        );
        assert_eq!(f.ja3_string, "769,57-4,,,");
    }

    #[test]
    fn ja3_of_a_parsed_client_hello_and_ja3s() {
        // supported_groups (GREASE, x25519, secp256r1), ec_point_formats (uncompressed),
        // session_ticket, GREASE extension.
        let body = hello_body(&[
            (0x000a, &[0x00, 0x06, 0x7a, 0x7a, 0x00, 0x1d, 0x00, 0x17]),
            (0x000b, &[0x01, 0x00]),
            (0x0023, &[]),
            (0x1a1a, &[]),
        ]);
        let ch = parse(&body);
        assert_eq!(&*ch.ec_point_formats, &[0]);
        let f = client(&ch);
        assert_eq!(f.ja3_string, "771,4865-49199,10-11-35,29-23,0");
        assert_eq!(f.ja3, super::md5_hex("771,4865-49199,10-11-35,29-23,0"));
        // RFC 1321's test vector, to pin the digest.
        assert_eq!(super::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
        let sh = hs::ServerHello {
            hello_retry_request: false,
            legacy_version: ProtocolVersion::TLS12,
            version: ProtocolVersion::TLS12,
            cipher_suite: CipherSuite(0xc02f),
            alpn: None,
            key_share_group: None,
            pre_shared_key: false,
            extended_master_secret: true,
            renegotiation_info: true,
            session_ticket: false,
            session_id_length: 0,
            extensions: [0xff01, 0x0000, 0x000b, 0x0017].map(ExtensionType).to_vec(),
            session_id: Vec::new(),
        };
        let s = server(&sh);
        assert_eq!(s.ja3s_string, "771,49199,65281-0-11-23");
        assert_eq!(s.ja3s, super::md5_hex("771,49199,65281-0-11-23"));
    }

    /// A TLS 1.2 ClientHello body (TLS_AES_128_GCM_SHA256 and ECDHE-RSA-AES128-GCM-SHA256)
    /// with these extensions.
    fn hello_body(extensions: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([0; 32]);
        body.extend([0x00, 0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f, 0x01, 0x00]);
        let mut block = Vec::new();
        for (typ, data) in extensions {
            block.extend(typ.to_be_bytes());
            block.extend((data.len() as u16).to_be_bytes());
            block.extend(*data);
        }
        body.extend((block.len() as u16).to_be_bytes());
        body.extend(block);
        body
    }

    fn parse(body: &[u8]) -> ClientHello {
        match hs::parse(HandshakeType::ClientHello, body, None) {
            Details::ClientHello(ch) => *ch,
            other => panic!("not a ClientHello: {other:?}"),
        }
    }
}
