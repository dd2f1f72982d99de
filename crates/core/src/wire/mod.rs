//! Link layer → IP → TCP: from a frame's bytes to a TCP segment, without copying.
//!
//! Supported: Ethernet II with any stack of 802.1Q / 802.1ad / QinQ tags, PPPoE sessions and
//! MPLS; Linux cooked captures v1 and v2 (`tcpdump -i any`); BSD and OpenBSD loopback; raw IP;
//! NFLOG; PPP. IPv4 (options) and IPv6 (hop-by-hop, routing, destination options, AH and fragment
//! headers). Tunnels that Wireshark follows by default are followed too: IP-in-IP (4 and 41),
//! GRE (including transparent Ethernet bridging), VXLAN on UDP port 4789 and GTP-U on UDP port
//! 2152; the inner TCP
//! segment is the one reported.
//!
//! ## No-panic contract
//! Every read goes through a bounds-checked `Bytes` view, which checks its bounds and answers `None` instead of
//! panicking; a short or malformed header yields [`NotTcp::Truncated`] or [`NotTcp::Malformed`]
//! naming the layer. IP fragments are reported as [`NotTcp::Fragment`] (not reassembled).
//!
//! RFCs: 791 (IPv4), 8200 (IPv6), 9293 (TCP), 2784/2890 (GRE), 7348 (VXLAN), 2516 (PPPoE).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::capture::LinkType;

/// Nested tunnels deeper than this are not followed.
const MAX_TUNNEL_DEPTH: u8 = 4;
/// At most this many VLAN tags or MPLS labels are skipped.
const MAX_TAGS: usize = 16;

/// TCP header flags (RFC 9293 §3.1).
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push function.
    pub const PSH: u8 = 0x08;
    /// Acknowledgment field is significant.
    pub const ACK: u8 = 0x10;

    /// FIN is set.
    pub fn fin(self) -> bool {
        self.0 & Self::FIN != 0
    }
    /// SYN is set.
    pub fn syn(self) -> bool {
        self.0 & Self::SYN != 0
    }
    /// RST is set.
    pub fn rst(self) -> bool {
        self.0 & Self::RST != 0
    }
    /// ACK is set.
    pub fn ack(self) -> bool {
        self.0 & Self::ACK != 0
    }
}

/// A decoded TCP segment, borrowing its payload from the frame.
#[derive(Clone, Copy, Debug)]
pub struct TcpSegment<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Flags.
    pub flags: TcpFlags,
    /// The payload bytes that were captured.
    pub payload: &'a [u8],
    /// The payload length the IP header declares (more than `payload.len()` when the frame was
    /// cut by the snapshot length).
    pub payload_len: u32,
}

/// Why a frame carries no TCP segment this tool can use.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub enum NotTcp {
    /// A link type this tool does not decode.
    UnknownLinkType(LinkType),
    /// A link-layer payload that is not IP (ARP, LLDP, …), by EtherType or protocol number.
    NotIp(u16),
    /// An IP packet carrying another transport (UDP, ICMP, …), by IP protocol number.
    OtherTransport(u8),
    /// An IP fragment (fragments are not reassembled).
    Fragment,
    /// A header cut short by the capture's snapshot length, at the named layer.
    Truncated(&'static str),
    /// A header whose fields are impossible, at the named layer.
    Malformed(&'static str),
}

/// Bounds-checked reads from a byte slice.
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }
    fn u16(self, at: usize) -> Option<u16> {
        Some(u16::from_be_bytes([self.u8(at)?, self.u8(at + 1)?]))
    }
    fn u32(self, at: usize) -> Option<u32> {
        Some(u32::from_be_bytes([
            self.u8(at)?,
            self.u8(at + 1)?,
            self.u8(at + 2)?,
            self.u8(at + 3)?,
        ]))
    }
    fn from(self, at: usize) -> Option<&'a [u8]> {
        self.0.get(at..)
    }
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: [u16; 3] = [0x8100, 0x88a8, 0x9100];
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
const ETHERTYPE_MPLS: [u16; 2] = [0x8847, 0x8848];
const ETHERTYPE_TEB: u16 = 0x6558;

