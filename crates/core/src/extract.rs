//! The frames of chosen connections, written as a small pcapng file — the piece of a capture to
//! attach to a ticket instead of gigabytes.
//!
//! ```text
//! capture bytes ─► CaptureReader ─► wire::decode ─► the connection's 4-tuple, within its first
//!                                                   and last frame? ─► Enhanced Packet Block
//! ```
//!
//! The output (pcapng, draft-ietf-opsawg-pcapng) has one Section Header Block, an Interface
//! Description Block for each interface and link type the chosen frames came from (nanosecond
//! timestamps, `if_tsresol` 9), and each frame as an Enhanced Packet Block with its original
//! bytes, original length and time, and a comment giving its number in the original capture.
//! Frames keep their order, so Wireshark shows the same packets with new numbers. The file is a
//! capture: it is not redacted. The capture's pcapng Decryption Secrets Blocks are not copied
//! (a key log holds the secrets of every session in it).

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;

use crate::capture::{CaptureReader, Frame, FrameSink, LinkType};
use crate::error::CaptureError;
use crate::report::ConnectionReport;

/// The connections whose frames to write: each by its two endpoints and its first and last
/// frame (a 4-tuple can be reused by a later connection).
#[derive(Clone, Debug, Default)]
pub struct FrameSelection {
    ranges: HashMap<FlowKey, Vec<(u64, u64)>>,
    connections: usize,
}

/// Two endpoints, the lower first, so that both directions find the same key.
type FlowKey = ((IpAddr, u16), (IpAddr, u16));

fn key(a: (IpAddr, u16), b: (IpAddr, u16)) -> FlowKey {
    if a <= b { (a, b) } else { (b, a) }
}

impl FrameSelection {
    /// Nothing chosen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses a connection (from a report that is not redacted: its addresses are looked for).
    pub fn add(&mut self, c: &ConnectionReport) {
        self.ranges
            .entry(key(
                (c.client.ip, c.client.port),
                (c.server.ip, c.server.port),
            ))
            .or_default()
            .push((c.first_frame, c.last_frame));
        self.connections += 1;
    }

    /// How many connections are chosen.
    pub fn len(&self) -> usize {
        self.connections
    }

    /// None is.
    pub fn is_empty(&self) -> bool {
        self.connections == 0
    }

    fn contains(&self, frame: &Frame<'_>) -> bool {
        let Ok(segment) = crate::wire::decode(frame.link_type, frame.data) else {
            return false;
        };
        self.ranges
            .get(&key(
                (segment.src, segment.src_port),
                (segment.dst, segment.dst_port),
            ))
            .is_some_and(|ranges| {
                ranges
                    .iter()
                    .any(|&(first, last)| (first..=last).contains(&frame.number))
            })
    }
}

/// Why the frames could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The capture could not be read (the frames before the problem were written).
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The output could not be written.
    #[error("cannot write the capture: {0}")]
    Io(#[from] std::io::Error),
}

/// What was written.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct Extracted {
    /// Frames written.
    pub frames: u64,
    /// Bytes of the pcapng file.
    pub bytes: u64,
    /// Why reading the capture stopped early, if it did: the frames before the problem were
    /// written (as the report covers them).
    pub capture_error: Option<CaptureError>,
    /// pcapng Decryption Secrets Blocks of the capture not copied: key logs hold the secrets
    /// of every session, not only of the chosen connections.
    pub secrets_not_copied: u64,
}

/// Reads a capture (pushed in chunks of any size) and writes the chosen connections' frames to
/// `out` as pcapng.
pub struct Extractor<W: Write> {
    reader: CaptureReader,
    sink: Sink<W>,
}

struct Sink<W: Write> {
    selection: FrameSelection,
    out: W,
    /// Interface of the original capture and its link type → the output's interface id.
    interfaces: HashMap<(u32, LinkType), u32>,
    written: Extracted,
    /// The first write error: later frames are skipped.
    error: Option<std::io::Error>,
}

impl<W: Write> Extractor<W> {
    /// Starts the output with its section header; `comment` (e.g. where the frames come from)
    /// is written in it.
    pub fn new(selection: FrameSelection, mut out: W, comment: &str) -> Result<Self, ExtractError> {
        let mut options = Vec::new();
        option(
            &mut options,
            4,
            concat!("pcap-tls-diagnose ", env!("CARGO_PKG_VERSION")).as_bytes(),
        );
        option(&mut options, 1, comment.as_bytes());
        end_options(&mut options);
        let mut body = Vec::with_capacity(16 + options.len());
        body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        // Section length not given.
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        body.extend_from_slice(&options);
        let len = block(&mut out, 0x0A0D_0D0A, &body)?;
        Ok(Self {
            reader: CaptureReader::new(),
            sink: Sink {
                selection,
                out,
                interfaces: HashMap::new(),
                written: Extracted {
                    bytes: len,
                    ..Extracted::default()
                },
                error: None,
            },
        })
    }

    /// Reads the next chunk of the capture, writing the chosen frames in it.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ExtractError> {
        self.reader.push(chunk, &mut self.sink)?;
        self.sink.check()
    }

    /// Ends the capture; flushes and returns the output with what was written. A capture
    /// that ends early (or broke off in `push`) is no error here: its frames before the problem
    /// are written, and [`Extracted::capture_error`] says why it stopped.
    pub fn finish(mut self) -> Result<(W, Extracted), std::io::Error> {
        if let Err(e) = self.reader.finish(&mut self.sink) {
            self.sink.written.capture_error = Some(e);
        }
        if let Some(e) = self.sink.error.take() {
            return Err(e);
        }
        self.sink.out.flush()?;
        Ok((self.sink.out, self.sink.written))
    }
}

