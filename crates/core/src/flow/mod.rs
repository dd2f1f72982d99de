//! The connection table: which TCP segments belong to which connection, and who is the client.
//!
//! A connection is keyed by its two endpoints. Like Wireshark's `tcp.stream`, a new SYN on a
//! known pair of endpoints starts a new connection when its initial sequence number differs from
//! the one that side used before (port reuse). Sides are first recorded as A (the sender of the
//! connection's first captured segment) and B; who is client and who is server is decided from
//! the evidence once it is all in ([`Connection::roles`]): a SYN, then a SYN-ACK, then which side
//! sent a TLS ClientHello or ServerHello, then well-known or lower port numbers.

use rustc_hash::FxHashMap as HashMap;
use std::net::IpAddr;

use crate::capture::Timestamp;
use crate::wire::TcpSegment;

/// One end of a TCP connection.
#[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
pub(crate) struct Endpoint {
    /// IP address.
    pub ip: IpAddr,
    /// TCP port.
    pub port: u16,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            IpAddr::V4(ip) => write!(f, "{ip}:{}", self.port),
            IpAddr::V6(ip) => write!(f, "[{ip}]:{}", self.port),
        }
    }
}

/// One side of a connection as first recorded: A sent the first captured segment, B is the
/// other. Who is client and who is server is decided later ([`Connection::roles`]).
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub(crate) enum Side {
    /// The sender of the connection's first captured segment.
    A,
    /// The other endpoint.
    B,
}

impl Side {
    /// Both sides, A first.
    pub(crate) const BOTH: [Self; 2] = [Self::A, Self::B];

    /// The other side.
    pub(crate) fn other(self) -> Self {
        match self {
            Self::A => Self::B,
            Self::B => Self::A,
        }
    }
}

/// One value per side of a connection, indexed by [`Side`].
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub(crate) struct PerSide<T>(pub [T; 2]);

impl<T> std::ops::Index<Side> for PerSide<T> {
    type Output = T;

    fn index(&self, side: Side) -> &T {
        &self.0[side as usize]
    }
}

impl<T> std::ops::IndexMut<Side> for PerSide<T> {
    fn index_mut(&mut self, side: Side) -> &mut T {
        &mut self.0[side as usize]
    }
}

/// Who sent something, once roles are decided.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
pub(crate) enum Party {
    /// The side that opened the connection (or sent the ClientHello).
    Client,
    /// The other side.
    Server,
}

impl Party {
    /// The other party.
    pub(crate) fn other(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }
}

/// The evidence that decided which side is the client.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum RoleBasis {
    /// The client sent the SYN.
    Syn,
    /// The server sent the SYN-ACK.
    SynAck,
    /// The client sent a TLS ClientHello (or the server a ServerHello).
    TlsHello,
    /// The server uses a well-known or the lower port.
    Port,
}

/// How a direction's first payload bytes look.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Opening {
    /// A TLS record holding a ClientHello.
    TlsClientHello,
    /// An SSL 2.0-compatible ClientHello (RFC 5246 Appendix E.2).
    Sslv2ClientHello,
    /// A TLS record holding a ServerHello.
    TlsServerHello,
    /// Another TLS record (handshake, alert, change_cipher_spec or application data).
    TlsRecord,
    /// Printable text, e.g. an HTTP request, an SMTP greeting or a STARTTLS dialogue.
    Text,
    /// Anything else.
    Binary,
}

impl Opening {
    /// Classifies the first bytes of a direction's byte stream.
    pub(crate) fn classify(bytes: &[u8]) -> Self {
        match bytes {
            // ContentType handshake, version 3.x, length, HandshakeType.
            [0x16, 0x03, 0..=4, _, _, 0x01, ..] => Self::TlsClientHello,
            [0x16, 0x03, 0..=4, _, _, 0x02, ..] => Self::TlsServerHello,
            [0x14..=0x18, 0x03, 0..=4, ..] => Self::TlsRecord,
            // SSLv2 record header with the high bit set, msg_type 1, version 2.0 or 3.x.
            [hi, _, 0x01, 0x00 | 0x03, 0x00..=0x04, ..] if hi & 0x80 != 0 => Self::Sslv2ClientHello,
            _ if !bytes.is_empty()
                && bytes
                    .iter()
                    .take(16)
                    .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) =>
            {
                Self::Text
            }
            _ => Self::Binary,
        }
    }

    /// True for the openings of a TLS connection.
    pub(crate) fn is_tls(self) -> bool {
        matches!(
            self,
            Self::TlsClientHello | Self::Sslv2ClientHello | Self::TlsServerHello | Self::TlsRecord
        )
    }
}