/// Decodes one frame down to its TCP segment.
pub fn decode(link_type: LinkType, data: &[u8]) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    match link_type {
        LinkType::ETHERNET => ethernet(data, 0),
        LinkType::NULL => {
            let family = bytes.u32(0).ok_or(NotTcp::Truncated("loopback"))?;
            // The family is in the capturing host's byte order: accept both.
            let family = if family > 0xffff {
                family.swap_bytes()
            } else {
                family
            };
            null_family(family, bytes.from(4).unwrap_or_default())
        }
        LinkType::LOOP => {
            let family = bytes.u32(0).ok_or(NotTcp::Truncated("loopback"))?;
            null_family(family, bytes.from(4).unwrap_or_default())
        }
        LinkType::RAW | LinkType::RAW_BSD | LinkType(14) | LinkType::IPV4 | LinkType::IPV6 => {
            ip(data, 0)
        }
        LinkType::LINUX_SLL => {
            let protocol = bytes
                .u16(14)
                .ok_or(NotTcp::Truncated("linux cooked header"))?;
            ethertype(protocol, bytes.from(16).unwrap_or_default(), 0)
        }
        LinkType::LINUX_SLL2 => {
            let protocol = bytes
                .u16(0)
                .ok_or(NotTcp::Truncated("linux cooked v2 header"))?;
            if data.len() < 20 {
                return Err(NotTcp::Truncated("linux cooked v2 header"));
            }
            ethertype(protocol, bytes.from(20).unwrap_or_default(), 0)
        }
        LinkType::NFLOG => nflog(data),
        LinkType::PPP | LinkType::PPP_HDLC => ppp(data, 0),
        other => Err(NotTcp::UnknownLinkType(other)),
    }
}

fn null_family(family: u32, payload: &[u8]) -> Result<TcpSegment<'_>, NotTcp> {
    match family {
        // AF_INET everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
        2 | 10 | 24 | 28 | 30 => ip(payload, 0),
        other => Err(NotTcp::NotIp(other as u16)),
    }
}

fn ethernet(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    let kind = bytes.u16(12).ok_or(NotTcp::Truncated("ethernet"))?;
    ethertype(kind, bytes.from(14).unwrap_or_default(), depth)
}

/// Follows an EtherType through VLAN tags, PPPoE and MPLS to IP.
fn ethertype(mut kind: u16, mut data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    for _ in 0..MAX_TAGS {
        let bytes = Bytes(data);
        if ETHERTYPE_VLAN.contains(&kind) {
            kind = bytes.u16(2).ok_or(NotTcp::Truncated("vlan tag"))?;
            data = bytes.from(4).unwrap_or_default();
            continue;
        }
        return match kind {
            ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => ip(data, depth),
            ETHERTYPE_PPPOE_SESSION => {
                // RFC 2516 §4: ver/type, code, session id, length; then the PPP protocol field.
                let protocol = bytes.u16(6).ok_or(NotTcp::Truncated("pppoe"))?;
                ppp_protocol(protocol, bytes.from(8).unwrap_or_default(), depth)
            }
            k if ETHERTYPE_MPLS.contains(&k) => mpls(data, depth),
            ETHERTYPE_TEB if depth > 0 => ethernet(data, depth),
            other => Err(NotTcp::NotIp(other)),
        };
    }
    Err(NotTcp::Malformed("vlan tag"))
}

fn mpls(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let mut at = 0;
    for _ in 0..MAX_TAGS {
        let label = Bytes(data).u32(at).ok_or(NotTcp::Truncated("mpls"))?;
        at += 4;
        if label & 0x100 != 0 {
            // Bottom of stack: guess the payload from the first nibble, as Wireshark does.
            let payload = Bytes(data).from(at).unwrap_or_default();
            return match payload.first().map(|b| b >> 4) {
                Some(4 | 6) => ip(payload, depth),
                Some(_) => Err(NotTcp::NotIp(0x8847)),
                None => Err(NotTcp::Truncated("mpls")),
            };
        }
    }
    Err(NotTcp::Malformed("mpls"))
}

