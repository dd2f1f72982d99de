//! Record decryption with key log secrets: TLS 1.3 (RFC 8446 §5.2, §7) and TLS 1.2 (RFC 5246
//! §6.2.3, §6.3; AEAD per RFC 5288 and RFC 7905; CBC with HMAC, MAC-then-encrypt or
//! encrypt-then-MAC per RFC 7366).
//!
//! Only what a diagnosis needs is decrypted: handshake messages, alerts, and the first bytes of
//! application data. Nothing here makes a key or a nonce: every secret comes from the key log.

use std::ops::Range;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use chacha20poly1305::ChaCha20Poly1305;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};

/// The hash of a suite's PRF (TLS 1.2) or HKDF (TLS 1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
}

impl Hash {
    fn len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }
}

/// The record MAC of a CBC suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MacHash {
    Sha1,
    Sha256,
    Sha384,
}

impl MacHash {
    fn len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
        }
    }
}

/// The bulk cipher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bulk {
    Aes128Gcm,
    Aes256Gcm,
    ChaCha20Poly1305,
    Aes128Cbc(MacHash),
    Aes256Cbc(MacHash),
}

impl Bulk {
    fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes128Cbc(_) => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 | Self::Aes256Cbc(_) => 32,
        }
    }

    /// TLS 1.2 key block IV length (the GCM salt, ChaCha20's whole nonce; CBC IVs are explicit).
    fn fixed_iv_len(self) -> usize {
        match self {
            Self::Aes128Gcm | Self::Aes256Gcm => 4,
            Self::ChaCha20Poly1305 => 12,
            Self::Aes128Cbc(_) | Self::Aes256Cbc(_) => 0,
        }
    }

    fn mac(self) -> Option<MacHash> {
        match self {
            Self::Aes128Cbc(m) | Self::Aes256Cbc(m) => Some(m),
            _ => None,
        }
    }
}

/// A cipher suite this module can decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Suite {
    bulk: Bulk,
    pub(crate) hash: Hash,
}

/// The suite with IANA number `id`, when supported: the TLS 1.3 AEAD suites but CCM, and the
/// TLS 1.2 AES-GCM, ChaCha20-Poly1305 and AES-CBC suites with (EC)DHE or RSA key exchange.
pub(crate) fn suite(id: u16) -> Option<Suite> {
    use Bulk::{Aes128Cbc, Aes128Gcm, Aes256Cbc, Aes256Gcm, ChaCha20Poly1305};
    use Hash::{Sha256, Sha384};
    let (bulk, hash) = match id {
        0x1301 | 0x009c | 0x009e | 0xc02b | 0xc02f => (Aes128Gcm, Sha256),
        0x1302 | 0x009d | 0x009f | 0xc02c | 0xc030 => (Aes256Gcm, Sha384),
        0x1303 | 0xcca8 | 0xcca9 | 0xccaa => (ChaCha20Poly1305, Sha256),
        0x002f | 0x0033 | 0xc009 | 0xc013 => (Aes128Cbc(MacHash::Sha1), Sha256),
        0x0035 | 0x0039 | 0xc00a | 0xc014 => (Aes256Cbc(MacHash::Sha1), Sha256),
        0x003c | 0x0067 | 0xc023 | 0xc027 => (Aes128Cbc(MacHash::Sha256), Sha256),
        0x003d | 0x006b => (Aes256Cbc(MacHash::Sha256), Sha256),
        0xc024 | 0xc028 => (Aes256Cbc(MacHash::Sha384), Sha384),
        _ => return None,
    };
    Some(Suite { bulk, hash })
}

/// True for the TLS 1.3 suites (whose records carry the content type inside).
pub(crate) fn is_tls13_suite(id: u16) -> bool {
    (0x1301..=0x1305).contains(&id)
}

