//! Handshake messages out of handshake records (RFC 8446 §5.1: a message may span records, and
//! a record may hold several messages). Each complete message is parsed
//! ([`super::handshake::parse`]), fed to the transcript and the key log decryption, and becomes
//! an event; a message with bytes missing from the capture becomes an `HandshakeIncomplete`
//! event, one claiming more than [`MAX_HANDSHAKE_MESSAGE`] bytes is skipped unbuffered.

use super::enums::HandshakeType;
use super::handshake::{self, Details, HandshakeMessage};
use super::{EventKind, MAX_HANDSHAKE_MESSAGE, Now, Shared, TlsConnection};
use crate::flow::Side;

/// Handshake message assembly for one direction.
#[derive(Debug, Default)]
pub(super) struct HandshakeAssembler {
    buf: Vec<u8>,
    first_frame: u64,
    missing: u64,
    /// Bytes still to skip of an oversized message.
    skip: u64,
    /// The framing was lost in a gap: wait for the next handshake record.
    pub(super) lost: bool,
}

impl TlsConnection {
    /// Feeds a cleartext (or decrypted) handshake record to the message assembler; `holes`:
    /// byte ranges the capture lacks.
    pub(super) fn handshake_record(
        &mut self,
        side: Side,
        data: &[u8],
        holes: &[(usize, usize)],
        first_frame: u64,
        now: Now,
        shared: &Shared,
    ) {
        let mut pos = 0;
        let mut holes = holes.iter().peekable();
        {
            let hs = &mut self.sides[side].handshake;
            if hs.lost {
                // Take the record start as a message start again.
                *hs = HandshakeAssembler::default();
            }
        }
        while pos < data.len() {
            let (chunk_end, hole) = match holes.peek() {
                Some(&&(at, len)) if at == pos => {
                    holes.next();
                    (pos + len, true)
                }
                Some(&&(at, _)) => (at, false),
                None => (data.len(), false),
            };
            let chunk = &data[pos..chunk_end];
            self.handshake_bytes(side, chunk, hole, first_frame, now, shared);
            pos = chunk_end;
        }
    }

    fn handshake_bytes(
        &mut self,
        side: Side,
        mut chunk: &[u8],
        hole: bool,
        frame: u64,
        now: Now,
        shared: &Shared,
    ) {
        while !chunk.is_empty() {
            let version = self.version;
            let hs = &mut self.sides[side].handshake;
            if hs.lost {
                return;
            }
            if hs.skip > 0 {
                let take = (hs.skip as usize).min(chunk.len());
                hs.skip -= take as u64;
                chunk = &chunk[take..];
                continue;
            }
            if hs.buf.is_empty() {
                hs.first_frame = frame;
            }
            if hs.buf.len() < 4 {
                if hole {
                    // The message header itself is missing.
                    hs.lost = true;
                    return;
                }
                let take = (4 - hs.buf.len()).min(chunk.len());
                hs.buf.extend_from_slice(&chunk[..take]);
                chunk = &chunk[take..];
                if hs.buf.len() < 4 {
                    return;
                }
            }
            let typ = HandshakeType::from(hs.buf[0]);
            let length = u32::from_be_bytes([0, hs.buf[1], hs.buf[2], hs.buf[3]]);
            if length > MAX_HANDSHAKE_MESSAGE {
                hs.skip = u64::from(length);
                hs.buf.clear();
                self.transcript.stop();
                let first = hs.first_frame;
                self.push(
                    side,
                    first,
                    now,
                    EventKind::HandshakeOversized { typ, length },
                );
                continue;
            }
            let want = 4 + length as usize - hs.buf.len();
            let take = want.min(chunk.len());
            hs.buf.extend_from_slice(&chunk[..take]);
            if hole {
                hs.missing += take as u64;
            }
            chunk = &chunk[take..];
            if hs.buf.len() < 4 + length as usize {
                return;
            }
            let body = std::mem::take(&mut hs.buf);
            let (first, missing) = (hs.first_frame, std::mem::take(&mut hs.missing));
            let kind = if missing > 0 {
                self.transcript.stop();
                EventKind::HandshakeIncomplete {
                    typ,
                    length,
                    missing,
                }
            } else {
                let mut details = if typ == HandshakeType::Certificate {
                    shared.certificate(&body[4..], version)
                } else {
                    handshake::parse(typ, &body[4..], version)
                };
                if let Details::ClientHello(ch) = &mut details {
                    shared.share_lists(ch);
                }
                let check = self.transcript.message(side, &body, &details, version);
                self.certificate_verify_check(check, &mut details);
                match &details {
                    Details::ServerHello(sh) => {
                        self.version = Some(sh.version);
                        self.decryption.server_hello(&body[4..], sh, &shared.keylog);
                    }
                    Details::ClientHello(ch) => {
                        self.sides[side].offered_tls13 |= ch.max_version.is_tls13();
                        self.decryption.client_hello(side, &body[4..]);
                    }
                    _ => {}
                }
                if self.decrypting {
                    self.decryption.handshake_message(side, typ);
                }
                EventKind::Handshake(HandshakeMessage {
                    typ,
                    length,
                    details,
                })
            };
            self.push(side, first, now, kind);
        }
    }
}
