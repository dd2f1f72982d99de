//! gzip-compressed captures (`capture.pcap.gz`), which tshark and Wireshark open directly.
//!
//! The compressed input is fed to the decompressor in small slices so that one slice can never
//! expand to more than a few MiB (deflate expands at most ~1032:1), keeping memory bounded even
//! for a "zip bomb".

use std::io::Write;

use flate2::write::GzDecoder;

use super::{CaptureReader, FrameSink};
use crate::error::{CaptureError, CaptureErrorKind};

/// The first bytes of a gzip stream (RFC 1952: ID1, ID2, CM = deflate).
pub(super) const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Compressed bytes handed to the decompressor at a time.
const SLICE: usize = 4096;

/// Decompresses and parses the inner capture.
pub(super) struct GzipReader {
    decoder: GzDecoder<Vec<u8>>,
    inner: CaptureReader,
    compressed_offset: u64,
}

impl GzipReader {
    pub(super) fn new() -> Self {
        Self {
            decoder: GzDecoder::new(Vec::new()),
            inner: CaptureReader::new(),
            compressed_offset: 0,
        }
    }

    /// The reader of the decompressed capture.
    pub(super) fn reader(&self) -> &CaptureReader {
        &self.inner
    }

    pub(super) fn push(
        &mut self,
        data: &[u8],
        sink: &mut impl FrameSink,
    ) -> Result<(), CaptureError> {
        for slice in data.chunks(SLICE) {
            if let Err(err) = self.decoder.write_all(slice) {
                return Err(self.gzip_error(&err));
            }
            self.compressed_offset += slice.len() as u64;
            self.drain(sink)?;
        }
        Ok(())
    }

    pub(super) fn finish(&mut self, sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        if let Err(err) = self.decoder.try_finish() {
            return Err(self.gzip_error(&err));
        }
        self.drain(sink)?;
        self.inner.finish(sink)
    }

    fn drain(&mut self, sink: &mut impl FrameSink) -> Result<(), CaptureError> {
        let out = std::mem::take(self.decoder.get_mut());
        let result = self.inner.push(&out, sink);
        let mut out = out;
        out.clear();
        *self.decoder.get_mut() = out;
        result
    }

    fn gzip_error(&self, err: &std::io::Error) -> CaptureError {
        CaptureError {
            kind: CaptureErrorKind::Gzip {
                why: err.to_string(),
            },
            offset: self.compressed_offset,
        }
    }
}