fn ppp(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let mut rest = data;
    // Address and control fields (0xff 0x03) of HDLC-like framing, when present.
    if rest.starts_with(&[0xff, 0x03]) {
        rest = &rest[2..];
    }
    let bytes = Bytes(rest);
    let first = bytes.u8(0).ok_or(NotTcp::Truncated("ppp"))?;
    if first & 1 == 1 {
        // A compressed (one-byte) protocol field.
        ppp_protocol(u16::from(first), bytes.from(1).unwrap_or_default(), depth)
    } else {
        let protocol = bytes.u16(0).ok_or(NotTcp::Truncated("ppp"))?;
        ppp_protocol(protocol, bytes.from(2).unwrap_or_default(), depth)
    }
}

fn ppp_protocol(protocol: u16, data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    match protocol {
        0x0021 | 0x0057 => ip(data, depth),
        other => Err(NotTcp::NotIp(other)),
    }
}

/// NFLOG: a 4-byte header, then type-length-value attributes; type 9 holds the packet.
fn nflog(data: &[u8]) -> Result<TcpSegment<'_>, NotTcp> {
    let mut at = 4;
    if data.len() < at {
        return Err(NotTcp::Truncated("nflog"));
    }
    loop {
        let bytes = Bytes(data);
        let (Some(len_lo), Some(len_hi), Some(kind_lo), Some(kind_hi)) = (
            bytes.u8(at),
            bytes.u8(at + 1),
            bytes.u8(at + 2),
            bytes.u8(at + 3),
        ) else {
            return Err(NotTcp::Truncated("nflog"));
        };
        // Lengths and types are in the capturing host's byte order (little-endian in practice).
        let len = usize::from(u16::from_le_bytes([len_lo, len_hi]));
        let kind = u16::from_le_bytes([kind_lo, kind_hi]);
        if len < 4 {
            return Err(NotTcp::Malformed("nflog"));
        }
        if kind == 9 {
            let end = (at + len).min(data.len());
            return ip(&data[at + 4..end.max(at + 4)], 0);
        }
        at += len.div_ceil(4) * 4;
    }
}

/// IPv4 or IPv6, told apart by the version nibble.
fn ip(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    match data.first().map(|b| b >> 4) {
        Some(4) => ipv4(data, depth),
        Some(6) => ipv6(data, depth),
        Some(_) => Err(NotTcp::Malformed("ip version")),
        None => Err(NotTcp::Truncated("ip")),
    }
}

fn ipv4(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    if data.len() < 20 {
        return Err(NotTcp::Truncated("ipv4"));
    }
    let header_len = usize::from(data[0] & 0x0f) * 4;
    if header_len < 20 {
        return Err(NotTcp::Malformed("ipv4"));
    }
    if data.len() < header_len {
        return Err(NotTcp::Truncated("ipv4"));
    }
    let total_len = usize::from(bytes.u16(2).unwrap_or(0));
    let fragment = bytes.u16(6).unwrap_or(0);
    if fragment & 0x3fff != 0 {
        // More-fragments set, or a non-zero offset.
        return Err(NotTcp::Fragment);
    }
    // A total length of 0 is what TCP segmentation offload leaves: the frame length rules.
    let declared = if total_len == 0 {
        data.len().saturating_sub(header_len)
    } else if total_len < header_len {
        return Err(NotTcp::Malformed("ipv4"));
    } else {
        total_len - header_len
    };
    let src = IpAddr::V4(Ipv4Addr::new(data[12], data[13], data[14], data[15]));
    let dst = IpAddr::V4(Ipv4Addr::new(data[16], data[17], data[18], data[19]));
    let end = (header_len + declared).min(data.len());
    transport(data[9], src, dst, &data[header_len..end], declared, depth)
}