enum Opener {
    Aes128Gcm(Box<Aes128Gcm>),
    Aes256Gcm(Box<Aes256Gcm>),
    ChaCha20Poly1305(Box<ChaCha20Poly1305>),
    Cbc {
        key: Vec<u8>,
        mac: MacHash,
        mac_key: Vec<u8>,
        /// encrypt_then_mac was negotiated (RFC 7366).
        etm: bool,
    },
}

/// Why a record did not decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The authentication tag or MAC does not match: another session's secret, or a record
    /// out of sequence.
    Authentication,
    /// Too short or badly padded for the cipher.
    Malformed,
}

/// One direction's keys and record sequence number.
pub(crate) struct RecordKeys {
    opener: Opener,
    iv: [u8; 12],
    tls13: bool,
    /// The next record's sequence number.
    pub(crate) seq: u64,
}

impl std::fmt::Debug for RecordKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print keys.
        f.debug_struct("RecordKeys")
            .field("tls13", &self.tls13)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
fn expand_label(hash: Hash, secret: &[u8], label: &str, len: usize) -> Option<Vec<u8>> {
    let mut info = Vec::with_capacity(10 + label.len());
    info.extend_from_slice(&(len as u16).to_be_bytes());
    info.push((6 + label.len()) as u8);
    info.extend_from_slice(b"tls13 ");
    info.extend_from_slice(label.as_bytes());
    info.push(0);
    let mut out = vec![0; len];
    match hash {
        Hash::Sha256 => hkdf::Hkdf::<Sha256>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?,
        Hash::Sha384 => hkdf::Hkdf::<Sha384>::from_prk(secret)
            .ok()?
            .expand(&info, &mut out)
            .ok()?,
    }
    Some(out)
}

/// The next TLS 1.3 application traffic secret after a KeyUpdate (RFC 8446 §7.2).
pub(crate) fn next_traffic_secret(hash: Hash, secret: &[u8]) -> Option<Vec<u8>> {
    expand_label(hash, secret, "traffic upd", hash.len())
}

fn hmac_parts(hash: MacHash, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        // HMAC takes keys of any length; an error cannot happen, and would fail the MAC check.
        let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
            return Vec::new();
        };
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        MacHash::Sha1 => run::<Hmac<Sha1>>(key, parts),
        MacHash::Sha256 => run::<Hmac<Sha256>>(key, parts),
        MacHash::Sha384 => run::<Hmac<Sha384>>(key, parts),
    }
}

/// The TLS 1.2 PRF (RFC 5246 §5): P_hash(secret, label + seed).
fn prf(hash: Hash, secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let mac = match hash {
        Hash::Sha256 => MacHash::Sha256,
        Hash::Sha384 => MacHash::Sha384,
    };
    let mut out = Vec::with_capacity(len + mac.len());
    let mut a = hmac_parts(mac, secret, &[label, seed]);
    while out.len() < len {
        out.extend(hmac_parts(mac, secret, &[&a, label, seed]));
        a = hmac_parts(mac, secret, &[&a]);
    }
    out.truncate(len);
    out
}

impl RecordKeys {
    fn new(
        bulk: Bulk,
        key: &[u8],
        iv: &[u8],
        mac_key: &[u8],
        etm: bool,
        tls13: bool,
    ) -> Option<Self> {
        let opener = match bulk {
            Bulk::Aes128Gcm => Opener::Aes128Gcm(Box::new(Aes128Gcm::new_from_slice(key).ok()?)),
            Bulk::Aes256Gcm => Opener::Aes256Gcm(Box::new(Aes256Gcm::new_from_slice(key).ok()?)),
            Bulk::ChaCha20Poly1305 => {
                Opener::ChaCha20Poly1305(Box::new(ChaCha20Poly1305::new_from_slice(key).ok()?))
            }
            Bulk::Aes128Cbc(mac) | Bulk::Aes256Cbc(mac) => Opener::Cbc {
                key: key.to_vec(),
                mac,
                mac_key: mac_key.to_vec(),
                etm,
            },
        };
        let mut fixed = [0; 12];
        fixed.get_mut(..iv.len())?.copy_from_slice(iv);
        Some(Self {
            opener,
            iv: fixed,
            tls13,
            seq: 0,
        })
    }

