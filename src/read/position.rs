//! Positions a person can find: "line L, byte B" in an input, counted only when a message needs
//! one.

/// Where a buffer sits in its input.
#[derive(Clone, Copy, Default)]
pub(crate) struct Base {
    pub(crate) offset: u64,
    /// Newlines before the buffer.
    pub(crate) lines: u64,
}

impl Base {
    /// "line L, byte B" of the byte at `off` in `buf` (which starts at this base).
    pub(crate) fn position(&self, buf: &[u8], off: usize) -> String {
        let off = off.min(buf.len());
        let line = self.lines + memchr::memchr_iter(b'\n', &buf[..off]).count() as u64 + 1;
        format!("line {line}, byte {}", self.offset + off as u64)
    }

    /// Moves past the first `n` bytes of `buf`.
    pub(crate) fn advance(&mut self, buf: &[u8], n: usize) {
        self.lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        self.offset += n as u64;
    }
}
