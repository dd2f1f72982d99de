//! Key log decryption of one connection: which keys protect which records, when they change
//! (ChangeCipherSpec in TLS ≤ 1.2; Finished and KeyUpdate in TLS 1.3), and what stayed hidden
//! and why.
//!
//! ```text
//! ClientHello ─► client random ─┐
//! ServerHello ─► suite, version ┴─► key log lookup ─► handshake keys (1.3) / pending keys (1.2)
//! ChangeCipherSpec (1.2)        ─► that side's pending keys become active
//! Finished (1.3)                ─► that side's *_TRAFFIC_SECRET_0;  KeyUpdate ─► "traffic upd"
//! ```

use std::collections::BTreeSet;
use std::ops::Range;

use super::cipher::{self, OpenError, RecordKeys, Suite};
use super::enums::{CipherSuite, ContentType, ExtensionType, HandshakeType, ProtocolVersion};
use super::keylog::{KeyLog, Label, Secrets};
use crate::flow::{PerSide, Side};

/// TLS 1.3: records in a row that may fail before a direction is given up. 0-RTT records (early
/// keys, not used here) fail and are passed over this way.
const MAX_SKIPPED: u32 = 8;
/// After a capture gap swallowed whole records, the sequence numbers tried beyond the expected
/// one (each lost record used one up).
const MAX_RESYNC: u64 = 64;
/// Application data records decrypted per direction; later ones are bulk data, skipped by their
/// headers (their sequence numbers counted), so that a key log costs no time on a long transfer.
const APP_DATA_DECRYPTED: u32 = 16;
/// TLS 1.3 hides the content type: after the handshake, only records longer than this are
/// taken for bulk data (alerts, KeyUpdate, NewSessionTicket and a post-handshake
/// CertificateRequest are shorter and still decrypted).
const BULK_RECORD: u16 = 4096;
/// Bytes of the server's first application data looked at for an HTTP answer.
const HTTP_PEEK: usize = 4096;

/// Why a direction's records were not decrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HiddenReason {
    /// The key log lacks this secret.
    Missing(Label),
    /// Decryption failed and was given up.
    Failed,
    /// The suite or version is not one this tool decrypts.
    Unsupported,
}

/// A connection this tool does not decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unsupported {
    /// A cipher suite without a decryption here (CCM, ARIA, Camellia, 3DES, …).
    #[error("cipher suite {0} is not decrypted by this tool")]
    Suite(CipherSuite),
    /// A version before TLS 1.2.
    #[error("{0} records are not decrypted by this tool (TLS 1.2 and 1.3 are)")]
    Version(ProtocolVersion),
}

/// Records of one direction that stayed encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hidden {
    /// The first such record's frame.
    pub first_frame: u64,
    /// How many.
    pub records: u64,
    /// Why.
    pub reason: HiddenReason,
}

/// A record that did not decrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The side that sent it.
    pub side: Side,
    /// Its first frame.
    pub frame: u64,
    /// The authentication tag (or MAC) did not match, rather than a malformed record.
    pub authentication: bool,
}

/// The server's first application data, when it is an HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HttpAnswer {
    /// The frame that completed the record.
    pub frame: u64,
    /// The status line (`HTTP/1.1 400 Bad Request`), printable ASCII, at most 100 bytes.
    pub status_line: String,
    /// The body says nginx's "No required SSL certificate was sent".
    pub no_client_certificate: bool,
}

/// Decryption state and coverage of one connection.
#[derive(Debug, Default)]
pub(crate) struct Decryption {
    /// The side that sent the ClientHello.
    client: Option<Side>,
    client_random: Option<[u8; 32]>,
    secrets: Option<Secrets>,
    suite: Option<Suite>,
    tls13: bool,
    active: PerSide<Option<RecordKeys>>,
    pending: PerSide<Option<RecordKeys>>,
    /// TLS 1.3: each side's current application traffic secret.
    traffic: PerSide<Option<Vec<u8>>>,
    /// Why a side has no keys, once it should have.
    no_keys: PerSide<Option<HiddenReason>>,
    /// TLS 1.3: a Finished or KeyUpdate in the current record changes keys after it.
    switch: PerSide<Option<HandshakeType>>,
    /// TLS 1.3: the side's handshake Finished came (a later one, in post-handshake
    /// authentication, changes no keys).
    finished: PerSide<bool>,
    skipped: PerSide<u32>,
    /// A capture gap lost the record framing: records (and their sequence numbers) may be gone.
    resync: PerSide<bool>,
    /// A ServerHello was looked up in a non-empty key log.
    pub looked_up: bool,
    /// The key log had secrets for the ClientHello random.
    pub matched: bool,
    /// Labels found, over all handshakes of the connection.
    pub found: BTreeSet<Label>,
    /// Labels needed by records that came, but absent.
    pub missing: BTreeSet<Label>,
    /// Records decrypted.
    pub records: u64,
    /// Records that did not decrypt (the first per side).
    pub failures: Vec<Failure>,
    /// Records that stayed encrypted, per side.
    pub hidden: PerSide<Option<Hidden>>,
    /// What this tool cannot decrypt here (the suite or version).
    pub unsupported: Option<Unsupported>,
    /// The server's first application data, read as HTTP.
    pub http: Option<HttpAnswer>,
    server_app_seen: bool,
    /// Application data records decrypted, per side.
    app_records: PerSide<u32>,
}

