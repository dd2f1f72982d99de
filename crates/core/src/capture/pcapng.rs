//! pcapng files: a sequence of sections, each a Section Header Block (which fixes the byte order)
//! followed by Interface Description Blocks and packet blocks.
//!
//! See <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html>. Framing (block type,
//! the two length fields, limits) is checked here so that a corrupt length is reported with its
//! offset before anything is buffered; the block bodies are decoded with `pcap-parser`.

use pcap_parser::pcapng::{Block, InterfaceDescriptionBlock, parse_block_be, parse_block_le};

use super::{CaptureInfo, Frame, FrameSink, LinkType, MAX_BLOCK_LEN, Next, Timestamp};
use crate::error::{CaptureError, CaptureErrorKind};

/// The Section Header Block type, which is the same in both byte orders.
pub(super) const SHB_TYPE: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
/// The obsolete Packet Block (type 2), which pcap-parser does not decode.
const OBSOLETE_PACKET_BLOCK: u32 = 2;
/// At most this many interfaces per section are kept (each costs a few bytes).
const MAX_INTERFACES: usize = 1 << 16;

/// What a packet's interface says about how to read it.
#[derive(Clone, Copy, Debug)]
struct Interface {
    link_type: LinkType,
    resolution: Resolution,
    /// Seconds to add to every timestamp (`if_tsoffset`).
    offset_secs: i64,
}

/// Timestamp units per second (`if_tsresol`).
#[derive(Clone, Copy, Debug)]
enum Resolution {
    /// 10^-n seconds.
    Decimal(u32),
    /// 2^-n seconds.
    Binary(u32),
}

impl Resolution {
    fn from_option(value: u8) -> Option<Self> {
        if value & 0x80 == 0 {
            (value <= 19).then_some(Self::Decimal(u32::from(value)))
        } else {
            let exp = u32::from(value & 0x7f);
            (exp <= 63).then_some(Self::Binary(exp))
        }
    }

    /// Converts a count of units to (seconds, nanoseconds).
    fn split(self, units: u64) -> (i64, u32) {
        let per_sec: u128 = match self {
            Self::Decimal(exp) => 10u128.pow(exp),
            Self::Binary(exp) => 1u128 << exp,
        };
        let units = u128::from(units);
        let secs = units / per_sec;
        let nanos = (units % per_sec) * 1_000_000_000 / per_sec;
        (
            i64::try_from(secs).unwrap_or(i64::MAX),
            u32::try_from(nanos).unwrap_or(0),
        )
    }
}

/// The parser state of a pcapng file.
pub(super) struct PcapngState {
    big_endian: bool,
    interfaces: Vec<Interface>,
}

impl PcapngState {
    pub(super) fn new() -> Self {
        Self {
            big_endian: false,
            interfaces: Vec::new(),
        }
    }