    /// TLS 1.3 keys from a traffic secret.
    pub(crate) fn tls13(suite: Suite, secret: &[u8]) -> Option<Self> {
        let key = expand_label(suite.hash, secret, "key", suite.bulk.key_len())?;
        let iv = expand_label(suite.hash, secret, "iv", 12)?;
        Self::new(suite.bulk, &key, &iv, &[], false, true)
    }

    /// TLS 1.2 keys for (client, server) from the master secret (RFC 5246 §6.3).
    pub(crate) fn tls12(
        suite: Suite,
        master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        encrypt_then_mac: bool,
    ) -> Option<(Self, Self)> {
        let (mac, key, iv) = (
            suite.bulk.mac().map_or(0, MacHash::len),
            suite.bulk.key_len(),
            suite.bulk.fixed_iv_len(),
        );
        let seed = [&server_random[..], &client_random[..]].concat();
        let block = prf(
            suite.hash,
            master,
            b"key expansion",
            &seed,
            2 * (mac + key + iv),
        );
        let (client_mac, rest) = block.split_at(mac);
        let (server_mac, rest) = rest.split_at(mac);
        let (client_key, rest) = rest.split_at(key);
        let (server_key, rest) = rest.split_at(key);
        let (client_iv, server_iv) = rest.split_at(iv);
        Some((
            Self::new(
                suite.bulk,
                client_key,
                client_iv,
                client_mac,
                encrypt_then_mac,
                false,
            )?,
            Self::new(
                suite.bulk,
                server_key,
                server_iv,
                server_mac,
                encrypt_then_mac,
                false,
            )?,
        ))
    }