impl Decryption {
    /// A ClientHello's random (a second ClientHello, after a HelloRetryRequest or in a
    /// renegotiation, replaces it).
    pub(crate) fn client_hello(&mut self, side: Side, body: &[u8]) {
        self.client = Some(side);
        if let Some(random) = body.get(2..34).and_then(|r| <[u8; 32]>::try_from(r).ok()) {
            self.client_random = Some(random);
        }
    }

    /// A ServerHello (not a HelloRetryRequest): looks the connection up in the key log and
    /// prepares the keys.
    pub(crate) fn server_hello(
        &mut self,
        body: &[u8],
        sh: &super::handshake::ServerHello,
        keys: &KeyLog,
    ) {
        let Some(client) = self.client else {
            return;
        };
        if keys.is_empty() || sh.hello_retry_request {
            return;
        }
        self.looked_up = true;
        let server = client.other();
        let (Some(client_random), Some(server_random)) = (
            self.client_random,
            body.get(2..34).and_then(|r| <[u8; 32]>::try_from(r).ok()),
        ) else {
            return;
        };
        let Some(secrets) = keys.get(&client_random) else {
            return;
        };
        self.matched = true;
        self.found.extend(secrets.labels());
        self.pending = PerSide::default();
        self.finished = PerSide::default();
        self.tls13 = sh.version.is_tls13();
        let version_supported = self.tls13 || sh.version == ProtocolVersion::TLS12;
        let suite = cipher::suite(sh.cipher_suite.0)
            .filter(|_| self.tls13 == cipher::is_tls13_suite(sh.cipher_suite.0));
        let Some(suite) = suite.filter(|_| version_supported) else {
            self.unsupported = Some(if version_supported {
                Unsupported::Suite(sh.cipher_suite)
            } else {
                Unsupported::Version(sh.version)
            });
            self.no_keys = PerSide([Some(HiddenReason::Unsupported); 2]);
            return;
        };
        self.suite = Some(suite);
        if self.tls13 {
            for (side, label) in [
                (client, Label::ClientHandshake),
                (server, Label::ServerHandshake),
            ] {
                self.active[side] = secrets
                    .get(label)
                    .and_then(|secret| RecordKeys::tls13(suite, secret));
                self.no_keys[side] = self.active[side]
                    .is_none()
                    .then_some(HiddenReason::Missing(label));
            }
        } else {
            let etm = sh.extensions.contains(&ExtensionType::ENCRYPT_THEN_MAC);
            let keys = secrets.get(Label::ClientRandom).and_then(|master| {
                RecordKeys::tls12(suite, master, &client_random, &server_random, etm)
            });
            match keys {
                Some((c, s)) => {
                    self.pending[client] = Some(c);
                    self.pending[server] = Some(s);
                }
                None => {
                    self.no_keys = PerSide([Some(HiddenReason::Missing(Label::ClientRandom)); 2]);
                }
            }
        }
        self.secrets = Some(secrets.clone());
    }

    /// TLS ≤ 1.2 ChangeCipherSpec from `side`: its pending keys protect what it sends next.
    pub(crate) fn change_cipher_spec(&mut self, side: Side) {
        if !self.tls13 && self.matched {
            self.active[side] = self.pending[side].take();
        }
    }

    /// A capture gap swallowed a record header on `side`: the next record's sequence number is
    /// searched for.
    pub(crate) fn framing_lost(&mut self, side: Side) {
        self.resync[side] = true;
    }

    /// Whether a record of `content_type` from `side` is to be decrypted.
    pub(crate) fn wants(&self, side: Side, content_type: ContentType) -> bool {
        self.active[side].is_some() && (!self.tls13 || content_type == ContentType::ApplicationData)
    }

    /// Whether a record is bulk application data, to be skipped unread (see
    /// [`APP_DATA_DECRYPTED`]).
    pub(crate) fn bulk(&self, side: Side, content_type: ContentType, length: u16) -> bool {
        self.active[side].is_some()
            && self.app_records[side] >= APP_DATA_DECRYPTED
            && if self.tls13 {
                self.finished[side] && length > BULK_RECORD
            } else {
                content_type == ContentType::ApplicationData
            }
    }

    /// A bulk record went by unread: its sequence number is used up.
    pub(crate) fn skip_record(&mut self, side: Side) {
        if let Some(keys) = self.active[side].as_mut() {
            keys.seq += 1;
        }
    }

