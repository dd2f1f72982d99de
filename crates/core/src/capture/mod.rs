//! Capture files in, numbered frames out.
//!
//! ```text
//! bytes (any chunking) ─► CaptureReader ─► FrameSink::frame(Frame { number, timestamp, link_type,
//!                                                                   data, original_len, … })
//!                                       └► FrameSink::secrets(…)   (pcapng Decryption Secrets Blocks)
//! ```
//!
//! Formats: pcap in both byte orders with microsecond (`a1b2c3d4`), nanosecond (`a1b23c4d`) and
//! the "modified" Kuznetzov (`a1b2cd34`) record headers; pcapng (several sections of either byte
//! order, several interfaces each with its own link type, `if_tsresol` and `if_tsoffset`; Enhanced,
//! Simple and obsolete Packet Blocks; Decryption Secrets Blocks); and either of them compressed
//! with gzip, as tshark reads them.
//!
//! The reader is push-based: [`CaptureReader::push`] takes chunks of any size, and memory never
//! holds more than one record or block beyond the chunk being pushed (a block may be at most
//! [`MAX_BLOCK_LEN`] bytes). Frame numbers are 1-based and count every packet record, as
//! Wireshark numbers them. For a gzip-compressed file, error offsets count bytes of the
//! decompressed capture.

mod gzip;
mod pcap;
mod pcapng;

use std::fmt;

use crate::error::{CaptureError, CaptureErrorKind};

/// The largest record or block the reader accepts (16 MiB). Real captures stay far below it
/// (Wireshark's usual limit for one packet is 256 KiB); anything larger is a corrupt length field,
/// and refusing it keeps memory bounded.
pub(crate) const MAX_BLOCK_LEN: u64 = 16 * 1024 * 1024;

/// The container format of a capture.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CaptureFormat {
    /// Classic libpcap (`.pcap`), any byte order and time resolution.
    Pcap,
    /// pcapng (`.pcapng`).
    Pcapng,
}

impl fmt::Display for CaptureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pcap => "pcap",
            Self::Pcapng => "pcapng",
        })
    }
}

/// A point in time, in nanoseconds since the Unix epoch (UTC), as recorded in the capture.
#[derive(Clone, Copy, Debug, Eq, Ord, PartialEq, PartialOrd, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Builds a timestamp from whole seconds and nanoseconds, saturating at the `i64` range.
    pub fn from_parts(secs: i64, nanos: u32) -> Self {
        Self(
            secs.saturating_mul(1_000_000_000)
                .saturating_add(i64::from(nanos)),
        )
    }

    /// Nanoseconds since the Unix epoch.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// RFC 3339 in UTC with nanosecond precision, e.g. `2024-05-01T10:00:00.123456000Z`.
    pub fn to_rfc3339(self) -> String {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
        );
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0))
            .ok()
            .and_then(|t| t.format(&format).ok())
            .unwrap_or_else(|| format!("@{}ns", self.0))
    }
}

