//! The transcript of a TLS ≤ 1.2 handshake, kept to check a client's CertificateVerify: the
//! handshake messages from the ClientHello up to it, signed with the key of the client's
//! certificate (RFC 5246 §7.4.8). TLS 1.3 signs a transcript hash inside the encrypted flight:
//! not checked here.
//!
//! A server that answers with its ChangeCipherSpec has verified the signature itself (a bad one
//! gets a decrypt_error alert), so the check is deferred until the handshake is decided and made
//! only when the server did not accept it — on a busy mutual-TLS capture, checking every
//! signature was a quarter of the time.

use super::enums::{HandshakeType, ProtocolVersion};
use super::handshake::{CertEntry, Details, HandshakeMessage};
use super::{EventKind, TlsConnection, TlsEvent};
use crate::flow::Side;
use crate::x509::verify::{Unchecked, Verdict, tls_signature};

/// The most transcript bytes kept for checking a CertificateVerify (certificates included).
pub(crate) const MAX_TRANSCRIPT: usize = 1 << 20;

/// What a transcript needs before the client's CertificateVerify: ClientHello, ServerHello,
/// CertificateRequest, ServerHelloDone and ClientKeyExchange (a server flight with a message
/// missing from the capture — not yet known as a gap when the client's flight arrives — would
/// otherwise make a good signature look bad).
const TRANSCRIPT_NEEDS: u32 = (1 << 1) | (1 << 2) | (1 << 13) | (1 << 14) | (1 << 16);

/// The handshake messages of a TLS ≤ 1.2 handshake, in order, from the ClientHello up to the
/// client's CertificateVerify.
#[derive(Debug, Default)]
pub(super) struct Transcript {
    bytes: Vec<u8>,
    /// Which side sent the ClientHello.
    client: Option<Side>,
    /// The client's certificate key (SubjectPublicKeyInfo).
    client_key: Option<Vec<u8>>,
    /// Stopped: a message is missing or unreadable, the transcript is too long, or the
    /// CertificateVerify was checked.
    stopped: bool,
    /// The handshake types in the transcript, as bits.
    seen: u32,
}

impl Transcript {
    /// The side that sent the ClientHello, once seen.
    pub(super) fn client(&self) -> Option<Side> {
        self.client
    }

    /// Takes in a complete message (`message`: its 4-byte header and body); for the client's
    /// CertificateVerify, returns the check of its signature.
    pub(super) fn message(
        &mut self,
        side: Side,
        message: &[u8],
        details: &Details,
        version: Option<ProtocolVersion>,
    ) -> Option<Check> {
        let typ = HandshakeType::from(*message.first()?);
        if self.stopped || typ == HandshakeType::HelloRequest {
            // Stopped, or a HelloRequest (never part of the transcript).
            return None;
        }
        match (details, self.client) {
            (Details::ClientHello(ch), None) if !ch.sslv2_format => self.client = Some(side),
            (_, None) => {
                // The capture does not start at the ClientHello.
                self.stop();
                return None;
            }
            (Details::ClientHello(_), Some(_)) => {
                // A second ClientHello (a renegotiation in clear): start again.
                self.bytes.clear();
                self.client = Some(side);
                self.client_key = None;
                self.seen = 0;
            }
            _ => {}
        }
        if version.is_some_and(ProtocolVersion::is_tls13) {
            self.stop();
            return None;
        }
        if Some(side) == self.client {
            if let Details::Certificate(c) = details {
                self.client_key = c
                    .certificates
                    .first()
                    .and_then(CertEntry::parsed)
                    .map(|cert| cert.spki_der.clone());
            }
            if typ == HandshakeType::CertificateVerify {
                let check = self.certificate_verify(message);
                self.stop();
                return check;
            }
        }
        if self.bytes.len() + message.len() > MAX_TRANSCRIPT {
            self.stop();
            return None;
        }
        self.bytes.extend_from_slice(message);
        if typ.value() < 32 {
            self.seen |= 1 << typ.value();
        }
        if Some(side) == self.client
            && typ == HandshakeType::ClientKeyExchange
            && self.client_key.is_none()
        {
            // ClientKeyExchange without a client certificate: no CertificateVerify follows.
            self.stop();
        }
        None
    }

