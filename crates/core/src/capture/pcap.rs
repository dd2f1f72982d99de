//! Classic libpcap files: a 24-byte file header, then records of a 16-byte header (24 bytes in
//! the "modified" format) and the captured bytes.
//!
//! See <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html> and libpcap's
//! `sf-pcap.c`. The link-type field's upper bits carry FCS information and are masked off.

use super::{CaptureInfo, Frame, FrameSink, LinkType, MAX_BLOCK_LEN, Next, Timestamp};
use crate::error::{CaptureError, CaptureErrorKind};

const FILE_HEADER_LEN: usize = 24;

/// The parser state of a pcap file.
pub(super) struct PcapState {
    big_endian: bool,
    nanosecond: bool,
    /// Record headers are 24 bytes long (Alexey Kuznetzov's patched libpcap).
    modified: bool,
    /// `None` until the file header was read.
    link_type: Option<LinkType>,
}

impl PcapState {
    /// Recognises the four magic numbers in both byte orders.
    pub(super) fn from_magic(magic: [u8; 4]) -> Option<Self> {
        let (big_endian, nanosecond, modified) = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false, false),
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true, false),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true, false),
            [0x34, 0xcd, 0xb2, 0xa1] => (false, false, true),
            [0xa1, 0xb2, 0xcd, 0x34] => (true, false, true),
            _ => return None,
        };
        Some(Self {
            big_endian,
            nanosecond,
            modified,
            link_type: None,
        })
    }

    fn u32_at(&self, data: &[u8], at: usize) -> u32 {
        let bytes = [data[at], data[at + 1], data[at + 2], data[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        }
    }

    fn record_header_len(&self) -> usize {
        if self.modified { 24 } else { 16 }
    }

    pub(super) fn unit_name(&self) -> &'static str {
        if self.link_type.is_none() {
            "pcap file header"
        } else {
            "pcap record"
        }
    }

    pub(super) fn next(&self, data: &[u8], offset: u64) -> Result<Next, CaptureError> {
        if self.link_type.is_none() {
            return Ok(Next::Unit(FILE_HEADER_LEN));
        }
        let header_len = self.record_header_len();
        if data.len() < header_len {
            return Ok(Next::NeedAtLeast(header_len));
        }
        let caplen = u64::from(self.u32_at(data, 8));
        if caplen > MAX_BLOCK_LEN {
            return Err(CaptureError {
                kind: CaptureErrorKind::BadLength {
                    what: "pcap record",
                    length: caplen,
                    limit: MAX_BLOCK_LEN,
                },
                offset,
            });
        }
        // caplen ≤ 16 MiB, so the sum fits in usize even on 32-bit targets.
        Ok(Next::Unit(header_len + caplen as usize))
    }

    pub(super) fn handle(
        &mut self,
        unit: &[u8],
        offset: u64,
        info: &mut CaptureInfo,
        sink: &mut impl FrameSink,
    ) -> Result<(), CaptureError> {
        let Some(link_type) = self.link_type else {
            let major = if self.big_endian {
                u16::from_be_bytes([unit[4], unit[5]])
            } else {
                u16::from_le_bytes([unit[4], unit[5]])
            };
            if major != 2 {
                return Err(CaptureError {
                    kind: CaptureErrorKind::Malformed {
                        what: "pcap file header",
                        why: format!("unsupported major version {major} (expected 2)"),
                    },
                    offset,
                });
            }
            // The low 16 bits are the link type; bits 26-31 describe a frame check sequence.
            self.link_type = Some(LinkType(self.u32_at(unit, 20) & 0xffff));
            return Ok(());
        };
        let secs = self.u32_at(unit, 0);
        let fraction = self.u32_at(unit, 4);
        let original_len = self.u32_at(unit, 12);
        let nanos = if self.nanosecond {
            fraction
        } else {
            fraction.saturating_mul(1000)
        };
        // A fraction of a second ≥ 1 s is malformed, but Wireshark shows it by carrying over;
        // so does `from_parts`, through plain addition.
        info.frames += 1;
        sink.frame(&Frame {
            number: info.frames,
            timestamp: Some(Timestamp::from_parts(i64::from(secs), nanos)),
            link_type,
            data: &unit[self.record_header_len()..],
            original_len,
            interface: 0,
        });
        Ok(())
    }
}
