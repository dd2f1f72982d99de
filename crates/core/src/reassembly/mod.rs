//! TCP reassembly: one direction's segments in, its byte stream out, with the frame every byte
//! came from and every anomaly as an event.
//!
//! ```text
//! segment(seq, flags, payload, frame) ─► Reassembler ─► Delivery::Data { offset, bytes, frame }
//!                                                    ├► Delivery::Gap  { offset, len, … }
//!                                                    └► StreamEvent (overlap, mid-stream, …)
//! ```
//!
//! Stream offsets are 64-bit, counted from the byte after the SYN (or from the first segment
//! seen when the capture starts mid-connection), so sequence-number wrap-around is invisible
//! above this module (RFC 9293 §3.4: sequence arithmetic is modulo 2^32).
//!
//! Policies, each chosen to match what Wireshark shows:
//! - data is delivered as soon as it is contiguous, without waiting for an ACK: the final alert
//!   before a RST is usually never acknowledged;
//! - the first copy of a byte wins; a later copy that differs is reported as an overlap, as
//!   long as the layer above reads the stream's content: once it only walks encrypted records
//!   ([`Reassembler::forget_history`]) retransmissions are not compared, so that bulk data is
//!   never copied;
//! - segments beyond a hole wait until the hole is filled, until the peer acknowledges past it
//!   (the bytes were sent but not captured), until the waiting bytes exceed
//!   [`MAX_PENDING_BYTES`], or until the end of the capture; then the hole becomes a
//!   [`Delivery::Gap`] of known length, so that the layers above keep their framing.

use std::collections::BTreeMap;

use crate::capture::Timestamp;

/// Most bytes held beyond a hole, per direction.
pub(crate) const MAX_PENDING_BYTES: usize = 256 * 1024;
/// Delivered bytes remembered for comparing retransmissions, per direction.
const RECENT_WINDOW: usize = 16 * 1024;

/// What the reassembler hands to the layer above, in stream order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Delivery<'a> {
    /// Bytes at `offset`, carried by frame `frame`.
    Data {
        /// Stream offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
        /// The frame that carried them.
        frame: u64,
        /// That frame's time.
        time: Option<Timestamp>,
    },
    /// Bytes that were never captured.
    Gap {
        /// Stream offset of the first missing byte.
        offset: u64,
        /// How many bytes are missing.
        len: u64,
        /// The frame whose arrival (or acknowledgment) revealed the gap.
        frame: u64,
    },
}

/// An anomaly in one direction of a TCP connection.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum StreamEvent {
    /// The capture starts after this direction's SYN: the first captured byte is at offset 0.
    MidstreamStart {
        /// The first frame of this direction.
        frame: u64,
    },
    /// Bytes missing from the capture.
    Gap {
        /// The frame that revealed it.
        frame: u64,
        /// Stream offset of the first missing byte.
        offset: u64,
        /// Missing bytes.
        len: u64,
    },
    /// A retransmission carried different bytes than the first copy; the first copy was kept.
    Overlap {
        /// The retransmitting frame.
        frame: u64,
        /// Stream offset of the first differing byte.
        offset: u64,
    },
    /// The capture's snapshot length cut this segment's payload: its last bytes are missing.
    Truncated {
        /// The cut frame.
        frame: u64,
        /// Stream offset of the first missing byte.
        offset: u64,
        /// Missing bytes.
        len: u64,
    },
    /// Segments were captured out of order.
    OutOfOrder {
        /// The first frame that arrived ahead of a hole.
        frame: u64,
    },
}

/// One TCP segment of this direction, as the reassembler needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment<'a> {
    /// Sequence number.
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// The captured payload.
    pub payload: &'a [u8],
    /// The payload length on the wire (more than `payload.len()` when the snapshot length cut
    /// the frame).
    pub wire_len: usize,
    /// The frame that carried it.
    pub frame: u64,
    /// That frame's time.
    pub time: Option<Timestamp>,
}