fn ipv6(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    if data.len() < 40 {
        return Err(NotTcp::Truncated("ipv6"));
    }
    let bytes = Bytes(data);
    let payload_len = usize::from(bytes.u16(4).unwrap_or(0));
    let mut next = data[6];
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src.copy_from_slice(&data[8..24]);
    dst.copy_from_slice(&data[24..40]);
    let (src, dst) = (
        IpAddr::V6(Ipv6Addr::from(src)),
        IpAddr::V6(Ipv6Addr::from(dst)),
    );
    // A payload length of 0 means a jumbogram or offload: the frame length rules.
    let declared_end = if payload_len == 0 {
        data.len()
    } else {
        40 + payload_len
    };
    let mut at = 40;
    for _ in 0..MAX_TAGS {
        let header = Bytes(data.get(at..).unwrap_or_default());
        match next {
            // Hop-by-hop, routing, destination options: (length + 1) * 8 bytes.
            0 | 43 | 60 => {
                let len = header
                    .u8(1)
                    .ok_or(NotTcp::Truncated("ipv6 extension header"))?;
                next = header
                    .u8(0)
                    .ok_or(NotTcp::Truncated("ipv6 extension header"))?;
                at += (usize::from(len) + 1) * 8;
            }
            // Fragment header: offset or more-fragments set means a fragment.
            44 => {
                let offset_flags = header
                    .u16(2)
                    .ok_or(NotTcp::Truncated("ipv6 fragment header"))?;
                if offset_flags & 0xfff9 != 0 {
                    return Err(NotTcp::Fragment);
                }
                next = header
                    .u8(0)
                    .ok_or(NotTcp::Truncated("ipv6 fragment header"))?;
                at += 8;
            }
            // Authentication header: (length + 2) * 4 bytes.
            51 => {
                let len = header
                    .u8(1)
                    .ok_or(NotTcp::Truncated("ipv6 extension header"))?;
                next = header
                    .u8(0)
                    .ok_or(NotTcp::Truncated("ipv6 extension header"))?;
                at += (usize::from(len) + 2) * 4;
            }
            _ => {
                if at > declared_end {
                    return Err(NotTcp::Malformed("ipv6 extension header"));
                }
                let declared = declared_end - at;
                let end = declared_end.min(data.len());
                let payload = data.get(at..end).ok_or(NotTcp::Truncated("ipv6"))?;
                return transport(next, src, dst, payload, declared, depth);
            }
        }
    }
    Err(NotTcp::Malformed("ipv6 extension header"))
}

fn transport(
    protocol: u8,
    src: IpAddr,
    dst: IpAddr,
    data: &[u8],
    declared: usize,
    depth: u8,
) -> Result<TcpSegment<'_>, NotTcp> {
    match protocol {
        6 => tcp(src, dst, data, declared),
        4 | 41 if depth < MAX_TUNNEL_DEPTH => ip(data, depth + 1),
        47 if depth < MAX_TUNNEL_DEPTH => gre(data, depth + 1),
        17 if depth < MAX_TUNNEL_DEPTH => {
            let bytes = Bytes(data);
            match bytes.u16(2) {
                // VXLAN (RFC 7348): 8-byte UDP header, 8-byte VXLAN header, then Ethernet.
                Some(4789) => ethernet(bytes.from(16).unwrap_or_default(), depth + 1),
                // GTP-U (3GPP TS 29.281), as mobile-network captures carry user traffic.
                Some(2152) => gtp_u(bytes.from(8).unwrap_or_default(), depth + 1),
                _ => Err(NotTcp::OtherTransport(17)),
            }
        }
        other => Err(NotTcp::OtherTransport(other)),
    }
}