    fn u32_at(&self, data: &[u8], at: usize) -> u32 {
        let bytes = [data[at], data[at + 1], data[at + 2], data[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        }
    }

    pub(super) fn next(&self, data: &[u8], offset: u64) -> Result<Next, CaptureError> {
        let is_shb = data.len() >= 4 && data[..4] == SHB_TYPE;
        let header = if is_shb { 12 } else { 8 };
        if data.len() < header {
            return Ok(Next::NeedAtLeast(header));
        }
        let length = if is_shb {
            // A section header carries its own byte-order magic, 0x1A2B3C4D.
            match data[8..12] {
                [0x4d, 0x3c, 0x2b, 0x1a] => {
                    u32::from_le_bytes([data[4], data[5], data[6], data[7]])
                }
                [0x1a, 0x2b, 0x3c, 0x4d] => {
                    u32::from_be_bytes([data[4], data[5], data[6], data[7]])
                }
                _ => {
                    return Err(malformed(
                        "pcapng section header block",
                        format!(
                            "unknown byte-order magic {:02x}{:02x}{:02x}{:02x}",
                            data[8], data[9], data[10], data[11]
                        ),
                        offset,
                    ));
                }
            }
        } else {
            self.u32_at(data, 4)
        };
        let length = u64::from(length);
        if length > MAX_BLOCK_LEN {
            return Err(bad_length(length, MAX_BLOCK_LEN, offset));
        }
        let min = if is_shb { 28 } else { 12 };
        if length < min {
            return Err(bad_length(length, min, offset));
        }
        if length % 4 != 0 {
            return Err(malformed(
                "pcapng block",
                format!("its length {length} is not a multiple of 4"),
                offset,
            ));
        }
        Ok(Next::Unit(length as usize))
    }

    pub(super) fn handle(
        &mut self,
        unit: &[u8],
        offset: u64,
        info: &mut CaptureInfo,
        sink: &mut impl FrameSink,
    ) -> Result<(), CaptureError> {
        if unit[..4] == SHB_TYPE {
            // A new section: new byte order, new interfaces.
            self.big_endian = unit[8..12] == [0x1a, 0x2b, 0x3c, 0x4d];
            self.interfaces.clear();
        }
        let block_type = self.u32_at(unit, 0);
        if block_type == OBSOLETE_PACKET_BLOCK {
            return self.obsolete_packet(unit, offset, info, sink);
        }
        let parsed = if self.big_endian {
            parse_block_be(unit)
        } else {
            parse_block_le(unit)
        };
        let block = match parsed {
            Ok((_, block)) => block,
            Err(err) => {
                return Err(malformed(
                    block_name(block_type),
                    match err {
                        nom::Err::Incomplete(_) => {
                            "its fields run past the end of the block".to_string()
                        }
                        nom::Err::Error(_) | nom::Err::Failure(_) => {
                            "its content does not match its type".to_string()
                        }
                    },
                    offset,
                ));
            }
        };
        match block {
            Block::SectionHeader(shb) => {
                if shb.major_version != 1 {
                    return Err(malformed(
                        "pcapng section header block",
                        format!("unsupported major version {}", shb.major_version),
                        offset,
                    ));
                }
            }
            Block::InterfaceDescription(idb) => {
                if self.interfaces.len() >= MAX_INTERFACES {
                    return Err(malformed(
                        "pcapng interface description block",
                        format!("more than {MAX_INTERFACES} interfaces in one section"),
                        offset,
                    ));
                }
                let interface = self.interface_from(&idb, offset)?;
                self.interfaces.push(interface);
            }
            Block::EnhancedPacket(epb) => {
                let interface = self.interface(epb.if_id, offset)?;
                let data = epb.data.get(..epb.caplen as usize).unwrap_or(epb.data);
                let units = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                emit_timed(interface, epb.if_id, units, data, epb.origlen, info, sink);
            }
            Block::SimplePacket(spb) => {
                let interface = self.interface(0, offset)?;
                let data = spb.data.get(..spb.origlen as usize).unwrap_or(spb.data);
                info.frames += 1;
                sink.frame(&Frame {
                    number: info.frames,
                    timestamp: None,
                    link_type: interface.link_type,
                    data,
                    original_len: spb.origlen,
                    interface: 0,
                });
            }
            Block::DecryptionSecrets(dsb) => {
                let len = (dsb.secrets_len as usize).min(dsb.data.len());
                sink.secrets(dsb.secrets_type.0, &dsb.data[..len], info.frames + 1);
            }
            _ => info.skipped_blocks += 1,
        }
        Ok(())
    }

    /// Reads the link type, `if_tsresol` and `if_tsoffset` (in this section's byte order).
    fn interface_from(
        &self,
        idb: &InterfaceDescriptionBlock<'_>,
        offset: u64,
    ) -> Result<Interface, CaptureError> {
        let mut interface = Interface {
            // pcap-parser widens the 16-bit field to i32, so it is never negative.
            link_type: LinkType(idb.linktype.0.unsigned_abs()),
            resolution: Resolution::Decimal(6),
            offset_secs: 0,
        };
        for option in &idb.options {
            let value: &[u8] = &option.value;
            match (option.code.0, value) {
                (9, [resolution, ..]) => {
                    interface.resolution =
                        Resolution::from_option(*resolution).ok_or_else(|| {
                            malformed(
                                "pcapng interface description block",
                                format!("impossible if_tsresol {resolution:#04x}"),
                                offset,
                            )
                        })?;
                }
                (14, value) => {
                    if let Some(bytes) = value.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
                        interface.offset_secs = if self.big_endian {
                            i64::from_be_bytes(bytes)
                        } else {
                            i64::from_le_bytes(bytes)
                        };
                    }
                }
                _ => {}
            }
        }
        Ok(interface)
    }

