//! The floor: the least any TLS-aware reader of a capture must do. It iterates the pcap records
//! with pcap-parser, parses Ethernet, IPv4/IPv6 and TCP headers, looks the flow up in a hash
//! table, and walks the TLS record headers of each direction's in-order bytes. It diagnoses
//! nothing; the analyser's time over the floor's is the cost of everything else.

use std::io::Read;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError};
use rustc_hash::FxHashMap;

/// A direction's position in its byte stream.
#[derive(Default)]
struct Direction {
    next_seq: Option<u32>,
    /// Bytes left of the current record's body.
    remaining: usize,
    header: [u8; 5],
    header_len: usize,
}

/// What the floor counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Packet records read.
    pub frames: u64,
    /// TCP segments among them.
    pub tcp: u64,
    /// Distinct flows.
    pub flows: usize,
    /// TLS record headers walked.
    pub records: u64,
}

type Key = ([u8; 16], [u8; 16], u16, u16);

/// Walks a classic pcap from `input` (records only, with `walk` false: the iteration floor).
pub fn run(input: impl Read, walk: bool) -> anyhow::Result<Counts> {
    let mut reader = LegacyPcapReader::new(1 << 20, input)
        .map_err(|e| anyhow::anyhow!("not a classic pcap: {e:?}"))?;
    let mut flows: FxHashMap<Key, [Direction; 2]> = FxHashMap::default();
    let mut counts = Counts::default();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                if let PcapBlockOwned::Legacy(packet) = block {
                    counts.frames += 1;
                    if walk {
                        segment(packet.data, &mut flows, &mut counts);
                    }
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                reader
                    .refill()
                    .map_err(|e| anyhow::anyhow!("reading: {e:?}"))?;
            }
            Err(e) => anyhow::bail!("reading: {e:?}"),
        }
    }
    counts.flows = flows.len();
    Ok(counts)
}

fn segment(frame: &[u8], flows: &mut FxHashMap<Key, [Direction; 2]>, counts: &mut Counts) {
    let Some(ether_type) = frame.get(12..14) else {
        return;
    };
    let (mut src, mut dst) = ([0u8; 16], [0u8; 16]);
    let tcp_at = match u16::from_be_bytes([ether_type[0], ether_type[1]]) {
        0x0800 => {
            let Some(ip) = frame.get(14..34) else { return };
            if ip[9] != 6 {
                return;
            }
            src[..4].copy_from_slice(&ip[12..16]);
            dst[..4].copy_from_slice(&ip[16..20]);
            14 + usize::from(ip[0] & 0x0f) * 4
        }
        0x86dd => {
            let Some(ip) = frame.get(14..54) else { return };
            if ip[6] != 6 {
                return;
            }
            src.copy_from_slice(&ip[8..24]);
            dst.copy_from_slice(&ip[24..40]);
            54
        }
        _ => return,
    };
    let Some(tcp) = frame.get(tcp_at..tcp_at + 20) else {
        return;
    };
    counts.tcp += 1;
    let sport = u16::from_be_bytes([tcp[0], tcp[1]]);
    let dport = u16::from_be_bytes([tcp[2], tcp[3]]);
    let seq = u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]);
    let flags = tcp[13];
    let payload = frame
        .get(tcp_at + usize::from(tcp[12] >> 4) * 4..)
        .unwrap_or(&[]);
    let (key, side) = if (src, sport) <= (dst, dport) {
        ((src, dst, sport, dport), 0)
    } else {
        ((dst, src, dport, sport), 1)
    };
    let dir = &mut flows.entry(key).or_default()[side];
    if flags & 0x02 != 0 {
        dir.next_seq = Some(seq.wrapping_add(1));
        return;
    }
    if payload.is_empty() {
        return;
    }
    if dir.next_seq.is_some_and(|n| n != seq) {
        // Out of order or a retransmission: the floor does not reassemble.
        return;
    }
    dir.next_seq = Some(seq.wrapping_add(payload.len() as u32));
    let mut rest = payload;
    while !rest.is_empty() {
        if dir.remaining > 0 {
            let n = dir.remaining.min(rest.len());
            dir.remaining -= n;
            rest = &rest[n..];
            continue;
        }
        let n = (5 - dir.header_len).min(rest.len());
        dir.header[dir.header_len..dir.header_len + n].copy_from_slice(&rest[..n]);
        dir.header_len += n;
        rest = &rest[n..];
        if dir.header_len == 5 {
            dir.header_len = 0;
            dir.remaining = usize::from(u16::from_be_bytes([dir.header[3], dir.header[4]]));
            counts.records += 1;
        }
    }
}