    /// The nonce for the current record: the IV XOR the sequence number (RFC 8446 §5.3).
    fn xor_nonce(&self) -> [u8; 12] {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    /// TLS 1.2's additional data: sequence number, type, version and plaintext length.
    fn tls12_aad(&self, content_type: u8, version: [u8; 2], len: usize) -> [u8; 13] {
        let mut aad = [0; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = content_type;
        aad[9..11].copy_from_slice(&version);
        aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
        aad
    }

    /// Decrypts one record's fragment in place. Returns the plaintext's content type (the inner
    /// one in TLS 1.3) and where the plaintext lies in `data`. The sequence number advances only
    /// on success.
    pub(crate) fn open(
        &mut self,
        content_type: u8,
        version: [u8; 2],
        data: &mut [u8],
    ) -> Result<(u8, Range<usize>), OpenError> {
        let result = if self.tls13 {
            self.open_tls13(content_type, version, data)
        } else {
            self.open_tls12(content_type, version, data)
        };
        if result.is_ok() {
            self.seq += 1;
        }
        result
    }

    fn open_tls13(
        &self,
        content_type: u8,
        version: [u8; 2],
        data: &mut [u8],
    ) -> Result<(u8, Range<usize>), OpenError> {
        let len = data.len();
        if len < 17 {
            return Err(OpenError::Malformed);
        }
        let len16 = (len as u16).to_be_bytes();
        let aad = [content_type, version[0], version[1], len16[0], len16[1]];
        let nonce = self.xor_nonce();
        let (body, tag) = data.split_at_mut(len - 16);
        self.aead(&nonce, &aad, body, tag)?;
        // TLSInnerPlaintext: content, then its type, then zero padding.
        let end = body
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(OpenError::Malformed)?;
        Ok((body[end], 0..end))
    }

    fn aead(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        body: &mut [u8],
        tag: &[u8],
    ) -> Result<(), OpenError> {
        let ok = match &self.opener {
            Opener::Aes128Gcm(c) => c
                .decrypt_in_place_detached(nonce.into(), aad, body, tag.into())
                .is_ok(),
            Opener::Aes256Gcm(c) => c
                .decrypt_in_place_detached(nonce.into(), aad, body, tag.into())
                .is_ok(),
            Opener::ChaCha20Poly1305(c) => c
                .decrypt_in_place_detached(nonce.into(), aad, body, tag.into())
                .is_ok(),
            Opener::Cbc { .. } => false,
        };
        if ok {
            Ok(())
        } else {
            Err(OpenError::Authentication)
        }
    }

    fn open_tls12(
        &self,
        content_type: u8,
        version: [u8; 2],
        data: &mut [u8],
    ) -> Result<(u8, Range<usize>), OpenError> {
        let len = data.len();
        match &self.opener {
            Opener::Aes128Gcm(_) | Opener::Aes256Gcm(_) => {
                // explicit nonce (8), ciphertext, tag (16)
                if len < 24 {
                    return Err(OpenError::Malformed);
                }
                let mut nonce = [0; 12];
                nonce[..4].copy_from_slice(&self.iv[..4]);
                nonce[4..].copy_from_slice(&data[..8]);
                let aad = self.tls12_aad(content_type, version, len - 24);
                let (body, tag) = data[8..].split_at_mut(len - 24);
                self.aead(&nonce, &aad, body, tag)?;
                Ok((content_type, 8..len - 16))
            }
            Opener::ChaCha20Poly1305(_) => {
                if len < 16 {
                    return Err(OpenError::Malformed);
                }
                let aad = self.tls12_aad(content_type, version, len - 16);
                let nonce = self.xor_nonce();
                let (body, tag) = data.split_at_mut(len - 16);
                self.aead(&nonce, &aad, body, tag)?;
                Ok((content_type, 0..len - 16))
            }
            Opener::Cbc {
                key,
                mac,
                mac_key,
                etm,
            } => {
                let mac_len = mac.len();
                let seq = self.seq.to_be_bytes();
                let header = |n: usize| {
                    let l = (n as u16).to_be_bytes();
                    [content_type, version[0], version[1], l[0], l[1]]
                };
                if *etm {
                    // IV, ciphertext, then the MAC over them (RFC 7366).
                    if len < 32 + mac_len || !(len - mac_len).is_multiple_of(16) {
                        return Err(OpenError::Malformed);
                    }
                    let (sealed, tag) = data.split_at_mut(len - mac_len);
                    let want = hmac_parts(*mac, mac_key, &[&seq, &header(sealed.len()), sealed]);
                    if want != *tag {
                        return Err(OpenError::Authentication);
                    }
                    let content = cbc_decrypt(key, sealed)?;
                    Ok((content_type, 16..16 + content))
                } else {
                    // IV, then ciphertext of content + MAC + padding.
                    if len < 32 || !len.is_multiple_of(16) {
                        return Err(OpenError::Malformed);
                    }
                    let plain = cbc_decrypt(key, data)?;
                    let content = plain
                        .checked_sub(mac_len)
                        .ok_or(OpenError::Authentication)?;
                    let body = &data[16..16 + content];
                    let want = hmac_parts(*mac, mac_key, &[&seq, &header(content), body]);
                    if want != data[16 + content..16 + plain] {
                        return Err(OpenError::Authentication);
                    }
                    Ok((content_type, 16..16 + content))
                }
            }
        }
    }
}

/// Decrypts `IV ‖ ciphertext` in place (the plaintext lands after the IV) and checks the TLS
/// padding; returns the plaintext length without it.
fn cbc_decrypt(key: &[u8], data: &mut [u8]) -> Result<usize, OpenError> {
    let (iv, body) = data.split_at_mut(16);
    let done = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(|_| OpenError::Malformed)?
            .decrypt_padded_mut::<NoPadding>(body)
            .map(<[u8]>::len),
        _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| OpenError::Malformed)?
            .decrypt_padded_mut::<NoPadding>(body)
            .map(<[u8]>::len),
    }
    .map_err(|_| OpenError::Malformed)?;
    let pad = usize::from(*body.get(done.wrapping_sub(1)).ok_or(OpenError::Malformed)?);
    if pad + 1 > done
        || body[done - pad - 1..done]
            .iter()
            .any(|&b| usize::from(b) != pad)
    {
        // A wrong key shows as bad padding as often as a bad MAC.
        return Err(OpenError::Authentication);
    }
    Ok(done - pad - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8448 §3 (Simple 1-RTT Handshake): the server handshake traffic key and IV, and the
    /// server's first encrypted record (EncryptedExtensions … Finished) decrypts with them.
    #[test]
    fn rfc8448_server_handshake_keys() {
        let secret = unhex(
            "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38",
        );
        let suite = suite(0x1301).unwrap();
        assert_eq!(
            expand_label(suite.hash, &secret, "key", 16).unwrap(),
            unhex("3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc")
        );
        assert_eq!(
            expand_label(suite.hash, &secret, "iv", 12).unwrap(),
            unhex("5d 31 3e b2 67 12 76 ee 13 00 0b 30")
        );
    }

    /// A record sealed here with the same key opens, a flipped bit does not, and the sequence
    /// number moves only on success.
    #[test]
    fn tls12_gcm_and_chacha_round_trip() {
        for id in [0xc02f, 0xc030, 0xcca8] {
            let s = suite(id).unwrap();
            let (mut client, _) =
                RecordKeys::tls12(s, &[7; 48], &[1; 32], &[2; 32], false).unwrap();
            let (sealer, _) = RecordKeys::tls12(s, &[7; 48], &[1; 32], &[2; 32], false).unwrap();
            let plain = b"\x14\x00\x00\x0c0123456789ab";
            let explicit = matches!(s.bulk, Bulk::Aes128Gcm | Bulk::Aes256Gcm);
            let mut record = Vec::new();
            let nonce = if explicit {
                record.extend_from_slice(&[9; 8]);
                let mut n = [0; 12];
                n[..4].copy_from_slice(&sealer.iv[..4]);
                n[4..].copy_from_slice(&[9; 8]);
                n
            } else {
                sealer.xor_nonce()
            };
            let aad = sealer.tls12_aad(22, [3, 3], plain.len());
            let mut body = plain.to_vec();
            let tag = match &sealer.opener {
                Opener::Aes128Gcm(c) => {
                    c.encrypt_in_place_detached((&nonce).into(), &aad, &mut body)
                }
                Opener::Aes256Gcm(c) => {
                    c.encrypt_in_place_detached((&nonce).into(), &aad, &mut body)
                }
                Opener::ChaCha20Poly1305(c) => {
                    c.encrypt_in_place_detached((&nonce).into(), &aad, &mut body)
                }
                Opener::Cbc { .. } => unreachable!(),
            }
            .unwrap();
            record.extend(body);
            record.extend(tag);
            let mut bad = record.clone();
            *bad.last_mut().unwrap() ^= 1;
            assert_eq!(
                client.open(22, [3, 3], &mut bad),
                Err(OpenError::Authentication)
            );
            assert_eq!(client.seq, 0);
            let (typ, range) = client.open(22, [3, 3], &mut record).unwrap();
            assert_eq!((typ, &record[range]), (22, &plain[..]));
            assert_eq!(client.seq, 1);
        }
    }

    /// RFC 5246's PRF with SHA-256: the widely used test vector (IETF TLS WG mailing list,
    /// "TLS 1.2 PRF test vectors").
    #[test]
    fn tls12_prf_sha256_vector() {
        let secret = unhex("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35");
        let seed = unhex("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c");
        let out = prf(Hash::Sha256, &secret, b"test label", &seed, 100);
        assert_eq!(
            out[..16],
            unhex("e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53")[..]
        );
        assert_eq!(out.len(), 100);
    }
}