/// GTP-U version 1: an 8-byte header, optional sequence/N-PDU/extension fields, then a T-PDU.
fn gtp_u(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    let flags = bytes.u8(0).ok_or(NotTcp::Truncated("gtp"))?;
    let message_type = bytes.u8(1).ok_or(NotTcp::Truncated("gtp"))?;
    // Version 1, protocol type GTP, message type G-PDU (255): anything else carries no packet.
    if flags >> 5 != 1 || flags & 0x10 == 0 || message_type != 0xff {
        return Err(NotTcp::OtherTransport(17));
    }
    let mut at = 8;
    if flags & 0x07 != 0 {
        // Sequence number, N-PDU number and the first extension header type.
        let mut next = bytes.u8(11).ok_or(NotTcp::Truncated("gtp"))?;
        at = 12;
        for _ in 0..MAX_TAGS {
            if flags & 0x04 == 0 || next == 0 {
                break;
            }
            let len = usize::from(bytes.u8(at).ok_or(NotTcp::Truncated("gtp"))?) * 4;
            if len == 0 {
                return Err(NotTcp::Malformed("gtp"));
            }
            next = bytes.u8(at + len - 1).ok_or(NotTcp::Truncated("gtp"))?;
            at += len;
        }
    }
    ip(bytes.from(at).unwrap_or_default(), depth)
}

/// GRE (RFC 2784, with the optional fields of RFC 2890).
fn gre(data: &[u8], depth: u8) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    let flags = bytes.u16(0).ok_or(NotTcp::Truncated("gre"))?;
    let protocol = bytes.u16(2).ok_or(NotTcp::Truncated("gre"))?;
    if flags & 0x0007 != 0 {
        // Version 1 is PPTP's enhanced GRE, which carries PPP.
        return Err(NotTcp::NotIp(protocol));
    }
    let mut at = 4;
    for bit in [0x8000u16, 0x2000, 0x1000] {
        // Checksum (+ reserved), key, sequence number: 4 bytes each when present.
        if flags & bit != 0 {
            at += 4;
        }
    }
    ethertype(protocol, bytes.from(at).unwrap_or_default(), depth)
}