impl<W: Write> Sink<W> {
    fn check(&mut self) -> Result<(), ExtractError> {
        match self.error.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    fn write(&mut self, frame: &Frame<'_>) -> std::io::Result<()> {
        let key = (frame.interface, frame.link_type);
        let interface = if let Some(&id) = self.interfaces.get(&key) {
            id
        } else {
            // Interface Description Block: link type, snap length, nanosecond timestamps.
            let id = self.interfaces.len() as u32;
            let mut body = Vec::with_capacity(20);
            body.extend_from_slice(&(frame.link_type.0 as u16).to_le_bytes());
            body.extend_from_slice(&0u16.to_le_bytes());
            body.extend_from_slice(&262_144u32.to_le_bytes());
            option(&mut body, 9, &[9]);
            end_options(&mut body);
            self.written.bytes += block(&mut self.out, 1, &body)?;
            self.interfaces.insert(key, id);
            id
        };
        let nanos = frame
            .timestamp
            .map_or(0, |t| u64::try_from(t.nanos()).unwrap_or(0));
        let mut body = Vec::with_capacity(28 + frame.data.len() + 40);
        body.extend_from_slice(&interface.to_le_bytes());
        body.extend_from_slice(&((nanos >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(nanos as u32).to_le_bytes());
        body.extend_from_slice(&(frame.data.len() as u32).to_le_bytes());
        body.extend_from_slice(&frame.original_len.to_le_bytes());
        body.extend_from_slice(frame.data);
        pad(&mut body);
        option(
            &mut body,
            1,
            format!("frame {} of the original capture", frame.number).as_bytes(),
        );
        end_options(&mut body);
        self.written.bytes += block(&mut self.out, 6, &body)?;
        self.written.frames += 1;
        Ok(())
    }
}

impl<W: Write> FrameSink for Sink<W> {
    fn frame(&mut self, frame: &Frame<'_>) {
        if self.error.is_some() || !self.selection.contains(frame) {
            return;
        }
        if let Err(e) = self.write(frame) {
            self.error = Some(e);
        }
    }

    fn secrets(&mut self, _: u32, _: &[u8], _: u64) {
        self.written.secrets_not_copied += 1;
    }
}

/// Writes a block (type, total length, body, total length; little-endian) and returns its
/// length.
fn block(out: &mut impl Write, typ: u32, body: &[u8]) -> std::io::Result<u64> {
    let total = (12 + body.len()) as u32;
    out.write_all(&typ.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())?;
    Ok(u64::from(total))
}

/// Appends an option (code, length, value padded to 32 bits). A value longer than an option
/// holds is cut.
fn option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    let value = &value[..value.len().min(u16::MAX as usize - 3)];
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    pad(out);
}

fn end_options(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, 0, 0, 0]);
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_connection_is_written_and_reads_back_the_same() {
        let capture = include_bytes!("../../../pcaps/tls12-interleaved-connections.pcap");
        let report = crate::diagnose(capture).expect("capture");
        assert!(report.connections.len() > 1);
        let chosen = &report.connections[1];
        let mut selection = FrameSelection::new();
        selection.add(chosen);
        let mut extractor = Extractor::new(selection, Vec::new(), "test").expect("header");
        for chunk in capture.chunks(333) {
            extractor.push(chunk).expect("push");
        }
        let (out, written) = extractor.finish().expect("finish");
        assert!(written.capture_error.is_none());
        assert_eq!(written.bytes, out.len() as u64);
        let frames = chosen.client_to_server.frames + chosen.server_to_client.frames;
        assert_eq!(written.frames, frames);
        let again = crate::diagnose(&out).expect("the written pcapng reads");
        assert_eq!(again.connections.len(), 1);
        let codes = |c: &ConnectionReport| -> Vec<&str> {
            c.findings.iter().map(|f| f.code.as_str()).collect()
        };
        assert_eq!(codes(&again.connections[0]), codes(chosen));
        assert_eq!(again.connections[0].client, chosen.client);
    }

    /// Every frame of a capture, as (link type, time, bytes, original length).
    fn frames(capture: &[u8]) -> Vec<(LinkType, Option<crate::capture::Timestamp>, Vec<u8>, u32)> {
        struct All(Vec<(LinkType, Option<crate::capture::Timestamp>, Vec<u8>, u32)>);
        impl FrameSink for All {
            fn frame(&mut self, f: &Frame<'_>) {
                self.0
                    .push((f.link_type, f.timestamp, f.data.to_vec(), f.original_len));
            }
        }
        let mut all = All(Vec::new());
        let mut reader = CaptureReader::new();
        reader.push(capture, &mut all).expect("capture");
        reader.finish(&mut all).expect("capture");
        all.0
    }

    #[test]
    fn written_frames_are_the_originals_byte_for_byte_in_order() {
        // Linux cooked v2, IPv6 and a snapshot length: link types, times and cut frames too.
        for capture in [
            &include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-any-sll2.pcap")[..],
            include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-ipv6.pcap"),
            include_bytes!("../../../pcaps/tls12-mtls-missing-client-cert-snaplen96.pcap"),
        ] {
            let report = crate::diagnose(capture).expect("capture");
            let mut selection = FrameSelection::new();
            for c in &report.connections {
                selection.add(c);
            }
            let mut extractor = Extractor::new(selection, Vec::new(), "test").expect("header");
            extractor.push(capture).expect("push");
            let (out, written) = extractor.finish().expect("finish");
            let original = frames(capture);
            let copy = frames(&out);
            assert_eq!(written.frames, copy.len() as u64);
            // Every frame of these captures belongs to a connection: all of them, unchanged.
            assert_eq!(copy, original);
        }
    }
}
