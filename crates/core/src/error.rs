//! The one fatal error: "this input cannot be read (any further) as a capture".
//!
//! Everything else that is odd about a capture (a truncated frame, an unknown link type, a TCP
//! gap) is data in the report, not an error. A [`CaptureError`] always says *what* was wrong and
//! *where* (the byte offset in the original file, 0-based), so a user can open the file in a hex
//! editor and see it.

use std::fmt;

/// A capture file could not be read from `offset` on.
///
/// What was read before `offset` stays valid and is reported as a partial result.
#[derive(Clone, Debug, Eq, PartialEq)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(as = "CaptureErrorJson<'static>")
)]
pub struct CaptureError {
    /// What is wrong.
    pub kind: CaptureErrorKind,
    /// Byte offset in the input (0-based) of the structure that could not be read.
    pub offset: u64,
}

/// What is wrong with a capture file.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CaptureErrorKind {
    /// The input holds no bytes at all.
    Empty,
    /// The first bytes are neither a pcap nor a pcapng (nor a gzip) magic number.
    NotACapture {
        /// The first bytes of the input (up to 4).
        magic: Vec<u8>,
    },
    /// The input ends inside a file header, record or block.
    CutShort {
        /// What was being read ("pcap file header", "pcap record", "pcapng block", …).
        what: &'static str,
        /// How many more bytes the structure needed.
        missing: u64,
    },
    /// A record or block claims a length that is impossible or absurdly large.
    BadLength {
        /// What claimed the length.
        what: &'static str,
        /// The claimed length.
        length: u64,
        /// The largest (or the smallest) length that was acceptable here.
        limit: u64,
    },
    /// A structure's content is inconsistent (for example a pcapng block whose two length
    /// fields differ, or an unknown byte-order magic).
    Malformed {
        /// What was being read.
        what: &'static str,
        /// Why it cannot be read.
        why: String,
    },
    /// A gzip-compressed capture whose compressed stream is corrupt.
    Gzip {
        /// The decompressor's message.
        why: String,
    },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CaptureErrorKind::Empty => write!(f, "the file is empty"),
            CaptureErrorKind::NotACapture { magic } => {
                write!(f, "not a pcap or pcapng capture (the file starts with ")?;
                for b in magic {
                    write!(f, "{b:02x}")?;
                }
                write!(
                    f,
                    "; a pcap file starts with d4c3b2a1 or a1b2c3d4, a pcapng file with 0a0d0d0a)"
                )
            }
            CaptureErrorKind::CutShort { what, missing } => write!(
                f,
                "the file is cut short: a {what} at byte offset {} needs {missing} more byte{}",
                self.offset,
                if *missing == 1 { "" } else { "s" }
            ),
            CaptureErrorKind::BadLength {
                what,
                length,
                limit,
            } => write!(
                f,
                "a {what} at byte offset {} claims a length of {length} bytes (limit {limit}); \
                 the file is corrupt from here on",
                self.offset
            ),
            CaptureErrorKind::Malformed { what, why } => write!(
                f,
                "a malformed {what} at byte offset {}: {why}",
                self.offset
            ),
            CaptureErrorKind::Gzip { why } => write!(
                f,
                "the gzip-compressed capture is corrupt near compressed byte offset {}: {why}",
                self.offset
            ),
        }
    }
}

impl std::error::Error for CaptureError {}

/// JSON form: `{"kind": "cut_short", "what": …, "missing": …, "offset": N, "message": "…"}`.
impl serde::Serialize for CaptureError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CaptureErrorJson {
            kind: &self.kind,
            offset: self.offset,
            message: self.to_string(),
        }
        .serialize(serializer)
    }
}

/// The JSON form of a [`CaptureError`]: its kind's fields, the offset and the message.
#[derive(serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CaptureError"))]
struct CaptureErrorJson<'a> {
    #[serde(flatten)]
    kind: &'a CaptureErrorKind,
    /// Byte offset in the input (0-based; in the decompressed data for gzip) of the structure
    /// that could not be read.
    offset: u64,
    /// What is wrong and where, in words.
    message: String,
}

/// A capture could not be read to its end: what went wrong and where, with the report of
/// everything read before it.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct DiagnoseError {
    /// What went wrong, and where.
    #[source]
    pub error: CaptureError,
    /// Everything that was read before it (its `capture.error` holds the same error).
    pub partial: crate::Report,
}