/// Bytes kept of a direction's first payload when it is text (16 otherwise).
const MAX_TEXT_OPENING: usize = 512;

/// Counters and first impressions of one side's traffic.
#[derive(Clone, Debug, Default)]
pub(crate) struct SideStats {
    /// Frames sent by this side.
    pub frames: u64,
    /// Bytes of those frames on the wire (frame lengths, as in `tshark -z conv,tcp`).
    pub bytes: u64,
    /// TCP payload bytes declared by the IP headers.
    pub payload_bytes: u64,
    /// Sequence number of this side's SYN, if one was seen.
    pub syn_seq: Option<u32>,
    /// This side sent a SYN-ACK.
    pub sent_syn_ack: bool,
    /// SYN (or SYN-ACK) segments this side sent, retransmissions included.
    pub syns: u32,
    /// The frame of this side's first SYN (or SYN-ACK).
    pub syn_frame: Option<u64>,
    /// This side sent a FIN.
    pub sent_fin: bool,
    /// This side sent a RST.
    pub sent_rst: bool,
    /// The frame of this side's first FIN.
    pub fin_frame: Option<u64>,
    /// The frame of this side's first RST.
    pub rst_frame: Option<u64>,
    /// Base sequence number (the SYN's, or one before the first segment's), for port reuse.
    base_seq: Option<u32>,
    /// The first payload this side sent: frame number, classification and its first bytes (16;
    /// text up to 512).
    pub opening: Option<(u64, Opening, Vec<u8>)>,
    /// Frames of this side whose bytes were cut by the snapshot length.
    pub truncated_frames: u64,
}

impl SideStats {
    /// Takes in one segment this side sent.
    fn count(&mut self, segment: &TcpSegment<'_>, frame: u64, frame_len: u32, truncated: bool) {
        self.frames += 1;
        self.bytes += u64::from(frame_len);
        self.payload_bytes += u64::from(segment.payload_len);
        if truncated {
            self.truncated_frames += 1;
        }
        let flags = segment.flags;
        if flags.syn() {
            self.syns = self.syns.saturating_add(1);
            self.syn_frame.get_or_insert(frame);
            if flags.ack() {
                self.sent_syn_ack = true;
            } else {
                self.syn_seq = Some(segment.seq);
            }
        }
        if self.base_seq.is_none() {
            self.base_seq = Some(if flags.syn() {
                segment.seq
            } else {
                segment.seq.wrapping_sub(1)
            });
        }
        self.sent_fin |= flags.fin();
        self.sent_rst |= flags.rst();
        if flags.fin() {
            self.fin_frame.get_or_insert(frame);
        }
        if flags.rst() {
            self.rst_frame.get_or_insert(frame);
        }
        if self.opening.is_none() && !segment.payload.is_empty() {
            let head = &segment.payload[..segment.payload.len().min(16)];
            let kind = Opening::classify(head);
            // Text is kept longer: a server's answer to plain text says what it expected.
            let keep = if kind == Opening::Text {
                MAX_TEXT_OPENING
            } else {
                16
            };
            let head = &segment.payload[..segment.payload.len().min(keep)];
            self.opening = Some((frame, kind, head.to_vec()));
        }
    }
}

/// One TCP connection.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    /// 1-based, in order of first appearance.
    pub id: u32,
    /// The sender of the first captured segment.
    pub a: Endpoint,
    /// The other side.
    pub b: Endpoint,
    /// A's traffic.
    pub a_stats: SideStats,
    /// B's traffic.
    pub b_stats: SideStats,
    /// First frame of the connection.
    pub first_frame: u64,
    /// Last frame of the connection.
    pub last_frame: u64,
    /// The earliest frame time (frames are not always in time order).
    pub start: Option<Timestamp>,
    /// The latest frame time.
    pub end: Option<Timestamp>,
}

/// Who is client and who is server, and why.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Roles {
    /// The client's endpoint.
    pub client: Endpoint,
    /// The server's endpoint.
    pub server: Endpoint,
    /// The client's side.
    pub client_side: Side,
    /// What decided it.
    pub basis: RoleBasis,
}