    fn interface(&self, id: u32, offset: u64) -> Result<Interface, CaptureError> {
        self.interfaces.get(id as usize).copied().ok_or_else(|| {
            malformed(
                "pcapng packet block",
                format!(
                    "it names interface {id}, but the section has {} interface description block{}",
                    self.interfaces.len(),
                    if self.interfaces.len() == 1 { "" } else { "s" }
                ),
                offset,
            )
        })
    }

    /// Packet Block (type 2, obsolete since pcapng 1.0 but still written by old tools):
    /// interface id (16), drops count (16), timestamp (64), captured length, packet length, data.
    fn obsolete_packet(
        &self,
        unit: &[u8],
        offset: u64,
        info: &mut CaptureInfo,
        sink: &mut impl FrameSink,
    ) -> Result<(), CaptureError> {
        if unit.len() < 32 {
            return Err(bad_length(unit.len() as u64, 32, offset));
        }
        let u16_at = |at: usize| {
            let bytes = [unit[at], unit[at + 1]];
            if self.big_endian {
                u16::from_be_bytes(bytes)
            } else {
                u16::from_le_bytes(bytes)
            }
        };
        let interface = self.interface(u32::from(u16_at(8)), offset)?;
        let units = (u64::from(self.u32_at(unit, 12)) << 32) | u64::from(self.u32_at(unit, 16));
        let caplen = self.u32_at(unit, 20) as usize;
        let original_len = self.u32_at(unit, 24);
        let body = &unit[28..unit.len() - 4];
        let data = body.get(..caplen).ok_or_else(|| {
            malformed(
                "pcapng packet block",
                format!("its captured length {caplen} runs past the end of the block"),
                offset,
            )
        })?;
        emit_timed(
            interface,
            u32::from(u16_at(8)),
            units,
            data,
            original_len,
            info,
            sink,
        );
        Ok(())
    }
}

/// Numbers a packet and hands it to the sink, its timestamp read in the interface's units.
fn emit_timed(
    interface: Interface,
    interface_id: u32,
    units: u64,
    data: &[u8],
    original_len: u32,
    info: &mut CaptureInfo,
    sink: &mut impl FrameSink,
) {
    let (secs, nanos) = interface.resolution.split(units);
    info.frames += 1;
    sink.frame(&Frame {
        number: info.frames,
        timestamp: Some(Timestamp::from_parts(
            secs.saturating_add(interface.offset_secs),
            nanos,
        )),
        link_type: interface.link_type,
        data,
        original_len,
        interface: interface_id,
    });
}

fn block_name(block_type: u32) -> &'static str {
    match block_type {
        0x0a0d_0d0a => "pcapng section header block",
        1 => "pcapng interface description block",
        3 => "pcapng simple packet block",
        4 => "pcapng name resolution block",
        5 => "pcapng interface statistics block",
        6 => "pcapng enhanced packet block",
        0x0a => "pcapng decryption secrets block",
        _ => "pcapng block",
    }
}

fn malformed(what: &'static str, why: String, offset: u64) -> CaptureError {
    CaptureError {
        kind: CaptureErrorKind::Malformed { what, why },
        offset,
    }
}

fn bad_length(length: u64, limit: u64, offset: u64) -> CaptureError {
    CaptureError {
        kind: CaptureErrorKind::BadLength {
            what: "pcapng block",
            length,
            limit,
        },
        offset,
    }
}
