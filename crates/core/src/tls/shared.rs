//! What all connections of a capture share: the key log, the Certificate messages already read
//! (a server sends the same chain on every connection: parsing it and checking its signatures
//! once is enough — on a busy capture this was most of the time), and the ClientHellos' lists
//! (a client offers the same suites, groups and extensions on every connection).

use std::cell::RefCell;
use std::hash::Hash;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::enums::ProtocolVersion;
use super::handshake::{self, ClientHello, Details, List};
use super::keylog::KeyLog;

/// Most distinct lists of each kind shared (beyond, new lists are kept by their own
/// connections).
const MAX_SHARED_LISTS: usize = 4096;

/// Most body bytes of Certificate messages kept parsed (the cache starts afresh when full).
const MAX_CACHED_CERTIFICATES: usize = 4 << 20;

/// What all connections of a capture share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Key log secrets (`--keylog` and the capture's Decryption Secrets Blocks).
    pub(crate) keylog: KeyLog,
    /// Check a client's CertificateVerify even when the server accepted it (see
    /// [`crate::Analyzer::set_check_accepted_signatures`]).
    pub(crate) check_accepted_signatures: bool,
    certificates: RefCell<CertificateCache>,
    lists: RefCell<Lists>,
}

/// Certificate messages by the SHA-256 of their version and body.
#[derive(Debug, Default)]
struct CertificateCache {
    map: FxHashMap<[u8; 32], Details>,
    /// Body bytes of the cached messages.
    bytes: usize,
}

/// The distinct lists of the ClientHellos seen, by kind.
#[derive(Debug, Default)]
struct Lists {
    versions: Interner<ProtocolVersion>,
    suites: Interner<super::enums::CipherSuite>,
    strings: Interner<String>,
    groups: Interner<super::enums::NamedGroup>,
    schemes: Interner<super::enums::SignatureScheme>,
    extensions: Interner<super::enums::ExtensionType>,
    point_formats: Interner<u8>,
}

/// One copy of each distinct list.
#[derive(Debug)]
struct Interner<T>(FxHashSet<List<T>>);

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self(FxHashSet::default())
    }
}

impl<T: Eq + Hash> Interner<T> {
    /// Makes `list` point at the copy of an identical list seen before.
    fn share(&mut self, list: &mut List<T>) {
        if let Some(same) = self.0.get(&**list) {
            *list = Arc::clone(same);
        } else if self.0.len() < MAX_SHARED_LISTS {
            self.0.insert(Arc::clone(list));
        }
    }
}

impl Shared {
    /// Makes a ClientHello's lists share the copies of an earlier, identical list: a capture of
    /// thousands of connections would otherwise hold thousands of copies.
    pub(super) fn share_lists(&self, ch: &mut ClientHello) {
        let lists = &mut *self.lists.borrow_mut();
        lists.versions.share(&mut ch.supported_versions);
        lists.suites.share(&mut ch.cipher_suites);
        lists.strings.share(&mut ch.alpn);
        lists.groups.share(&mut ch.groups);
        lists.groups.share(&mut ch.key_share_groups);
        lists.schemes.share(&mut ch.signature_algorithms);
        lists.extensions.share(&mut ch.extensions);
        lists.point_formats.share(&mut ch.ec_point_formats);
    }

    /// A Certificate message's details, parsed and signature-checked once per distinct message.
    pub(super) fn certificate(&self, body: &[u8], version: Option<ProtocolVersion>) -> Details {
        use sha2::Digest as _;
        let mut hash = sha2::Sha256::new();
        hash.update(version.map_or(0xffff, |v| v.0).to_be_bytes());
        hash.update(body);
        let key: [u8; 32] = hash.finalize().into();
        if let Some(details) = self.certificates.borrow().map.get(&key) {
            return details.clone();
        }
        let details = handshake::parse(super::enums::HandshakeType::Certificate, body, version);
        let mut cache = self.certificates.borrow_mut();
        if cache.bytes + body.len() > MAX_CACHED_CERTIFICATES {
            *cache = CertificateCache::default();
        }
        cache.bytes += body.len();
        cache.map.insert(key, details.clone());
        details
    }
}