/// A link-layer header type (LINKTYPE_* value of the tcpdump.org registry).
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    pub const NULL: Self = Self(0);
    /// Ethernet II (and 802.3).
    pub const ETHERNET: Self = Self(1);
    /// PPP with an HDLC-like header or a bare protocol field.
    pub const PPP: Self = Self(9);
    /// Raw IP on some BSDs (DLT_RAW = 12 there).
    pub const RAW_BSD: Self = Self(12);
    /// PPP in HDLC-like framing (RFC 1662).
    pub const PPP_HDLC: Self = Self(50);
    /// Raw IPv4 or IPv6, told apart by the version nibble.
    pub const RAW: Self = Self(101);
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: Self = Self(108);
    /// Linux "cooked" capture v1 (`tcpdump -i any` before libpcap 1.10).
    pub const LINUX_SLL: Self = Self(113);
    /// Linux netfilter NFLOG.
    pub const NFLOG: Self = Self(239);
    /// Raw IPv4.
    pub const IPV4: Self = Self(228);
    /// Raw IPv6.
    pub const IPV6: Self = Self(229);
    /// Linux "cooked" capture v2 (`tcpdump -i any` with libpcap ≥ 1.10).
    pub const LINUX_SLL2: Self = Self(276);

    /// The registry name, or `LINKTYPE_<n>` for a value this tool does not know.
    pub fn name(self) -> String {
        match self.0 {
            0 => "NULL".into(),
            1 => "ETHERNET".into(),
            9 => "PPP".into(),
            12 => "RAW (BSD)".into(),
            50 => "PPP_HDLC".into(),
            101 => "RAW".into(),
            105 => "IEEE802_11".into(),
            108 => "LOOP".into(),
            113 => "LINUX_SLL".into(),
            127 => "IEEE802_11_RADIOTAP".into(),
            228 => "IPV4".into(),
            229 => "IPV6".into(),
            239 => "NFLOG".into(),
            252 => "WIRESHARK_UPPER_PDU".into(),
            276 => "LINUX_SLL2".into(),
            n => format!("LINKTYPE_{n}"),
        }
    }
}

impl serde::Serialize for LinkType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// One captured packet.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// 1-based frame number, as Wireshark shows it.
    pub number: u64,
    /// When the packet was captured; `None` for a pcapng Simple Packet Block, which has none.
    pub timestamp: Option<Timestamp>,
    /// How to decode `data`.
    pub link_type: LinkType,
    /// The captured bytes (possibly fewer than `original_len`).
    pub data: &'a [u8],
    /// The packet's length on the wire.
    pub original_len: u32,
    /// The pcapng interface index (0 for pcap).
    pub interface: u32,
}

impl Frame<'_> {
    /// True when the capture holds fewer bytes than the packet had on the wire (snaplen).
    pub fn is_truncated(&self) -> bool {
        (self.data.len() as u64) < u64::from(self.original_len)
    }
}