impl Roles {
    /// Who a side is.
    pub(crate) fn party(&self, side: Side) -> Party {
        if side == self.client_side {
            Party::Client
        } else {
            Party::Server
        }
    }

    /// Which side a party is.
    pub(crate) fn side(&self, party: Party) -> Side {
        match party {
            Party::Client => self.client_side,
            Party::Server => self.client_side.other(),
        }
    }
}

impl Connection {
    /// Decides who is client and who is server from what was seen.
    pub(crate) fn roles(&self) -> Roles {
        let (basis, client_is_a) = if let Some(a_is_client) = self.syn_side() {
            (RoleBasis::Syn, a_is_client)
        } else if self.a_stats.sent_syn_ack != self.b_stats.sent_syn_ack {
            (RoleBasis::SynAck, self.b_stats.sent_syn_ack)
        } else if let Some(a_is_client) = self.hello_side() {
            (RoleBasis::TlsHello, a_is_client)
        } else {
            (
                RoleBasis::Port,
                server_port_rank(self.b.port) <= server_port_rank(self.a.port),
            )
        };
        let (client, server) = if client_is_a {
            (self.a, self.b)
        } else {
            (self.b, self.a)
        };
        Roles {
            client,
            server,
            client_side: if client_is_a { Side::A } else { Side::B },
            basis,
        }
    }

    /// The client's and the server's statistics, in that order.
    pub(crate) fn stats_by_role(&self) -> (&SideStats, &SideStats) {
        if self.roles().client_side == Side::A {
            (&self.a_stats, &self.b_stats)
        } else {
            (&self.b_stats, &self.a_stats)
        }
    }

    fn syn_side(&self) -> Option<bool> {
        match (self.a_stats.syn_seq, self.b_stats.syn_seq) {
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            _ => None,
        }
    }

    fn hello_side(&self) -> Option<bool> {
        let opening = |s: &SideStats| s.opening.as_ref().map(|(_, o, _)| *o);
        match (opening(&self.a_stats), opening(&self.b_stats)) {
            (Some(Opening::TlsClientHello | Opening::Sslv2ClientHello), _)
            | (_, Some(Opening::TlsServerHello)) => Some(true),
            (_, Some(Opening::TlsClientHello | Opening::Sslv2ClientHello))
            | (Some(Opening::TlsServerHello), _) => Some(false),
            _ => None,
        }
    }
}

/// Ranks how likely a port is a server's: well-known first, then registered, then the lower.
fn server_port_rank(port: u16) -> (u8, u16) {
    match port {
        0..=1023 => (0, port),
        1024..=49151 => (1, port),
        _ => (2, port),
    }
}

/// The key of a connection: its endpoints in a canonical order.
type PairKey = (Endpoint, Endpoint);

fn pair_key(x: Endpoint, y: Endpoint) -> PairKey {
    if x <= y { (x, y) } else { (y, x) }
}

/// At most this many connections are open at once by default; when another one starts, the
/// eighth of them that were idle longest are ended as they stand (their reports say so). A SYN
/// flood or a port scan cannot exhaust memory this way, and a capture of any number of
/// connections is analysed to its end.
pub const MAX_OPEN_CONNECTIONS: usize = 100_000;

/// The connections of a capture that are open (or ended but not yet retired), each with the
/// caller's per-connection state `T`.
#[derive(Debug)]
pub(crate) struct ConnectionTable<T> {
    /// The entries, in slots (a slot freed by a connection that left is used again).
    slots: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    /// The slot of each open connection, by its endpoints.
    index: HashMap<PairKey, usize>,
    /// Endpoints of connections that ended and left the table, the latest [`CLOSED`]: their
    /// late segments (a last ACK, a retransmission) are counted, not taken for a new
    /// connection. A new SYN starts one.
    closed: std::collections::HashSet<PairKey, rustc_hash::FxBuildHasher>,
    closed_order: std::collections::VecDeque<PairKey>,
    /// Segments that came after their connection left the table.
    late_frames: u64,
    /// Connections seen so far: the next one's id is this plus one.
    seen: u32,
    /// Most entries at once.
    limit: usize,
    /// Connections ended because too many were open.
    evicted: u64,
}