/// A segment waiting for a hole before it to be filled.
#[derive(Debug)]
struct Pending {
    frame: u64,
    time: Option<Timestamp>,
    bytes: Vec<u8>,
}

/// Reassembles one direction of a TCP connection.
#[derive(Debug, Default)]
pub(crate) struct Reassembler {
    /// Sequence number of stream offset 0, once known.
    base: Option<u32>,
    /// Stream offset of the next byte to deliver.
    next: u64,
    /// Segments beyond a hole, by stream offset.
    pending: BTreeMap<u64, Pending>,
    pending_bytes: usize,
    /// The peer acknowledged up to here (stream offset), possibly beyond what was captured.
    acked: u64,
    /// The last bytes delivered, to compare retransmissions against.
    recent: std::collections::VecDeque<u8>,
    /// Retransmissions are no longer compared (see [`Reassembler::forget_history`]).
    forgetful: bool,
    /// Stream offset of the FIN, if one was seen.
    fin: Option<u64>,
    events: Vec<StreamEvent>,
    reported_out_of_order: bool,
}

impl Reassembler {
    /// True once the first segment of this direction was seen.
    pub(crate) fn is_started(&self) -> bool {
        self.base.is_some()
    }

    /// Anomalies so far, in the order they were found.
    pub(crate) fn events(&self) -> &[StreamEvent] {
        &self.events
    }

    /// True once a FIN was seen and everything before it was delivered.
    pub(crate) fn is_finished(&self) -> bool {
        self.fin.is_some_and(|fin| self.next >= fin)
    }

    /// Maps a sequence number to the stream offset nearest to `near`.
    fn stream_offset(base: u32, seq: u32, near: u64) -> u64 {
        let rel = u64::from(seq.wrapping_sub(base));
        let epoch = near & !0xffff_ffff;
        // Of the three candidates around `near`, take the closest.
        [epoch.wrapping_sub(1 << 32), epoch, epoch + (1 << 32)]
            .into_iter()
            .map(|e| e.wrapping_add(rel))
            .filter(|&c| c < (1 << 62))
            .min_by_key(|&c| c.abs_diff(near))
            .unwrap_or(rel)
    }