    /// Decrypts a record in place; `None` when it does not decrypt (noted as a failure).
    pub(crate) fn open(
        &mut self,
        side: Side,
        header: [u8; 3],
        data: &mut [u8],
        frame: u64,
    ) -> Option<(u8, Range<usize>)> {
        let keys = self.active[side].as_mut()?;
        let mut result = keys.open(header[0], [header[1], header[2]], data);
        if result.is_err() && std::mem::take(&mut self.resync[side]) {
            // Records lost in the gap used up sequence numbers: find where the count stands.
            let expected = keys.seq;
            for lost in 1..=MAX_RESYNC {
                let mut copy = data.to_vec();
                keys.seq = expected + lost;
                if let Ok(opened) = keys.open(header[0], [header[1], header[2]], &mut copy) {
                    data.copy_from_slice(&copy);
                    result = Ok(opened);
                    break;
                }
            }
            if result.is_err() {
                keys.seq = expected;
            }
        }
        match result {
            Ok(opened) => {
                self.records += 1;
                self.skipped[side] = 0;
                // Records skipped before (0-RTT) were not failures.
                self.failures.retain(|f| f.side != side);
                Some(opened)
            }
            Err(error) => {
                if !self.failures.iter().any(|f| f.side == side) {
                    self.failures.push(Failure {
                        side,
                        frame,
                        authentication: error == OpenError::Authentication,
                    });
                }
                self.skipped[side] += 1;
                if !self.tls13 || self.skipped[side] > MAX_SKIPPED {
                    self.active[side] = None;
                    self.no_keys[side] = Some(HiddenReason::Failed);
                }
                None
            }
        }
    }

    /// A record from `side` whose content had to be skipped (it is a record the keys would
    /// cover, but they are missing, gave up, or bytes of it are missing from the capture).
    pub(crate) fn encrypted_record(&mut self, side: Side, frame: u64, incomplete: bool) {
        if incomplete {
            // Its sequence number is used up all the same.
            if let Some(keys) = self.active[side].as_mut() {
                keys.seq += 1;
            }
        }
        if !self.matched {
            return;
        }
        let reason = match self.no_keys[side] {
            Some(reason) if self.active[side].is_none() => reason,
            _ if incomplete => HiddenReason::Failed,
            _ => return,
        };
        if let HiddenReason::Missing(label) = reason {
            self.missing.insert(label);
        }
        let hidden = self.hidden[side].get_or_insert(Hidden {
            first_frame: frame,
            records: 0,
            reason,
        });
        hidden.records += 1;
    }

    /// TLS 1.3: a decrypted handshake message of `typ` from `side`; Finished and KeyUpdate
    /// change that side's keys after the record.
    pub(crate) fn handshake_message(&mut self, side: Side, typ: HandshakeType) {
        let key_change = match typ {
            HandshakeType::Finished => !std::mem::replace(&mut self.finished[side], true),
            HandshakeType::KeyUpdate => true,
            _ => false,
        };
        if self.tls13 && key_change {
            self.switch[side] = Some(typ);
        }
    }

    /// Applies a key change due after the record just read from `side`.
    pub(crate) fn after_record(&mut self, side: Side) {
        let (Some(typ), Some(suite), Some(client)) =
            (self.switch[side].take(), self.suite, self.client)
        else {
            return;
        };
        let secret = if typ == HandshakeType::Finished {
            let label = if side == client {
                Label::ClientTraffic0
            } else {
                Label::ServerTraffic0
            };
            let secret = self
                .secrets
                .as_ref()
                .and_then(|s| s.get(label))
                .map(<[u8]>::to_vec);
            if secret.is_none() {
                self.no_keys[side] = Some(HiddenReason::Missing(label));
            }
            secret
        } else {
            self.traffic[side]
                .as_deref()
                .and_then(|s| cipher::next_traffic_secret(suite.hash, s))
        };
        self.active[side] = secret.as_deref().and_then(|s| RecordKeys::tls13(suite, s));
        self.traffic[side] = secret;
    }

    /// Decrypted application data from `side`: the server's first is looked at for an HTTP
    /// answer (its status line only; the rest is never kept).
    pub(crate) fn application_data(&mut self, side: Side, data: &[u8], frame: u64) {
        self.app_records[side] = self.app_records[side].saturating_add(1);
        if self.client != Some(side.other()) || std::mem::replace(&mut self.server_app_seen, true) {
            return;
        }
        if !data.starts_with(b"HTTP/1.") {
            return;
        }
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .unwrap_or(data.len())
            .min(100);
        let status_line: String = data[..line_end]
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '?'
                }
            })
            .collect();
        let peek = &data[..data.len().min(HTTP_PEEK)];
        let phrase = b"No required SSL certificate was sent";
        self.http = Some(HttpAnswer {
            frame,
            status_line,
            no_client_certificate: peek.windows(phrase.len()).any(|w| w == phrase),
        });
    }
}