impl<T> Default for ConnectionTable<T> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
            index: HashMap::default(),
            closed: std::collections::HashSet::default(),
            closed_order: std::collections::VecDeque::new(),
            late_frames: 0,
            seen: 0,
            limit: MAX_OPEN_CONNECTIONS,
            evicted: 0,
        }
    }
}

/// Endpoints of ended connections remembered (see [`ConnectionTable::remove`]).
const CLOSED: usize = 65_536;

/// A connection in the table, with the caller's state.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    /// Its flow statistics.
    pub conn: Connection,
    /// The caller's state.
    pub data: T,
}

/// Why an entry left the table without the caller asking.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum Retired {
    /// A new SYN with another initial sequence number reused its endpoints.
    PortsReused,
    /// Too many connections were open and this one was among the longest idle.
    Evicted,
}

impl<T: Default> ConnectionTable<T> {
    /// Connections seen so far (open or not).
    pub(crate) fn seen(&self) -> u32 {
        self.seen
    }

    /// Connections in the table now.
    pub(crate) fn open(&self) -> usize {
        self.index.len()
    }

    /// Connections ended early because too many were open.
    pub(crate) fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Sets the most connections open at once (at least 8).
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit.max(8);
    }

    /// The most connections open at once.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// The entry of a connection, by its endpoints.
    pub(crate) fn get_mut(&mut self, a: Endpoint, b: Endpoint) -> Option<&mut Entry<T>> {
        let i = *self.index.get(&pair_key(a, b))?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// Takes the entry of `key` out of its slot.
    fn take(&mut self, key: &PairKey) -> Option<Entry<T>> {
        let i = self.index.remove(key)?;
        let entry = self.slots.get_mut(i)?.take();
        self.free.push(i);
        entry
    }

    /// Takes a connection that ended out of the table. Its endpoints are remembered: their
    /// later segments are counted as late ([`late_frames`](Self::late_frames)) until a new SYN
    /// starts another connection.
    pub(crate) fn remove(&mut self, a: Endpoint, b: Endpoint) -> Option<Entry<T>> {
        let key = pair_key(a, b);
        let entry = self.take(&key)?;
        if self.closed.insert(key) {
            self.closed_order.push_back(key);
            if self.closed_order.len() > CLOSED
                && let Some(oldest) = self.closed_order.pop_front()
            {
                self.closed.remove(&oldest);
            }
        }
        Some(entry)
    }

    /// Segments that came after their connection ended and left the table.
    pub(crate) fn late_frames(&self) -> u64 {
        self.late_frames
    }

    /// Takes every connection out, in order of first appearance.
    pub(crate) fn drain(&mut self) -> Vec<Entry<T>> {
        self.index.clear();
        self.free.clear();
        let mut all: Vec<Entry<T>> = self.slots.drain(..).flatten().collect();
        all.sort_unstable_by_key(|e| e.conn.id);
        all
    }

    /// Adds a segment from frame `frame` (of `frame_len` bytes on the wire) and returns the
    /// side that sent it with its connection's entry — `None` for a late segment of a
    /// connection that ended. Entries that had to leave the table for it (ports reused, or the
    /// longest idle when too many are open) go to `retired`.
    pub(crate) fn track(
        &mut self,
        segment: &TcpSegment<'_>,
        frame: u64,
        frame_len: u32,
        truncated: bool,
        timestamp: Option<Timestamp>,
        retired: &mut Vec<(Entry<T>, Retired)>,
    ) -> Option<(Side, &mut Entry<T>)> {
        let src = Endpoint {
            ip: segment.src,
            port: segment.src_port,
        };
        let dst = Endpoint {
            ip: segment.dst,
            port: segment.dst_port,
        };
        let key = pair_key(src, dst);
        let opening = segment.flags.syn() && !segment.flags.ack();
        let mut slot = self.index.get(&key).copied();
        if let Some(i) = slot
            && opening
            && self.slots[i].as_ref().is_some_and(|e| {
                let side = if e.conn.a == src {
                    &e.conn.a_stats
                } else {
                    &e.conn.b_stats
                };
                // A new initial sequence number on a SYN means the ports were reused.
                side.base_seq.is_some_and(|base| base != segment.seq)
            })
        {
            if let Some(old) = self.take(&key) {
                retired.push((old, Retired::PortsReused));
            }
            slot = None;
        }
        let i = if let Some(i) = slot {
            i
        } else {
            if !self.closed.is_empty() && self.closed.contains(&key) {
                if !opening {
                    self.late_frames += 1;
                    return None;
                }
                // Ports reused: the endpoints belong to the new connection now.
                self.closed.remove(&key);
            }
            if self.index.len() >= self.limit {
                self.evict_idle(retired);
            }
            self.seen = self.seen.saturating_add(1);
            let entry = Entry {
                conn: Connection {
                    id: self.seen,
                    a: src,
                    b: dst,
                    a_stats: SideStats::default(),
                    b_stats: SideStats::default(),
                    first_frame: frame,
                    last_frame: frame,
                    start: timestamp,
                    end: timestamp,
                },
                data: T::default(),
            };
            let i = if let Some(i) = self.free.pop() {
                self.slots[i] = Some(entry);
                i
            } else {
                self.slots.push(Some(entry));
                self.slots.len() - 1
            };
            self.index.insert(key, i);
            i
        };
        let entry = self.slots.get_mut(i)?.as_mut()?;
        let conn = &mut entry.conn;
        conn.last_frame = frame;
        if let Some(ts) = timestamp {
            conn.start = Some(conn.start.map_or(ts, |s| s.min(ts)));
            conn.end = Some(conn.end.map_or(ts, |e| e.max(ts)));
        }
        let from_a = conn.a == src;
        let side = if from_a {
            &mut conn.a_stats
        } else {
            &mut conn.b_stats
        };
        side.count(segment, frame, frame_len, truncated);
        Some((if from_a { Side::A } else { Side::B }, entry))
    }

    /// Ends the eighth of the open connections that were idle longest (by their last frame):
    /// one scan per limit/8 new connections.
    fn evict_idle(&mut self, retired: &mut Vec<(Entry<T>, Retired)>) {
        let mut idle: Vec<(u64, PairKey)> = self
            .index
            .iter()
            .filter_map(|(key, &i)| Some((self.slots[i].as_ref()?.conn.last_frame, *key)))
            .collect();
        let n = (idle.len() / 8).max(1);
        if n < idle.len() {
            idle.select_nth_unstable(n);
        }
        let mut out: Vec<Entry<T>> = idle[..n.min(idle.len())]
            .iter()
            .filter_map(|(_, key)| self.take(key))
            .collect();
        out.sort_unstable_by_key(|e| e.conn.id);
        self.evicted += out.len() as u64;
        retired.extend(out.into_iter().map(|e| (e, Retired::Evicted)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings_are_classified_by_their_first_bytes() {
        let client_hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc];
        assert_eq!(Opening::classify(&client_hello), Opening::TlsClientHello);
        assert_eq!(
            Opening::classify(&[0x16, 0x03, 0x03, 0x00, 0x5d, 0x02]),
            Opening::TlsServerHello
        );
        assert_eq!(
            Opening::classify(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]),
            Opening::TlsRecord
        );
        // SSLv2-compatible ClientHello offering TLS 1.0 (RFC 5246 E.2).
        assert_eq!(
            Opening::classify(&[0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15]),
            Opening::Sslv2ClientHello
        );
        assert_eq!(Opening::classify(b"GET / HTTP/1.1\r\n"), Opening::Text);
        assert_eq!(Opening::classify(b"220 mail ESMTP\r\n"), Opening::Text);
        assert_eq!(Opening::classify(&[0x00, 0x01, 0x02]), Opening::Binary);
        assert!(!Opening::Text.is_tls());
    }

    use crate::wire::TcpFlags;

    fn segment(from: u16, to: u16, flags: u8, seq: u32, payload: &[u8]) -> TcpSegment<'_> {
        TcpSegment {
            src: IpAddr::from([10, 0, 0, if from == 443 { 2 } else { 1 }]),
            dst: IpAddr::from([10, 0, 0, if to == 443 { 2 } else { 1 }]),
            src_port: from,
            dst_port: to,
            seq,
            ack: 0,
            flags: TcpFlags(flags),
            payload,
            payload_len: payload.len() as u32,
        }
    }

    const SYN: u8 = TcpFlags::SYN;
    const SYN_ACK: u8 = TcpFlags::SYN | TcpFlags::ACK;
    const ACK: u8 = TcpFlags::ACK;
    const CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x00, 0x40, 0x01];

    /// A table of unit entries, fed segments; retired entries are kept for inspection.
    #[derive(Default)]
    struct Fed {
        table: ConnectionTable<()>,
        retired: Vec<(Entry<()>, Retired)>,
    }

    impl Fed {
        fn feed(&mut self, seg: &TcpSegment<'_>, frame: u64) {
            self.table
                .track(seg, frame, 60, false, None, &mut self.retired);
        }

        /// Every connection, retired or in the table, in order of first appearance.
        fn all(mut self) -> Vec<Connection> {
            let mut all: Vec<Connection> = self.retired.drain(..).map(|(e, _)| e.conn).collect();
            all.extend(self.table.drain().into_iter().map(|e| e.conn));
            all.sort_unstable_by_key(|c| c.id);
            all
        }
    }

    #[test]
    fn the_syn_sender_is_the_client_even_when_seen_second() {
        let mut fed = Fed::default();
        // The capture starts with the SYN-ACK (the SYN was missed), then a retransmitted SYN.
        fed.feed(&segment(443, 50000, SYN_ACK, 900, &[]), 1);
        fed.feed(&segment(50000, 443, SYN, 100, &[]), 2);
        let conn = &fed.all()[0];
        let roles = conn.roles();
        assert_eq!(roles.client.port, 50000);
        assert_eq!(roles.basis, RoleBasis::Syn);
        assert_eq!(roles.client_side, Side::B);
    }

    #[test]
    fn a_new_isn_on_the_same_ports_is_a_new_connection() {
        let mut fed = Fed::default();
        fed.feed(&segment(50000, 443, SYN, 100, &[]), 1);
        fed.feed(&segment(50000, 443, SYN, 100, &[]), 2); // retransmission
        fed.feed(&segment(443, 50000, SYN_ACK, 900, &[]), 3);
        fed.feed(&segment(50000, 443, SYN, 5000, &[]), 4); // port reuse
        assert_eq!(fed.retired.len(), 1);
        assert_eq!(fed.retired[0].1, Retired::PortsReused);
        let all = fed.all();
        let ids: Vec<_> = all
            .iter()
            .map(|c| (c.id, c.first_frame, c.last_frame))
            .collect();
        assert_eq!(ids, vec![(1, 1, 3), (2, 4, 4)]);
        assert_eq!(all[0].a_stats.frames, 2);
    }

    #[test]
    fn too_many_open_connections_end_the_longest_idle_first() {
        let mut fed = Fed::default();
        fed.table.set_limit(16);
        for port in 0..16u16 {
            fed.feed(
                &segment(40000 + port, 443, SYN, 100, &[]),
                u64::from(port) + 1,
            );
        }
        // Connection 1 speaks again: it is no longer the longest idle.
        fed.feed(&segment(40000, 443, SYN, 100, &[]), 17);
        assert!(fed.retired.is_empty());
        fed.feed(&segment(50000, 443, SYN, 100, &[]), 18);
        // An eighth of 16: connections 2 and 3 (idle since frames 2 and 3) are ended.
        let ended: Vec<(u32, Retired)> = fed.retired.iter().map(|(e, r)| (e.conn.id, *r)).collect();
        assert_eq!(ended, vec![(2, Retired::Evicted), (3, Retired::Evicted)]);
        assert_eq!(
            (fed.table.open(), fed.table.seen(), fed.table.evicted()),
            (15, 17, 2)
        );
    }

    #[test]
    fn without_a_syn_the_client_hello_decides_then_the_port() {
        let mut fed = Fed::default();
        // Mid-stream: the server's ACK is seen first, then the client's ClientHello.
        fed.feed(&segment(443, 50000, ACK, 900, &[]), 1);
        fed.feed(&segment(50000, 443, ACK, 100, CLIENT_HELLO), 2);
        let roles = fed.all()[0].roles();
        assert_eq!(
            (roles.client.port, roles.basis),
            (50000, RoleBasis::TlsHello)
        );

        let mut fed = Fed::default();
        fed.feed(&segment(443, 50000, ACK, 900, b"xx"), 1);
        let roles = fed.all()[0].roles();
        assert_eq!((roles.server.port, roles.basis), (443, RoleBasis::Port));
    }

    #[test]
    fn server_port_ranking_prefers_well_known_then_lower() {
        assert!(server_port_rank(443) < server_port_rank(53144));
        assert!(server_port_rank(8443) < server_port_rank(53144));
        assert!(server_port_rank(4433) < server_port_rank(8443));
    }
}