    /// Takes one segment of this direction.
    pub(crate) fn segment(&mut self, seg: &Segment<'_>, deliver: &mut impl FnMut(Delivery<'_>)) {
        let Segment {
            seq,
            syn,
            fin,
            payload,
            frame,
            time,
            ..
        } = *seg;
        let base = match self.base {
            // A SYN with a new initial sequence number before any data: the earlier segments
            // belonged to an attempt that was abandoned (a stray ACK, a refused SYN-ACK).
            Some(base)
                if syn
                    && base != seq.wrapping_add(1)
                    && self.next == 0
                    && self.pending.is_empty() =>
            {
                self.events
                    .retain(|e| !matches!(e, StreamEvent::MidstreamStart { .. }));
                self.acked = 0;
                self.base = Some(seq.wrapping_add(1));
                seq.wrapping_add(1)
            }
            Some(base) => base,
            None => {
                let base = if syn { seq.wrapping_add(1) } else { seq };
                if !syn {
                    self.events.push(StreamEvent::MidstreamStart { frame });
                }
                self.base = Some(base);
                base
            }
        };
        let data_seq = if syn { seq.wrapping_add(1) } else { seq };
        let offset = Self::stream_offset(base, data_seq, self.next);
        let end = offset + payload.len() as u64;
        let wire_end = offset + seg.wire_len.max(payload.len()) as u64;
        if fin {
            self.fin = Some(wire_end);
        }
        if payload.is_empty() && wire_end == end {
            self.release_if_finished();
            return;
        }
        if offset > self.next && self.acked >= offset {
            // The peer acknowledged bytes before this segment that were never captured.
            self.skip_to(offset, frame, deliver);
        }
        if offset > self.next {
            if !payload.is_empty() {
                self.hold(offset, payload, (frame, time), deliver);
            }
            return;
        }
        if !payload.is_empty() {
            self.accept(offset, payload, (frame, time), deliver);
        }
        if wire_end > self.next {
            // The snapshot length cut the segment: its tail is known to be missing.
            let missing = wire_end - self.next;
            self.events.push(StreamEvent::Truncated {
                frame,
                offset: self.next,
                len: missing,
            });
            deliver(Delivery::Gap {
                offset: self.next,
                len: missing,
                frame,
            });
            self.next = wire_end;
            self.recent.clear();
        }
        self.drain(deliver);
        self.release_if_finished();
    }

    /// Stops keeping delivered bytes to compare retransmissions with: the layer above no longer
    /// reads this direction's content (encrypted records it walks by their headers). Later
    /// retransmissions are dropped by sequence number alone; the first copy wins as before.
    pub(crate) fn forget_history(&mut self) {
        if !self.forgetful {
            self.forgetful = true;
            self.recent = std::collections::VecDeque::new();
        }
    }

    /// A complete direction (FIN, everything before it delivered) lets go of the bytes kept
    /// for comparing retransmissions: a capture of many connections should not keep 16 KiB for
    /// each.
    fn release_if_finished(&mut self) {
        if self.is_finished() && self.pending.is_empty() && self.recent.capacity() > 0 {
            self.recent = std::collections::VecDeque::new();
        }
    }

    /// The peer acknowledged `ack` (a sequence number of this direction).
    pub(crate) fn acknowledge(
        &mut self,
        ack: u32,
        frame: u64,
        deliver: &mut impl FnMut(Delivery<'_>),
    ) {
        let Some(base) = self.base else { return };
        let offset = Self::stream_offset(base, ack, self.next);
        // A FIN takes one sequence number: acknowledging it acknowledges no data.
        let offset = match self.fin {
            Some(fin) if offset == fin + 1 => fin,
            _ => offset,
        };
        if offset > self.acked && offset <= self.next + (1 << 31) {
            self.acked = offset;
        }
        if let Some((&first, _)) = self.pending.first_key_value()
            && first > self.next
            && self.acked >= first
        {
            self.skip_to(first, frame, deliver);
            self.drain(deliver);
        }
    }

    /// The capture ended: delivers everything still waiting. A gap is placed at the frame of
    /// the first segment after it.
    pub(crate) fn flush(&mut self, frame: u64, deliver: &mut impl FnMut(Delivery<'_>)) {
        while let Some((&first, pending)) = self.pending.first_key_value() {
            if first > self.next {
                let after = pending.frame;
                self.skip_to(first, after, deliver);
            }
            self.drain(deliver);
        }
        if self.acked > self.next && self.fin.is_none_or(|fin| self.acked <= fin) {
            // Acknowledged bytes at the very end that the capture never saw.
            let acked = self.acked;
            self.skip_to(acked, frame, deliver);
        }
    }

    /// Declares the bytes up to `to` missing.
    fn skip_to(&mut self, to: u64, frame: u64, deliver: &mut impl FnMut(Delivery<'_>)) {
        let len = to - self.next;
        self.events.push(StreamEvent::Gap {
            frame,
            offset: self.next,
            len,
        });
        deliver(Delivery::Gap {
            offset: self.next,
            len,
            frame,
        });
        self.next = to;
        self.recent.clear();
    }

    /// Keeps a segment that lies beyond a hole.
    fn hold(
        &mut self,
        offset: u64,
        payload: &[u8],
        (frame, time): (u64, Option<Timestamp>),
        deliver: &mut impl FnMut(Delivery<'_>),
    ) {
        if !self.reported_out_of_order {
            self.reported_out_of_order = true;
            self.events.push(StreamEvent::OutOfOrder { frame });
        }
        match self.pending.get(&offset) {
            // A retransmission of a waiting segment: keep the longer copy's extra bytes only.
            Some(existing) if existing.bytes.len() >= payload.len() => return,
            Some(existing) => self.pending_bytes -= existing.bytes.len(),
            None => {}
        }
        self.pending_bytes += payload.len();
        self.pending.insert(
            offset,
            Pending {
                frame,
                time,
                bytes: payload.to_vec(),
            },
        );
        while self.pending_bytes > MAX_PENDING_BYTES {
            let Some((&first, _)) = self.pending.first_key_value() else {
                break;
            };
            if first > self.next {
                self.skip_to(first, frame, deliver);
            }
            self.drain(deliver);
        }
    }

    /// Delivers what lies at or after `self.next` in a segment starting at or before it.
    fn accept(
        &mut self,
        offset: u64,
        payload: &[u8],
        (frame, time): (u64, Option<Timestamp>),
        deliver: &mut impl FnMut(Delivery<'_>),
    ) {
        let end = offset + payload.len() as u64;
        // Compare the part already delivered with what we remember of it.
        let overlap_start = offset.max(self.next.saturating_sub(self.recent.len() as u64));
        if overlap_start < self.next.min(end) {
            let recent_start = self.next - self.recent.len() as u64;
            // A ring: dropping from the front costs nothing per segment; comparing (only for
            // retransmissions) wants it in one piece.
            let ours = &self.recent.make_contiguous()[(overlap_start - recent_start) as usize
                ..(self.next.min(end) - recent_start) as usize];
            let theirs =
                &payload[(overlap_start - offset) as usize..(self.next.min(end) - offset) as usize];
            if let Some(i) = ours.iter().zip(theirs).position(|(a, b)| a != b) {
                self.events.push(StreamEvent::Overlap {
                    frame,
                    offset: overlap_start + i as u64,
                });
            }
        }
        if end <= self.next {
            return;
        }
        let new = &payload[(self.next - offset) as usize..];
        deliver(Delivery::Data {
            offset: self.next,
            bytes: new,
            frame,
            time,
        });
        self.next = end;
        self.remember(new);
    }

    fn remember(&mut self, bytes: &[u8]) {
        if self.forgetful {
            return;
        }
        if bytes.len() >= RECENT_WINDOW {
            self.recent.clear();
            self.recent.extend(&bytes[bytes.len() - RECENT_WINDOW..]);
        } else {
            let excess = (self.recent.len() + bytes.len()).saturating_sub(RECENT_WINDOW);
            self.recent.drain(..excess);
            self.recent.extend(bytes);
        }
    }

    /// Delivers waiting segments that have become contiguous.
    fn drain(&mut self, deliver: &mut impl FnMut(Delivery<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.next {
                break;
            }
            let (offset, pending) = entry.remove_entry();
            self.pending_bytes -= pending.bytes.len();
            self.accept(
                offset,
                &pending.bytes,
                (pending.frame, pending.time),
                deliver,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    //! Scenarios in a compact notation: each delivery prints as `offset:bytes@frame` for data and
    //! `offset+len!frame` for a gap, so a test reads as the stream the layer above receives.

    use super::*;

    /// One step of a scenario.
    enum Step<'a> {
        /// A segment: frame, sequence number, flags ("S" SYN, "F" FIN), payload.
        Seg(u64, u32, &'static str, &'a [u8]),
        /// The peer acknowledges this sequence number, in this frame.
        Ack(u64, u32),
        /// The layer above stops reading the content (encrypted records from here on).
        Forget,
        /// End of capture.
        End,
    }
    use Step::{Ack, End, Forget, Seg};

    fn run(steps: &[Step<'_>]) -> (String, Vec<StreamEvent>) {
        let mut r = Reassembler::default();
        let mut out = Vec::new();
        let mut deliver = |d: Delivery<'_>| {
            out.push(match d {
                Delivery::Data {
                    offset,
                    bytes,
                    frame,
                    ..
                } => {
                    format!("{offset}:{}@{frame}", String::from_utf8_lossy(bytes))
                }
                Delivery::Gap { offset, len, frame } => format!("{offset}+{len}!{frame}"),
            });
        };
        let mut last = 0;
        for step in steps {
            match *step {
                Seg(frame, seq, flags, payload) => {
                    last = frame;
                    r.segment(
                        &Segment {
                            seq,
                            syn: flags.contains('S'),
                            fin: flags.contains('F'),
                            payload,
                            wire_len: payload.len(),
                            frame,
                            time: None,
                        },
                        &mut deliver,
                    );
                }
                Ack(frame, ack) => r.acknowledge(ack, frame, &mut deliver),
                Forget => r.forget_history(),
                End => r.flush(last, &mut deliver),
            }
        }
        (out.join(" "), r.events().to_vec())
    }

    #[test]
    fn in_order_data_after_the_syn() {
        let (out, events) = run(&[
            Seg(1, 1000, "S", b""),
            Seg(3, 1001, "", b"abc"),
            Seg(5, 1004, "F", b"de"),
            End,
        ]);
        assert_eq!(out, "0:abc@3 3:de@5");
        assert!(events.is_empty());
    }

    #[test]
    fn out_of_order_segments_wait_for_the_hole() {
        // RFC 9293 §3.10.7.4: segments beyond the next expected one are held, not dropped.
        let (out, events) = run(&[
            Seg(1, 0, "S", b""),
            Seg(2, 4, "", b"def"),
            Seg(3, 1, "", b"abc"),
            End,
        ]);
        assert_eq!(out, "0:abc@3 3:def@2");
        assert_eq!(events, vec![StreamEvent::OutOfOrder { frame: 2 }]);
    }

    #[test]
    fn retransmissions_are_delivered_once_and_differing_copies_reported() {
        let (out, events) = run(&[
            Seg(1, 0, "S", b""),
            Seg(2, 1, "", b"hello"),
            Seg(3, 1, "", b"hello"),     // identical retransmission: silent
            Seg(4, 3, "", b"LLo world"), // overlaps "llo" with different bytes, then new data
            End,
        ]);
        assert_eq!(out, "0:hello@2 5: world@4");
        assert_eq!(
            events,
            vec![StreamEvent::Overlap {
                frame: 4,
                offset: 2
            }]
        );
    }

    #[test]
    fn once_history_is_forgotten_retransmissions_are_dropped_uncompared() {
        let (out, events) = run(&[
            Seg(1, 0, "S", b""),
            Seg(2, 1, "", b"hello"),
            Forget,
            Seg(3, 3, "", b"LLo world"), // differs, but is no longer compared
            Seg(4, 1, "", b"HELLO WORLD!"), // the first copy still wins; only "!" is new
            End,
        ]);
        assert_eq!(out, "0:hello@2 5: world@3 11:!@4");
        assert!(events.is_empty());
    }

    #[test]
    fn sequence_numbers_wrap_around() {
        let isn = u32::MAX - 2;
        let (out, _) = run(&[
            Seg(1, isn, "S", b""),
            Seg(2, u32::MAX - 1, "", b"ab"),
            Seg(3, 0, "", b"cd"), // after the wrap
            Seg(4, 2, "", b"ef"),
            End,
        ]);
        assert_eq!(out, "0:ab@2 2:cd@3 4:ef@4");
    }

    #[test]
    fn a_gap_acknowledged_by_the_peer_is_skipped_at_once() {
        // Bytes 3..6 were sent (the peer acknowledges them) but never captured.
        let (out, events) = run(&[
            Seg(1, 0, "S", b""),
            Seg(2, 1, "", b"abc"),
            Seg(4, 7, "", b"ghi"),
            Ack(5, 10),
            Seg(6, 10, "", b"jk"),
        ]);
        assert_eq!(out, "0:abc@2 3+3!5 6:ghi@4 9:jk@6");
        assert!(events.contains(&StreamEvent::Gap {
            frame: 5,
            offset: 3,
            len: 3
        }));
    }

    #[test]
    fn a_gap_never_filled_is_declared_at_the_end() {
        let (out, _) = run(&[
            Seg(1, 0, "S", b""),
            Seg(2, 1, "", b"abc"),
            Seg(3, 8, "", b"hij"),
            End,
        ]);
        assert_eq!(out, "0:abc@2 3+4!3 7:hij@3");
    }

    #[test]
    fn unacknowledged_final_data_is_delivered() {
        // The server's alert just before its RST is never acknowledged: it must still arrive.
        let (out, _) = run(&[
            Seg(1, 500, "S", b""),
            Seg(2, 501, "", b"\x15\x03\x03\x00\x02\x02\x28"),
        ]);
        assert_eq!(out, "0:\u{15}\u{3}\u{3}\u{0}\u{2}\u{2}(@2");
    }

    #[test]
    fn a_capture_starting_mid_stream_starts_at_the_first_byte_seen() {
        let (out, events) = run(&[Seg(7, 123_456, "", b"xyz"), Seg(8, 123_459, "", b"!")]);
        assert_eq!(out, "0:xyz@7 3:!@8");
        assert_eq!(events, vec![StreamEvent::MidstreamStart { frame: 7 }]);
    }

    #[test]
    fn acknowledged_bytes_at_the_very_end_are_a_gap() {
        let (out, _) = run(&[Seg(1, 0, "S", b""), Seg(2, 1, "", b"ab"), Ack(3, 6), End]);
        assert_eq!(out, "0:ab@2 2+3!2");
    }

    #[test]
    fn a_later_syn_with_a_new_isn_rebases_an_empty_stream() {
        // A stray ACK, then the real SYN-ACK with another initial sequence number.
        let (out, events) = run(&[
            Seg(1, 9_000, "", b""),
            Seg(2, 500, "S", b""),
            Seg(3, 501, "", b"hello"),
            End,
        ]);
        assert_eq!(out, "0:hello@3");
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn a_segment_cut_by_the_snapshot_length_leaves_a_known_gap() {
        let mut r = Reassembler::default();
        let mut out = Vec::new();
        let mut deliver = |d: Delivery<'_>| out.push(format!("{d:?}"));
        let seg = |seq, payload: &'static [u8], wire_len, frame| Segment {
            seq,
            syn: false,
            fin: false,
            payload,
            wire_len,
            frame,
            time: None,
        };
        r.segment(
            &Segment {
                syn: true,
                ..seg(0, b"", 0, 1)
            },
            &mut deliver,
        );
        r.segment(&seg(1, b"abc", 10, 2), &mut deliver);
        r.segment(&seg(11, b"xyz", 3, 3), &mut deliver);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(
            out[1].starts_with("Gap { offset: 3, len: 7, frame: 2"),
            "{out:?}"
        );
        assert!(r.events().contains(&StreamEvent::Truncated {
            frame: 2,
            offset: 3,
            len: 7
        }));
    }

    #[test]
    fn waiting_bytes_are_bounded() {
        let mut steps = vec![Seg(1, 0, "S", b"")];
        let chunk = vec![b'x'; 1000];
        // 300 segments beyond a one-byte hole: more than MAX_PENDING_BYTES.
        let leaked: &'static [u8] = Box::leak(chunk.into_boxed_slice());
        for i in 0..300u32 {
            steps.push(Seg(u64::from(i) + 2, 2 + i * 1000, "", leaked));
        }
        let (out, _) = run(&steps);
        assert!(
            out.starts_with("0+1!"),
            "the hole was skipped once the limit was reached"
        );
    }
}
