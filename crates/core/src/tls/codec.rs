//! A bounded reader for TLS presentation-language structures (RFC 8446 §3).
//!
//! Every read returns `None` past the end instead of panicking; length-prefixed vectors are
//! carved as sub-readers so that a structure can never read its neighbour's bytes.

/// Reads big-endian integers and length-prefixed vectors from a byte slice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.data
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.data.len() < n {
            return None;
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Some(head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u24(&mut self) -> Option<u32> {
        self.bytes(3)
            .map(|b| u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.bytes(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// `opaque x<0..2^8-1>`.
    pub(crate) fn vec8(&mut self) -> Option<Self> {
        let n = self.u8()?;
        self.bytes(usize::from(n)).map(Self::new)
    }

    /// `opaque x<0..2^16-1>`.
    pub(crate) fn vec16(&mut self) -> Option<Self> {
        let n = self.u16()?;
        self.bytes(usize::from(n)).map(Self::new)
    }

    /// `opaque x<0..2^24-1>`.
    pub(crate) fn vec24(&mut self) -> Option<Self> {
        let n = self.u24()?;
        self.bytes(n as usize).map(Self::new)
    }

    /// All remaining bytes as a list of `u16`s (an odd trailing byte is ignored).
    pub(crate) fn u16_list(mut self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.data.len() / 2);
        while let Some(v) = self.u16() {
            out.push(v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end_and_vectors_stay_inside_their_length() {
        let mut r = Reader::new(&[0x00, 0x03, 0xaa, 0xbb, 0xcc, 0xdd]);
        let mut inner = r.vec16().expect("vector");
        assert_eq!(inner.u16(), Some(0xaabb));
        assert_eq!(inner.u16(), None, "the vector holds only 3 bytes");
        assert_eq!(inner.u8(), Some(0xcc));
        assert_eq!(r.u8(), Some(0xdd));
        assert_eq!(r.u8(), None);
        assert!(
            Reader::new(&[0x05, 0x01]).vec8().is_none(),
            "claims 5 bytes, has 1"
        );
        assert_eq!(
            Reader::new(&[0x00, 0x01, 0x00, 0x02, 0x09]).u16_list(),
            vec![1, 2]
        );
    }
}