    /// The check of the client's CertificateVerify (`message`: header and body) over the
    /// transcript, which it takes.
    fn certificate_verify(&mut self, message: &[u8]) -> Option<Check> {
        self.client_key.as_ref()?;
        if self.seen & TRANSCRIPT_NEEDS != TRANSCRIPT_NEEDS {
            return Some(Check::Done(Verdict::Unchecked(Unchecked::MessagesMissing)));
        }
        // CertificateVerify: SignatureAndHashAlgorithm (2), signature length (2), signature.
        let body = message.get(4..)?;
        let scheme = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
        let len = usize::from(u16::from_be_bytes([*body.get(2)?, *body.get(3)?]));
        let signature = body.get(4..4 + len)?.to_vec();
        Some(Check::Deferred(DeferredCheck {
            key: self.client_key.take()?,
            scheme,
            transcript: std::mem::take(&mut self.bytes),
            signature,
        }))
    }

    /// Stops collecting and frees what was kept: the transcript is checked, lost (a message
    /// could not be read whole) or of no use.
    pub(super) fn stop(&mut self) {
        self.stopped = true;
        self.bytes = Vec::new();
        self.client_key = None;
    }
}

/// What becomes of a client's CertificateVerify.
#[derive(Debug)]
pub(super) enum Check {
    /// Decided at once (it cannot be checked).
    Done(Verdict),
    /// To be checked unless the server accepts it.
    Deferred(DeferredCheck),
}

/// A client's CertificateVerify kept until the handshake is decided: checked when the
/// connection is over ([`TlsConnection::settle`]) unless the server accepted it.
#[derive(Debug)]
pub(super) struct DeferredCheck {
    /// The client certificate's SubjectPublicKeyInfo.
    key: Vec<u8>,
    scheme: u16,
    /// The handshake messages it signs.
    transcript: Vec<u8>,
    signature: Vec<u8>,
}

impl TlsConnection {
    /// Records the check of a client's CertificateVerify (`details`), made now or deferred
    /// (its event is the next one).
    pub(super) fn certificate_verify_check(&mut self, check: Option<Check>, details: &mut Details) {
        let verdict = match check {
            Some(Check::Done(verdict)) => Some(verdict),
            Some(Check::Deferred(deferred)) => {
                self.deferred = Some((self.events.len(), deferred));
                None
            }
            None => None,
        };
        if let Details::CertificateVerify { check, .. } = details {
            *check = verdict;
        }
    }

    /// The server sent its ChangeCipherSpec: it accepted the client's CertificateVerify.
    pub(super) fn accept_certificate_verify(&mut self) {
        if let Some((event, _)) = self.deferred.take() {
            self.set_check(event, Verdict::Unchecked(Unchecked::AcceptedByServer));
        }
    }

    /// Checks a client's CertificateVerify that the server did not accept: call it once the
    /// connection is over, before reading its events.
    pub(crate) fn settle(&mut self) {
        if let Some((event, deferred)) = self.deferred.take() {
            let verdict = tls_signature(
                &deferred.key,
                deferred.scheme,
                &deferred.transcript,
                &deferred.signature,
            );
            self.set_check(event, verdict);
        }
    }

    fn set_check(&mut self, event: usize, verdict: Verdict) {
        if let Some(TlsEvent {
            kind:
                EventKind::Handshake(HandshakeMessage {
                    details: Details::CertificateVerify { check, .. },
                    ..
                }),
            ..
        }) = self.events.get_mut(event)
        {
            *check = Some(verdict);
        }
    }
}