/// Receives what a [`CaptureReader`] finds, in file order.
pub trait FrameSink {
    /// A packet.
    fn frame(&mut self, frame: &Frame<'_>);

    /// A pcapng Decryption Secrets Block (`secrets_type` 0x544c534b is a TLS key log). It comes
    /// before the frame numbered `next_frame`.
    fn secrets(&mut self, secrets_type: u32, data: &[u8], next_frame: u64) {
        let _ = (secrets_type, data, next_frame);
    }
}

/// What a [`CaptureReader`] has learned about the file so far.
#[derive(Clone, Debug, Default)]
pub struct CaptureInfo {
    /// The container format, once the magic number was read.
    pub format: Option<CaptureFormat>,
    /// True when the file was gzip-compressed.
    pub gzip: bool,
    /// Packet records read.
    pub frames: u64,
    /// pcapng blocks that were skipped because they carry nothing this tool uses.
    pub skipped_blocks: u64,
}

/// Outcome of looking at the start of the unread input.
enum Next {
    /// The next unit is this many bytes long (all of it must be present to handle it).
    Unit(usize),
    /// At least this many bytes are needed to know the next unit's length.
    NeedAtLeast(usize),
}

/// The state of the container parser (what the next unit is).
enum State {
    /// Nothing read yet: the magic number decides.
    Magic,
    /// The input is gzip-compressed: an inner reader parses the decompressed stream.
    Gzip(Box<gzip::GzipReader>),
    /// A classic pcap file.
    Pcap(pcap::PcapState),
    /// A pcapng file.
    Pcapng(pcapng::PcapngState),
}

/// Push-based reader of pcap, pcapng and gzip-compressed captures.
///
/// ```
/// use pcap_tls_diagnose_core::internals::{CaptureReader, Frame, FrameSink};
///
/// struct Count(u64);
/// impl FrameSink for Count {
///     fn frame(&mut self, _: &Frame<'_>) { self.0 += 1; }
/// }
/// let file = include_bytes!("../../../../pcaps/tls12-mtls-missing-client-cert-openssl.pcap");
/// let mut reader = CaptureReader::new();
/// let mut count = Count(0);
/// for chunk in file.chunks(1000) {
///     reader.push(chunk, &mut count)?;
/// }
/// reader.finish(&mut count)?;
/// assert!(count.0 > 10);
/// # Ok::<(), pcap_tls_diagnose_core::CaptureError>(())
/// ```
pub struct CaptureReader {
    state: State,
    /// Bytes of an incomplete unit carried over between pushes.
    pending: Vec<u8>,
    /// File offset of the first byte not yet handled (start of `pending` if any).
    offset: u64,
    info: CaptureInfo,
    error: Option<CaptureError>,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureReader {
    /// A reader at the start of a file.
    pub fn new() -> Self {
        Self {
            state: State::Magic,
            pending: Vec::new(),
            offset: 0,
            info: CaptureInfo::default(),
            error: None,
        }
    }

    /// What has been learned about the file so far.
    pub fn info(&self) -> CaptureInfo {
        let mut info = self.info.clone();
        if let State::Gzip(inner) = &self.state {
            let inner = inner.reader().info();
            info.format = inner.format;
            info.frames = inner.frames;
            info.skipped_blocks = inner.skipped_blocks;
        }
        info
    }

    /// Feeds the next chunk of the file. Frames found are handed to `sink` at once.
    ///
    /// After an error the reader stays failed and every later call returns the same error.
    pub fn push(&mut self, chunk: &[u8], sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let result = self.push_inner(chunk, sink);
        if let Err(err) = &result {
            self.error = Some(err.clone());
        }
        result
    }

    /// Declares the end of the file: fails when it ends inside a header, record or block.
    pub fn finish(&mut self, sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let result = self.finish_inner(sink);
        if let Err(err) = &result {
            self.error = Some(err.clone());
        }
        result
    }

    fn finish_inner(&mut self, sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        if let State::Gzip(inner) = &mut self.state {
            return inner.finish(sink);
        }
        if matches!(self.state, State::Magic) && self.offset == 0 && self.pending.is_empty() {
            return Err(CaptureError {
                kind: CaptureErrorKind::Empty,
                offset: 0,
            });
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        if matches!(self.state, State::Magic) && !could_be_magic(&self.pending) {
            // Fewer bytes than a magic number, and not the start of one: not a capture.
            return Err(CaptureError {
                kind: CaptureErrorKind::NotACapture {
                    magic: self.pending.clone(),
                },
                offset: 0,
            });
        }
        let needed = match self.next(&self.pending)? {
            Next::Unit(n) | Next::NeedAtLeast(n) => n,
        };
        Err(CaptureError {
            kind: CaptureErrorKind::CutShort {
                what: self.unit_name(),
                missing: needed.saturating_sub(self.pending.len()) as u64,
            },
            offset: self.offset,
        })
    }

    fn push_inner(&mut self, chunk: &[u8], sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        let mut chunk = chunk;
        // First complete what an earlier push left unfinished, copying only the bytes it still
        // needs, so that the rest of the chunk is parsed in place.
        while !self.pending.is_empty() && !matches!(self.state, State::Gzip(_)) {
            let mut pending = std::mem::take(&mut self.pending);
            let step = self.step(&pending, sink);
            match step {
                Ok(Step::Consumed(n)) => {
                    pending.drain(..n);
                    self.pending = pending;
                }
                Ok(Step::Need(n)) => {
                    if chunk.is_empty() {
                        self.pending = pending;
                        return Ok(());
                    }
                    let take = n.saturating_sub(pending.len()).clamp(1, chunk.len());
                    pending.extend_from_slice(&chunk[..take]);
                    chunk = &chunk[take..];
                    self.pending = pending;
                }
                Err(err) => {
                    self.pending = pending;
                    return Err(err);
                }
            }
        }
        if let State::Gzip(inner) = &mut self.state {
            let pending = std::mem::take(&mut self.pending);
            inner.push(&pending, sink)?;
            inner.push(chunk, sink)?;
            return Ok(());
        }
        while let Step::Consumed(n) = self.step(chunk, sink)? {
            chunk = &chunk[n..];
            if let State::Gzip(inner) = &mut self.state {
                // The magic said gzip: everything from here on is compressed.
                return inner.push(chunk, sink);
            }
        }
        self.pending.extend_from_slice(chunk);
        Ok(())
    }

    /// Handles the unit at the start of `data` if it is complete.
    fn step(&mut self, data: &[u8], sink: &mut impl FrameSink) -> Result<Step, CaptureError> {
        let offset = self.offset;
        let next = match &mut self.state {
            State::Magic => {
                if data.len() < 4 {
                    return Ok(Step::Need(4));
                }
                self.state = select_format(data, &mut self.info)?;
                return Ok(Step::Consumed(0));
            }
            State::Gzip(_) => return Ok(Step::Need(usize::MAX)),
            State::Pcap(state) => state.next(data, offset)?,
            State::Pcapng(state) => state.next(data, offset)?,
        };
        match next {
            Next::Unit(n) if data.len() >= n => {
                let unit = &data[..n];
                match &mut self.state {
                    State::Pcap(state) => state.handle(unit, offset, &mut self.info, sink)?,
                    State::Pcapng(state) => state.handle(unit, offset, &mut self.info, sink)?,
                    State::Magic | State::Gzip(_) => {}
                }
                self.offset += n as u64;
                Ok(Step::Consumed(n))
            }
            Next::Unit(n) | Next::NeedAtLeast(n) => Ok(Step::Need(n)),
        }
    }

    /// The length of the unit at the start of `data`, if it can be known yet.
    fn next(&self, data: &[u8]) -> Result<Next, CaptureError> {
        match &self.state {
            State::Magic => Ok(Next::NeedAtLeast(4)),
            State::Gzip(_) => Ok(Next::NeedAtLeast(usize::MAX)),
            State::Pcap(state) => state.next(data, self.offset),
            State::Pcapng(state) => state.next(data, self.offset),
        }
    }

    fn unit_name(&self) -> &'static str {
        match &self.state {
            State::Magic => "file header",
            State::Gzip(_) => "gzip stream",
            State::Pcap(state) => state.unit_name(),
            State::Pcapng(_) => "pcapng block",
        }
    }
}

/// What [`CaptureReader::step`] did.
enum Step {
    /// A unit of this many bytes was handled (0 when only the state changed).
    Consumed(usize),
    /// The unit needs at least this many bytes in all.
    Need(usize),
}

/// Picks the parser from the first four bytes.
/// Could these first bytes (fewer than four) begin a pcap, pcapng or gzip file?
fn could_be_magic(prefix: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 8] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
        [0x34, 0xcd, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xcd, 0x34],
        pcapng::SHB_TYPE,
        [gzip::MAGIC[0], gzip::MAGIC[1], gzip::MAGIC[2], 0],
    ];
    MAGICS
        .iter()
        .any(|m| m.starts_with(&prefix[..prefix.len().min(3)]) && prefix.len() < 4)
}

fn select_format(data: &[u8], info: &mut CaptureInfo) -> Result<State, CaptureError> {
    let magic = [data[0], data[1], data[2], data[3]];
    if let Some(state) = pcap::PcapState::from_magic(magic) {
        info.format = Some(CaptureFormat::Pcap);
        return Ok(State::Pcap(state));
    }
    if magic == pcapng::SHB_TYPE {
        info.format = Some(CaptureFormat::Pcapng);
        return Ok(State::Pcapng(pcapng::PcapngState::new()));
    }
    if magic[..3] == gzip::MAGIC {
        info.gzip = true;
        return Ok(State::Gzip(Box::new(gzip::GzipReader::new())));
    }
    Err(CaptureError {
        kind: CaptureErrorKind::NotACapture {
            magic: magic.to_vec(),
        },
        offset: 0,
    })
}