fn tcp(src: IpAddr, dst: IpAddr, data: &[u8], declared: usize) -> Result<TcpSegment<'_>, NotTcp> {
    let bytes = Bytes(data);
    if data.len() < 20 {
        return Err(NotTcp::Truncated("tcp"));
    }
    let header_len = usize::from(data[12] >> 4) * 4;
    if header_len < 20 || header_len > declared {
        return Err(NotTcp::Malformed("tcp"));
    }
    if data.len() < header_len {
        return Err(NotTcp::Truncated("tcp"));
    }
    Ok(TcpSegment {
        src,
        dst,
        src_port: bytes.u16(0).unwrap_or(0),
        dst_port: bytes.u16(2).unwrap_or(0),
        seq: bytes.u32(4).unwrap_or(0),
        ack: bytes.u32(8).unwrap_or(0),
        flags: TcpFlags(data[13]),
        payload: &data[header_len..],
        payload_len: u32::try_from(declared - header_len).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TCP header: ports 40000 → 443, seq 7, ack 9, data offset 5, flags, window, no options.
    fn tcp_header(flags: u8) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend(40000u16.to_be_bytes());
        v.extend(443u16.to_be_bytes());
        v.extend(7u32.to_be_bytes());
        v.extend(9u32.to_be_bytes());
        v.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        v
    }

    /// IPv4 header (no options) 10.0.0.1 → 10.0.0.2 around `payload`.
    fn ipv4(protocol: u8, fragment: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0x45, 0];
        v.extend((20 + payload.len() as u16).to_be_bytes());
        v.extend([0, 0]);
        v.extend(fragment.to_be_bytes());
        v.extend([64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        v.extend(payload);
        v
    }

    /// IPv6 header ::1 → ::2 with `next` header around `payload`.
    fn ipv6(next: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0x60, 0, 0, 0];
        v.extend((payload.len() as u16).to_be_bytes());
        v.extend([next, 64]);
        v.extend(Ipv6Addr::LOCALHOST.octets());
        v.extend(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 2).octets());
        v.extend(payload);
        v
    }

    fn segment_with_payload() -> Vec<u8> {
        let mut v = tcp_header(0x18);
        v.extend(b"hello");
        v
    }

    fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0u8; 12];
        v.extend(ethertype.to_be_bytes());
        v.extend(payload);
        v
    }

    fn assert_tcp(result: Result<TcpSegment<'_>, NotTcp>, src: &str) {
        let seg = result.expect("a TCP segment");
        assert_eq!(seg.src.to_string(), src);
        assert_eq!(
            (seg.src_port, seg.dst_port, seg.seq, seg.ack),
            (40000, 443, 7, 9)
        );
        assert_eq!(seg.payload, b"hello");
        assert_eq!(seg.payload_len, 5);
    }

    #[test]
    fn ethernet_ipv4_tcp() {
        let frame = ethernet(0x0800, &ipv4(6, 0x4000, &segment_with_payload()));
        assert_tcp(decode(LinkType::ETHERNET, &frame), "10.0.0.1");
    }

    #[test]
    fn vlan_and_qinq_tags_are_skipped() {
        let inner = ipv4(6, 0, &segment_with_payload());
        let mut tagged = vec![0x00, 0x64];
        tagged.extend(0x0800u16.to_be_bytes());
        tagged.extend(&inner);
        assert_tcp(
            decode(LinkType::ETHERNET, &ethernet(0x8100, &tagged)),
            "10.0.0.1",
        );
        let mut outer = vec![0x00, 0x0a];
        outer.extend(0x8100u16.to_be_bytes());
        outer.extend(&tagged);
        assert_tcp(
            decode(LinkType::ETHERNET, &ethernet(0x88a8, &outer)),
            "10.0.0.1",
        );
    }

    #[test]
    fn linux_cooked_v1_and_v2() {
        let packet = ipv6(6, &segment_with_payload());
        let mut sll = vec![0u8; 14];
        sll.extend(0x86ddu16.to_be_bytes());
        sll.extend(&packet);
        assert_tcp(decode(LinkType::LINUX_SLL, &sll), "::1");
        let mut sll2 = 0x86ddu16.to_be_bytes().to_vec();
        sll2.extend([0u8; 18]);
        sll2.extend(&packet);
        assert_tcp(decode(LinkType::LINUX_SLL2, &sll2), "::1");
    }

    #[test]
    fn bsd_loopback_in_either_byte_order() {
        let packet = ipv4(6, 0, &segment_with_payload());
        for family in [2u32.to_le_bytes(), 2u32.to_be_bytes()] {
            let mut frame = family.to_vec();
            frame.extend(&packet);
            assert_tcp(decode(LinkType::NULL, &frame), "10.0.0.1");
        }
        let mut v6 = 30u32.to_le_bytes().to_vec();
        v6.extend(ipv6(6, &segment_with_payload()));
        assert_tcp(decode(LinkType::NULL, &v6), "::1");
    }

    #[test]
    fn ipv6_extension_headers_are_followed_and_fragments_reported() {
        // Hop-by-hop (8 bytes) then an atomic fragment header (offset 0, M=0): not a fragment.
        let mut ext = vec![44, 0, 0, 0, 0, 0, 0, 0];
        ext.extend([6, 0, 0, 0, 0, 0, 0, 1]);
        ext.extend(segment_with_payload());
        assert_tcp(decode(LinkType::RAW, &ipv6(0, &ext)), "::1");
        // A first fragment (M=1).
        let mut frag = vec![6, 0, 0, 1, 0, 0, 0, 1];
        frag.extend(segment_with_payload());
        assert_eq!(
            decode(LinkType::RAW, &ipv6(44, &frag)).err(),
            Some(NotTcp::Fragment)
        );
        // An IPv4 fragment (offset 8).
        let packet = ipv4(6, 1, &segment_with_payload());
        assert_eq!(decode(LinkType::RAW, &packet).err(), Some(NotTcp::Fragment));
    }

    #[test]
    fn tunnels_are_followed_to_the_inner_segment() {
        let inner = ipv4(6, 0, &segment_with_payload());
        // 6in4.
        let six_in_four = ipv4(41, 0, &ipv6(6, &segment_with_payload()));
        assert_tcp(decode(LinkType::RAW, &six_in_four), "::1");
        // GRE with a key (K bit), carrying IPv4.
        let mut gre = vec![0x20, 0x00, 0x08, 0x00, 0, 0, 0, 1];
        gre.extend(&inner);
        assert_tcp(decode(LinkType::RAW, &ipv4(47, 0, &gre)), "10.0.0.1");
        // VXLAN: UDP to 4789, 8-byte VXLAN header, Ethernet.
        let mut vxlan = vec![
            0xc0, 0x00, 0x12, 0xb5, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 1, 0,
        ];
        vxlan.extend(ethernet(0x0800, &inner));
        assert_tcp(decode(LinkType::RAW, &ipv4(17, 0, &vxlan)), "10.0.0.1");
        // GTP-U: UDP to 2152, G-PDU with a sequence number.
        let mut gtp = vec![0x08, 0x68, 0x08, 0x68, 0, 0, 0, 0];
        gtp.extend([0x32, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        gtp.extend(&inner);
        assert_tcp(decode(LinkType::RAW, &ipv4(17, 0, &gtp)), "10.0.0.1");
        // PPPoE session carrying IPv4.
        let mut pppoe = vec![0x11, 0, 0, 1, 0, 0];
        pppoe.extend(0x0021u16.to_be_bytes());
        pppoe.extend(&inner);
        assert_tcp(
            decode(LinkType::ETHERNET, &ethernet(0x8864, &pppoe)),
            "10.0.0.1",
        );
        // MPLS, one label with bottom-of-stack.
        let mut mpls = vec![0, 0, 0x11, 64];
        mpls.extend(&inner);
        assert_tcp(
            decode(LinkType::ETHERNET, &ethernet(0x8847, &mpls)),
            "10.0.0.1",
        );
    }

    #[test]
    fn other_traffic_is_named() {
        assert_eq!(
            decode(LinkType::ETHERNET, &ethernet(0x0806, &[0; 28])).err(),
            Some(NotTcp::NotIp(0x0806))
        );
        assert_eq!(
            decode(LinkType::RAW, &ipv4(17, 0, &[0, 53, 0, 53, 0, 8, 0, 0])).err(),
            Some(NotTcp::OtherTransport(17))
        );
        assert_eq!(
            decode(LinkType(105), &[0; 40]).err(),
            Some(NotTcp::UnknownLinkType(LinkType(105)))
        );
    }

    #[test]
    fn truncated_and_malformed_headers_are_reported_not_panicked_on() {
        let frame = ethernet(0x0800, &ipv4(6, 0, &segment_with_payload()));
        for cut in 0..frame.len() {
            let _ = decode(LinkType::ETHERNET, &frame[..cut]);
        }
        assert_eq!(
            decode(LinkType::ETHERNET, &frame[..14 + 20 + 10]).err(),
            Some(NotTcp::Truncated("tcp"))
        );
        // Snapshot length cut inside the payload: the segment is there, with fewer bytes.
        let seg = decode(LinkType::ETHERNET, &frame[..frame.len() - 2]).expect("segment");
        assert_eq!((seg.payload, seg.payload_len), (&b"hel"[..], 5));
        // A TCP data offset beyond the IP payload.
        let mut bad = tcp_header(0x10);
        bad[12] = 0xf0;
        assert_eq!(
            decode(LinkType::RAW, &ipv4(6, 0, &bad)).err(),
            Some(NotTcp::Malformed("tcp"))
        );
    }
}
